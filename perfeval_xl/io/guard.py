"""The file boundary: inspect a workbook package before any spreadsheet parser sees it.

An evaluation workbook arrives by e-mail from outside; before python-calamine or
openpyxl parse a byte of it, :func:`inspect_workbook` checks, with bounded memory
and time:

* from the zip directory alone: the file size, the number of parts, each part's
  compression ratio and the total uncompressed size (zip bombs), size headers that
  cannot be true (smaller than the compressed data), duplicate or encrypted entries;
* that no XML part declares a DOCTYPE or an ENTITY (entity expansion — "billion
  laughs" — and external entities), whatever its encoding.  Such declarations can
  stand only in the prolog, before the root element, so only the prolog is read
  (the whole part when text that is not XML precedes the root); every XML part is
  still inflated once, in C, to count what it really inflates to;
* that the workbook is not saved as Strict Open XML (refused with how to save a
  normal .xlsx: the writer would otherwise produce a file no program opens);
* that every part a writer would carry into an output opens (names, content types, relationships
  that stay in the package, numbers that are finite: :func:`check_carried_parts`,
  :func:`refuse_nonfinite`);
* for each input sheet it is asked to scan, what :mod:`perfeval_xl.io.sheet_scan` reads from
  the inflated part: how far its data really extend (an absurdly large sheet is refused before
  a parser builds it in memory), formula cells saved without a value, Excel error values,
  hidden rows with data and merged ranges.

Every refusal is a :class:`~perfeval_xl.io.files.HostileFile` whose message is Chinese and names the
file, and the sheet (and cell) where there is one — a worksheet part by its sheet
name, other parts by what they are.  The package structure comes from
:mod:`perfeval_xl.io.xlsx_package`."""

from __future__ import annotations

import codecs
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from perfeval_xl.io.atomic import describe_os_error
from perfeval_xl.io.files import MAX_FILE_BYTES as FILE_LIMIT, HostileFile, display_name
from perfeval_xl.io.parser_copy import PARSER_COPY_LIMIT, STORED_PART_LIMIT, stored_copy
from perfeval_xl.io.sheet_scan import NONFINITE_HINT_TAIL, SheetScan, cell_at, prove_long, ref_name, scan_exact, scan_quick
from perfeval_xl.io.xlsx_package import (ROOT_RELS, STYLES_PART, WORKBOOK_RELS, Package, SpliceError, attr, rels_part,
                                         unescape)

if TYPE_CHECKING:  # pragma: no cover
    from typing import TypeGuard
    from xml.etree.ElementTree import ParseError

__all__ = ["HostileFile", "Inspection", "Selector", "cached_formula_values", "check_carried_parts", "inspect_workbook",
           "refuse_nonfinite", "sheet_parts"]

#: refuse files larger than this on disk (the one limit, stated in docs/errors.md, is perfeval_xl.io.files')
MAX_FILE_BYTES = FILE_LIMIT
#: refuse packages with more parts than this
MAX_PARTS = 5000
#: refuse packages whose parts together inflate to more than this
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
#: refuse a part that inflates more than this many times (checked for parts above RATIO_GRACE_BYTES)
MAX_RATIO = 100
RATIO_GRACE_BYTES = 1024 * 1024
#: an input sheet may use at most this many rows / columns / cells (rows × columns)

CHUNK = 1 << 20
#: a part that inflates to at most this is read in one call (:meth:`_PartReader._read_small`), a larger one in chunks
ONE_CALL_BYTES = CHUNK
#: a part kept whole (a sheet read after the guard) is read in one call too, whatever its size, when the size
#: its header states fits the budget left
ONE_CALL_KEPT = True
#: what a part read in one call may be compressed with, and the flags that send it through zipfile
#: (encrypted, compressed patched data, strong encryption: zipfile's refusals word them)
_ONE_CALL = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_ZIP_UNUSUAL_FLAGS = 0x1 | 0x20 | 0x40
#: a zip entry's local header: signature, flags, lengths of the name and the extra field
_LOCAL_HEADER = struct.Struct("<4s2xH18xHH")

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")

_DANGER = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DANGER_TEXT = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)



@dataclass
class Inspection:
    path: Path
    is_zip: bool
    sheets: dict[str, SheetScan] = field(default_factory=dict)
    #: sheet name → part name for every worksheet in the workbook
    parts: dict[str, str] = field(default_factory=dict)
    #: the names (stripped) of the sheets asked for and scanned; None when every sheet was
    selected: frozenset[str] | None = None
    #: with ``keep_parts``: the inflated bytes of the scanned sheets and the styles part (part name →
    #: bytes), for the readers after the guard (number formats), so no part is inflated twice
    data: dict[str, bytes] = field(default_factory=dict)
    #: with ``parser_copy``, for a small workbook: the package with the parts a parser reads (the scanned
    #: sheets, styles, shared strings, workbook) stored as the guard inflated them
    #: (:func:`~perfeval_xl.io.parser_copy.stored_copy`); the reader drops it once the parser has read
    parser_copy: list[bytes | memoryview] | None = None


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


