"""The file boundary: inspect a workbook package before any spreadsheet parser sees it.

An evaluation workbook arrives by e-mail from outside; before python-calamine or
openpyxl parse a byte of it, :func:`inspect_workbook` checks, with bounded memory
and time:

* the file size, the number of parts in the zip, the total uncompressed size and
  each part's compression ratio (zip bombs);
* that no XML part declares a DOCTYPE or an ENTITY (entity expansion — "billion
  laughs" — and external entities), whatever its encoding;
* duplicate or encrypted zip entries (two parsers could read different data);
* for each input sheet: how far its data really extend (rows, columns, cells),
  so an absurdly large sheet is refused before a parser builds it in memory.

The same pass collects what the value readers cannot see but the evaluator must be
told about: formula cells saved without a calculated value (python-calamine reads
them as empty), cells holding an Excel error value (``#DIV/0!``), hidden rows with
data, and merged ranges.

Every refusal is a :class:`HostileFile` whose message is Chinese and names the
file, and the sheet and cell where there is one.
"""

from __future__ import annotations

import codecs
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from defusedxml import ElementTree as SafeET

from perfeval_xl.core.findings import cell_name, parse_cell_name
from perfeval_xl.io.xlsx_package import Package

#: refuse files larger than this on disk
MAX_FILE_BYTES = 100 * 1024 * 1024
#: refuse packages with more parts than this
MAX_PARTS = 5000
#: refuse packages whose parts together inflate to more than this
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
#: refuse a part that inflates more than this many times (checked for parts above RATIO_GRACE_BYTES)
MAX_RATIO = 100
RATIO_GRACE_BYTES = 1024 * 1024
#: an input sheet may use at most this many rows / columns / cells (rows × columns)
MAX_ROWS = 1_048_576  # Excel's own limit: a 100,000-row ledger must pass
MAX_COLS = 1_000
MAX_AREA = 10_000_000

CHUNK = 1 << 20

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")

_DANGER = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DANGER_TEXT = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLS = 16_384



class HostileFile(Exception):
    """The file is refused before parsing; message in Chinese, sheet/cell when known."""

    def __init__(self, message: str, sheet: str = "", cell: str = ""):
        super().__init__(message)
        self.message = message
        self.sheet = sheet
        self.cell = cell


@dataclass
class SheetScan:
    """What the guard learnt about one worksheet part."""

    name: str
    part: str
    max_row: int = 0  # 1-based; 0 for an empty sheet
    max_col: int = 0
    cells: int = 0
    #: (row, col) zero-based → formula text (with '=') of formula cells saved without a value
    uncached: dict[tuple[int, int], str] = field(default_factory=dict)
    #: (row, col) zero-based → Excel error value ('#DIV/0!') of cells whose value is an error
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    #: (row, col) zero-based → (cell type, cached value text) of formula cells with a value
    cached: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    #: 1-based numbers of hidden rows that hold data
    hidden_rows: list[int] = field(default_factory=list)
    #: merged ranges, zero-based inclusive (r1, c1, r2, c2)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass
class Inspection:
    path: Path
    is_zip: bool
    sheets: dict[str, SheetScan] = field(default_factory=dict)
    #: sheet name → part name for every worksheet in the workbook
    parts: dict[str, str] = field(default_factory=dict)


# --- cell references -------------------------------------------------------------

def parse_ref(ref: str) -> tuple[int, int] | None:
    """'B3' → (3, 2), 1-based; None when it is not a cell reference."""
    position = parse_cell_name(ref)
    return None if position is None else (position[0] + 1, position[1] + 1)


def ref_name(row: int, col: int) -> str:
    """1-based (row, col) → 'B3'."""
    return cell_name(row - 1, col - 1)


# --- package-level checks ----------------------------------------------------------

def _size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _is_xml_start(head: bytes) -> bool:
    """Does a part look like XML (so a parser may read it)?"""
    stripped = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if stripped.startswith(b"<"):
        return True
    return head[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:4] in (b"<\x00?\x00", b"\x00<\x00?")


