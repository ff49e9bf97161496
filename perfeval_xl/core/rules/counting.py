"""逐项扣分 and 趋势: a deduction per item not met, a trend over the years."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Sequence

from .. import formula
from ..numbers import ZERO, exact, fmt_plain, fmt_score
from .base import (Entry, Outcome, Problem, Rule, RuleError, Value, finish, manual_reason, parse_points, show_exact,
                   show_points, split_params)
from .checklist import ALL_ITEMS, NO, YES, find_item, missing_item_message, parse_items


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
    scope_free = True
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

    def _unmet(self, ctx) -> tuple[list[str], list[Problem], bool]:
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
                           (Problem.error(ctx.where, "未录入逐项扣分的评价结果：请在“评分录入”中填写各项是否满足（全部满足填 全部/是）"),))
        n = len(unmet)
        listed = f"（{'、'.join(unmet)}）" if unmet else ""
        if n == 0:
            return Outcome(finish(ctx.weight, ctx.weight), f"各项均满足，得{fmt_plain(ctx.weight)}分", "", tuple(problems))
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
        return Outcome(score, process, reason, tuple(problems))


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