class _Parts:
    """How refusals name a part: a worksheet by its sheet name, other parts by what they are."""

    KINDS = (("xl/styles.xml", "样式表"), ("xl/sharedStrings.xml", "共享字符串表"), ("xl/workbook.xml", "工作簿目录"),
             ("[Content_Types].xml", "部件类型表"), ("docProps/", "文档属性"), ("xl/media/", "图片等附件"),
             ("xl/drawings/", "图形"), ("xl/charts/", "图表"), ("_rels/", "部件关系表"), ("xl/theme/", "主题"))

    def __init__(self, sheets: dict[str, str] | None = None):
        self.by_part = {part: name for name, part in (sheets or {}).items()}

    def sheet(self, part: str) -> str:
        return self.by_part.get(part, "")

    def describe(self, part: str) -> str:
        sheet = self.by_part.get(part)
        if sheet is not None:
            return f"工作表“{sheet}”"
        for prefix, kind in self.KINDS:
            if part.startswith(prefix) or f"/{prefix}" in part:
                return f"{kind}（部件 {part}）"
        return f"部件 {part}"


def _refuse_dtd(name: str, what: str, sheet: str = "") -> None:
    raise HostileFile(
        f"“{name}”的{what}含有 DOCTYPE/ENTITY 声明（XML 实体扩展或外部实体攻击的写法），"
        "Excel 和 WPS 保存的工作簿不会有这种内容，已拒绝打开；请向来源索取原始文件，或在 Excel 中另存为新的 .xlsx",
        sheet)


_WS = frozenset(" \t\r\n")
_WS_BYTES = frozenset(b" \t\r\n")


def _prolog_state(text, start: int = 0) -> tuple[str, int]:
    """Walk an XML prolog (str or bytes) from ``start``: ('root', i) once the root element
    starts, ('dtd', i) at a DOCTYPE/ENTITY or any other '<!' markup, ('more', i) when the
    text ends inside the prolog, ('junk', i) at text that is not allowed before the root.
    Entity declarations can stand only here, before the root element: checking the prolog
    is checking the whole part."""
    is_bytes = isinstance(text, (bytes, bytearray))
    ws = _WS_BYTES if is_bytes else _WS
    lt, q, bang, comment, pi_end, comment_end = (
        (b"<", b"?", b"!", b"<!--", b"?>", b"-->") if is_bytes else ("<", "?", "!", "<!--", "?>", "-->"))
    i, n = start, len(text)
    while True:
        while i < n and text[i] in ws:
            i += 1
        if i >= n:
            return "more", i
        if text[i:i + 1] != lt:
            return "junk", i
        if i + 1 >= n:
            return "more", i
        marker = text[i + 1:i + 2]
        if marker == q:
            end = text.find(pi_end, i + 2)
            if end < 0:
                return "more", i
            i = end + 2
        elif marker == bang:
            if n - i < 4:
                return "more", i
            if text[i:i + 4] == comment:
                end = text.find(comment_end, i + 4)
                if end < 0:
                    return "more", i
                i = end + 3
            else:
                return "dtd", i
        else:
            return "root", i


