"""Write a plan's output sheets into a copy of an .xlsx/.xlsm file by adding parts to
its zip package: every part of the input (its sheets, cached formula values, charts,
images, comments, VBA, custom XML) is copied byte for byte.

Only four parts are edited, by targeted text insertion (never re-serialised, so
namespace prefixes and extension lists stay as Excel wrote them):

* ``xl/workbook.xml``: ``<sheet>`` entries of our output sheets, their print titles and
  ownership marks (:mod:`perfeval_xl.io.ownership`), the active tab;
* ``xl/_rels/workbook.xml.rels`` and ``[Content_Types].xml``: the new parts (sheets, and the
  drawings and charts of sheets with charts, :mod:`perfeval_xl.io.xlsx_chart`);
* ``xl/styles.xml``: our fonts, fills, borders, number formats and cell formats,
  appended after the existing ones.

Output sheets of an earlier run (those the ownership mark says are ours) are removed
first, with the parts only they use (drawings, charts).  Strings are written inline, so the shared string table is untouched.  The
package structure is read, and each new sheet tied in (:class:`~perfeval_xl.io.xlsx_package.PackageEdit`,
the same code the questionnaire transplant uses), through :mod:`perfeval_xl.io.xlsx_package`;
:func:`splice` is a sequence of small named edits on the four parts.  It is the ``splice`` engine
of :mod:`perfeval_xl.writers`.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterator

from perfeval_xl.core.findings import column_letter
from perfeval_xl.core.normalize import xml_safe
from perfeval_xl.core.styles import FONT_NAME, STYLES, StyleName
from perfeval_xl.core.writeplan import SheetPlan, WritePlan
from perfeval_xl.io.atomic import write_bytes_atomic
from perfeval_xl.io.engines import Output
from perfeval_xl.io.xlsx_chart import (
    CHART_REL, CHART_TYPE, DRAWING_REL, DRAWING_TYPE, chart_xml, drawing_xml, owned_parts, relationships_xml,
)
from perfeval_xl.io.ownership import existing_sheets, foreign_sheet_error, mark_name, mark_reference, sort_out
from perfeval_xl.io.xlsx_package import (
    CONTENT_TYPES, MAIN_NS, PART_STAMP, SHEET_TYPE, STYLES_PART, WORKBOOK, WORKBOOK_RELS, Package, PackageEdit, SpliceError,
    copy_part_raw, count_children, free_parts, insert_before_close, mask, prefix, read_defined_names, rels_part,
    set_count, sheet_name_ref,
)
from perfeval_xl.io.xlsx_package import escape, quoteattr

#: the only input parts that are edited (besides the 'selected tab' flag of sheet views)
EDITED_PARTS = frozenset({WORKBOOK, CONTENT_TYPES, WORKBOOK_RELS, STYLES_PART})
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}

__all__ = ["EDITED_PARTS", "SpliceError", "add_styles", "sheet_xml", "splice", "unselect", "write_plan", "write_scored_copy"]


# --- styles ------------------------------------------------------------------

def add_styles(styles_xml: str) -> tuple[str, dict[str, int]]:
    """Append our named styles to styles.xml; returns the new XML and name → cellXfs index."""
    p = prefix(styles_xml, "styleSheet")
    fonts0 = count_children(styles_xml, "fonts", "font")
    fills0 = count_children(styles_xml, "fills", "fill")
    borders0 = count_children(styles_xml, "borders", "border")
    xfs0 = count_children(styles_xml, "cellXfs", "xf")
    used_ids = [int(x) for x in re.findall(r'numFmtId="(\d+)"', styles_xml)]
    next_fmt = max([163] + used_ids) + 1
    fonts, fills, borders, formats, xfs = [], [], [], [], []
    custom: dict[str, int] = {}
    index: dict[str, int] = {}
    border_id = None
    for name, style in STYLES.items():
        font = (f"<{p}font>" + (f"<{p}b/>" if style.bold else "") + (f"<{p}i/>" if style.italic else "")
                + f'<{p}sz val="{style.size}"/>' + (f'<{p}color rgb="FF{style.color}"/>' if style.color else "")
                + f'<{p}name val="{FONT_NAME}"/><{p}charset val="134"/></{p}font>')
        fonts.append(font)
        font_id = fonts0 + len(fonts) - 1
        fill_id = 0
        if style.fill:
            fills.append(f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="FF{style.fill}"/>'
                         f'<{p}bgColor indexed="64"/></{p}patternFill></{p}fill>')
            fill_id = fills0 + len(fills) - 1
        bid = 0
        if style.border:
            if border_id is None:
                side = "".join(f'<{p}{s} style="thin"><{p}color rgb="FF808080"/></{p}{s}>'
                               for s in ("left", "right", "top", "bottom"))
                borders.append(f"<{p}border>{side}<{p}diagonal/></{p}border>")
                border_id = borders0 + len(borders) - 1
            bid = border_id
        fmt = style.number_format
        if fmt in BUILTIN_FORMATS:
            fmt_id = BUILTIN_FORMATS[fmt]
        else:
            if fmt not in custom:
                custom[fmt] = next_fmt
                next_fmt += 1
                formats.append(f'<{p}numFmt numFmtId="{custom[fmt]}" formatCode={quoteattr(fmt)}/>')
            fmt_id = custom[fmt]
        align = (f'<{p}alignment horizontal="{style.align}" vertical="center"'
                 + (' wrapText="1"' if style.wrap else "") + "/>")
        xfs.append(f'<{p}xf numFmtId="{fmt_id}" fontId="{font_id}" fillId="{fill_id}" borderId="{bid}" xfId="0" '
                   f'applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">'
                   f"{align}</{p}xf>")
        index[name] = xfs0 + len(xfs) - 1
    xml = styles_xml
    if formats:
        if re.search(r"<(\w+:)?numFmts[\s>/]", xml):
            xml = insert_before_close(xml, "numFmts", "".join(formats))
        else:
            xml = _insert_numfmts(xml, "".join(formats), p)
        xml = set_count(xml, "numFmts", count_children(xml, "numFmts", "numFmt"))
    xml = insert_before_close(xml, "fonts", "".join(fonts))
    xml = set_count(xml, "fonts", fonts0 + len(fonts))
    if fills:
        xml = insert_before_close(xml, "fills", "".join(fills))
        xml = set_count(xml, "fills", fills0 + len(fills))
    if borders:
        xml = insert_before_close(xml, "borders", "".join(borders))
        xml = set_count(xml, "borders", borders0 + len(borders))
    xml = insert_before_close(xml, "cellXfs", "".join(xfs))
    xml = set_count(xml, "cellXfs", xfs0 + len(xfs))
    return xml, index


def _insert_numfmts(xml: str, content: str, p: str) -> str:
    match = re.search(r"<(\w+:)?fonts[\s>/]", xml)
    if not match:
        raise SpliceError("工作簿样式表结构异常：找不到 <fonts>")
    return xml[:match.start()] + f"<{p}numFmts>{content}</{p}numFmts>" + xml[match.start():]


# --- sheets --------------------------------------------------------------------

def _number(value) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value else "0"
    if isinstance(value, bool):
        return "1" if value else "0"
    return repr(value) if isinstance(value, float) else str(value)


def sheet_xml(plan: SheetPlan, styles: dict[str, int], *, selected: bool, drawing: str | None = None) -> str:
    """The worksheet part; ``drawing``: the relationship id of its drawing part (charts)."""
    # the cells of plan.styled_cells() (merged areas styled in full, as the xlwings writer does),
    # gathered by row: a summary of a thousand files has half a million cells
    grid: dict[int, dict[int, tuple[object, StyleName]]] = {}
    for r, c, v, s in plan.cells:
        row = grid.get(r)
        if row is None:
            row = grid[r] = {}
        row[c] = (v, s)
    for r1, c1, r2, c2 in plan.merges:
        style = grid.get(r1, {}).get(c1, (None, StyleName.TEXT))[1]
        for r in range(r1, r2 + 1):
            row = grid.setdefault(r, {})
            for c in range(c1, c2 + 1):
                row.setdefault(c, (None, style))
    n_rows = max(grid, default=0) + 1
    n_cols = max((c for row in grid.values() for c in row), default=0) + 1
    out = [f'<worksheet xmlns="{MAIN_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">',
           '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
           f'<dimension ref="A1:{column_letter(n_cols - 1)}{n_rows}"/>',
           '<sheetViews><sheetView workbookViewId="0"' + (' tabSelected="1"' if selected else "") + ">"]
    if plan.freeze:
        fr, fc = plan.freeze
        top_left = f"{column_letter(fc)}{fr + 1}"
        pane = "bottomRight" if fr and fc else ("bottomLeft" if fr else "topRight")
        split = (f' xSplit="{fc}"' if fc else "") + (f' ySplit="{fr}"' if fr else "")
        out.append(f'<pane{split} topLeftCell="{top_left}" activePane="{pane}" state="frozen"/>'
                   f'<selection pane="{pane}" activeCell="{top_left}" sqref="{top_left}"/>')
    out.append('</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>')
    if plan.widths:
        out.append("<cols>" + "".join(f'<col min="{c + 1}" max="{c + 1}" width="{w}" customWidth="1"/>'
                                      for c, w in sorted(plan.widths.items())) + "</cols>")
    out.append("<sheetData>")
    letters = [column_letter(c) for c in range(n_cols)]
    ids = {style: styles[style] for row in grid.values() for _, style in row.values()}
    cells: list[str] = []  # the sheetData, stripped of characters XML cannot hold in one pass
    add = cells.append
    for r in sorted(set(grid) | set(plan.heights)):
        height = plan.heights.get(r)
        line = r + 1
        add(f'<row r="{line}" ht="{height}" customHeight="1">' if height else f'<row r="{line}">')
        row = grid.get(r, {})
        for c in sorted(row):
            value, style = row[c]
            if value is None or value == "":
                add(f'<c r="{letters[c]}{line}" s="{ids[style]}"/>')
            elif isinstance(value, str):
                add(f'<c r="{letters[c]}{line}" s="{ids[style]}" t="inlineStr"><is><t xml:space="preserve">'
                    f"{escape(value)}</t></is></c>")
            else:
                add(f'<c r="{letters[c]}{line}" s="{ids[style]}"><v>{_number(value)}</v></c>')
        add("</row>")
    out.append(xml_safe("".join(cells)))
    out.append("</sheetData>")
    if plan.merges:
        out.append(f'<mergeCells count="{len(plan.merges)}">' + "".join(
            f'<mergeCell ref="{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}"/>'
            for r1, c1, r2, c2 in plan.merges) + "</mergeCells>")
    out.append('<printOptions horizontalCentered="1"/>'
               '<pageMargins left="0.4" right="0.4" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
               f'<pageSetup paperSize="9" orientation="{"landscape" if plan.landscape else "portrait"}" '
               'fitToWidth="1" fitToHeight="0"/>')
    if plan.footer:
        out.append(f'<headerFooter><oddFooter>{escape(xml_safe("&C" + plan.footer))}</oddFooter></headerFooter>')
    breaks = sorted({r for r in plan.row_breaks if r > 0})
    if breaks:  # after headerFooter in the schema order; id = the last row (1-based) before the break
        out.append(f'<rowBreaks count="{len(breaks)}" manualBreakCount="{len(breaks)}">'
                   + "".join(f'<brk id="{r}" max="16383" man="1"/>' for r in breaks) + "</rowBreaks>")
    if drawing:
        out.append(f'<drawing r:id="{drawing}"/>')  # after headerFooter and page breaks (schema order)
    out.append("</worksheet>")
    return "".join(out)


# --- the package: splice as a sequence of named edits ---------------------------------

@dataclass
class _Edited(PackageEdit):
    """The four input parts that are edited (as text), and what is added or dropped."""

    styles: str = ""
    removed_parts: set[str] = field(default_factory=set)
    new_parts: dict[str, str] = field(default_factory=dict)

    def changed(self, package: Package) -> dict[str, str]:
        return {**self.parts(package), STYLES_PART: self.styles}


def splice(source_bytes: bytes, plan: WritePlan, is_output_sheet: Callable[[str], bool] | None = None) -> bytes:
    """The input package with the plan's sheets added (and our earlier output sheets removed;
    ``is_output_sheet``, the run's extensions, recognises those of versions before the ownership mark)."""
    package = _open(source_bytes)
    ownership = sort_out(existing_sheets(package), plan.names, is_output_sheet)
    if ownership.foreign:
        raise foreign_sheet_error(ownership.foreign)
    edited = _read_edited_parts(package)
    kept = _remove_sheets(edited, package, set(ownership.replace))
    style_index = _add_styles(edited)
    first_new = len(kept)
    _add_sheets(edited, package, plan, style_index)
    _add_defined_names(edited, plan, first_new)
    _select_first_output(edited, first_new)
    return _write_package(package, edited)


