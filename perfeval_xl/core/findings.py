"""Findings: every problem found in a workbook, with the sheet and cell it concerns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


def column_letter(index: int) -> str:
    """0 → 'A', 25 → 'Z', 26 → 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """Zero-based (row, col) → 'B3'."""
    return f"{column_letter(col)}{row + 1}"


@dataclass(frozen=True)
class Ref:
    """Where a value came from: a sheet and a cell (zero-based row/col)."""

    sheet: str
    row: int
    col: int

    @property
    def cell(self) -> str:
        return cell_name(self.row, self.col)

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    sheet: str
    cell: str
    message: str

    def as_json(self) -> dict:
        return {"severity": self.severity, "sheet": self.sheet, "cell": self.cell, "message": self.message}


class Findings:
    """An ordered, de-duplicated collection of findings."""

    def __init__(self) -> None:
        self._items: list[Finding] = []
        self._seen: set[Finding] = set()

    def add(self, severity: Severity, where: Ref | tuple[str, str] | None, message: str) -> None:
        if isinstance(where, Ref):
            sheet, cell = where.sheet, where.cell
        elif where is None:
            sheet, cell = "", ""
        else:
            sheet, cell = where
        finding = Finding(severity, sheet, cell, message)
        if finding not in self._seen:
            self._seen.add(finding)
            self._items.append(finding)

    def error(self, where, message: str) -> None:
        self.add("error", where, message)

    def warning(self, where, message: str) -> None:
        self.add("warning", where, message)

    def extend(self, other: "Findings") -> None:
        for item in other:
            self.add(item.severity, (item.sheet, item.cell), item.message)

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self._items if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self._items if f.severity == "warning"]


class TemplateError(Exception):
    """The workbook cannot be read as an evaluation template (exit status 2)."""

    def __init__(self, sheet: str, cell: str, message: str) -> None:
        super().__init__(f"{sheet}!{cell}：{message}" if sheet else message)
        self.sheet = sheet
        self.cell = cell
        self.message = message