class _PartReader:
    """Inflates one part (a small one in one call, a larger one in chunks), counting what it really
    inflates to against the budget (a size header may lie), and checks its XML prolog on the way."""

    def __init__(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, parts: _Parts, budget: list[int]):
        self.zf, self.info, self.name, self.budget, self.parts = zf, info, name, budget, parts

    @property
    def what(self) -> str:  # how a refusal names the part (worded only when one is made)
        return self.parts.describe(self.info.filename)

    @property
    def sheet(self) -> str:
        return self.parts.sheet(self.info.filename)

    def count(self, chunk: bytes) -> None:
        self.budget[0] -= len(chunk)
        if self.budget[0] < 0:
            raise HostileFile(f"“{self.name}”解压后超过 {_size_text(MAX_UNCOMPRESSED_BYTES)}，疑似压缩炸弹，已拒绝打开",
                              self.sheet)

    def read(self, *, keep: bool) -> bytes | None:
        """Inflate the part (returned when ``keep``); None for a part that is not XML, which
        no XML parser reads: only its directory entry is checked."""
        info = self.info
        # a part kept is held whole anyway: one call, when the size its header states fits the budget
        # left (never inflated past that size), instead of chunks joined afterwards (a long ledger's sheet)
        if 0 < info.file_size and info.compress_type in _ONE_CALL and not info.flag_bits & _ZIP_UNUSUAL_FLAGS \
                and ((info.file_size <= ONE_CALL_BYTES and info.compress_size <= ONE_CALL_BYTES)
                     or (keep and ONE_CALL_KEPT and info.file_size <= self.budget[0])):
            return self._read_small(keep)
        kept: list[bytes] = []
        with self.zf.open(self.info) as handle:
            chunk = handle.read(CHUNK)
            self.count(chunk)
            if chunk and not _is_xml_start(chunk[:64]):
                return None
            codec = _utf16_codec(chunk[:4])
            decoder = codecs.getincrementaldecoder(codec)(errors="replace") if codec else None
            prolog: Any = "" if decoder else b""  # text when a UTF-16 decoder is at work, else bytes
            state, scan_all, tail = "more", False, prolog
            while chunk:
                if keep:
                    kept.append(chunk)
                piece = decoder.decode(chunk) if decoder else chunk
                if state == "more":
                    prolog += piece
                    state, _ = _prolog_state(prolog.lstrip("\ufeff") if decoder else prolog.removeprefix(b"\xef\xbb\xbf"))
                    if state == "dtd":
                        _refuse_dtd(self.name, self.what, self.sheet)
                    if state == "junk":  # not XML before the root: whatever a lenient parser does, no DTD anywhere
                        scan_all, piece = True, prolog
                if scan_all:
                    data = tail + piece
                    if (_DANGER_TEXT if decoder else _DANGER).search(data):
                        _refuse_dtd(self.name, self.what, self.sheet)
                    tail = data[-16:]
                chunk = handle.read(CHUNK)
                self.count(chunk)
        return b"".join(kept) if keep else b""


    def _read_small(self, keep: bool) -> bytes | None:
        """:meth:`read` for a part that inflates to at most one chunk (most parts of a workbook):
        its compressed bytes read through the zip directory, inflated in one bounded call (never
        past the size its header states: a header that lies smaller gives the bytes zipfile would,
        which then fail its CRC check), with the same checks zipfile makes on the way (local header,
        name, overlapping entries, CRC) and the prolog checked on the whole text at once."""
        info = self.info
        fp = self.zf.fp
        if fp is None:
            raise ValueError("Attempt to use ZIP archive that was already closed")
        fp.seek(info.header_offset)
        header = fp.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size:
            raise zipfile.BadZipFile("Truncated file header")
        signature, flags, name_length, extra_length = _LOCAL_HEADER.unpack(header)
        if signature != b"PK\x03\x04":
            raise zipfile.BadZipFile("Bad magic number for file header")
        raw_name = fp.read(name_length)
        encoding = "utf-8" if flags & 0x800 else (getattr(self.zf, "metadata_encoding", None) or "cp437")
        if raw_name.decode(encoding) != info.orig_filename:
            raise zipfile.BadZipFile(f"File name in directory {info.orig_filename!r} and header {raw_name!r} differ.")
        start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
        end_offset = getattr(info, "_end_offset", None)  # Python ≥ 3.12 (3.11.8): overlapping entries (zip bombs)
        if end_offset is not None and start + info.compress_size > end_offset:
            raise zipfile.BadZipFile(f"Overlapped entries: {info.orig_filename!r} (possible zip bomb)")
        fp.seek(start)
        raw = fp.read(info.compress_size)
        if len(raw) < info.compress_size:
            raise EOFError
        first = min(64, info.file_size)
        whole = None  # a part larger than a chunk (kept): inflated at once, not its head and then the rest
        whole_crc = 0  # (its CRC-32, taken as it is inflated)
        if info.compress_type == zipfile.ZIP_STORED:
            head = raw[:first]
        elif info.file_size > ONE_CALL_BYTES:
            whole, whole_crc = _inflate_whole(raw, info.file_size)
            head = whole[:first]
        else:
            inflater = zlib.decompressobj(-15)
            head = inflater.decompress(raw, first)
        if not _is_xml_start(head):
            self.count(head)
            return None
        if info.compress_type == zipfile.ZIP_STORED:
            data = raw[:info.file_size]
        elif whole is not None:
            data = whole
        else:
            rest = info.file_size - len(head)
            data = head + inflater.decompress(inflater.unconsumed_tail, rest) if rest > 0 else head
        self.count(data)
        if (whole_crc if data is whole else zlib.crc32(data)) != info.CRC:
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
        codec = _utf16_codec(data[:4])
        text: Any = data.decode(codec, errors="replace").lstrip("\ufeff") if codec else data.removeprefix(b"\xef\xbb\xbf")
        state, _ = _prolog_state(text)
        if state == "dtd" or (state == "junk" and (_DANGER_TEXT if codec else _DANGER).search(text)):
            _refuse_dtd(self.name, self.what, self.sheet)
        return data if keep else b""


