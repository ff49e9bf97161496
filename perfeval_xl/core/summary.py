"""The JSON summary of ``perfeval score --json`` (its fields: README.md §用法)."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from .findings import Finding
from .scoring import Evaluation


def _number(value: Decimal | None):
    if value is None:
        return None
    return float(value)


def summary(evaluation: Evaluation, findings: Iterable[Finding]) -> dict:
    """The evaluation's scores and the run's ``findings`` (:attr:`perfeval_xl.pipeline.Run.findings`)."""
    return {
        "project": evaluation.book.name,
        "total": _number(evaluation.total),
        "grade": evaluation.grade,
        "units": [
            {
                "name": unit.name,
                "total": _number(unit.total),
                "grade": unit.grade,
                "indicators": [
                    {
                        "code": s.code,
                        "name": s.level3,
                        "weight": _number(s.weight),
                        "score": _number(s.score),
                        "value": _number(s.value_number),
                        "reason": s.reason,
                    }
                    for s in unit.indicators
                ],
            }
            for unit in evaluation.units
        ],
        "findings": [f.as_json() for f in findings],
    }
