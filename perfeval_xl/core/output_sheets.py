"""The core's output sheets, in the order a scored workbook holds them, each entry naming the sheets
its builder writes: :data:`SCORE_SHEETS` first (:mod:`~perfeval_xl.core.score_sheets`, then
:mod:`~perfeval_xl.core.fund_sheets`), :data:`CLOSING_SHEETS` last
(:mod:`~perfeval_xl.core.closing_sheets`); :mod:`perfeval_xl.extensions` puts the questionnaire
annexes and 复核意见 between the two.  The plan stage (:mod:`perfeval_xl.core.plan`) builds them.
"""

from __future__ import annotations

from typing import Callable

from . import schema
from .closing_sheets import findings_sheet, trace_sheet
from .environment import OutputSheets, SheetsBuilder
from .fund_sheets import funds_sheet, headcount_sheet, payout_sheet
from .score_sheets import level1_sheet, score_sheets, summary_sheet
from .scoring import Evaluation
from .findings import FindingList
from .writeplan import SheetPlan


def _one(builder: Callable[[Evaluation], SheetPlan | None]) -> SheetsBuilder:
    """A builder of at most one sheet from the evaluation as a builder of the plan stage."""
    def build(evaluation: Evaluation, findings: FindingList) -> list[SheetPlan]:
        sheet = builder(evaluation)
        return [sheet] if sheet is not None else []
    build.__name__ = builder.__name__
    return build


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
