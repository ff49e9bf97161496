"""The structure of an .xlsx / .xlsm package, read in one place.

An xlsx file is a zip of XML parts tied together by relationship parts
(``_rels/*.rels``) and listed in ``[Content_Types].xml``; ``xl/workbook.xml`` names the
sheets and points at each sheet's part through a relationship id.  The zip/XML guard
(:mod:`perfeval_xl.io.guard`), the splice writer (:mod:`perfeval_xl.io.xlsx_splice`) and
the questionnaire transplant (:mod:`perfeval_xl.io.xlsx_transplant`) all read that
structure through :class:`Package`; the last two add sheets to a package through
:class:`PackageEdit` (one way to name, declare and list a new sheet part).

Parts are read as text and edited by targeted insertion, never re-serialised, so
namespace prefixes, attribute order and extension lists stay as the writing program
left them.  The small text helpers below do that surgery; they are meant for parts
that have passed the guard (no DTD, bounded size).  Comments and CDATA sections are
masked before searching, so markup inside them is never taken for structure.
"""

from __future__ import annotations

import io
import copy
import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass
from functools import cached_property
from typing import Iterator

from perfeval_xl.core.normalize import xml_safe

WORKBOOK = "xl/workbook.xml"
CONTENT_TYPES = "[Content_Types].xml"
ROOT_RELS = "_rels/.rels"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
STYLES_PART = "xl/styles.xml"

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
SHEET_REL = REL_NS + "/worksheet"
#: ISO 29500 Strict ("Strict Open XML" in Excel's Save As): other namespaces for the same parts
STRICT_NS_PREFIX = "http://purl.oclc.org/ooxml/"

#: the time stamp of every zip entry this tool writes, so that the same content gives the same bytes
PART_STAMP = (2024, 1, 1, 0, 0, 0)
#: the document dates (docProps/core.xml) of a package this tool creates from nothing (template, samples)
DOCUMENT_DATE = "2024-01-01T00:00:00Z"

REL_OFFICE_DOCUMENT = "officeDocument"
REL_WORKSHEET = "worksheet"

#: inside a tag: anything but '>', where quoted attribute values may hold '>'
_TAG_BODY = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_OPAQUE = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>", re.S)
_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


class SpliceError(Exception):
    """The package cannot be read or extended (unexpected structure); message in Chinese
    where a user may see it."""


# --- text surgery ---------------------------------------------------------------------

def mask(xml: str) -> str:
    """``xml`` with comments and CDATA blanked out (same length: positions stay valid)."""
    if "<!" not in xml:
        return xml
    return _OPAQUE.sub(lambda m: " " * len(m.group(0)), xml)


