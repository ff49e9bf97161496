"""The scoring pipeline shared by every path: a named list of stages (:data:`STAGES`),
read → normalise → attach questionnaires → check → evaluate → reconcile (报告数据) → plan, each a function over
the previous stage's frozen result returning ``(result, findings)``; :func:`run` gathers the
findings.  The extensions the stages use come from :mod:`perfeval_xl.extensions`."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from perfeval_xl import extensions
from perfeval_xl.gcpause import gc_paused
from perfeval_xl.core import book, checks, report, review, scoring
from perfeval_xl.core.extension import Env, Extensions
from perfeval_xl.core.findings import FindingList, Findings
from perfeval_xl.core.scoring import Evaluation
from perfeval_xl.core.writeplan import WritePlan
from perfeval_xl.survey import book as survey_book

SCORED_SUFFIX = "_评分"


@dataclass(frozen=True)
class Stage:
    """One step of the pipeline: ``run(previous result, env) -> (result, findings)``."""

    name: str
    run: Callable[[object, Env], tuple[object, Iterable]]


#: snapshot → book → book → book → book → evaluation → evaluation → write plan
STAGES: tuple[Stage, ...] = (
    Stage("read", book.read),
    Stage("normalise", book.normalise),
    Stage("attach questionnaires", survey_book.attach),
    Stage("check", checks.check),
    Stage("evaluate", scoring.evaluate),
    Stage("reconcile", review.reconcile_stage),
    Stage("plan", report.plan),
)


def stages_until(name: str, stages: Sequence[Stage] = STAGES) -> tuple[Stage, ...]:
    """The stages up to and including the one called ``name``."""
    names = [stage.name for stage in stages]
    return tuple(stages[:names.index(name) + 1])


@dataclass(frozen=True)
class Run:
    """What each stage returned, and every finding in order."""

    results: Mapping[str, object]
    findings: FindingList

    def __getitem__(self, stage: str) -> object:
        return self.results[stage]

    @property
    def last(self) -> object:
        """The result of the last stage run."""
        return list(self.results.values())[-1]


def run(snapshot: Mapping[str, Sequence[Sequence[object]]], stages: Sequence[Stage] = STAGES,
        ext: Extensions = extensions.DEFAULT) -> Run:
    """Run ``stages`` over the snapshot, each on the previous one's result, gathering the findings.
    Raises TemplateError when the snapshot is not a template at all."""
    data: object = snapshot
    gathered = Findings()
    results: dict[str, object] = {}
    with gc_paused():
        for stage in stages:
            data, found = stage.run(data, Env(ext, gathered.frozen()))
            gathered.extend(found)
            results[stage.name] = data
    return Run(results, gathered.frozen())


@dataclass
class Scored:
    evaluation: Evaluation
    plan: WritePlan
    output: Path | None = None
    backup: Path | None = None
    #: what the user should be told about the output file (an extension added…)
    notes: tuple[str, ...] = ()


def score_snapshot(snapshot: Mapping[str, Sequence[Sequence[object]]]) -> Scored:
    """Score a snapshot; raises TemplateError when it is not a template at all."""
    done = run(snapshot)
    return Scored(done["reconcile"], done["plan"])


def evaluate_snapshot(snapshot: Mapping[str, Sequence[Sequence[object]]]) -> Evaluation:
    """Score a snapshot without planning the output sheets (batch review writes none)."""
    return run(snapshot, stages_until("reconcile"))["reconcile"]


def backup_path(source: Path, now: dt.datetime | None = None) -> Path:
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate, n = source.with_name(f"{source.stem}_备份_{stamp}{source.suffix}"), 2
    while candidate.exists():  # two runs in one second must not overwrite the first backup
        candidate, n = source.with_name(f"{source.stem}_备份_{stamp}_{n}{source.suffix}"), n + 1
    return candidate


def score_file(source: str | Path, output: str | Path | None = None, *, in_place: bool = False) -> Scored:
    """Score a workbook file and write the scored copy (never over the input unless in_place)."""
    with gc_paused():
        return _score_file(source, output, in_place=in_place)


def _score_file(source: str | Path, output: str | Path | None, *, in_place: bool) -> Scored:
    from perfeval_xl.io.atomic import check_not_locked
    from perfeval_xl.io.ownership import file_ownership, foreign_sheet_error
    from perfeval_xl.io.snapshot import read_snapshot
    from perfeval_xl.io.targets import plan_target, source_path
    from perfeval_xl.io.xlsx_splice import write_scored_copy

    source = source_path(source)
    snapshot = read_snapshot(source)  # an unreadable input is the first thing to say
    target = plan_target(source, output, tag=SCORED_SUFFIX, in_place=in_place)
    scored = score_snapshot(snapshot)
    foreign = file_ownership(source, scored.plan.names).foreign  # sheets of the user's in the way
    if foreign:
        raise foreign_sheet_error(foreign)
    check_not_locked(target.path)
    if in_place:
        scored.backup = backup_path(target.path)
        shutil.copy2(target.path, scored.backup)
    scored.notes = target.notes
    scored.output = write_scored_copy(source, target.path, scored.plan)
    return scored
