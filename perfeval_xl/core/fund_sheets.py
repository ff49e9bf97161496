"""The annex sheets of funds and payments: 资金使用情况表 (each unit's funds, year by year for a
project of several years), 奖励发放人数情况 (headcounts paid against the target) and 发放完成率 —
each rate through the core measure (:mod:`perfeval_xl.core.measures`), the totals equal to the rows
shown.  Listed in :data:`perfeval_xl.core.output_sheets.SCORE_SHEETS`.
"""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal

from . import measures, schema
from .book import Record
from .measures import MeasureError
from .numbers import ZERO, fmt_plain
from .scoring import Evaluation
from .sources import SourceError, headcounts, spent_of
from .writeplan import SheetBuilder, SheetPlan


def _rate(measure, numerator, denominator):
    """A table's rate column through the core measure (one place for each formula); blank when
    a figure is missing or the denominator is 0."""
    if numerator is None or not denominator:
        return None
    try:
        return measure(numerator, denominator)
    except MeasureError:
        return None


def _safe(func, *args):
    try:
        return func(*args)
    except (SourceError, MeasureError):
        return None


def _fund_rows(ev: Evaluation) -> list[tuple[str, str | None, list[Record]]]:
    """(name, unit's short name or None for the project's own rows, its 资金情况 rows)."""
    rows = ev.book.rows(schema.FUNDS)
    by_unit = ev.book.grouped(schema.FUNDS, "unit")
    result: list[tuple[str, str | None, list[Record]]] = []
    for unit in ev.book.units:
        own = list(by_unit.get(unit.short_name, ()))
        if own:
            result.append((unit.full_name, unit.short_name, own))
    blank = [r for r in rows if r.get("unit") is None]
    if blank:
        result.insert(0, ("项目整体（未分单位）", None, blank))
    return result


def _fund_sums(rows, keys) -> dict:
    sums = {}
    for k in keys:
        values = [r.get(k) for r in rows if r.get(k) is not None]
        sums[k] = sum(values, ZERO) if values else None
    return sums


def _fund_figures(sums: dict, keys) -> list:
    arrival = _rate(measures.arrival_rate, sums["arrived"], sums["budget"])
    execution = _rate(measures.execution_rate, sums["spent"], sums["arrived"])
    return [sums[k] for k in keys] + [arrival, execution]


def funds_sheet_by_year(ev: Evaluation, groups) -> SheetPlan:
    """资金使用情况表 of a project over several years: each unit (sub-project) year by year, its 小计,
    and the 总计 of all units, as reports print it."""
    headers = ["序号", "单位名称", "年度", "预算（下达）资金", "到位资金", "已使用资金", "结余资金", "结转资金", "资金到位率",
               "预算执行率", "备注"]
    b = SheetBuilder(schema.OUTPUT_FUNDS, [6, 30, 8, 15.5, 14, 14, 12, 12, 12, 12, 20.5])  # headers on one line
    b.title(f"{ev.book.name}资金使用情况表", len(headers))
    b.line(f"单位：{ev.book.amount_unit}", len(headers))
    b.header(headers)
    keys = ("budget", "arrived", "spent", "balance", "carryover")
    styles = ["center", "text", "center", "money", "money", "money", "money", "money", "percent", "percent", "text"]
    sub_styles = ["total_text", "total_text", "total_text"] + ["total_money"] * 5 + ["total_percent"] * 2 + ["total_text"]
    for n, (name, unit, rows) in enumerate(groups, start=1):
        years = sorted({r.get("year") for r in rows if r.get("year") is not None})
        first = b.row
        for year in years + ([None] if any(r.get("year") is None for r in rows) else []):
            own = [r for r in rows if r.get("year") == year]
            note = "；".join(str(r.get("note")) for r in own if r.get("note"))
            label = f"{fmt_plain(year)}年" if year is not None else "未分年度"
            b.values([n if b.row == first else "", name if b.row == first else "", label]
                     + _fund_figures(_fund_sums(own, keys), keys) + [note], styles)
        r = b.values(["", "", "小计"] + _fund_figures(_fund_sums(rows, keys), keys) + [""], sub_styles)
        b.merge(first, 0, r, 0)
        b.merge(first, 1, r, 1)
    every = [row for _, _, rows in groups for row in rows]
    r = b.values(["总计", "", ""] + _fund_figures(_fund_sums(every, keys), keys) + [""], sub_styles)
    b.merge(r, 0, r, 2)
    b.line("小计为该单位各年度之和，总计为各单位小计之和；小计、总计的比率按合计金额计算。", len(headers), "note")
    return b.plan