def unescape(text: str) -> str:
    """XML character and entity references → characters."""
    def one(match: re.Match) -> str:
        ref = match.group(1)
        if ref[0] == "#":
            code = int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:])
            return chr(code) if 0 < code < 0x110000 else ""
        return _NAMED[ref]
    return _ENTITY.sub(one, text) if "&" in text else text


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as references: what :func:`xml.sax.saxutils.escape` returns, without
    importing ``xml.sax.saxutils`` (it imports urllib.request, and with it http, email and ssl, which
    cost the command line's start-up and need not exist under Pyodide)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """An attribute value with its quotes, as :func:`xml.sax.saxutils.quoteattr` writes it."""
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"{}"'.format(text.replace('"', "&quot;"))


_ATTRS: dict[str, re.Pattern] = {}


def attr(tag: str, name: str) -> str | None:
    """The (unescaped) value of attribute ``name`` of a start tag; ``name`` may carry a prefix."""
    pattern = _ATTRS.get(name)
    if pattern is None:  # compiled once per attribute name (re's own cache costs a lookup per call)
        pattern = _ATTRS[name] = re.compile(rf"""\s{re.escape(name)}\s*=\s*(?:"([^"]*)"|'([^']*)')""")
    match = pattern.search(tag)
    if not match:
        return None
    return unescape(match.group(1) if match.group(1) is not None else match.group(2))


def prefixed_attr(tag: str, local: str) -> str | None:
    """The value of a namespace-prefixed attribute by local name (``r:id``, ``x:id`` …)."""
    match = re.search(rf"""\s\w+:{re.escape(local)}\s*=\s*(?:"([^"]*)"|'([^']*)')""", tag)
    if not match:
        return None
    return unescape(match.group(1) if match.group(1) is not None else match.group(2))


def tags(xml: str, local: str) -> list[re.Match]:
    """Start (or empty) tags of elements named ``local`` in any prefix, outside comments."""
    pattern = re.compile(rf"<(?:\w+:)?{re.escape(local)}(?=[\s/>]){_TAG_BODY}>")
    return list(pattern.finditer(mask(xml)))


def prefix(xml: str, local: str) -> str:
    """The namespace prefix the document uses for an element ('' or 'x:')."""
    match = re.search(rf"<(\w+:)?{re.escape(local)}[\s>/]", mask(xml))
    return (match.group(1) or "") if match else ""


def insert_before_close(xml: str, local: str, content: str, *, create_after: str | None = None) -> str:
    """Insert content before </local>; expand <local/>; or create the element after another one."""
    p = prefix(xml, local) or prefix(xml, "workbook") or prefix(xml, "styleSheet")
    close = f"</{p}{local}>"
    masked = mask(xml)
    if close in masked:
        index = masked.rindex(close)
        return xml[:index] + content + xml[index:]
    empty = re.search(rf"<{re.escape(p)}{local}(\s{_TAG_BODY})?/>", masked)
    if empty:
        attrs = xml[empty.start(1):empty.end(1)] if empty.group(1) else ""
        return xml[:empty.start()] + f"<{p}{local}{attrs}>{content}{close}" + xml[empty.end():]
    if create_after is None:
        raise SpliceError(f"工作簿结构异常：找不到 <{local}>")
    return insert_after(xml, create_after, f"<{p}{local}>{content}{close}")


def insert_after(xml: str, local: str, content: str) -> str:
    """Insert content right after the element ``local`` (its end tag, or its empty tag)."""
    p = prefix(xml, local)
    close = f"</{p}{local}>"
    masked = mask(xml)
    if close in masked:
        index = masked.index(close) + len(close)
        return xml[:index] + content + xml[index:]
    empty = re.search(rf"<{re.escape(p)}{local}(\s{_TAG_BODY})?/>", masked)
    if not empty:
        raise SpliceError(f"工作簿结构异常：找不到 <{local}>")
    return xml[:empty.end()] + content + xml[empty.end():]


def set_count(xml: str, local: str, count: int) -> str:
    """Set (or add) the ``count`` attribute of the first element ``local``."""
    p = prefix(xml, local)
    match = re.compile(rf"<{re.escape(p)}{local}(\s{_TAG_BODY}?)?(/?)>").search(mask(xml))
    if not match:
        return xml
    attrs = xml[match.start(1):match.end(1)] if match.group(1) else ""
    if re.search(r'\scount="\d*"', attrs):
        attrs = re.sub(r'\scount="\d*"', f' count="{count}"', attrs)
    else:
        attrs += f' count="{count}"'
    return xml[:match.start()] + f"<{p}{local}{attrs}{match.group(2)}>" + xml[match.end():]


def count_children(xml: str, parent: str, child: str) -> int:
    """How many ``child`` elements the first ``parent`` element holds."""
    p = prefix(xml, parent)
    match = re.search(rf"<{re.escape(p)}{parent}(?:\s[^>]*)?>(.*?)</{re.escape(p)}{parent}>", mask(xml), re.S)
    if not match:
        return 0
    return len(re.findall(rf"<{re.escape(p)}{child}[\s>/]", match.group(1)))


def decode(data: bytes) -> str:
    """An XML part's text: UTF-8 (with or without BOM) or UTF-16 (by BOM or by its first bytes)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    if data[:4] == b"<\x00?\x00":
        return data.decode("utf-16-le")
    if data[:4] == b"\x00<\x00?":
        return data.decode("utf-16-be")
    return data.decode("utf-8-sig")


# --- part names -----------------------------------------------------------------------

def resolve(base: str, target: str) -> str:
    """A relationship target, relative to the part that holds it, as a part name."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    path = posixpath.normpath(posixpath.join(posixpath.dirname(base), target))
    while path.startswith("../"):
        path = path[3:]
    return path


def rels_part(part: str) -> str:
    """'xl/workbook.xml' → 'xl/_rels/workbook.xml.rels'; '' (the package) → '_rels/.rels'."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def sheet_name_ref(name: str) -> str:
    """A sheet name as formulas quote it: 'a''b'."""
    return "'" + name.replace("'", "''") + "'"


# --- the structure ----------------------------------------------------------------------

@dataclass(frozen=True)
class Relationship:
    id: str
    kind: str  # the type's last word: 'worksheet', 'styles', 'officeDocument' …
    type: str
    target: str  # part name (internal) or the raw target (external)
    external: bool


@dataclass(frozen=True)
class SheetEntry:
    """One ``<sheet>`` of workbook.xml and where it leads."""

    index: int  # position among the sheets (what localSheetId counts)
    name: str
    rid: str | None
    kind: str | None  # 'worksheet', 'chartsheet', … (None: dangling relationship)
    part: str | None
    span: tuple[int, int]  # where its tag stands in the workbook text
    tag: str


@dataclass(frozen=True)
class DefinedName:
    name: str
    local_sheet: int | None
    value: str  # unescaped formula text
    span: tuple[int, int]


class Package:
    """An opened xlsx/xlsm zip: its parts and the structure that ties them together."""

    def __init__(self, zf: zipfile.ZipFile, inflated: dict[str, bytes] | None = None):
        self.zip = zf
        self.infos = zf.infolist()
        self.names = {info.filename for info in self.infos}
        #: parts a reader already inflated (the guard's structure parts): served without inflating again
        self.inflated = inflated if inflated is not None else {}
        self._relationships: dict[str, dict[str, Relationship]] = {}

    @classmethod
    def from_bytes(cls, data: bytes) -> "Package":
        try:
            return cls(zipfile.ZipFile(io.BytesIO(data)))
        except zipfile.BadZipFile as exc:
            raise SpliceError("文件不是 .xlsx / .xlsm 格式的工作簿") from exc

    def read(self, part: str) -> bytes:
        data = self.inflated.get(part)
        return data if data is not None else self.zip.read(part)

    def text(self, part: str) -> str:
        return decode(self.read(part))

    def relationships(self, part: str) -> dict[str, Relationship]:
        """rId → relationship, of the part ('' for the package itself); each relationship part is
        read once per package (the package does not change while open for reading)."""
        found = self._relationships.get(part)
        if found is None:
            found = self._relationships[part] = self._read_relationships(part)
        return found

    def _read_relationships(self, part: str) -> dict[str, Relationship]:
        rels = rels_part(part) if part else ROOT_RELS
        if rels not in self.names:
            return {}
        found = {}
        for match in tags(self.text(rels), "Relationship"):
            tag = match.group(0)
            rid, rtype, target = attr(tag, "Id"), attr(tag, "Type") or "", attr(tag, "Target") or ""
            if rid is None:
                continue
            external = attr(tag, "TargetMode") == "External"
            found[rid] = Relationship(rid, rtype.rsplit("/", 1)[-1], rtype,
                                      target if external else resolve(part, target), external)
        return found

    @cached_property
    def workbook_part(self) -> str:
        """The workbook part the package's officeDocument relationship names."""
        for rel in self.relationships("").values():
            if rel.kind == REL_OFFICE_DOCUMENT and not rel.external:
                return rel.target
        return WORKBOOK

    @cached_property
    def workbook_text(self) -> str:
        if self.workbook_part not in self.names:
            raise SpliceError("工作簿缺少主体部件 workbook.xml")
        return self.text(self.workbook_part)

    @cached_property
    def sheets(self) -> list[SheetEntry]:
        """Every sheet of the workbook, in tab order."""
        rels = self.relationships(self.workbook_part)
        entries: list[SheetEntry] = []
        for match in tags(self.workbook_text, "sheet"):
            tag = match.group(0)
            rid = prefixed_attr(tag, "id")
            rel = rels.get(rid) if rid else None
            part = rel.target if rel is not None and not rel.external and rel.target in self.names else None
            entries.append(SheetEntry(len(entries), attr(tag, "name") or "", rid, rel.kind if rel else None,
                                      part, match.span(), tag))
        return entries

    def sheet_parts(self) -> dict[str, str]:
        """Worksheet name → part name (e.g. '资金情况' → 'xl/worksheets/sheet3.xml')."""
        return {s.name: s.part for s in self.sheets if s.kind == REL_WORKSHEET and s.part}

    @cached_property
    def defined_names(self) -> list[DefinedName]:
        return read_defined_names(self.workbook_text)

    @property
    def strict(self) -> bool:
        """Saved as ISO 29500 Strict (Excel's "Strict Open XML 电子表格")."""
        head = self.workbook_text[:4000]
        return STRICT_NS_PREFIX in head or any(
            r.type.startswith(STRICT_NS_PREFIX) for r in self.relationships("").values())


def read_defined_names(workbook: str) -> list[DefinedName]:
    found = []
    masked = mask(workbook)
    for match in re.finditer(rf"<(\w+:)?definedName(?=[\s/>]){_TAG_BODY}>(.*?)</\1?definedName>", masked, re.S):
        tag = workbook[match.start():match.start(2)]
        local = attr(tag, "localSheetId")
        found.append(DefinedName(attr(tag, "name") or "", int(local) if local and local.isdigit() else None,
                                 unescape(workbook[match.start(2):match.end(2)]), match.span()))
    return found


# --- a package from nothing: the parts of a workbook holding only sheet1 … sheetN ----------------

#: the package's relationships: the workbook part (rId1)
NEW_PACKAGE_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
                    "</Relationships>")
