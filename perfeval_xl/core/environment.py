"""What the core is given from outside (its environment): the extensions a run uses, the findings so far, the caches.

The core declares the shapes; :mod:`perfeval_xl.extensions` assembles the one list of
extensions (value sources, output sheets, checks) that the pipeline passes to every stage.
Nothing registers itself on import.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, NamedTuple, TypeVar, cast

from . import schema
from .findings import Finding, FindingList

if TYPE_CHECKING:  # pragma: no cover
    from .book import Book
    from .scoring import Evaluation
    from .sources import Scope, SourceInfo
    from .writeplan import SheetPlan

_T = TypeVar("_T")


#: what builds output sheets: the evaluation and the run's findings so far (the one channel; the
#: 校验结果 sheet lists them, most builders read the evaluation only) → the sheets
SheetsBuilder = Callable[["Evaluation", FindingList], Iterable["SheetPlan"]]


@dataclass(frozen=True)
class OutputSheets:
    """One builder of output sheets and the names (or name prefixes) of the sheets it writes."""

    names: tuple[str, ...]
    build: SheetsBuilder
    prefixes: tuple[str, ...] = ()

    def owns(self, name: str) -> bool:
        return name in self.names or any(name.startswith(p) for p in self.prefixes)


@dataclass(frozen=True)
class Extensions:
    """Everything a run can be extended with, in the order it is used."""

    #: value source name → source (the names an evaluator writes in 取值来源)
    sources: "Mapping[str, SourceInfo]"
    #: output-sheet builders in the order the sheets are written
    sheets: tuple[OutputSheets, ...]
    #: checks of the check stage, each the book in and its findings out
    checks: tuple["Callable[[Book], Iterable[Finding]]", ...]

    def is_output_sheet(self, name: str) -> bool:
        """Sheets that perfeval writes and may replace: never an input sheet."""
        if name in schema.INPUT_SHEET_NAMES:
            return False
        return any(sheets.owns(name) for sheets in self.sheets)

    @property
    def sheet_names(self) -> tuple[str, ...]:
        return tuple(name for sheets in self.sheets for name in sheets.names)


class Caches:
    """What a run computes once and its later stages ask for again: one :class:`~.sources.Scope`
    per unit of a book (the sums behind the scores, asked again by the annex tables and 报告数据),
    the indicator means of an evaluation, a table's records grouped by unit or code, and the indexes
    by name or code later stages look things up in.  The pipeline makes one per run and passes it in
    :class:`Env`; a book and an evaluation hold only a reference to their run's caches (never
    compared), so a replaced one (normalised, reconciled) shares them instead of summing again."""

    def __init__(self) -> None:
        #: (id of the book, unit) → (the book, weakly, so that its id is known to be its own, its scope)
        self._scopes: dict[tuple[int, str | None], tuple["weakref.ref[Book]", object]] = {}
        #: id of the units → (the units, the means)
        self._means: dict[int, tuple[object, object]] = {}
        #: (id of the table, column key) → (the table, its records by their value in that column)
        self._groups: dict[tuple[int, object], tuple[object, Mapping[object, tuple]]] = {}
        #: (id of the owner, what) → (the owner, what was derived from it once): indexes by name or code
        self._derived: dict[tuple[int, str], tuple[object, object]] = {}

    def derived(self, owner: object, what: str, make: Callable[[], _T]) -> _T:
        """What is derived once from ``owner`` (the units of an evaluation, a unit's indicators …) and
        looked up many times: an index by name or code, built on first use instead of a scan per look-up."""
        found = self._derived.get((id(owner), what))
        if found is None or found[0] is not owner:
            found = self._derived[(id(owner), what)] = (owner, make())
        return found[1]  # type: ignore[return-value]  # stored by this method under (owner, what), made by ``make``

    def grouped(self, table: object, key: str | tuple[str, ...],
                make: Callable[[], Mapping[object, tuple]]) -> Mapping[object, tuple]:
        found = self._groups.get((id(table), key))
        if found is None or found[0] is not table:
            found = self._groups[(id(table), key)] = (table, make())
        return found[1]

    def scope(self, book: "Book", unit: str | None, make: "Callable[[], Scope]") -> "Scope":
        key = (id(book), unit)
        found = self._scopes.get(key)
        if found is None or found[0]() is not book:  # the book held weakly: it holds these caches
            found = self._scopes[key] = (weakref.ref(book), make())
        return cast("Scope", found[1])  # stored by this method, made by ``make``

    def means(self, units: object, make: Callable[[], _T]) -> _T:
        found = self._means.get(id(units))
        if found is None or found[0] is not units:
            found = self._means[id(units)] = (units, make())
        return cast(_T, found[1])  # stored by this method, made by ``make``


class Env(NamedTuple):
    """What a stage gets besides the previous stage's result."""

    extensions: Extensions
    #: findings of the stages before this one, in order: the run's one findings channel so far
    findings: FindingList = FindingList()
    #: the run's caches (a stage run on its own gets fresh ones)
    caches: Caches | None = None
    #: stage name → the findings that stage returned, for the stages before this one
    stage_findings: Mapping[str, FindingList] = MappingProxyType({})
