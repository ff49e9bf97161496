"""要点, 定性 and 人工: points met, a level judged, a score entered by hand."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Sequence

from ..numbers import EXACT_CONTEXT, ZERO, clamp, exact, fmt_exact, fmt_plain, fmt_score
from .base import (Entry, Outcome, Problem, Rule, RuleError, finish, manual_reason, parse_points, show_exact, show_points,
                   split_pair, split_params)


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


def _exact_decimal(value: Decimal) -> Decimal:
    return value if value else ZERO  # -0 is 0, as in Fraction


#: (as exact number, add, subtract, zero) for scores added in Decimal — a context whose precision never
#: rounds a sum or a difference — or in Fraction
_DECIMAL_OPS = (_exact_decimal, EXACT_CONTEXT.add, EXACT_CONTEXT.subtract, ZERO)
_FRACTION_OPS = (exact, operator.add, operator.sub, Fraction(0))


class ChecklistRule(Rule):
    kind = "要点"
    needs_value = False
    scope_free = True

    def __init__(self, params: str, weight: Decimal):
        self.items, self.veto, _ = parse_items(params, weight, "要点")
        if not self.items:
            raise RuleError("要点需要参数，例：①立项符合相关政策:0.5；②与部门职责相符:0.5")
        #: every point a Decimal: scores are added exactly in Decimal (see score)
        self._decimal = all(type(i.points) is Decimal for i in self.items)
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
        all_entry: Entry | None = None
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
                           veto_hit.reason or f"存在否决情形：{self.veto}", tuple(problems))
        # exact arithmetic: in Decimal (exact context) when every point and score is a Decimal, else in
        # Fraction (a share such as 1/3 of the weight); the same values, so the same texts and score
        decimal = self._decimal and all(e.score is None or type(e.score) is Decimal for e in ctx.entries)
        ops: Any = _DECIMAL_OPS if decimal else _FRACTION_OPS  # Decimal or Fraction throughout, never mixed
        num, add, sub, zero = ops
        parts, total, lost = [], zero, []
        for item in self.items:
            entry = by_item.get(item.number, all_entry)
            mark = item.mark
            points = num(item.points)
            if entry is None:
                problems.append(Problem.error(ctx.where, f"未录入要点{mark}的达成情况：请在“评分录入”中填写是/否或得分"))
                got = zero
            elif entry.score is not None and entry is not all_entry:
                got = num(entry.score)
                if got < 0 or got > points:
                    problems.append(Problem.error(entry.ref, f"要点{mark}得分 {fmt_plain(entry.score)} 超出 0–{show_points(item.points)} 分"))
                    got = clamp(got, zero, points)
            else:
                result = entry.result.strip()
                if result in YES:
                    got = points
                elif result in NO:
                    got = zero
                else:
                    problems.append(Problem.error(entry.where_result, f"要点{mark}的达成情况应填“是”或“否”（或在得分列填分数），填写的是“{entry.result}”"))
                    got = zero
            total = add(total, got)
            parts.append(f"{mark}{fmt_exact(got)}")
            if got < points:
                lost.append(f"要点{mark}{item.label}，扣{fmt_exact(sub(points, got))}分")
        score = finish(ctx.weight, total)
        process = "+".join(parts) + f"={fmt_score(score)}"
        reason = manual_reason(ctx.entries) or "；".join(lost)
        return Outcome(score, process, reason if score < ctx.weight else manual_reason(ctx.entries), tuple(problems))


DEFAULT_LEVELS = "达成:80%-100%；部分达成:60%-80%；未达成:0%-60%"


@dataclass(frozen=True)
class Level:
    name: str
    low: Decimal | Fraction
    high: Decimal | Fraction

    def show(self) -> str:
        if self.low == self.high:
            return f"{self.name}得{show_points(self.low)}分"
        return f"{self.name}得{show_points(self.low)}–{show_points(self.high)}分"


def _beyond_weight(entry: Entry, weight: Decimal) -> list[Problem]:
    """An error at a typed score outside 0–分值 (the score is then held within it by :func:`finish`)."""
    if entry.score is not None and (entry.score < ZERO or entry.score > weight):
        return [Problem.error(entry.ref, f"得分 {fmt_plain(entry.score)} 超出 0–{fmt_plain(weight)} 分")]
    return []


class QualitativeRule(Rule):
    kind = "定性"
    needs_value = False
    scope_free = True

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
                           (Problem.error(ctx.where, "未录入定性评价等级：请在“评分录入”中填写等级名称（及得分）"),))
        entry = entries[-1]
        problems = []
        level = next((l for l in self.levels if l.name == entry.result.strip()), None)
        if level is None and entry.result.strip():
            problems.append(Problem.error(entry.where_result, f"等级“{entry.result}”不存在；可选：{'、'.join(l.name for l in self.levels)}"))
        if entry.score is None:
            if level is None:
                if not entry.result.strip():
                    problems.append(Problem.error(entry.ref, "定性评价须填写等级或得分"))
                return Outcome(ZERO, "未录入有效的评价等级，暂按0.00分", entry.reason, tuple(problems))
            if level.low != level.high:
                problems.append(Problem.error(entry.ref, f"等级“{level.name}”对应 {show_points(level.low)}–{show_points(level.high)} 分，请在得分列填写具体分数"))
                score = level.low
            else:
                score = level.low
        else:
            score = entry.score
            problems.extend(_beyond_weight(entry, ctx.weight))
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
        return Outcome(score, f"评价等级：{name}，得{fmt_score(score)}分", reason, tuple(problems))


class ManualRule(Rule):
    kind = "人工"
    needs_value = False
    scope_free = True

    def __init__(self, params: str, weight: Decimal):
        self.text = (params or "").strip()

    def standard(self, weight, label, target=None):
        return self.text or f"由评价人员对照评价要点评分，满分{fmt_plain(weight)}分"

    def score(self, ctx):
        entries = [e for e in ctx.entries if e.score is not None]
        if not entries:
            return Outcome(ZERO, "未录入人工评分，暂按0.00分", "未录入人工评分",
                           (Problem.error(ctx.where, "未录入人工评分：请在“评分录入”中填写得分和扣分原因"),))
        entry = entries[-1]
        problems = []
        problems.extend(_beyond_weight(entry, ctx.weight))
        score = finish(ctx.weight, entry.score)
        if score < ctx.weight and not entry.reason:
            problems.append(Problem.warning(entry.ref, "得分低于分值，但没有填写扣分原因"))
        return Outcome(score, f"人工评分：{fmt_score(score)}分", entry.reason, tuple(problems))