#: the styles every new workbook starts from (Excel's defaults); our named styles are appended
NEW_STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN_NS}">'
              '<fonts count="1"><font><sz val="11"/><name val="宋体"/><charset val="134"/></font></fonts>'
              '<fills count="2"><fill><patternFill patternType="none"/></fill>'
              '<fill><patternFill patternType="gray125"/></fill></fills>'
              '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
              '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
              '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
              '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
              "</styleSheet>")


def new_workbook_xml(names: list[tuple[str, tuple[int, int] | None]]) -> str:
    """workbook.xml of sheets ``(name, print-title rows or None)``, sheet n at rId n, the first active."""
    # a sheet name is user text (a unit's 简称): control characters out, as in every part we write
    sheets = "".join(f'<sheet name={quoteattr(xml_safe(name))} sheetId="{n}" r:id="rId{n}"/>'
                     for n, (name, _) in enumerate(names, start=1))
    defined = "".join(f'<definedName name="_xlnm.Print_Titles" localSheetId="{n - 1}">'
                      f"{escape(xml_safe(sheet_name_ref(name)))}!${rows[0] + 1}:${rows[1] + 1}</definedName>"
                      for n, (name, rows) in enumerate(names, start=1) if rows)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN_NS}" '
            f'xmlns:r="{REL_NS}"><bookViews><workbookView activeTab="0"/></bookViews><sheets>{sheets}</sheets>'
            + (f"<definedNames>{defined}</definedNames>" if defined else "") + "</workbook>")


