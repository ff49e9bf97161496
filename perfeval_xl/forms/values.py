"""Reading the figures a self-evaluation form prints: header text, amounts, rates, scores and
indicator targets (``≥95%``, ``≤30万元``, ``=8个``), and comparing a printed figure with its
recomputation at the precision it was printed with."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from perfeval_xl.core.normalize import CellValueError, clean_text, is_blank, parse_number, special_value_error
from perfeval_xl.core.numbers import HUNDRED, NotANumber, fmt_plain, round_half_up, to_decimal

#: cells that say "not applicable" rather than a number (part rows of the provincial form)
NOT_APPLICABLE = {"/", "\\", "-", "--", "—", "——", "－", "无", "不适用"}


def norm(value: object) -> str:
    """Header text folded for matching: full-width → half-width, no spaces or line breaks,
    no colons; ``项目资金（万元）`` and ``项目资金 (万元)`` both give ``项目资金(万元)``."""
    if type(value) is not str:  # a text of a subclass, as before: folded into a plain str
        if not isinstance(value, str):
            return ""
        return _SPACES.sub("", unicodedata.normalize("NFKC", value)).replace(":", "").replace("：", "")
    text = value if value.isascii() else unicodedata.normalize("NFKC", value)  # NFKC leaves ASCII as it is
    text = _SPACES.sub("", text)
    return text.replace(":", "").replace("：", "") if ":" in text or "：" in text else text


_SPACES = re.compile(r"\s+")


def shown(value: object) -> str:
    """A cell as the reviewer reads it."""
    if isinstance(value, float) and not value.is_integer():
        return repr(value)
    return clean_text(value)


def blank(value: object) -> bool:
    return is_blank(value)


def not_applicable(value: object) -> bool:
    return isinstance(value, str) and unicodedata.normalize("NFKC", value).strip() in NOT_APPLICABLE


@dataclass(frozen=True)
class Printed:
    """A printed number: its value, the decimals it was printed with and its text."""

    value: Decimal
    #: decimals of ``value`` as printed (a rate's are counted on the fraction: 99.97% → 4)
    places: int
    text: str


def _places(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def read_number(value: object) -> Printed:
    """An amount, score or weight (``10``, ``89.974``, ``8分``); raises CellValueError for text
    that is no number."""
    if isinstance(value, str) and not special_value_error(value):
        stripped = unicodedata.normalize("NFKC", value).strip()
        if stripped.endswith("分") and len(stripped) > 1:
            value = stripped[:-1]
    number, suffix = parse_number(value)
    if suffix == "%":
        raise CellValueError(f"应为数字，填写的是百分比“{shown(value)}”")
    if isinstance(value, str):
        literal = re.sub(r"[^\d.]", "", unicodedata.normalize("NFKC", value))
        places = len(literal.split(".")[1]) if "." in literal else 0
    else:
        places = _places(to_decimal(value))
    return Printed(number, places, shown(value))


def read_rate(value: object) -> Printed:
    """A rate as a fraction.  ``99.97%`` → 0.9997; a number cell ≤ 1 is a fraction (0.9997,
    shown as a percentage); a bare number above 1 is read as percentage points (99.97)."""
    number, suffix = parse_number(value)
    if suffix not in ("", "%"):
        raise CellValueError(f"应为百分比，填写的是金额“{shown(value)}”")
    if suffix == "%":
        literal = re.sub(r"[^\d.]", "", unicodedata.normalize("NFKC", str(value)))
        places = (len(literal.split(".")[1]) if "." in literal else 0) + 2
        return Printed(number, places, shown(value))
    if abs(number) <= 1:
        if isinstance(value, str):
            literal = re.sub(r"[^\d.]", "", unicodedata.normalize("NFKC", value))
            places = len(literal.split(".")[1]) if "." in literal else 0
        else:
            places = _places(to_decimal(value))
        text = fmt_plain(number * HUNDRED) + "%"
        return Printed(number, places, text)
    places = _places(number) + 2
    return Printed(number / HUNDRED, places, shown(value) + "%")


def agrees(printed: Printed, expected: Decimal, low: int, high: int) -> bool:
    """True when ``printed`` equals ``expected`` at the printed precision, counted from ``low``
    to ``high`` decimals: a score printed ``10`` is read as 10.00 (low 2), a rate printed 99.97%
    agrees with 0.99971… (4 decimals of the fraction)."""
    places = min(max(printed.places, low), high)
    return round_half_up(printed.value, places) == round_half_up(expected, places)


# --- indicator targets -------------------------------------------------------

_SIGNS = (
    ("≥", ("≥", "≧", ">=", "大于等于", "不低于", "不少于", "至少", ">", "高于", "大于")),
    ("≤", ("≤", "≦", "<=", "小于等于", "不高于", "不超过", "不多于", "<", "低于", "小于", "控制在")),
    ("=", ("=", "==", "等于")),
)
_NATURE = {
    "≥": ("≥", "≧", ">=", ">", "正向", "正向指标", "大于等于"),
    "≤": ("≤", "≦", "<=", "<", "反向", "反向指标", "小于等于"),
    "=": ("=", "等于"),
}
_QUANTITY_RE = re.compile(r"^([+-]?\d+(?:,\d{3})*(?:\.\d+)?)\s*([^\d]{0,6})$")
#: unit texts that mean percent
PERCENT_UNITS = ("%", "百分比", "百分率", "百分点")
_MONEY = {"元": Decimal(1), "万元": Decimal(10000), "万": Decimal(10000), "亿元": Decimal(10 ** 8), "亿": Decimal(10 ** 8)}


def sign_of_nature(value: object) -> str | None:
    text = norm(value)
    for sign, words in _NATURE.items():
        if text in words:
            return sign
    return None


def split_sign(text: str) -> tuple[str | None, str]:
    """``≥95%`` → ('≥', '95%'); ``不超过30万元`` → ('≤', '30万元')."""
    for sign, words in _SIGNS:
        for word in sorted(words, key=len, reverse=True):
            if text.startswith(word):
                return sign, text[len(word):]
    return None, text


@dataclass(frozen=True)
class Quantity:
    """A number with its unit as the form gives it (``95``, ``%``; ``30``, ``万元``)."""

    value: Decimal
    unit: str

    @property
    def is_percent(self) -> bool:
        return self.unit in PERCENT_UNITS

    def show(self) -> str:
        unit = "%" if self.is_percent else self.unit
        return fmt_plain(self.value) + unit


def read_quantity(value: object, unit_column: str = "") -> Quantity | None:
    """A number with an optional unit, or None when the text is words (``完成``, ``效果明显``).
    A unit from the 度量单位 column applies when the value carries none."""
    if blank(value) or isinstance(value, bool):
        return None
    if special_value_error(value) is not None:
        return None
    if isinstance(value, (int, float, Decimal)):
        try:
            return Quantity(to_decimal(value), unit_column)
        except NotANumber:
            return None
    text = norm(value)
    match = _QUANTITY_RE.match(text)
    if not match:
        return None
    number = Decimal(match.group(1).replace(",", ""))
    unit = match.group(2) or unit_column
    return Quantity(number, unit)


@dataclass(frozen=True)
class Target:
    sign: str  # ≥ ≤ =
    quantity: Quantity
    #: the sign was not written and ≥ (正向) was assumed
    assumed: bool = False

    def show(self) -> str:
        return f"{self.sign}{self.quantity.show()}"


def read_target(value: object, nature: object = None, unit_column: str = "") -> Target | None:
    """A quantitative 年度指标值, or None for a qualitative one.  The sign comes from the text
    (``≥95%``) or from 指标性质; without either the target is taken as 正向 (≥)."""
    if blank(value):
        return None
    text = norm(value) if isinstance(value, str) else ""
    sign, rest = split_sign(text) if text else (None, "")
    quantity = read_quantity(rest if text else value, unit_column)
    if quantity is None:
        return None
    sign = sign or sign_of_nature(nature)
    if sign is None:
        return Target("≥", quantity, assumed=True)
    return Target(sign, quantity)


def is_money(unit: str) -> bool:
    """元, 万元, 亿元 (and 万, 亿)."""
    return unit in _MONEY


def comparable(actual: Quantity, target: Quantity) -> tuple[Decimal, Decimal] | None:
    """Both figures on one scale (percentage points, or 元 when the units are money), or None
    when the units differ in kind (人 against %)."""
    a_unit, t_unit = actual.unit, target.unit
    if actual.is_percent or target.is_percent:
        a = actual.value
        t = target.value
        if not actual.is_percent and a_unit == "" and abs(a) <= 1 and t > 1:
            a = a * HUNDRED  # 0.96 typed in a cell against ≥95%
        if not target.is_percent and t_unit not in ("",):
            return None
        if not actual.is_percent and a_unit not in ("",):
            return None
        return a, t
    if a_unit in _MONEY or t_unit in _MONEY:
        scale_t = _MONEY.get(t_unit, _MONEY.get(a_unit, Decimal(1)))
        scale_a = _MONEY.get(a_unit, scale_t)
        if t_unit and t_unit not in _MONEY or a_unit and a_unit not in _MONEY:
            return None
        return actual.value * scale_a, target.value * scale_t
    if a_unit and t_unit and a_unit != t_unit:
        return None
    return actual.value, target.value


# --- qualitative tiers ------------------------------------------------------

#: 财预〔2020〕10号 定性指标三档 (fractions of 分值): 达成 100–80%（含80%）, 部分达成 80–60%（含60%）, 未达成 60–0%
TIERS = {"达成": (Decimal("0.8"), Decimal(1)), "部分达成": (Decimal("0.6"), Decimal("0.8")),
         "未达成": (Decimal(0), Decimal("0.6"))}

_NOT_MET = ("未达成", "未完成", "未达到", "没有达到", "未实现", "未按", "不达标", "不合格", "较差")
_PARTLY = ("部分达成", "部分完成", "基本达成", "基本完成", "部分实现", "基本实现", "基本达到", "部分达到", "一般")
_MET = ("达成", "完成", "达到", "实现", "符合", "合规", "合格", "及时", "明显", "良好", "满足", "显著", "是", "好", "到位", "规范")


def tier_of(value: object) -> str | None:
    """The tier a qualitative 完成值 states, or None when its words say none."""
    text = norm(value)
    if not text:
        return None
    if any(word in text for word in _NOT_MET):
        return "未达成"
    if any(word in text for word in _PARTLY):
        return "部分达成"
    if any(word in text for word in _MET):
        return "达成"
    return None
