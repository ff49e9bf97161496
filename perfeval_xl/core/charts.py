"""The charts of a scored evaluation: what each shows (one place for each rule), and the 图表 sheet.

* 一级指标得分率 — each 一级指标's score ÷ its weight (the project's; for several units the
  aggregated scores of 一级指标得分表);
* 各单位总分 — each unit's 总分 (evaluations of several units only), the axis starting at a round
  figure below the lowest total;
* 各单位一级指标得分率 — each unit's score ÷ weight per 一级指标 (several units only);
* 各类对象满意度 / 各单位各类对象满意度 — satisfaction per respondent class (and per unit), where
  the evaluation has satisfaction data (:mod:`perfeval_xl.core.satisfaction`).

Each is a :class:`~perfeval_xl.core.writeplan.Chart`, the one chart model: the Word draft draws it as
a picture, the 图表 sheet places it as a native Excel chart over a small data table on the same sheet
(:class:`~perfeval_xl.core.writeplan.ChartPlan`); both take their charts from :func:`evaluation_charts`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from .environment import OutputSheets
from .numbers import ZERO, fmt_percent, fmt_plain, fmt_score, round_rate, to_decimal
from .pagefit import column_points
from .satisfaction import COMPOSITE, satisfaction_table
from .writeplan import DEFAULT_HEIGHT, Chart, ChartPlan, ChartSeries, SheetBuilder, SheetPlan

if TYPE_CHECKING:  # pragma: no cover
    from .scoring import Evaluation

CHART_SHEET = "评价图表"
ONE = Decimal(1)


def _points(value: Decimal) -> str:
    return f"{fmt_plain(value)}分"


def level1_chart(ev: "Evaluation") -> Chart:
    rates = tuple(round_rate(l.rate) for l in ev.level1)
    return Chart(
        categories=tuple(f"{l.name}（{_points(l.weight)}）" for l in ev.level1),
        series=(ChartSeries("得分率", rates),), percent=True, maximum=ONE, minimum=ZERO,
        title="一级指标得分率", category_title="一级指标", value_title="得分率",
        alt="；".join(f"{l.name} {fmt_percent(r)}" for l, r in zip(ev.level1, rates)))


def unit_totals_chart(ev: "Evaluation") -> Chart | None:
    """Each unit's 总分 (None for an evaluation of the project as a whole)."""
    if ev.whole:
        return None
    totals = tuple(u.total for u in ev.units)
    info = ev.book.info
    lines = tuple((to_decimal(info.get(k)), g) for k, g in (("grade_excellent", "优"), ("grade_good", "良"),
                                                          ("grade_fair", "中"))
                  if info.get(k) is not None and to_decimal(info.get(k)) > ZERO)
    return Chart(
        categories=tuple(u.name for u in ev.units), series=(ChartSeries("总分", totals),),
        maximum=Decimal(100), minimum=ZERO, lines=lines,
        title="各单位总分", category_title="单位", value_title="总分（分）",
        alt="；".join(f"{u.name} {fmt_score(u.total)}" for u in ev.units))


def unit_level1_chart(ev: "Evaluation") -> Chart | None:
    """Each unit's 得分率 per 一级指标 (None for an evaluation of the project as a whole)."""
    if ev.whole:
        return None
    names = [l.name for l in ev.level1]
    rates = {(u.name, l.name): round_rate(l.rate) for u in ev.units for l in u.level1}
    series = tuple(ChartSeries(f"{l.name}（{_points(l.weight)}）", tuple(rates.get((u.name, l.name)) for u in ev.units))
                   for l in ev.level1)
    return Chart(
        categories=tuple(u.name for u in ev.units), series=series, percent=True, maximum=ONE,
        minimum=ZERO, value_labels=False,
        title="各单位一级指标得分率", category_title="单位", value_title="得分率",
        alt="；".join(f"{u.name} " + "、".join(f"{n} {fmt_percent(rates[(u.name, n)])}" for n in names
                                               if (u.name, n) in rates) for u in ev.units))


