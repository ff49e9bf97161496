"""Questionnaire annex tables of the scored workbook (laid out like seed 004's annex 5).

* 调查问卷结果汇总表 (附件5): per class its satisfaction, valid questionnaires and their share of
  the total, the answers of each option grade and their share; a 合计 row and the 综合满意度 row;
* 问卷明细-<类别代码> (附件5-1…5-3): question × option rows, the total and its share, one column
  per unit, then each unit's valid questionnaires and satisfaction;
* 满意度情况表 (附件5-4): per unit each class's satisfaction and the composite, through the same
  value sources the indicators use (counts when present, else the typed rates).

尾差 policy (the project's, as in :func:`perfeval_xl.core.scoring.allocate_residue`): a share column
whose parts make up the whole (the counts add up to the base) but whose rounded shares do not add
up to 100.00 % gets the residue added to the largest part (the first such); a note under the table
says where.  Shares whose counts do not make up the whole (blank answers) are left as computed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ..core import schema
from ..core.measures import MeasureError
from ..core.numbers import ONE, ZERO, fmt_percent, fmt_plain, round_rate
from ..core.environment import OutputSheets
from ..core.satisfaction import composite_wanted, satisfaction_table
from ..core.pagefit import block_breaks
from ..core.styles import STYLES
from ..core.textfit import lines_needed
from ..core.writeplan import SheetBuilder, SheetPlan, lay_out, needed_height, wrapped_lines
from .book import WHOLE, SurveyData, survey_of
from .model import SurveyClass, Tally
from .tally import ZERO_SCORE, RateResult

if TYPE_CHECKING:  # pragma: no cover
    from ..core.scoring import Evaluation

SUMMARY_SHEET = "调查问卷结果汇总表"
DETAIL_PREFIX = "问卷明细-"
SATISFACTION_SHEET = schema.OUTPUT_SATISFACTION



def detail_sheet_name(code: str) -> str:
    name = DETAIL_PREFIX + code
    for bad in "[]:*?/\\":
        name = name.replace(bad, "_")
    return name[:31]


def shares(counts: list[int], base: int) -> tuple[list[Decimal | None], int | None, Decimal]:
    """Each count ÷ ``base`` rounded to 0.01 %, with the 尾差 policy (see the module docstring).

    Returns the shares, the index that took the residue (None) and the residue.
    ``shares([794, 452, 916], 2162)`` → 36.73 %, 20.91 %, 42.36 % (residue −0.01 % into 916).
    """
    if base <= 0:
        return [None] * len(counts), None, ZERO
    values = [round_rate(Decimal(c) / base) for c in counts]
    if sum(counts) != base or not counts:
        return list(values), None, ZERO
    residue = ONE - sum(values, ZERO)
    if residue == ZERO:
        return list(values), None, ZERO
    index = max(range(len(counts)), key=lambda i: (counts[i], -i))
    values[index] = values[index] + residue
    return list(values), index, residue


def _note(b: SheetBuilder, text: str, ncols: int) -> None:
    """A note line merged over the table's width, tall enough for its wrapped text."""
    width = sum(b.plan.widths.get(c, 10) for c in range(ncols))
    lines = wrapped_lines(text, width, "note")
    b.line(text, ncols, "note", height=needed_height(text, width, "note") if lines > 1 else None)


def _residue_text(residue: Decimal) -> str:
    return ("+" if residue > 0 else "") + fmt_percent(residue)


def survey_sheets(ev: "Evaluation") -> list[SheetPlan]:
    """The annex sheets (listed in :data:`SURVEY_SHEETS`)."""
    data = survey_of(ev.book)
    sheets: list[SheetPlan] = []
    if data is not None and data.codes:
        sheets.append(summary_sheet(ev, data))
        sheets.extend(detail_sheet(ev, data, code) for code in data.codes)
    sheet = satisfaction_sheet(ev, data)
    if sheet is not None:
        sheets.append(sheet)
    return sheets


