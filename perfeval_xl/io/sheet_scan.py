"""What a worksheet part holds beyond its values, read from its bytes: how far its data really
extend (so an absurdly large sheet is refused before a parser builds it in memory), formula cells
saved without a calculated value (python-calamine reads them as empty), cells holding an Excel
error value (``#DIV/0!``), hidden rows with data, and merged ranges.

:func:`scan_quick` reads a sheet written the usual way (every cell ``<c r="B3" …>``, as Excel, WPS,
LibreOffice and openpyxl write it) by a few compiled patterns over its bytes; any other spelling
goes to :func:`scan_exact`, a streaming parse that also words the refusals.  The package checks
before and around the scan (zip bombs, DTDs, parts a writer would carry) are
:mod:`perfeval_xl.io.guard`'s, which calls this module for each sheet it is asked to scan.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from operator import itemgetter

from perfeval_xl.core.findings import cell_name, column_index, parse_cell_name
from perfeval_xl.io.files import HostileFile
from perfeval_xl.io.xlsx_package import unescape

#: the template's limits on a sheet's data (Excel's own row limit: a 100,000-row ledger must pass)
MAX_ROWS = 1_048_576
MAX_COLS = 1_000
MAX_AREA = 10_000_000
#: Excel's grid: a reference beyond it is damage
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLS = 16_384


# --- cell references -------------------------------------------------------------

def parse_ref(ref: str) -> tuple[int, int] | None:
    """'B3' → (3, 2), 1-based; None when it is not a cell reference."""
    position = parse_cell_name(ref)
    return None if position is None else (position[0] + 1, position[1] + 1)


def ref_name(row: int, col: int) -> str:
    """1-based (row, col) → 'B3'."""
    return cell_name(row - 1, col - 1)


@dataclass
class SheetScan:
    """What the scan learnt about one worksheet part."""

    name: str
    part: str
    #: 1-based extent; 0 for an empty sheet.  The exact scan counts cells with data; the quick
    #: scan counts every cell element (styled empty ones too), an upper bound
    max_row: int = 0
    max_col: int = 0
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


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# --- worksheet scan --------------------------------------------------------------------

def _too_large(sheet: str, row: int, col: int) -> HostileFile:
    where = ref_name(min(row, EXCEL_MAX_ROWS), min(col, EXCEL_MAX_COLS))
    return HostileFile(
        f"工作表“{sheet}”过大：数据一直延伸到 {where}（第 {row} 行、第 {col} 列），超出评价模板的上限"
        f"（{MAX_ROWS:,} 行、{MAX_COLS:,} 列、共 {MAX_AREA:,} 个单元格）；请删除多余的空行空列"
        "（选中后“删除”，而不是“清除内容”）后保存再试", sheet, where)


def scan_exact(zf: zipfile.ZipFile, name: str, part: str, names: set[str], *, limits: bool = True) -> SheetScan:
    # the XML parser is imported here, for the few sheets the quick scan leaves (a sound workbook's never)
    from defusedxml import ElementTree as SafeET

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


# --- the quick worksheet scan -------------------------------------------------------------
#
# Excel, WPS, LibreOffice and openpyxl write every cell as <c r="B3" …>, double-quoted, the
# reference first.  For such a sheet the facts the guard needs come from a few passes of
# compiled patterns over the part's bytes, without a Python parser: the extent from the
# references (over all cells, styled empty ones too: an upper bound), and the formula, error
# and hidden-row cells found by their markers and read one by one.  Anything else — another
# spelling of a cell, a prefix, single quotes, an extent the bound cannot clear — goes to the
# exact streaming scan above, which also words the refusals.

#: a cell or row not written the usual way (its reference first, double-quoted); shared with the
#: number-format reader of perfeval_xl.io.displayed, which leaves such a sheet to openpyxl
#: (the reference is looked at first: a usual cell is turned away by that one look-ahead)
CELL_OTHERWISE = re.compile(rb'<c(?! r="[A-Z]{1,3}[1-9][0-9]{0,6}")(?=[\s>/])')
_PREFIXED = re.compile(rb"<\w+:(?:c|row|f|v|is|mergeCell)(?=[\s>/])")
_ROW_OTHERWISE_TAIL = rb'row(?! r="[1-9][0-9]{0,6}")(?=[\s>/])'  # after its '<'
ROW_OTHERWISE = re.compile(b"<" + _ROW_OTHERWISE_TAIL)
#: a ``<v>`` that may hold NaN or INF, after its '<' (:func:`perfeval_xl.io.guard.refuse_nonfinite`'s first
#: search; the look-ahead turns a ``<v>`` followed by a digit, nearly every one, away at one character)
NONFINITE_HINT_TAIL = rb"v>(?=[\s+\-nNiI])\s*[+-]?(?:[nN][aA][nN]|[iI][nN][fF])"
_FORMULA = re.compile(rb"<f(?=[\s>/])")
_HIDDEN_ROW = re.compile(rb'<row r="([0-9]+)"[^>]*\shidden="(?:1|true)"[^>]*>')
_HAS_DATA = re.compile(rb"<v>[^<]|<is[\s>]|<f[\s>/]")
_MERGE = re.compile(rb'<mergeCell ref="([^"]*)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_FORMULA_TEXT = re.compile(rb"<f(?:\s[^>]*)?(?:/>|>([^<]*)</f>)")
_TYPE = re.compile(rb'\st="([a-zA-Z]+)"')
_ERROR_TYPE = re.compile(rb't="e"')
_HIDDEN = re.compile(rb"hidden=")
_COL_REF = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_GUESS_BYTES = 1 << 16
#: a sheet this small has its row references read in one pass (a long one: only the longest)
_SMALL_SHEET_BYTES = 1 << 20
_ROW_REF = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')


def _cols_bound(data: bytes) -> int:
    """The widest column any cell reference names.  Cells are written row by row, so the widest
    is guessed from the first and last rows and proved by one search for a wider one; only
    when there is one is every reference read."""
    if len(data) <= 2 * _GUESS_BYTES:  # a small sheet: every reference read once, no guess to prove
        return max((column_index(c.decode()) + 1 for c in set(_COL_REF.findall(data))), default=0)
    guess = max(set(_COL_REF.findall(data, 0, _GUESS_BYTES) + _COL_REF.findall(data, len(data) - _GUESS_BYTES)),
                key=lambda letters: (len(letters), letters), default=b"")
    if guess and re.search(rb'<c r="' + _letters_above(guess.decode()), data) is None:
        return column_index(guess.decode()) + 1
    cols = set(_COL_REF.findall(data))
    return max((column_index(c.decode()) + 1 for c in cols), default=0)


def _letters_above(letters: str) -> bytes:
    """A pattern for column letters (then a digit) naming a column right of ``letters``
    (more letters, or as many and later in the alphabet)."""
    k = len(letters)
    alternatives = [rb"[A-Z]{%d,3}" % (k + 1)] if k < 3 else []
    for i, ch in enumerate(letters):
        if ch != "Z":
            rest = k - i - 1
            alternatives.append(letters[:i].encode() + b"[" + bytes([ord(ch) + 1]) + b"-Z]"
                                + (b"[A-Z]{%d}" % rest if rest else b""))
    return b"(?:" + b"|".join(alternatives) + b")[0-9]" if alternatives else b"(?!)"


#: the ends :func:`_extent_from_ends` guesses from: the header and first rows, the last rows (a guess that
#: falls short costs the passes over every cell, never a wrong extent)
_ENDS_BYTES = 1 << 13
_CELL_REF_AT_ENDS = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"')


def _ends(data: bytes) -> tuple[str, int] | None:
    """The widest column letters and the last row named in a long sheet's first and last 8 KB;
    None for a sheet whose ends are the whole of it (the searches over every cell cost less than
    compiling a pattern) or that names no cell there."""
    if len(data) <= 2 * _GUESS_BYTES:
        return None
    refs = _CELL_REF_AT_ENDS.findall(data, 0, _ENDS_BYTES) + _CELL_REF_AT_ENDS.findall(
        data, len(data) - _ENDS_BYTES)
    if not refs:
        return None
    letters = max({letters for letters, _ in refs}, key=lambda text: (len(text), text)).decode()
    return letters, max(map(int, {digits for _, digits in refs}))


def _other_cell(letters: str, row: int) -> bytes:
    """A pattern, after its '<', for a cell start tag not spelt ``<c r="B3"`` within ``letters`` and ``row``."""
    return (rb'c(?! r="' + _at_most(letters, "A", "Z", "A").encode()
            + _at_most(str(row), "0", "9", "1").encode() + rb'")(?=[\s>/])')


def _extent_from_ends(data: bytes) -> tuple[int, int] | None:
    """(rows, columns) of a sheet whose every cell is spelt ``<c r="B3"`` within the widest column
    and the last row named in its first and last 8 KB, proved by one search for any other cell;
    None when there is one (then :data:`CELL_OTHERWISE`, :func:`_rows_bound` and :func:`_cols_bound`
    decide, each over every cell)."""
    ends = _ends(data)
    if ends is None:
        return None
    letters, row = ends
    if re.compile(b"<" + _other_cell(letters, row)).search(data):
        return None
    return row, column_index(letters) + 1


def prove_long(data: bytes) -> tuple[int, int] | None:
    """For a long sheet, by one search: its (rows, columns) when every cell is spelt as
    :func:`_extent_from_ends` proves, no row as :data:`ROW_OTHERWISE` finds and no ``<v>`` as
    :data:`NONFINITE_HINT_TAIL` finds (three passes over every '<' in one); None when the search
    finds any of them (each is then looked for on its own) or the sheet is not long.  The guard
    hands the extent to :func:`scan_quick` and skips the sheet's NaN/INF search."""
    ends = _ends(data)
    if ends is None:
        return None
    letters, row = ends
    if re.compile(b"<(?:" + _other_cell(letters, row) + b"|" + _ROW_OTHERWISE_TAIL + b"|"
                  + NONFINITE_HINT_TAIL + b")").search(data):
        return None
    return row, column_index(letters) + 1


