"""The score sheets of a scored evaluation: 得分汇总 (the units' scores in page-wide blocks),
评分表 / 评分表-<简称> (one per unit: the indicator system with each score, its calculation and the
reason for points lost) and 一级指标得分表 — laid out like the annex tables of real reports (merged
一级/二级 cells, percent and 0.00 formats, totals that equal the rows shown).  Listed in
:data:`perfeval_xl.core.output_sheets.SCORE_SHEETS`.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from decimal import Decimal
from typing import Callable

from . import schema
from .findings import Findings
from .numbers import ZERO, fmt_plain, fmt_score, round_rate, to_decimal
from .scoring import Evaluation, IndicatorScore, UnitScore
from .sheetnames import scoresheet_names
from .pagefit import block_breaks, column_points, fit_scale, group_breaks, page_rows, printable, widths_for_scale
from .styles import STYLES, StyleName
from .textfit import breaks_sensibly, lines_needed
from .writeplan import DEFAULT_HEIGHT, SheetBuilder, SheetPlan, display_width, fit_wrapped_rows, lay_out, needed_height


def scoresheet_name(evaluation: Evaluation, unit: UnitScore) -> str:
    if evaluation.whole:
        return schema.OUTPUT_SCORESHEET
    return scoresheet_names([u.name for u in evaluation.units])[unit.name]


def score_sheets(evaluation: Evaluation) -> list[SheetPlan]:
    if evaluation.whole:
        return [score_sheet(evaluation, u) for u in evaluation.units]
    names = scoresheet_names([u.name for u in evaluation.units])
    return [score_sheet(evaluation, u, names[u.name]) for u in evaluation.units]


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
    # the height lay_out() gives a unit's row: its name's lines (one line of CJK is taller than the default)
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
