"""Write a plan's output sheets into a copy of an .xlsx/.xlsm file by adding parts to
its zip package: every part of the input (its sheets, cached formula values, charts,
images, comments, VBA, custom XML) is copied byte for byte.

Only four parts are edited, by targeted text insertion (never re-serialised, so
namespace prefixes and extension lists stay as Excel wrote them):

* ``xl/workbook.xml``: ``<sheet>`` entries of our output sheets, their print titles,
  the active tab;
* ``xl/_rels/workbook.xml.rels`` and ``[Content_Types].xml``: the new parts;
* ``xl/styles.xml``: our fonts, fills, borders, number formats and cell formats,
  appended after the existing ones.

Output sheets of an earlier run (names from :func:`perfeval_xl.extensions.is_output_sheet`)
are removed first.  Strings are written inline, so the shared string table is untouched.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from perfeval_xl.extensions import is_output_sheet
from perfeval_xl.core.findings import column_letter
from perfeval_xl.core.styles import FONT_NAME, STYLES
from perfeval_xl.core.writeplan import SheetPlan, WritePlan
from perfeval_xl.io.atomic import write_bytes_atomic

WORKBOOK = "xl/workbook.xml"
CONTENT_TYPES = "[Content_Types].xml"
#: the only input parts that are edited (besides the 'selected tab' flag of sheet views)
EDITED_PARTS = frozenset({WORKBOOK, CONTENT_TYPES, "xl/_rels/workbook.xml.rels", "xl/styles.xml"})
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
SHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class SpliceError(Exception):
    """The input package cannot be extended (unexpected structure); message in Chinese."""


# --- small XML helpers (text surgery on trusted, already-guarded parts) ------------

def _attr(tag: str, name: str) -> str | None:
    match = re.search(rf'(?:^|\s){re.escape(name)}\s*=\s*"([^"]*)"', tag)
    if match:
        return match.group(1)
    match = re.search(rf"(?:^|\s){re.escape(name)}\s*=\s*'([^']*)'", tag)
    return match.group(1) if match else None


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _prefix(xml: str, local: str) -> str:
    """The namespace prefix the document uses for SpreadsheetML elements ('' or 'x:')."""
    match = re.search(rf"<(\w+:)?{local}[\s>/]", xml)
    return match.group(1) or "" if match else ""


def _insert_before_close(xml: str, local: str, content: str, *, create_after: str | None = None) -> str:
    """Insert content before </local>; expand <local/>; or create the element after another one."""
    p = _prefix(xml, local) or _prefix(xml, "workbook") or _prefix(xml, "styleSheet")
    close = f"</{p}{local}>"
    if close in xml:
        index = xml.rindex(close)
        return xml[:index] + content + xml[index:]
    empty = re.search(rf"<{re.escape(p)}{local}(\s[^>]*)?/>", xml)
    if empty:
        attrs = empty.group(1) or ""
        return xml[:empty.start()] + f"<{p}{local}{attrs}>{content}{close}" + xml[empty.end():]
    if create_after is None:
        raise SpliceError(f"工作簿结构异常：找不到 <{local}>")
    return _insert_after(xml, create_after, f"<{p}{local}>{content}{close}")


def _insert_after(xml: str, local: str, content: str) -> str:
    p = _prefix(xml, local)
    close = f"</{p}{local}>"
    if close in xml:
        index = xml.index(close) + len(close)
        return xml[:index] + content + xml[index:]
    empty = re.search(rf"<{re.escape(p)}{local}(\s[^>]*)?/>", xml)
    if not empty:
        raise SpliceError(f"工作簿结构异常：找不到 <{local}>")
    return xml[:empty.end()] + content + xml[empty.end():]


def _set_count(xml: str, local: str, count: int) -> str:
    p = _prefix(xml, local)
    pattern = re.compile(rf"<{re.escape(p)}{local}(\s[^>]*?)?(/?)>")
    match = pattern.search(xml)
    if not match:
        return xml
    attrs = match.group(1) or ""
    if re.search(r'\scount="\d*"', attrs):
        attrs = re.sub(r'\scount="\d*"', f' count="{count}"', attrs)
    else:
        attrs += f' count="{count}"'
    return xml[:match.start()] + f"<{p}{local}{attrs}{match.group(2)}>" + xml[match.end():]


def _children(xml: str, parent: str, child: str) -> int:
    p = _prefix(xml, parent)
    match = re.search(rf"<{re.escape(p)}{parent}(?:\s[^>]*)?>(.*?)</{re.escape(p)}{parent}>", xml, re.S)
    if not match:
        return 0
    return len(re.findall(rf"<{re.escape(p)}{child}[\s>/]", match.group(1)))


# --- styles ------------------------------------------------------------------

def add_styles(styles_xml: str) -> tuple[str, dict[str, int]]:
    """Append our named styles to styles.xml; returns the new XML and name → cellXfs index."""
    p = _prefix(styles_xml, "styleSheet")
    fonts0 = _children(styles_xml, "fonts", "font")
    fills0 = _children(styles_xml, "fills", "fill")
    borders0 = _children(styles_xml, "borders", "border")
    xfs0 = _children(styles_xml, "cellXfs", "xf")
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
            xml = _insert_before_close(xml, "numFmts", "".join(formats))
        else:
            xml = _insert_numfmts(xml, "".join(formats), p)
        xml = _set_count(xml, "numFmts", _children(xml, "numFmts", "numFmt"))
    xml = _insert_before_close(xml, "fonts", "".join(fonts))
    xml = _set_count(xml, "fonts", fonts0 + len(fonts))
    if fills:
        xml = _insert_before_close(xml, "fills", "".join(fills))
        xml = _set_count(xml, "fills", fills0 + len(fills))
    if borders:
        xml = _insert_before_close(xml, "borders", "".join(borders))
        xml = _set_count(xml, "borders", borders0 + len(borders))
    xml = _insert_before_close(xml, "cellXfs", "".join(xfs))
    xml = _set_count(xml, "cellXfs", xfs0 + len(xfs))
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


def sheet_xml(plan: SheetPlan, styles: dict[str, int], *, selected: bool) -> str:
    cells: dict[tuple[int, int], tuple[object, str]] = {(r, c): (v, s) for r, c, v, s in plan.cells}
    for r1, c1, r2, c2 in plan.merges:  # styled blanks inside merged ranges keep borders and fills
        style = cells.get((r1, c1), (None, "text"))[1]
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                cells.setdefault((r, c), (None, style))
    rows: dict[int, list[tuple[int, object, str]]] = {}
    for (r, c), (v, s) in cells.items():
        rows.setdefault(r, []).append((c, v, s))
    n_rows = max(rows, default=0) + 1
    n_cols = max((c for r in rows.values() for c, _, _ in r), default=0) + 1
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
    for r in sorted(set(rows) | set(plan.heights)):
        height = plan.heights.get(r)
        attrs = f' ht="{height}" customHeight="1"' if height else ""
        out.append(f'<row r="{r + 1}"{attrs}>')
        for c, value, style in sorted(rows.get(r, [])):
            ref = f"{column_letter(c)}{r + 1}"
            s = styles.get(style, styles["text"])
            if value is None or value == "":
                out.append(f'<c r="{ref}" s="{s}"/>')
            elif isinstance(value, str):
                text = _ILLEGAL_XML.sub("", value)
                out.append(f'<c r="{ref}" s="{s}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>')
            else:
                out.append(f'<c r="{ref}" s="{s}"><v>{_number(value)}</v></c>')
        out.append("</row>")
    out.append("</sheetData>")
    if plan.merges:
        out.append(f'<mergeCells count="{len(plan.merges)}">' + "".join(
            f'<mergeCell ref="{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}"/>'
            for r1, c1, r2, c2 in plan.merges) + "</mergeCells>")
    out.append('<printOptions horizontalCentered="1"/>'
               '<pageMargins left="0.4" right="0.4" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
               f'<pageSetup paperSize="9" orientation="{"landscape" if plan.landscape else "portrait"}" '
               'fitToWidth="1" fitToHeight="0"/>')
    out.append("</worksheet>")
    return "".join(out)


# --- the package -------------------------------------------------------------------

def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _sheet_name_ref(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def splice(source_bytes: bytes, plan: WritePlan) -> bytes:
    """The input package with the plan's sheets added (and earlier output sheets removed)."""
    try:
        zin = zipfile.ZipFile(io.BytesIO(source_bytes))
    except zipfile.BadZipFile as exc:
        raise SpliceError("文件不是 .xlsx / .xlsm 格式的工作簿，无法写入评分结果") from exc
    names = zin.namelist()
    if WORKBOOK not in names:
        raise SpliceError("工作簿缺少 xl/workbook.xml，无法写入评分结果")
    text = {n: zin.read(n).decode("utf-8") for n in (WORKBOOK, CONTENT_TYPES, "xl/_rels/workbook.xml.rels", "xl/styles.xml")
            if n in names}
    if "xl/styles.xml" not in text:
        raise SpliceError("工作簿缺少样式表 xl/styles.xml，无法写入评分结果")
    workbook, rels, types = text[WORKBOOK], text["xl/_rels/workbook.xml.rels"], text[CONTENT_TYPES]

    rel_targets = {_attr(m.group(0), "Id"): _attr(m.group(0), "Target")
                   for m in re.finditer(r"<(?:\w+:)?Relationship\s[^>]*?/?>", rels)}
    sheet_tags = list(re.finditer(r"<(?:\w+:)?sheet\s[^>]*?/>", workbook))
    old_names = [_unescape(_attr(m.group(0), "name") or "") for m in sheet_tags]
    removed_parts: set[str] = set()
    keep_index: dict[int, int] = {}
    for i, (m, name) in enumerate(zip(sheet_tags, old_names)):
        if is_output_sheet(name):
            rid = _attr(m.group(0), "r:id") or next((v for k, v in re.findall(r'(\w+:id)="([^"]*)"', m.group(0))), None)
            target = rel_targets.get(rid)
            if target:
                removed_parts.add(_resolve(WORKBOOK, target))
            rels = re.sub(rf'<(?:\w+:)?Relationship\s[^>]*Id="{re.escape(rid or "")}"[^>]*/>', "", rels)
        else:
            keep_index[i] = len(keep_index)
    for part in list(removed_parts):
        removed_parts.add(_rels_path(part))
    if len(keep_index) < len(sheet_tags):
        for m in reversed([m for i, m in enumerate(sheet_tags) if i not in keep_index]):
            workbook = workbook[:m.start()] + workbook[m.end():]
    # defined names scoped to sheets: renumber, drop those of removed sheets
    def renumber(match: re.Match) -> str:
        tag = match.group(0)
        local = _attr(tag, "localSheetId")
        if local is None:
            return tag
        old = int(local)
        if old not in keep_index:
            return ""
        return re.sub(r'localSheetId="\d+"', f'localSheetId="{keep_index[old]}"', tag)

    workbook = re.sub(r"<(\w+:)?definedName\s[^>]*>.*?</\1?definedName>", renumber, workbook, flags=re.S)
    for part in removed_parts:
        types = re.sub(rf'<(?:\w+:)?Override\s[^>]*PartName="/{re.escape(part)}"[^>]*/>', "", types)

    styles_xml, style_index = add_styles(text["xl/styles.xml"])
    used_ids = [int(x) for x in re.findall(r'sheetId="(\d+)"', workbook)]
    next_id = max(used_ids, default=0) + 1
    existing = set(names) - removed_parts
    new_parts: dict[str, str] = {}
    sheet_entries, rel_entries, type_entries, defined = [], [], [], []
    p = _prefix(workbook, "workbook")
    first_new = len(keep_index)
    for n, sheet in enumerate(plan.sheets):
        k = 1
        while f"xl/worksheets/perfeval{k}.xml" in existing or f"xl/worksheets/perfeval{k}.xml" in new_parts:
            k += 1
        part = f"xl/worksheets/perfeval{k}.xml"
        rid = f"rIdPerfeval{k}"
        new_parts[part] = sheet_xml(sheet, style_index, selected=(n == 0))
        sheet_entries.append(f'<{p}sheet name={quoteattr(sheet.name)} sheetId="{next_id + n}" r:id="{rid}"/>')
        rel_entries.append(f'<Relationship Id="{rid}" Type="{SHEET_REL}" Target="/{part}"/>')
        type_entries.append(f'<Override PartName="/{part}" ContentType="{SHEET_TYPE}"/>')
        if sheet.title_rows:
            a, b = sheet.title_rows
            defined.append(f'<{p}definedName name="_xlnm.Print_Titles" localSheetId="{first_new + n}">'
                           f"{escape(_sheet_name_ref(sheet.name))}!${a + 1}:${b + 1}</{p}definedName>")
    r_prefix = re.search(r'xmlns:(\w+)="http://schemas.openxmlformats.org/officeDocument/2006/relationships"', workbook)
    if r_prefix is None:  # declare it on the root element
        workbook = re.sub(r"<((?:\w+:)?workbook)(\s|>)",
                          r'<\1 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"\2',
                          workbook, count=1)
    elif r_prefix.group(1) != "r":
        sheet_entries = [e.replace(' r:id="', f' {r_prefix.group(1)}:id="') for e in sheet_entries]
    workbook = _insert_before_close(workbook, "sheets", "".join(sheet_entries))
    if defined:
        # definedNames follows sheets, functionGroups and externalReferences in the schema order
        after = next((t for t in ("externalReferences", "functionGroups") if re.search(rf"</(\w+:)?{t}>", workbook)), "sheets")
        workbook = _insert_before_close(workbook, "definedNames", "".join(defined), create_after=after)
    # other tabs unselected; the first output sheet active
    workbook = re.sub(r'activeTab="\d+"', f'activeTab="{first_new}"', workbook)
    if "activeTab=" not in workbook:
        workbook = re.sub(r"<((?:\w+:)?workbookView)(\s|/|>)", rf'<\1 activeTab="{first_new}"\2', workbook, count=1)
    workbook = re.sub(r'firstSheet="\d+"', 'firstSheet="0"', workbook)
    rels = _insert_before_close(rels, "Relationships", "".join(rel_entries))
    types = _insert_before_close(types, "Types", "".join(type_entries))

    changed = {WORKBOOK: workbook, "xl/_rels/workbook.xml.rels": rels, CONTENT_TYPES: types, "xl/styles.xml": styles_xml}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in removed_parts:
                continue
            data = zin.read(info.filename)
            if info.filename in changed:
                data = changed[info.filename].encode("utf-8")
            elif info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                data = _unselect(data)
            zout.writestr(info, data)
        for part, xml in new_parts.items():
            zout.writestr(zipfile.ZipInfo(part, date_time=(2024, 1, 1, 0, 0, 0)), xml.encode("utf-8"),
                          compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _unselect(data: bytes) -> bytes:
    """Input sheets must stay as they are; the only exception is the 'selected tab' flag,
    which Excel requires to be on one sheet at most (it lives in the sheet part)."""
    head = data[:4096]
    if b'tabSelected="1"' not in head and b"tabSelected='1'" not in head:
        return data
    return data.replace(b' tabSelected="1"', b"", 1).replace(b" tabSelected='1'", b"", 1)


def write_scored_copy(source: Path, target: Path, plan: WritePlan) -> Path:
    data = splice(Path(source).read_bytes(), plan)
    return write_bytes_atomic(Path(target), lambda handle: handle.write(data))
