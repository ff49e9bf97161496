"""Scoring rules: each kind parses the parameters an evaluator types into the
指标体系 sheet, scores a value, and prints its own 评分标准 and 计算过程, so the
printed text and the score can never disagree.

Rounding policy (one place, :func:`finish`; documented in docs/rules.md):
* a measured rate enters a rule already rounded to 0.01 % (as printed);
* everything after that is exact: shares such as 1/3 of a weight are fractions, steps and
  deductions are not rounded on the way;
* the score is rounded once, half up to 0.01, and kept within 0 … 分值 — so 公式 and
  阶梯扣分 give the same score for the same rule.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Callable, Sequence

from . import formula
from .findings import Ref, Severity
from .normalize import CellValueError, parse_number
from .numbers import (HUNDRED, ONE, ZERO, clamp, exact, fmt_exact, fmt_percent, fmt_plain, fmt_score, round_half_up, round_rate,
                      round_score, terminating)


class RuleError(ValueError):
    """Malformed rule parameters; the message says what form is expected."""


# --- values ----------------------------------------------------------------

@dataclass(frozen=True)
class Value:
    """A measured value with its derivation, as it enters a rule."""

    amount: Decimal
    is_rate: bool
    label: str
    text: str = ""
    refs: tuple[Ref, ...] = ()
    #: the unit of a quotient that is not a percentage (万元/人, 元/平方米): printed with two decimals
    unit: str = ""

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


def parse_threshold(text: str, what: str = "数值") -> Threshold:
    cleaned = text.strip().lstrip("≥≤><=").strip()
    cleaned = re.sub(r"个?百分点$", "%", cleaned)  # 1个百分点 = 1%
    tail = re.search(r"[^\d.%％,，\-+．]+$", cleaned)
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
    ref: Ref  # the 得分 cell
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


@dataclass(frozen=True)
class Outcome:
    score: Decimal
    process: str
    reason: str = ""
    problems: tuple[Problem, ...] = ()
    #: the values the rule looked up itself (the names of a 公式, the years of a 趋势), in order of use:
    #: their cells are the score's inputs; a rule given no 取值来源 reports the first as its value
    used: tuple[Value, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "problems", tuple(self.problems))
        object.__setattr__(self, "used", tuple(self.used))


@dataclass(frozen=True)
class Context:
    weight: Decimal
    label: str
    value: Value | None = None
    target: Threshold | None = None
    entries: tuple[Entry, ...] = ()
    resolve: Callable[[str], Value] | None = None
    where: Ref | None = None


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
    return round_score(clamp(exact(raw), Fraction(0), exact(weight)))


def show_exact(value) -> str:
    """An unrounded intermediate (a deduction, a score before rounding): exactly as computed when
    it ends within eight decimals (0.117504), else to four decimals with ≈ (≈1.3367)."""
    value = exact(value)
    decimal = terminating(value)
    if decimal is not None and -decimal.normalize().as_tuple().exponent <= 8:
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

    def thresholds(self) -> list[tuple[str, Threshold]]:
        """The limits typed into the parameters, as (what, threshold): checked against the
        measured value, so that ``≥95`` is not silently compared with a rate of 97.23 %."""
        return []

    def standard(self, weight: Decimal, label: str, target: "Threshold | None" = None) -> str:
        """The printed 评分标准; ``target`` is the 目标值 where the rule uses one."""
        raise NotImplementedError

    def score(self, ctx: Context) -> Outcome:
        raise NotImplementedError


# --- 比率 --------------------------------------------------------------------

class RatioRule(Rule):
    kind = "比率"

    def __init__(self, params: str, weight: Decimal):
        text = (params or "").strip()
        if text in ("", "正向"):
            self.reverse = False
        elif text == "反向":
            self.reverse = True
        else:
            raise RuleError(f"比率的参数只能是“正向”或“反向”（≤目标值的指标），填写的是“{text}”")

    def standard(self, weight, label, target=None):
        w = fmt_plain(weight)
        goal = target.show() if target else "100%"
        if self.reverse:
            return f"得分={w}×min({goal}÷{label},1)：{label}不高于{goal}得满分，超出按比例扣减"
        if goal == "100%":
            return f"得分={w}×{label}，最高{w}分"
        return f"得分={w}×min({label}÷{goal},1)：达到{goal}得满分，未达到按完成比例计分"

    def score(self, ctx):
        value, weight = ctx.value, ctx.weight
        target = ctx.target or Threshold(ONE, "100%", True)
        w = fmt_plain(weight)
        if value.amount < ZERO:
            return Outcome(ZERO, f"{ctx.label}为负数（{value.show()}），得0分", deduction_reason(ctx, ZERO))
        if self.reverse:
            if value.amount <= target.value:
                fraction = ONE
            else:
                fraction = round_rate(target.value / value.amount)
            shown = f"min({target.show()}÷{value.show()},1)"
        else:
            if target.value <= ZERO:
                raise RuleError("比率的目标值须大于 0")
            fraction = min(round_rate(value.amount / target.value), ONE)
            shown = f"min({value.show()}÷{target.show()},1)"
        if target.value == ONE and target.is_rate and value.is_rate and not self.reverse:
            score = finish(weight, weight * fraction)
            process = f"{w}×{fmt_percent(fraction)}={fmt_score(score)}"
            if value.amount > ONE:
                process = f"{ctx.label}{value.show()}，超过100%按100%计，{w}×100%={fmt_score(score)}"
        else:
            score = finish(weight, weight * fraction)
            process = f"{w}×{shown}={w}×{fmt_percent(fraction)}={fmt_score(score)}"
        why = (f"高于{target.show()}，按{target.show()}÷{ctx.label}计分" if self.reverse
               else f"未达到{target.show()}，按完成比例{fmt_percent(fraction)}计分")
        return Outcome(score, process, deduction_reason(ctx, score, why))


# --- 区间 / 分档 ---------------------------------------------------------------

_OPS = {"≥": ">=", ">=": ">=", ">": ">", "≤": "<=", "<=": "<=", "<": "<", "=": "=", "＝": "=",
        "＞": ">", "＜": "<", "≧": ">=", "≦": "<="}
_OP_SHOW = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}


@dataclass(frozen=True)
class Band:
    op: str | None  # None: 其他 (fallback)
    threshold: Threshold | None
    points: Decimal

    def matches(self, value: Decimal) -> bool:
        if self.op is None:
            return True
        t = self.threshold.value
        return {">=": value >= t, ">": value > t, "<=": value <= t, "<": value < t, "=": value == t}[self.op]

    def condition(self, label: str) -> str:
        if self.op is None:
            return "其他情况"
        return f"{label}{_OP_SHOW[self.op]}{self.threshold.show()}"


def parse_band(part: str, weight: Decimal) -> Band:
    if re.search(r"以下\s*每降|每降.*扣", part) and not re.match(r"^(其下|以下|低于此)", part):
        raise RuleError(f"“{part}”：最后一档以下的扣分写作“其下每降1%扣0.5”，放在参数最后")
    condition, points_text = split_pair(part)
    condition = unicodedata.normalize("NFKC", condition)  # ＞＝95％ → >=95%
    points = parse_points(points_text, weight, "分数")
    if condition in ("其他", "其余", "否则", "以下", "其它"):
        return Band(None, None, points)
    match = re.match(r"^(≥|>=|＞|>|≤|<=|＜|<|=|＝|≧|≦)\s*(.+)$", condition)
    if not match:
        raise RuleError(f"区间条件“{condition}”应以 ≥、>、≤、<、= 开头，如 ≥90%")
    return Band(_OPS[match.group(1)], parse_threshold(match.group(2), "区间界限"), points)


@dataclass(frozen=True)
class Step:
    """Full at or beyond a line, minus points per step short of it."""

    line: Threshold
    step: Threshold
    deduct: Decimal | Fraction
    deduct_text: str
    zero_line: Threshold | None = None
    pro_rata: bool = False
    reverse: bool = False
    start_points: Decimal | Fraction | None = None  # points at the line (default: the weight)
    #: how the zero line compares, as written: '<' / '<=' (正向), '>' / '>=' (反向)
    zero_op: str | None = None

    def thresholds(self) -> list[tuple[str, Threshold]]:
        found = [("满分线", self.line), ("每档幅度", self.step)]
        return found + ([("零分线", self.zero_line)] if self.zero_line is not None else [])

    @property
    def zero_compare(self) -> str:
        return self.zero_op or (">" if self.reverse else "<")

    def step_text(self) -> str:
        unit = "个百分点" if self.step.is_rate else ""
        return fmt_plain(self.step.value * HUNDRED) + unit if self.step.is_rate else self.step.show()

    def describe(self, label: str, weight: Decimal, lead: str = "") -> str:
        full = show_points(self.start_points if self.start_points is not None else weight)
        word = "超出" if self.reverse else "低"
        cmp = "≤" if self.reverse else "≥"
        parts = [lead or f"{label}{cmp}{self.line.show()}得{full}分"]
        parts.append(f"每{word}{self.step_text()}扣{self.deduct_text}" + ("（按比例计算）" if self.pro_rata else ""))
        if self.zero_line is not None:
            parts.append(f"{label}{_OP_SHOW[self.zero_compare]}{self.zero_line.show()}不得分")
        parts.append("扣完为止")
        return "；".join(parts)

    def beyond_zero(self, v: Decimal) -> bool:
        if self.zero_line is None:
            return False
        z = self.zero_line.value
        return {"<": v < z, "<=": v <= z, ">": v > z, ">=": v >= z}[self.zero_compare]

    def apply(self, value: Value, weight: Decimal, label: str) -> tuple[Decimal | Fraction, str, str]:
        """(exact score, 计算过程, 扣分原因) — the score is rounded once, by the caller (:func:`finish`)."""
        full = exact(self.start_points if self.start_points is not None else weight)
        v = value.amount
        gap = (v - self.line.value) if self.reverse else (self.line.value - v)
        if gap <= ZERO and not self.beyond_zero(v):
            reached = "不高于" if self.reverse else "达到"
            return full, f"{label}{value.show()}，{reached}{self.line.show()}，得{show_points(full)}分", ""
        if self.beyond_zero(v):
            zword = "等于" if v == self.zero_line.value else ("高于" if self.reverse else "低于")
            because = f"{label}{value.show()}，{zword}{self.zero_line.show()}"
            return Fraction(0), f"{because}，得0分", f"{because}，不得分"
        word = "高于" if self.reverse else "低于"
        gap_text = (fmt_plain(gap * HUNDRED) + "个百分点") if self.step.is_rate else fmt_plain(gap)
        steps = exact(gap) / exact(self.step.value)
        if not self.pro_rata:
            steps = Fraction(steps.numerator // steps.denominator)
        steps_text = show_exact(steps).lstrip("≈")
        deduction = steps * exact(self.deduct)
        score = max(full - deduction, Fraction(0))
        if deduction >= full:
            tail = f"扣{steps_text}×{self.deduct_text}{equals(deduction)}分，扣完为止，得分0.00"
        else:
            rounded = round_score(score)
            result = f"={fmt_score(rounded)}" if rounded == score else f"{equals(score)}≈{fmt_score(rounded)}"
            tail = (f"扣{steps_text}×{self.deduct_text}{equals(deduction)}分，"
                    f"得分={fmt_exact(full)}-{show_exact(deduction).lstrip('≈')}{result}")
        step_text = (fmt_plain(self.step.value * HUNDRED) if self.step.is_rate else fmt_plain(self.step.value))
        how = "按比例" if self.pro_rata else "按整档"
        process = (f"{label}{value.show()}，{word}{self.line.show()}共{gap_text}，{how}计{gap_text.replace('个百分点', '')}÷{step_text}"
                   f"{equals(steps)}档，{tail}")
        lost = weight - round_score(score)
        unit = "" if self.deduct_text.endswith("分") else "分"
        base = f"在{show_points(full)}分的基础上" if self.start_points is not None else ""
        reason = (f"{label}{value.show()}，{word}{self.line.show()}（差{gap_text}），{base}按每{'超出' if self.reverse else '低'}"
                  f"{self.step_text()}扣{self.deduct_text}{unit}{'（按比例计）' if self.pro_rata else ''}，扣{fmt_score(lost)}分")
        return score, process, reason


_STEP_KEYS = {"满分线", "每降", "每升", "步长", "扣", "零分线", "计法", "方向"}


def parse_step(params: str, weight: Decimal, start_points: Decimal | Fraction | None = None) -> Step:
    keys = {}
    for part in split_params(params.replace("，", "；").replace(",", "；")):
        match = re.match(r"^(\S+?)\s*[=＝:：]\s*(.+)$", part)
        compare = re.match(r"^(满分线|零分线)\s*((?:≥|>=|＞=|≧|>|＞|≤|<=|＜=|≦|<|＜).+)$", part)
        if compare and not (match and match.group(1) in _STEP_KEYS):
            keys[compare.group(1)] = compare.group(2).strip()  # 零分线≤80%: the sign written, no '='
            continue
        if not match:
            raise RuleError(f"阶梯扣分参数“{part}”应写作“名称=值”，如 满分线=90%")
        keys[match.group(1)] = match.group(2).strip()
    unknown = set(keys) - _STEP_KEYS
    if unknown:
        raise RuleError(f"阶梯扣分不认识参数“{'、'.join(sorted(unknown))}”；可用：满分线、每降（或每升）、扣、零分线、计法、方向")
    for needed in ("满分线", "扣"):
        if needed not in keys:
            raise RuleError(f"阶梯扣分缺少参数“{needed}”，例：满分线=90%；每降=1%；扣=0.1")
    step_text = keys.get("每降") or keys.get("每升") or keys.get("步长")
    if not step_text:
        raise RuleError("阶梯扣分缺少参数“每降”（反向指标用“每升”），例：每降=1%")
    direction = keys.get("方向", "反向" if "每升" in keys else "正向")
    if direction not in ("正向", "反向"):
        raise RuleError(f"方向只能是“正向”或“反向”，填写的是“{direction}”")
    reverse = direction == "反向"
    method = keys.get("计法", "整档")
    if method not in ("整档", "整步", "按比例"):
        raise RuleError(f"计法只能是“整档”或“按比例”，填写的是“{method}”")
    step = parse_threshold(step_text, "每档幅度")
    if step.value <= ZERO:
        raise RuleError("每档幅度须大于 0")
    base = start_points if start_points is not None else weight
    deduct = parse_points(keys["扣"], weight, "每档扣分")
    deduct_text = keys["扣"].strip()
    if not deduct_text.endswith("分") and not deduct_text.endswith("权重"):
        deduct_text += "分"
    if deduct_text.endswith("权重"):
        deduct_text = f"{fmt_plain(weight)}×{deduct_text[:-2]}"
    elif parse_share(deduct_text.rstrip("分")) is not None:
        deduct_text = f"{fmt_plain(weight)}×{deduct_text.rstrip('分')}"
    if deduct < ZERO or deduct > base:
        raise RuleError(f"每档扣分 {show_points(deduct)} 应在 0 到 {show_points(base)} 分之间")
    line_op, line_text = split_compare(keys["满分线"])
    if line_op is not None and line_op != ("<=" if reverse else ">="):
        raise RuleError(f"满分线“{keys['满分线']}”：{'反向指标不高于' if reverse else '达到'}满分线即得满分，"
                        f"写作 满分线={line_text}（或 满分线={'≤' if reverse else '≥'}{line_text}）")
    zero, zero_op = None, None
    if "零分线" in keys:
        zero_op, zero_text = split_compare(keys["零分线"])
        allowed = (">", ">=") if reverse else ("<", "<=")
        if zero_op is not None and zero_op not in allowed:
            signs = "、".join(_OP_SHOW[o] for o in allowed)
            raise RuleError(f"零分线“{keys['零分线']}”的比较符号应为 {signs}（{'高于' if reverse else '低于'}零分线不得分），"
                            f"如 零分线={_OP_SHOW[allowed[1]]}{zero_text}")
        zero = parse_threshold(zero_text, "零分线")
    return Step(parse_threshold(line_text, "满分线"), step, deduct, deduct_text, zero,
                method == "按比例", reverse, start_points, zero_op)


class BandsRule(Rule):
    """Thresholds to points, first match from the top; 分档 adds a step deduction below the last band."""

    kind = "区间"
    tail: Step | None = None

    def __init__(self, params: str, weight: Decimal):
        parts = split_params(params)
        if not parts:
            raise RuleError(f"{self.kind}需要参数，例：≥90%:10；≥85%:8；其他:0")
        self.bands = [parse_band(p, weight) for p in parts]
        if any(b.op is None for b in self.bands[:-1]):
            raise RuleError("“其他”只能写在最后一档")
        for band in self.bands:
            if band.points < ZERO or band.points > weight:
                raise RuleError(f"{self.kind}分数 {show_points(band.points)} 应在 0 到 {fmt_plain(weight)} 分之间")

    def thresholds(self):
        found = [("界限", b.threshold) for b in self.bands if b.threshold is not None]
        return found + (self.tail.thresholds() if self.tail else [])

    def standard(self, weight, label, target=None):
        parts = [f"{b.condition(label)}，得{show_points(b.points)}分" for b in self.bands]
        if self.tail:
            below = "≤" if self.bands[-1].op == ">" else "<"
            lead = f"{label}{below}{self.bands[-1].threshold.show()}时"
            parts.append(self.tail.describe(label, weight, lead=lead).replace(f"{lead}；", f"{lead}，"))
        elif self.bands[-1].op is not None:
            parts.append("其他情况，得0分")
        return "；".join(parts)

    def score(self, ctx):
        for band in self.bands:
            if band.matches(ctx.value.amount):
                score = finish(ctx.weight, band.points)
                cond = "其他情况" if band.op is None else f"{_OP_SHOW[band.op]}{band.threshold.show()}"
                process = f"{ctx.label}{ctx.value.show()}，属于“{cond}”档，得{fmt_score(score)}分"
                why = f"属于“{cond}”档，得{show_points(band.points)}分"
                return Outcome(score, process, deduction_reason(ctx, score, why))
        if self.tail:
            raw, process, reason = self.tail.apply(ctx.value, ctx.weight, ctx.label)
            score = finish(ctx.weight, raw)
            return Outcome(score, process, reason if score < ctx.weight else "")
        return Outcome(ZERO, f"{ctx.label}{ctx.value.show()}，不属于任何得分档，得0.00分",
                       deduction_reason(ctx, ZERO, "不属于任何得分档"))


class StepRule(Rule):
    kind = "阶梯扣分"

    def __init__(self, params: str, weight: Decimal):
        self.step = parse_step(params, weight)

    def thresholds(self):
        return self.step.thresholds()

    def standard(self, weight, label, target=None):
        return self.step.describe(label, weight)

    def score(self, ctx):
        raw, process, reason = self.step.apply(ctx.value, ctx.weight, ctx.label)
        score = finish(ctx.weight, raw)
        return Outcome(score, process, reason if score < ctx.weight else "")


class TiersRule(BandsRule):
    """Bands, then (optionally) a step deduction below the lowest band: ``≥100%:2；≥90%:1；其下每降1%扣0.1``."""

    kind = "分档"

    def __init__(self, params: str, weight: Decimal):
        parts = split_params(params)
        tail = parts.pop() if parts and re.match(r"^(其下|以下|低于此)", parts[-1]) else None
        super().__init__("；".join(parts), weight)
        if tail:
            last = self.bands[-1]
            if last.op not in (">=", ">"):
                raise RuleError("“其下每降…扣…”要求最后一档是“≥界限:分数”")
            match = re.match(r"^(?:其下|以下|低于此)\s*每降\s*([\d.]+%?)\s*扣\s*((?:\d+/\d+|[\d.]+%?)(?:权重)?)分?$", tail)
            if not match:
                raise RuleError(f"“{tail}”应写作“其下每降1%扣0.1”")
            self.tail = parse_step(f"满分线={last.threshold.text}；每降={match.group(1)}；扣={match.group(2)}",
                                   weight, start_points=last.points)


# --- 要点 / 定性 / 人工 ---------------------------------------------------------

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
YES = {"是", "达成", "符合", "√", "✓", "✔", "Y", "y", "yes", "1", "满足", "有"}
NO = {"否", "未达成", "不符合", "×", "✗", "✘", "N", "n", "no", "0", "不满足", "无"}
ALL_ITEMS = ("全部", "所有", "全部要点")
VETO = ("否决", "一票否决")


def item_number(text: str) -> int | None:
    """The number an entry names: ``④`` → 4, ``4`` / ``第4项`` / ``要点4`` / ``(4)`` → 4."""
    text = text.strip().rstrip("、.．)）")
    if text and text[0] in CIRCLED and len(text) == 1:
        return CIRCLED.index(text[0]) + 1
    text = text.lstrip("(（要点第").rstrip("项条")
    if text.isdigit():
        return int(text)
    return None


def split_mark(label: str) -> tuple[int | None, str]:
    """A point's own label as written: ``②与部门职责相符`` → (2, '与部门职责相符'); no mark → (None, text)."""
    label = label.strip()
    if label and label[0] in CIRCLED:
        return CIRCLED.index(label[0]) + 1, label[1:].strip()
    match = re.match(r"^[(（]?(\d{1,2})[)）、.．]\s*(.*)$", label)
    if match and match.group(2):
        return int(match.group(1)), match.group(2).strip()
    return None, label


