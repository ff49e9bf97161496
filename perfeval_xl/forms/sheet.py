"""The output sheet 自评表: an evaluation of type 绩效自评 laid out as 财预〔2020〕10号 附1.

One form per scored unit (one for a project scored as a whole), one under another, so the
sheet reads back through :func:`perfeval_xl.forms.find_forms` like any form that circulates.
The 预算执行率 indicator (the one whose 取值来源 is 预算执行率(…)) fills the 项目资金 block;
every other indicator is a row of the indicator table with its 年度指标值 (目标值) and 实际完成值.
An indicator without a measured value (定性、要点、人工) shows the tier its score falls in
(达成 ≥ 80 %, 部分达成 ≥ 60 %, else 未达成 of its 分值), the three tiers of 财预〔2020〕10号.
"""

from __future__ import annotations

from decimal import Decimal

from perfeval_xl.core import schema
from perfeval_xl.core.measures import MeasureError, execution_rate
from perfeval_xl.core.numbers import ZERO, fmt_plain, round_rate
from perfeval_xl.core.scoring import Evaluation, UnitScore
from perfeval_xl.core.sources import SourceError, spent_of
from perfeval_xl.core.environment import OutputSheets
from perfeval_xl.core.writeplan import SheetBuilder, SheetPlan, needed_height

SHEET_NAME = "自评表"
EVAL_TYPE = "绩效自评"
_NCOLS = 9
_WIDTHS = [8, 12, 16, 24, 14, 14, 9, 12, 28]


def is_self_evaluation(ev: Evaluation) -> bool:
    return ev.book.info.get("eval_type") == EVAL_TYPE


def selfeval_sheets(ev: Evaluation) -> list[SheetPlan]:
    """The sheet 自评表 for an evaluation of type 绩效自评, else nothing."""
    if not is_self_evaluation(ev):
        return []
    b = SheetBuilder(SHEET_NAME, _WIDTHS, landscape=False)
    for n, unit in enumerate(ev.units):
        if n:
            b.row += 2
        _form(b, ev, unit)
    return [b.plan]


#: the output sheet as the extensions list names it (perfeval_xl/extensions.py)
FORM_SHEETS = OutputSheets((SHEET_NAME,), lambda ev, _: selfeval_sheets(ev))


def _is_execution(source: str) -> bool:
    return source.replace(" ", "").startswith("预算执行率")


def _tier(score: Decimal, weight: Decimal) -> str:
    if weight <= ZERO:
        return ""
    share = score / weight
    if share >= Decimal("0.8"):
        return "达成年度指标"
    if share >= Decimal("0.6"):
        return "部分达成年度指标"
    return "未达成年度指标"


def _funds(ev: Evaluation, unit: UnitScore) -> tuple[Decimal | None, Decimal | None]:
    scope = ev.scope(None if ev.whole else unit.name)
    budgets = [r.get("budget") for r in scope.rows(schema.FUNDS, defaults=True) if r.get("budget") is not None]
    budget = sum(budgets, ZERO) if budgets else None
    try:
        spent, _ = spent_of(scope, refs=False)
    except (SourceError, MeasureError):
        spent = None
    return budget, spent


