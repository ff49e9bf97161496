"""Satisfaction by respondent class and unit: the one place that says which classes, which units
and which rates the 满意度情况表, its chart and the Word draft show.

Rates come through the run's value sources (``满意度(<类别>)``, ``综合满意度``), so a class counted
from questionnaires and one typed in the 满意度 sheet are read the same way.  综合满意度 is shown
only when an indicator uses it or the evaluation gives class weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from . import schema
from .measures import MeasureError
from .sources import Scope, SourceError, class_weights

if TYPE_CHECKING:  # pragma: no cover
    from .scoring import Evaluation

COMPOSITE = "综合满意度"


@dataclass(frozen=True)
class SatisfactionRow:
    full_name: str
    #: the unit's short name (None: the project as a whole)
    unit: str | None
    #: per class of :attr:`SatisfactionTable.codes`, None when the rate cannot be had
    rates: tuple[Decimal | None, ...]
    #: 综合满意度 (None when not shown or not computable)
    composite: Decimal | None


@dataclass(frozen=True)
class SatisfactionTable:
    codes: tuple[str, ...]
    #: the class names as headers (奖励对象满意度, …)
    headers: tuple[str, ...]
    composite: bool
    rows: tuple[SatisfactionRow, ...]
    #: class code → (weight, name) as the evaluation gives them
    classes: dict

    @property
    def all_headers(self) -> tuple[str, ...]:
        return self.headers + ((COMPOSITE,) if self.composite else ())

    def values(self, row: SatisfactionRow) -> tuple[Decimal | None, ...]:
        return row.rates + ((row.composite,) if self.composite else ())


def uses_composite(ev: "Evaluation") -> bool:
    """Whether an indicator (its 取值来源 or 规则参数, e.g. a 公式) uses 综合满意度."""
    system = ev.system
    defs = list(system.generic) + [d for own in system.overrides.values() for d in own.values()]
    return any(COMPOSITE in (x.source or "") or COMPOSITE in (x.params or "")
               for d in defs for x in (d, *d.children))


def composite_wanted(ev: "Evaluation") -> bool:
    """综合满意度 is shown only when it is used or the evaluation gives class weights: an evaluation
    without class weights that scores each class on its own gets no 综合满意度 row, column or error."""
    return uses_composite(ev) or any(w is not None for w, _, _ in class_weights(ev.book).values())


def _safe(scope: Scope, text: str):
    try:
        return scope.resolve(text)
    except (SourceError, MeasureError):
        return None


def satisfaction_table(ev: "Evaluation") -> SatisfactionTable:
    """Each unit's (or the project's) satisfaction per class, and the composite when shown."""
    typed = ev.book.rows(schema.SATISFACTION)
    classes = class_weights(ev.book)
    codes = tuple(classes) or tuple(dict.fromkeys(r.get("class_code") for r in typed if r.get("class_code")))
    wanted = composite_wanted(ev)
    scopes = [(ev.book.name, None)] if ev.whole else [(u.full_name, u.short_name) for u in ev.book.units]
    rows = []
    for name, unit in scopes:
        scope = ev.scope(unit)
        rates = []
        for code in codes:
            value = _safe(scope, f"满意度({code})")
            rates.append(value.amount if value else None)
        composite = _safe(scope, COMPOSITE) if wanted else None
        rows.append(SatisfactionRow(name, unit, tuple(rates), composite.amount if composite else None))
    headers = tuple(f"{classes.get(c, (None, c))[1]}满意度" for c in codes)
    return SatisfactionTable(codes, headers, wanted, tuple(rows), {c: v[:2] for c, v in classes.items()})