def mark_of(number: int) -> str:
    return CIRCLED[number - 1] if 1 <= number <= len(CIRCLED) else f"({number})"


@dataclass(frozen=True)
class ChecklistItem:
    number: int  # the point's own label (②), not its position: ② stays ② when ① is dropped
    label: str
    points: Decimal | Fraction
    share_text: str = ""  # the points as typed when a share of the weight (33.33%权重, 1/3)

    @property
    def mark(self) -> str:
        return mark_of(self.number)


def parse_items(params: str, weight: Decimal, what: str, *, with_points: bool = True
                ) -> tuple[list[ChecklistItem], str | None, list[str]]:
    """The points of a checklist: ``②…:0.5；③…:0.5`` → items keeping the labels written (① dropped
    stays dropped), the 否决 text, and the other parts (``名称=值`` settings) for the caller."""
    items: list[ChecklistItem] = []
    veto, rest = None, []
    for part in split_params(params):
        if re.match(r"^\d+\s*项及以上不得分$", part) or (not with_points and re.match(r"^\S+?\s*[=＝]", part)):
            rest.append(part)
            continue
        if with_points:
            label, points_text = split_pair(part)
        else:
            label, points_text = part, ""
        if label in VETO:
            veto = points_text
            continue
        number, text = split_mark(label)
        points = parse_points(points_text, weight, f"{what}“{text}”的分数") if with_points else ZERO
        share = points_text.strip().rstrip("分") if with_points and re.search(r"[/／%]|分之|权重|分值", points_text) else ""
        items.append(ChecklistItem(number or 0, text, points, share))
    marked = [i for i in items if i.number]
    if marked and len(marked) != len(items):
        bare = next(i for i in items if not i.number)
        raise RuleError(f"{what}“{bare.label}”没有编号，其他{what}写了编号（如 {marked[0].mark}）：请都写上编号，或都不写")
    if not marked:
        items = [ChecklistItem(n, i.label, i.points, i.share_text) for n, i in enumerate(items, start=1)]
    seen: set[int] = set()
    for item in items:
        if item.number in seen:
            raise RuleError(f"{what}编号{item.mark}重复")
        seen.add(item.number)
    return items, veto, rest


