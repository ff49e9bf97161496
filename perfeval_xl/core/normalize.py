"""Reading typed cell values: numbers, rates, dates and choices as people type them.

Each parser returns the parsed value or raises :class:`CellValueError` with a Chinese
message that says what was expected.  The reader turns those into findings that name
the sheet and cell.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from .numbers import HUNDRED, NotANumber, to_decimal

EXCEL_EPOCH = dt.date(1899, 12, 30)


class CellValueError(ValueError):
    """A cell's value cannot be read as the kind its column expects."""


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def clean_text(value: object) -> str:
    """Text as shown: stripped, full-width spaces folded; numbers shown without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value).replace("\u3000", " ").strip()


_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _fold(text: str) -> str:
    # NFKC folds full-width digits, signs, percent and comma: '１２３' → '123', '％' → '%'
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u00a0", "")


def parse_number(value: object, *, allow_percent: bool = True) -> tuple[Decimal, str]:
    """Parse a number typed in any common way.

    Returns ``(number, suffix)`` where suffix is '' , '%', '元' or '万'.  A percent
    is returned already divided by 100.  Accepted: ``660000``, ``660,000.00``,
    ``１２３``, `` 12 ``, ``26.56%``, ``12元``, ``1.2万`` / ``1.2万元``, ``(12)`` for −12.
    """
    if isinstance(value, bool):
        raise CellValueError("应为数字，不是逻辑值")
    if isinstance(value, (int, float, Decimal)):
        try:
            return to_decimal(value), ""
        except NotANumber as exc:
            raise CellValueError("应为有限的数字") from exc
    if isinstance(value, (dt.date, dt.datetime)):
        raise CellValueError("应为数字，填写的是日期")
    text = _fold(str(value))
    if not text:
        raise CellValueError("应为数字，单元格为空")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    suffix = ""
    if text.endswith("%"):
        if not allow_percent:
            raise CellValueError("此处应为数字，不应带 %")
        suffix, text = "%", text[:-1]
    elif text.endswith("万元"):
        suffix, text = "万", text[:-2]
    elif text.endswith("万"):
        suffix, text = "万", text[:-1]
    elif text.endswith("元"):
        suffix, text = "元", text[:-1]
    text = text.replace(",", "")
    if text.startswith("¥") or text.startswith("￥"):
        text = text[1:]
    if not _NUMBER_RE.match(text):
        raise CellValueError(f"“{value}”不是数字")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - regex guards this
        raise CellValueError(f"“{value}”不是数字") from exc
    if negative:
        number = -number
    if suffix == "%":
        number = number / HUNDRED
    return number, suffix


def parse_amount(value: object, declared_unit: str) -> Decimal:
    """An amount in the workbook's declared unit (元 or 万元).

    ``12元`` in a 万元 workbook and ``1.2万`` in a 元 workbook are converted
    explicitly; a percent is refused.
    """
    number, suffix = parse_number(value)
    if suffix == "%":
        raise CellValueError("应为金额，填写的是百分比")
    if suffix == "万" and declared_unit == "元":
        return number * 10000
    if suffix == "元" and declared_unit == "万元":
        return number / 10000
    return number


def parse_rate(value: object) -> Decimal:
    """A rate as a fraction: 0.9, '90%', '90 %'.  A bare number above 1 is refused
    because it is ambiguous (90 could mean 90 % or 9000 %)."""
    number, suffix = parse_number(value)
    if suffix in ("元", "万"):
        raise CellValueError("应为百分比，填写的是金额")
    if suffix != "%" and abs(number) > 1:
        raise CellValueError(f"比率应填写为百分比（如 {number}%）或小数（如 {number / HUNDRED}），“{value}”含义不明")
    return number


def parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        serial = float(value)
        if not 1 <= serial < 2958466:
            raise CellValueError(f"日期序号 {value} 超出范围")
        return EXCEL_EPOCH + dt.timedelta(days=int(serial))
    text = _fold(str(value))
    match = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$", text)
    if not match:
        raise CellValueError(f"“{value}”不是日期，应写作 2024-05-31 或 2024年5月31日")
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as exc:
        raise CellValueError(f"“{value}”不是有效日期") from exc


def parse_choice(value: object, choices: tuple[str, ...]) -> str:
    text = _fold(clean_text(value))
    for choice in choices:
        if text == _fold(choice):
            return choice
    raise CellValueError(f"应为以下之一：{'、'.join(choices)}，填写的是“{clean_text(value)}”")


def parse_integer(value: object) -> Decimal:
    number, suffix = parse_number(value, allow_percent=False)
    if number != number.to_integral_value():
        raise CellValueError(f"应为整数，填写的是 {number}")
    return number


def parse_cell(kind: str, value: object, *, declared_unit: str = "元", choices: tuple[str, ...] = ()):
    """Parse one cell by column kind; blank cells give None."""
    if is_blank(value):
        return None
    if kind == "text":
        return clean_text(value)
    if kind == "amount":
        return parse_amount(value, declared_unit)
    if kind == "number":
        number, suffix = parse_number(value)
        if suffix == "万":
            number *= 10000
        return number
    if kind == "integer":
        return parse_integer(value)
    if kind == "percent":
        return parse_rate(value)
    if kind == "date":
        return parse_date(value)
    if kind == "choice":
        return parse_choice(value, choices)
    raise ValueError(kind)  # pragma: no cover - schema bug


KIND_HINTS = {
    "amount": "金额，如 660000 或 660,000.00",
    "number": "数字，如 12 或 85%",
    "integer": "整数，如 40",
    "percent": "百分比，如 90% 或 0.9",
    "date": "日期，如 2024-05-31",
    "choice": "下拉列表中的一项",
    "text": "文字",
}
