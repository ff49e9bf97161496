"""``perfeval review``: recompute and reconcile every printed figure a workbook holds.

A workbook is reviewable when it holds any of: an evaluation of our template (scored, its
报告数据 reconciled), official self-evaluation forms (``perfeval_xl.forms``), or report
tables pasted into sheets of their own (:mod:`perfeval_xl.core.table_audit`).  Only a
workbook with none of the three is refused (exit status 2).  An evaluation that ``score``
refuses (a required field blank …) is refused by review with the same message, unless the
workbook has forms or tables to check: then the review says, as an error at the refused cell
and in ``ReviewResult.evaluation_error``, that the evaluation was not checked, and lists its
报告数据 rows as not checked.  The reviewed copy
``<原名>_复核.xlsx`` holds the score sheets (for an evaluation) and 复核意见; the input is
never changed and the copy is written atomically by the splice writer.

The review is a list of stages of the one pipeline (:data:`REVIEW_STAGES`, listed with the score
stages in :mod:`perfeval_xl.pipeline`): evaluate workbook → review others → plan.  Its findings are
the run's, gathered in one list (:attr:`Reviewed.findings`, the JSON and the exit status); 校验结果
lists those of the first stage (:attr:`Reviewed.scoring_findings`, what ``score`` reports), and
复核意见, planned once in its place among the extensions' sheets, the review's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Collection, Mapping, Sequence

from perfeval_xl import extensions
from perfeval_xl.core import schema
from perfeval_xl.core.environment import Env, Extensions
from perfeval_xl.core.findings import Finding, FindingList, Findings, TemplateError
from perfeval_xl.core.review_result import (EVALUATE_STAGE, FormRow, ReviewResult, Reviewing, plan_review, reported_result,
                                     unscorable_result)
from perfeval_xl.core.scoring import Evaluation
from perfeval_xl.core.table_audit import audit_tables
from perfeval_xl.core.writeplan import WritePlan
from perfeval_xl.pipeline import Stage, run, stages_until

if TYPE_CHECKING:  # pragma: no cover
    from perfeval_xl.io.ownership import ExistingSheet
    from perfeval_xl.io.snapshot import FileSnapshot
    from perfeval_xl.io.xlsx_package import Package

REVIEW_SUFFIX = "_复核"

Snapshot = Mapping[str, Sequence[Sequence[object]]]


@dataclass(frozen=True)
class Workbook:
    """What review reads: the template input sheets, and every other sheet that is not ours
    (forms, pasted tables; numbers as shown)."""

    inputs: Snapshot
    others: Snapshot


@dataclass
class Reviewed:
    #: the scored evaluation, or None for a workbook of forms or pasted tables only
    evaluation: Evaluation | None
    result: ReviewResult
    plan: WritePlan
    #: why the workbook is not an evaluation template (when it is not one)
    not_template: TemplateError | None = None
    #: every finding of the review run, in order (:attr:`perfeval_xl.pipeline.Run.findings`): the
    #: scoring's (with 报告数据's), then the forms', target forms' and tables': the JSON and exit status
    findings: FindingList = FindingList()
    #: the findings of scoring the workbook (stage :data:`~perfeval_xl.core.review_result.EVALUATE_STAGE`, a part
    #: of :attr:`findings`): what ``score`` would report of it, what 校验结果 lists
    scoring_findings: FindingList = FindingList()
    output: Path | None = None
    notes: tuple[str, ...] = ()
    backup: Path | None = None  # never: review does not write in place
    #: what :func:`review_file` read (the snapshot and the other sheets), held for as long as the result (nothing
    #: reads it): freed with it, so the console script, which ends the process while it still holds the result
    #: (:func:`perfeval_xl.cli._done`), never frees it — as :attr:`perfeval_xl.pipeline.Scored.source_snapshot`
    source_read: tuple[Snapshot, Snapshot] | None = field(default=None, repr=False, compare=False)

    @property
    def evaluation_error(self) -> Finding | None:
        """The evaluation of our template that could not be scored (sheet, cell, message), if any."""
        return self.result.evaluation_error

    @property
    def failed(self) -> bool:
        """Exit status 1: a slip, or an error finding."""
        return bool(self.result.slips) or any(f.severity == "error" for f in self.findings)


def _form_result(snapshot: Snapshot) -> tuple[ReviewResult, set[str]]:
    from perfeval_xl.forms import review_forms

    reviews, findings = review_forms(snapshot)
    slips = tuple(s for r in reviews for s in r.slips)
    found = tuple(findings) + tuple(f for r in reviews for f in r.findings)
    rows = tuple(FormRow(r.sheet, r.project, r.unit, r.printed_total, r.total, r.grade, len(r.slips),
                         sum(1 for f in r.findings if f.severity == "error"), layout=r.layout,
                         checked=r.checked) for r in reviews)
    # every printed figure a form carries is compared: the indicators' scores, the rate, the totals
    checked = sum(r.checked for r in reviews)
    return ReviewResult(slips, checked, (), found, rows), {r.sheet for r in reviews}


def evaluate_workbook(workbook: Workbook, env: Env) -> tuple[Reviewing, FindingList]:
    """Review stage 1: the template input sheets through the score stages read … reconcile (the
    same caches and extensions); a workbook that is not a template is kept with the reason, for
    the next stage to decide.  Its findings are the scoring's, 报告数据's included."""
    try:
        done = run(workbook.inputs, stages_until("reconcile"), env.extensions, env.caches)
    except TemplateError as exc:
        return Reviewing(workbook.inputs, workbook.others, None, exc), FindingList()
    evaluation: Evaluation = done["reconcile"]
    return Reviewing(workbook.inputs, workbook.others, evaluation, None, reported_result(evaluation)), done.findings


def review_others(reviewing: Reviewing, env: Env) -> tuple[Reviewing, Findings]:
    """Review stage 2: the self-evaluation forms, the 绩效目标申报表 (issue 18 item 3) and the
    report tables pasted into the other sheets, each sheet reviewed by the first that recognises
    it.  A workbook with none of them and no evaluation is refused (TemplateError, as ``score``
    refuses it when it holds template sheets); an evaluation of our template that cannot be scored
    becomes an error at the refused cell, its 报告数据 rows listed as not checked.  Its findings are
    the review's own, in the order 复核意见 lists them (the evaluation's are already gathered)."""
    from perfeval_xl.targetforms.hook import target_result

    others, evaluation, not_template = reviewing.others, reviewing.evaluation, reviewing.not_template
    forms, form_sheets = _form_result(others)
    targets, target_sheets = target_result({name: rows for name, rows in others.items() if name not in form_sheets})
    forms, form_sheets = forms + targets, form_sheets | target_sheets
    audit = audit_tables({name: rows for name, rows in others.items() if name not in form_sheets})
    tables = ReviewResult(tuple(audit.slips), audit.checked, tuple(audit.unchecked), tuple(audit.findings))
    own = tables + forms
    result = reviewing.result + own
    found = Findings()
    if evaluation is None:
        assert not_template is not None
        attempted = _is_evaluation(reviewing.inputs)
        if not forms.forms and not forms.targets and not audit.blocks:
            if attempted:  # an evaluation and nothing else: refused as score refuses it
                raise not_template
            raise TemplateError(not_template.sheet, not_template.cell,
                                f"{not_template.message}；也没有找到绩效自评表或可核对的报告表格，没有可复核的内容")
        if attempted:
            unscorable = unscorable_result(not_template.sheet, not_template.cell, not_template.message,
                                           reviewing.inputs.get(schema.REPORTED.name))
            result = unscorable + result
            found.extend(unscorable.findings)
    found.extend(own.findings)
    return replace(reviewing, result=result), found


#: ``perfeval review``: Workbook → Reviewing → Reviewing → WritePlan (see :mod:`perfeval_xl.pipeline`)
REVIEW_STAGES: tuple[Stage[Any, Any], ...] = (
    Stage[Workbook, Reviewing](EVALUATE_STAGE, evaluate_workbook),
    Stage[Reviewing, Reviewing]("review others", review_others),
    Stage[Reviewing, WritePlan]("plan", plan_review),
)


def review_snapshot(snapshot: Snapshot, others: Snapshot, *, with_plan: bool = True,
                    ext: Extensions = extensions.DEFAULT) -> Reviewed:
    """Review a workbook: ``snapshot`` holds its template input sheets, ``others`` every other
    sheet that is not ours (forms, pasted tables).  Raises TemplateError when there is nothing
    to review at all.  Without ``with_plan`` no output sheet is planned (a batch that writes
    no copies needs only the figures)."""
    stages = REVIEW_STAGES if with_plan else stages_until("review others", REVIEW_STAGES)
    done = run(Workbook(snapshot, others), stages, ext)
    reviewing: Reviewing = done["review others"]
    plan = done["plan"] if with_plan else WritePlan(())
    return Reviewed(reviewing.evaluation, reviewing.result, plan, reviewing.not_template, done.findings,
                    done.stage_findings[EVALUATE_STAGE])


def _is_evaluation(snapshot: Snapshot) -> bool:
    """The workbook holds sheets of our template: an evaluation was meant, whether or not it scores."""
    return any(_is_input(name) for name in snapshot)


def other_sheets(path: Path, names: Sequence[str], ext: Extensions = extensions.DEFAULT) -> list[str]:
    """The sheets of a workbook that are neither template input sheets, nor written by perfeval
    (by their mark, not their name: a reviewer's own sheet called 自评表 holds forms to review),
    nor the template's guide."""
    from perfeval_xl.io.ownership import file_ownership

    return _others(names, file_ownership(path, (), ext.is_output_sheet).replace)


def _others(names: Sequence[str], ours: Collection[str]) -> list[str]:
    ours = set(ours)
    inputs = set(schema.INPUT_SHEET_NAMES)
    return [n for n in names if n.strip() not in inputs and n not in ours and n.strip() not in schema.GUIDE_SHEETS]


def _is_input(name: str) -> bool:
    return name.strip() in schema.INPUT_SHEET_NAMES


def _review_selection(ext: Extensions, existing: list[ExistingSheet] | None = None) -> Callable[[Package], list[str]]:
    """The sheets review reads, chosen from the open package: the template input sheets and
    every other sheet that is not ours (see :func:`other_sheets`).  ``existing`` is given the
    package's sheets with their marks (what the writer's ownership check needs: the package is
    not opened again for it)."""
    from perfeval_xl.io.ownership import existing_sheets, sort_out

    def select(package: Package) -> list[str]:
        names = list(package.sheet_parts())
        sheets = existing_sheets(package)
        if existing is not None:
            existing[:] = sheets
        ours = sort_out(sheets, (), ext.is_output_sheet).replace
        return [n for n in names if _is_input(n)] + _others(names, ours)
    return select


def read_others(source: Path, snapshot: FileSnapshot, ext: Extensions = extensions.DEFAULT) -> Snapshot:
    """Every sheet of the file that is neither a template input sheet nor ours (forms, pasted
    tables), numbers as shown; ``snapshot`` is the file's template snapshot already read."""
    from perfeval_xl.io.displayed import apply_formats
    from perfeval_xl.io.snapshot import read_snapshot

    names = other_sheets(source, list(snapshot.inspection.parts) if snapshot.inspection else [], ext)
    others = dict(read_snapshot(source, sheets=set(names))) if names else {}
    apply_formats(source, others, names)
    return others


def read_for_review(source: Path, ext: Extensions = extensions.DEFAULT,
                    existing: list[ExistingSheet] | None = None) -> tuple[Snapshot, Snapshot]:
    """The template input sheets, and every other sheet that is not ours (numbers as shown):
    one guard and one parse of the file for both.  The steps (docs/batch.md, 每个文件怎样读): the
    guard opens the package once and inflates each part once, choosing the sheets from its
    structure (``existing`` is given the sheets with their ownership marks); calamine reads the
    chosen sheets' values; the number formats of the other sheets come from the guard's parts."""
    from perfeval_xl.io.displayed import apply_formats
    from perfeval_xl.io.snapshot import FileSnapshot, read_snapshot

    both = read_snapshot(source, sheets=_review_selection(ext, existing), keep_parts=True)
    snapshot, others = FileSnapshot(), {}
    snapshot.inspection = both.inspection
    for name, rows in both.items():
        if _is_input(name):
            snapshot[name] = rows
        else:
            others[name] = rows
    # what the reader noticed on other sheets (hidden rows) is not the template's to report
    snapshot.findings.extend(f for f in both.findings if f[1] in snapshot)
    inspection = both.inspection
    apply_formats(source, others, list(others), parts=inspection.parts if inspection is not None else None,
                  data=inspection.data if inspection is not None else None)
    if inspection is not None:
        inspection.data = {}  # the inflated parts served the number formats: not kept with the snapshot
    return snapshot, others


def review_file(source: str | Path, output: str | Path | None = None,
                ext: Extensions = extensions.DEFAULT) -> Reviewed:
    """Review a workbook file and write ``<原名>_复核.xlsx`` (never over the input)."""
    from perfeval_xl.io.atomic import check_not_locked
    from perfeval_xl.io.ownership import foreign_sheet_error, sort_out
    from perfeval_xl.io.targets import plan_target, source_path
    from perfeval_xl.io.engines import Output
    from perfeval_xl.io.xlsx_splice import write_plan

    source = source_path(source)
    existing: list[ExistingSheet] = []
    snapshot, others = read_for_review(source, ext, existing)  # an unreadable input is the first thing to say
    target = plan_target(source, output, tag=REVIEW_SUFFIX)
    reviewed = review_snapshot(snapshot, others, ext=ext)
    reviewed.source_read = (snapshot, others)
    foreign = sort_out(existing, reviewed.plan.names, ext.is_output_sheet).foreign  # read with the sheets, above
    if foreign:
        raise foreign_sheet_error(foreign)
    check_not_locked(target.path)
    reviewed.notes = target.notes
    reviewed.output = write_plan(reviewed.plan, Output(target.path, source=source, is_output_sheet=ext.is_output_sheet))
    return reviewed


def review_json(reviewed: Reviewed) -> dict:
    """The JSON of ``perfeval review --json`` (docs/review.md): the score object plus ``slips``, ``checked`` and ``forms`` (and the table
    regions that could not be checked, ``not_checked``; ``evaluation_error``: why an evaluation
    of our template could not be scored, else null)."""
    from perfeval_xl.core.summary import summary

    if reviewed.evaluation is not None:
        data = summary(reviewed.evaluation, reviewed.findings)
    else:
        first = (reviewed.result.forms or reviewed.result.targets or (None,))[0]
        data = {"project": first.project if first is not None else "", "total": None,
                "grade": "", "units": [], "findings": [f.as_json() for f in reviewed.findings]}
    data["slips"] = [s.as_json() for s in reviewed.result.slips]
    data["checked"] = reviewed.result.checked
    data["forms"] = [f.as_json() for f in reviewed.result.forms]
    data["target_forms"] = [t.as_json() for t in reviewed.result.targets]
    data["not_checked"] = [{"sheet": u.sheet, "range": u.range, "reason": u.reason} for u in reviewed.result.unchecked]
    error = reviewed.evaluation_error
    data["evaluation_error"] = ({"sheet": error.sheet, "cell": error.cell, "message": error.message}
                                if error is not None else None)
    return data