def _at_most(text: str, low: str, high: str, first: str) -> str:
    """A pattern for the strings over ``low``–``high`` (not starting below ``first``) that sort at or
    before ``text`` as column letters or row numbers do: fewer characters, or as many and not later."""
    k = len(text)
    shorter = f"[{first}-{high}][{low}-{high}]{{0,{k - 2}}}" if k > 1 else ""
    alternatives = [shorter] if shorter else []
    for i, ch in enumerate(text):
        lowest = first if i == 0 else low
        if ch > lowest:
            rest = k - i - 1
            alternatives.append(re.escape(text[:i]) + f"[{lowest}-{chr(ord(ch) - 1)}]"
                                + (f"[{low}-{high}]{{{rest}}}" if rest else ""))
    alternatives.append(re.escape(text))
    return "(?:" + "|".join(alternatives) + ")"


def _rows_bound(data: bytes) -> int:
    """The highest row any cell reference names: only the references with the most digits are read
    (six or seven digits in one pass: a long sheet has no others to read); a small sheet's in one pass."""
    if len(data) <= _SMALL_SHEET_BYTES:
        return max(map(int, set(_ROW_REF.findall(data))), default=0)
    for digits in (b"6,7", b"5", b"4", b"3", b"2", b"1"):
        found = re.findall(rb'<c r="[A-Z]{1,3}([0-9]{%s})"' % digits, data)
        if found:
            return max(map(int, set(found)))
    return 0