# ---------------------------------------------------------------------------
# 附件5 调查问卷结果汇总表


def _labels(classes: list[SurveyClass]) -> list[str]:
    labels: list[str] = []
    for c in classes:
        for q in c.counted:
            for o in q.options:
                if o.label not in labels:
                    labels.append(o.label)
    return labels


def _option_counts(survey_class: SurveyClass, tally: Tally, labels: list[str]) -> list[int]:
    totals = dict.fromkeys(labels, 0)
    for q in survey_class.counted:
        for o in q.options:
            totals[o.label] += tally.count(q.number, o.label)
    return [totals[label] for label in labels]


def summary_sheet(ev: "Evaluation", data: SurveyData) -> SheetPlan:
    codes = data.codes
    classes = [data.classes[c] for c in codes]
    labels = _labels(classes)
    ncols = 4 + 2 * len(labels)
    b = SheetBuilder(SUMMARY_SHEET, [26, 12, 12, 10] + [10, 10] * len(labels))
    b.title(f"{ev.book.name}调查问卷结果汇总表", ncols)
    valid = [data.tallies[c].valid_count() or 0 for c in codes]
    total_valid = sum(valid)
    b.line(f"项目名称：{ev.book.name}；有效问卷 {total_valid} 份；满意度计算方法：{data.method_text}", ncols)
    top = b.row
    b.values([None] * ncols, "header", height=22)
    b.values([None] * ncols, "header", height=22)
    for c, text in enumerate(["对象", "满意度", f"问卷数（合计 {total_valid} 份）", "占比"]):
        b.put(top, c, text, "header")
        b.merge(top, c, top + 1, c)
    for i, label in enumerate(labels):
        b.put(top, 4 + 2 * i, f"{label} 选项", "header")
        b.merge(top, 4 + 2 * i, top, 5 + 2 * i)
        b.put(top + 1, 4 + 2 * i, "人数", "header")
        b.put(top + 1, 5 + 2 * i, "占比", "header")
    b.plan.freeze = (b.row, 1)
    b.plan.title_rows = (top, top + 1)

    notes: list[str] = []
    class_shares, index, residue = shares(valid, total_valid)
    if index is not None:
        notes.append(f"问卷数占比四舍五入后合计不等于 100.00%，尾差 {_residue_text(residue)} 已调入问卷数最多的"
                     f"“{classes[index].name or classes[index].code}”行。")
    rates: list[RateResult | None] = []
    grand = [0] * len(labels)
    grand_base = 0
    for n, (code, survey_class) in enumerate(zip(codes, classes)):
        tally = data.tallies[code]
        try:
            rate = data.rate(code)
            rates.append(rate)
            value = rate.value
        except MeasureError as exc:
            rates.append(None)
            value = None
            notes.append(f"{survey_class.title}满意度无法计算：{exc}")
        counts = _option_counts(survey_class, tally, labels)
        answers = sum(counts)
        base = answers
        if data.unanswered == ZERO_SCORE and valid[n]:
            base = valid[n] * len(survey_class.counted)
        row_shares, moved, res = shares(counts, base)
        if moved is not None:
            notes.append(f"{survey_class.title}各选项占比四舍五入后合计不等于 100.00%，尾差 {_residue_text(res)} "
                         f"已调入人数最多的 {labels[moved]} 选项。")
        if answers < base:
            notes.append(f"{survey_class.title}有 {base - answers} 题次未作答（按0分计入），各选项占比之和小于 100%。")
        grand = [g + c for g, c in zip(grand, counts)]
        grand_base += base
        name = f"{survey_class.name}（{code}类）" if survey_class.name else f"{code}类"
        cells = [name, value, valid[n], class_shares[n]]
        styles = ["text", "percent", "integer", "percent"]
        for count, share in zip(counts, row_shares):
            cells += [count, share]
            styles += ["integer", "percent"]
        b.values(cells, styles)
    grand_shares, moved, res = shares(grand, grand_base)
    if moved is not None:
        notes.append(f"合计行各选项占比四舍五入后合计不等于 100.00%，尾差 {_residue_text(res)} 已调入人数最多的 {labels[moved]} 选项。")
    cells = ["合计", None, total_valid, sum((s for s in class_shares if s is not None), ZERO) if total_valid else None]
    styles = ["total_text", "total_text", "total_integer", "total_percent"]
    for count, share in zip(grand, grand_shares):
        cells += [count, share]
        styles += ["total_integer", "total_percent"]
    b.values(cells, styles)
    wanted = composite_wanted(ev)
    if wanted:
        try:
            composite = data.composite()
        except MeasureError as exc:
            composite = None
            text = str(exc)
            notes.append(text if text.startswith("综合满意度") else f"综合满意度无法计算：{text}")
        r = b.values(["综合满意度", composite.value if composite else None] + [composite.text if composite else ""]
                     + [None] * (ncols - 3), ["total_text", "total_percent", "total_text"] + ["total_text"] * (ncols - 3))
        b.merge(r, 2, r, ncols - 1)
    how = ("各类满意度=Σ(选项人数×选项得分率)÷答案数" if data.method != "按答卷"
           else "各类满意度=各份答卷得分的平均（每份答卷得分=所答计入满意度题目得分率的平均）")
    _note(b, f"注：{how}（只计“计入满意度”的题目）{'；综合满意度=Σ各类满意度×类别权重' if wanted else ''}。"
             "各选项人数为该类全部计入满意度题目的答案数之和。", ncols)
    for survey_class, result in zip(classes, rates):
        if result is not None:
            _note(b, f"{survey_class.title}：{result.text}", ncols)
    for note in notes:
        _note(b, note, ncols)
    return b.plan


