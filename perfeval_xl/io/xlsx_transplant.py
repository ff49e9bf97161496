"""Carry a few edited sheets from an openpyxl-written copy back into the original package.

Questionnaire import edits 问卷计数 / 问卷答卷 with openpyxl (rows of other classes keep their
place, values and formulas).  openpyxl rewrites the whole package and drops what it does not
model (pictures, charts, shapes, slicers …) everywhere in the workbook.  So the edited sheets are
taken from openpyxl's output and put into the *original* package instead: every other part stays
byte for byte.  Their cell formats are appended to the original styles.xml and their strings are
written inline.

Only cases this module fully understands are transplanted; anything else raises
:class:`~perfeval_xl.io.xlsx_splice.SpliceError` (with an internal English reason, never shown)
and the caller keeps openpyxl's output, telling the user what that output may have lost.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Iterable

from perfeval_xl.io.xlsx_package import (
    PART_STAMP, STYLES_PART, Package, PackageEdit, SheetEntry, SpliceError, attr, count_children, free_part,
    insert_before_close, prefix, set_count, tags, unescape,
)
from perfeval_xl.io.xlsx_package import escape, quoteattr

__all__ = ["SpliceError", "transplant"]

#: sheet elements that point at other parts; a transplant handles only legacyDrawing (comments)
_LINKED = ("drawing", "hyperlinks", "tableParts", "picture", "oleObjects", "controls", "legacyDrawingHF")
_BLOCK = {"fonts": "font", "fills": "fill", "borders": "border", "cellXfs": "xf"}


def _worksheets(package: Package) -> list[SheetEntry]:
    if package.strict:
        raise SpliceError("internal: Strict Open XML package")
    return [s for s in package.sheets if s.part and s.kind == "worksheet"]


def _items(xml: str, block: str) -> list[str]:
    child = _BLOCK.get(block, block[:-1])
    match = re.search(rf"<{block}\b[^>]*?(?:/>|>(.*?)</{block}>)", xml, re.S)
    if not match or not match.group(1):
        return []
    return re.findall(rf"<{child}\b[^>]*/>|<{child}\b[^>]*>.*?</{child}>", match.group(1), re.S)


class _StyleMerger:
    """Appends the formats an openpyxl sheet uses to the original styles.xml, once each."""

    def __init__(self, original: str, rewritten: str):
        if prefix(original, "styleSheet"):
            raise SpliceError("internal: prefixed styles namespace")
        self.xml = original
        self.fonts = _items(rewritten, "fonts")
        self.fills = _items(rewritten, "fills")
        self.borders = _items(rewritten, "borders")
        self.xfs = _items(rewritten, "cellXfs")
        self.formats = {int(i): unescape(c) for i, c in re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', rewritten)}
        self.known: dict[str, dict[str, int]] = {"fonts": {}, "fills": {}, "borders": {}}
        self.mapped: dict[int, int] = {}

    def _append(self, block: str, item: str) -> int:
        known = self.known[block]
        if item not in known:
            child = _BLOCK[block]
            count = count_children(self.xml, block, child)
            self.xml = set_count(insert_before_close(self.xml, block, item), block, count + 1)
            known[item] = count
        return known[item]

    def _format(self, fmt_id: int) -> int:
        if fmt_id < 164:
            return fmt_id
        code = self.formats.get(fmt_id)
        if code is None:
            return 0
        for i, existing in re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', self.xml):
            if unescape(existing) == code:
                return int(i)
        new_id = max([163] + [int(x) for x in re.findall(r'numFmtId="(\d+)"', self.xml)]) + 1
        item = f'<numFmt numFmtId="{new_id}" formatCode={quoteattr(code)}/>'
        if re.search(r"<numFmts\b", self.xml):
            self.xml = insert_before_close(self.xml, "numFmts", item)
        else:
            self.xml = self.xml.replace("<fonts", f"<numFmts>{item}</numFmts><fonts", 1)
        self.xml = set_count(self.xml, "numFmts", count_children(self.xml, "numFmts", "numFmt"))
        return new_id

    def index(self, xf_index: int) -> int:
        if xf_index in self.mapped:
            return self.mapped[xf_index]
        if xf_index == 0 or xf_index >= len(self.xfs):
            self.mapped[xf_index] = 0
            return 0
        xf = self.xfs[xf_index]
        ids = {k: int(attr(xf, k) or 0) for k in ("numFmtId", "fontId", "fillId", "borderId")}
        new = {
            "numFmtId": self._format(ids["numFmtId"]),
            "fontId": self._append("fonts", self.fonts[ids["fontId"]]) if ids["fontId"] < len(self.fonts) else 0,
            # fills 0 and 1 are the two built-in ones (none, gray125) in every workbook
            "fillId": ids["fillId"] if ids["fillId"] < 2 else self._append("fills", self.fills[ids["fillId"]]),
            "borderId": self._append("borders", self.borders[ids["borderId"]]) if ids["borderId"] else 0,
        }
        for key, value in new.items():
            xf = re.sub(rf'\b{key}="\d+"', f'{key}="{value}"', xf, count=1)
        xf = re.sub(r'\bxfId="\d+"', 'xfId="0"', xf)
        count = count_children(self.xml, "cellXfs", "xf")
        self.xml = set_count(insert_before_close(self.xml, "cellXfs", xf), "cellXfs", count + 1)
        self.mapped[xf_index] = count
        return count


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in zf.namelist():
        return []
    xml = zf.read("xl/sharedStrings.xml").decode("utf-8")
    return ["".join(unescape(t) for t in re.findall(r"<t\b[^>]*>(.*?)</t>", si, re.S))
            for si in re.findall(r"<si>(.*?)</si>", xml, re.S)]


def _sheet_xml(xml: str, strings: list[str], styles: _StyleMerger, original_sheet: str | None) -> str:
    if prefix(xml, "worksheet"):
        raise SpliceError("internal: prefixed worksheet namespace")

    def inline(match: re.Match) -> str:
        attrs = re.sub(r'\s*t="s"', "", match.group(1))
        text = escape(strings[int(match.group(2))]) if int(match.group(2)) < len(strings) else ""
        return f'<c{attrs} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'

    xml = re.sub(r'<c\b([^>]*\bt="s"[^>]*)><v>(\d+)</v></c>', inline, xml)
    xml = re.sub(r'(<c\b[^>]*?\bs=")(\d+)(")', lambda m: f"{m.group(1)}{styles.index(int(m.group(2)))}{m.group(3)}", xml)
    xml = re.sub(r'(<row\b[^>]*?\bs=")(\d+)(")', lambda m: f"{m.group(1)}{styles.index(int(m.group(2)))}{m.group(3)}", xml)
    xml = re.sub(r'(<col\b[^>]*?\bstyle=")(\d+)(")', lambda m: f"{m.group(1)}{styles.index(int(m.group(2)))}{m.group(3)}", xml)
    for tag in _LINKED:
        if re.search(rf"<{tag}\b", xml) or (original_sheet and re.search(rf"<(\w+:)?{tag}\b", original_sheet)):
            raise SpliceError(f"internal: the sheet links a {tag} part")
    # comments: keep the original part's link (its rels file is kept); a new sheet has none
    ours = re.search(r"<legacyDrawing\b[^>]*/>", xml)
    theirs = re.search(r"<(\w+:)?legacyDrawing\b[^>]*/>", original_sheet or "")
    if ours:
        xml = xml[:ours.start()] + (theirs.group(0) if theirs else "") + xml[ours.end():]
    elif theirs:
        raise SpliceError("internal: comments would be lost")
    return xml


def transplant(original: bytes, rewritten: bytes, names: Iterable[str]) -> bytes:
    """``original`` with the sheets ``names`` as they are in ``rewritten`` (added where new)."""
    po, pr = Package.from_bytes(original), Package.from_bytes(rewritten)
    orig_by_name = {s.name: s for s in _worksheets(po)}
    orig_parts = {s.name: s.part for s in orig_by_name.values() if s.part is not None}  # (a worksheet has its part)
    new_sheets = _worksheets(pr)
    new_by_name = {s.name: s.part for s in new_sheets if s.part is not None}  # (a worksheet has its part)
    new_order = [s.name for s in new_sheets]
    styles = _StyleMerger(po.text(STYLES_PART), pr.text(STYLES_PART))
    strings = _shared_strings(pr.zip)
    replaced: dict[str, bytes] = {}
    added: list[tuple[str, str, bytes]] = []  # (sheet name, part, xml)
    for name in names:
        if name not in new_by_name:
            continue
        new_xml = pr.text(new_by_name[name])
        if name in orig_parts:
            part = orig_parts[name]
            replaced[part] = _sheet_xml(new_xml, strings, styles, po.text(part)).encode("utf-8")
        else:
            added.append((name, "", _sheet_xml(new_xml, strings, styles, None).encode("utf-8")))

    changed: dict[str, bytes] = {STYLES_PART: styles.xml.encode("utf-8")}
    if added:
        changed.update(_add_sheet_entries(po, added, orig_by_name, new_order))
    changed.update(replaced)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in po.infos:
            zout.writestr(info, changed.get(info.filename, po.read(info.filename)))
        for _, part, xml in added:
            zout.writestr(zipfile.ZipInfo(part, date_time=PART_STAMP), xml, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _add_sheet_entries(po: Package, added: list[tuple[str, str, bytes]], orig_by_name: dict[str, SheetEntry],
                       new_order: list[str]) -> dict[str, bytes]:
    """Tie each added sheet in (:meth:`PackageEdit.add_sheet`) in openpyxl's tab order: before the
    first original sheet that follows it there; fills in each added sheet's part name."""
    edit = PackageEdit.read(po)
    for i, (name, _, xml) in enumerate(added):
        part = free_part(po.names | {a[1] for a in added}, "xl/worksheets/imported{}.xml")
        added[i] = (name, part, xml)
        after = new_order[new_order.index(name) + 1:]
        follower = next((orig_by_name[n].tag for n in after if n in orig_by_name), None)
        current = [m.group(0) for m in tags(edit.workbook, "sheet")]
        position = current.index(follower) if follower is not None and follower in current else len(current)
        edit.add_sheet(name, part, "rIdImported" + part[len("xl/worksheets/imported"):-len(".xml")], at=position)
    return {part: text.encode("utf-8") for part, text in edit.parts(po).items()}