def find_item(items: Sequence[ChecklistItem], key: str) -> ChecklistItem | None:
    """The point an entry names: by its label (④ or 4 means the point written ④), or by its text."""
    number = item_number(key)
    if number is not None:
        return next((i for i in items if i.number == number), None)
    return next((i for i in items if i.label == key.strip()), None)


def missing_item_message(entry: Entry, items: Sequence[ChecklistItem], what: str = "要点") -> str:
    marks = "".join(i.mark for i in items)
    return f"{what}“{entry.item}”不存在；本指标的{what}是 {marks}（按评分标准中写的编号填写）"


def shares_note(items: Sequence[ChecklistItem], total, weight: Decimal) -> str:
    """A hint when percentages such as 33.33%权重 ×3 were meant as 1/3 each."""
    n = len(items)
    if n < 2 or not all(i.share_text and "%" in i.share_text for i in items):
        return ""
    if abs(exact(total) - exact(weight)) > exact(weight) * Fraction(n, 10000):
        return ""
    cells = "、".join(f"{i.mark}{i.share_text}" for i in items)
    return (f"（{cells} 是四舍五入后的百分比，合计不等于 100%；若每项各占分值的 1/{n}，"
            f"请写作 1/{n}权重）")


class ChecklistRule(Rule):
    kind = "要点"
    needs_value = False

    def __init__(self, params: str, weight: Decimal):
        self.items, self.veto, _ = parse_items(params, weight, "要点")
        if not self.items:
            raise RuleError("要点需要参数，例：①立项符合相关政策:0.5；②与部门职责相符:0.5")
        total = sum((exact(i.points) for i in self.items), Fraction(0))
        if total != exact(weight):
            raise RuleError(f"各要点分数合计 {show_exact(total)} 分，与指标分值 {fmt_plain(weight)} 分不一致"
                            + shares_note(self.items, total, weight))

    def standard(self, weight, label, target=None):
        parts = [f"{i.mark}{i.label}，得{show_points(i.points)}分" for i in self.items]
        if self.veto:
            parts.append(f"若{self.veto}，本指标得0分")
        return "；".join(parts)

    def score(self, ctx):
        problems = []
        by_item: dict[int, Entry] = {}
        all_entry = None
        veto_hit = None
        for entry in ctx.entries:
            key = entry.item.strip()
            if key in ALL_ITEMS:
                all_entry = entry
                continue
            if key in VETO:
                if entry.result.strip() in YES:
                    veto_hit = entry
                continue
            item = find_item(self.items, key)
            if item is None:
                problems.append(Problem.error(entry.where_item, missing_item_message(entry, self.items)))
                continue
            by_item[item.number] = entry
        if veto_hit is not None:
            return Outcome(ZERO, f"存在否决情形（{self.veto or veto_hit.reason}），本指标得0.00分",
                           veto_hit.reason or f"存在否决情形：{self.veto}", problems)
        parts, total, lost = [], Fraction(0), []
        for item in self.items:
            entry = by_item.get(item.number, all_entry)
            mark = item.mark
            if entry is None:
                problems.append(Problem.error(ctx.where, f"未录入要点{mark}的达成情况：请在“评分录入”中填写是/否或得分"))
                got = Fraction(0)
            elif entry.score is not None and entry is not all_entry:
                got = exact(entry.score)
                if got < 0 or got > exact(item.points):
                    problems.append(Problem.error(entry.ref, f"要点{mark}得分 {fmt_plain(entry.score)} 超出 0–{show_points(item.points)} 分"))
                    got = clamp(got, Fraction(0), exact(item.points))
            else:
                result = entry.result.strip()
                if result in YES:
                    got = exact(item.points)
                elif result in NO:
                    got = Fraction(0)
                else:
                    problems.append(Problem.error(entry.where_result, f"要点{mark}的达成情况应填“是”或“否”（或在得分列填分数），填写的是“{entry.result}”"))
                    got = Fraction(0)
            total += got
            parts.append(f"{mark}{fmt_exact(got)}")
            if got < exact(item.points):
                lost.append(f"要点{mark}{item.label}，扣{fmt_exact(exact(item.points) - got)}分")
        score = finish(ctx.weight, total)
        process = "+".join(parts) + f"={fmt_score(score)}"
        reason = manual_reason(ctx.entries) or "；".join(lost)
        return Outcome(score, process, reason if score < ctx.weight else manual_reason(ctx.entries), problems)