#: compressed bytes handed to the inflater at a time by :func:`_inflate_whole`
_INFLATE_INPUT = 1 << 14


def _inflate_whole(raw: bytes, size: int) -> tuple[bytes, int]:
    """``zlib.decompressobj(-15).decompress(raw, size)`` (a raw deflate stream inflated, never past ``size``
    bytes) into one buffer of ``size`` bytes: zlib's own growing output blocks and their final join would
    touch twice the memory of a long ledger's sheet (tens of MB of fresh pages, the system's time).  The
    input is fed a slice at a time, each inflated at most to the size still missing, so the stream is read
    as far as that one call would read it (an error past ``size`` is never reached, as it is not there).
    With the bytes, their CRC-32, taken a piece at a time as each is inflated (while the piece is still in
    the processor's cache: cheaper than a pass over the whole part afterwards)."""
    out = io.BytesIO(bytes(size))  # zero pages until written; the buffer getvalue() hands back (no copy)
    inflater = zlib.decompressobj(-15)
    view = memoryview(raw)
    done = crc = 0
    for start in range(0, len(raw), _INFLATE_INPUT):
        piece = inflater.decompress(view[start:start + _INFLATE_INPUT], size - done)
        crc = zlib.crc32(piece, crc)
        out.write(piece)
        done += len(piece)
        if done >= size:
            break
    if done < size:  # the stream ended short of the size its header states (its CRC check then fails)
        out.truncate(done)
    return out.getvalue(), crc


def _check_directory(zf: zipfile.ZipFile, name: str, parts: _Parts) -> list[zipfile.ZipInfo]:
    """Counts, duplicates, encryption and sizes, from the zip directory alone."""
    infos = zf.infolist()
    if len(infos) > MAX_PARTS:
        raise HostileFile(f"“{name}”包含 {len(infos)} 个部件，超过上限 {MAX_PARTS}，不像正常的工作簿，已拒绝打开")
    seen: set[str] = set()
    declared = 0
    for info in infos:
        key = info.filename.lower().lstrip("/")
        if key in seen:
            raise HostileFile(f"“{name}”中的{parts.describe(info.filename)}出现了两次（文件被篡改或已损坏），已拒绝打开",
                              parts.sheet(info.filename))
        seen.add(key)
        if info.flag_bits & 0x1:
            raise HostileFile(f"“{name}”中的{parts.describe(info.filename)}已加密，无法读取；请在 Excel 中取消加密后另存",
                              parts.sheet(info.filename))
        declared += info.file_size
        if info.file_size > RATIO_GRACE_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise HostileFile(
                f"“{name}”的{parts.describe(info.filename)}压缩比超过 {MAX_RATIO} 倍（{_size_text(info.compress_size)} 解压为 "
                f"{_size_text(info.file_size)}），疑似压缩炸弹，已拒绝打开", parts.sheet(info.filename))
        if info.compress_type == zipfile.ZIP_DEFLATED and info.compress_size > info.file_size + info.file_size // 1000 + 64:
            # deflate never grows data by more than a few bytes per 16 KB block: the size header lies
            raise HostileFile(f"“{name}”的{parts.describe(info.filename)}的大小记录与内容不符（文件被篡改或已损坏），已拒绝打开",
                              parts.sheet(info.filename))
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise HostileFile(f"“{name}”解压后共 {_size_text(declared)}，超过上限 {_size_text(MAX_UNCOMPRESSED_BYTES)}，"
                          "疑似压缩炸弹，已拒绝打开")
    return infos


def _structure_parts(zf: zipfile.ZipFile, name: str) -> tuple[_Parts, Package]:
    """The sheet map, for naming sheets in refusals; read only when the parts it comes from
    are sane (else parts are named by their part names, and refused by the checks that follow).
    The package is returned for every step after: its structure parts, inflated and checked
    here (sizes, DTD), stay in :attr:`Package.inflated`, so they are read once."""
    package = Package(zf)
    counts: dict[str, int] = {}
    for info in package.infos:
        counts[info.filename] = counts.get(info.filename, 0) + 1
    budget = [16 * 1024 * 1024]
    for step in range(3):
        # the package's relationships first: they name the workbook part (read from the checked bytes)
        part = ROOT_RELS if step == 0 else package.workbook_part if step == 1 else WORKBOOK_RELS
        if part not in package.names:
            continue
        info = zf.getinfo(part)
        if counts[part] > 1 or info.flag_bits & 0x1 or info.file_size > budget[0] \
                or info.compress_size > info.file_size + 64 + info.file_size // 1000:
            return _Parts(), package
        try:
            data = _PartReader(zf, info, name, _Parts(), budget).read(keep=True)
        except HostileFile as exc:
            if "DOCTYPE" in exc.message:
                raise
            return _Parts(), package
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
            return _Parts(), package
        if data is not None:
            package.inflated[part] = data
    try:
        return _Parts(package.sheet_parts()), package
    except (SpliceError, UnicodeDecodeError, KeyError, ValueError, zipfile.BadZipFile, zlib.error, OSError):
        return _Parts(), package


