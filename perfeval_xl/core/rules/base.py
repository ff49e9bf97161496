"""The shared parts of every rule kind: values and thresholds, manual entries, a rule's problems
and outcome, parameter parsing, the one rounding step (:func:`finish`) and the :class:`Rule` base."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Callable, Sequence

from ..findings import Ref, Severity
from ..normalize import CellValueError, parse_number
from ..numbers import (HUNDRED, ONE, ZERO, clamp, exact, fmt_exact, fmt_percent, fmt_plain, fmt_score, round_half_up, round_score,
                       terminating)


class RuleError(ValueError):
    """Malformed rule parameters; the message says what form is expected."""


# --- values ----------------------------------------------------------------

# Value, Outcome and Context are made for every indicator of every unit: their ``__init__`` (``init=False``:
# written out, with the generated one's parameters and defaults) puts the fields into the instance's
# ``__dict__`` at once, as unpickling does, instead of one ``object.__setattr__`` call per field by the
# frozen dataclass's own; equality, hashing, ``repr`` and ``replace`` are the dataclass's, unchanged.

@dataclass(frozen=True, init=False)
class Value:
    """A measured value with its derivation, as it enters a rule."""

    amount: Decimal
    is_rate: bool
    label: str
    text: str = ""
    refs: tuple[Ref, ...] = ()
    #: the unit of a quotient that is not a percentage (万元/人, 元/平方米): printed with two decimals
    unit: str = ""

    def __init__(self, amount: Decimal, is_rate: bool, label: str, text: str = "", refs: tuple[Ref, ...] = (),
                 unit: str = "") -> None:
        fields = self.__dict__
        fields["amount"] = amount
        fields["is_rate"] = is_rate
        fields["label"] = label
        fields["text"] = text
        fields["refs"] = refs
        fields["unit"] = unit

    def show(self) -> str:
        return show_amount(self.amount, self.is_rate, self.unit)


def is_quotient_unit(unit: str) -> bool:
    """A unit that makes a value a quotient printed with two decimals: 万元/人, 元/平方米, 元每人."""
    return "/" in unit or "／" in unit or "每" in unit


def show_amount(amount: Decimal, is_rate: bool, unit: str = "") -> str:
    """How a value of this kind prints everywhere (计算过程, 评分标准, 取数底稿):
    26.56%, 4.30万元/人, 130."""
    if is_rate:
        return fmt_percent(amount)
    if unit and is_quotient_unit(unit):
        return f"{fmt_score(amount)}{unit}"
    return fmt_plain(amount) + unit


@dataclass(frozen=True)
class Threshold:
    value: Decimal
    text: str
    is_rate: bool
    unit: str = ""

    def show(self) -> str:
        return self.text


_COMPARE = re.compile(r"^(≥|>=|＞=|≧|>|＞|≤|<=|＜=|≦|<|＜|=|＝)\s*")
_COMPARE_NAMES = {"≥": ">=", ">=": ">=", "＞=": ">=", "≧": ">=", ">": ">", "＞": ">",
                  "≤": "<=", "<=": "<=", "＜=": "<=", "≦": "<=", "<": "<", "＜": "<", "=": "=", "＝": "="}


def split_compare(text: str) -> tuple[str | None, str]:
    """``≤80%`` → ('<=', '80%'); ``80%`` → (None, '80%')."""
    text = text.strip()
    match = _COMPARE.match(text)
    if not match:
        return None, text
    return _COMPARE_NAMES[match.group(1)], text[match.end():].strip()


_POINTS_OF_PERCENT = re.compile(r"个?百分点$")
_UNIT_TAIL = re.compile(r"[^\d.%％,，\-+．]+$")


def parse_threshold(text: str, what: str = "数值") -> Threshold:
    cleaned = text.strip().lstrip("≥≤><=").strip()
    cleaned = _POINTS_OF_PERCENT.sub("%", cleaned)  # 1个百分点 = 1%
    tail = _UNIT_TAIL.search(cleaned)
    unit = tail.group(0).strip() if tail else ""
    cleaned = cleaned[:tail.start()] if tail else cleaned  # trailing units: 人, 个, 分, 万元/人
    try:
        number, suffix = parse_number(cleaned)
    except CellValueError as exc:
        raise RuleError(f"{what}“{text}”不是数字或百分比，应写作 90% 或 149") from exc
    shown = fmt_plain(number * HUNDRED) + "%" if suffix == "%" else fmt_plain(number)
    if unit and is_quotient_unit(unit) and suffix != "%":
        shown += unit
    else:
        unit = ""
    return Threshold(number, shown, suffix == "%", unit)


def rate_mismatch(value: Value, limits: list[tuple[str, Threshold]]) -> str | None:
    """A limit typed as a bare number where the measured value is a rate: ``≥95`` or
    ``每降=1`` against 97.23 % would mean 9,500 % or 100 %, never what was meant."""
    if not value.is_rate:
        for what, limit in limits:
            if value.unit and limit.unit and limit.unit != value.unit:
                return (f"{value.label}的单位是{value.unit}（{value.show()}），{what}“{limit.text}”的单位是{limit.unit}，"
                        f"两者应一致")
        return None
    for what, limit in limits:
        if limit.is_rate:
            continue
        if abs(limit.value) > ONE or (what == "每档幅度" and limit.value >= ONE):
            return (f"{value.label}是比率（{value.show()}），{what}“{limit.text}”应写作百分比，"
                    f"如 {limit.text}%；不带 % 的数字会被当作 {fmt_plain(limit.value * HUNDRED)}%")
    return None


# --- manual entries --------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One line of 评分录入 that applies to this unit and indicator."""

    item: str
    result: str
    score: Decimal | None
    reason: str
    ref: Ref | None  # the 得分 cell (None: a worksheet function's arguments, not cells of a workbook)
    result_ref: Ref | None = None  # the 达成情况 cell
    item_ref: Ref | None = None  # the 要点/子项 cell

    @property
    def where_result(self) -> Ref | None:
        return self.result_ref or self.ref

    @property
    def where_item(self) -> Ref | None:
        return self.item_ref or self.ref