DEFAULT_LEVELS = "达成:80%-100%；部分达成:60%-80%；未达成:0%-60%"


@dataclass(frozen=True)
class Level:
    name: str
    low: Decimal
    high: Decimal

    def show(self) -> str:
        if self.low == self.high:
            return f"{self.name}得{show_points(self.low)}分"
        return f"{self.name}得{show_points(self.low)}–{show_points(self.high)}分"


class QualitativeRule(Rule):
    kind = "定性"
    needs_value = False

    def __init__(self, params: str, weight: Decimal):
        self.levels: list[Level] = []
        for part in split_params(params or DEFAULT_LEVELS):
            name, points_text = split_pair(part)
            match = re.match(r"^(.+?)\s*[-–~～至]\s*(.+)$", points_text)
            if match:
                low = parse_points(match.group(1), weight, f"等级“{name}”的下限")
                high = parse_points(match.group(2), weight, f"等级“{name}”的上限")
            else:
                low = high = parse_points(points_text, weight, f"等级“{name}”的分数")
            if low > high:
                low, high = high, low
            if low < ZERO or high > weight:
                raise RuleError(f"等级“{name}”的分数应在 0 到 {fmt_plain(weight)} 分之间")
            self.levels.append(Level(name, low, high))
        if not self.levels:
            raise RuleError(f"定性需要等级，例：{DEFAULT_LEVELS}")

    def standard(self, weight, label, target=None):
        return "；".join(level.show() for level in self.levels)

    def score(self, ctx):
        entries = [e for e in ctx.entries if not e.item.strip()] or list(ctx.entries)
        if not entries:
            return Outcome(ZERO, "未录入评价等级，暂按0.00分", "未录入评价等级",
                           [Problem.error(ctx.where, "未录入定性评价等级：请在“评分录入”中填写等级名称（及得分）")])
        entry = entries[-1]
        problems = []
        level = next((l for l in self.levels if l.name == entry.result.strip()), None)
        if level is None and entry.result.strip():
            problems.append(Problem.error(entry.where_result, f"等级“{entry.result}”不存在；可选：{'、'.join(l.name for l in self.levels)}"))
        if entry.score is None:
            if level is None:
                if not entry.result.strip():
                    problems.append(Problem.error(entry.ref, "定性评价须填写等级或得分"))
                return Outcome(ZERO, "未录入有效的评价等级，暂按0.00分", entry.reason, problems)
            if level.low != level.high:
                problems.append(Problem.error(entry.ref, f"等级“{level.name}”对应 {show_points(level.low)}–{show_points(level.high)} 分，请在得分列填写具体分数"))
                score = level.low
            else:
                score = level.low
        else:
            score = entry.score
            if level is None:
                level = next((l for l in self.levels if l.low <= score <= l.high), None)
            elif not level.low <= score <= level.high:
                allowed = (f"为 {show_points(level.low)} 分" if level.low == level.high
                           else f"的范围是 {show_points(level.low)}–{show_points(level.high)} 分")
                problems.append(Problem.error(entry.ref, f"等级“{level.name}”{allowed}，得分填写了 {fmt_plain(score)}"))
        score = finish(ctx.weight, score)
        name = level.name if level else "（未定级）"
        reason = entry.reason
        if score < ctx.weight and not reason:
            problems.append(Problem.warning(entry.ref, "得分低于分值，但没有填写扣分原因"))
        return Outcome(score, f"评价等级：{name}，得{fmt_score(score)}分", reason, problems)


