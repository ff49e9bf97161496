"""Reading typed cell values: numbers, rates, dates and choices as people type them.

Each parser returns the parsed value or raises :class:`CellValueError` with a Chinese
message that says what was expected.  The reader turns those into findings that name
the sheet and cell.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import cast

from .numbers import HUNDRED, NotANumber, to_decimal

EXCEL_EPOCH = dt.date(1899, 12, 30)


class CellValueError(ValueError):
    """A cell's value cannot be read as the kind its column expects."""


class UncachedFormula(str):
    """A formula cell saved without a calculated value (the string is the formula, '=…').

    python-calamine reads such a cell as empty; the file adapter puts this marker in
    its place so the reader reports it instead of silently reading a blank.
    """


class ExcelErrorValue(str):
    """A cell whose value is an Excel error such as ``#DIV/0!`` (the string is the error)."""


#: Excel's error values, as they may also arrive as text
EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!")

#: how to get calculated values into a workbook written by a program
RECALC_HINT = ("请在 Excel 或 WPS 中打开该文件并保存一次（会重新计算公式），"
               "或用 LibreOffice 重新计算：soffice --headless --convert-to xlsx --outdir 重算 文件名.xlsx"
               "（重算后的文件在“重算”文件夹中）")

#: texts people type for "nothing" — ambiguous between 0 and blank
_AMBIGUOUS_EMPTY = {"-", "--", "—", "——", "/", "\\", "无", "空", "暂无", "N/A", "NA", "n/a", "na", "null", "NULL", "None"}

#: largest magnitude accepted for any number (an amount of 千万亿 is already absurd)
MAX_MAGNITUDE = Decimal("1e15")
#: measure words accepted after a count: 12个, 40人
MEASURE_WORDS = "人个份次项户名件场处家所间套台张本册座期批条篇天月年起分株棵只头辆亩吨米"
#: measure words of more than one character (checked first)
LONG_MEASURE_WORDS = ("公里", "千米", "平方米", "立方米", "延米", "人次", "户次", "年度", "个月")


def special_value_error(value: object) -> CellValueError | None:
    """The error for a formula without a value or an Excel error value, else None."""
    if isinstance(value, UncachedFormula):
        return CellValueError(f"是公式（{str(value)[:60]}），但文件中没有保存计算结果"
                              f"（文件由程序生成、从未在 Excel 中计算过），无法读取其数值；{RECALC_HINT}")
    if isinstance(value, ExcelErrorValue) or (isinstance(value, str) and value.strip() in EXCEL_ERRORS):
        return _excel_error(str(value).strip())
    return None


def _excel_error(shown: str) -> CellValueError:
    """The error for an Excel error value (shown as the cell holds it, e.g. #DIV/0!)."""
    return CellValueError(f"的值是 Excel 错误值 {shown}，说明公式出错；请先修正该单元格的公式"
                          "（如除数为 0、引用已删除的单元格），保存后再评分")


def is_blank(value: object) -> bool:
    if isinstance(value, (UncachedFormula, ExcelErrorValue)):
        return False
    return value is None or (isinstance(value, str) and value.strip() == "")


#: characters XML 1.0 cannot hold (C0 controls but tab, line feed, carriage return; U+FFFE/U+FFFF)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _not_xml(match: re.Match) -> str:
    ch = match.group(0)
    # a byte of a file name that is not UTF-8 (Python carries it as U+DC80–U+DCFF): shown as \xNN
    return f"\\x{ord(ch) - 0xDC00:02x}" if "\udc80" <= ch <= "\udcff" else ""


def xml_safe(text: str) -> str:
    """User text as every written part may hold it: the one cleaning function for sheet names,
    defined names, cells, chart titles and caches, document text.  Control characters (a Word
    soft line break pasted into Excel arrives as U+000B, stored ``_x000B_``) are dropped; the
    undecodable bytes of a file name are shown escaped (``\\xc6``)."""
    return _NOT_XML.sub(_not_xml, text) if _NOT_XML.search(text) else text