@dataclass(frozen=True)
class Problem:
    """Something wrong with what a rule was given, at its cell (None: the indicator's 评分方法 cell)."""

    severity: Severity
    ref: Ref | None
    message: str

    @classmethod
    def error(cls, ref: Ref | None, message: str) -> "Problem":
        return cls("error", ref, message)

    @classmethod
    def warning(cls, ref: Ref | None, message: str) -> "Problem":
        return cls("warning", ref, message)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True, init=False)
class Outcome:
    score: Decimal
    process: str
    reason: str = ""
    problems: tuple[Problem, ...] = ()
    #: the values the rule looked up itself (the names of a 公式, the years of a 趋势), in order of use:
    #: their cells are the score's inputs; a rule given no 取值来源 reports the first as its value
    used: tuple[Value, ...] = ()

    def __init__(self, score: Decimal, process: str, reason: str = "", problems: Sequence[Problem] = (),
                 used: Sequence[Value] = ()) -> None:  # (the fields set at once: see Value)
        fields = self.__dict__
        fields["score"] = score
        fields["process"] = process
        fields["reason"] = reason
        # (most outcomes are given tuples: kept as they are)
        fields["problems"] = problems if type(problems) is tuple else tuple(problems)
        fields["used"] = used if type(used) is tuple else tuple(used)


@dataclass(frozen=True, init=False)
class Context:
    weight: Decimal
    label: str
    value: Value | None = None
    target: Threshold | None = None
    entries: tuple[Entry, ...] = ()
    resolve: Callable[[str], Value] | None = None
    where: Ref | None = None

    def __init__(self, weight: Decimal, label: str, value: Value | None = None, target: Threshold | None = None,
                 entries: tuple[Entry, ...] = (), resolve: Callable[[str], Value] | None = None,
                 where: Ref | None = None) -> None:  # (the fields set at once: see Value)
        fields = self.__dict__
        fields["weight"] = weight
        fields["label"] = label
        fields["value"] = value
        fields["target"] = target
        fields["entries"] = entries
        fields["resolve"] = resolve
        fields["where"] = where


def split_params(text: str) -> list[str]:
    parts = re.split(r"[；;\n]+", text or "")
    return [p.strip() for p in parts if p.strip()]


def split_pair(part: str) -> tuple[str, str]:
    if len(re.findall(r"[:：→]", part)) > 1:
        raise RuleError(f"“{part}”中有多个冒号：多个条件之间请用分号“；”分隔，如 ≥90%:10；≥85%:8")
    match = re.match(r"^(.*?)\s*[:：→]\s*([^:：→]*)$", part)
    if not match:
        raise RuleError(f"“{part}”应写作“条件:分数”，如 ≥90%:10")
    return match.group(1).strip(), match.group(2).strip()


_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_FRACTION = re.compile(r"^(\d+)\s*[/／]\s*(\d+)$")
_CN_FRACTION = re.compile(r"^([一二两三四五六七八九十])分之([一二两三四五六七八九十])$")


def parse_share(text: str) -> Fraction | None:
    """A share of the weight written as a fraction: ``1/3``, ``2/5``, ``三分之一``; None otherwise."""
    text = text.strip()
    match = _FRACTION.match(text)
    if match:
        top, bottom = int(match.group(1)), int(match.group(2))
    else:
        match = _CN_FRACTION.match(text)
        if not match:
            return None
        top, bottom = _CN_DIGITS[match.group(2)], _CN_DIGITS[match.group(1)]
    if bottom == 0:
        raise RuleError(f"“{text}”的分母为 0")
    return Fraction(top, bottom)


