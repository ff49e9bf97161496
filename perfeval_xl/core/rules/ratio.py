"""比率: a rate scored against its target."""

from __future__ import annotations

from decimal import Decimal

from ..numbers import ONE, ZERO, fmt_percent, fmt_plain, fmt_score, round_rate
from .base import Outcome, Rule, RuleError, Threshold, deduction_reason, finish


#: the 目标值 of a rate without one (a threshold is never changed: one for every score)
_FULL = Threshold(ONE, "100%", True)


class RatioRule(Rule):
    kind = "比率"
    value_only = True

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
        target = ctx.target or _FULL
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
