"""Snapshot grids (lists of rows) as the adapters build them: one place for the rules
both the file adapter and the xlwings adapter apply to raw cell values."""

from __future__ import annotations

from .normalize import CellValueError, ExcelErrorValue, UncachedFormula, is_blank, parse_number

#: a merge taller than this is not filled (a whole-column merge would inflate the grid)
MAX_MERGE_FILL_ROWS = 10_000


def put_cell(rows: list[list[object]], row: int, col: int, value: object) -> None:
    while len(rows) <= row:
        rows.append([])
    line = rows[row]
    while len(line) <= col:
        line.append("")
    line[col] = value


def get_cell(rows: list[list[object]], row: int, col: int) -> object:
    if row < len(rows) and col < len(rows[row]):
        return rows[row][col]
    return None


def is_label(value: object) -> bool:
    """Text that is not a number typed as text (and not a marker for a formula or error cell)."""
    if not isinstance(value, str) or isinstance(value, (UncachedFormula, ExcelErrorValue)) or is_blank(value):
        return False
    try:
        parse_number(value)
    except CellValueError:
        return True
    return False


def fill_merged_text(rows: list[list[object]], merges) -> None:
    """A text merged down a column stands for every row of the merge (like 一级指标 cells in
    reports), so it is repeated on each row; merged numbers count once and are left alone.
    ``merges`` are zero-based (r1, c1, r2, c2)."""
    for r1, c1, r2, _c2 in merges:
        if r2 <= r1 or r2 - r1 > MAX_MERGE_FILL_ROWS:
            continue
        value = get_cell(rows, r1, c1)
        if not is_label(value):
            continue
        for r in range(r1 + 1, r2 + 1):
            if is_blank(get_cell(rows, r, c1)):
                put_cell(rows, r, c1, value)
