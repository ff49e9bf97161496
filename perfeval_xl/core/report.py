"""Output sheets of a scored evaluation, and the plan stage that lays them out as a write plan.

得分汇总, 评分表 / 评分表-<简称>, 一级指标得分表, 资金使用情况表, 奖励发放人数情况,
发放完成率, 取数底稿 and 校验结果 — laid out like the annex tables of real reports
(merged 一级/二级 cells, percent and 0.00 formats, totals that equal the rows shown).
The core's builders are listed, with the names of the sheets they write, in
:data:`SCORE_SHEETS` and :data:`CLOSING_SHEETS`; :mod:`perfeval_xl.extensions` puts the
questionnaire annexes between the two.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from decimal import Decimal
from typing import Callable, Iterable

from . import measures, schema
from .book import Record
from .measures import MeasureError
from .extension import Env, OutputSheets, SheetsBuilder
from .findings import FindingList, Findings, format_refs
from .numbers import ZERO, fmt_plain, fmt_score, round_rate, to_decimal
from .scoring import Evaluation, IndicatorScore, UnitScore
from .sheetnames import scoresheet_names
from .sources import Scope, SourceError, headcounts, spent_of
from .pagefit import block_breaks, column_points, fit_scale, group_breaks, page_rows, printable, widths_for_scale
from .styles import SEVERITY_STYLE, STYLES, StyleName
from .textfit import breaks_sensibly, lines_needed
from .writeplan import (DEFAULT_HEIGHT, SheetBuilder, SheetPlan, WritePlan, display_width, finish, fit_wrapped_rows,
                        lay_out, needed_height)

def scoresheet_name(evaluation: Evaluation, unit: UnitScore) -> str:
    if evaluation.whole:
        return schema.OUTPUT_SCORESHEET
    return scoresheet_names([u.name for u in evaluation.units])[unit.name]


def plan(evaluation: Evaluation, env: Env) -> tuple[WritePlan, Findings]:
    """Stage 7: every output sheet of the run's extensions, in their order, finished and frozen.
    The sheets are built from the evaluation with every finding the run gathered before this stage
    (``env.findings``, the one channel), so 校验结果 lists whatever any stage reported; a builder
    returns sheets only, never findings."""
    sheets = [sheet for output in env.extensions.sheets for sheet in output.build(evaluation, env.findings)]
    return plan_sheets(sheets), Findings()


def plan_sheets(sheets: Iterable[SheetPlan]) -> WritePlan:
    """The write plan of ``sheets``: each finished (labels not broken mid-word; no wrapped text cut
    or printed over the next row) and frozen, as every writer gets it."""
    return WritePlan(tuple(finish(sheet) for sheet in sheets))


def score_sheets(evaluation: Evaluation) -> list[SheetPlan]:
    if evaluation.whole:
        return [score_sheet(evaluation, u) for u in evaluation.units]
    names = scoresheet_names([u.name for u in evaluation.units])
    return [score_sheet(evaluation, u, names[u.name]) for u in evaluation.units]


def _one(builder: Callable[[Evaluation], SheetPlan | None]) -> SheetsBuilder:
    """A builder of at most one sheet from the evaluation as a builder of the plan stage."""
    def build(evaluation: Evaluation, findings: FindingList) -> list[SheetPlan]:
        sheet = builder(evaluation)
        return [sheet] if sheet is not None else []
    build.__name__ = builder.__name__
    return build


def _with_weight(name: str, weight: Decimal) -> str:
    return f"{name}（{fmt_plain(weight)}分）"


def _columns(evaluation: Evaluation) -> list[IndicatorScore]:
    """One column per 三级 indicator, in indicator-system order (union over units)."""
    seen: "OrderedDict[str, IndicatorScore]" = OrderedDict()
    for unit in evaluation.units:
        for s in unit.indicators:
            seen.setdefault(s.code, s)
    return list(seen.values())


#: the scale (percent) 得分汇总 is laid out to print at, one A4 landscape page wide
SUMMARY_SCALE = 85
#: narrowest and widest score column of 得分汇总 (characters)
SUMMARY_SCORE_WIDTH = (9.0, 13.0)


def _runs(items: list, key) -> list[list]:
    """Consecutive items with the same key, as lists."""
    runs: list[list] = []
    for item in items:
        if runs and key(runs[-1][0]) == key(item):
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _chunks(columns: list[IndicatorScore], most: int) -> list[list[IndicatorScore]]:
    """A 一级's 三级 columns in parts of at most ``most``, cut between 二级 groups where it can."""
    parts: list[list[IndicatorScore]] = [[]]
    for group in _runs(columns, lambda s: s.level2):
        while group:
            if len(parts[-1]) + len(group) <= most:
                parts[-1] += group
                group = []
            elif parts[-1]:
                parts.append([])
            else:  # a 二级 group wider than a part: cut inside it
                parts[-1], group = group[:most], group[most:]
                parts.append([])
    return [part for part in parts if part]