def new_workbook_rels(count: int) -> str:
    """workbook.xml's relationships: rId n → xl/worksheets/sheet<n>.xml, then the styles."""
    rels = "".join(f'<Relationship Id="rId{n}" Type="{SHEET_REL}" Target="worksheets/sheet{n}.xml"/>'
                   for n in range(1, count + 1))
    rels += f'<Relationship Id="rId{count + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>')


def new_content_types(count: int, extra: dict[str, str] | None = None) -> str:
    """[Content_Types].xml of the workbook, its styles, ``count`` sheets and the ``extra`` parts
    (part name → content type)."""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET_TYPE}"/>'
                      for n in range(1, count + 1))
            + "".join(f'<Override PartName="/{part}" ContentType="{kind}"/>' for part, kind in (extra or {}).items())
            + "</Types>")


# --- adding sheets: the one place that ties a new sheet part into a package ------------------

@dataclass
class PackageEdit:
    """The three parts that tie a sheet into a package, as text being edited: the workbook part
    (its ``<sheet>`` entries), the workbook's relationships and ``[Content_Types].xml``.  The
    splice writer (our output sheets) and the questionnaire transplant (imported sheets) both add
    sheets through :meth:`add_sheet`."""

    workbook: str
    rels: str
    types: str

    @classmethod
    def read(cls, package: Package) -> "PackageEdit":
        return cls(package.workbook_text, package.text(rels_part(package.workbook_part)), package.text(CONTENT_TYPES))

    def parts(self, package: Package) -> dict[str, str]:
        """Part name → edited text."""
        return {package.workbook_part: self.workbook, rels_part(package.workbook_part): self.rels,
                CONTENT_TYPES: self.types}

    def relationship_prefix(self) -> str:
        """The prefix the workbook part's root binds to the relationships namespace; declared on
        the root as ``r`` if it binds none (openpyxl with lxml declares it on each ``<sheet>``
        only).  SpliceError if ``r`` is bound to another namespace somewhere in the part."""
        root = re.search(r"<(?:\w+:)?workbook[\s>][^>]*", self.workbook)
        found = re.search(rf'xmlns:(\w+)=["\']{re.escape(REL_NS)}["\']', root.group(0) if root else "")
        if found:
            return found.group(1)
        if any(uri != REL_NS for uri in re.findall(r'xmlns:r\s*=\s*["\']([^"\']*)["\']', self.workbook)):
            raise SpliceError("工作簿的命名空间不是常见的 .xlsx 写法，无法写入评分结果")
        self.workbook = re.sub(r"<((?:\w+:)?workbook)(\s|>)", rf'<\1 xmlns:r="{REL_NS}"\2', self.workbook, count=1)
        return "r"

    def add_override(self, part: str, content_type: str) -> None:
        """List a new part in [Content_Types].xml."""
        self.types = insert_before_close(self.types, "Types", f'<Override PartName="/{part}" ContentType="{content_type}"/>')

    def add_sheet(self, name: str, part: str, rid: str, *, at: int | None = None) -> None:
        """Tie the worksheet part ``part`` in as sheet ``name`` (relationship ``rid``, the next
        sheetId): last, or at tab position ``at``, the sheet indices at or after it (defined names'
        localSheetId, the active tab) moved up by one."""
        if at is None:
            self.add_sheets([(name, part, rid)])
            return
        (entry,) = self._entries([(name, part, rid)])
        current = tags(self.workbook, "sheet")
        if at < len(current):
            start = current[at].start()
            self.workbook = self.workbook[:start] + entry + self.workbook[start:]
        else:
            self.workbook = insert_before_close(self.workbook, "sheets", entry)
        shift = lambda m: f'{m.group(1)}="{int(m.group(2)) + (1 if int(m.group(2)) >= at else 0)}"'  # noqa: E731
        self.workbook = re.sub(r'(localSheetId|activeTab)="(\d+)"', shift, self.workbook)
        self._tie([(name, part, rid)])

    def add_sheets(self, sheets: list[tuple[str, str, str]], types: list[tuple[str, str]] | None = None) -> None:
        """Tie in ``(name, part, relationship id)`` of each sheet, after the last one: one edit of
        each part for them all (a thousand units' sheets are added in one pass, not one scan each).
        ``types``: the ``(part, content type)`` to list, in their order, where the sheets come with
        other new parts (their charts); by default the sheets'."""
        if sheets:
            entries = "".join(self._entries(sheets))  # first: it may declare the namespace on the root
            self.workbook = insert_before_close(self.workbook, "sheets", entries)
            self._tie(sheets, types)

    def _entries(self, sheets: list[tuple[str, str, str]]) -> list[str]:
        """The ``<sheet>`` entries, numbered from the next free sheetId."""
        r = self.relationship_prefix()
        p = prefix(self.workbook, "workbook")
        first = max([int(x) for x in re.findall(r'sheetId="(\d+)"', self.workbook)], default=0) + 1
        return [f'<{p}sheet name={quoteattr(xml_safe(name))} sheetId="{first + n}" {r}:id="{rid}"/>'
                for n, (name, _, rid) in enumerate(sheets)]

    def _tie(self, sheets: list[tuple[str, str, str]], types: list[tuple[str, str]] | None = None) -> None:
        """The sheets' relationships and content types."""
        self.rels = insert_before_close(self.rels, "Relationships", "".join(
            f'<Relationship Id="{rid}" Type="{SHEET_REL}" Target="/{part}"/>' for _, part, rid in sheets))
        listed = types if types is not None else [(part, SHEET_TYPE) for _, part, _ in sheets]
        self.types = insert_before_close(self.types, "Types", "".join(
            f'<Override PartName="/{part}" ContentType="{kind}"/>' for part, kind in listed))


