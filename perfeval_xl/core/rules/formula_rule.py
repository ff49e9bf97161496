"""公式: a score computed by the evaluator's formula over the value."""

from __future__ import annotations

from decimal import Decimal

from .. import formula
from ..numbers import fmt_plain, fmt_score, round_score
from .base import Outcome, Rule, RuleError, Value, finish, show_exact


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
