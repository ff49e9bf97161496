"""Write a write plan into a new workbook file (openpyxl), for outputs that have no input
package to splice into: the batch summary 汇总.xlsx.  Same named styles as the splice writer."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from perfeval_xl.core.styles import FONT_NAME
from perfeval_xl.core.writeplan import ChartPlan, WritePlan
from perfeval_xl.io.atomic import write_bytes_atomic
from perfeval_xl.io.xlsx_style import apply_style


def _value(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else float(value)
    return value


def _text(size: int, bold: bool = False, rotate: bool = False):
    """Chart text in the workbook's Chinese font (LibreOffice and WPS need it to draw Chinese)."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Font, Paragraph, ParagraphProperties, RichTextProperties

    font = Font(typeface=FONT_NAME)
    props = CharacterProperties(latin=font, ea=font, cs=font, sz=size, b=bold)
    body = RichTextProperties(rot=-5400000, vert="horz") if rotate else RichTextProperties()
    return RichText(bodyPr=body, p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])


def _title(text: str, size: int, rotate: bool = False):
    from openpyxl.chart.text import Text
    from openpyxl.chart.title import Title
    from openpyxl.drawing.text import RegularTextRun

    rich = _text(size, True, rotate)
    rich.p[0].r = [RegularTextRun(rPr=rich.p[0].pPr.defRPr, t=text)]
    return Title(tx=Text(rich=rich), overlay=False)


def _chart(ws, plan: ChartPlan):
    """An openpyxl clustered bar chart of the plan, over cells of ``ws`` (the splice writer's look)."""
    from openpyxl.chart import BarChart, Reference, Series
    from openpyxl.chart.data_source import AxDataSource, StrRef
    from openpyxl.chart.label import DataLabelList
    from openpyxl.chart.series import SeriesLabel
    from openpyxl.chart.shapes import GraphicalProperties
    from openpyxl.drawing.line import LineProperties

    def ref(r1: int, c1: int, r2: int, c2: int) -> Reference:
        return Reference(ws, min_col=c1 + 1, min_row=r1 + 1, max_col=c2 + 1, max_row=r2 + 1)

    chart = BarChart()
    chart.type, chart.grouping = plan.direction, "clustered"
    chart.title = _title(plan.title, 1200)
    chart.width, chart.height = plan.width / 72 * 2.54, plan.height / 72 * 2.54  # points → cm
    for series in plan.series:
        row, col = series.name_cell
        label = SeriesLabel(strRef=StrRef(str(ref(row, col, row, col))))
        chart.series.append(Series(ref(*series.values), title=None))
        chart.series[-1].tx = label
    for series in chart.series:  # category texts: a string reference (set_categories writes a number one)
        series.cat = AxDataSource(strRef=StrRef(str(ref(*plan.categories))))
    chart.y_axis.number_format = plan.axis_format
    chart.y_axis.scaling.min = float(plan.minimum) if plan.minimum is not None else None
    chart.y_axis.scaling.max = float(plan.maximum) if plan.maximum is not None else None
    chart.y_axis.majorGridlines.spPr = GraphicalProperties(ln=LineProperties(solidFill="D9D9D9"))
    chart.y_axis.delete = chart.x_axis.delete = False
    chart.y_axis.txPr, chart.x_axis.txPr = _text(900), _text(900)
    if plan.value_title:
        chart.y_axis.title = _title(plan.value_title, 900, rotate=plan.direction == "col")
    if plan.category_title:
        chart.x_axis.title = _title(plan.category_title, 900)
    if plan.legend:
        chart.legend.position = "t"
        chart.legend.txPr = _text(900)
    else:
        chart.legend = None
    if plan.value_labels:
        chart.dataLabels = DataLabelList(numFmt=plan.label_format, txPr=_text(800), dLblPos="outEnd", showVal=True,
                                         showLegendKey=False, showCatName=False, showSerName=False,
                                         showPercent=False, showBubbleSize=False)
    return chart


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
        for chart in sheet.charts:
            ws.add_chart(_chart(ws, chart), f"{get_column_letter(chart.anchor[1] + 1)}{chart.anchor[0] + 1}")
    return write_bytes_atomic(Path(path), workbook.save)