# --- workbook structure -------------------------------------------------------------

def _sheet_parts(zf: zipfile.ZipFile, names: set[str], file_name: str = "工作簿",
                 package: Package | None = None) -> dict[str, str]:
    """Worksheet name → part name (e.g. '资金情况' → 'xl/worksheets/sheet3.xml')."""
    package = package or Package(zf)
    if package.workbook_part not in package.names:
        raise HostileFile(f"“{file_name}”缺少 workbook.xml 部件（文件已损坏或不是 Excel 工作簿）；"
                          "请在 Excel 或 WPS 中打开并另存后再试")
    try:
        return package.sheet_parts()
    except UnicodeDecodeError as exc:
        raise HostileFile(f"“{file_name}”中的 XML 无法解析（文件已损坏：文字不是 UTF-8 编码）；"
                          "请在 Excel 或 WPS 中打开并另存后再试") from exc


# --- parts a writer would carry into its output (issue 20 item 12) ---------------------------
#
# The writers copy every input part they do not own byte for byte, so a part no program opens
# would make an output no program opens.  Such packages are refused here, naming the part.

_NUMERIC_NOT_FINITE = re.compile(rb"<v>\s*[+-]?(?:nan|inf(?:inity)?)\s*</v>", re.IGNORECASE)
_TEXT_TYPES = (b't="s"', b't="str"', b't="inlineStr"', b't="e"', b't="b"')
_S_IFLNK = 0o120000
#: attachments no program parses as a package part: tolerated without a content type (Excel does)
_MEDIA = frozenset({"png", "jpg", "jpeg", "gif", "bmp", "emf", "wmf", "tif", "tiff", "svg", "bin"})


_CONTROL = re.compile("[\x00-\x1f]")


def _bad_entry_name(info: zipfile.ZipInfo) -> str | None:
    """Why a zip entry's name cannot be a part name of a package (None when it can)."""
    raw = getattr(info, "orig_filename", info.filename)
    if "\x00" in raw:
        return "含有空字符"
    if _CONTROL.search(raw):
        return "含有控制字符"
    if not info.flag_bits & 0x800 and not raw.isascii():
        return "含有无法识别的字节（不是 UTF-8 编码的名称）"
    if raw.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", raw) or "\\" in raw:
        return "是绝对路径"
    if ".." in raw.split("/"):
        return "指向包外（含有“..”）"
    if info.create_system == 3 and (info.external_attr >> 16) & 0o170000 == _S_IFLNK:
        return "是符号链接"
    return None


def _content_types(zf: zipfile.ZipFile) -> tuple[set[str], set[str]]:
    """The extensions (lower case) with a Default content type, and the part names with an Override."""
    text = zf.read("[Content_Types].xml").decode("utf-8", "replace")
    defaults = {m.lower() for m in re.findall(r"""<(?:\w+:)?Default\s[^>]*Extension\s*=\s*["']([^"']*)["']""", text)}
    overrides = {unescape(m).lstrip("/").lower()
                 for m in re.findall(r"""<(?:\w+:)?Override\s[^>]*PartName\s*=\s*["']([^"']*)["']""", text)}
    return defaults, overrides


