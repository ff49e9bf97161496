"""复核: what a review found, gathered, and the 复核意见 sheet that lists it.

A review compares printed figures with their recomputation from three places: the
报告数据 sheet of an evaluation workbook (:mod:`perfeval_xl.core.reported`), report tables
pasted into other sheets (:mod:`perfeval_xl.core.table_audit`) and self-evaluation forms
(``perfeval_xl.forms``, summarised here as plain rows).  :class:`Findings` of the review
are the problems with what the reviewer typed (an unknown 对象), warnings such as a 尾差;
slips are the figures that do not follow.

The reconcile stage (:func:`reconcile_stage`) returns the 报告数据 findings, so ``perfeval score``
reports them in 校验结果, its JSON and its exit status; the builder :data:`REVIEW_SHEETS` writes
复核意见 when 报告数据 has rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Mapping, Sequence

from . import schema
from .environment import Env, OutputSheets
from .styles import SEVERITY_STYLE
from .findings import Finding, FindingList, Findings, TemplateError, cell_name
from .printed import parse_printed
from .reported import reconcile
from .scoring import Evaluation
from .slips import Slip
from .writeplan import SheetBuilder, SheetPlan, WritePlan, finish, needed_height

if TYPE_CHECKING:  # the review's table audit: imported where a review (not a score) needs it
    from .table_audit import Unchecked

SLIP_HEADERS = ["序号", "工作表", "单元格", "对象", "报告值", "复算值", "差额", "说明", "出处"]


@dataclass(frozen=True)
class FormRow:
    """A self-evaluation form found and recomputed (the JSON ``forms`` entry)."""

    sheet: str
    project: str
    unit: str
    printed_total: Decimal | None
    total: Decimal
    grade: str
    #: the form's own slips and error findings (a sheet may hold several forms)
    slips: int = 0
    errors: int = 0
    #: the layout the form was recognised as (perfeval_xl/forms/layouts.py: 附1, 省级, 湖北 …)
    layout: str = ""
    #: printed figures of the form compared with their recomputation (the batch's 核对数)
    checked: int = 0

    def as_json(self) -> dict:
        return {"sheet": self.sheet, "project": self.project, "unit": self.unit,
                "printed_total": float(self.printed_total) if self.printed_total is not None else None,
                "total": float(self.total), "grade": self.grade}


@dataclass(frozen=True)
class ReviewResult:
    """Everything a review compared.  ``checked`` counts the printed figures compared;
    ``findings`` are the review's own errors and warnings (not the scoring's)."""

    slips: tuple[Slip, ...] = ()
    checked: int = 0
    unchecked: tuple[Unchecked, ...] = ()
    findings: tuple[Finding, ...] = ()
    forms: tuple[FormRow, ...] = ()
    #: 绩效目标申报表 checked (``perfeval_xl.targetforms.TargetResult``: sheet, project, unit, errors, warnings …)
    targets: tuple = ()
    #: the workbook is an evaluation of our template that could not be scored (what ``score``
    #: refused, at its cell): its scores and its 报告数据 were not checked
    evaluation_error: Finding | None = None

    @property
    def agreed(self) -> int:
        return self.checked - len(self.slips)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def __add__(self, other: "ReviewResult") -> "ReviewResult":
        return ReviewResult(self.slips + other.slips, self.checked + other.checked, self.unchecked + other.unchecked,
                            self.findings + other.findings, self.forms + other.forms, self.targets + other.targets,
                            self.evaluation_error or other.evaluation_error)


def unscorable_result(sheet: str, cell: str, message: str, reported_rows) -> ReviewResult:
    """What a review says of an evaluation that ``score`` refused (at ``sheet``!``cell``, for
    ``message``): an error finding saying its evaluation could not be checked and why, and every
    run of filled 报告数据 rows (``reported_rows``: the sheet's rows as read, header included)
    listed as not checked: never silently skipped."""
    error = Finding("error", sheet, cell, f"评价无法评分，评分和“报告数据”均未核对：{message}")
    return ReviewResult(unchecked=_reported_runs(reported_rows, f"评价无法评分（{_where(sheet, cell)}{message}）"),
                        findings=(error,), evaluation_error=error)


def _where(sheet: str, cell: str) -> str:
    return f"{sheet}!{cell}：" if sheet and cell else ""


def _reported_runs(rows, why: str) -> tuple[Unchecked, ...]:
    """Each run of consecutive filled rows of 报告数据 below its header, as one range."""
    from .table_audit import Unchecked

    last_col = cell_name(0, len(schema.REPORTED.columns) - 1).rstrip("0123456789")
    filled = [r for r, row in enumerate(rows or ()) if r > schema.HEADER_ROW and row is not None
              and any(v is not None and str(v).strip() for v in row)]
    runs: list[list[int]] = []
    for r in filled:
        if runs and r == runs[-1][1] + 1:
            runs[-1][1] = r
        else:
            runs.append([r, r])
    return tuple(Unchecked(schema.REPORTED.name, f"A{a + 1}:{last_col}{b + 1}",
                           f"{b - a + 1} 行报告数据未核对：{why}") for a, b in runs)


def has_reported_rows(evaluation: Evaluation) -> bool:
    return bool(evaluation.book.rows(schema.REPORTED))


def reported_result(evaluation: Evaluation) -> ReviewResult:
    """报告数据 reconciled, as a review result (empty when the sheet has no rows)."""
    if evaluation.reported is not None:  # the reconcile stage has done it
        return evaluation.reported
    if not has_reported_rows(evaluation):
        return ReviewResult()
    done = reconcile(evaluation)
    return ReviewResult(tuple(done.slips), done.checked, (), tuple(done.findings))


def reconcile_stage(evaluation: Evaluation, env: Env) -> tuple[Evaluation, Findings]:
    """Stage: 报告数据 reconciled, kept in the evaluation for the 复核意见 sheet; its findings (errors at
    their cells) returned beside it."""
    result = reported_result(evaluation)
    found = Findings()
    found.extend(result.findings)
    return replace(evaluation, reported=result), found  # the same caches: nothing summed again


@dataclass(frozen=True)
class Reviewing:
    """What the review stages pass on: the workbook's template input sheets and its other sheets
    (forms, pasted tables), the evaluation of the input sheets (None when the workbook is not one,
    ``not_template`` saying why), and what the review found so far."""

    inputs: Mapping[str, Sequence[Sequence[object]]]
    others: Mapping[str, Sequence[Sequence[object]]]
    evaluation: Evaluation | None = None
    not_template: TemplateError | None = None
    result: ReviewResult = ReviewResult()

    @property
    def project(self) -> str:
        """The project the 复核意见 sheet is titled with: the evaluation's, else the first form's."""
        if self.evaluation is not None:
            return self.evaluation.book.name
        first = (self.result.forms or self.result.targets or (None,))[0]
        return first.project if first is not None else ""


#: the review stage that scores the workbook (:data:`perfeval_xl.review.REVIEW_STAGES`): its findings are
#: what 校验结果 lists, as for ``perfeval score``; the review's own are listed in 复核意见
EVALUATE_STAGE = "evaluate workbook"


def plan_review(reviewing: Reviewing, env: Env) -> tuple[WritePlan, Findings]:
    """Review's plan stage: the run's output sheets in the extensions' order, as ``score`` plans
    them (none but 复核意见 when there is no evaluation), with 复核意见 built once from the whole
    review (报告数据, forms, tables) in its place of the list.  The sheets are built with the
    findings of :data:`EVALUATE_STAGE` (``score``'s findings of the workbook)."""
    scoring = env.stage_findings.get(EVALUATE_STAGE, FindingList())
    sheets: list[SheetPlan] = []
    for output in env.extensions.sheets:
        if output.owns(schema.OUTPUT_REVIEW):
            sheets.append(review_sheet(reviewing.project, reviewing.result))  # finished (and frozen) already
        elif reviewing.evaluation is not None:
            sheets.extend(finish(sheet) for sheet in output.build(reviewing.evaluation, scoring))
    return WritePlan(tuple(sheets)), Findings()


def _difference(printed: str, expected: str) -> str:
    a, b = parse_printed(printed), parse_printed(expected)
    if a is None or b is None or a.percent != b.percent:
        return ""
    delta = a.value - b.value
    if delta == 0:
        return ""
    shown = a.at(b.decimals).show(abs(delta))
    return ("+" if delta > 0 else "-") + shown


#: why the 复核意见 of ``perfeval score`` may count fewer figures than that of ``perfeval review``
SCORE_REVIEW_SCOPE = ("（评分时只核对“报告数据”中填写的数字；粘贴进工作簿的报告表格和自评表由 perfeval review 核对，"
                      "其复核意见核对的数字因此可能更多。）")


def review_sheet(project: str, result: ReviewResult, scope: str = "") -> SheetPlan:
    """复核意见: one row per slip, the count of figures checked and agreeing, what could not be
    checked, the review's errors and warnings, and the forms found.  ``scope``: what was checked,
    said after the count (the sheet ``perfeval score`` writes checks 报告数据 only)."""
    b = SheetBuilder(schema.OUTPUT_REVIEW, [6, 14, 9, 26, 12, 12, 10, 60, 24])
    n = len(SLIP_HEADERS)
    b.title(f"{project}复核意见", n)
    line = (f"共核对报告印出的数字 {result.checked} 个，一致 {result.agreed} 个，"
            f"不一致（差错）{len(result.slips)} 个。")
    if result.unchecked:
        line += f"另有 {len(result.unchecked)} 处表格区域未能核对，列在下方，请人工核对。"
    line += scope
    b.line(line, n, height=45 if scope else 30)
    if result.evaluation_error is not None:
        error = result.evaluation_error
        text = (f"这个工作簿的评价无法评分，评分和“报告数据”都没有核对（上面的个数不含它们）。原因："
                f"{_where(error.sheet, error.cell)}{error.message.split('：', 1)[-1]}")
        width = sum(b.plan.widths.get(c, 10) for c in range(n))
        b.line(text, n, style=SEVERITY_STYLE["error"], height=max(30, needed_height(text, width)))
    b.header(SLIP_HEADERS)
    if not result.slips:
        b.values(["", "", "", "", "", "", "", "未发现差错。", ""], "text")
    for i, slip in enumerate(result.slips, start=1):
        what = f"{slip.unit} {slip.object}" if slip.unit and not slip.object.startswith(slip.unit) else slip.object
        r = b.values([i, slip.sheet, slip.cell, what, slip.printed, slip.expected,
                      _difference(slip.printed, slip.expected), slip.message, slip.source],
                     ["center", "center", "center", "text", "center", "center", "center", "text", "text"])
        b.fit_height(r)
    if result.unchecked:
        _listing(b, "未核对的表格区域（不是差错，也没有核对过）：", ["序号", "工作表", "区域", "原因"],
                 [([i, item.sheet, item.range, item.reason], ["center", "center", "center", "text"])
                  for i, item in enumerate(result.unchecked, start=1)], text_at=3)
    if result.findings:
        _listing(b, "复核中发现的错误和提示（错误须更正后重新复核）：", ["序号", "工作表", "单元格", "级别", "说明"],
                 [([i, f.sheet, f.cell, f.level, f.message],
                   ["center", "center", "center", SEVERITY_STYLE[f.severity], "text"])
                  for i, f in enumerate(result.findings, start=1)], text_at=4)
    if result.forms:
        _listing(b, "找到的绩效自评表：", ["序号", "工作表", "项目", "单位", "表中总分", "复算总分", "等级", "格式"],
                 [([i, form.sheet, form.project, form.unit, form.printed_total, form.total, form.grade, form.layout],
                   ["center", "center", "text", "text", "score", "score", "center", "text"])
                  for i, form in enumerate(result.forms, start=1)])
    if result.targets:  # their findings are listed above, each at its cell with the rule it breaks
        _listing(b, "找到的绩效目标申报表（问题见上面的错误和提示）：", ["序号", "工作表", "格式", "项目", "错误数", "提示数", "结论", "单位"],
                 [([i, t.sheet, t.form.layout.id, t.project, t.errors, t.warnings, t.status, t.unit],
                   ["center", "center", "center", "text", "integer", "integer", "center", "text"])
                  for i, t in enumerate(result.targets, start=1)], text_at=7)
    return finish(b.plan)


def _listing(b: SheetBuilder, caption: str, headers: list[str], rows: list[tuple[list, list[str]]],
             text_at: int | None = None) -> None:
    """A list under the slips: a blank row, its caption, its header row and its rows (values and
    styles), each padded to the sheet's columns; the text at column ``text_at`` merged to the last."""
    n = len(SLIP_HEADERS)
    b.row += 1
    b.line(caption, n)
    b.values(headers + [""] * (n - len(headers)), "header")
    for values, styles in rows:
        r = b.values(values + [""] * (n - len(values)), styles + ["text"] * (n - len(styles)))
        if text_at is not None:
            b.merge(r, text_at, r, n - 1)
            _fit_merged(b, r, text_at, n - 1, values[text_at])


def _fit_merged(b: SheetBuilder, row: int, first: int, last: int, text: str) -> None:
    """Height of a row whose text is merged across columns ``first``…``last``."""
    width = sum(b.plan.widths.get(c, 10) for c in range(first, last + 1))
    b.plan.heights[row] = max(18, needed_height(text, width))


def _review_sheets(evaluation: Evaluation, findings: FindingList) -> list[SheetPlan]:
    if not has_reported_rows(evaluation):
        return []
    return [review_sheet(evaluation.book.name, reported_result(evaluation), SCORE_REVIEW_SCOPE)]


#: ``perfeval score`` writes 复核意见 when 报告数据 has rows (``perfeval review`` always does)
REVIEW_SHEETS: tuple[OutputSheets, ...] = (OutputSheets((schema.OUTPUT_REVIEW,), _review_sheets),)
