"""The seam between ``perfeval review`` (and ``batch``, which calls it per workbook) and the target
forms: the forms of a workbook's other sheets checked, as a review result (no figures are compared,
so ``checked`` stays 0; the findings are the review's errors and warnings) and the sheets they take
(not then read as pasted report tables)."""

from __future__ import annotations

from typing import Mapping, Sequence

from perfeval_xl.core.review_result import ReviewResult

from .check import check_target_forms


def target_result(sheets: Mapping[str, Sequence[Sequence[object]]]) -> tuple[ReviewResult, set[str]]:
    results, findings = check_target_forms(sheets)
    return ReviewResult(findings=tuple(findings), targets=tuple(results)), {r.sheet for r in results}