def check_carried_parts(zf: zipfile.ZipFile, name: str, infos: list[zipfile.ZipInfo], parts: _Parts,
                        package: Package) -> None:
    """Refuse a package whose parts a writer cannot carry into an output that opens: entry names
    that are not part names (``../x``, ``/etc/x``, NUL, undecodable bytes), symbolic links, parts
    without a content type, worksheet relationships leaving the package.  (Numbers that are not
    finite, ``<v>NaN</v>``, are refused by :func:`refuse_nonfinite` as each worksheet is inflated.)"""
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise HostileFile(f"“{name}”中的{parts.describe(info.filename)}使用了 Excel 不用的压缩方式"
                              f"（第 {info.compress_type} 种），本工具和其他表格软件都无法可靠读取；"
                              "请在 Excel 或 WPS 中打开并另存后再试", parts.sheet(info.filename))
        reason = _bad_entry_name(info)
        if reason:
            shown = info.filename.encode("ascii", "backslashreplace").decode()[:80]
            raise HostileFile(f"“{name}”中的部件“{shown}”的名称{reason}（文件被篡改或已损坏），已拒绝打开；"
                              "请在 Excel 或 WPS 中打开并另存后再试")
    defaults, overrides = _content_types(zf)
    for info in infos:
        part = info.filename
        if info.is_dir() or part == "[Content_Types].xml":
            continue
        extension = posixpath_ext(part)
        if part.lower() not in overrides and extension not in defaults and extension not in _MEDIA:
            raise HostileFile(f"“{name}”中的{parts.describe(part)}没有登记在部件类型表中（文件已损坏），已拒绝打开；"
                              "请在 Excel 或 WPS 中打开并另存后再试", parts.sheet(part))
    rels = rels_part(package.workbook_part)
    if rels in {i.filename for i in infos}:
        text = package.read(rels).decode("utf-8", "replace")
        for tag in re.findall(r"<(?:\w+:)?Relationship\s[^>]*>", text):
            kind = attr(tag, "Type") or ""
            if not kind.endswith(("/worksheet", "/chartsheet", "/dialogsheet", "/macrosheet")):
                continue
            target = attr(tag, "Target") or ""
            external = (attr(tag, "TargetMode") or "").lower() == "external"
            if external or _leaves_package(package.workbook_part, target):
                shown = target.encode("ascii", "backslashreplace").decode()[:80]
                raise HostileFile(f"“{name}”的部件关系表（部件 {rels}）让一张工作表指向包外的“{shown}”"
                                  "（外部文件或“..”路径），已拒绝打开；请在 Excel 或 WPS 中打开并另存后再试")


#: what :data:`_NUMERIC_NOT_FINITE` starts with, spelt without IGNORECASE (a search that skips to each
#: ``<v>``, one pass): only a part holding it is searched for NaN/INF
#: (the look-ahead turns a ``<v>`` followed by a digit, nearly every one, away at one character)
_NONFINITE_HINT = re.compile(b"<" + NONFINITE_HINT_TAIL)


def refuse_nonfinite(data: bytes, name: str, part: str, parts: _Parts) -> None:
    """Refuse a worksheet whose number cell holds NaN or INF (Excel never saves one; openpyxl cannot
    load a copy of it).  Cheap for a sound sheet: one search, the pattern only on a hit."""
    if not _NONFINITE_HINT.search(data):
        return
    for match in _NUMERIC_NOT_FINITE.finditer(data):
        cell = cell_at(data, match.start())
        if cell is not None and not any(t in cell[2] for t in _TEXT_TYPES):
            sheet = parts.sheet(part)
            raise HostileFile(f"“{name}”的{parts.describe(part)}中，单元格 {ref_name(cell[0], cell[1])} 的数值是"
                              f"“{match.group(0)[3:-4].decode('ascii', 'replace').strip()}”（不是数字，文件已损坏），"
                              "Excel 不会保存这样的值；请在 Excel 或 WPS 中改正该单元格并另存后再试",
                              sheet, ref_name(cell[0], cell[1]) if sheet else "")


def posixpath_ext(part: str) -> str:
    base = part.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _leaves_package(base: str, target: str) -> bool:
    if "\\" in target:
        return True
    depth = base.count("/")  # folders of the part that holds the relationship
    if target.startswith("/"):
        depth, target = 0, target[1:]
    for segment in target.split("/"):
        if segment == "..":
            depth -= 1
            if depth < 0:
                return True
        elif segment not in ("", "."):
            depth += 1
    return ":" in target.split("/", 1)[0]  # a URL scheme or a drive


# --- entry point -------------------------------------------------------------------

#: chooses the sheets to scan from the open package (see :func:`inspect_workbook`)
Selector = Callable[[Package], Iterable[str]]