class ManualRule(Rule):
    kind = "人工"
    needs_value = False

    def __init__(self, params: str, weight: Decimal):
        self.text = (params or "").strip()

    def standard(self, weight, label, target=None):
        return self.text or f"由评价人员对照评价要点评分，满分{fmt_plain(weight)}分"

    def score(self, ctx):
        entries = [e for e in ctx.entries if e.score is not None]
        if not entries:
            return Outcome(ZERO, "未录入人工评分，暂按0.00分", "未录入人工评分",
                           [Problem.error(ctx.where, "未录入人工评分：请在“评分录入”中填写得分和扣分原因")])
        entry = entries[-1]
        problems = []
        if entry.score < ZERO or entry.score > ctx.weight:
            problems.append(Problem.error(entry.ref, f"得分 {fmt_plain(entry.score)} 超出 0–{fmt_plain(ctx.weight)} 分"))
        score = finish(ctx.weight, entry.score)
        if score < ctx.weight and not entry.reason:
            problems.append(Problem.warning(entry.ref, "得分低于分值，但没有填写扣分原因"))
        return Outcome(score, f"人工评分：{fmt_score(score)}分", entry.reason, problems)


# --- 公式 ----------------------------------------------------------------------

class FormulaRule(Rule):
    kind = "公式"

    def __init__(self, params: str, weight: Decimal):
        try:
            self.tree = formula.parse(params)
        except formula.FormulaError as exc:
            raise RuleError(f"公式有误：{exc}") from exc
        self.text = formula.render(self.tree)
        self.names = formula.names(self.tree)
        self.needs_value = "值" in self.names

    def standard(self, weight, label, target=None):
        # in words, never the formula's syntax (数据(…), comparisons as 0/1, function calls)
        words = formula.describe(self.tree, weight, label)
        return f"{words}，最低0分，最高{fmt_plain(weight)}分" if words.startswith("得分=") else words

    def score(self, ctx):
        values: dict[str, Value] = {}

        def lookup(name: str) -> Value:
            if name not in values:
                if name == "值":
                    values[name] = ctx.value
                elif name in ("分值", "权重"):
                    values[name] = Value(ctx.weight, False, name)
                elif name == "目标":
                    if ctx.target is None:
                        raise formula.FormulaError("公式用到“目标”，但目标值为空")
                    unit = ctx.target.unit or (ctx.value.unit if ctx.value is not None else "")
                    values[name] = Value(ctx.target.value, ctx.target.is_rate, name, unit=unit)
                else:
                    if ctx.resolve is None:
                        raise formula.FormulaError(f"无法取得“{name}”")
                    values[name] = ctx.resolve(name)
            return values[name]

        raw = formula.evaluate(self.tree, lambda n: lookup(n).amount)
        score = finish(ctx.weight, raw)

        def word(name: str) -> str:
            if name == "值":
                return f"{ctx.label}{lookup(name).show()}"
            return f"{name}{lookup(name).show()}"

        shown, steps = formula.explain(self.tree, lambda n: lookup(n).amount, lambda n: lookup(n).show(), word)
        result = (fmt_score(round_score(raw)) if round_score(raw) == raw
                  else f"{show_exact(raw).lstrip('≈')}≈{fmt_score(round_score(raw))}")
        if shown == formula.plain_number(raw).lstrip("≈"):  # the whole formula is one function: its step says it
            arithmetic = f"得分={fmt_score(round_score(raw))}"
        else:
            arithmetic = f"得分={shown}={result}"
        if score != round_score(raw):
            arithmetic += f"，按0–{fmt_plain(ctx.weight)}分计为{fmt_score(score)}"
        sources = [v.text or f"{n}={v.show()}" for n, v in values.items() if n not in ("值", "分值", "权重", "目标")]
        process = "；".join(sources + steps + [arithmetic])
        used = tuple(v for n, v in values.items() if n not in ("值", "分值", "权重", "目标"))
        if score >= ctx.weight:
            return Outcome(score, process, "", used=used)
        lead = [] if not ctx.value or any(ctx.label in step for step in steps) else [f"{ctx.label}{ctx.value.show()}"]
        lost = fmt_score(ctx.weight - score)
        return Outcome(score, process, "，".join(lead + steps + [f"按公式得{fmt_score(score)}分，扣{lost}分"]), used=used)


