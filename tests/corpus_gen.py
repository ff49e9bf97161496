"""A malformed-input corpus: the sample workbooks mutated in a few hundred ways.

Deterministic and generated at test time (nothing is committed): every
:class:`Variant` is a small recipe applied to a sample's bytes.  Most recipes edit
the sheet XML inside the zip directly (fast: no spreadsheet library in between, and
the mutated file is exactly what a hand or a program could have produced); a few
use openpyxl for structural edits.

Each variant declares what perfeval must do with it:

* ``expect`` — the exit status: 0 (benign: scored, no error finding), 1 (scored with
  an error finding) or 2 (refused: not readable, hostile, or not a template);
* ``where`` — the sheet and cell the message must name (``None`` for file-level
  refusals, whose message names the file instead);
* ``same_total`` — a benign spelling of the same data must give the sample's total.

    python tests/corpus_gen.py OUT_DIR      # write every variant to a folder, for a look
"""

from __future__ import annotations

import functools
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_workbooks"
XISHAN = SAMPLES / "西山区社区党组织服务群众专项经费2024.xlsx"
#: by exact name: a glob would also match a scored copy (…_评分.xlsx) that ``perfeval score`` writes beside it
WUHUA = SAMPLES / "五华区五个先锋奖励经费2023.xlsx"

SAMPLE_PATHS = {"xishan": XISHAN, "wuhua": WUHUA}


# --- zip and sheet-XML editing ---------------------------------------------------------

def zip_entries(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info, zf.read(info.filename)) for info in zf.infolist()]


def rebuild_zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for info, payload in entries:
            if isinstance(info, str):
                info = zipfile.ZipInfo(info, date_time=(2024, 1, 1, 0, 0, 0))
                info.compress_type = compression
            zf.writestr(info, payload)
    return out.getvalue()


def zip_edit(data: bytes, changes: dict[str, bytes | None | Callable[[bytes], bytes]]) -> bytes:
    """Replace (bytes), transform (callable), delete (None) or add parts."""
    entries = []
    seen = set()
    for info, payload in zip_entries(data):
        seen.add(info.filename)
        if info.filename in changes:
            change = changes[info.filename]
            if change is None:
                continue
            payload = change(payload) if callable(change) else change
        entries.append((info, payload))
    for name, change in changes.items():
        if name not in seen and isinstance(change, bytes):
            entries.append((name, change))
    return rebuild_zip(entries)


@dataclass(frozen=True)
class Formula:
    text: str  # without '='
    cached: str | None = None
    ctype: str = "n"


@dataclass(frozen=True)
class ErrorCell:
    error: str


def cell_xml(ref: str, value, style: bytes = b"") -> bytes:
    head = b'<c r="' + ref.encode() + b'"' + style
    if value is None:
        return head + b"/>"
    if isinstance(value, bool):
        return head + b' t="b"><v>' + (b"1" if value else b"0") + b"</v></c>"
    if isinstance(value, (int, float)):
        return head + b' t="n"><v>' + repr(value).encode() + b"</v></c>"
    if isinstance(value, Formula):
        t = b' t="' + value.ctype.encode() + b'"' if value.cached is not None and value.ctype != "n" else b""
        v = b"<v>" + escape(value.cached).encode() + b"</v>" if value.cached is not None else b""
        return head + t + b"><f>" + escape(value.text).encode() + b"</f>" + v + b"</c>"
    if isinstance(value, ErrorCell):
        return head + b' t="e"><v>' + escape(value.error).encode() + b"</v></c>"
    text = escape(str(value)).encode("utf-8")
    return head + b' t="inlineStr"><is><t xml:space="preserve">' + text + b"</t></is></c>"


_REF = re.compile(r"^([A-Z]+)(\d+)$")


def split_ref(ref: str) -> tuple[int, int]:
    letters, row = _REF.match(ref).groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(row), col


def col_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def set_cell(xml: bytes, ref: str, value) -> bytes:
    """Set one cell of a worksheet XML (as openpyxl writes it), keeping its style."""
    row, col = split_ref(ref)
    cell = re.compile(rb'<c r="' + ref.encode() + rb'"(?P<attrs>[^>]*?)(?:/>|>.*?</c>)', re.S)
    match = cell.search(xml)
    if match:
        style = re.search(rb' s="\d+"', match.group("attrs"))
        return xml[:match.start()] + cell_xml(ref, value, style.group(0) if style else b"") + xml[match.end():]
    new = cell_xml(ref, value)
    row_re = re.compile(rb'<row r="' + str(row).encode() + rb'"(?P<attrs>[^>]*?)(?P<end>/>|>(?P<body>.*?)</row>)', re.S)
    match = row_re.search(xml)
    if match:
        body = match.group("body") or b""
        insert_at = len(body)
        for other in re.finditer(rb'<c r="([A-Z]+)\d+"', body):
            if split_ref(other.group(1).decode() + str(row))[1] > col:
                insert_at = other.start()
                break
        body = body[:insert_at] + new + body[insert_at:]
        row_xml = b'<row r="' + str(row).encode() + b'"' + match.group("attrs") + b">" + body + b"</row>"
        return xml[:match.start()] + row_xml + xml[match.end():]
    row_xml = b'<row r="' + str(row).encode() + b'">' + new + b"</row>"
    for other in re.finditer(rb'<row r="(\d+)"', xml):
        if int(other.group(1)) > row:
            return xml[:other.start()] + row_xml + xml[other.start():]
    if b"<sheetData/>" in xml:
        return xml.replace(b"<sheetData/>", b"<sheetData>" + row_xml + b"</sheetData>")
    return xml.replace(b"</sheetData>", row_xml + b"</sheetData>")


# --- the samples' layout ----------------------------------------------------------------