def _utf16_codec(head: bytes) -> str | None:
    if head[:2] == b"\xff\xfe" or head[:4] == b"<\x00?\x00":
        return "utf-16-le"
    if head[:2] == b"\xfe\xff" or head[:4] == b"\x00<\x00?":
        return "utf-16-be"
    return None


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, budget: list[int]) -> None:
    """Stream one part: count the bytes it really inflates to and look for DTDs."""
    head = b""
    tail = b""
    decoder = None
    text_tail = ""
    xml = None
    with zf.open(info) as handle:
        while True:
            chunk = handle.read(CHUNK)
            if not chunk:
                break
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise HostileFile(f"“{name}”解压后超过 {_size_text(MAX_UNCOMPRESSED_BYTES)}，疑似压缩炸弹，已拒绝打开")
            if xml is None:
                head = chunk[:4]
                xml = _is_xml_start(chunk[:64])
                codec = _utf16_codec(head) if xml else None
                if codec:
                    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
            if not xml:
                continue  # binary part (image, vbaProject.bin): only its size matters
            if decoder is not None:
                text = text_tail + decoder.decode(chunk)
                if _DANGER_TEXT.search(text):
                    _refuse_dtd(name, info.filename)
                text_tail = text[-16:]
            else:
                data = tail + chunk
                if _DANGER.search(data):
                    _refuse_dtd(name, info.filename)
                tail = data[-16:]


def _refuse_dtd(name: str, part: str) -> None:
    raise HostileFile(
        f"“{name}”的部件 {part} 含有 DOCTYPE/ENTITY 声明（XML 实体扩展或外部实体攻击的写法），"
        "Excel 和 WPS 保存的工作簿不会有这种内容，已拒绝打开；请向来源索取原始文件，或在 Excel 中另存为新的 .xlsx")


def _check_package(zf: zipfile.ZipFile, name: str) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_PARTS:
        raise HostileFile(f"“{name}”包含 {len(infos)} 个部件，超过上限 {MAX_PARTS}，不像正常的工作簿，已拒绝打开")
    seen: set[str] = set()
    declared = 0
    for info in infos:
        key = info.filename.lower().lstrip("/")
        if key in seen:
            raise HostileFile(f"“{name}”中部件 {info.filename} 出现了两次（文件被篡改或已损坏），已拒绝打开")
        seen.add(key)
        if info.flag_bits & 0x1:
            raise HostileFile(f"“{name}”中部件 {info.filename} 已加密，无法读取；请在 Excel 中取消加密后另存")
        declared += info.file_size
        if info.file_size > RATIO_GRACE_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise HostileFile(
                f"“{name}”的部件 {info.filename} 压缩比超过 {MAX_RATIO} 倍（{_size_text(info.compress_size)} 解压为 "
                f"{_size_text(info.file_size)}），疑似压缩炸弹，已拒绝打开")
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise HostileFile(f"“{name}”解压后共 {_size_text(declared)}，超过上限 {_size_text(MAX_UNCOMPRESSED_BYTES)}，"
                          "疑似压缩炸弹，已拒绝打开")
    budget = [MAX_UNCOMPRESSED_BYTES]
    for info in infos:
        if info.is_dir():
            continue
        _scan_part(zf, info, name, budget)


# --- workbook structure -------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(zf: zipfile.ZipFile, names: set[str], file_name: str = "工作簿") -> dict[str, str]:
    """Worksheet name → part name (e.g. '资金情况' → 'xl/worksheets/sheet3.xml')."""
    package = Package(zf)
    if package.workbook_part not in package.names:
        raise HostileFile(f"“{file_name}”缺少 workbook.xml 部件（文件已损坏或不是 Excel 工作簿）；"
                          "请在 Excel 或 WPS 中打开并另存后再试")
    try:
        return package.sheet_parts()
    except UnicodeDecodeError as exc:
        raise HostileFile(f"“{file_name}”中的 XML 无法解析（文件已损坏）：{exc.reason}") from exc


# --- worksheet scan --------------------------------------------------------------------