def cell_at(data: bytes, pos: int) -> tuple[int, int, bytes, bytes] | None:
    """The cell whose start tag or content holds ``pos``: (row, col, start tag, content)."""
    start = data.rfind(b'<c r="', 0, pos + 1)
    if start < 0:
        return None
    tag_end = data.find(b">", start)
    ref_end = data.find(b'"', start + 6)
    pos_ref = parse_ref(data[start + 6:ref_end].decode("ascii", "replace"))
    if pos_ref is None or tag_end < 0:
        return None
    tag = data[start:tag_end + 1]
    if tag.endswith(b"/>"):
        return pos_ref[0], pos_ref[1], tag, b""
    end = data.find(b"</c>", tag_end)
    return pos_ref[0], pos_ref[1], tag, data[tag_end + 1:end if end >= 0 else len(data)]


# Patterns that must find nothing in a usual sheet are first looked for by something they
# cannot match without and that is rare: a prefixed element by its ':' and name ('<' is
# everywhere in a sheet, ':' seldom), a comment or CDATA section by '!', a single-quoted
# attribute by its quote.

_COLON_TAG = re.compile(rb":(?:c|row|f|v|is|mergeCell)(?=[\s>/])")


def search_by_byte(pattern: re.Pattern[bytes], data: bytes, byte: bytes, offset: int = 0,
                   few: int = 256) -> re.Match[bytes] | None:
    """``pattern.search(data)`` for a pattern each of whose matches holds ``byte`` ``offset`` bytes
    after its start, for a byte seldom in a sheet: the first ``few`` places holding it are found by
    ``bytes.find`` (a memchr, several times faster than the pattern's scan of every '<') and tried in
    place; a sheet with more (texts, times, URLs in it) is searched by the pattern from there."""
    at = data.find(byte, offset)
    for _ in range(few):
        if at < 0:
            return None
        match = pattern.match(data, at - offset)
        if match is not None:
            return match
        at = data.find(byte, at + 1)
    return pattern.search(data, at - offset) if at >= 0 else None


def _has_colon_tag(data: bytes) -> bool:
    """Does :data:`_COLON_TAG` match (its ':' found by :func:`search_by_byte`)?"""
    return search_by_byte(_COLON_TAG, data, b":") is not None


