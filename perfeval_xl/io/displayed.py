"""Numbers as the reader sees them: a number cell shown through its number format.

A table pasted from a report into Excel keeps ``99.18%`` as the number 0.9918 with the
format ``0.00%``, and ``4.50`` as 4.5 with ``0.00``.  The printed precision is in the
format, which python-calamine does not give; this module reads the formats of the given
sheets (from the package's bytes, or through openpyxl for a sheet written in an unusual
way) and replaces each formatted number by the text it shows, so the table audit compares
at the precision the reader sees.  Numbers in the General
format stay numbers (their shortest text is what Excel shows).
"""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, MutableMapping

from perfeval_xl.core.findings import parse_cell_name
from perfeval_xl.core.numbers import round_half_up, to_decimal
from perfeval_xl.io.sheet_scan import CELL_OTHERWISE, ROW_OTHERWISE
from perfeval_xl.io.xlsx_package import STYLES_PART  # the part openpyxl reads the styles from

_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def shown(value: float | int | Decimal, number_format: str) -> str | None:
    """The text Excel shows for ``value`` in ``number_format`` when it fixes decimals or is
    a percent (``0.00%``, ``#,##0.00``, ``0.0``); None for General and formats we do not read
    (dates, fractions, scientific)."""
    if not number_format or number_format == "General" or isinstance(value, bool):
        return None
    section = _QUOTED.sub("", number_format.split(";")[0])
    if any(ch in section for ch in "yYmMdDhHsSeE/?@"):
        return None
    percent = "%" in section
    digits = section.replace("%", "")
    if not re.search(r"[0#]", digits):
        return None
    decimals = len(point.group(1)) if "." in digits and (point := re.search(r"\.([0#]*)", digits)) else 0
    grouped = "," in digits.split(".")[0]
    number = to_decimal(value) * (100 if percent else 1)
    rounded = round_half_up(number, decimals)
    text = f"{rounded:,.{decimals}f}" if grouped else f"{rounded:.{decimals}f}"
    return text + ("%" if percent else "")


def apply_formats(path: Path, snapshot: MutableMapping[str, list], names: Iterable[str],
                  parts: Mapping[str, str] | None = None, data: Mapping[str, bytes] | None = None) -> None:
    """Replace each formatted number of the named sheets of ``snapshot`` by its shown text.

    The formats are read from the package itself (the styles part and each sheet's cell style
    references, by a few compiled patterns over the bytes of a sheet written the usual way);
    a sheet written otherwise is read through openpyxl, as every sheet once was.  Both give a
    cell the format openpyxl's read-only cell reports.  ``data``: the parts the guard already
    inflated (:attr:`~perfeval_xl.io.guard.Inspection.data`); when it holds the styles part and
    every sheet named, the package is not opened again."""
    names = [n for n in names if n in snapshot]
    if not names:
        return
    if data is not None and parts is not None and STYLES_PART in data and all(parts.get(n) in data for n in names):
        left = _apply_from_package(data.__getitem__, snapshot, names, parts, vetted=True)
    else:
        with zipfile.ZipFile(path) as archive:
            from perfeval_xl.io.guard import sheet_parts

            left = _apply_from_package(archive.read, snapshot, names, parts if parts is not None else sheet_parts(archive))
    if left:
        try:
            _apply_with_openpyxl(path, snapshot, left)
        except Exception as exc:  # openpyxl's own words ("File contains no valid workbook part") never reach a user
            from perfeval_xl.io.files import display_name
            from perfeval_xl.io.snapshot import UnreadableFile

            raise UnreadableFile(f"无法读取“{display_name(path)}”中工作表{'、'.join(f'“{n}”' for n in left[:3])}"
                                 "的数字格式：文件结构异常；请在 Excel 或 WPS 中打开并另存后再试") from exc


#: Excel's built-in number formats by id, as openpyxl names them (openpyxl.styles.numbers)
BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 5: '"$"#,##0_);("$"#,##0)',
    6: '"$"#,##0_);[Red]("$"#,##0)', 7: '"$"#,##0.00_);("$"#,##0.00)', 8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy",
    16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
    22: "m/d/yy h:mm", 37: "#,##0_);(#,##0)", 38: "#,##0_);[Red](#,##0)", 39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)", 41: '_(* #,##0_);_(* \\(#,##0\\);_(* "-"_);_(@_)',
    42: '_("$"* #,##0_);_("$"* \\(#,##0\\);_("$"* "-"_);_(@_)',
    43: '_(* #,##0.00_);_(* \\(#,##0.00\\);_(* "-"??_);_(@_)',
    44: '_("$"* #,##0.00_)_("$"* \\(#,##0.00\\)_("$"* "-"??_)_(@_)', 45: "mm:ss", 46: "[h]:mm:ss",
    47: "mmss.0", 48: "##0.0E+0", 49: "@",
}