def summary_sheet(ev: Evaluation) -> SheetPlan:
    """得分汇总: the units' scores in blocks that each print one A4 landscape page wide at
    :data:`SUMMARY_SCALE` — one block per 一级指标 (序号, 单位名称, its 三级 indicators grouped under
    their 二级, its 小计), then a block of the 一级 subtotals, 总分 and 等级.  Every block has one row
    per unit; a multi-unit evaluation adds 合计 (sum over the units) and 平均分 (the project row).
    A block starts a new page where it would not fit on the current one."""
    columns = _columns(ev)
    level1 = list(OrderedDict.fromkeys(c.level1 for c in columns))
    weight1 = {name: sum((c.weight for c in columns if c.level1 == name), ZERO) for name in level1}
    name_width = min(40.0, max([14.0] + [display_width(u.full_name) + 3.0 for u in ev.units]))
    fixed = column_points(5) + column_points(name_width)
    room = int((printable(True)[0] * 100 / SUMMARY_SCALE - fixed) // column_points(SUMMARY_SCORE_WIDTH[0]))
    parts = []  # (一级, its 三级 columns in this part, continued, with the 小计)
    for name in level1:
        chunks = _chunks([c for c in columns if c.level1 == name], max(room - 1, 1))
        parts += [(name, chunk, k > 0, k == len(chunks) - 1) for k, chunk in enumerate(chunks)]
    most = max([len(chunk) + last for _, chunk, _, last in parts] + [len(level1) + 2])
    width = max(SUMMARY_SCORE_WIDTH[0], min(SUMMARY_SCORE_WIDTH[1], widths_for_scale(SUMMARY_SCALE, True, fixed, most)))
    ncols = 2 + most
    b = SheetBuilder(schema.OUTPUT_SUMMARY, [5, name_width] + [width] * most)
    b.title(f"{ev.book.name}绩效评价得分汇总表", ncols)
    how = ev.book.shape
    if not ev.whole:
        how += ("；项目得分为各单位总分按预算数加权平均" if ev.fund_weighted else "；项目得分为各单位总分的算术平均")
    b.line(f"评价形态：{how}；总分 {fmt_score(ev.total)} 分，等级“{ev.grade}”", ncols)
    b.plan.title_rows = (0, 1)  # the table's title on every page: each block has its own header rows
    b.plan.freeze = (0, 2)
    label = "加权平均分" if ev.fund_weighted else "平均分"
    means, residue, adjusted = ev.indicator_means() if not ev.whole else ({}, "", None)
    project1 = {l.name: l.score for l in ev.level1}
    blocks: list[tuple[int, int]] = []
    new_pages: set[int] = set()
    scale = fit_scale(sum(column_points(w) for w in b.plan.widths.values()), True)
    page = page_rows(True, scale) - sum(b.plan.heights.get(r, DEFAULT_HEIGHT) for r in range(2))
    # the height finish() gives a unit's row: its name's lines (one line of CJK is taller than the default)
    unit_height = max([DEFAULT_HEIGHT] + [needed_height(u.full_name, name_width) for u in ev.units])

    def header(head: Callable[[int], None], n: int) -> float:
        """The block's three header rows; returns their height."""
        top = b.row
        for r in range(3):
            b.values([None] * n, "header", height=30 if r < 2 else None)
        b.put(top, 0, "序号", "header")
        b.put(top, 1, "单位名称", "header")
        b.merge(top, 0, top + 2, 0)
        b.merge(top, 1, top + 2, 1)
        head(top)
        b.fit_height(top + 2, minimum=DEFAULT_HEIGHT)
        return 60 + b.plan.heights[top + 2]

    def block(head: Callable[[int], None], values: Callable[[UnitScore], list], mean: list, n: int) -> None:
        """One block; when its rows would not fit on a page, the header is repeated at the top of each page."""
        top = b.row
        extra = 0 if ev.whole else 2
        fits = max(3, int((page - header(head, n)) // unit_height))
        units = list(enumerate(ev.units, start=1))
        while units:
            if len(units) + extra > fits:  # this page full; the 合计 and 平均分 rows go with the last units
                take = min(fits, len(units) - 1) if extra else fits
                for k, unit in units[:take]:
                    b.values([k, unit.full_name] + values(unit), ["center", "text"] + ["score"] * (n - 2))
                units = units[take:]
                blocks.append((top, b.row - 1))
                top = b.row
                new_pages.add(top)
                header(head, n)
                continue
            for k, unit in units:
                b.values([k, unit.full_name] + values(unit), ["center", "text"] + ["score"] * (n - 2))
            units = []
        if not ev.whole:
            rows = [values(u) for u in ev.units]
            sums = [sum((r[i] for r in rows if isinstance(r[i], Decimal)), ZERO)
                    if any(isinstance(r[i], Decimal) for r in rows) else None for i in range(n - 2)]  # 等级: blank
            b.values(["", "合计"] + sums, ["total_text"] * 2 + ["total_score"] * (n - 2))
            b.values(["", label] + mean, ["total_text"] * 2 + ["total_score"] * (n - 2))
        blocks.append((top, b.row - 1))
        b.row += 1  # a blank row between blocks

    for name, chunk, continued, last in parts:
        n = 2 + len(chunk) + last

        def head(top: int, name=name, chunk=chunk, continued=continued, last=last, n=n) -> None:
            b.put(top, 2, _with_weight(name, weight1[name]) + ("（续）" if continued else ""), "header")
            b.merge(top, 2, top, n - 1)
            c = 2
            for group in _runs(chunk, lambda s: s.level2):
                weight2 = sum((s.weight for s in columns if (s.level1, s.level2) == (name, group[0].level2)), ZERO)
                b.put(top + 1, c, _with_weight(group[0].level2, weight2), "header")
                b.merge(top + 1, c, top + 1, c + len(group) - 1)
                for s in group:
                    b.put(top + 2, c, _label(s.level3, s.weight), "header")
                    c += 1
            if last:
                b.put(top + 1, c, f"{name}小计", "header")
                b.merge(top + 1, c, top + 2, c)

        def values(unit: UnitScore, chunk=chunk, last=last, name=name) -> list:
            scores = {s.code: s.score for s in unit.indicators}
            subtotal = [next((l.score for l in unit.level1 if l.name == name), None)] if last else []
            return [scores.get(c.code) for c in chunk] + subtotal

        block(head, values, [means.get(c.code) for c in chunk] + ([project1.get(name)] if last else []), n)

    def final_head(top: int) -> None:
        b.put(top, 2, "一级指标得分", "header")
        b.merge(top, 2, top, 1 + len(level1))
        for i, name in enumerate(level1):
            b.put(top + 1, 2 + i, _with_weight(name, weight1[name]), "header")
            b.merge(top + 1, 2 + i, top + 2, 2 + i)
        total_weight = sum(weight1.values(), ZERO)
        for c, text in ((2 + len(level1), _with_weight("总分", total_weight)), (3 + len(level1), "等级")):
            b.put(top, c, text, "header")
            b.merge(top, c, top + 2, c)

    def final_values(unit: UnitScore) -> list:
        scores = {l.name: l.score for l in unit.level1}
        return [scores.get(name) for name in level1] + [unit.total, unit.grade]

    final = b.row
    block(final_head, final_values, [project1.get(name) for name in level1] + [ev.total, ev.grade], 4 + len(level1))
    _grade_cells_centred(b, final, 3 + len(level1))
    b.row -= 1
    if not ev.whole:
        mean_how = "按各单位预算数加权平均" if ev.fund_weighted else "为各单位得分的算术平均"
        b.line(f"注：合计为各单位得分之和（等级不合计）；{label}{mean_how}，四舍五入保留两位小数，"
               f"其中一级指标和总分的{label}即项目得分。", ncols, "note")
        if adjusted is not None:
            name = next(c.level3 for c in columns if c.code == adjusted)
            b.line(f"注：各指标{label}" + residue.format(name=name) + "。", ncols, "note")
    b.line("等级：" + "，".join(f"{g}≥{fmt_plain(to_decimal(ev.book.info.get(k)))}分" for g, k in
                              (("优", "grade_excellent"), ("良", "grade_good"), ("中", "grade_fair"))) + "，其余为差。", ncols, "note")
    lay_out(b.plan)  # the final widths and row heights, which the breaks are computed from
    b.plan.row_breaks = block_breaks(b.plan, blocks, new_pages)
    return b.plan


def _grade_cells_centred(b: SheetBuilder, first: int, col: int) -> None:
    """The 等级 column of the last block (from row ``first``) is text: centred."""
    cells = b.plan.cells
    for i, (r, c, value, style) in enumerate(cells):
        if c == col and r >= first and style in ("score", "total_score"):
            cells[i] = (r, c, value, StyleName("total_text" if style == "total_score" else "center"))


#: the scale (percent) the 评分表 is laid out to print at, one A4 landscape page wide
SCORE_SHEET_SCALE = 80
#: widths of the 评分表's 一级, 二级 and 三级 columns (the labels print their 分值 on a line of their own)
_SCORE_LABEL_WIDTHS = [9.5, 10.0, 14.0]  # 一级指标 on one line in bold SimSun
#: each column the 评分表 can print after 三级指标: a fixed width, or a share of the width left
#: (text columns), and its style
_SCORE_COLUMN_LAYOUT = {"编码": (6.0, None, "center"), "分值": (6.0, None, "center"), "指标解释": (None, 3, "text"), "评分标准": (None, 5, "text"),
                        "计算过程": (None, 5, "text"), "得分": (7.0, None, "score"), "扣分原因": (None, 3, "text"),
                        "评价意见": (None, 3, "text")}
#: the narrowest a text column of the 评分表 gets (characters)
_SCORE_TEXT_MIN = 16.0


def score_sheet_widths(columns: list[str]) -> list[float]:
    """Widths of the 评分表's columns: labels and numbers as narrow as their content allows, the text
    columns sharing what is left of an A4 landscape page at :data:`SCORE_SHEET_SCALE` percent."""
    fixed = sum(_SCORE_LABEL_WIDTHS) + sum(_SCORE_COLUMN_LAYOUT[c][0] or 0 for c in columns)
    shares = sum(_SCORE_COLUMN_LAYOUT[c][1] or 0 for c in columns)
    room = printable(True)[0] * 100 / SCORE_SHEET_SCALE / column_points(1) - fixed
    widths = list(_SCORE_LABEL_WIDTHS)
    for c in columns:
        width, share, _ = _SCORE_COLUMN_LAYOUT[c]
        widths.append(width if width is not None else max(_SCORE_TEXT_MIN, math.floor(room * (share or 0) / shares * 2) / 2))
    return widths


def _label(name: str, weight: Decimal) -> str:
    """A merged 一级/二级 label of the 评分表: the name, its 分值 on the next line."""
    return f"{name}\n（{fmt_plain(weight)}分）"


def parse_score_columns(text: str) -> tuple[list[str], str]:
    """项目信息!评分表列 as the columns after 三级指标: (columns in order, problem or '').
    分值 and 得分 are added when not named: 分值 first, 得分 before 扣分原因 and 评价意见."""
    names = [n for n in re.split(r"[、，,；;\s]+", text or "") if n]
    unknown = [n for n in names if n not in schema.SCORE_COLUMNS]
    if unknown:
        return [], f"评分表列“{unknown[0]}”不认识；可用：{'、'.join(schema.SCORE_COLUMNS)}，用顿号分隔"
    repeated = next((n for i, n in enumerate(names) if n in names[:i]), None)
    if repeated:
        return [], f"评分表列“{repeated}”写了两次"
    if "分值" not in names:
        names.insert(1 if names[:1] == ["编码"] else 0, "分值")
    if "得分" not in names:
        after = [i for i, n in enumerate(names) if n in ("扣分原因", "评价意见")]
        names.insert(after[0] if after else len(names), "得分")
    return names, ""


def check_score_columns(book) -> Findings:
    """A 评分表列 that cannot be read is an error at its cell (the 评分表 then has the default columns)."""
    found = Findings()
    text = book.info.get("score_columns")
    if text:
        _, problem = parse_score_columns(str(text))
        if problem:
            found.error(book.info_refs.get("score_columns"), problem + "；评分表按默认的列印出")
    return found


def score_columns(ev: Evaluation) -> list[str]:
    """The columns of the 评分表 after 三级指标: as 项目信息!评分表列 says, else the common layout of
    report annexes (指标解释 and 评价意见 when any indicator has one)."""
    return list(ev.derived("score columns", lambda: _score_columns(ev)))  # one answer, found once, not per unit


def _score_columns(ev: Evaluation) -> list[str]:
    chosen, problem = parse_score_columns(str(ev.book.info.get("score_columns") or ""))
    if ev.book.info.get("score_columns") and not problem:
        return chosen
    scores = [s for u in ev.units for s in u.indicators]
    # the indicator codes (A101 …) as published 附件1 tables print them, then 分值
    return (["编码", "分值"] + (["指标解释"] if any(s.explanation for s in scores) else [])
            + ["评分标准", "计算过程", "得分", "扣分原因"]
            + (["评价意见"] if any(s.opinion for s in scores) else []))


def score_sheet(ev: Evaluation, unit: UnitScore, name: str | None = None) -> SheetPlan:
    columns = score_columns(ev)
    headers = ["一级指标", "二级指标", "三级指标"] + columns
    b = SheetBuilder(name or scoresheet_name(ev, unit), score_sheet_widths(columns))
    b.title(f"{ev.book.name}绩效评价指标体系及评分表", len(headers))
    unit_row = b.row
    if not ev.whole:
        b.line(f"被评价单位：{unit.full_name}", len(headers))
    b.header(headers)
    if not ev.whole:  # every printed page says whose 评分表 it is: the unit line repeats with the header
        b.plan.title_rows = (unit_row, b.row - 1)
    l1 = {l.name: l for l in unit.level1}
    l2 = {(p, l.name): l for p, l in unit.level2}
    start1 = start2 = b.row
    groups: list[tuple[int, int]] = []  # the rows of each 一级
    cuts: set[int] = set()  # the first row of each 二级
    styles = ["center", "center", "text"] + [_SCORE_COLUMN_LAYOUT[c][2] for c in columns]
    for i, s in enumerate(unit.indicators):
        cells = {"编码": s.code, "分值": s.weight, "指标解释": s.explanation, "评分标准": s.standard, "计算过程": s.process,
                 "得分": s.score, "扣分原因": s.reason, "评价意见": s.opinion}
        r = b.values(["", "", s.level3] + [cells[c] for c in columns], styles)
        b.fit_height(r)
        nxt = unit.indicators[i + 1] if i + 1 < len(unit.indicators) else None
        if nxt is None or (nxt.level1, nxt.level2) != (s.level1, s.level2):
            b.put(start2, 1, _label(s.level2, l2[(s.level1, s.level2)].weight), "center")
            b.merge(start2, 1, r, 1)
            cuts.add(start2)
            start2 = r + 1
        if nxt is None or nxt.level1 != s.level1:
            b.put(start1, 0, _label(s.level1, l1[s.level1].weight), "center")
            b.merge(start1, 0, r, 0)
            groups.append((start1, r))
            start1 = r + 1
    total_weight = sum((s.weight for s in unit.indicators), ZERO)
    grade = f"评价等级：{unit.grade}"
    score_at = columns.index("得分")
    label = "合计" if score_at + 1 < len(columns) else f"合计（{grade}）"
    totals = {"分值": total_weight, "得分": unit.total}
    row = [label, "", ""] + [totals.get(c, "") for c in columns]
    if score_at + 1 < len(columns):
        row[3 + score_at + 1] = grade
    r = b.values(row, ["total_text"] * 3 + ["total_score" if c == "得分" else "total_text" for c in columns])
    b.merge(r, 0, r, 2)
    if "计算过程" in columns:
        b.line("计算过程中的比率按四舍五入保留两位小数的百分比参与计分；其后精确计算，每个指标的得分最后四舍五入到 0.01 分（只舍入一次）。",
               len(headers), "note")
    lay_out(b.plan)  # final widths and heights: the page breaks are computed from them
    b.plan.row_breaks = group_breaks(b.plan, groups, cuts)
    continue_labels(b.plan, (0, 1))
    fit_wrapped_rows(b.plan)
    return b.plan


#: what a label carried over to the next page says after its name
CONTINUED = "（续）"


def continue_labels(plan: SheetPlan, columns: tuple[int, ...]) -> None:
    """A label merged down over rows that a manual page break cuts (the 一级/二级 of a 评分表) would
    print on the first page only: its merged area is split at each break and the part on the next
    page repeats the label, marked （续） after the name."""
    breaks = sorted(set(plan.row_breaks))
    if not breaks:
        return
    values = {(r, c): i for i, (r, c, _, _) in enumerate(plan.cells)}
    merges = []
    for r1, c1, r2, c2 in plan.merges:
        inside = [k for k in breaks if r1 < k <= r2] if c1 == c2 and c1 in columns else []
        if not inside:
            merges.append((r1, c1, r2, c2))
            continue
        _, _, label, style = plan.cells[values[(r1, c1)]]
        first, rest = (str(label).split("\n", 1) + [""])[:2]
        font = STYLES[style]
        mark = CONTINUED if breaks_sensibly(first + CONTINUED, plan.widths.get(c1, 10), font.size, font.bold) \
            else "\n" + CONTINUED  # "产出质量（续" / "）" would be cut: the mark on a line of its own
        carried = first + mark + ("\n" + rest if rest else "")
        for top, bottom in zip([r1] + inside, [k - 1 for k in inside] + [r2]):
            if top != r1:
                at = values.get((top, c1))
                cell = (top, c1, carried, style)
                if at is None:
                    plan.cells.append(cell)
                else:
                    plan.cells[at] = cell
            if bottom > top:
                merges.append((top, c1, bottom, c1))
    plan.merges[:] = merges


def title_widths(widths: list[float], title: str, landscape: bool) -> list[float]:
    """Column widths widened (half a character at a time, spread over the columns) until the sheet's
    unwrapped 14-pt title fits the merged title cell, or the table is a page wide: a narrow table's
    title was clipped at its edges."""
    font = STYLES[StyleName.TITLE]
    page = printable(landscape)[0]
    widths = list(widths)
    while lines_needed(title, sum(widths), font.size, font.bold) > 1 \
            and sum(column_points(w) for w in widths) + column_points(0.5 * len(widths)) <= page:
        widths = [w + 0.5 for w in widths]
    return widths


def level1_sheet(ev: Evaluation) -> SheetPlan:
    headers = ["一级指标", "指标分值", "评价得分", "得分率"]
    title = f"{ev.book.name}绩效评价得分情况表"
    b = SheetBuilder(schema.OUTPUT_LEVEL1, title_widths([16, 12, 12, 12], title, False), landscape=False)
    b.title(title, len(headers))
    b.header(headers)
    for level in ev.level1:
        b.values([level.name, level.weight, level.score, round_rate(level.rate)], ["center", "score", "score", "percent"])
    weight = sum((l.weight for l in ev.level1), ZERO)
    score = sum((l.score for l in ev.level1), ZERO)
    b.values(["合计", weight, score, round_rate(score / weight) if weight else ZERO],
             ["total_text", "total_score", "total_score", "total_percent"])
    if ev.total_note:
        b.line(ev.total_note, len(headers), "note", height=45)
    if not ev.whole:
        b.line(f"项目得分为各单位得分的{ev.book.info.get('aggregation')}；评价等级：{ev.grade}。", len(headers), "note", height=30)
    return b.plan


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


def trace_sheet(ev: Evaluation) -> SheetPlan:
    """The working paper behind every score: value, calculation and the cells it came from."""
    headers = ["单位", "编码", "三级指标", "子项", "分值", "指标值", "计算过程", "得分", "取数单元格"]
    b = SheetBuilder(schema.OUTPUT_TRACE, [14, 7, 18, 14, 7, 11, 56, 8, 40])
    b.title(f"{ev.book.name}取数底稿", len(headers))
    b.line("每个指标（子项）的取值、计算过程和所用单元格（指标体系中的指标行、数据表中的数据、评分录入中的行），供复核。",
           len(headers))
    b.header(headers)
    for unit in ev.units:
        name = unit.name
        for s in unit.indicators:
            for leaf in (s.children or [s]):
                value: Decimal | str | None = leaf.value.amount if leaf.value is not None else None
                style = "percent" if leaf.value is not None and leaf.value.is_rate else "number"
                if leaf.value is not None and leaf.value.unit:  # a quotient: printed with its unit, 4.30万元/人
                    value, style = leaf.value.show(), "text"
                r = b.values([name, s.code, s.level3, leaf.name if s.children else "", leaf.weight, value,
                              leaf.process, leaf.score, format_refs(leaf.inputs)],
                             ["text", "center", "text", "text", "center", style, "text", "score", "text"])
                b.fit_height(r)
    return b.plan


def findings_sheet(ev: Evaluation, found: FindingList) -> SheetPlan:
    """校验结果: every finding the run gathered before the plan stage (the one channel), in order."""
    headers = ["序号", "级别", "工作表", "单元格", "说明"]
    b = SheetBuilder(schema.OUTPUT_FINDINGS, [6, 8, 14, 10, 100])
    b.title(f"{ev.book.name}校验结果", len(headers))
    findings = list(found)
    errors = sum(1 for f in findings if f.severity == "error")
    b.line(f"错误 {errors} 项，提示 {len(findings) - errors} 项。错误须更正后重新评分；提示请核实。", len(headers))
    b.header(headers)
    if not findings:
        b.values(["", "", "", "", "未发现问题。"], "text")
    for n, f in enumerate(findings, start=1):
        level = f.level
        r = b.values([n, level, f.sheet, f.cell, f.message],
                     ["center", SEVERITY_STYLE[f.severity], "center", "center", "text"])
        b.fit_height(r)
    return b.plan



#: the core's output sheets that come first: scores, then the annexes of funds and payments
SCORE_SHEETS: tuple[OutputSheets, ...] = (
    OutputSheets((schema.OUTPUT_SUMMARY,), _one(summary_sheet)),
    OutputSheets((schema.OUTPUT_SCORESHEET,), lambda ev, _: score_sheets(ev), prefixes=(schema.OUTPUT_SCORESHEET + "-",)),
    OutputSheets((schema.OUTPUT_LEVEL1,), _one(level1_sheet)),
    OutputSheets((schema.OUTPUT_FUNDS,), _one(funds_sheet)),
    OutputSheets((schema.OUTPUT_HEADCOUNT,), _one(headcount_sheet)),
    OutputSheets((schema.OUTPUT_PAYOUT,), _one(payout_sheet)),
)
#: the core's output sheets that come last: the working paper and the findings
CLOSING_SHEETS: tuple[OutputSheets, ...] = (
    OutputSheets((schema.OUTPUT_TRACE,), _one(trace_sheet)),
    OutputSheets((schema.OUTPUT_FINDINGS,), lambda ev, findings: [findings_sheet(ev, findings)]),
)