@dataclass
class Layout:
    """Where things are in a sample: parts, header columns, data rows, values."""

    data: bytes
    parts: dict[str, str]
    headers: dict[str, dict[str, str]]  # sheet → header → column letter
    data_rows: dict[str, list[int]]  # sheet → 1-based data row numbers
    info_rows: dict[str, int]  # 项目信息 label → row
    values: dict[tuple[str, str], object]

    def ref(self, sheet: str, header: str, k: int = 0) -> str:
        return f"{self.headers[sheet][header]}{self.data_rows[sheet][k]}"

    def has(self, sheet: str, header: str, k: int = 0) -> bool:
        return header in self.headers.get(sheet, {}) and len(self.data_rows.get(sheet, ())) > k

    def indicator(self, code: str) -> int:
        """Data-row index of an indicator's own row (not a sub-item row) in 指标体系."""
        code_col, sub_col = self.headers["指标体系"]["编码"], self.headers["指标体系"].get("子项")
        for k, row in enumerate(self.data_rows["指标体系"]):
            if self.values.get(("指标体系", f"{code_col}{row}")) == code and \
                    (sub_col is None or not self.values.get(("指标体系", f"{sub_col}{row}"))):
                return k
        raise KeyError(code)

    def info_ref(self, label: str) -> str:
        return f"B{self.info_rows[label]}"


@functools.lru_cache(maxsize=None)
def layout(sample: str) -> Layout:
    from openpyxl import load_workbook

    from perfeval_xl.core import schema
    from perfeval_xl.io.guard import sheet_parts

    path = SAMPLE_PATHS[sample]
    data = path.read_bytes()
    wb = load_workbook(io.BytesIO(data))
    headers, data_rows, values = {}, {}, {}
    for sheet in schema.TABLE_SHEETS:
        if sheet.name not in wb.sheetnames:
            continue
        ws = wb[sheet.name]
        headers[sheet.name] = {str(c.value).strip(): c.column_letter for c in ws[schema.HEADER_ROW + 1] if c.value}
        data_rows[sheet.name] = [r[0].row for r in ws.iter_rows(min_row=schema.HEADER_ROW + 2)
                                 if any(c.value not in (None, "") for c in r)]
        for row in ws.iter_rows():
            for c in row:
                values[(sheet.name, c.coordinate)] = c.value
    info = wb[schema.PROJECT_INFO.name]
    info_rows = {str(r[0].value).strip(): r[0].row for r in info.iter_rows(min_row=2) if r[0].value}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = sheet_parts(zf)
    return Layout(data, parts, headers, data_rows, info_rows, values)


def edit_cells(lay: Layout, cells: dict[tuple[str, str], object]) -> bytes:
    by_part: dict[str, dict[str, object]] = {}
    for (sheet, ref), value in cells.items():
        by_part.setdefault(lay.parts[sheet], {})[ref] = value

    def editor(refs):
        def apply(xml: bytes) -> bytes:
            for ref, value in refs.items():
                xml = set_cell(xml, ref, value)
            return xml
        return apply

    return zip_edit(lay.data, {part: editor(refs) for part, refs in by_part.items()})


# --- variants -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Built:
    data: bytes
    where: tuple[str, str] | None
    suffix: str = ".xlsx"


@dataclass(frozen=True)
class Variant:
    name: str
    sample: str
    build: Callable[[Layout], Built] = field(compare=False)
    expect: int
    same_total: bool = False
    #: the variant plants text that must not become a formula in the output
    injection: bool = False
    #: (sheet, header, k) cells the recipe needs; variants whose sample lacks them are left out
    needs: tuple = ()

    @property
    def id(self) -> str:
        return f"{self.sample}-{self.name}"


def _cell_variant(name, sample, sheet, header, k, value, expect, **kw) -> Variant:
    def build(lay: Layout) -> Built:
        ref = lay.ref(sheet, header, k)
        return Built(edit_cells(lay, {(sheet, ref): value}), (sheet, ref))
    return Variant(name, sample, build, expect, needs=((sheet, header, k),), **kw)


def _info_variant(name, sample, label, value, expect, **kw) -> Variant:
    def build(lay: Layout) -> Built:
        ref = lay.info_ref(label)
        return Built(edit_cells(lay, {("项目信息", ref): value}), ("项目信息", ref))
    return Variant(name, sample, build, expect, **kw)


#: values no numeric column accepts: each must give an error finding at its cell
BAD_NUMBERS = {
    "word": "abc",
    "two-points": "12.3.4",
    "bad-grouping": "1,2,3",
    "dash": "-",
    "na-text": "N/A",
    "error-text": "#DIV/0!",
    "error-cell": ErrorCell("#DIV/0!"),
    "error-ref": ErrorCell("#REF!"),
    "uncached-formula": Formula("SUM(1,2)"),
    "bool": True,
    "huge": "1e999",
    "huge-number": 1e300,
    "formula-text": "=1+1",
    "approx": "约12",
    "date-text": "2024-05-31",
}
#: a subset for the less central columns, and for the larger (slower) sample
BAD_NUMBERS_MEDIUM = ("word", "dash", "error-cell", "uncached-formula", "bool", "huge", "formula-text")
BAD_NUMBERS_SHORT = ("word", "error-cell", "uncached-formula", "bool")

XISHAN_NUMERIC_TARGETS = (
    ("资金情况", "预算数", 0), ("资金情况", "实际到位", 0), ("资金情况", "实际支出", 1), ("问卷计数", "合计", 1),
    ("产出情况", "计划数", 0), ("产出情况", "实际数", 0), ("问卷类别", "权重", 0), ("其他数据", "分子", 0), ("指标体系", "分值", 0), ("评分录入", "得分", 1),
)
WUHUA_NUMERIC_TARGETS = (
    ("资金情况", "预算数", 0), ("资金情况", "实际支出", 1), ("人员名册", "人数", 0), ("产出情况", "实际数", 0), ("指标体系", "分值", 2), ("问卷类别", "权重", 1), ("其他数据", "数值", 0),
    ("问卷计数", "西翥", 1),
)