# a sheet written the usual way: every cell and row starts with its reference, double-quoted,
# no namespace prefixes, no CDATA or comments (anything else is left to openpyxl)
_PREFIXED = re.compile(rb"<\w+:(?:c|row|dimension|sheetData)(?=[\s>/])")
#: any of :data:`CELL_OTHERWISE`, :data:`ROW_OTHERWISE` and :data:`_PREFIXED` (each a '<' and what follows it),
#: looked for in one pass over a sheet rather than three
_UNUSUAL = re.compile(b"<(?:" + b"|".join(p.pattern[1:] for p in (CELL_OTHERWISE, ROW_OTHERWISE, _PREFIXED)) + b")")
_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"([^>]*)>')
_STYLE_ATTR = re.compile(rb'\ss="([0-9]*)"')
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]{0,3}[0-9]{0,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"\s*/>')


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _cell_formats(read: Callable[[str], bytes], vetted: bool = False) -> list[str] | None:
    """The number format of each cell format (cellXfs) of the styles part, as openpyxl reads it
    (a custom numFmt id first, then the built-in table, else General); None when there is none.
    ``vetted``: the part comes from the guard, which refused it had it declared a DOCTYPE or an
    ENTITY (:mod:`perfeval_xl.io.guard`): with nothing for defusedxml to refuse, the standard
    library's C parser reads it (the same tree, without defusedxml's handlers in Python)."""
    from xml.etree import ElementTree

    from defusedxml import ElementTree as SafeET

    parse: Callable[[bytes], Any] = ElementTree.fromstring if vetted else SafeET.fromstring
    try:
        root = parse(read(STYLES_PART))
    except Exception:  # no styles part, or one openpyxl may read differently: leave it to openpyxl
        return None
    custom: dict[int, str] = {}
    formats: list[str] | None = None
    for element in root:
        tag = _local(element.tag)
        if tag == "numFmts":
            for item in element:
                if _local(item.tag) == "numFmt" and (item.get("numFmtId") or "").isdigit():
                    custom[int(item.get("numFmtId"))] = item.get("formatCode") or ""
        elif tag == "cellXfs":
            formats = []
            for xf in element:
                if _local(xf.tag) != "xf":
                    continue
                number = xf.get("numFmtId") or "0"
                if not number.isdigit():
                    return None
                number_id = int(number)
                formats.append(custom[number_id] if number_id in custom else BUILTIN_FORMATS.get(number_id, "General"))
    return formats or None


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _apply_from_package(read: Callable[[str], bytes], snapshot: MutableMapping[str, list], names: list[str],
                        parts: Mapping[str, str], vetted: bool = False) -> list[str]:
    """Apply the formats of the sheets written the usual way (``read``: a part's bytes by its name;
    ``vetted``: the guard's parts, see :func:`_cell_formats`); returns the names left to openpyxl."""
    formats = _cell_formats(read, vetted)
    if formats is None:
        return names
    left = []
    for name in names:
        part = parts.get(name)
        if part is None or not _apply_sheet(read(part), snapshot[name], formats):
            left.append(name)
    return left


def _apply_sheet(data: bytes, rows: list, formats: list[str]) -> bool:
    """Apply one sheet's formats; False (nothing changed) when openpyxl must read it."""
    if _UNUSUAL.search(data) or b"<![CDATA[" in data or b"<!--" in data:
        return False
    head = data[:max(data.find(b"<sheetData"), 0)]
    max_row = max_col = None  # openpyxl reads no further than a declared dimension
    if b"<dimension" in head:
        dimension = _DIMENSION.search(head)
        if dimension is None:
            return False
        first, letters, digits = dimension.groups()
        if letters is None:
            parsed = parse_cell_name(first.decode("ascii"))
            if parsed is None:
                return False
            max_row, max_col = parsed[0] + 1, parsed[1] + 1
        else:
            max_row, max_col = int(digits), _column(letters)
    cells = _CELL.findall(data)
    styles: dict[bytes, int] = {}  # a cell's attributes → its style, read once for each spelling
    for attrs in {cell[2] for cell in cells}:
        style = 0
        if b"s=" in attrs:
            found = _STYLE_ATTR.search(attrs)
            if found is None or b"'" in attrs:
                return False
            style = int(found.group(1) or 0)
        if style >= len(formats):
            return False
        styles[attrs] = style
    # every cell was checked above (a sheet openpyxl must read changes nothing); only a number is ever
    # replaced, so a sheet that holds none (a report table pasted as text) is done: its cells are not walked
    if not _holds_numbers(rows):
        return True
    # a cell in the General format shows every number as it is
    general = {attrs for attrs, style in styles.items() if not formats[style] or formats[style] == "General"}
    columns: dict[bytes, int] = {}  # column letters → number, worked out once for each spelling
    for letters, digits, attrs in cells:  # in sheet order: a cell named twice is changed once (then a text)
        if attrs in general:
            continue
        row, col = int(digits), columns.get(letters) or columns.setdefault(letters, _column(letters))
        if (max_row is not None and row > max_row) or (max_col is not None and col > max_col):
            continue
        r, c = row - 1, col - 1
        if r >= len(rows) or c >= len(rows[r]):
            continue
        value = rows[r][c]
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            text = shown(value, formats[styles[attrs]])
            if text is not None:
                rows[r][c] = text
    return True


def _holds_numbers(rows: list) -> bool:
    """Some cell of ``rows`` is a number the formats may replace (an int, float or Decimal, not a
    bool: what :func:`_apply_sheet` tests each cell for), found from the set of the cells' types."""
    kinds: set[type] = set()
    for row in rows:
        kinds.update(map(type, row))
    return any(issubclass(kind, (int, float, Decimal)) and kind is not bool for kind in kinds)


def _apply_with_openpyxl(path: Path, snapshot: MutableMapping[str, list], names: list[str]) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        for name in names:
            rows = snapshot[name]
            for row in workbook[name].iter_rows():
                for cell in row:
                    col, line = getattr(cell, "column", None), getattr(cell, "row", None)
                    if col is None or line is None:
                        continue
                    r, c = line - 1, col - 1
                    if r >= len(rows) or c >= len(rows[r]):
                        continue
                    value = rows[r][c]
                    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                        text = shown(value, cell.number_format)
                        if text is not None:
                            rows[r][c] = text
    finally:
        workbook.close()
