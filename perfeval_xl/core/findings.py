"""Findings: every problem found in a workbook, with the sheet and cell it concerns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import chain, compress, groupby, islice, repeat
from operator import add, is_, itemgetter, mul, sub
from typing import Iterable, Literal, NamedTuple

Severity = Literal["error", "warning"]
#: the severities as every output names them
LEVELS: dict[str, str] = {"error": "错误", "warning": "提示"}


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


_CELL_NAME = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def column_index(letters: str) -> int:
    """'A' → 0, 'XFD' → 16383 (zero-based, the inverse of :func:`column_letter`)."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def parse_cell_name(text: str) -> tuple[int, int] | None:
    """'B3' or '$B$3' → zero-based (2, 1), the inverse of :func:`cell_name`; None when not a cell reference."""
    match = _CELL_NAME.match(text.strip())
    if not match:
        return None
    return int(match.group(2)) - 1, column_index(match.group(1))


class Ref(NamedTuple):
    """Where a value came from: a sheet and a cell (zero-based row/col).  Immutable and
    hashable; a named tuple because a long ledger makes one per row it sums."""

    sheet: str
    row: int
    col: int

    @property
    def cell(self) -> str:
        return cell_name(self.row, self.col)

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}"


_SHEET, _ROW, _COL = itemgetter(0), itemgetter(1), itemgetter(2)
_SPAN = 1 << 24  # more rows than a sheet has: col * _SPAN + row orders cells by column, then row


def format_refs(refs, limit: int = 8, memo: dict | None = None) -> str:
    """Cells as a reviewer reads them: per sheet, consecutive cells of a column as a range.

    ``[资金情况!B3, 资金情况!D3, 支出明细!E3 … E100002]`` → ``资金情况!B3、D3；支出明细!E3:E100002``.
    Only the pieces shown are spelt out; the others are counted (a ledger total names a cell
    per row), each step over the whole list in C where it can be.  With ``memo`` (a dict the
    caller keeps for one sheet it writes), a long run of one sheet made of the very cells of a run
    spelt before (a unit's ledger total, read by several indicators) is spelt once: told by one C
    pass of identity checks.
    """
    refs = list(refs)
    # the list in runs of one sheet (a value's cells come together: an indicator's, a ledger's, a fund's)
    runs_of: dict[str, list[tuple[int, int]]] = {}  # sheet → its runs, in the order the sheets are first named
    end = 0
    for sheet, run in groupby(map(_SHEET, refs)):
        start, end = end, end + len(list(run))
        runs_of.setdefault(sheet, []).append((start, end))
    parts = []
    for sheet, spans in runs_of.items():
        cells = refs[spans[0][0]:spans[0][1]] if len(spans) == 1 else list(
            chain.from_iterable(refs[start:end] for start, end in spans))
        if memo is None or len(cells) <= _MEMO_CELLS:
            parts.append(f"{sheet}!{_shown(cells, len(spans) == 1, limit)}")
            continue
        key = (sheet, limit, len(cells), id(cells[0]), id(cells[-1]))
        known = memo.get(key)
        if known is None or not all(map(is_, known[0], cells)):
            known = memo[key] = (cells, f"{sheet}!{_shown(cells, len(spans) == 1, limit)}")  # cells kept: ids stay
        parts.append(known[1])
    return "；".join(parts)


#: a run of one sheet longer than this is looked up in format_refs' memo (a shorter one is spelt at once)
_MEMO_CELLS = 64


def _shown(cells: list, one_run: bool, limit: int) -> str:
    """One sheet's cells spelt as :func:`format_refs` spells them (``one_run``: they came together)."""
    # each cell once as one integer, by column then row (ints sort fast), by C loops: in one column
    # (a ledger total's) its row, offset by the column when spelt out
    cols = list(map(_COL, cells))
    if cols.count(cols[0]) == len(cols):
        base, keys_of = cols[0] * _SPAN, list(map(_ROW, cells))
    else:
        base, keys_of = 0, list(map(add, map(mul, cols, repeat(_SPAN)), map(_ROW, cells)))
    # one run already strictly in order (a ledger's cells, row after row) is used as it stands
    steps: list[int] = []
    in_order = False
    if one_run:
        # each key less the one before (map stops with the shorter: no copies of the list shifted by one)
        steps = list(map(sub, islice(keys_of, 1, None), keys_of))
        in_order = not steps or min(steps) > 0
    if not in_order:
        keys_of = sorted(set(keys_of))
        steps = list(map(sub, islice(keys_of, 1, None), keys_of))
    runs = len(steps) - steps.count(1) + 1
    ends = list(islice(compress(range(len(steps)), map((1).__ne__, steps)), limit))  # last cell of a run
    pieces: list[str] = []
    first = 0
    for last in ends + [len(keys_of) - 1]:
        if len(pieces) == limit:
            break
        (c1, r1), (c2, r2) = divmod(base + keys_of[first], _SPAN), divmod(base + keys_of[last], _SPAN)
        pieces.append(cell_name(r1, c1) if first == last else f"{cell_name(r1, c1)}:{cell_name(r2, c2)}")
        first = last + 1
    return "、".join(pieces) + (f" 等 {runs} 处" if runs > limit else "")


@dataclass(frozen=True)
class Finding:
    severity: Severity
    sheet: str
    cell: str
    message: str

    @property
    def level(self) -> str:
        """The severity as the user reads it: 错误 or 提示."""
        return LEVELS[self.severity]

    def as_json(self) -> dict:
        return {"severity": self.severity, "sheet": self.sheet, "cell": self.cell, "message": self.message}


class FindingList(tuple):
    """Findings gathered by the pipeline, frozen: a tuple with the errors and warnings picked out."""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self if f.severity == "warning"]


class Findings:
    """An ordered, de-duplicated collection of findings: what one stage (or check) collects."""

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

    def extend(self, other: "Iterable[Finding]") -> None:
        for item in other:
            self.add(item.severity, (item.sheet, item.cell), item.message)

    def frozen(self) -> FindingList:
        return FindingList(self._items)

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


#: the exit statuses of every command (README): done; done with error findings or slips; could not be read
EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2


class TemplateError(Exception):
    """The workbook cannot be read as an evaluation template (exit status 2)."""

    def __init__(self, sheet: str, cell: str, message: str) -> None:
        super().__init__(f"{sheet}!{cell}：{message}" if sheet else message)
        self.sheet = sheet
        self.cell = cell
        self.message = message
