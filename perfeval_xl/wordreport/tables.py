"""An output sheet of the write plan as a document table.

The docx shows exactly the cells the xlsx shows: the same values, formatted by the
same number formats (0.00, 0.00%, #,##0.00, #,##0), the same merges.  The sheet's
title becomes the caption, the full-width lines above the header row (单位：万元 …)
are printed above the table and those after the last table row are its notes.
"""

from __future__ import annotations

from decimal import Decimal

from ..core.numbers import fmt_amount, fmt_percent, fmt_plain, fmt_score, round_half_up, to_decimal
from ..core.styles import STYLES
from ..core.writeplan import SheetPlan
from .model import Cell, Table

#: styles of a full-width line (title, unit line, note) rather than a table row
LINE_STYLES = {"title", "subtitle", "note", "help"}


def format_value(value: object, style: str) -> str:
    """A cell's value as Excel shows it with the style's number format."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return value
    if not isinstance(value, (int, float, Decimal)):
        return str(value)
    number = to_decimal(value)
    fmt = STYLES.get(style, STYLES["text"]).number_format
    if fmt == "0.00":
        return fmt_score(number)
    if fmt == "0.00%":
        return fmt_percent(number)
    if fmt == "#,##0.00":
        return fmt_amount(number)
    if fmt == "#,##0":
        return f"{round_half_up(number, 0):,.0f}"
    return fmt_plain(number)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _cell(value: object, style: str) -> Cell:
    spec = STYLES.get(style, STYLES["text"])
    align = spec.align
    # numbers read right-aligned in a report table; a centred small integer (序号) stays centred
    if _is_number(value) and not (isinstance(value, int) and align == "center"):
        align = "right"
    shaded = style == "header" or style.startswith("total")
    return Cell(format_value(value, style), align, spec.bold or style == "header", shaded)


def _line_rows(plan: SheetPlan, cells: dict[tuple[int, int], tuple[object, str]]) -> set[int]:
    """Rows that are one full-width line of text (title, unit line, note)."""
    lines = set()
    for r in range(plan.n_rows):
        row = [(c, v, s) for (rr, c), (v, s) in cells.items() if rr == r]
        filled = [(c, v, s) for c, v, s in row if v not in (None, "")]
        if len(filled) == 1 and filled[0][0] == 0 and filled[0][2] in LINE_STYLES:
            lines.add(r)
    return lines


def sheet_table(plan: SheetPlan, caption: str | None = None, compact: bool | None = None) -> Table:
    cells = {(r, c): (v, s) for r, c, v, s in plan.cells}
    ncols = plan.n_cols
    lines = _line_rows(plan, cells)
    if plan.title_rows is not None:
        head_start, head_end = plan.title_rows
    else:
        head_start = next((r for (r, _), (_, s) in sorted(cells.items()) if s == "header"), 0)
        head_end = head_start
    table_rows = [r for r in range(head_start, plan.n_rows) if r not in lines]
    last = max(table_rows, default=head_end)
    body_rows = [r for r in range(head_end + 1, last + 1)]
    title = caption
    above, notes = [], []
    for r in sorted(lines):
        value, style = cells[(r, 0)]
        if r < head_start:
            if style == "title" and title is None:
                title = str(value)
            elif style != "title":
                above.append(str(value))
        elif r > last:
            notes.append(str(value))
    order = list(range(head_start, head_end + 1)) + body_rows
    index = {r: i for i, r in enumerate(order)}

    def row(r: int) -> tuple[Cell, ...]:
        return tuple(_cell(*cells.get((r, c), (None, "text"))) for c in range(ncols))

    merges = tuple((index[r1], c1, index[r2], c2) for r1, c1, r2, c2 in plan.merges
                   if r1 in index and r2 in index and index[r2] - index[r1] == r2 - r1)
    widths = tuple(float(plan.widths.get(c, 10)) for c in range(ncols))
    return Table(caption=title or plan.name,
                 header=tuple(row(r) for r in range(head_start, head_end + 1)),
                 body=tuple(row(r) for r in body_rows), merges=merges, widths=widths,
                 above=tuple(above), notes=tuple(notes),
                 compact=compact if compact is not None else ncols > 8)


def column(table: Table, header: str) -> int | None:
    """The index of the column whose (last) header cell reads ``header``."""
    for row in reversed(table.header):
        for i, cell in enumerate(row):
            if cell.text == header:
                return i
    return None