#: other spellings of the same figures: scored exactly as the sample
XISHAN_BENIGN = {
    ("资金情况", "预算数", 0): ("660,000.00", "６６００００", " 660000 ", "660000元", "66万", "66万元", "¥660,000.00",
                             660000, 660000.0, "6.6e5", "660000.00\u3000", "0.0066亿元"),
    ("问卷类别", "权重", 0): ("1", 1, "100 %", "１００％"),
    ("产出情况", "计划数", 0): ("12", "12个", "１２", 12.0, Formula("6*2", "12")),
    ("单位名单", "单位简称", 0): ("永顺里 ",),
    ("评分录入", "得分", 1): ("1.5", "１.５"),
}
WUHUA_BENIGN = {
    ("资金情况", "预算数", 0): ("79.78万", "797800元", "797,800元", "７９.７８", 79.78),
}
#: both samples take their satisfaction from 问卷计数 (the 满意度 sheet is empty): its 有效问卷数 row is the
#: first data row; the variants on it are named 问卷计数-有效问卷数-…
XISHAN_VALID_COUNT = ("问卷计数", "合计", 0)
XISHAN_VALID_COUNT_BENIGN = ("40", "40份", "40人", " 40 ", "４０", 40.0)
WUHUA_VALID_COUNT = ("问卷计数", "西翥", 0)

XISHAN_IMPOSSIBLE = (
    ("arrived-over-budget", "资金情况", "实际到位", 0, "700000"),
    ("negative-spending", "资金情况", "实际支出", 1, "-5"),
    ("negative-budget", "资金情况", "预算数", 0, -660000),
    ("spent-over-arrived", "资金情况", "实际支出", 1, "500000"),
    ("weight-over-100", "问卷类别", "权重", 0, "150%"),
    ("negative-count", "产出情况", "计划数", 0, -12),
    ("quality-over-actual", "产出情况", "质量达标数", 0, 7),
    ("negative-questionnaires", "问卷计数", "合计", 0, -40),
)
WUHUA_IMPOSSIBLE = (
    ("arrived-over-budget", "资金情况", "实际到位", 0, 90),
    ("spent-over-arrived", "资金情况", "实际支出", 0, "80"),
    ("negative-heads", "人员名册", "人数", 0, -3),
)

#: rule parameters and kinds an evaluator could mistype (xishan 指标体系)
RULE_MUTATIONS = (
    # (name, indicator row index, header, value)
    # (name, indicator code, header, value) — A4 阶梯扣分, C4 区间, C3 比率 with a target, A3 要点
    ("step-line-not-number", "A4", "规则参数", "满分线=abc；每降=5%；扣=0.4"),
    ("step-zero-step", "A4", "规则参数", "满分线=100%；每降=0；扣=0.4"),
    ("step-missing-deduction", "A4", "规则参数", "满分线=100%；每降=5%"),
    ("step-unknown-key", "A4", "规则参数", "满分线=100%；每降=5%；扣=0.4；奖励=1"),
    ("step-bad-method", "A4", "规则参数", "满分线=100%；每降=5%；扣=0.4；计法=随便"),
    ("step-no-equals", "A4", "规则参数", "满分线100%"),
    ("bands-missing-points", "C4", "规则参数", "≥0%"),
    ("bands-points-over-weight", "C4", "规则参数", "≥0%:80；其他:0"),
    ("bands-bad-condition", "C4", "规则参数", "大于0:8"),
    ("checklist-sum-wrong", "A3", "规则参数", "①a:1；②b:1；③c:1"),
    ("ratio-bad-direction", "C3", "规则参数", "斜向"),
    ("unknown-kind", "A4", "评分方法", "打分"),
    ("blank-kind", "A4", "评分方法", None),
    ("formula-import", "A4", "评分方法", "公式"),
    ("unknown-source", "A4", "取值来源", "不存在的来源"),
    ("source-bad-parens", "A4", "取值来源", "资金到位率(("),
    ("target-not-number", "C3", "目标值", "很高"),
    ("negative-weight", "A1", "分值", -2),
    ("blank-weight", "A1", "分值", None),
    ("blank-code", "A2", "编码", None),
    ("duplicate-code", "A2", "编码", "A1"),
)

#: text that must stay text in the output (xishan: project name and reasons; wuhua: unit names)
INJECTIONS = ("=1+1", '=HYPERLINK("http://example.invalid","点击")', "+1+1", "-1+1", "@SUM(1,2)",
              "=cmd|' /C calc'!A0", "=WEBSERVICE(\"http://example.invalid\")")


def _xishan_rule_variant(name, code, header, value) -> Variant:
    def build(lay: Layout) -> Built:
        k = lay.indicator(code)
        ref = lay.ref("指标体系", header, k)
        cells = {("指标体系", ref): value}
        if name == "formula-import":  # 公式 kind whose parameter tries to reach Python
            cells[("指标体系", lay.ref("指标体系", "规则参数", k))] = "__import__('os').system('echo hacked')"
            ref = lay.ref("指标体系", "规则参数", k)
        return Built(edit_cells(lay, cells), ("指标体系", ref))
    return Variant(f"rule-{name}", "xishan", build, 1)


# --- whole-file and XML-level mutations ---------------------------------------------------

BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"".join(b"&lol%d;" % (i - 1) if i > 1 else b"&lol;"
                                                                     for _ in range(10))) for i in range(1, 10))
                  + b"]>")
XXE_FILE = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
XXE_HTTP = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "http://example.invalid/x">]>'
XXE_PARAM = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "http://example.invalid/p.dtd"> %p;]>'
DOCTYPE_ONLY = b'<?xml version="1.0"?><!DOCTYPE worksheet>'