def _inspect_package(zf: zipfile.ZipFile, path: Path, sheets: Iterable[str] | Selector | None,
                     keep_parts: bool = False, parser_copy: bool = False) -> Inspection:
    name = path.name
    workbook_file = path.suffix.lower() in ZIP_SUFFIXES
    parts, package = _structure_parts(zf, name) if workbook_file else (_Parts(), None)
    infos = _check_directory(zf, name, parts)
    names = {info.filename for info in infos}
    inspection = Inspection(path, True)
    budget = [MAX_UNCOMPRESSED_BYTES]
    to_scan: dict[str, str] = {}
    if workbook_file:  # .ods / .xlsb: package checks only
        for required in ("[Content_Types].xml", "_rels/.rels"):
            if required not in names:
                raise HostileFile(f"“{name}”缺少部件 {required}（文件已损坏，或不是 Excel 保存的工作簿）；"
                                  "请在 Excel 或 WPS 中打开并另存后再试")
        assert package is not None  # one reading of the structure for every step (its parts read once)
        for part in (ROOT_RELS, package.workbook_part):
            if part in names and part not in package.inflated:  # not read (or refused) by the structure's read
                _PartReader(zf, zf.getinfo(part), name, parts, [16 * 1024 * 1024]).read(keep=False)
        inspection.parts = _sheet_parts(zf, names, name, package)
        check_carried_parts(zf, name, infos, _Parts(inspection.parts), package)
        if package.strict:
            raise HostileFile(f"“{name}”是以“Strict Open XML 电子表格”格式保存的，perfeval 不能读写这种格式；"
                              "请在 Excel 中打开，选择“文件 → 另存为”，保存类型选“Excel 工作簿(*.xlsx)”后再试"
                              "（WPS：另存为“Microsoft Excel 文件(*.xlsx)”）")
        if callable(sheets):  # chosen from the package, now that its structure parts passed
            sheets = sheets(package)
        wanted = None if sheets is None else frozenset(s.strip() for s in sheets)
        inspection.selected = wanted
        to_scan = {part: sheet for sheet, part in inspection.parts.items() if wanted is None or sheet.strip() in wanted}
    # the parts a parser reads, kept as inflated for its copy of a small package (see io/parser_copy.py)
    for_parser = _parser_parts(zf, package, to_scan) if parser_copy and package is not None else frozenset()
    parser_parts: dict[str, bytes] = {}
    scans: dict[str, SheetScan] = {}
    worksheets = _Parts(inspection.parts)
    for info in infos:
        if info.is_dir():
            continue
        sheet_name = to_scan.get(info.filename)
        worksheet = info.filename in worksheets.by_part
        shared = keep_parts and (sheet_name is not None or info.filename == STYLES_PART)
        reader = _PartReader(zf, info, name, parts, budget)
        data = package.inflated.get(info.filename) if package is not None else None
        if data is not None:  # a structure part, inflated and checked once: counted here
            reader.count(data)
        else:
            data = reader.read(keep=sheet_name is not None or worksheet or shared or info.filename in for_parser)
        if shared and data:
            inspection.data[info.filename] = data
        if data and info.filename in for_parser:
            parser_parts[info.filename] = data
        # a long sheet scanned: its cells, rows and NaN/INF looked for in one pass (None: each on its own)
        proven = prove_long(data) if sheet_name is not None and worksheet and data else None
        if worksheet and data and proven is None:  # every worksheet is copied into an output: no NaN/INF in any
            refuse_nonfinite(data, name, info.filename, worksheets)
        if sheet_name is None:
            continue
        scan = scan_quick(data, sheet_name, info.filename, proven) if data else None
        if scan is None:
            try:
                scan = scan_exact(zf, sheet_name, info.filename, names)
            except SyntaxError as exc:
                if not _is_parse_error(exc):
                    raise
                raise HostileFile(f"工作表“{sheet_name}”的 XML 无法解析（文件已损坏，第 {exc.position[0]} 行第 "
                                  f"{exc.position[1]} 列不是正确的 XML）；"
                                  "请在 Excel 或 WPS 中打开并另存后再试", sheet_name, "A1") from exc
        scans[sheet_name] = scan
    inspection.sheets = {sheet: scans[sheet] for sheet in inspection.parts if sheet in scans}
    if parser_parts and zf.fp is not None:
        zf.fp.seek(0)
        inspection.parser_copy = stored_copy(zf.fp.read(), parser_parts)
    return inspection


def _parser_parts(zf: zipfile.ZipFile, package: Package, to_scan: dict[str, str]) -> frozenset[str]:
    """The deflated parts a parser reads for the scanned sheets (the sheets, the workbook part and its
    relationships, styles, shared strings) that inflate to at most
    :data:`~perfeval_xl.io.parser_copy.STORED_PART_LIMIT` each, when the package with them stored stays
    within :data:`~perfeval_xl.io.parser_copy.PARSER_COPY_LIMIT` (sizes from the zip directory); else none."""
    try:
        related = {rel.target for rel in package.relationships(package.workbook_part).values()
                   if rel.kind in ("styles", "sharedStrings") and not rel.external}
    except (SpliceError, UnicodeDecodeError, KeyError, ValueError):
        return frozenset()
    if not to_scan:
        return frozenset()
    wanted = {*to_scan, *related, package.workbook_part, rels_part(package.workbook_part), ROOT_RELS}
    infos = [zf.NameToInfo[part] for part in wanted if part in zf.NameToInfo]
    deflated = [info for info in infos
                if info.compress_type == zipfile.ZIP_DEFLATED and info.file_size <= STORED_PART_LIMIT]
    if zf.fp is None or zf.fp.seek(0, io.SEEK_END) + sum(info.file_size for info in deflated) > PARSER_COPY_LIMIT:
        return frozenset()
    return frozenset(info.filename for info in deflated)


