"""The ``new`` engine (:mod:`perfeval_xl.io.engines`): a write plan as a new package holding
only the plan's sheets, for output that has no input package to splice into.

:func:`new_package` assembles the package directly from the splice writer's parts
(:func:`~perfeval_xl.io.xlsx_splice.sheet_xml`, :func:`~perfeval_xl.io.xlsx_splice.add_styles`),
so the sheets look exactly like the output sheets of a scored copy.  It draws no charts (the
splice engine does).  The sheets are not marked as perfeval's output (such a file is one of its
own, recognised by its sheet names)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from perfeval_xl.core.writeplan import WritePlan
from perfeval_xl.io.atomic import write_bytes_atomic
from perfeval_xl.io.engines import Output
from perfeval_xl.io.xlsx_package import (
    MAIN_NS, PART_STAMP, REL_NS, SHEET_REL, SHEET_TYPE, escape, quoteattr, sheet_name_ref,
)
from perfeval_xl.io.xlsx_splice import add_styles, sheet_xml


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
        sheets.append(f'<sheet name={quoteattr(sheet.name)} sheetId="{n}" r:id="rId{n}"/>')
        rels.append(f'<Relationship Id="rId{n}" Type="{SHEET_REL}" Target="worksheets/sheet{n}.xml"/>')
        types.append(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET_TYPE}"/>')
        if sheet.title_rows:
            a, b = sheet.title_rows
            defined.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{n - 1}">'
                           f"{escape(sheet_name_ref(sheet.name))}!${a + 1}:${b + 1}</definedName>")
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
    """Create ``path`` (atomically) holding exactly the plan's sheets (:func:`new_package`)."""
    if any(sheet.charts for sheet in plan.sheets):
        raise ValueError("the new-package engine draws no charts; a plan with charts goes through the splice engine")
    data = new_package(plan)
    return write_bytes_atomic(Path(path), lambda handle: handle.write(data))


def write_plan(plan: WritePlan, output: Output) -> Path:
    """The ``new`` engine: :func:`write_plain_workbook` to ``output.target``."""
    return write_plain_workbook(plan, output.target)