def _strip_decl(xml: bytes) -> bytes:
    return re.sub(rb"^<\?xml[^>]*\?>", b"", xml.lstrip(b"\xef\xbb\xbf"))


def _with_prolog(prolog: bytes, entity_ref: bytes | None = None):
    def apply(xml: bytes) -> bytes:
        body = _strip_decl(xml)
        if entity_ref:
            body = body.replace(b"<sheetData>", b"<sheetData><row r=\"999\"><c r=\"A999\" t=\"inlineStr\"><is><t>"
                                + entity_ref + b"</t></is></c></row>", 1)
        return prolog + body
    return apply


def _utf16_doctype(xml: bytes) -> bytes:
    body = _strip_decl(xml).decode("utf-8")
    text = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "b">]>' + body
    return b"\xff\xfe" + text.encode("utf-16-le")


#: Excel's "Strict Open XML 电子表格" save: the same parts under ISO 29500 Strict namespaces
STRICT_NAMESPACES = (
    (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
    (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
     b"http://purl.oclc.org/ooxml/officeDocument/relationships"),
    (b"http://schemas.openxmlformats.org/drawingml/2006/main", b"http://purl.oclc.org/ooxml/drawingml/main"),
)


def _strict(lay: Layout) -> bytes:
    """Every XML part with the Strict namespaces and relationship types (as Excel writes them)."""
    def convert(xml: bytes) -> bytes:
        for transitional, strict in STRICT_NAMESPACES:
            xml = xml.replace(transitional, strict)
        return xml
    return rebuild_zip([(info, convert(payload) if info.filename.endswith((".xml", ".rels")) else payload)
                        for info, payload in zip_entries(lay.data)])


def _tab_selected_true(lay: Layout) -> bytes:
    """As LibreOffice saves: the active input sheet selected with tabSelected="true"."""
    def select(xml: bytes) -> bytes:
        xml = xml.replace(b' tabSelected="1"', b"").replace(b" tabSelected='1'", b"")
        return re.sub(rb"<sheetView(?=[\s>/])", b'<sheetView tabSelected="true"', xml, count=1)
    return zip_edit(lay.data, {lay.parts["资金情况"]: select})


def _file_variant(name, build_data: Callable[[Layout], bytes], expect=2, sample="xishan", suffix=".xlsx",
                  where_sheet: str | None = None, where_cell: str | None = None) -> Variant:
    def build(lay: Layout) -> Built:
        where = (where_sheet, where_cell) if where_sheet else None
        return Built(build_data(lay), where, suffix)
    return Variant(name, sample, build, expect)


def _part_of(lay: Layout, sheet: str) -> str:
    return lay.parts[sheet]


def _sheet_edit(sheet: str, fn: Callable[[bytes], bytes]) -> Callable[[Layout], bytes]:
    return lambda lay: zip_edit(lay.data, {_part_of(lay, sheet): fn})


def _truncate(fraction: float) -> Callable[[Layout], bytes]:
    return lambda lay: lay.data[: int(len(lay.data) * fraction)]


def _flip_in_part(sheet: str) -> Callable[[Layout], bytes]:
    """Corrupt compressed bytes of a sheet part (its CRC no longer matches)."""
    def build(lay: Layout) -> bytes:
        data = bytearray(lay.data)
        with zipfile.ZipFile(io.BytesIO(lay.data)) as zf:
            info = zf.getinfo(lay.parts[sheet])
        name_len = len(info.filename.encode("utf-8"))
        start = info.header_offset + 30 + name_len + len(info.extra)
        middle = start + info.compress_size // 2
        for i in range(middle, middle + 8):
            data[i] ^= 0xFF
        return bytes(data)
    return build


def _zip_bomb(lay: Layout) -> bytes:
    return zip_edit(lay.data, {"xl/media/bomb.bin": b"\0" * (40 * 1024 * 1024)})


def _bomb_sheet(lay: Layout) -> bytes:
    # a worksheet part inflating 40 MB of spaces (still well-formed XML)
    def fn(xml: bytes) -> bytes:
        return xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (40 * 1024 * 1024), 1)
    return zip_edit(lay.data, {lay.parts["资金情况"]: fn})


def _many_parts(lay: Layout) -> bytes:
    entries = [(info, payload) for info, payload in zip_entries(lay.data)]
    entries += [(f"customXml/item{i}.bin", b"x") for i in range(6000)]
    return rebuild_zip(entries)


def _duplicate_part(lay: Layout) -> bytes:
    entries = zip_entries(lay.data)
    part = lay.parts["资金情况"]
    payload = dict((i.filename, p) for i, p in entries)[part]
    entries.append((part, payload.replace(b"660000.00", b"1.00")))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rebuild_zip(entries)


def _encrypted_flag(lay: Layout) -> bytes:
    """Mark a sheet part as encrypted (general-purpose flag bit 0) in both headers."""
    data = bytearray(lay.data)
    part = lay.parts["资金情况"].encode("utf-8")
    with zipfile.ZipFile(io.BytesIO(lay.data)) as zf:
        offset = zf.getinfo(lay.parts["资金情况"]).header_offset
    data[offset + 6] |= 0x1
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = int.from_bytes(data[pos + 28:pos + 30], "little")
        if bytes(data[pos + 46:pos + 46 + name_len]) == part:
            data[pos + 8] |= 0x1
        pos = data.find(b"PK\x01\x02", pos + 4)
    return bytes(data)


def _hidden_row(lay: Layout) -> bytes:
    row = lay.data_rows["资金情况"][1]

    def fn(xml: bytes) -> bytes:
        return re.sub(rb'<row r="%d"' % row, b'<row r="%d" hidden="1"' % row, xml, count=1)
    return zip_edit(lay.data, {lay.parts["资金情况"]: fn})