def funds_sheet(ev: Evaluation) -> SheetPlan | None:
    groups = _fund_rows(ev)
    if not groups:
        return None
    if any(r.get("year") is not None for _, _, rows in groups for r in rows):
        return funds_sheet_by_year(ev, groups)
    headers = ["序号", "单位名称", "预算（下达）资金", "到位资金", "已使用资金", "结余资金", "结转资金", "资金到位率", "预算执行率", "备注"]
    b = SheetBuilder(schema.OUTPUT_FUNDS, [6, 34, 15.5, 14, 14, 12, 12, 12, 12, 20.5])  # headers on one line
    b.title(f"{ev.book.name}资金使用情况表", len(headers))
    b.line(f"单位：{ev.book.amount_unit}", len(headers))
    b.header(headers)
    keys = ("budget", "arrived", "spent", "balance", "carryover")
    totals: dict[str, Decimal | None] = {k: None for k in keys}
    styles = ["center", "text", "money", "money", "money", "money", "money", "percent", "percent", "text"]
    for n, (name, unit, rows) in enumerate(groups, start=1):
        sums: dict[str, Decimal | None] = {}
        for k in keys:
            values = [r.get(k) for r in rows if r.get(k) is not None]
            total = sums[k] = sum(values, ZERO) if values else None
            if total is not None:
                totals[k] = (totals[k] or ZERO) + total
        arrival = _rate(measures.arrival_rate, sums["arrived"], sums["budget"])
        execution = _rate(measures.execution_rate, sums["spent"], sums["arrived"])
        note = "；".join(str(r.get("note")) for r in rows if r.get("note"))
        b.values([n, name] + [sums[k] for k in keys] + [arrival, execution, note], styles)
    t = totals
    arrival = _rate(measures.arrival_rate, t["arrived"], t["budget"])
    execution = _rate(measures.execution_rate, t["spent"], t["arrived"])
    r = b.values(["合计", ""] + [t[k] for k in keys] + [arrival, execution, ""],
                 ["total_text", "total_text"] + ["total_money"] * 5 + ["total_percent", "total_percent", "total_text"])
    b.merge(r, 0, r, 1)
    b.line("合计行为上列各行之和；合计行的比率按合计金额计算。", len(headers), "note")
    return b.plan


def headcount_sheet(ev: Evaluation) -> SheetPlan | None:
    roster = ev.book.rows(schema.ROSTER)
    if not roster:
        return None
    categories = list(OrderedDict.fromkeys(r.get("category") for r in roster if r.get("category")))
    headers = ["单位名称", "完成比例", "目标人数", "实际发放总人数"] + [f"{c}发放人数" for c in categories]
    b = SheetBuilder(schema.OUTPUT_HEADCOUNT, [34, 10, 10, 12] + [12] * len(categories))
    b.title(f"{ev.book.name}奖励发放人数情况", len(headers))
    b.line("单位：人", len(headers))
    b.header(headers)
    total_target = total_paid = ZERO
    cat_totals = [ZERO] * len(categories)
    by_unit = ev.book.grouped(schema.ROSTER, "unit")
    for unit in ev.book.units:
        rows = list(by_unit.get(unit.short_name, ()))
        if not rows:
            continue
        target, paid = headcounts(rows)
        per = [headcounts([r for r in rows if r.get("category") == c])[1] if any(r.get("category") == c for r in rows) else None
               for c in categories]
        for i, v in enumerate(per):
            cat_totals[i] += v or ZERO
        total_target += target
        total_paid += paid
        b.values([unit.full_name, _rate(measures.completion_rate, paid, target), target, paid] + per,
                 ["text", "percent", "integer", "integer"] + ["integer"] * len(categories))
    b.values(["合计", _rate(measures.completion_rate, total_paid, total_target), total_target, total_paid] + cat_totals,
             ["total_text", "total_percent", "total_integer", "total_integer"] + ["total_integer"] * len(categories))
    b.line("完成比例=实际发放总人数÷目标人数；合计行为上列各行之和。", len(headers), "note")
    return b.plan


def payout_sheet(ev: Evaluation) -> SheetPlan | None:
    if not ev.book.rows(schema.ROSTER) and not ev.book.rows(schema.LEDGER):
        return None
    groups = [g for g in _fund_rows(ev) if g[1] is not None]
    if not groups:
        return None
    headers = ["单位名称", "计划发放金额", "实际发放金额", "发放完成率"]
    b = SheetBuilder(schema.OUTPUT_PAYOUT, [34, 14, 14, 12], landscape=False)
    b.title(f"{ev.book.name}发放完成率", len(headers))
    b.line(f"单位：{ev.book.amount_unit}", len(headers))
    b.header(headers)
    total_plan = total_paid = ZERO
    for name, unit, rows in groups:
        budget = sum((r.get("budget") for r in rows if r.get("budget") is not None), ZERO)
        spent = _safe(lambda: spent_of(ev.scope(unit), refs=False)[0])  # ledger-aware, as the 发放完成率 source
        total_plan += budget
        total_paid += spent or ZERO
        b.values([name, budget, spent, _rate(measures.completion_rate, spent, budget)],
                 ["text", "money", "money", "percent"])
    b.values(["合计", total_plan, total_paid, _rate(measures.completion_rate, total_paid, total_plan)],
             ["total_text", "total_money", "total_money", "total_percent"])
    b.line("发放完成率=实际发放金额÷计划发放金额（预算数）；有支出明细时实际发放金额取明细合计。", len(headers), "note")
    return b.plan
