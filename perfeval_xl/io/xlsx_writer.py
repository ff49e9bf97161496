"""Apply a write plan to a workbook file with openpyxl.

Output sheets from an earlier run are removed and rewritten; input sheets are never
touched (openpyxl keeps their values, formulas, styles, merges, validations, comments
and defined names); ``.xlsm`` files keep their VBA.  The result is saved atomically.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from perfeval_xl.core import schema
from perfeval_xl.core.writeplan import SheetPlan, WritePlan
from perfeval_xl.io.atomic import save_workbook_atomic
from perfeval_xl.io.xlsx_style import apply_style


def excel_value(value):
    """A plan value as openpyxl should store it (numbers as numbers, text as text)."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_sheet(ws, plan: SheetPlan) -> None:
    for row, col, value, style in plan.cells:
        cell = ws.cell(row + 1, col + 1)
        cell.value = excel_value(value)
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula: text from the input stays text
        apply_style(cell, style)
    for r1, c1, r2, c2 in plan.merges:
        ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
    for col, width in plan.widths.items():
        ws.column_dimensions[get_column_letter(col + 1)].width = width
    for row, height in plan.heights.items():
        ws.row_dimensions[row + 1].height = height
    if plan.freeze:
        ws.freeze_panes = ws.cell(plan.freeze[0] + 1, plan.freeze[1] + 1)
    if plan.title_rows:
        ws.print_title_rows = f"{plan.title_rows[0] + 1}:{plan.title_rows[1] + 1}"
    ws.page_setup.orientation = "landscape" if plan.landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4


def apply_plan(workbook, plan: WritePlan) -> None:
    for name in list(workbook.sheetnames):
        if schema.is_output_sheet(name):
            del workbook[name]
    for sheet in plan.sheets:
        write_sheet(workbook.create_sheet(sheet.name), sheet)
    workbook.active = workbook.sheetnames.index(plan.sheets[0].name)
    for ws in workbook.worksheets:
        ws.sheet_view.tabSelected = ws.title == plan.sheets[0].name


def write_scored_copy(source: Path, target: Path, plan: WritePlan) -> Path:
    keep_vba = source.suffix.lower() == ".xlsm"
    workbook = load_workbook(source, keep_vba=keep_vba, rich_text=True)
    apply_plan(workbook, plan)
    return save_workbook_atomic(workbook, target, source=source)  # keeps formulas' calculated values
