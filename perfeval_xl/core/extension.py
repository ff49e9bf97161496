"""What the core is given from outside: the extensions a run uses, and the findings so far.

The core declares the shapes; :mod:`perfeval_xl.extensions` assembles the one list of
extensions (value sources, output sheets, checks) that the pipeline passes to every stage.
Nothing registers itself on import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, NamedTuple

from . import schema
from .findings import Finding, FindingList

if TYPE_CHECKING:  # pragma: no cover
    from .book import Book
    from .scoring import Evaluation
    from .sources import SourceInfo
    from .writeplan import SheetPlan


@dataclass(frozen=True)
class OutputSheets:
    """One builder of output sheets and the names (or name prefixes) of the sheets it writes."""

    names: tuple[str, ...]
    build: "Callable[[Evaluation], Iterable[SheetPlan]]"
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


class Env(NamedTuple):
    """What a stage gets besides the previous stage's result."""

    extensions: Extensions
    #: findings of the stages before this one
    findings: FindingList = FindingList()