def parse_points(text: str, weight: Decimal, what: str) -> Decimal | Fraction:
    """Points as typed: ``0.5``, ``满分``, a share of the weight ``0.4%权重`` / ``40%``, or a fraction
    of it ``1/3`` / ``1/3权重`` / ``三分之一``.  Exact: a share that has no finite decimal
    (1/3 of 5) is a :class:`~fractions.Fraction`, so that shares add up to the weight exactly."""
    text = text.strip()
    if text in ("满分", "全分"):
        return weight
    text = text.rstrip("分")
    bare = text[:-2] if text.endswith("权重") or text.endswith("分值") else text
    share = parse_share(bare)
    if share is not None:
        points = share * exact(weight)
        decimal = terminating(points)
        return decimal if decimal is not None else points
    if bare != text:
        try:
            number, suffix = parse_number(bare)
        except CellValueError as exc:
            raise RuleError(f"{what}“{text}”应写作 0.4%权重、1/3权重 或 0.5") from exc
        return number * weight
    try:
        number, suffix = parse_number(text)
    except CellValueError as exc:
        raise RuleError(f"{what}“{text}”不是分数，应写作 0.5、1/3权重 或 满分") from exc
    if suffix == "%":
        return number * weight
    return number


def show_points(points) -> str:
    """Points for 评分标准: 0.5 → '0.5'; 5/3 (1/3 of 5) → '5/3（约1.67）'."""
    text = fmt_exact(points)
    if "/" in text:
        text += f"（约{fmt_score(round_score(points))}）"
    return text


def equals(value) -> str:
    """'=x' for an exact intermediate, '≈x' for a rounded one: ``a=0.117504``, ``a≈1.3367``."""
    text = show_exact(value)
    return text if text.startswith("≈") else "=" + text


def finish(weight: Decimal, raw) -> Decimal:
    """The one rounding of a score: exact ``raw`` (Decimal or Fraction) kept within 0 … 分值 and
    rounded half up to 0.01, once."""
    if type(raw) is Decimal and type(weight) is Decimal:  # no Fraction needed: the same exact clamp and rounding
        return round_score(clamp(raw, ZERO, weight))
    return round_score(clamp(exact(raw), Fraction(0), exact(weight)))


def show_exact(value) -> str:
    """An unrounded intermediate (a deduction, a score before rounding): exactly as computed when
    it ends within eight decimals (0.117504), else to four decimals with ≈ (≈1.3367)."""
    value = exact(value)
    decimal = terminating(value)
    if decimal is not None and -int(decimal.normalize().as_tuple().exponent) <= 8:
        return fmt_plain(decimal)

    return "≈" + fmt_plain(round_half_up(value, 4))


def deduction_reason(ctx: Context, score: Decimal, why: str = "") -> str:
    """The automatic 扣分原因: the value, the step of the rule that lost the points (``why``,
    e.g. “低于100%，按每低1%扣0.1分”) and the points lost."""
    if score >= ctx.weight:
        return ""
    lost = fmt_score(ctx.weight - score)
    lead = f"{ctx.label}{ctx.value.show()}" if ctx.value is not None else ""
    parts = [p for p in (lead, why, f"扣{lost}分") if p]
    return "，".join(parts)


def manual_reason(entries: Sequence[Entry]) -> str:
    return "；".join(e.reason for e in entries if e.reason)


class Rule:
    kind = ""
    needs_value = True
    #: the outcome depends on the context's weight, label, target, entries and cell only (no measured value,
    #: no other source looked up): every unit given the same entries gets the same outcome, so a run scores
    #: the indicator once for them.  Off unless a kind says so
    scope_free = False
    #: the outcome depends on the context's weight, label, target, entries and cell and on the measured
    #: value's amount (as typed), rate-ness, label and unit only (never its cells or text; no other source
    #: looked up): units measuring the same value with the same entries get the same outcome, so a run
    #: scores it once for them.  Off unless a kind says so
    value_only = False

    def __init__(self, params: str, weight: Decimal) -> None:
        """Parse the rule's 评分参数 for an indicator of ``weight`` 分 (:class:`RuleError` when they are wrong)."""

    def thresholds(self) -> list[tuple[str, Threshold]]:
        """The limits typed into the parameters, as (what, threshold): checked against the
        measured value, so that ``≥95`` is not silently compared with a rate of 97.23 %."""
        return []

    def standard(self, weight: Decimal, label: str, target: "Threshold | None" = None) -> str:
        """The printed 评分标准; ``target`` is the 目标值 where the rule uses one."""
        raise NotImplementedError

    def score(self, ctx: Context) -> Outcome:
        raise NotImplementedError