def _open(source_bytes: bytes) -> Package:
    package = Package.from_bytes(source_bytes)
    if package.workbook_part not in package.names:
        raise SpliceError("工作簿缺少 xl/workbook.xml，无法写入评分结果")
    if STYLES_PART not in package.names:
        raise SpliceError("工作簿缺少样式表 xl/styles.xml，无法写入评分结果")
    if package.strict:
        raise SpliceError("工作簿是以“Strict Open XML 电子表格”格式保存的，无法写入评分结果")
    for part in (rels_part(package.workbook_part), CONTENT_TYPES):
        if part not in package.names:
            raise SpliceError(f"工作簿缺少部件 {part}，无法写入评分结果")
    return package


def _read_edited_parts(package: Package) -> _Edited:
    ties = PackageEdit.read(package)
    return _Edited(ties.workbook, ties.rels, ties.types, package.text(STYLES_PART))


def _remove_sheets(edited: _Edited, package: Package, names: set[str]) -> dict[int, int]:
    """Drop the named sheets: their <sheet> entries, relationships, parts and content types,
    and the defined names scoped to them; renumber the others.  Returns old → new index."""
    removed = [s for s in package.sheets if s.name in names]
    owned = owned_parts(package, {s.part for s in removed if s.part})  # their drawings, charts, …
    keep = {s.index: n for n, s in enumerate(s for s in package.sheets if s.name not in names)}
    for sheet in reversed(removed):  # from the end: earlier spans stay valid
        start, end = sheet.span
        edited.workbook = edited.workbook[:start] + edited.workbook[end:]
    for sheet in removed:
        if sheet.rid:
            edited.rels = re.sub(rf"""<(?:\w+:)?Relationship\s[^>]*Id=["']{re.escape(sheet.rid)}["'][^>]*/>""", "",
                                 edited.rels)
    edited.removed_parts |= owned
    for part in sorted(owned):
        edited.types = re.sub(rf"""<(?:\w+:)?Override\s[^>]*PartName=["']/{re.escape(part)}["'][^>]*/>""",
                              "", edited.types)
    edited.workbook = _renumber_local_names(edited.workbook, keep)
    return keep


