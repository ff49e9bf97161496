"""Write a write plan into a new workbook file, for outputs that have no input package to
splice into: the batch summary 汇总.xlsx.  Same named styles as the splice writer.

:func:`write_new_workbook` writes any plan through openpyxl (charts included).
:func:`write_plain_workbook`, for a plan without charts such as the batch summary, assembles the
package directly from the splice writer's parts (:func:`~perfeval_xl.io.xlsx_splice.sheet_xml`,
:func:`~perfeval_xl.io.xlsx_splice.add_styles`), so the sheets look exactly like the output sheets
of a scored copy and a summary of a thousand files (tens of thousands of rows) is written in a
second or two instead of twenty.  Neither marks the sheets as perfeval's output (the summary is a
file of its own, recognised by its sheet names)."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

from perfeval_xl.core.normalize import xml_safe
from perfeval_xl.core.styles import FONT_NAME
from perfeval_xl.core.writeplan import ChartPlan, WritePlan
from perfeval_xl.io.atomic import write_bytes_atomic
from perfeval_xl.io.xlsx_chart import PALETTE
from perfeval_xl.io.xlsx_package import (
    MAIN_NS, PART_STAMP, REL_NS, SHEET_REL, SHEET_TYPE, escape, quoteattr, sheet_name_ref,
)
from perfeval_xl.io.xlsx_splice import add_styles, sheet_xml


def _value(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else float(value)
    return xml_safe(value) if isinstance(value, str) else value


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
    rich.p[0].r = [RegularTextRun(rPr=rich.p[0].pPr.defRPr, t=xml_safe(text))]
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
        chart.series[-1].graphicalProperties.solidFill = PALETTE[(len(chart.series) - 1) % len(PALETTE)]
    chart.gapWidth = 80
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
    from openpyxl import Workbook  # only this writer needs openpyxl (the batch summary goes through the plain one)
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break

    from perfeval_xl.io.xlsx_style import apply_style

    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in plan.sheets:
        ws = workbook.create_sheet(xml_safe(sheet.name))
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
            ws.freeze_panes = f"{get_column_letter(sheet.freeze[1] + 1)}{sheet.freeze[0] + 1}"  # a merged cell has no coordinate
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


_PACKAGE_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
                 "</Relationships>")
#: the styles every workbook starts from (Excel's defaults); our named styles are appended
_BASE_STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN_NS}">'
                '<fonts count="1"><font><sz val="11"/><name val="宋体"/><charset val="134"/></font></fonts>'
                '<fills count="2"><fill><patternFill patternType="none"/></fill>'
                '<fill><patternFill patternType="gray125"/></fill></fills>'
                '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                "</styleSheet>")


def new_package(plan: WritePlan) -> bytes:
    """The bytes of an .xlsx holding exactly the plan's sheets (the first one selected); charts
    are not written (see :func:`write_plain_workbook`)."""
    styles, index = add_styles(_BASE_STYLES)
    sheets, rels, types, defined = [], [], [], []
    for n, sheet in enumerate(plan.sheets, start=1):
        sheets.append(f'<sheet name={quoteattr(xml_safe(sheet.name))} sheetId="{n}" r:id="rId{n}"/>')
        rels.append(f'<Relationship Id="rId{n}" Type="{SHEET_REL}" Target="worksheets/sheet{n}.xml"/>')
        types.append(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET_TYPE}"/>')
        if sheet.title_rows:
            a, b = sheet.title_rows
            defined.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{n - 1}">'
                           f"{escape(xml_safe(sheet_name_ref(sheet.name)))}!${a + 1}:${b + 1}</definedName>")
    styles_id = len(plan.sheets) + 1
    rels.append(f'<Relationship Id="rId{styles_id}" Type="{REL_NS}/styles" Target="styles.xml"/>')
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN_NS}" '
                f'xmlns:r="{REL_NS}"><bookViews><workbookView activeTab="0"/></bookViews>'
                f'<sheets>{"".join(sheets)}</sheets>'
                + (f'<definedNames>{"".join(defined)}</definedNames>' if defined else "")
                + "</workbook>")
    content_types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                     '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                     '<Default Extension="xml" ContentType="application/xml"/>'
                     '<Override PartName="/xl/workbook.xml" '
                     'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                     '<Override PartName="/xl/styles.xml" '
                     'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                     + "".join(types) + "</Types>")
    parts = {"[Content_Types].xml": content_types, "_rels/.rels": _PACKAGE_RELS, "xl/workbook.xml": workbook,
             "xl/_rels/workbook.xml.rels": ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                                            f'relationships">{"".join(rels)}</Relationships>'),
             "xl/styles.xml": styles}
    for n, sheet in enumerate(plan.sheets, start=1):
        parts[f"xl/worksheets/sheet{n}.xml"] = sheet_xml(sheet, index, selected=(n == 1))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for name, text in parts.items():
            zout.writestr(zipfile.ZipInfo(name, date_time=PART_STAMP), text.encode("utf-8"),
                          compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return out.getvalue()


def write_plain_workbook(plan: WritePlan, path: Path) -> Path:
    """Create ``path`` (atomically) holding exactly the plan's sheets, assembled directly
    (a plan with charts goes through :func:`write_new_workbook`)."""
    if any(sheet.charts for sheet in plan.sheets):
        return write_new_workbook(plan, path)
    data = new_package(plan)
    return write_bytes_atomic(Path(path), lambda handle: handle.write(data))
