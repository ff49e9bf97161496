"""The core's output sheets, in the order a scored workbook holds them, each entry naming the sheets
its builder writes: :data:`SCORE_SHEETS` first (:mod:`~perfeval_xl.core.score_sheets`, then
:mod:`~perfeval_xl.core.fund_sheets`), :data:`CLOSING_SHEETS` last
(:mod:`~perfeval_xl.core.closing_sheets`); :mod:`perfeval_xl.extensions` puts the questionnaire
annexes and 复核意见 between the two.  The plan stage (:mod:`perfeval_xl.core.plan`) builds them.
"""

from __future__ import annotations

from typing import Callable, Iterable

from . import schema
from .closing_sheets import findings_sheet, trace_sheet
from .extension import OutputSheets
from .fund_sheets import funds_sheet, headcount_sheet, payout_sheet
from .score_sheets import level1_sheet, score_sheets, summary_sheet
from .scoring import Evaluation
from .writeplan import SheetPlan


def _one(builder: Callable[[Evaluation], SheetPlan | None]) -> Callable[[Evaluation], Iterable[SheetPlan]]:
    """A builder of at most one sheet as a builder of a list of sheets."""
    def build(evaluation: Evaluation) -> list[SheetPlan]:
        sheet = builder(evaluation)
        return [sheet] if sheet is not None else []
    build.__name__ = builder.__name__
    return build


#: the core's output sheets that come first: scores, then the annexes of funds and payments
SCORE_SHEETS: tuple[OutputSheets, ...] = (
    OutputSheets((schema.OUTPUT_SUMMARY,), _one(summary_sheet)),
    OutputSheets((schema.OUTPUT_SCORESHEET,), score_sheets, prefixes=(schema.OUTPUT_SCORESHEET + "-",)),
    OutputSheets((schema.OUTPUT_LEVEL1,), _one(level1_sheet)),
    OutputSheets((schema.OUTPUT_FUNDS,), _one(funds_sheet)),
    OutputSheets((schema.OUTPUT_HEADCOUNT,), _one(headcount_sheet)),
    OutputSheets((schema.OUTPUT_PAYOUT,), _one(payout_sheet)),
)
#: the core's output sheets that come last: the working paper and the findings
CLOSING_SHEETS: tuple[OutputSheets, ...] = (
    OutputSheets((schema.OUTPUT_TRACE,), _one(trace_sheet)),
    OutputSheets((schema.OUTPUT_FINDINGS,), _one(findings_sheet)),
)