def _renumber_local_names(workbook: str, keep: dict[int, int]) -> str:
    """Defined names scoped to a sheet follow its new position; those of removed sheets go."""
    for name in reversed(read_defined_names(workbook)):
        if name.local_sheet is None:
            continue
        start, end = name.span
        if name.local_sheet not in keep:
            replacement = ""
        else:
            replacement = re.sub(r"""localSheetId=(["'])\d+\1""", f'localSheetId="{keep[name.local_sheet]}"',
                                 workbook[start:end], count=1)
        workbook = workbook[:start] + replacement + workbook[end:]
    return workbook


def _add_styles(edited: _Edited) -> dict[str, int]:
    edited.styles, index = add_styles(edited.styles)
    return index


def _add_sheets(edited: _Edited, package: Package, plan: WritePlan, style_index: dict[str, int]) -> None:
    """New parts xl/worksheets/perfeval<k>.xml, tied in by :meth:`PackageEdit.add_sheets` in one pass."""
    edited.relationship_prefix()  # declared (or refused) even for a plan without sheets
    taken = package.names - edited.removed_parts  # the new parts below come from generators of their own
    names = _NewNames(free_parts(taken, "xl/worksheets/perfeval{}.xml"), free_parts(taken, "xl/drawings/drawing{}.xml"),
                      free_parts(taken, "xl/charts/chart{}.xml"))
    entries: list[tuple[str, str, str]] = []
    types: list[tuple[str, str]] = []  # each sheet's charts and drawing, then the sheet
    for n, sheet in enumerate(plan.sheets):
        part = next(names.sheets)
        drawing = _add_charts(edited, names, part, sheet, types) if sheet.charts else None
        edited.new_parts[part] = sheet_xml(sheet, style_index, selected=(n == 0), drawing=drawing)
        entries.append((sheet.name, part, "rIdPerfeval" + part[len("xl/worksheets/perfeval"):-len(".xml")]))
        types.append((part, SHEET_TYPE))
    edited.add_sheets(entries, types)