def free_part(taken: set[str] | frozenset[str], pattern: str) -> str:
    """The first part name ``pattern.format(n)`` (n = 1, 2, …) not in ``taken``."""
    return next(free_parts(taken, pattern))


def free_parts(taken: set[str] | frozenset[str], pattern: str) -> Iterator[str]:
    """The part names ``pattern.format(n)`` (n = 1, 2, …) not in ``taken``, in order: one generator
    serves a run of new parts without scanning from 1 again for each."""
    n = 0
    while True:
        n += 1
        if pattern.format(n) not in taken:
            yield pattern.format(n)


_DOCUMENT_DATES = re.compile(r"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:)")


def reproducible(data: bytes) -> bytes:
    """A package written by another library (openpyxl stamps every entry, and the document's
    created / modified dates, with the time of saving) made reproducible: the same parts in the
    same order, each stamped :data:`PART_STAMP`, the document dates :data:`DOCUMENT_DATE`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info)
            if info.filename == "docProps/core.xml":
                content = _DOCUMENT_DATES.sub(rf"\g<1>{DOCUMENT_DATE}\g<2>", content.decode("utf-8")).encode("utf-8")
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=PART_STAMP), content,
                          compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def copy_part_raw(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Copy one part's compressed bytes from ``zin`` to ``zout`` without inflating and
    deflating them again (same content, same CRC).  False, having written nothing, when the
    entry is not a plain deflated or stored one (encrypted, zip64, …): copy it the usual way."""
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED) \
            or max(info.file_size, info.compress_size, info.header_offset) >= 0x7FFFFFFF \
            or zout._writing:  # type: ignore[attr-defined]  # zipfile's private flag: an entry open for writing
        return False
    source, target = zin.fp, zout.fp
    if source is None or target is None:  # a closed archive: the usual way says so
        return False
    source.seek(info.header_offset)
    header = source.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        return False
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    source.seek(info.header_offset + 30 + name_length + extra_length)
    raw = source.read(info.compress_size)
    if len(raw) != info.compress_size:
        return False
    entry = copy.copy(info)
    entry.flag_bits &= ~0x08  # sizes and CRC go into the local header: no data descriptor
    entry.extra = b""
    entry.header_offset = target.tell()
    target.write(entry.FileHeader(zip64=False))
    target.write(raw)
    zout.filelist.append(entry)
    zout.NameToInfo[entry.filename] = entry
    zout.start_dir = target.tell()
    zout._didModify = True  # type: ignore[attr-defined]  # zipfile's private flag: write the central directory on close
    return True