def _too_large(sheet: str, row: int, col: int) -> HostileFile:
    where = ref_name(min(row, EXCEL_MAX_ROWS), min(col, EXCEL_MAX_COLS))
    return HostileFile(
        f"工作表“{sheet}”过大：数据一直延伸到 {where}（第 {row} 行、第 {col} 列），超出评价模板的上限"
        f"（{MAX_ROWS:,} 行、{MAX_COLS:,} 列、共 {MAX_AREA:,} 个单元格）；请删除多余的空行空列"
        "（选中后“删除”，而不是“清除内容”）后保存再试", sheet, where)


def _scan_sheet(zf: zipfile.ZipFile, name: str, part: str, names: set[str], *, limits: bool = True) -> SheetScan:
    scan = SheetScan(name, part)
    row_no = 0
    col_no = 0
    row_hidden = False
    row_has_data = False
    sheet_data = None
    with zf.open(part) as handle:
        for event, elem in SafeET.iterparse(handle, events=("start", "end"), forbid_dtd=True):
            tag = _local(elem.tag)
            if event == "start":
                if tag == "sheetData":
                    sheet_data = elem
                elif tag == "row":
                    r = elem.get("r")
                    row_no = int(r) if r and r.isdigit() else row_no + 1
                    col_no = 0
                    row_hidden = elem.get("hidden") in ("1", "true")
                    row_has_data = False
                continue
            if tag == "c":
                ref = elem.get("r")
                pos = parse_ref(ref) if ref else None
                if ref and pos is None:
                    raise HostileFile(f"工作表“{name}”中的单元格引用“{ref[:20]}”无效（文件已损坏）", name, "A1")
                row, col = pos if pos else (row_no, col_no + 1)
                col_no = col
                if row > EXCEL_MAX_ROWS or col > EXCEL_MAX_COLS:
                    raise HostileFile(f"工作表“{name}”中的单元格引用“{ref}”超出 Excel 的范围（文件已损坏）", name, "A1")
                formula = value = None
                inline = False
                for child in elem:
                    ctag = _local(child.tag)
                    if ctag == "f":
                        formula = child
                    elif ctag == "v":
                        value = child.text
                    elif ctag == "is":
                        inline = True
                ctype = elem.get("t") or "n"
                has_value = inline or (value is not None and value != "")
                if has_value or formula is not None:
                    if limits and (row > MAX_ROWS or col > MAX_COLS):
                        raise _too_large(name, row, col)
                    scan.cells += 1
                    scan.max_row = max(scan.max_row, row)
                    scan.max_col = max(scan.max_col, col)
                    if limits and scan.max_row * scan.max_col > MAX_AREA:
                        raise _too_large(name, scan.max_row, scan.max_col)
                    row_has_data = True
                    key = (row - 1, col - 1)
                    if ctype == "e" and has_value:
                        scan.errors[key] = str(value)
                    elif formula is not None and not has_value:
                        text = formula.text or ""
                        scan.uncached[key] = "=" + text if text else "=（共享公式）"
                    elif formula is not None and has_value and not inline:
                        scan.cached[key] = (ctype, str(value))
                elem.clear()
            elif tag == "row":
                if row_hidden and row_has_data:
                    scan.hidden_rows.append(row_no)
                elem.clear()
                if sheet_data is not None:
                    sheet_data.clear()
            elif tag == "mergeCell":
                ref = elem.get("ref") or ""
                first, _, last = ref.partition(":")
                a, b = parse_ref(first), parse_ref(last or first)
                if a and b:
                    scan.merges.append((min(a[0], b[0]) - 1, min(a[1], b[1]) - 1, max(a[0], b[0]) - 1, max(a[1], b[1]) - 1))
                elem.clear()
    return scan


# --- entry point -------------------------------------------------------------------