@dataclass
class _NewNames:
    """The free part names of the new sheets, drawings and charts, each drawn in order."""

    sheets: Iterator[str]
    drawings: Iterator[str]
    charts: Iterator[str]


def _add_charts(edited: _Edited, names: _NewNames, sheet_part: str, sheet: SheetPlan,
                types: list[tuple[str, str]]) -> str:
    """The sheet's drawing and chart parts with their relationships; the drawing's id for the sheet."""
    drawing = next(names.drawings)
    chart_rels = []
    for i, chart in enumerate(sheet.charts, start=1):
        part = next(names.charts)
        edited.new_parts[part] = chart_xml(sheet, chart)
        types.append((part, CHART_TYPE))
        chart_rels.append((f"rId{i}", CHART_REL, "/" + part))
    edited.new_parts[drawing] = drawing_xml(sheet, [rid for rid, _, _ in chart_rels])
    edited.new_parts[rels_part(drawing)] = relationships_xml(chart_rels)
    edited.removed_parts.add(rels_part(sheet_part))  # a stray one of a part that is gone would be written twice
    edited.new_parts[rels_part(sheet_part)] = relationships_xml([("rId1", DRAWING_REL, "/" + drawing)])
    types.append((drawing, DRAWING_TYPE))
    return "rId1"