def clean_text(value: object) -> str:
    """Text as shown: stripped, full-width spaces folded; numbers shown without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value).replace("\u3000", " ").strip()


_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$")
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def _fold(text: str) -> str:
    # NFKC folds full-width digits, signs, percent and comma: '１２３' → '123', '％' → '%'
    text = unicodedata.normalize("NFKC", text)
    for space in (" ", "\u00a0", "\t", "\n", "\r", "\u2009", "\u202f"):
        text = text.replace(space, "")
    return text.replace("\u2212", "-").replace("\u2013", "-")


def _check_magnitude(number: Decimal, value: object) -> Decimal:
    if not number.is_finite() or abs(number) >= MAX_MAGNITUDE:
        raise CellValueError(f"填写的“{_show(value)}”数值过大（绝对值应小于 10 的 15 次方）")
    return number


def _show(value: object) -> str:
    text = str(int(value)) if isinstance(value, float) and value.is_integer() and abs(value) < 1e15 else str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def parse_number(value: object, *, allow_percent: bool = True, measure_words: bool = False) -> tuple[Decimal, str]:
    """Parse a number typed in any common way.

    Returns ``(number, suffix)`` where suffix is '' , '%', '元', '万' or '亿'.  A percent
    is returned already divided by 100.  Accepted: ``660000``, ``660,000.00``,
    ``１２３``, `` 12 ``, ``26.56%``, ``12元``, ``1.2万`` / ``1.2万元``, ``3亿元``,
    ``¥660,000``, ``(12)`` for −12; with ``measure_words`` also ``12个`` / ``40人``.
    """
    problem = special_value_error(value)
    if problem is not None:
        raise problem
    if isinstance(value, bool):
        raise CellValueError("应为数字，填写的是逻辑值（TRUE/FALSE）")
    if isinstance(value, (int, float, Decimal)):
        try:
            return _check_magnitude(to_decimal(value), value), ""
        except NotANumber as exc:
            raise CellValueError("应为有限的数字") from exc
    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        raise CellValueError(f"应为数字，填写的是日期或时间（{_show(value)}）")
    text = _fold(str(value))
    if not text:
        raise CellValueError("应为数字，单元格为空")
    if text in _AMBIGUOUS_EMPTY:
        raise CellValueError(f"填写的“{_show(value)}”含义不明：数值为零请填 0，没有数据请留空")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    suffix = ""
    if measure_words and len(text) > 1:
        long_word = next((w for w in LONG_MEASURE_WORDS if text.endswith(w) and len(text) > len(w)), None)
        if long_word:
            text = text[:-len(long_word)]
        elif text[-1] in MEASURE_WORDS:
            text = text[:-1]
    if text.endswith("%"):
        if not allow_percent:
            raise CellValueError("此处应为数字，不应带 %")
        suffix, text = "%", text[:-1]
    elif text.endswith("万元"):
        suffix, text = "万", text[:-2]
    elif text.endswith("亿元"):
        suffix, text = "亿", text[:-2]
    elif text.endswith("万"):
        suffix, text = "万", text[:-1]
    elif text.endswith("亿"):
        suffix, text = "亿", text[:-1]
    elif text.endswith("元"):
        suffix, text = "元", text[:-1]
    if text.startswith("¥"):
        text = text[1:]
    if "," in text and not _GROUPED_RE.match(text):
        raise CellValueError(f"填写的“{_show(value)}”千位分隔符位置不对，应写作 660,000.00 或 660000")
    text = text.replace(",", "")
    if not _NUMBER_RE.match(text):
        raise CellValueError(f"填写的“{_show(value)}”不是数字")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - regex guards this
        raise CellValueError(f"填写的“{_show(value)}”不是数字") from exc
    if negative:
        number = -number
    if suffix == "%":
        number = number / HUNDRED
    return _check_magnitude(number, value), suffix


_SCALE = {"万": Decimal(10000), "亿": Decimal(100000000)}


def parse_amount(value: object, declared_unit: str) -> Decimal:
    """An amount in the workbook's declared unit (元 or 万元).

    ``12元`` in a 万元 workbook, ``1.2万`` or ``3亿元`` in a 元 workbook are
    converted explicitly; a percent is refused.
    """
    number, suffix = parse_number(value)
    if suffix == "%":
        raise CellValueError("应为金额，填写的是百分比")
    in_yuan = number
    if suffix in _SCALE:
        in_yuan = number * _SCALE[suffix]
    elif suffix == "" and declared_unit == "万元":
        return number
    if declared_unit == "万元":
        return in_yuan / 10000
    return in_yuan


def parse_rate(value: object) -> Decimal:
    """A rate as a fraction: 0.9, '90%', '90 %'.  A bare number above 1 is refused
    because it is ambiguous (90 could mean 90 % or 9000 %)."""
    number, suffix = parse_number(value)
    if suffix in ("元", "万", "亿"):
        raise CellValueError("应为百分比，填写的是金额")
    if suffix != "%" and abs(number) > 1:
        raise CellValueError(f"比率“{_show(value)}”含义不明：应填写为百分比（如 {number}%）或小数（如 {number / HUNDRED}）")
    return number


#: dates outside these years are refused as typing errors (or serials of something else)
MIN_YEAR, MAX_YEAR = 1990, 2100
_DATE_RES = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:(?:T|\s*)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def _checked_date(day: dt.date, value: object) -> dt.date:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise CellValueError(f"填写的日期“{_show(value)}”（即 {day.isoformat()}）不在 {MIN_YEAR}–{MAX_YEAR} 年之间，请检查")
    return day


def parse_date(value: object) -> dt.date:
    """A date: a date cell, an Excel serial (45443), or text 2024-05-31 / 2024/5/31 /
    2024.5.31 / 2024年5月31日 / 20240531 (a time after the date is ignored)."""
    problem = special_value_error(value)
    if problem is not None:
        raise problem
    if isinstance(value, dt.datetime):
        return _checked_date(value.date(), value)
    if isinstance(value, dt.date):
        return _checked_date(value, value)
    if isinstance(value, bool):
        raise CellValueError("应为日期，填写的是逻辑值（TRUE/FALSE）")
    text = _fold(str(value)) if not isinstance(value, (int, float, Decimal)) else ""
    if isinstance(value, (int, float, Decimal)) or re.match(r"^\d{1,7}(\.\d+)?$", text) and len(text.split(".")[0]) != 8:
        try:
            serial = float(value) if isinstance(value, (int, float, Decimal)) else float(str(value))
        except (TypeError, ValueError, OverflowError) as exc:
            raise CellValueError(f"填写的“{_show(value)}”不是日期") from exc
        if not 1 <= serial < 2958466:
            raise CellValueError(f"填写的日期序号 {_show(value)} 超出范围，应写作 2024-05-31")
        return _checked_date(EXCEL_EPOCH + dt.timedelta(days=int(serial)), value)
    for pattern in _DATE_RES:
        match = pattern.match(text)
        if match:
            try:
                day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError as exc:
                raise CellValueError(f"填写的“{_show(value)}”不是有效日期（没有这一天），应写作 2024-05-31") from exc
            return _checked_date(day, value)
    raise CellValueError(f"填写的“{_show(value)}”不是日期，应写作 2024-05-31 或 2024年5月31日")


def parse_choice(value: object, choices: tuple[str, ...]) -> str:
    problem = special_value_error(value)
    if problem is not None:
        raise problem
    text = clean_text(value)
    found = _choices_by_fold(choices if type(choices) is tuple else tuple(choices)).get(_fold_short(text))
    if found is not None:
        return found
    raise CellValueError(f"应为以下之一：{'、'.join(choices)}，填写的是“{_show(clean_text(value))}”")


@lru_cache(maxsize=256)
def _choices_by_fold(choices: tuple[str, ...]) -> dict[str, str]:
    """Each choice by its folded text, the first of the list where two fold alike: folded once, not
    once per cell of a column of choices."""
    index: dict[str, str] = {}
    for choice in choices:
        index.setdefault(_fold(choice), choice)
    return index


#: :func:`_fold` of a choice cell's text, remembered (是 / 否, a grade: the same few texts column after column)
_fold_short = lru_cache(maxsize=4096)(_fold)


def parse_count(value: object) -> Decimal:
    """A count or other plain number: 12, 12个, 85%, 1.2万."""
    number, suffix = parse_number(value, measure_words=True)
    if suffix in _SCALE:
        number *= _SCALE[suffix]
    return number


def parse_integer(value: object) -> Decimal:
    number, suffix = parse_number(value, allow_percent=False, measure_words=True)
    if suffix in _SCALE:
        number *= _SCALE[suffix]
    elif suffix == "元":
        raise CellValueError("应为整数，填写的是金额（带“元”）")
    if number != number.to_integral_value():
        raise CellValueError(f"应为整数，填写的是 {fmt_number(number)}")
    return number


@dataclass(frozen=True)
class YearRange:
    """评价年度 of a project over several years: 2021-2024 (both included)."""

    first: int
    last: int

    def __str__(self) -> str:
        return f"{self.first}-{self.last}"

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first, self.last + 1))


_YEAR_RANGE = re.compile(r"^(\d{4})\s*年?\s*(?:-|－|—|–|~|～|至|到)\s*(\d{4})\s*年?(?:度)?$")


def parse_years(value: object) -> "Decimal | YearRange":
    """A year (2024, as an integer) or a range of years (2021-2024, 2021年至2024年)."""
    if isinstance(value, str):
        match = _YEAR_RANGE.match(clean_text(value))
        if match:
            first, last = int(match.group(1)), int(match.group(2))
            if first >= last:
                raise CellValueError(f"填写的“{clean_text(value)}”起止年份颠倒或相同")
            return YearRange(first, last)
        text = clean_text(value)
        if re.fullmatch(r"\d{4}\s*年?度?", text):
            return Decimal(text[:4])
    try:
        return parse_integer(value)
    except CellValueError as exc:
        raise CellValueError(f"{exc}（也不是年度范围）") from exc


def fmt_number(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_cell(kind: str, value: object, *, declared_unit: str = "元", choices: tuple[str, ...] = ()):
    """Parse one cell by column kind; blank cells give None."""
    cls = type(value)
    if value is None:
        return None
    if cls is str:  # the common cases first: a plain text or number (a 100,000-row ledger)
        stripped = cast(str, value).strip()
        if not stripped:
            return None
        if stripped in EXCEL_ERRORS:
            raise _excel_error(stripped)
    elif cls is not float and cls is not int:
        if is_blank(value):
            return None
        problem = special_value_error(value)
        if problem is not None:
            raise problem
    if kind in ("text", "literal"):
        return clean_text(value)
    if kind == "amount":
        return parse_amount(value, declared_unit)
    if kind == "number":
        return parse_count(value)
    if kind == "integer":
        return parse_integer(value)
    if kind == "years":
        return parse_years(value)
    if kind == "percent":
        return parse_rate(value)
    if kind == "date":
        return parse_date(value)
    if kind == "choice":
        return parse_choice(value, choices)
    raise ValueError(kind)  # pragma: no cover - schema bug


_ERROR_TEXTS = frozenset(EXCEL_ERRORS)
#: a number as most amount cells hold it as text: digits, a point, a sign (nothing to fold)
_PLAIN_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_NEG_MAX, _POS_MAX = -MAX_MAGNITUDE, MAX_MAGNITUDE
_PLAIN_CHARS = frozenset("0123456789.+-")
_PLAIN_BYTES = "".join(sorted(_PLAIN_CHARS)).encode("ascii")


#: the kinds whose int or float cell parse_cell reads as Decimal(value) (a float by its repr)
_TYPED_NUMBER_KINDS = frozenset({"amount", "number", "integer"})
_TEXT_TYPES = frozenset({str, type(None)})
_STR_ONLY = frozenset({str})
_NUMBER_TYPES = frozenset({int, float})
#: the cells an adapter hands over, no marker among them
_PLAIN_TYPES = frozenset({str, type(None), int, float, bool, dt.date, dt.datetime, dt.time, dt.timedelta})


def _whole_column(kind: str, values, choices: tuple[str, ...] = ()) -> list | None:
    """A column read at once when all its cells are of the one usual sort for its kind (each
    step over the whole column in C): texts (and blanks), plain dates in range, amounts typed
    as plain digits, int or finite float amounts, counts and whole numbers below the limit, choices
    each of the list.  None when any cell is otherwise: the column is then read cell by cell."""
    if type(values) is not tuple and type(values) is not list:
        values = list(values)
    if not values:
        return []
    types = set(map(type, values))
    if kind == "choice":
        return _whole_choices(values, types, choices)
    if kind in ("text", "literal") and types <= _TEXT_TYPES:
        out: list[str | None]
        # every Excel error text starts with '#': a column with neither '#' nor U+3000 anywhere (one join,
        # two C searches) holds none of them; else each text is looked up
        if types == _STR_ONLY:  # every cell a text: stripped by a C loop, a blank one (rare) is None
            texts = list(map(str.strip, values))
            joined = "".join(texts)
            out = cast("list[str | None]", texts) if all(texts) else [v or None for v in texts]
        else:
            out = [None if v is None else (v.strip() or None) for v in values]
            joined = "".join(filter(None, out))
        if "\u3000" not in joined and ("#" not in joined or _ERROR_TEXTS.isdisjoint(out)):
            return out
        return None
    if kind == "date" and types == {dt.date}:
        if MIN_YEAR <= min(values).year and max(values).year <= MAX_YEAR:
            return list(values)  # (a list of its own: a column filled down is changed in place)
        return None
    if kind != "amount" and kind != "number":
        if kind == "integer" and types <= _NUMBER_TYPES:  # a whole number typed as a number
            return _typed_numbers(kind, values, types)
        return None
    if types == _STR_ONLY:  # an amount or a count (parse_count reads a plain number as parse_amount does)
        # made of digits, points and signs only, Decimal takes a text exactly when it is a plain number
        # (no exponent, space, underscore, Infinity or NaN can be spelt with these): one set, no pattern per cell
        joined = "".join(values)  # (an ASCII text's bytes, the plain characters deleted by a C table: nothing left)
        if not joined.isascii() or joined.encode("ascii").translate(None, _PLAIN_BYTES):
            return None
        try:
            amounts = list(map(Decimal, values))
        except ArithmeticError:  # '1.2.3', '+', '' …: read cell by cell
            return None
        if max(map(len, values)) <= _SHORT_ENOUGH:  # 15 characters hold no number of 10 ** 15 or more
            return amounts
    elif types <= _NUMBER_TYPES:
        return _typed_numbers(kind, values, types)
    else:
        return None
    if _NEG_MAX < min(amounts) and max(amounts) < _POS_MAX:
        return amounts
    return None


#: the longest text of digits, points and signs that cannot reach the magnitude limit (15 nines)
_SHORT_ENOUGH = len(str(int(MAX_MAGNITUDE))) - 1


def _typed_numbers(kind: str, values: list, types: set) -> list | None:
    """An amount, count or whole-number column of int and float cells (no bool): each as parse_cell
    reads it (``Decimal(repr(x))`` for a float), or None when one is not finite, at or over the limit,
    or (a whole-number column) not whole."""
    if float in types:
        if not all(map(math.isfinite, values)):
            return None
        if kind == "integer" and not all(map(float.is_integer, filter(_is_float, values))):
            return None
    numbers = list(map(Decimal, map(repr, values)))
    if _NEG_MAX < min(numbers) and max(numbers) < _POS_MAX:
        return numbers
    return None


def _is_float(value: object) -> bool:
    return type(value) is float


def _whole_choices(values: list, types: set, choices: tuple[str, ...]) -> list | None:
    """A choice column of texts: each distinct text read once (parse_cell's value: None for a blank,
    the choice it names), or None when one is an error text or names no choice."""
    if types != _STR_ONLY:
        return None
    read: dict[str, str | None] = {}
    for value in set(values):
        stripped = value.strip()
        if not stripped:
            read[value] = None
            continue
        if stripped in _ERROR_TEXTS:
            return None
        try:
            read[value] = parse_choice(value, choices)
        except CellValueError:
            return None
    return list(map(read.__getitem__, values))


#: the kinds other than text whose columns :func:`_whole_column` may read at once
_BLANKS_READ_AROUND = frozenset({"amount", "number", "integer", "date", "choice"})


def _whole_with_blanks(kind: str, values, choices: tuple[str, ...]) -> list | None:
    """A column of one usual sort of cell among blank ones (None, ''): the others read at once by
    :func:`_whole_column`, the blanks None (as parse_cell reads them); None when that cannot be."""
    if kind not in _BLANKS_READ_AROUND or not set(map(type, values)) <= _PLAIN_TYPES:  # (a marker text equal
        return None  # to '' would not be blank)
    flags = [value is not None and value != "" for value in values]
    if all(flags):
        return None
    filled = _whole_column(kind, [v for v, f in zip(values, flags) if f], choices)
    if filled is None:
        return None
    taken = iter(filled).__next__
    return [taken() if f else None for f in flags]


def parse_column(kind: str, values, *, declared_unit: str = "元", choices: tuple[str, ...] = ()
                 ) -> tuple[list, dict[int, CellValueError]]:
    """:func:`parse_cell` over a whole column: ``(parsed values, {index: error})``, exactly what
    parse_cell gives (or raises) for each value.  The common cells of a long table — a plain
    text, an int or float amount, an amount typed as plain digits, a date — are read by the
    fast paths here; every other value goes through parse_cell itself."""
    whole = _whole_column(kind, values, choices)
    if whole is None and kind != "text" and kind != "literal":
        whole = _whole_with_blanks(kind, values, choices)
    if whole is not None:
        return whole, {}
    out: list = []
    errors: dict[int, CellValueError] = {}
    append = out.append
    str_, float_, int_, date_, datetime_ = str, float, int, dt.date, dt.datetime
    plain = _PLAIN_NUMBER_RE.fullmatch
    #: a choice column's texts as read, by text: a few texts, row after row
    chosen: dict[str, str] = {}
    #: the other texts read by parse_cell, by text (a value depends on the text alone)
    read: dict = {}
    for i, value in enumerate(values):
        cls = type(value)
        if value is None:
            append(None)
            continue
        if cls is str_:
            stripped = value.strip()
            if not stripped:
                append(None)
                continue
            if stripped not in _ERROR_TEXTS:
                if kind == "text" or kind == "literal":
                    append(stripped.replace("\u3000", " ") if "\u3000" in stripped else stripped)
                    continue
                if kind == "choice":
                    choice = chosen.get(value)
                    if choice is None:
                        try:
                            choice = chosen[value] = parse_choice(value, choices)
                        except CellValueError as exc:
                            errors[i] = exc
                            append(None)
                            continue
                    append(choice)
                    continue
                if (kind == "amount" or kind == "number") and plain(value) is not None:
                    number = Decimal(value)
                    if _NEG_MAX < number < _POS_MAX:  # a plain number (an amount: in the declared unit)
                        append(number)
                        continue
        elif (cls is float_ or cls is int_) and kind in _TYPED_NUMBER_KINDS:
            # an amount, count or integer typed as a number: what parse_cell gives (to_decimal, the
            # magnitude limit; a whole number for an integer), without its parsing of texts
            if cls is int_:
                number = Decimal(value)
            elif value - value == 0:  # finite
                number = Decimal(repr(value))
            else:
                number = None
            if number is not None and _NEG_MAX < number < _POS_MAX and (
                    kind != "integer" or cls is int_ or number == number.to_integral_value()):
                append(number)
                continue
        elif kind == "date" and (cls is date_ or cls is datetime_):
            day = value if cls is date_ else value.date()
            if MIN_YEAR <= day.year <= MAX_YEAR:
                append(day)
                continue
        if cls is str_:  # a text read before in this column ('100%', '2024-05-31' …): its value again
            known = read.get(value, read)
            if known is not read:
                append(known)
                continue
        try:
            parsed = parse_cell(kind, value, declared_unit=declared_unit, choices=choices)
        except CellValueError as exc:
            errors[i] = exc
            append(None)
            continue
        if cls is str_:
            read[value] = parsed
        append(parsed)
    return out, errors


KIND_HINTS = {
    "amount": "金额，如 660000 或 660,000.00",
    "number": "数字，如 12 或 85%",
    "integer": "整数，如 40",
    "years": "四位年份或年度范围，如 2024 或 2021-2024",
    "percent": "百分比，如 90% 或 0.9",
    "date": "日期，如 2024-05-31",
    "choice": "下拉列表中的一项",
    "text": "文字",
    "literal": "照原样的文字，如 99.18% 或 53.41万元",
}