def _form(b: SheetBuilder, ev: Evaluation, unit: UnitScore) -> None:
    book = ev.book
    defs = {d.code: d for d in ev.system.for_unit(None if ev.whole else unit.name)}
    execution = next((s for s in unit.indicators if _is_execution(defs[s.code].source if s.code in defs else "")), None)
    others = [s for s in unit.indicators if s is not execution]
    year = book.info.get("year")
    b.title(f"{book.name}项目支出绩效自评表", _NCOLS)
    shown = fmt_plain(year) if isinstance(year, Decimal) else year  # a range prints as 2021-2024
    b.line(f"（{shown}年度）" if year is not None else "（    年度）", _NCOLS, "subtitle")
    r = b.values(["项目名称", "", book.name] + [""] * 6, ["header", "header"] + ["text"] * 7)
    b.merge(r, 0, r, 1)
    b.merge(r, 2, r, 8)
    names = unit.full_name if not ev.whole else "、".join(u.full_name for u in book.units)
    r = b.values(["主管部门", "", "", "", "", "实施单位", names, "", ""],
                 ["header", "header", "text", "text", "text", "header", "text", "text", "text"])
    b.merge(r, 0, r, 1)
    b.merge(r, 2, r, 4)
    b.merge(r, 6, r, 8)
    b.plan.heights[r] = min(max(18, needed_height(names, sum(_WIDTHS[6:9]))), 409)
    # 项目资金
    top = b.values([f"项目资金（{book.amount_unit}）", "", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
                   "header", height=30)
    budget, spent = _funds(ev, unit)
    if execution is not None:
        rate = execution.value.amount if execution.value is not None and execution.value.is_rate else None
        weight, score = execution.weight, execution.score
    else:  # not scored: 分值 0 keeps 0 + the indicators' 100 = 100; the rate is shown for information
        weight = score = ZERO
        try:
            rate = round_rate(execution_rate(spent, budget)) if spent is not None and budget else None
        except MeasureError:
            rate = None
    b.values(["", "", "年度资金总额", None, budget, spent, weight, rate, score],
             ["text", "text", "text", "money", "money", "money", "score", "percent", "score"])
    for label in ("其中：当年财政拨款", "上年结转资金", "其他资金"):
        b.values(["", "", label, None, None, None, None, None, None],
                 ["text", "text", "text", "money", "money", "money", "score", "percent", "score"])
    b.merge(top, 0, b.row - 1, 1)
    # 年度总体目标
    r = b.values(["年度总体目标", "", "预期目标", "", "", "实际完成情况", "", "", ""],
                 ["header", "header", "header", "header", "header", "header", "header", "header", "header"])
    b.merge(r, 0, r + 1, 1)
    b.merge(r, 2, r, 4)
    b.merge(r, 5, r, 8)
    r = b.values([""] * _NCOLS, "text", height=42)
    b.merge(r, 2, r, 4)
    b.merge(r, 5, r, 8)
    # 绩效指标
    head = b.values(["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                     "偏差原因分析及改进措施"], "header", height=30)
    level1 = {l.name: l.weight for l in unit.level1}
    start1 = start2 = b.row
    for i, s in enumerate(others):
        target = defs[s.code].target if s.code in defs else ""
        actual = s.value.show() if s.value is not None else _tier(s.score, s.weight)
        reason = s.reason if s.score < s.weight else ""
        r = b.values(["", "", "", s.level3, target, actual, s.weight, s.score, reason],
                     ["text", "center", "center", "text", "center", "center", "score", "score", "text"])
        b.fit_height(r)
        nxt = others[i + 1] if i + 1 < len(others) else None
        if nxt is None or (nxt.level1, nxt.level2) != (s.level1, s.level2):
            b.put(start2, 2, s.level2, "center")
            b.merge(start2, 2, r, 2)
            start2 = r + 1
        if nxt is None or nxt.level1 != s.level1:
            points = level1.get(s.level1)
            b.put(start1, 1, f"{s.level1}（{fmt_plain(points)}分）" if points is not None else s.level1, "center")
            b.merge(start1, 1, r, 1)
            start1 = r + 1
    b.merge(head, 0, max(head, b.row - 1), 0)
    total_weight = sum((s.weight for s in unit.indicators), ZERO)
    r = b.values(["总分", "", "", "", "", "", total_weight, unit.total, f"自评等级：{unit.grade}"],
                 ["total_text"] * 6 + ["total_score", "total_score", "total_text"])
    b.merge(r, 0, r, 5)
    notes = []
    if execution is None:
        notes.append("本评价未设取值来源为“预算执行率”的计分指标，项目资金栏分值记 0，执行率（全年执行数÷全年预算数）仅供参考")
    notes.append("年初预算数：评价模板的“资金情况”只有预算数一列（列为全年预算数），年初预算数请按年初批复填写")
    notes.append("实际完成值为等级的，按得分占分值的比例列示：80%及以上为达成，60%～80%为部分达成，60%以下为未达成")
    b.line("注：" + "；".join(notes) + "。", _NCOLS, "note", height=44)
