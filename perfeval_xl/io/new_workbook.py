"""Write a write plan into a new workbook file (openpyxl), for outputs that have no input
package to splice into: the batch summary 汇总.xlsx.  Same named styles as the splice writer."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from perfeval_xl.core.writeplan import WritePlan
from perfeval_xl.io.atomic import write_bytes_atomic
from perfeval_xl.io.xlsx_style import apply_style


def _value(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else float(value)
    return value


def write_new_workbook(plan: WritePlan, path: Path) -> Path:
    """Create ``path`` (atomically) holding exactly the plan's sheets."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in plan.sheets:
        ws = workbook.create_sheet(sheet.name)
        for row, col, value, style in sheet.cells:
            cell = ws.cell(row + 1, col + 1, _value(value))
            if isinstance(value, str):
                cell.data_type = "s"  # never let openpyxl read "=…" in a message as a formula
            apply_style(cell, style)
        for r1, c1, r2, c2 in sheet.merges:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
        for col, width in sheet.widths.items():
            ws.column_dimensions[get_column_letter(col + 1)].width = width
        for row, height in sheet.heights.items():
            ws.row_dimensions[row + 1].height = height
        if sheet.freeze:
            ws.freeze_panes = ws.cell(sheet.freeze[0] + 1, sheet.freeze[1] + 1)
        if sheet.title_rows:
            ws.print_title_rows = f"{sheet.title_rows[0] + 1}:{sheet.title_rows[1] + 1}"
        ws.page_setup.orientation = "landscape" if sheet.landscape else "portrait"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        if sheet.footer:
            ws.oddFooter.center.text = sheet.footer
        for row in sorted({r for r in sheet.row_breaks if r > 0}):
            ws.row_breaks.append(Break(id=row))  # the break follows (1-based) row ``row``
    return write_bytes_atomic(Path(path), workbook.save)
