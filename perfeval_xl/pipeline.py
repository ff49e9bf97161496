"""The pipeline every command runs: named lists of stages over frozen data, beancount's loader as
the model.  Each stage is ``run(previous result, env) -> (result, findings)``; :func:`run` hands
each one the previous one's result and an :class:`~perfeval_xl.core.environment.Env` (the run's
extensions, the findings so far, the run's caches) and gathers every finding in ONE list,
:attr:`Run.findings`: the one channel from the stages to 校验结果 (the plan stage hands the
findings so far to the sheet builders), the JSON and the exit status.  No result of a stage
carries findings of its own.

``perfeval score`` — :func:`score_file`, stages :data:`STAGES`:

  bytes ──io.snapshot.read_snapshot──▶ snapshot
  1. read                  snapshot → Book          (core.book.read)
  2. normalise             Book → Book              (core.book.normalise)
  3. attach questionnaires Book → Book              (survey.book.attach)
  4. check                 Book → Book              (core.checks.check: the extensions' checks)
  5. evaluate              Book → Evaluation        (core.scoring.evaluate)
  6. reconcile             Evaluation → Evaluation  (core.review_result.reconcile_stage: 报告数据)
  7. plan                  Evaluation → WritePlan   (core.plan.plan: the extensions' sheets, frozen)
  WritePlan ──io.xlsx_splice.write_plan──▶ <原名>_评分.xlsx;  Run.findings ──▶ 校验结果 (stage 7), JSON, exit status

``perfeval review`` — :func:`perfeval_xl.review.review_file`, stages
:data:`perfeval_xl.review.REVIEW_STAGES`:

  bytes ──review.read_for_review──▶ Workbook (template input sheets, every other sheet not ours)
  1. evaluate workbook     Workbook → Reviewing     (stages 1–6 above over the input sheets; a
                                                     workbook that is not a template is kept, not refused)
  2. review others         Reviewing → Reviewing    (自评表 forms, 绩效目标申报表, pasted report tables;
                                                     refuses a workbook with nothing to review)
  3. plan                  Reviewing → WritePlan    (core.review_result.plan_review: the same extensions'
                                                     sheets, 复核意见 built once from the whole review;
                                                     校验结果 lists stage 1's findings, 复核意见 the review's own)
  WritePlan ──io.xlsx_splice.write_plan──▶ <原名>_复核.xlsx;  Run.findings ──▶ JSON, exit status

Batch review runs the review stages without the plan; the Word report (``perfeval report``)
takes the review's plan.  The extensions come from the caller (default:
:data:`perfeval_xl.extensions.DEFAULT`), never from a global inside a stage.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Generic, Iterable, Mapping, Sequence, TypeVar

from perfeval_xl import extensions
from perfeval_xl.gcpause import gc_paused
from perfeval_xl.core import book, checks, plan, review_result, scoring
from perfeval_xl.core.book import Book
from perfeval_xl.core.environment import Caches, Env, Extensions
from perfeval_xl.core.findings import Finding, FindingList, Findings
from perfeval_xl.core.scoring import Evaluation
from perfeval_xl.core.writeplan import WritePlan
from perfeval_xl.survey import book as survey_book

SCORED_SUFFIX = "_评分"

Snapshot = Mapping[str, Sequence[Sequence[object]]]
In = TypeVar("In")
Out = TypeVar("Out")


@dataclass(frozen=True)
class Stage(Generic[In, Out]):
    """One step of the pipeline: ``run(previous result, env) -> (result, findings)``."""

    name: str
    run: Callable[[In, Env], tuple[Out, Iterable[Finding]]]


#: ``perfeval score``: snapshot → Book → Book → Book → Book → Evaluation → Evaluation → WritePlan
STAGES: tuple[Stage[Any, Any], ...] = (
    Stage[Snapshot, Book]("read", book.read),
    Stage[Book, Book]("normalise", book.normalise),
    Stage[Book, Book]("attach questionnaires", survey_book.attach),
    Stage[Book, Book]("check", checks.check),
    Stage[Book, Evaluation]("evaluate", scoring.evaluate),
    Stage[Evaluation, Evaluation]("reconcile", review_result.reconcile_stage),
    Stage[Evaluation, WritePlan]("plan", plan.plan),
)


def stages_until(name: str, stages: Sequence[Stage[Any, Any]] = STAGES) -> tuple[Stage[Any, Any], ...]:
    """The stages up to and including the one called ``name``."""
    names = [stage.name for stage in stages]
    return tuple(stages[:names.index(name) + 1])


@dataclass(frozen=True)
class Run:
    """What each stage returned, and every finding in order (the one findings channel)."""

    results: Mapping[str, Any]
    findings: FindingList
    #: stage name → the findings that stage returned (:attr:`findings` lists them all, each once, in stage order)
    stage_findings: Mapping[str, FindingList] = field(default_factory=lambda: MappingProxyType({}))

    def __getitem__(self, stage: str) -> Any:
        return self.results[stage]

    @property
    def last(self) -> Any:
        """The result of the last stage run."""
        return list(self.results.values())[-1]


def run(data: Any, stages: Sequence[Stage[Any, Any]] = STAGES, ext: Extensions = extensions.DEFAULT,
        caches: Caches | None = None) -> Run:
    """Run ``stages`` over ``data`` (for :data:`STAGES`, a snapshot), each on the previous one's
    result, gathering the findings.  Raises TemplateError when the snapshot is not a template at all."""
    gathered = Findings()
    results: dict[str, Any] = {}
    by_stage: dict[str, FindingList] = {}
    caches = caches if caches is not None else Caches()
    with gc_paused():
        for stage in stages:
            data, found = stage.run(data, Env(ext, gathered.frozen(), caches, MappingProxyType(dict(by_stage))))
            by_stage[stage.name] = FindingList(found)
            gathered.extend(by_stage[stage.name])
            results[stage.name] = data
    return Run(results, gathered.frozen(), MappingProxyType(by_stage))


@dataclass
class Scored:
    evaluation: Evaluation
    plan: WritePlan
    #: every finding of the run (:attr:`Run.findings`): what 校验结果, the JSON and the exit status say
    findings: FindingList = FindingList()
    output: Path | None = None
    backup: Path | None = None
    #: what the user should be told about the output file (an extension added…)
    notes: tuple[str, ...] = ()
    #: the snapshot :func:`score_file` read the input into, held for as long as the result (nothing reads
    #: it): freed with it, not when scoring returns — so the console script, which ends the process while
    #: it still holds the result (:func:`perfeval_xl.cli._done`), never frees it (100,000 rows: 12 ms)
    source_snapshot: Snapshot | None = field(default=None, repr=False, compare=False)


def score_snapshot(snapshot: Snapshot, ext: Extensions = extensions.DEFAULT) -> Scored:
    """Score a snapshot; raises TemplateError when it is not a template at all."""
    done = run(snapshot, STAGES, ext)
    return Scored(done["reconcile"], done["plan"], done.findings)


def score_file(source: str | Path, output: str | Path | None = None, *, in_place: bool = False,
               ext: Extensions = extensions.DEFAULT) -> Scored:
    """Score a workbook file and write the scored copy (never over the input unless in_place)."""
    with gc_paused():
        return _score_file(source, output, in_place=in_place, ext=ext)


def _score_file(source: str | Path, output: str | Path | None, *, in_place: bool, ext: Extensions) -> Scored:
    from perfeval_xl.io.atomic import check_not_locked
    from perfeval_xl.io.ownership import file_ownership, foreign_sheet_error
    from perfeval_xl.io.snapshot import read_snapshot
    from perfeval_xl.io.targets import backup_path, plan_target, source_path
    from perfeval_xl.io.engines import Output
    from perfeval_xl.io.xlsx_splice import write_plan

    source = source_path(source)
    snapshot = read_snapshot(source)  # an unreadable input is the first thing to say
    target = plan_target(source, output, tag=SCORED_SUFFIX, in_place=in_place)
    scored = score_snapshot(snapshot, ext)
    scored.source_snapshot = snapshot
    foreign = file_ownership(source, scored.plan.names, ext.is_output_sheet).foreign  # sheets of the user's in the way
    if foreign:
        raise foreign_sheet_error(foreign)
    check_not_locked(target.path)
    if in_place:
        scored.backup = backup_path(target.path)
        shutil.copy2(target.path, scored.backup)
    scored.notes = target.notes
    scored.output = write_plan(scored.plan, Output(target.path, source=source, is_output_sheet=ext.is_output_sheet))
    return scored