def inspect_workbook(path: str | Path, sheets: Iterable[str] | None = None) -> Inspection:
    """Check a workbook file before parsing; scan the named sheets (all when None).

    Raises :class:`HostileFile` with a Chinese message when the file must not be
    parsed.  Files that are not zip packages (.xls) are only size-checked.
    """
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise HostileFile(f"无法读取“{name}”：{exc.strerror or exc}") from exc
    if size > MAX_FILE_BYTES:
        raise HostileFile(f"“{name}”有 {_size_text(size)}，超过上限 {_size_text(MAX_FILE_BYTES)}；评价工作簿不应这么大")
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head == OLE_SIGNATURE and path.suffix.lower() in ZIP_SUFFIXES:
        raise HostileFile(f"“{name}”设置了打开密码（已加密），或其实是旧版 .xls 文件改了扩展名；"
                          "请在 Excel 或 WPS 中取消密码（文件→信息→保护工作簿），或另存为 .xlsx 后再试")
    if not zipfile.is_zipfile(path):
        if path.suffix.lower() in ZIP_SUFFIXES:
            raise HostileFile(f"“{name}”不是有效的 .xlsx 文件（文件已损坏、未下载完整，或是改了扩展名的其他文件）；"
                              "请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试")
        return Inspection(path, False)
    try:
        with zipfile.ZipFile(path) as zf:
            _check_package(zf, name)
            names = {info.filename for info in zf.infolist()}
            inspection = Inspection(path, True)
            if path.suffix.lower() not in ZIP_SUFFIXES:
                return inspection  # .ods / .xlsb: package checks only
            for required in ("[Content_Types].xml", "_rels/.rels"):
                if required not in names:
                    raise HostileFile(f"“{name}”缺少部件 {required}（文件已损坏，或不是 Excel 保存的工作簿）；"
                                      "请在 Excel 或 WPS 中打开并另存后再试")
            inspection.parts = _sheet_parts(zf, names, name)
            wanted = None if sheets is None else {s.strip() for s in sheets}
            for sheet_name, part in inspection.parts.items():
                if wanted is not None and sheet_name.strip() not in wanted:
                    continue
                try:
                    inspection.sheets[sheet_name] = _scan_sheet(zf, sheet_name, part, names)
                except SafeET.ParseError as exc:
                    raise HostileFile(f"工作表“{sheet_name}”的 XML 无法解析（文件已损坏，{exc}）；"
                                      "请在 Excel 或 WPS 中打开并另存后再试", sheet_name, "A1") from exc
            return inspection
    except HostileFile:
        raise
    except SafeET.ParseError as exc:
        raise HostileFile(f"“{name}”中的 XML 无法解析（文件已损坏）：{exc}") from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, KeyError,
            NotImplementedError, RuntimeError) as exc:
        # defusedxml's DTDForbidden / EntitiesForbidden are ValueErrors too
        if type(exc).__name__ in ("DTDForbidden", "EntitiesForbidden", "ExternalReferenceForbidden"):
            _refuse_dtd(name, "XML")
        raise HostileFile(f"“{name}”已损坏，无法读取（{type(exc).__name__}）；请在 Excel 或 WPS 中打开并另存后再试") from exc



def cached_formula_values(path: str | Path, skip=lambda name: False) -> dict[str, dict[tuple[int, int], tuple[str, str]]]:
    """Sheet name → {(row, col) zero-based: (cell type, cached value)} of the formula cells
    that carry a calculated value, for every worksheet not skipped.  For a file that
    already passed :func:`inspect_workbook` (sizes are bounded)."""
    result: dict[str, dict[tuple[int, int], tuple[str, str]]] = {}
    with zipfile.ZipFile(path) as zf:
        names = {info.filename for info in zf.infolist()}
        for sheet_name, part in _sheet_parts(zf, names).items():
            if skip(sheet_name):
                continue
            scan = _scan_sheet(zf, sheet_name, part, names, limits=False)
            if scan.cached:
                result[sheet_name] = scan.cached
    return result


def sheet_parts(path_or_zip) -> dict[str, str]:
    """Worksheet name → part name of a workbook file (or an open ZipFile)."""
    if isinstance(path_or_zip, zipfile.ZipFile):
        return _sheet_parts(path_or_zip, {i.filename for i in path_or_zip.infolist()})
    with zipfile.ZipFile(path_or_zip) as zf:
        return _sheet_parts(zf, {i.filename for i in zf.infolist()})