# ---------------------------------------------------------------------------
# 附件5-1…5-3 per-class detail


def detail_sheet(ev: "Evaluation", data: SurveyData, code: str) -> SheetPlan:
    survey_class = data.classes[code]
    tally = data.tallies[code]
    units = [u for u in tally.units if u != WHOLE]
    ncols = 6 + len(units)
    # a unit's column as wide as its bold 100.00% needs in every program (at 9 one of them printed ###)
    b = SheetBuilder(detail_sheet_name(code), [6, 36, 6, 16, 11, 9] + [percent_width()] * len(units))
    name = f"{code}类-{survey_class.name}" if survey_class.name else f"{code}类"
    b.title(f"调查问卷结果汇总表（{name}）", ncols)
    valid_total = tally.valid_count()
    b.line(f"项目名称：{ev.book.name}", ncols)
    b.header(["序号", "问题", "选项", "选项内容", f"总计（{valid_total if valid_total is not None else '—'}份）",
              "占比"] + units)
    b.plan.freeze = (b.row, 2)
    residues: list[str] = []
    blocks: list[tuple[int, int]] = []  # each question's rows: never cut by a page break
    for question in survey_class.questions:
        start = b.row
        counts = [tally.count(question.number, o.label) for o in question.options]
        answers = sum(counts)
        base = valid_total if valid_total else answers
        row_shares, index, residue = shares(counts, base)
        if index is not None:
            residues.append(f"第{question.number}题（{_residue_text(residue)}，调入选项{question.options[index].label}）")
        text = question.text + ("" if question.counts_toward_satisfaction else "（不计入满意度）")
        for opt, count, share in zip(question.options, counts, row_shares):
            per_unit = [tally.count(question.number, opt.label, u) for u in units]
            b.values([question.number if b.row == start else None, text if b.row == start else None,
                      opt.label, opt.text, count, share] + per_unit,
                     ["center", "text", "center", "text", "integer", "percent"] + ["integer"] * len(units))
        if b.row - 1 > start:
            b.merge(start, 0, b.row - 1, 0)
            b.merge(start, 1, b.row - 1, 1)
        blocks.append((start, b.row - 1))
    r = b.values(["有效问卷数", None, None, None, valid_total, None] + [tally.valid.get(u) for u in units],
                 ["total_text"] * 4 + ["total_integer", "total_text"] + ["total_integer"] * len(units))
    b.merge(r, 0, r, 3)
    unit_rates: list[Decimal | None] = []
    for u in units:
        try:
            unit_rates.append(data.rate(code, u).value)
        except MeasureError:
            unit_rates.append(None)
    try:
        overall = data.rate(code)
    except MeasureError:
        overall = None
    r = b.values([f"满意度（{data.method_text}）", None, None, None, overall.value if overall else None, None] + unit_rates,
                 ["total_text"] * 4 + ["total_percent", "total_text"] + ["total_percent"] * len(units))
    b.merge(r, 0, r, 3)
    base_text = "有效问卷数" if valid_total else "该题答案数"
    _note(b, f"注：占比=选项人数÷{base_text}；“总计”为各单位人数之和。", ncols)
    if residues:
        _note(b, "各选项占比四舍五入后合计不等于 100.00% 的题目，尾差已调入人数最多的选项：" + "；".join(residues) + "。",
              ncols)
    if overall is not None:
        _note(b, f"满意度（全部单位）：{overall.text}", ncols)
    lay_out(b.plan)  # the final row heights: the page breaks are computed from them
    if blocks:
        b.plan.row_breaks = block_breaks(b.plan, blocks)
    return b.plan


