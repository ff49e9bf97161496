"""The scoring pipeline shared by every path: snapshot → book → evaluation → write plan."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from perfeval_xl.core.book import read_book
from perfeval_xl.core.findings import foreign_sheet_error
from perfeval_xl.core.report import build_plan
from perfeval_xl.core.scoring import Evaluation, evaluate_book
from perfeval_xl.core.writeplan import WritePlan
from perfeval_xl.survey.book import attach_survey

SCORED_SUFFIX = "_评分"


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
    book = read_book(snapshot)
    attach_survey(book, snapshot)  # questionnaire sheets have per-unit columns the generic reader does not keep
    evaluation = evaluate_book(book)
    return Scored(evaluation, build_plan(evaluation))


def backup_path(source: Path, now: dt.datetime | None = None) -> Path:
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate, n = source.with_name(f"{source.stem}_备份_{stamp}{source.suffix}"), 2
    while candidate.exists():  # two runs in one second must not overwrite the first backup
        candidate, n = source.with_name(f"{source.stem}_备份_{stamp}_{n}{source.suffix}"), n + 1
    return candidate


def score_file(source: str | Path, output: str | Path | None = None, *, in_place: bool = False) -> Scored:
    """Score a workbook file and write the scored copy (never over the input unless in_place)."""
    from perfeval_xl.io.atomic import check_not_locked
    from perfeval_xl.io.snapshot import read_snapshot
    from perfeval_xl.io.targets import plan_target, source_path
    from perfeval_xl.io.xlsx_splice import write_scored_copy

    source = source_path(source)
    snapshot = read_snapshot(source)  # an unreadable input is the first thing to say
    target = plan_target(source, output, tag=SCORED_SUFFIX, in_place=in_place)
    scored = score_snapshot(snapshot)
    foreign = scored.plan.foreign_sheets(output_sheet_titles(source), scored.evaluation.book.name)
    if foreign:
        raise foreign_sheet_error(foreign)
    check_not_locked(target.path)
    if in_place:
        scored.backup = backup_path(target.path)
        shutil.copy2(target.path, scored.backup)
    scored.notes = target.notes
    scored.output = write_scored_copy(source, target.path, scored.plan)
    return scored


def output_sheet_titles(path: Path) -> dict[str, object]:
    """A1 of every sheet of the file whose name is an output sheet's name."""
    from python_calamine import CalamineWorkbook

    from perfeval_xl.core import schema

    workbook = CalamineWorkbook.from_path(str(path))
    titles = {}
    for name in workbook.sheet_names:
        if schema.is_output_sheet(name):
            rows = workbook.get_sheet_by_name(name).to_python(nrows=1)
            titles[name] = rows[0][0] if rows and rows[0] else None
    return titles