def satisfaction_chart(ev: "Evaluation") -> Chart | None:
    """Satisfaction per respondent class (and per unit); None without any satisfaction rate."""
    table = satisfaction_table(ev)
    names = table.all_headers
    rows = [(row, table.values(row)) for row in table.rows]
    values = [v for _, vs in rows for v in vs if v is not None]
    if not names or not values:
        return None
    short = {u.full_name: u.short_name for u in ev.book.units}
    if ev.whole:
        _, only = rows[0]
        return Chart(
            categories=tuple(n.removesuffix("满意度") if n != COMPOSITE else n for n in names),
            series=(ChartSeries("满意度", tuple(only)),), percent=True, maximum=ONE, minimum=ZERO,
            title="各类对象满意度", category_title="调查对象", value_title="满意度",
            alt="，".join(f"{n} {fmt_percent(v)}" for n, v in zip(names, only) if v is not None))
    return Chart(
        categories=tuple(short.get(row.full_name, row.full_name) for row, _ in rows),
        series=tuple(ChartSeries(n.removesuffix("满意度") if n != COMPOSITE else n, tuple(vs[i] for _, vs in rows))
                     for i, n in enumerate(names)),
        percent=True, maximum=ONE, minimum=ZERO, value_labels=False,
        title="各单位各类对象满意度", category_title="单位", value_title="满意度",
        alt="；".join(f"{short.get(row.full_name, row.full_name)} "
                     + "、".join(fmt_percent(v) if v is not None else "—" for v in vs) for row, vs in rows))


def evaluation_charts(ev: "Evaluation") -> list[Chart]:
    """The charts of an evaluation, in the order they are shown."""
    found = [level1_chart(ev), unit_totals_chart(ev), unit_level1_chart(ev), satisfaction_chart(ev)]
    return [chart for chart in found if chart is not None]


# --- the 图表 sheet -----------------------------------------------------------------

#: the data table's columns (characters): the categories, then one per series
CATEGORY_WIDTH, SERIES_WIDTH, TABLE_COLUMNS = 18.0, 12.0, 6
#: rows of the data tables and under a chart are this high (points), so the chart's rows are known in
#: every program and the sheet can be cut into pages
CHART_ROW_HEIGHT = 15.0
#: the printed height of a portrait A4 page inside the margins (points, with some room to spare)
PAGE_HEIGHT = 700.0


def chart_sheet(ev: "Evaluation") -> SheetPlan:
    """图表: per chart a caption, its data table and the native chart drawn from that table."""
    charts = evaluation_charts(ev)
    ncols = max([TABLE_COLUMNS] + [1 + len(c.series) for c in charts])
    widths = [CATEGORY_WIDTH] + [SERIES_WIDTH] * (ncols - 1)
    b = SheetBuilder(CHART_SHEET, widths, landscape=False)
    b.title(f"{ev.book.name}评价结果图表", ncols)
    b.line("每幅图的数据是它上方的表格（与一级指标得分表、评分表、满意度情况表一致）。"
           "本表每次评分整体重写，请勿手工修改。", ncols, "note", height=30)
    chart_width = round(sum(column_points(w) for w in widths[:TABLE_COLUMNS]), 2)  # as wide as the table
    page_start = 0
    for n, chart in enumerate(charts, start=1):
        start = b.row
        b.plan.heights[b.row] = CHART_ROW_HEIGHT
        b.row += 1
        # the chart carries the caption 图n; the table above it is its data, not a second 图n
        b.line(f"{chart.title}（图{n}的数据）", ncols, "subtitle", height=22)
        header = b.values([chart.category_title] + [s.name for s in chart.series], "header", height=30)
        style = "percent" if chart.percent else "score"
        first = b.row
        for i, category in enumerate(chart.categories):
            b.values([category] + [s.values[i] for s in chart.series], ["center"] + [style] * len(chart.series))
        height = 252.0 if len(chart.series) > 2 else 216.0
        b.plan.charts.append(ChartPlan(chart, table=(header, 0), anchor=(b.row + 1, 0), width=chart_width,
                                       height=height, title=f"图{n} {chart.title}"))
        rows = int(-(-height // CHART_ROW_HEIGHT)) + 2
        for r in range(first, b.row + rows):
            b.plan.heights[r] = CHART_ROW_HEIGHT
        b.row += rows
        if _height(b.plan, page_start, b.row) > PAGE_HEIGHT:  # a chart and its table are never split
            b.plan.row_breaks.append(start)
            page_start = start
    return b.plan


def _height(plan: SheetPlan, first: int, end: int) -> float:
    return sum(plan.heights.get(r, DEFAULT_HEIGHT) for r in range(first, end))


#: the 图表 sheet, with its name (:mod:`perfeval_xl.extensions`)
CHART_SHEETS = OutputSheets((CHART_SHEET,), lambda ev, _: [chart_sheet(ev)])