#: every cell start tag; the reference's letters and digits when it is spelt the usual way (else empty:
#: what :data:`CELL_OTHERWISE` finds; the usual reference tried first: the look-ahead only for the others)
_CELL_START = re.compile(rb'<c(?: r="([A-Z]{1,3})([1-9][0-9]{0,6})"|(?=[\s>/]))')
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _extent_of_small(data: bytes) -> tuple[int, int] | None:
    """(rows, columns) of a small sheet from one pass over its cells: what :data:`CELL_OTHERWISE`,
    :func:`_rows_bound` and :func:`_cols_bound` find in three; None when a cell is spelt otherwise."""
    cells = _CELL_START.findall(data)
    if not cells:
        return 0, 0
    letters = set(map(_FIRST, cells))
    if b"" in letters:
        return None
    return max(map(int, set(map(_SECOND, cells)))), max(column_index(c.decode()) + 1 for c in letters)


def scan_quick(data: bytes, name: str, part: str, proven: tuple[int, int] | None = None) -> SheetScan | None:
    """The scan of a worksheet written the usual way; None when the exact scan must decide.
    ``proven``: the extent :func:`prove_long` proved (every cell and row spelt the usual way)."""
    small = len(data) <= 2 * _GUESS_BYTES
    extent: tuple[int, int] | None
    if proven is not None:
        extent = proven
    elif small:  # every cell read in one pass
        extent = _extent_of_small(data)
        if extent is None:
            return None
    else:
        extent = _extent_from_ends(data)  # one pass proves the spelling of every cell and its extent
    if (extent is None and CELL_OTHERWISE.search(data)) or (_has_colon_tag(data) and _PREFIXED.search(data)) \
            or (proven is None and ROW_OTHERWISE.search(data)) or (b"'" in data and b"='" in data) \
            or (b"!" in data and (b"<![CDATA[" in data or b"<!--" in data)):
        return None
    scan = SheetScan(name, part)
    scan.max_row, scan.max_col = extent or (_rows_bound(data), _cols_bound(data))
    if scan.max_row > MAX_ROWS or scan.max_col > MAX_COLS or scan.max_row * scan.max_col > MAX_AREA:
        return None  # maybe only styled empty cells that far: the exact scan counts the data
    # in a long sheet an 'f' seldom stands but in a formula, an 'h' but in hidden= (a small one: one pass)
    if (_FORMULA.search(data) if small else search_by_byte(_FORMULA, data, b"f", 1)):
        for match in _FORMULA.finditer(data):
            cell = cell_at(data, match.start())
            if cell is None:
                return None
            row, col, tag, content = cell
            key = (row - 1, col - 1)
            value = _VALUE.search(content)
            ctype = _TYPE.search(tag)
            kind = ctype.group(1).decode() if ctype else "n"
            if value is not None and value.group(1):
                scan.cached.setdefault(key, (kind, _unescape_bytes(value.group(1))))
            elif b"<is" not in content:
                formula = _FORMULA_TEXT.search(content)
                body = _unescape_bytes(formula.group(1)) if formula and formula.group(1) else ""
                scan.uncached[key] = "=" + body if body else "=（共享公式）"
    for found in _ERROR_TYPE.finditer(data):
        position = found.start()
        cell = cell_at(data, position)
        if cell is None:
            return None
        row, col, tag, content = cell
        if b't="e"' in tag:
            value = _VALUE.search(content)
            if value is not None and value.group(1):
                key = (row - 1, col - 1)
                scan.errors[key] = _unescape_bytes(value.group(1))
                scan.cached.pop(key, None)
    if (_HIDDEN.search(data) if small else search_by_byte(_HIDDEN, data, b"h")):
        for match in _HIDDEN_ROW.finditer(data):
            end = data.find(b"</row>", match.end())
            if match.group(0).endswith(b"/>"):
                continue
            if _HAS_DATA.search(data, match.end(), end if end >= 0 else len(data)):
                scan.hidden_rows.append(int(match.group(1)))
    for ref in _MERGE.findall(data, max(data.rfind(b"</sheetData>"), 0)):  # mergeCells follow sheetData
        first, _, last = ref.decode("ascii", "replace").partition(":")
        a, b = parse_ref(first), parse_ref(last or first)
        if a and b:
            scan.merges.append((min(a[0], b[0]) - 1, min(a[1], b[1]) - 1, max(a[0], b[0]) - 1, max(a[1], b[1]) - 1))
    return scan


def _unescape_bytes(raw: bytes) -> str:
    return unescape(raw.decode("utf-8", "replace"))
