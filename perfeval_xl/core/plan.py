"""The plan stage (stage 7 of ``perfeval score``): the run's output sheets, built by the extensions'
sheet builders (:data:`perfeval_xl.extensions.DEFAULT`; the core's own are listed in
:mod:`perfeval_xl.core.output_sheets`), finished and frozen into one write plan.

Only a command that writes a workbook runs this stage: a batch that writes no copies stops before
it (see :mod:`perfeval_xl.pipeline`), so no text is fitted and no row height worked out for sheets
nobody writes.
"""

from __future__ import annotations

from typing import Iterable

from .environment import Env
from .findings import Findings
from .scoring import Evaluation
from .writeplan import SheetPlan, WritePlan, finish, fitting_once


def plan(evaluation: Evaluation, env: Env) -> tuple[WritePlan, Findings]:
    """Stage 7: every output sheet of the run's extensions, in their order, finished and frozen.
    The sheets are built from the evaluation with every finding the run gathered before this stage
    (``env.findings``, the one channel), so 校验结果 lists whatever any stage reported; a builder
    returns sheets only, never findings."""
    with fitting_once():  # the sheets' labels fitted once each for the stage
        sheets = [sheet for output in env.extensions.sheets for sheet in output.build(evaluation, env.findings)]
        return plan_sheets(sheets), Findings()


def plan_sheets(sheets: Iterable[SheetPlan]) -> WritePlan:
    """The write plan of ``sheets``: each finished (labels not broken mid-word; no wrapped text cut
    or printed over the next row) and frozen, as every writer gets it."""
    return WritePlan(tuple(finish(sheet) for sheet in sheets))