def _add_defined_names(edited: _Edited, plan: WritePlan, first_new: int) -> None:
    """Each output sheet: its print titles, and the mark that says perfeval wrote it."""
    p = prefix(edited.workbook, "workbook")
    defined = []
    for n, sheet in enumerate(plan.sheets):
        local = first_new + n
        defined.append(f'<{p}definedName name="{mark_name(sheet.name)}" localSheetId="{local}" hidden="1">'
                       f"{escape(xml_safe(mark_reference(sheet.name)))}</{p}definedName>")
        if sheet.title_rows:
            a, b = sheet.title_rows
            defined.append(f'<{p}definedName name="_xlnm.Print_Titles" localSheetId="{local}">'
                           f"{escape(xml_safe(sheet_name_ref(sheet.name)))}!${a + 1}:${b + 1}</{p}definedName>")
    if not defined:
        return
    # definedNames follows sheets, functionGroups and externalReferences in the schema order
    after = next((t for t in ("externalReferences", "functionGroups")
                  if re.search(rf"</(\w+:)?{t}>", mask(edited.workbook))), "sheets")
    edited.workbook = insert_before_close(edited.workbook, "definedNames", "".join(defined), create_after=after)


def _select_first_output(edited: _Edited, first_new: int) -> None:
    """The first output sheet is the active tab; the tab strip starts at the first sheet."""
    workbook = re.sub(r'activeTab="\d+"', f'activeTab="{first_new}"', edited.workbook)
    if "activeTab=" not in workbook:
        workbook = re.sub(r"<((?:\w+:)?workbookView)(\s|/|>)", rf'<\1 activeTab="{first_new}"\2', workbook, count=1)
    edited.workbook = re.sub(r'firstSheet="\d+"', 'firstSheet="0"', workbook)


def _write_package(package: Package, edited: _Edited) -> bytes:
    """Every input part byte for byte (copied compressed as it is), except the edited ones
    and the selection flag of input sheets; then the new parts."""
    changed = edited.changed(package)
    sheet_parts = {s.part for s in package.sheets if s.part}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in package.infos:
            if info.filename in edited.removed_parts:
                continue
            if info.filename in changed:
                zout.writestr(info, changed[info.filename].encode("utf-8"))
            elif info.filename in sheet_parts and _selected(package, info):
                zout.writestr(info, unselect(package.read(info.filename)))
            elif not copy_part_raw(package.zip, zout, info):
                zout.writestr(info, package.read(info.filename))
        for part, xml in edited.new_parts.items():
            zout.writestr(zipfile.ZipInfo(part, date_time=PART_STAMP), xml.encode("utf-8"),
                          compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _selected(package: Package, info: zipfile.ZipInfo) -> bool:
    """Does a sheet part carry the 'selected tab' flag?  Only its head is inflated, a few KiB at a time
    (the flag is in <sheetViews>, before <sheetData>: a 100,000-row sheet's first 64 KiB were rows)."""
    head = b""
    with package.zip.open(info) as handle:
        while b"sheetData" not in head:
            chunk = handle.read(1 << 12)
            if not chunk:
                break
            head += chunk
    return unselect(head) != head


_SELECTED = re.compile(rb"""\stabSelected\s*=\s*(["'])(?:1|true)\1""")


def unselect(data: bytes) -> bytes:
    """Input sheets must stay as they are; the only exception is the 'selected tab' flag,
    which Excel requires to be on one sheet at most (it lives in the sheet part).  Excel
    writes it as tabSelected="1", LibreOffice as tabSelected="true"."""
    end = data.find(b"sheetData")
    head = data[:end if end >= 0 else len(data)]
    found = _SELECTED.search(head)
    if not found:
        return data
    return data[:found.start()] + data[found.end():]


def write_scored_copy(source: Path, target: Path, plan: WritePlan,
                      is_output_sheet: Callable[[str], bool] | None = None) -> Path:
    data = splice(Path(source).read_bytes(), plan, is_output_sheet)
    return write_bytes_atomic(Path(target), lambda handle: handle.write(data))


def write_plan(plan: WritePlan, output: Output) -> Path:
    """The ``splice`` engine (:mod:`perfeval_xl.writers`): the plan's sheets added into a copy
    of ``output.source``, written to ``output.target``."""
    if output.source is None:
        raise ValueError("the splice engine needs the input package (Output.source)")
    return write_scored_copy(output.source, output.target, plan, output.is_output_sheet)
