"""An output sheet of the write plan as a document table.

The docx shows exactly the cells the xlsx shows: the same values, formatted by the
same number formats (0.00, 0.00%, #,##0.00, #,##0), the same merges.  The sheet's
title becomes the caption, the full-width lines above the header row (单位：万元 …)
are printed above the table and those after the last table row are its notes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Mapping

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


def _line_rows(plan: SheetPlan, cells: Mapping[tuple[int, int], tuple[object, str]]) -> set[int]:
    """Rows that are one full-width line of text (title, unit line, note)."""
    lines = set()
    for r in range(plan.n_rows):
        row = [(c, v, s) for (rr, c), (v, s) in cells.items() if rr == r]
        filled = [(c, v, s) for c, v, s in row if v not in (None, "")]
        if len(filled) == 1 and filled[0][0] == 0 and filled[0][2] in LINE_STYLES:
            lines.add(r)
    return lines


def sheet_table(plan: SheetPlan, caption: str | None = None, compact: bool | None = None) -> Table:
    """The sheet's (first) table; see :func:`sheet_tables`."""
    return sheet_tables(plan, caption, compact)[0]


def _is_header_row(cells, r: int, ncols: int) -> bool:
    styles = [cells[(r, c)][1] for c in range(ncols) if (r, c) in cells and cells[(r, c)][0] not in (None, "")]
    return bool(styles) and all(s == "header" for s in styles)


def sheet_tables(plan: SheetPlan, caption: str | None = None, compact: bool | None = None) -> list[Table]:
    """Every table block of the sheet, in order.  A block is a run of header rows and the data
    rows under them; full-width lines before a block are printed above it (the sheet's title is
    the first block's caption), lines after the last block are its notes.  A sheet such as
    复核意见 holds several blocks (the slips, then the areas not checked, then the findings)."""
    cells = {(r, c): (plan.unbroken.get((r, c), v), s) for r, c, v, s in plan.cells}  # text as written
    ncols = plan.n_cols
    lines = _line_rows(plan, cells)
    first_head = plan.title_rows or next(((r, r) for r in range(plan.n_rows) if _is_header_row(cells, r, ncols)), (0, 0))
    blocks: list[dict] = []
    pending: list[str] = []
    title = caption
    r = 0
    while r < plan.n_rows:
        if r in lines:
            value, style = cells[(r, 0)]
            if style == "title" and title is None and not blocks:
                title = str(value)
            elif style != "title":
                pending.append(str(value))
            r += 1
            continue
        if not any((r, c) in cells for c in range(ncols)):
            r += 1  # an empty spacer row
            continue
        starts_block = (r == first_head[0] and not blocks) or (_is_header_row(cells, r, ncols) and (
            not blocks or blocks[-1]["body"] or pending))
        if starts_block:
            end = first_head[1] if r == first_head[0] and not blocks else r
            while end + 1 < plan.n_rows and end + 1 not in lines and _is_header_row(cells, end + 1, ncols) \
                    and not (r == first_head[0] and not blocks):
                end += 1
            blocks.append({"head": list(range(r, end + 1)), "body": [], "above": pending})
            pending = []
            r = end + 1
            continue
        if not blocks:  # data before any header: a table without a header row
            blocks.append({"head": [], "body": [], "above": pending})
            pending = []
        blocks[-1]["body"].append(r)
        r += 1
    if not blocks:
        blocks.append({"head": [], "body": [], "above": pending})
        pending = []
    tables = []
    for i, block in enumerate(blocks):
        order = block["head"] + block["body"]
        index = {row: k for k, row in enumerate(order)}

        def row(rr: int) -> tuple[Cell, ...]:
            return tuple(_cell(*cells.get((rr, c), (None, "text"))) for c in range(ncols))

        merges = tuple((index[r1], c1, index[r2], c2) for r1, c1, r2, c2 in plan.merges
                       if r1 in index and r2 in index and index[r2] - index[r1] == r2 - r1)
        widths = tuple(float(plan.widths.get(c, 10)) for c in range(ncols))
        last = i == len(blocks) - 1
        tables.append(Table(caption=(title or plan.name) if i == 0 else "",
                            header=tuple(row(rr) for rr in block["head"]),
                            body=tuple(row(rr) for rr in block["body"]), merges=merges, widths=widths,
                            above=tuple(block["above"]), notes=tuple(pending) if last else (),
                            compact=compact if compact is not None else ncols > 8))
    return tables


def column(table: Table, header: str) -> int | None:
    """The index of the column whose (last) header cell reads ``header``."""
    for row in reversed(table.header):
        for i, cell in enumerate(row):
            if cell.text == header:
                return i
    return None