def _lying_dimension(lay: Layout) -> bytes:
    def fn(xml: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', xml, count=1)
    return zip_edit(lay.data, {lay.parts["资金情况"]: fn})


def _styled_far_cells(lay: Layout) -> bytes:
    def fn(xml: bytes) -> bytes:
        return set_cell(set_cell(xml, "Z5000", None), "AB3", None)
    return zip_edit(lay.data, {lay.parts["资金情况"]: fn})


def _set(sheet: str, ref: str, value) -> Callable[[Layout], bytes]:
    return lambda lay: edit_cells(lay, {(sheet, ref): value})


def _openpyxl_edit(fn) -> Callable[[Layout], bytes]:
    def build(lay: Layout) -> bytes:
        from openpyxl import load_workbook
        wb = load_workbook(io.BytesIO(lay.data))
        fn(wb, lay)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    return build


def _delete_sheet(name: str):
    def fn(wb, lay):
        del wb[name]
    return fn


def _rename_header(sheet: str, header: str, new: str):
    def fn(wb, lay):
        wb[sheet][f"{lay.headers[sheet][header]}2"] = new
    return fn


def _clear_rows(sheet: str):
    def fn(wb, lay):
        ws = wb[sheet]
        for row in lay.data_rows[sheet]:
            for cell in ws[row]:
                cell.value = None
    return fn


def _insert_blank_rows(sheet: str):
    def fn(wb, lay):
        ws = wb[sheet]
        ws.insert_rows(lay.data_rows[sheet][1], 3)
        for row in ws.iter_rows(min_row=ws.max_row + 1, max_row=ws.max_row + 40):
            pass
    return fn


def _move_column_to_end(sheet: str, header: str):
    def fn(wb, lay):
        ws = wb[sheet]
        letter = lay.headers[sheet][header]
        from openpyxl.utils import column_index_from_string
        idx = column_index_from_string(letter)
        last = ws.max_column + 1
        ws.move_range(f"{letter}1:{letter}{ws.max_row}", cols=last - idx)
    return fn


def _merge_unit_cells(wb, lay):
    """Merge 单位简称 down two rows, as printed reports do (the value fills the merge)."""
    ws = wb["满意度"] if False else wb["产出情况"]
    rows = lay.data_rows["产出情况"]
    letter = lay.headers["产出情况"]["产出名称"]
    ws[f"{letter}{rows[1]}"] = None
    ws.merge_cells(f"{letter}{rows[0]}:{letter}{rows[1]}")


def _trailing_spaces_sheet_name(wb, lay):
    wb["资金情况"].title = "资金情况 "


def _uncached_in_unused_column(lay: Layout) -> bytes:
    return edit_cells(lay, {("资金情况", "Z3"): Formula("B3*2")})


def _cached_formula_in_data(lay: Layout) -> bytes:
    return edit_cells(lay, {("资金情况", lay.ref("资金情况", "实际支出", 1)): Formula("30000+8929.35", "38929.35")})


def _far_cell(ref: str) -> Callable[[Layout], bytes]:
    return lambda lay: edit_cells(lay, {("资金情况", ref): 1})


def _bad_cell_ref(lay: Layout) -> bytes:
    def fn(xml: bytes) -> bytes:
        return xml.replace(b"<sheetData>", b'<sheetData><row r="1"><c r="1A"><v>1</v></c></row>', 1)
    return zip_edit(lay.data, {lay.parts["资金情况"]: fn})


def _garbage_sheet(lay: Layout) -> bytes:
    return zip_edit(lay.data, {lay.parts["资金情况"]: b"<worksheet><sheetData><row></sheetData>"})


def _ole(lay: Layout) -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096


def _info_cell(label: str, value) -> Callable[[Layout], bytes]:
    return lambda lay: edit_cells(lay, {("项目信息", lay.info_ref(label)): value})


def _duplicate_unit(lay: Layout) -> bytes:
    first = lay.values[("单位名单", lay.ref("单位名单", "单位简称", 0))]
    return edit_cells(lay, {("单位名单", lay.ref("单位名单", "单位简称", 1)): first})


def file_variants() -> list[Variant]:
    v: list[Variant] = []
    # not a workbook at all
    v.append(_file_variant("empty-file", lambda lay: b""))
    v.append(_file_variant("text-file", lambda lay: "这不是工作簿\n".encode("utf-8") * 50))
    v.append(_file_variant("random-bytes", lambda lay: bytes((i * 7919 + 13) % 256 for i in range(20000))))
    v.append(_file_variant("ole-encrypted", _ole))
    v.append(_file_variant("xls-suffix", lambda lay: lay.data, suffix=".xls"))
    v.append(_file_variant("ods-suffix", lambda lay: lay.data, suffix=".ods"))
    v.append(_file_variant("txt-suffix", lambda lay: lay.data, suffix=".txt"))
    for fraction in (0.05, 0.3, 0.5, 0.8, 0.97, 0.999):
        v.append(_file_variant(f"truncated-{fraction}", _truncate(fraction)))
    v.append(_file_variant("corrupt-sheet-bytes", _flip_in_part("资金情况")))
    v.append(_file_variant("corrupt-indicator-bytes", _flip_in_part("指标体系")))
    v.append(_file_variant("garbage-sheet-xml", _garbage_sheet, where_sheet="资金情况", where_cell="A1"))
    v.append(_file_variant("no-workbook-part", lambda lay: zip_edit(lay.data, {"xl/workbook.xml": None})))
    v.append(_file_variant("no-sheet-part", lambda lay: zip_edit(lay.data, {lay.parts["资金情况"]: None})))
    v.append(_file_variant("no-content-types", lambda lay: zip_edit(lay.data, {"[Content_Types].xml": None})))
    v.append(_file_variant("no-styles-part", lambda lay: zip_edit(lay.data, {"xl/styles.xml": None})))
    v.append(_file_variant("no-root-rels", lambda lay: zip_edit(lay.data, {"_rels/.rels": None})))
    # XML attacks, in every kind of part
    for part_name, part in (("sheet", None), ("workbook", "xl/workbook.xml"), ("styles", "xl/styles.xml"),
                            ("content-types", "[Content_Types].xml"), ("root-rels", "_rels/.rels"),
                            ("workbook-rels", "xl/_rels/workbook.xml.rels"), ("core-props", "docProps/core.xml")):
        for attack, prolog, ref in (("billion-laughs", BILLION_LAUGHS, b"&lol9;"), ("xxe-file", XXE_FILE, b"&xxe;"),
                                    ("xxe-http", XXE_HTTP, b"&xxe;"), ("param-entity", XXE_PARAM, None),
                                    ("doctype-only", DOCTYPE_ONLY, None)):
            if part_name != "sheet" and attack in ("xxe-http", "doctype-only"):
                continue

            def build(lay, part=part, prolog=prolog, ref=ref):
                target = part or lay.parts["资金情况"]
                return zip_edit(lay.data, {target: _with_prolog(prolog, ref if part is None else None)})
            v.append(_file_variant(f"{attack}-in-{part_name}", build))
    v.append(_file_variant("billion-laughs-in-shared-strings", lambda lay: zip_edit(lay.data, {
        "xl/sharedStrings.xml": BILLION_LAUGHS + b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
                                                 b' count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'})))
    v.append(_file_variant("utf16-doctype-in-sheet", _sheet_edit("资金情况", _utf16_doctype)))
    # zip bombs and absurd sizes
    v.append(_file_variant("zip-bomb-part", _zip_bomb))
    v.append(_file_variant("zip-bomb-sheet", _bomb_sheet))
    v.append(_file_variant("too-many-parts", _many_parts))
    v.append(_file_variant("duplicate-part", _duplicate_part))
    v.append(_file_variant("encrypted-entry", _encrypted_flag))
    v.append(_file_variant("far-cell-xfd", _far_cell("XFD1048576"), where_sheet="资金情况", where_cell="XFD1048576"))
    v.append(_file_variant("far-row", _far_cell("Z1048576"), where_sheet="资金情况", where_cell="Z1048576"))
    v.append(_file_variant("far-column", _far_cell("BAA3"), where_sheet="资金情况", where_cell="BAA3"))
    v.append(_file_variant("bad-cell-reference", _bad_cell_ref, where_sheet="资金情况", where_cell="A1"))
    # template structure
    for sheet in ("项目信息", "单位名单", "指标体系"):
        v.append(_file_variant(f"missing-sheet-{sheet}", _openpyxl_edit(_delete_sheet(sheet)),
                               where_sheet=sheet, where_cell="A1"))
    v.append(_file_variant("missing-header-预算数", _openpyxl_edit(_rename_header("资金情况", "预算数", "预算")),
                           where_sheet="资金情况", where_cell="A2"))
    v.append(_file_variant("missing-header-分值", _openpyxl_edit(_rename_header("指标体系", "分值", "分数")),
                           where_sheet="指标体系", where_cell="A2"))
    v.append(_file_variant("no-units", _openpyxl_edit(_clear_rows("单位名单")), where_sheet="单位名单", where_cell="B3"))
    v.append(_file_variant("no-indicators", _openpyxl_edit(_clear_rows("指标体系")), where_sheet="指标体系", where_cell="A3"))
    v.append(Variant("blank-project-name", "xishan",
                     lambda lay: Built(_info_cell("项目名称", None)(lay), ("项目信息", lay.info_ref("项目名称"))), 2))
    # benign structure: scored as the sample
    for name, fn in (("hidden-row", _hidden_row), ("lying-dimension", _lying_dimension),
                     ("styled-far-cells", _styled_far_cells), ("uncached-unused-column", _uncached_in_unused_column),
                     ("cached-formula-in-data", _cached_formula_in_data),
                     ("blank-rows-inside", _openpyxl_edit(_insert_blank_rows("资金情况"))),
                     ("column-moved", _openpyxl_edit(_move_column_to_end("资金情况", "预算数"))),
                     ("merged-item-cells", _openpyxl_edit(_merge_unit_cells)),
                     ("sheet-name-trailing-space", _openpyxl_edit(_trailing_spaces_sheet_name))):
        v.append(Variant(name, "xishan", lambda lay, fn=fn: Built(fn(lay), None), 0, same_total=True))
    # findings at a cell
    v.append(Variant("duplicate-unit-short-name", "xishan",
                     lambda lay: Built(_duplicate_unit(lay), ("单位名单", lay.ref("单位名单", "单位简称", 1))), 1))
    v.append(_cell_variant("unknown-unit-in-funds", "xishan", "资金情况", "单位简称", 1, "不存在的社区", 1))
    v.append(_info_variant("amount-unit-unknown", "xishan", "金额单位", "美元", 2))
    v.append(_info_variant("shape-unknown", "xishan", "评价形态", "随便评", 2))
    v.append(_info_variant("year-text", "xishan", "评价年度", "二〇二四", 1))
    v.append(_info_variant("grades-out-of-order", "xishan", "优（不低于）", 50, 1))
    v.append(_info_variant("year-not-a-year", "xishan", "评价年度", 24, 0))
    v.append(_info_variant("budget-unit-says-wan", "xishan", "金额单位", "万元", 0))
    return v


def cell_variants() -> list[Variant]:
    v: list[Variant] = []
    for i, (sheet, header, k) in enumerate(XISHAN_NUMERIC_TARGETS):
        for bad in (BAD_NUMBERS if i < 4 else BAD_NUMBERS_MEDIUM):
            v.append(_cell_variant(f"{sheet}-{header}-{bad}", "xishan", sheet, header, k, BAD_NUMBERS[bad], 1))
    for (sheet, header, k), spellings in XISHAN_BENIGN.items():
        for i, value in enumerate(spellings):
            v.append(_cell_variant(f"{sheet}-{header}-same-{i}", "xishan", sheet, header, k, value, 0, same_total=True))
    for bad in BAD_NUMBERS_MEDIUM:
        v.append(_cell_variant(f"问卷计数-有效问卷数-{bad}", "xishan", *XISHAN_VALID_COUNT, BAD_NUMBERS[bad], 1))
    for i, value in enumerate(XISHAN_VALID_COUNT_BENIGN):
        v.append(_cell_variant(f"问卷计数-有效问卷数-same-{i}", "xishan", *XISHAN_VALID_COUNT, value, 0, same_total=True))
    for name, sheet, header, k, value in XISHAN_IMPOSSIBLE:
        v.append(_cell_variant(f"impossible-{name}", "xishan", sheet, header, k, value, 1))
    for name, code, header, value in RULE_MUTATIONS:
        v.append(_xishan_rule_variant(name, code, header, value))
    # dates: a ledger row typed in every common way
    for i, day in enumerate(("2024-05-31", "2024/5/31", "2024年5月31日", "20240531", 45443, "45443", "2024.5.31",
                             "2024-05-31 00:00:00")):
        v.append(Variant(f"ledger-date-{i}", "xishan", _ledger_variant(day), 0))
    for i, day in enumerate(("2024-02-30", "31/05/2024", "昨天", 2024, "1900-01-01")):
        v.append(Variant(f"ledger-bad-date-{i}", "xishan", _ledger_variant(day, bad=True), 1))
    # text from the input that must stay text in the output
    for i, text in enumerate(INJECTIONS):
        v.append(Variant(f"injection-reason-{i}", "xishan", _injection_reason(text), 0, injection=True))
        v.append(_info_variant(f"injection-project-name-{i}", "xishan", "项目名称", text, 0, injection=True))
    for sheet, header, k in WUHUA_NUMERIC_TARGETS:
        for bad in BAD_NUMBERS_SHORT:
            v.append(_cell_variant(f"{sheet}-{header}-{bad}", "wuhua", sheet, header, k, BAD_NUMBERS[bad], 1))
    for bad in BAD_NUMBERS_SHORT:
        v.append(_cell_variant(f"问卷计数-有效问卷数-{bad}", "wuhua", *WUHUA_VALID_COUNT, BAD_NUMBERS[bad], 1))
    for (sheet, header, k), spellings in WUHUA_BENIGN.items():
        for i, value in enumerate(spellings):
            v.append(_cell_variant(f"{sheet}-{header}-same-{i}", "wuhua", sheet, header, k, value, 0,
                                   same_total=True))
    for name, sheet, header, k, value in WUHUA_IMPOSSIBLE:
        v.append(_cell_variant(f"impossible-{name}", "wuhua", sheet, header, k, value, 1))
    v.append(_cell_variant("magnitude-yuan-in-wan", "wuhua", "资金情况", "结余", 0, 7978000, 0))
    v.append(_cell_variant("injection-unit-name", "wuhua", "单位名单", "单位全称", 0, INJECTIONS[1], 0,
                           injection=True))
    v.append(Variant("injection-unit-short-name", "wuhua", lambda lay: Built(edit_cells(lay, {
        ("单位名单", lay.ref("单位名单", "单位简称", 0)): "=1+1"}), None), 1, injection=True))
    v.append(Variant("wuhua-uncached-in-roster", "wuhua",
                     lambda lay: Built(edit_cells(lay, {("人员名册", lay.ref("人员名册", "人数", 2)): Formula("20+6")}),
                                       ("人员名册", lay.ref("人员名册", "人数", 2))), 1))
    v.append(_file_variant("wuhua-billion-laughs", lambda lay: zip_edit(lay.data, {
        lay.parts["人员名册"]: _with_prolog(BILLION_LAUGHS, b"&lol9;")}), sample="wuhua"))
    # packages other programs write (issue 9 items 1 and 2)
    v.append(_file_variant("strict-open-xml", _strict))
    v.append(Variant("libreoffice-tab-selected-true", "xishan",
                     lambda lay: Built(_tab_selected_true(lay), None), 0, same_total=True))
    return v


# --- round three (issue 20): control characters, parts an output cannot carry, other formats --------

def unit_spelt(token: bytes, unit: str = "西翥") -> Callable[[Layout], bytes]:
    """The 五华 sample with a 单位简称 spelt with ``token`` in its middle wherever it is written (every
    sheet), so the workbook stays consistent: a control character as Excel stores it (``_x000B_``)."""
    def build(lay: Layout) -> bytes:
        entries = []
        name = unit.encode()
        for info, payload in zip_entries(lay.data):
            if info.filename.startswith("xl/worksheets/sheet"):
                for before in (b"<t>%s</t>", b'<t xml:space="preserve">%s</t>'):
                    payload = payload.replace(before % name, before % (name[:3] + token + name[3:]))
            entries.append((info, payload))
        return rebuild_zip(entries)
    return build


def with_entry(name: str, payload: bytes = b"x", **attrs) -> Callable[[Layout], bytes]:
    """The sample with one more zip entry (attributes of its ZipInfo set as given)."""
    def build(lay: Layout) -> bytes:
        info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
        for key, value in attrs.items():
            setattr(info, key, value)
        return rebuild_zip(zip_entries(lay.data) + [(info, payload)])
    return build


def renamed_entry(placeholder: str, raw: bytes) -> Callable[[Layout], bytes]:
    """An entry named with raw bytes (NUL, undecodable) in both zip headers; the CRC covers data only."""
    def build(lay: Layout) -> bytes:
        data = with_entry(f"xl/media/{placeholder}.png")(lay)
        assert len(placeholder.encode()) == len(raw) and data.count(placeholder.encode()) == 2
        return data.replace(placeholder.encode(), raw)
    return build


def sheet_target(new_target: bytes, external: bool = False) -> Callable[[Layout], bytes]:
    """资金情况's worksheet relationship (workbook rels) pointed elsewhere."""
    def transform(xml: bytes) -> bytes:
        match = re.search(rb'Target="(/?(?:xl/)?worksheets/sheet4\.xml)"', xml)
        out = xml[:match.start(1)] + new_target + xml[match.end(1):]
        mode = b'" TargetMode="External"' if external else b'"'
        return out.replace(b'Target="' + new_target + b'"', b'Target="' + new_target + mode)
    return lambda lay: zip_edit(lay.data, {"xl/_rels/workbook.xml.rels": transform})


def nonfinite(text: str) -> Callable[[Layout], bytes]:
    """资金情况's first 预算数 a number cell reading ``text`` (NaN, INF)."""
    def build(lay: Layout) -> bytes:
        ref = lay.ref("资金情况", "预算数", 0)
        return zip_edit(lay.data, {lay.parts["资金情况"]: lambda xml: set_cell(xml, ref, 1.5).replace(
            b"<v>1.5</v>", b"<v>" + text.encode() + b"</v>", 1)})
    return build


def xlsb_renamed(lay: Layout) -> bytes:
    return rebuild_zip([("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                                                 b'package/2006/content-types"/>'),
                        ("_rels/.rels", b"<Relationships/>"), ("xl/workbook.bin", b"\x83\x01\x00binary")])


def lzma_parts(lay: Layout) -> bytes:
    return rebuild_zip([(info.filename, data) for info, data in zip_entries(lay.data)], compression=zipfile.ZIP_LZMA)


#: round-three kinds refused as a whole: name → (recipe, the phrase of the message)
CARRIED = {
    "dotdot-entry": (with_entry("../../x.txt"), "指向包外"),
    "absolute-entry": (with_entry("/etc/x.xml"), "是绝对路径"),
    "nul-entry": (renamed_entry("aQb", b"a\x00b"), "含有空字符"),
    "undecodable-entry": (renamed_entry("aQQb", b"a\xc6\xc0b"), "无法识别的字节"),
    "symlink-entry": (with_entry("xl/media/link.png", b"/etc/passwd", create_system=3, external_attr=0o120777 << 16),
                      "是符号链接"),
    "no-content-type": (with_entry("xl/extra/data.qqq"), "没有登记在部件类型表中"),
    "external-sheet-rel": (sheet_target(b"file:///etc/passwd", external=True), "指向包外"),
    "traversal-sheet-rel": (sheet_target(b"../../../etc/passwd.xml"), "指向包外"),
    "xlsb-renamed": (xlsb_renamed, "其实是 .xlsb 格式"),
    "lzma-parts": (lzma_parts, "使用了 Excel 不用的压缩方式（第 14 种）"),
}
#: control characters in a unit 简称: scored, the output opens (the character is dropped)
CONTROL_TOKENS = {"x000B": b"_x000B_", "x0001": b"_x0001_", "x001B": b"_x001B_", "tab": b"&#9;"}


def round3_variants() -> list[Variant]:
    v = [_file_variant(name, build) for name, (build, _) in CARRIED.items()]
    for text in ("NaN", "INF"):
        v.append(Variant(f"{text.lower()}-number", "xishan",
                         lambda lay, text=text: Built(nonfinite(text)(lay), ("资金情况", lay.ref("资金情况", "预算数", 0))), 2))
    for name, token in CONTROL_TOKENS.items():
        v.append(Variant(f"control-{name}-in-unit-short-name", "wuhua",
                         lambda lay, token=token: Built(unit_spelt(token)(lay), None), 0, same_total=True))
    return v


def _ledger_variant(day, bad: bool = False) -> Callable[[Layout], Built]:
    """One 支出明细 row with the given 支付日期, for a unit that already has its 实际支出."""
    def build(lay: Layout) -> Built:
        cols = lay.headers["支出明细"]
        row = 3
        cells = {("支出明细", f"{cols['单位简称']}{row}"): "永顺里", ("支出明细", f"{cols['支付日期']}{row}"): day,
                 ("支出明细", f"{cols['金额']}{row}"): "38929.35", ("支出明细", f"{cols['摘要']}{row}"): "服务群众支出"}
        return Built(edit_cells(lay, cells), ("支出明细", f"{cols['支付日期']}{row}"))
    return build


def _injection_reason(text: str) -> Callable[[Layout], Built]:
    def build(lay: Layout) -> Built:
        ref = lay.ref("评分录入", "扣分原因", 1)
        return Built(edit_cells(lay, {("评分录入", ref): text}), ("评分录入", ref))
    return build


def _applicable(variant: Variant) -> bool:
    lay = layout(variant.sample)
    return all(lay.has(*need) for need in variant.needs)


def all_variants() -> list[Variant]:
    """Every variant; one whose cell the sample does not have is a mistake in this file, never skipped."""
    variants = file_variants() + cell_variants() + round3_variants()
    inapplicable = [v.id for v in variants if not _applicable(v)]
    assert not inapplicable, f"variants aimed at cells the samples do not have: {inapplicable}"
    ids = [v.id for v in variants]
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, duplicates
    return variants


def write_variant(variant: Variant, folder: Path) -> tuple[Path, Built]:
    built = variant.build(layout(variant.sample))
    path = folder / f"{variant.id}{built.suffix}"
    path.write_bytes(built.data)
    return path, built


if __name__ == "__main__":  # pragma: no cover
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    out.mkdir(parents=True, exist_ok=True)
    for variant in all_variants():
        write_variant(variant, out)
    print(f"{len(all_variants())} variants in {out}")