def inspect_workbook(path: str | Path, sheets: Iterable[str] | Selector | None = None, *,
                     keep_parts: bool = False, parser_copy: bool = False) -> Inspection:
    """Check a workbook file before parsing; scan the named sheets (all when None).  ``sheets``
    may be a function choosing them from the open package (called once its workbook part and
    relationships passed the checks), so one pass serves a reader that chooses by content.

    With ``keep_parts`` the inflated scanned sheets and styles part stay in :attr:`Inspection.data`.
    With ``parser_copy`` a small workbook's package, its parts a parser reads stored as inflated here,
    is in :attr:`Inspection.parser_copy` (for the parser to read instead of the file).

    Raises :class:`HostileFile` with a Chinese message when the file must not be
    parsed.  Files that are not zip packages (.xls) are only size-checked.
    """
    path = Path(path)
    name = display_name(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise HostileFile(f"无法读取“{name}”：{describe_os_error(exc)}") from exc
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
            _refuse_binary_workbook(zf, name, path)
            return _inspect_package(zf, path, sheets, keep_parts, parser_copy)
    except HostileFile:
        raise
    except SyntaxError as exc:
        if not _is_parse_error(exc):
            raise
        raise HostileFile(f"“{name}”中的 XML 无法解析（文件已损坏）；请在 Excel 或 WPS 中打开并另存后再试") from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, KeyError,
            NotImplementedError, RuntimeError) as exc:
        # defusedxml's DTDForbidden / EntitiesForbidden are ValueErrors too
        if type(exc).__name__ in ("DTDForbidden", "EntitiesForbidden", "ExternalReferenceForbidden"):
            _refuse_dtd(name, "XML")
        raise HostileFile(f"“{name}”已损坏，无法读取（{_damage(exc)}）；请在 Excel 或 WPS 中打开并另存后再试") from exc


def _is_parse_error(exc: BaseException) -> TypeGuard[ParseError]:
    """Is ``exc`` the XML parser's ParseError (xml.etree's, a SyntaxError, which defusedxml raises)?  Its
    module is imported here, only once a SyntaxError is seen: reading a sound workbook never loads the XML
    parser (:func:`~perfeval_xl.io.sheet_scan.scan_exact` imports it for a sheet the quick scan leaves)."""
    from xml.etree.ElementTree import ParseError

    return isinstance(exc, ParseError)


def _damage(exc: BaseException) -> str:
    """What is wrong with a damaged package, in Chinese (never the library's English)."""
    if isinstance(exc, NotImplementedError):
        return "其中的部件使用了 Excel 不用的压缩方式"
    if isinstance(exc, UnicodeDecodeError):
        return "其中的文字不是 UTF-8 编码"
    if isinstance(exc, (zlib.error, EOFError)):
        return "压缩数据不完整或已损坏"
    if isinstance(exc, (zipfile.BadZipFile, zipfile.LargeZipFile)):
        return "压缩包结构已损坏"
    if isinstance(exc, RuntimeError):
        return "部件已加密或无法解压"
    if isinstance(exc, KeyError):
        return "缺少应有的部件"
    if isinstance(exc, OSError):
        return "读取文件时出错"
    return "内容不符合工作簿格式"


def _refuse_binary_workbook(zf: zipfile.ZipFile, name: str, path: Path) -> None:
    """An .xlsb (Excel binary workbook) renamed .xlsx: recognised, and told how to convert."""
    if path.suffix.lower() in ZIP_SUFFIXES and "xl/workbook.bin" in zf.NameToInfo:
        raise HostileFile(f"“{name}”其实是 .xlsb 格式（Excel 二进制工作簿）改了扩展名，perfeval 只能读写 .xlsx 和 .xlsm；"
                          "请在 Excel 中打开，“另存为” Excel 工作簿(*.xlsx) 后再试")


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
            scan = scan_quick(zf.read(part), sheet_name, part) or scan_exact(zf, sheet_name, part, names, limits=False)
            if scan.cached:
                result[sheet_name] = scan.cached
    return result


def sheet_parts(path_or_zip) -> dict[str, str]:
    """Worksheet name → part name of a workbook file (or an open ZipFile)."""
    if isinstance(path_or_zip, zipfile.ZipFile):
        return _sheet_parts(path_or_zip, {i.filename for i in path_or_zip.infolist()})
    with zipfile.ZipFile(path_or_zip) as zf:
        return _sheet_parts(zf, {i.filename for i in zf.infolist()})