def percent_width(text: str = "100.00%", style: str = "total_percent") -> float:
    """The narrowest column (characters, to half a character, at least 9) that shows ``text`` in
    ``style`` on one line in every program: a number that does not fit prints as ###."""
    font = STYLES[style]
    width = 9.0
    while lines_needed(text, width, font.size, font.bold) > 1:
        width += 0.5
    return width


# ---------------------------------------------------------------------------
# 附件5-4 满意度情况表


def satisfaction_sheet(ev: "Evaluation", data: SurveyData | None) -> SheetPlan | None:
    typed = ev.book.rows(schema.SATISFACTION)
    if not typed and (data is None or not data.codes):
        return None
    table = satisfaction_table(ev)
    codes, classes, wanted = list(table.codes), table.classes, table.composite
    headers = ["序号", "单位名称", *table.all_headers]
    ncols = len(headers)
    b = SheetBuilder(SATISFACTION_SHEET, [6, 34] + [14] * len(codes) + ([12] if wanted else []))
    b.title(f"{ev.book.name}满意度情况表", ncols)
    if classes and wanted:
        b.line("综合满意度=" + "+".join(
            f"{v[1]}满意度×{fmt_plain(v[0] * 100) + '%' if v[0] is not None else '（未填权重）'}" for v in classes.values()), ncols)
    b.header(headers)
    from_counts: set[str] = set()
    from_typed: set[str] = set()
    for n, row in enumerate(table.rows, start=1):
        for code, rate in zip(codes, row.rates):
            if rate is not None:
                counted = data is not None and data.has_data(code, row.unit)
                (from_counts if counted else from_typed).add(code)
        b.values([n, row.full_name, *table.values(row)], ["center", "text"] + ["percent"] * (ncols - 2))
    if from_counts and data is not None:  # (counted only with survey data)
        _note(b, f"注：{'、'.join(sorted(from_counts, key=codes.index))}类满意度按问卷计数计算（{data.method_text}）。",
              ncols)
    if from_typed:
        _note(b, f"注：{'、'.join(sorted(from_typed, key=codes.index))}类满意度取自“满意度”表填写的数值"
                 f"{'（没有问卷计数的单位）' if from_counts & from_typed else ''}。", ncols)
    return b.plan


#: the questionnaire annexes, with the names of the sheets they write (:mod:`perfeval_xl.extensions`)
SURVEY_SHEETS: tuple[OutputSheets, ...] = (
    OutputSheets((SUMMARY_SHEET, SATISFACTION_SHEET), lambda ev, _: survey_sheets(ev), prefixes=(DETAIL_PREFIX,)),
)