# --- 逐项扣分 / 趋势 ---------------------------------------------------------------

def _settings(parts: Sequence[str], allowed: dict[str, str], kind: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in parts:
        match = re.match(r"^(\d+)\s*项及以上不得分$", part)
        if match:
            found["不得分项数"] = match.group(1)
            continue
        match = re.match(r"^(\S+?)\s*[=＝]\s*(.+)$", part)
        key = match.group(1) if match else part
        if not match or key not in allowed:
            raise RuleError(f"{kind}不认识参数“{part}”；可用：{'、'.join(allowed)}")
        found[key] = match.group(2).strip()
    return found


class CountRule(Rule):
    """每出现一项不满足扣 x 分，n 项及以上不得分: the unmet items are marked in 评分录入."""

    kind = "逐项扣分"
    needs_value = False
    KEYS = {"每项扣": "每出现一项不满足扣的分数", "不得分项数": "不满足达到此项数即不得分"}

    def __init__(self, params: str, weight: Decimal):
        parts = split_params(params)
        settings = [p for p in parts if re.match(r"^(每项扣|不得分项数)\s*[=＝]|^\d+\s*项及以上不得分$", p)]
        items = "；".join(p for p in parts if p not in settings)
        self.items, _, _ = parse_items(items, weight, "评价项", with_points=False) if items else ([], None, [])
        keys = _settings(settings, self.KEYS, self.kind)
        if "每项扣" not in keys:
            raise RuleError("逐项扣分缺少参数“每项扣”，例：每项扣=1；3项及以上不得分")
        self.per_item_text = keys["每项扣"].strip()
        self.per_item = parse_points(self.per_item_text, weight, "每项扣分")
        if self.per_item <= ZERO or self.per_item > weight:
            raise RuleError(f"每项扣分 {show_points(self.per_item)} 应大于 0、不超过分值 {fmt_plain(weight)} 分")
        self.zero_count: int | None = None
        if "不得分项数" in keys:
            text = keys["不得分项数"].rstrip("项")
            if not text.isdigit() or int(text) < 1:
                raise RuleError(f"不得分项数“{keys['不得分项数']}”应为正整数，如 3")
            self.zero_count = int(text)

    def standard(self, weight, label, target=None):
        parts = [f"{i.mark}{i.label}" for i in self.items]
        rule = f"每出现一项不满足扣{show_points(self.per_item)}分"
        if self.zero_count is not None:
            rule += f"，{self.zero_count}项及以上不得分"
        return "；".join(parts + [rule + "，扣完为止"])

    def _unmet(self, ctx) -> tuple[list[str], list[tuple[str, Ref | None, str]], bool]:
        """(the unmet items, problems, whether anything was entered)."""
        problems: list[Problem] = []
        unmet: list[str] = []
        if not ctx.entries:
            return [], problems, False
        for entry in ctx.entries:
            if entry.score is not None:
                problems.append(Problem.error(entry.ref, "逐项扣分按不满足的项数计分，得分列不填；不满足的项在达成情况填“否”"))
        if self.items:
            by_item: dict[int, Entry] = {}
            all_entry = None
            for entry in ctx.entries:
                key = entry.item.strip()
                if key in ALL_ITEMS:
                    all_entry = entry
                    continue
                item = find_item(self.items, key)
                if item is None:
                    problems.append(Problem.error(entry.where_item, missing_item_message(entry, self.items, "评价项")))
                    continue
                by_item[item.number] = entry
            for item in self.items:
                entry = by_item.get(item.number, all_entry)
                if entry is None:
                    problems.append(Problem.error(ctx.where, f"未录入评价项{item.mark}是否满足：请在“评分录入”中填写是/否"))
                    unmet.append(f"{item.mark}{item.label}")
                    continue
                result = entry.result.strip()
                if result in NO:
                    unmet.append(f"{item.mark}{item.label}")
                elif result not in YES:
                    problems.append(Problem.error(entry.where_result, f"评价项{item.mark}的达成情况应填“是”或“否”，填写的是“{entry.result}”"))
                    unmet.append(f"{item.mark}{item.label}")
            return unmet, problems, True
        for entry in ctx.entries:  # no items listed: each row marked 否 is one unmet item
            result = entry.result.strip()
            if result in NO:
                unmet.append(entry.reason or entry.item.strip() or f"第{len(unmet) + 1}项")
            elif result not in YES:
                problems.append(Problem.error(entry.where_result, f"逐项扣分的达成情况应填“是”（全部满足）或“否”（一行一项不满足），填写的是“{entry.result}”"))
        return unmet, problems, True

    def score(self, ctx):
        unmet, problems, entered = self._unmet(ctx)
        if not entered:
            return Outcome(ZERO, "未录入评价结果，暂按0.00分", "未录入评价结果",
                           [Problem.error(ctx.where, "未录入逐项扣分的评价结果：请在“评分录入”中填写各项是否满足（全部满足填 全部/是）")])
        n = len(unmet)
        listed = f"（{'、'.join(unmet)}）" if unmet else ""
        if n == 0:
            return Outcome(finish(ctx.weight, ctx.weight), f"各项均满足，得{fmt_plain(ctx.weight)}分", "", problems)
        if self.zero_count is not None and n >= self.zero_count:
            score = finish(ctx.weight, ZERO)
            process = f"不满足{n}项{listed}，达到{self.zero_count}项及以上，得0分"
            why = f"不满足{n}项{listed}，{self.zero_count}项及以上不得分"
        else:
            deduction = n * exact(self.per_item)
            score = finish(ctx.weight, exact(ctx.weight) - deduction)
            process = (f"不满足{n}项{listed}，扣{n}×{show_exact(self.per_item)}={show_exact(deduction)}分，"
                       f"得分={fmt_plain(ctx.weight)}-{show_exact(deduction)}={fmt_score(score)}")
            if deduction >= ctx.weight:
                process = f"不满足{n}项{listed}，扣{n}×{show_exact(self.per_item)}分，扣完为止，得0.00分"
            why = f"不满足{n}项{listed}，按每项扣{show_points(self.per_item)}分"
        reason = manual_reason(ctx.entries) or f"{why}，扣{fmt_score(ctx.weight - score)}分"
        return Outcome(score, process, reason, problems)


_TREND = re.compile(r"^(?:逐年|连续\s*(\d+)\s*年)(提升|提高|增长|上升|下降|降低|减少)$")


class TrendRule(Rule):
    """逐年提升 / 连续 N 年提升 over a yearly series: ``2021=数据(x2021)；2022=…；要求=逐年提升``."""

    kind = "趋势"
    needs_value = False

    def __init__(self, params: str, weight: Decimal):
        self.years: list[tuple[str, object, str]] = []  # (year, formula tree, text)
        keys: dict[str, str] = {}
        for part in split_params(params):
            match = re.match(r"^(\d{4})\s*年?\s*[=＝:：]\s*(.+)$", part)
            if match:
                try:
                    tree = formula.parse(match.group(2))
                except formula.FormulaError as exc:
                    raise RuleError(f"{match.group(1)}年的取值“{match.group(2)}”有误：{exc}") from exc
                self.years.append((match.group(1), tree, match.group(2).strip()))
                continue
            match = re.match(r"^(\S+?)\s*[=＝]\s*(.+)$", part)
            if not match or match.group(1) not in ("要求", "每少一年扣"):
                raise RuleError(f"趋势参数“{part}”应写作 年份=取值来源（如 2021=数据(培训人数2021)）、要求=逐年提升 或 每少一年扣=1")
            keys[match.group(1)] = match.group(2).strip()
        if len(self.years) < 2:
            raise RuleError("趋势至少需要两个年度的取值，例：2021=数据(培训人数2021)；2022=数据(培训人数2022)；要求=逐年提升")
        numbers = [y for y, _, _ in self.years]
        if numbers != sorted(set(numbers)) or any(int(b) - int(a) != 1 for a, b in zip(numbers, numbers[1:])):
            raise RuleError(f"趋势的年度应逐年连续、从早到晚排列，填写的是 {'、'.join(numbers)}")
        requirement = keys.get("要求", "")
        match = _TREND.match(requirement.replace(" ", ""))
        if not match:
            raise RuleError(f"趋势的要求“{requirement}”应写作 逐年提升、逐年下降、连续3年提升 或 连续3年下降")
        self.requirement = requirement
        self.falling = match.group(2) in ("下降", "降低", "减少")
        self.needed = int(match.group(1)) if match.group(1) else len(self.years) - 1
        if self.needed < 1 or self.needed > len(self.years) - 1:
            raise RuleError(f"“{requirement}”需要 {self.needed + 1} 个年度的取值，只填了 {len(self.years)} 个")
        self.per_year = parse_points(keys["每少一年扣"], weight, "每少一年扣分") if "每少一年扣" in keys else None

    def standard(self, weight, label, target=None):
        span = f"{self.years[0][0]}–{self.years[-1][0]}年"
        word = "下降" if self.falling else "提升"
        every = "每年" if self.needed == len(self.years) - 1 else f"连续{self.needed}年"
        rule = (f"{span}{label}{self.requirement}（{every}均{'低' if self.falling else '高'}于上一年，持平不算{word}）"
                f"得{fmt_plain(weight)}分")
        if self.per_year is not None:
            return rule + f"；每少一年扣{show_points(self.per_year)}分，扣完为止"
        return rule + "；否则不得分"

    def score(self, ctx):
        if ctx.resolve is None:
            raise RuleError("趋势需要各年度的取值")
        series = []
        used: dict[str, Value] = {}

        def lookup(name: str) -> Value:
            if name not in used:
                used[name] = ctx.resolve(name)
            return used[name]

        for year, tree, text in self.years:
            kind: Value | None = None
            if isinstance(tree, formula.Name):
                kind = lookup(tree.name)
                amount = kind.amount
            else:
                amount = formula.evaluate(tree, lambda n: lookup(n).amount)
            shown = kind.show() if kind is not None else formula.plain_number(amount)
            series.append((year, amount, shown))
        run, best = 0, 0
        steps = [f"{series[0][0]}年{series[0][2]}"]
        for (_, before, _), (year, now, shown) in zip(series, series[1:]):
            moved = now < before if self.falling else now > before
            run = run + 1 if moved else 0
            best = max(best, run)
            arrow = "下降" if now < before else ("提升" if now > before else "持平")
            steps.append(f"{year}年{shown}（{arrow}）")
        word = "下降" if self.falling else "提升"
        trail = "→".join(steps)
        if best >= self.needed:
            return Outcome(finish(ctx.weight, ctx.weight),
                           f"{trail}；连续{word}{best}年，达到“{self.requirement}”，得{fmt_plain(ctx.weight)}分", "",
                           used=tuple(used.values()))
        short = self.needed - best
        if self.per_year is None:
            score = finish(ctx.weight, ZERO)
            tail = "得0分"
        else:
            deduction = short * exact(self.per_year)
            score = finish(ctx.weight, exact(ctx.weight) - deduction)
            tail = f"少{short}年，扣{short}×{show_exact(self.per_year)}={show_exact(deduction)}分，得{fmt_score(score)}分"
        process = f"{trail}；连续{word}最多{best}年，未达到“{self.requirement}”（需{self.needed}年），{tail}"
        reason = f"{ctx.label}连续{word}最多{best}年，未达到“{self.requirement}”，扣{fmt_score(ctx.weight - score)}分"
        return Outcome(score, process, reason, used=tuple(used.values()))


#: the kind of an indicator scored as the sum of its items (子项), which has no rule of its own
SUB_ITEMS = "子项合计"


@dataclass(frozen=True)
class RuleKind:
    """One scoring method an evaluator can choose in 指标体系!评分方法, with how its 规则参数 are written
    (the template's 规则写法 sheet is generated from these, and a test parses every example)."""

    name: str
    #: the rule class, None for 子项合计 (its items carry the rules)
    rule: type[Rule] | None
    #: how 规则参数 are written, in one or two sentences
    syntax: str = ""
    #: a 规则参数 written that way (parsed by the rule in the tests, with ``example_weight``)
    example: str = ""
    example_weight: str = "5"
    #: what the example gives, for a value (or entries) an evaluator would have
    example_result: str = ""


#: every rule kind, in the order of the template's drop-down.  The one list: the drop-down
#: (schema.RULE_KINDS), :data:`RULES`, the template's 规则写法 sheet, the messages and the docs check all come from it.
KINDS: tuple[RuleKind, ...] = (
    RuleKind("比率", RatioRule,
             "空白或“正向”：得分＝分值×min(实际值÷目标值, 1)；“反向”（越低越好）：得分＝分值×min(目标值÷实际值, 1)。"
             "“目标值”列填目标，空白为 100%。",
             "正向", "5", "分值 5 分，发放完成率 99.18%、目标值 100%：5×99.18%＝4.96 分"),
    RuleKind("区间", BandsRule,
             "条件:分数；条件:分数；…；其他:分数。从上往下取第一个满足的条件，条件可用 ≥ > ≤ < =；不写“其他”时为 0 分。",
             "≥90%:10；≥85%:8；≥80%:6；≥75%:4；≥70%:2；其他:0", "10", "分值 10 分，综合满意度 87% 得 8 分"),
    RuleKind("阶梯扣分", StepRule,
             "满分线=值；每降=一档的幅度（越低越好时写“每升”）；扣=每档扣的分数；可加 零分线=值、计法=整档 或 按比例、"
             "方向=正向 或 反向。扣完为止。",
             "满分线=90%；每降=1%；扣=0.1", "7", "分值 7 分，满意度 83%：差 7 档扣 0.7 分，得 6.30 分"),
    RuleKind("分档", TiersRule,
             "先按区间写各档（条件:分数；…），最后写“其下每降 幅度 扣 分数”，从最后一档的分数往下按整档扣。",
             "≥100%:2；≥90%:1；其下每降1%扣0.1", "2", "分值 2 分，预算执行率 85%：1−5×0.1＝0.50 分"),
    RuleKind("要点", ChecklistRule,
             "①要点:分数；②要点:分数；…，各要点分数之和等于分值（每项几分之一写 1/3权重）；可加 否决:情形。"
             "达成与否在“评分录入”中填写。",
             "①符合法律法规、发展规划和相关政策:0.5；②与部门职责相符:0.5；③属于公共财政支持范围:0.5；④未与同类项目重复:0.5",
             "2", "“评分录入”中要点填“全部”、达成情况填“是”，再为未达成的要点填一行（如 ③、否、扣分原因）：得 1.50 分"),
    RuleKind("定性", QualitativeRule,
             "等级:分数范围；…（空白即第十六条三档：达成:80%-100%；部分达成:60%-80%；未达成:0%-60%），也可写固定分数。"
             "“评分录入”中填等级名称，等级是范围时在“得分”列填分数。",
             "健全:4；粗略:2；未制定:0", "4", "“评分录入”中达成情况填“粗略”：得 2.00 分"),
    RuleKind("人工", ManualRule,
             "填评分标准的文字（原样印在评分表上）；得分和扣分原因在“评分录入”中填写。",
             "按时完成得满分，每延误一项扣1分", "9", "“评分录入”中得分填 7.22、扣分原因写明延误事项：得 7.22 分"),
    RuleKind("公式", FormulaRule,
             "算式：数字、百分比、+ - * / ^、括号、比较、min max abs round floor ceil if(条件,是,否)，"
             "名称 值（取值来源的值）、分值、目标，以及任何取值来源。结果限制在 0 到分值之间。",
             "分值*(1-(1-资金到位率)*100/5*0.4%)", "2", "分值 2 分，资金到位率 26.56%：2×(1−73.44%×100÷5×0.4%)≈1.88 分"),
    RuleKind("逐项扣分", CountRule,
             "①评价项；②评价项；…（可不列）；每项扣=分数；可加 n项及以上不得分。不满足的项在“评分录入”中填“否”。",
             "①基层党组织凝聚力和战斗力；②基层治理成效；③对社会稳定和发展的促进；每项扣=1；3项及以上不得分",
             "5", "“评分录入”中 ② 填“否”：得 4.00 分；①②③ 都填“否”：得 0 分"),
    RuleKind("趋势", TrendRule,
             "年份=取值来源；年份=取值来源；…（逐年连续，从早到晚）；要求=逐年提升、连续N年提升、逐年下降 或 连续N年下降；"
             "可加 每少一年扣=分数。“取值来源”列不填。",
             "2022=数据(培训覆盖率2022)；2023=数据(培训覆盖率2023)；2024=数据(培训覆盖率2024)；要求=逐年提升",
             "5", "30%、35%、40%：逐年提升，得 5.00 分；30%、35%、33%：未达到，得 0 分"),
    RuleKind(SUB_ITEMS, None,
             "规则参数留空。其下每个子项一行：编码与指标相同，“子项”列填子项名称，各自填分值、评分方法、规则参数和取值来源；"
             "指标得分为各子项得分之和。",
             "", "10", "五个子项各 2 分、各按“比率”评分：指标得分为五个子项得分之和"),
)
KIND_NAMES: tuple[str, ...] = tuple(kind.name for kind in KINDS)
RULES: dict[str, type[Rule]] = {kind.name: kind.rule for kind in KINDS if kind.rule is not None}


def make_rule(kind: str, params: str, weight: Decimal) -> Rule:
    cls = RULES.get(kind)
    if cls is None:
        raise RuleError(f"不认识的评分方法“{kind}”；可用：{'、'.join(KIND_NAMES)}")
    return cls(params or "", weight)
