"""区间, 阶梯扣分 and 分档: a value placed in bands, or scored by steps from a full-score line."""

from __future__ import annotations

import operator
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ..numbers import HUNDRED, ZERO, exact, fmt_exact, fmt_plain, fmt_score, round_score
from .base import (Outcome, Rule, RuleError, Threshold, Value, deduction_reason, equals, finish, parse_points, parse_share,
                   parse_threshold, show_exact, show_points, split_compare, split_pair, split_params)


_OPS = {"≥": ">=", ">=": ">=", ">": ">", "≤": "<=", "<=": "<=", "<": "<", "=": "=", "＝": "=",
        "＞": ">", "＜": "<", "≧": ">=", "≦": "<="}
_OP_SHOW = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}
_COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "=": operator.eq}


@dataclass(frozen=True)
class Band:
    op: str | None  # None: 其他 (fallback)
    threshold: Threshold | None
    points: Decimal | Fraction

    def matches(self, value: Decimal) -> bool:
        if self.op is None or self.threshold is None:
            return True
        return _COMPARE[self.op](value, self.threshold.value)

    def condition(self, label: str) -> str:
        if self.op is None or self.threshold is None:
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
        return _COMPARE[self.zero_compare](v, self.zero_line.value)

    def apply(self, value: Value, weight: Decimal, label: str) -> tuple[Decimal | Fraction, str, str]:
        """(exact score, 计算过程, 扣分原因) — the score is rounded once, by the caller (:func:`finish`)."""
        full = exact(self.start_points if self.start_points is not None else weight)
        v = value.amount
        gap = (v - self.line.value) if self.reverse else (self.line.value - v)
        if gap <= ZERO and not self.beyond_zero(v):
            reached = "不高于" if self.reverse else "达到"
            return full, f"{label}{value.show()}，{reached}{self.line.show()}，得{show_points(full)}分", ""
        if self.zero_line is not None and self.beyond_zero(v):
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
    value_only = True
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
        last = self.bands[-1].threshold
        if self.tail and last is not None:  # (a tail follows a ≥ or > band: one with a threshold)
            below = "≤" if self.bands[-1].op == ">" else "<"
            lead = f"{label}{below}{last.show()}时"
            parts.append(self.tail.describe(label, weight, lead=lead).replace(f"{lead}；", f"{lead}，"))
        elif self.bands[-1].op is not None:
            parts.append("其他情况，得0分")
        return "；".join(parts)

    def score(self, ctx):
        for band in self.bands:
            if band.matches(ctx.value.amount):
                score = finish(ctx.weight, band.points)
                cond = "其他情况" if band.op is None or band.threshold is None else f"{_OP_SHOW[band.op]}{band.threshold.show()}"
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
    value_only = True

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
            if last.op not in (">=", ">") or last.threshold is None:
                raise RuleError("“其下每降…扣…”要求最后一档是“≥界限:分数”")
            match = re.match(r"^(?:其下|以下|低于此)\s*每降\s*([\d.]+%?)\s*扣\s*((?:\d+/\d+|[\d.]+%?)(?:权重)?)分?$", tail)
            if not match:
                raise RuleError(f"“{tail}”应写作“其下每降1%扣0.1”")
            self.tail = parse_step(f"满分线={last.threshold.text}；每降={match.group(1)}；扣={match.group(2)}",
                                   weight, start_points=last.points)
