"""Scoring rules: each kind parses the parameters an evaluator types into the
指标体系 sheet, scores a value, and prints its own 评分标准 and 计算过程, so the
printed text and the score can never disagree.

Rounding policy (one place, documented in docs/rules.md):
* a measured rate enters a rule already rounded to 0.01 % (as printed);
* a deduction is rounded half up to 0.01 before it is subtracted;
* a score is rounded half up to 0.01 and kept within 0 … 分值.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Callable, Sequence

from . import formula
from .findings import Ref
from .normalize import CellValueError, parse_number
from .numbers import HUNDRED, ONE, ZERO, clamp, fmt_percent, fmt_plain, fmt_score, round_rate, round_score


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

    def show(self) -> str:
        return fmt_percent(self.amount) if self.is_rate else fmt_plain(self.amount)


@dataclass(frozen=True)
class Threshold:
    value: Decimal
    text: str
    is_rate: bool

    def show(self) -> str:
        return self.text


def parse_threshold(text: str, what: str = "数值") -> Threshold:
    cleaned = text.strip().lstrip("≥≤><=").strip()
    cleaned = re.sub(r"个?百分点$", "%", cleaned)  # 1个百分点 = 1%
    cleaned = re.sub(r"[^\d.%％,，\-+．]+$", "", cleaned)  # trailing units: 人, 个, 分
    try:
        number, suffix = parse_number(cleaned)
    except CellValueError as exc:
        raise RuleError(f"{what}“{text}”不是数字或百分比，应写作 90% 或 149") from exc
    shown = fmt_plain(number * HUNDRED) + "%" if suffix == "%" else fmt_plain(number)
    return Threshold(number, shown, suffix == "%")


def rate_mismatch(value: Value, limits: list[tuple[str, Threshold]]) -> str | None:
    """A limit typed as a bare number where the measured value is a rate: ``≥95`` or
    ``每降=1`` against 97.23 % would mean 9,500 % or 100 %, never what was meant."""
    if not value.is_rate:
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

    @property
    def where_result(self) -> Ref | None:
        return self.result_ref or self.ref


@dataclass
class Outcome:
    score: Decimal
    process: str
    reason: str = ""
    problems: list[tuple[str, Ref | None, str]] = field(default_factory=list)


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


def parse_points(text: str, weight: Decimal, what: str) -> Decimal:
    text = text.strip().rstrip("分")
    if text in ("满分", "全分"):
        return weight
    if text.endswith("权重") or text.endswith("分值"):
        inner = text[:-2]
        try:
            number, suffix = parse_number(inner)
        except CellValueError as exc:
            raise RuleError(f"{what}“{text}”应写作 0.4%权重 或 0.5") from exc
        return number * weight
    try:
        number, suffix = parse_number(text)
    except CellValueError as exc:
        raise RuleError(f"{what}“{text}”不是分数，应写作 0.5 或 满分") from exc
    if suffix == "%":
        return number * weight
    return number


def finish(weight: Decimal, raw: Decimal) -> Decimal:
    return round_score(clamp(round_score(raw), ZERO, weight))


def deduction_reason(ctx: Context, score: Decimal) -> str:
    if score >= ctx.weight:
        return ""
    lost = fmt_score(ctx.weight - score)
    if ctx.value is not None:
        return f"{ctx.label}{ctx.value.show()}，扣{lost}分"
    return f"扣{lost}分"


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
        return Outcome(score, process, deduction_reason(ctx, score))


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
    deduct: Decimal
    deduct_text: str
    zero_line: Threshold | None = None
    pro_rata: bool = False
    reverse: bool = False
    start_points: Decimal | None = None  # points at the line (default: the weight)

    def thresholds(self) -> list[tuple[str, Threshold]]:
        found = [("满分线", self.line), ("每档幅度", self.step)]
        return found + ([("零分线", self.zero_line)] if self.zero_line is not None else [])

    def describe(self, label: str, weight: Decimal, lead: str = "") -> str:
        full = fmt_plain(self.start_points if self.start_points is not None else weight)
        word = "超出" if self.reverse else "低"
        cmp = "≤" if self.reverse else "≥"
        unit = "个百分点" if self.step.is_rate else ""
        step = fmt_plain(self.step.value * HUNDRED) + unit if self.step.is_rate else self.step.show()
        parts = [lead or f"{label}{cmp}{self.line.show()}得{full}分"]
        parts.append(f"每{word}{step}扣{self.deduct_text}" + ("（按比例计算）" if self.pro_rata else ""))
        if self.zero_line is not None:
            zcmp = ">" if self.reverse else "<"
            parts.append(f"{label}{zcmp}{self.zero_line.show()}不得分")
        parts.append("扣完为止")
        return "；".join(parts)

    def apply(self, value: Value, weight: Decimal, label: str) -> tuple[Decimal, str]:
        full = self.start_points if self.start_points is not None else weight
        v = value.amount
        gap = (v - self.line.value) if self.reverse else (self.line.value - v)
        if gap <= ZERO:
            reached = "不高于" if self.reverse else "达到"
            return full, f"{label}{value.show()}，{reached}{self.line.show()}，得{fmt_plain(full)}分"
        if self.zero_line is not None:
            beyond = v > self.zero_line.value if self.reverse else v < self.zero_line.value
            if beyond:
                zword = "高于" if self.reverse else "低于"
                return ZERO, f"{label}{value.show()}，{zword}{self.zero_line.show()}，得0分"
        word = "高于" if self.reverse else "低于"
        gap_text = (fmt_plain(gap * HUNDRED) + "个百分点") if self.step.is_rate else fmt_plain(gap)
        steps = gap / self.step.value
        if not self.pro_rata:
            steps = steps.to_integral_value(rounding=ROUND_FLOOR)
        steps_text = fmt_plain(steps)
        deduction = round_score(steps * self.deduct)
        score = clamp(full - deduction, ZERO, full)
        if deduction >= full:
            tail = f"扣{steps_text}×{self.deduct_text}={fmt_score(deduction)}分，扣完为止，得分0.00"
        else:
            tail = f"扣{steps_text}×{self.deduct_text}={fmt_score(deduction)}分，得分={fmt_plain(full)}-{fmt_score(deduction)}={fmt_score(score)}"
        step_text = (fmt_plain(self.step.value * HUNDRED) if self.step.is_rate else fmt_plain(self.step.value))
        how = "按比例" if self.pro_rata else "按整档"
        process = (f"{label}{value.show()}，{word}{self.line.show()}共{gap_text}，{how}计{gap_text.replace('个百分点', '')}÷{step_text}="
                   f"{steps_text}档，{tail}")
        return score, process


def parse_step(params: str, weight: Decimal, start_points: Decimal | None = None) -> Step:
    keys = {}
    for part in split_params(params.replace("，", "；").replace(",", "；")):
        match = re.match(r"^(\S+?)\s*[=＝:：]\s*(.+)$", part)
        if not match:
            raise RuleError(f"阶梯扣分参数“{part}”应写作“名称=值”，如 满分线=90%")
        keys[match.group(1)] = match.group(2).strip()
    allowed = {"满分线", "每降", "每升", "步长", "扣", "零分线", "计法", "方向"}
    unknown = set(keys) - allowed
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
    if deduct < ZERO or deduct > base:
        raise RuleError(f"每档扣分 {fmt_plain(deduct)} 应在 0 到 {fmt_plain(base)} 分之间")
    zero = parse_threshold(keys["零分线"], "零分线") if "零分线" in keys else None
    return Step(parse_threshold(keys["满分线"], "满分线"), step, deduct, deduct_text, zero,
                method == "按比例", direction == "反向", start_points)


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
                raise RuleError(f"{self.kind}分数 {fmt_plain(band.points)} 应在 0 到 {fmt_plain(weight)} 分之间")

    def thresholds(self):
        found = [("界限", b.threshold) for b in self.bands if b.threshold is not None]
        return found + (self.tail.thresholds() if self.tail else [])

    def standard(self, weight, label, target=None):
        parts = [f"{b.condition(label)}，得{fmt_plain(b.points)}分" for b in self.bands]
        if self.tail:
            lead = f"{label}<{self.bands[-1].threshold.show()}时"
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
                return Outcome(score, process, deduction_reason(ctx, score))
        if self.tail:
            score, process = self.tail.apply(ctx.value, ctx.weight, ctx.label)
            score = finish(ctx.weight, score)
            return Outcome(score, process, deduction_reason(ctx, score))
        return Outcome(ZERO, f"{ctx.label}{ctx.value.show()}，不属于任何得分档，得0.00分", deduction_reason(ctx, ZERO))


class StepRule(Rule):
    kind = "阶梯扣分"

    def __init__(self, params: str, weight: Decimal):
        self.step = parse_step(params, weight)

    def thresholds(self):
        return self.step.thresholds()

    def standard(self, weight, label, target=None):
        return self.step.describe(label, weight)

    def score(self, ctx):
        score, process = self.step.apply(ctx.value, ctx.weight, ctx.label)
        score = finish(ctx.weight, score)
        return Outcome(score, process, deduction_reason(ctx, score))


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
            match = re.match(r"^(?:其下|以下|低于此)\s*每降\s*([\d.]+%?)\s*扣\s*([\d.]+%?(?:权重)?)分?$", tail)
            if not match:
                raise RuleError(f"“{tail}”应写作“其下每降1%扣0.1”")
            self.tail = parse_step(f"满分线={last.threshold.text}；每降={match.group(1)}；扣={match.group(2)}",
                                   weight, start_points=last.points)


# --- 要点 / 定性 / 人工 ---------------------------------------------------------

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
YES = {"是", "达成", "符合", "√", "✓", "✔", "Y", "y", "yes", "1", "满足", "有"}
NO = {"否", "未达成", "不符合", "×", "✗", "✘", "N", "n", "no", "0", "不满足", "无"}


def item_number(text: str) -> int | None:
    text = text.strip().rstrip("、.．)）")
    if text and text[0] in CIRCLED and len(text) == 1:
        return CIRCLED.index(text[0]) + 1
    text = text.lstrip("(（要点第").rstrip("项条")
    if text.isdigit():
        return int(text)
    return None


@dataclass(frozen=True)
class ChecklistItem:
    number: int
    label: str
    points: Decimal


class ChecklistRule(Rule):
    kind = "要点"
    needs_value = False

    def __init__(self, params: str, weight: Decimal):
        self.items: list[ChecklistItem] = []
        self.veto: str | None = None
        for part in split_params(params):
            label, points_text = split_pair(part)
            if label in ("否决", "一票否决"):
                self.veto = points_text
                continue
            label = label.lstrip(CIRCLED).strip()
            points = parse_points(points_text, weight, f"要点“{label}”的分数")
            self.items.append(ChecklistItem(len(self.items) + 1, label, points))
        if not self.items:
            raise RuleError("要点需要参数，例：①立项符合相关政策:0.5；②与部门职责相符:0.5")
        total = sum((i.points for i in self.items), ZERO)
        if total != weight:
            raise RuleError(f"各要点分数合计 {fmt_plain(total)} 分，与指标分值 {fmt_plain(weight)} 分不一致")

    def standard(self, weight, label, target=None):
        parts = [f"{CIRCLED[i.number - 1]}{i.label}，得{fmt_plain(i.points)}分" for i in self.items]
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
            if key in ("全部", "所有", "全部要点"):
                all_entry = entry
                continue
            if key in ("否决", "一票否决"):
                if entry.result.strip() in YES:
                    veto_hit = entry
                continue
            number = item_number(key)
            if number is None or number > len(self.items):
                problems.append(("error", entry.ref, f"要点编号“{entry.item}”不存在；本指标有 {len(self.items)} 个要点（①–{CIRCLED[len(self.items) - 1]}）"))
                continue
            by_item[number] = entry
        if veto_hit is not None:
            return Outcome(ZERO, f"存在否决情形（{self.veto or veto_hit.reason}），本指标得0.00分",
                           veto_hit.reason or f"存在否决情形：{self.veto}", problems)
        parts, total, lost = [], ZERO, []
        for item in self.items:
            entry = by_item.get(item.number, all_entry)
            mark = CIRCLED[item.number - 1]
            if entry is None:
                problems.append(("error", ctx.where, f"未录入要点{mark}的达成情况：请在“评分录入”中填写是/否或得分"))
                got = ZERO
            elif entry.score is not None and entry is not all_entry:
                got = entry.score
                if got < ZERO or got > item.points:
                    problems.append(("error", entry.ref, f"要点{mark}得分 {fmt_plain(got)} 超出 0–{fmt_plain(item.points)} 分"))
                    got = clamp(got, ZERO, item.points)
            else:
                result = entry.result.strip()
                if result in YES:
                    got = item.points
                elif result in NO:
                    got = ZERO
                else:
                    problems.append(("error", entry.where_result, f"要点{mark}的达成情况应填“是”或“否”（或在得分列填分数），填写的是“{entry.result}”"))
                    got = ZERO
            total += got
            parts.append(f"{mark}{fmt_plain(got)}")
            if got < item.points:
                lost.append(f"要点{mark}{item.label}，扣{fmt_plain(item.points - got)}分")
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
            return f"{self.name}得{fmt_plain(self.low)}分"
        return f"{self.name}得{fmt_plain(self.low)}–{fmt_plain(self.high)}分"


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
                           [("error", ctx.where, "未录入定性评价等级：请在“评分录入”中填写等级名称（及得分）")])
        entry = entries[-1]
        problems = []
        level = next((l for l in self.levels if l.name == entry.result.strip()), None)
        if level is None and entry.result.strip():
            problems.append(("error", entry.where_result, f"等级“{entry.result}”不存在；可选：{'、'.join(l.name for l in self.levels)}"))
        if entry.score is None:
            if level is None:
                if not entry.result.strip():
                    problems.append(("error", entry.ref, "定性评价须填写等级或得分"))
                return Outcome(ZERO, "未录入有效的评价等级，暂按0.00分", entry.reason, problems)
            if level.low != level.high:
                problems.append(("error", entry.ref, f"等级“{level.name}”对应 {fmt_plain(level.low)}–{fmt_plain(level.high)} 分，请在得分列填写具体分数"))
                score = level.low
            else:
                score = level.low
        else:
            score = entry.score
            if level is None:
                level = next((l for l in self.levels if l.low <= score <= l.high), None)
            elif not level.low <= score <= level.high:
                allowed = (f"为 {fmt_plain(level.low)} 分" if level.low == level.high
                           else f"的范围是 {fmt_plain(level.low)}–{fmt_plain(level.high)} 分")
                problems.append(("error", entry.ref, f"等级“{level.name}”{allowed}，得分填写了 {fmt_plain(score)}"))
        score = finish(ctx.weight, score)
        name = level.name if level else "（未定级）"
        reason = entry.reason
        if score < ctx.weight and not reason:
            problems.append(("warning", entry.ref, "得分低于分值，但没有填写扣分原因"))
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
                           [("error", ctx.where, "未录入人工评分：请在“评分录入”中填写得分和扣分原因")])
        entry = entries[-1]
        problems = []
        if entry.score < ZERO or entry.score > ctx.weight:
            problems.append(("error", entry.ref, f"得分 {fmt_plain(entry.score)} 超出 0–{fmt_plain(ctx.weight)} 分"))
        score = finish(ctx.weight, entry.score)
        if score < ctx.weight and not entry.reason:
            problems.append(("warning", entry.ref, "得分低于分值，但没有填写扣分原因"))
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
        shown = formula.render(self.tree, lambda name: label if name == "值" else name)
        return f"得分={shown}，最低0分，最高{fmt_plain(weight)}分"

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
                    values[name] = Value(ctx.target.value, ctx.target.is_rate, name)
                else:
                    if ctx.resolve is None:
                        raise formula.FormulaError(f"无法取得“{name}”")
                    values[name] = ctx.resolve(name)
            return values[name]

        raw = formula.evaluate(self.tree, lambda n: lookup(n).amount)
        score = finish(ctx.weight, raw)
        shown = formula.render(self.tree, lambda n: lookup(n).show())
        process = f"{shown}={fmt_score(round_score(raw))}"
        if score != round_score(raw):
            process += f"，按0–{fmt_plain(ctx.weight)}分计为{fmt_score(score)}"
        return Outcome(score, process, deduction_reason(ctx, score))


RULES: dict[str, type[Rule]] = {
    "比率": RatioRule,
    "区间": BandsRule,
    "阶梯扣分": StepRule,
    "分档": TiersRule,
    "要点": ChecklistRule,
    "定性": QualitativeRule,
    "人工": ManualRule,
    "公式": FormulaRule,
}


def make_rule(kind: str, params: str, weight: Decimal) -> Rule:
    cls = RULES.get(kind)
    if cls is None:
        raise RuleError(f"不认识的评分方法“{kind}”；可用：{'、'.join(RULES)}、子项合计")
    return cls(params or "", weight)
