"""A plain workbook written row by row: each sheet's head planned as usual, its data rows streamed.

The batch summary of a province holds hundreds of thousands of rows; planning them all first
would hold every result in memory.  Here each sheet is written as a zip entry opened for
writing: the head (title, notes, header row) from its :class:`SheetPlan` through the same
:func:`sheet_xml` as every other output, then each data row as it is read from the store, then
an optional note row.  The file is written atomically.

The package carries a custom document property ``perfeval-content-sha256``: the SHA-256 of every
other part (names and bytes, in order).  :func:`written_unchanged` recomputes it, so a later run
can tell a summary this tool wrote and nobody changed (Excel or WPS rewrite every part on save)
from one a person has edited.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from perfeval_xl.core.findings import column_letter
from perfeval_xl.core.normalize import xml_safe
from perfeval_xl.core.styles import StyleName
from perfeval_xl.core.writeplan import SheetPlan
from perfeval_xl.io.atomic import write_bytes_atomic
from perfeval_xl.io.xlsx_package import (
    NEW_PACKAGE_RELS, NEW_STYLES, PART_STAMP, escape, new_content_types, new_workbook_rels, new_workbook_xml,
)
from perfeval_xl.io.xlsx_splice import _number, add_styles, sheet_xml

HASH_PROPERTY = "perfeval-content-sha256"
CUSTOM_PART = "docProps/custom.xml"
_CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"

#: zlib's level for every part: the fastest (a province's 问题清单 is hundreds of megabytes of XML)
_LEVEL = 1

#: one data row: its values, their styles, and its height in points (None: the default)
Row = tuple[list, list, "float | None"]


@dataclass
class StreamedSheet:
    """A sheet: its planned head, then ``rows`` (read once, as written), then ``note`` (a line
    merged across the header's width, "" for none)."""

    head: SheetPlan
    rows: Iterable[Row]
    note: str = ""


#: one row of a :class:`NumberedTextSheet`: its number (the first column), the texts of the other
#: columns in UTF-8, its height in points (None: the default)
NumberedRow = tuple[int, Sequence[bytes], "float | None"]


@dataclass
class NumberedTextSheet:
    """A sheet whose data rows are a number then texts (in UTF-8), each column in one style (``styles``,
    the number's first): 问题清单, a province's hundreds of thousands of rows, written each from one
    row template straight in UTF-8, its texts escaped only when one needs it.  The same XML as a
    :class:`StreamedSheet` of these rows (values ``[number, *texts]``, these styles) writes."""

    head: SheetPlan
    rows: Iterable[NumberedRow]
    note: str = ""
    styles: Sequence[str] = ()


def write_streamed_workbook(path: Path, sheets: Sequence[StreamedSheet | NumberedTextSheet]) -> Path:
    """Write the sheets in order; each sheet's rows are consumed as it is written (so the rows
    of several sheets may be drawn in turn from one iterator)."""
    styles, index = add_styles(NEW_STYLES)
    names = [(sheet.head.name, sheet.head.title_rows) for sheet in sheets]

    def write(handle) -> None:
        digest = hashlib.sha256()
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as zout:
            def put(name: str, chunks: Iterable[str | bytes]) -> None:
                digest.update(name.encode("utf-8") + b"\0")
                info = zipfile.ZipInfo(name, date_time=PART_STAMP)
                info.compress_type = zipfile.ZIP_DEFLATED
                # the archive's level is not given to a ZipInfo passed to open(): without this a part
                # is deflated at zlib's default level 6 (about twice the CPU of level 1 for a third
                # less size); Python 3.13 calls it compress_level and keeps _compresslevel as its alias
                info._compresslevel = _LEVEL  # type: ignore[attr-defined]
                with zout.open(info, "w", force_zip64=True) as out:
                    for chunk in chunks:
                        data = chunk if isinstance(chunk, bytes) else chunk.encode("utf-8")
                        digest.update(data)
                        out.write(data)

            put("[Content_Types].xml", [new_content_types(len(names), {CUSTOM_PART: _CUSTOM_TYPE})])
            put("_rels/.rels", [_package_rels()])
            put("xl/workbook.xml", [new_workbook_xml(names)])
            put("xl/_rels/workbook.xml.rels", [new_workbook_rels(len(names))])
            put("xl/styles.xml", [styles])
            for n, sheet in enumerate(sheets, start=1):
                put(f"xl/worksheets/sheet{n}.xml", _sheet_chunks(sheet, index, selected=(n == 1)))
            zout.writestr(zipfile.ZipInfo(CUSTOM_PART, date_time=PART_STAMP), _custom(digest.hexdigest()),
                          compress_type=zipfile.ZIP_DEFLATED)

    return write_bytes_atomic(Path(path), write)


def content_hash(path: Path) -> tuple[str | None, str]:
    """(the hash the file states of itself, the hash of its parts now); None when it states none."""
    digest = hashlib.sha256()
    stated = None
    with zipfile.ZipFile(path) as zin:
        for info in zin.infolist():
            if info.filename == CUSTOM_PART:
                text = zin.read(info)[:100_000].decode("utf-8", "replace")
                match = re.search(rf'name="{HASH_PROPERTY}"[^>]*>\s*<vt:lpwstr>([0-9a-f]{{64}})</vt:lpwstr>', text)
                stated = match.group(1) if match else None
                continue
            digest.update(info.filename.encode("utf-8") + b"\0")
            with zin.open(info) as part:
                for block in iter(lambda: part.read(1 << 20), b""):
                    digest.update(block)
    return stated, digest.hexdigest()


def written_unchanged(path: Path) -> bool:
    """The file was written by :func:`write_streamed_workbook` and not changed since."""
    try:
        stated, now = content_hash(path)
    except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, EOFError):
        return False
    return stated is not None and stated == now


def _sheet_chunks(sheet: StreamedSheet | NumberedTextSheet, index: dict, selected: bool) -> Iterator[str | bytes]:
    head = sheet.head
    xml = sheet_xml(head, index, selected=selected)
    xml = re.sub(r'<dimension ref="[^"]*"/>', "", xml, count=1)  # the size is not known before the rows
    before, after = xml.split("</sheetData>", 1)
    yield '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + before
    ncols = max(head.n_cols, 1)
    letters = [column_letter(c) for c in range(max(ncols, 32))]
    ids = {str(name): sid for name, sid in index.items()}  # by plain text: no enum lookup per cell
    rows = (_numbered_text_rows(sheet, letters, ids) if isinstance(sheet, NumberedTextSheet)
            else _value_rows(sheet, letters, ids))
    line = head.n_rows
    for written in rows:  # lists of rows' XML (text or UTF-8), written as they come
        line += len(written)
        if written:
            yield "".join(written) if isinstance(written[0], str) else b"".join(written)
    batch: list[str] = []
    note_merge = ""
    if sheet.note:
        line += 1
        sid = index[StyleName.NOTE]
        batch.append(f'<row r="{line}"><c r="A{line}" s="{sid}" t="inlineStr"><is><t xml:space="preserve">'
                     f"{xml_safe(escape(sheet.note))}</t></is></c>"
                     + "".join(f'<c r="{letters[c]}{line}" s="{sid}"/>' for c in range(1, ncols)) + "</row>")
        note_merge = f'<mergeCell ref="A{line}:{letters[ncols - 1]}{line}"/>'
    yield "".join(batch) + "</sheetData>"
    if note_merge:
        match = re.match(r'<mergeCells count="(\d+)">', after)
        if match:
            after = f'<mergeCells count="{int(match.group(1)) + 1}">{note_merge}' + after[match.end():]
        else:
            after = f'<mergeCells count="1">{note_merge}</mergeCells>' + after
    yield after


def _value_rows(sheet: StreamedSheet, letters: list[str], ids: dict[str, int]) -> Iterator[list[str]]:
    """The XML of the sheet's data rows, in lists of 201 rows and a last list of fewer."""
    line = sheet.head.n_rows
    # A row is its number joined into the pieces around it: ``<row r="`` N ``"><c r="A`` N piece A N
    # piece B … where a cell's piece is its style and value and the start of the next cell's
    # reference (or ``</row>``), so a row is one join.  A text cell's piece is remembered by
    # (style, text) for each column of each row length: a file's name, sheet, kinds and messages
    # repeat row after row, cleaned (xml_safe works character by character) and escaped once.
    # Numbers are written each time (1, 1.0 and Decimal("1.00") are equal keys but different texts).
    shapes: dict[int, tuple[list[dict[tuple[str, str], str]], list[str], str]] = {}
    batch: list[str] = []
    for values, styles, height in sheet.rows:
        line += 1
        count = min(len(values), len(styles), len(letters))
        shape = shapes.get(count)
        if shape is None:
            shape = shapes[count] = ([{} for _ in range(count)],
                                     [f'<c r="{letter}' for letter in letters[1:count]] + ["</row>"],
                                     '<c r="A' if count else "</row>")
        caches, nexts, first = shape
        pieces = ['<row r="', (f'" ht="{height}" customHeight="1">' if height else '">') + first]
        add = pieces.append
        for cache, following, value, style in zip(caches, nexts, values, styles):
            if value.__class__ is str:
                piece = cache.get((style, value))
                if piece is None:
                    if len(cache) > 20_000:
                        cache.clear()
                    sid = ids[style]
                    piece = (f'" s="{sid}"/>' if value == "" else
                             f'" s="{sid}" t="inlineStr"><is><t xml:space="preserve">{xml_safe(escape(value))}</t></is></c>'
                             ) + following
                    cache[(style, value)] = piece
            elif value.__class__ is int:
                piece = f'" s="{ids[style]}"><v>{value}</v></c>{following}'
            elif value is None:
                piece = f'" s="{ids[style]}"/>{following}'
            elif isinstance(value, str):  # a subclass of str
                piece = (f'" s="{ids[style]}" t="inlineStr"><is><t xml:space="preserve">'
                         f"{xml_safe(escape(value))}</t></is></c>{following}") if value else f'" s="{ids[style]}"/>{following}'
            else:
                piece = f'" s="{ids[style]}"><v>{_number(value)}</v></c>{following}'
            add(piece)
        batch.append(str(line).join(pieces))
        if len(batch) > 200:
            yield batch
            batch = []
    yield batch


#: the text of a cell written inline (after its reference and style), and an empty cell's end
_INLINE_TEXT = b' t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>'
_EMPTY_CELL = b"/>"
#: what may need :func:`xml_safe` or :func:`escape` in UTF-8: a control character, ``&<>``, the lead
#: byte of U+D000–U+DFFF (surrogates; Hangul too, which then takes the slow way to the same text);
#: U+FFFE and U+FFFF begin with :data:`_FFC0_TO_FFFF`
_MAY_NEED_CLEANING = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f&<>\xed]")
#: every byte but those :data:`_MAY_NEED_CLEANING` finds: deleting them from a text (``bytes.translate``,
#: one quick pass in C, several times quicker than a search for a class of bytes) leaves nothing
#: when no byte of the text is one it finds
_ALL_BUT_MAY_NEED_CLEANING = bytes(b for b in range(256) if _MAY_NEED_CLEANING.match(bytes((b,))) is None)
#: the first two bytes of U+FFC0–U+FFFF in UTF-8 (U+FFFE and U+FFFF, and a few full-width signs such
#: as ￥, which then take the slow way to the same text)
_FFC0_TO_FFFF = b"\xef\xbf"
#: rows written at a time (and texts looked at at once for what may need cleaning)
_ROWS_AT_ONCE = 201


def _may_need_cleaning(text: bytes) -> bool:
    """Whether a text in UTF-8 has a byte :data:`_MAY_NEED_CLEANING` finds, or :data:`_FFC0_TO_FFFF`."""
    return bool(text.translate(None, _ALL_BUT_MAY_NEED_CLEANING)) or _FFC0_TO_FFFF in text


def _numbered_text_rows(sheet: NumberedTextSheet, letters: list[str], ids: dict[str, int]) -> Iterator[list[bytes]]:
    """:func:`_value_rows` of a :class:`NumberedTextSheet`, in UTF-8: each row one ``%`` of a row
    template (each text inline and an empty one as an empty cell: a template for each pattern of empty
    texts met, a handful at most), the same XML as :func:`_value_rows` writes for an int and texts in
    these styles.

    The row's number, in the row's reference and before each cell's, is a NUL byte in the template,
    replaced once the row is formatted (one ``replace`` in C instead of the number given once per
    cell): no text formatted into a row holds a NUL, since the texts of each :data:`_ROWS_AT_ONCE`
    rows are looked at together first (:func:`_may_need_cleaning`) and a text with a control
    character is cleaned (:func:`xml_safe` drops it) before it is formatted."""
    styles = sheet.styles
    head = '<row r="\0"%s><c r="A\0" s="' + str(ids[styles[0]]) + '"><v>%d</v></c>'
    cells = [f'<c r="{letters[c]}\0" s="{ids[style]}"' for c, style in enumerate(styles[1:], start=1)]
    inline, empty = _INLINE_TEXT.decode("utf-8"), "%s" + _EMPTY_CELL.decode("utf-8")
    templates: dict[tuple[bool, ...], bytes] = {}  # which texts are not empty → the row's template

    def template_of(filled: tuple[bool, ...]) -> bytes:
        # an empty text takes its ``%s`` too (formatted as nothing), so every row's arguments are alike
        found = templates[filled] = (head + "".join(cell + (inline if full else empty) for cell, full in zip(cells, filled))
                                     + "</row>").encode("utf-8")
        return found

    texts = len(styles) - 1
    every_text = template_of((True,) * texts)  # (most rows: no empty text, no pattern to work out)
    heights: dict[float, bytes] = {}  # a row's height attribute by height (a few hundred at most: steps of 0.75 pt)
    line = sheet.head.n_rows
    rows = iter(sheet.rows)
    while chunk := list(islice(rows, _ROWS_AT_ONCE)):
        # every text of these rows looked at at once (almost never one that needs cleaning): then no row's
        # own texts need a look
        suspect = _may_need_cleaning(b"".join([text for _, values, _ in chunk for text in values]))
        batch: list[bytes] = []
        add = batch.append
        for number, values, height in chunk:
            line += 1
            if len(values) != texts:
                raise ValueError(f"a row of {len(values)} texts in a sheet of {texts} text columns")
            if b"" not in values:
                template = every_text
            else:  # (as given: a text of control characters only is an inline text left empty)
                filled = tuple(map(bool, values))
                template = templates.get(filled) or template_of(filled)
            if suspect and _may_need_cleaning(b"".join(values)):
                values = [xml_safe(escape(value.decode("utf-8"))).encode("utf-8") if value else value for value in values]
            attribute = heights.get(height) if height.__class__ is float else None  # (18 and 18.0: equal keys, two texts)
            if attribute is None:
                attribute = f' ht="{height}" customHeight="1"'.encode() if height else b""
                if height.__class__ is float:
                    heights[height] = attribute
            add((template % (attribute, number, *values)).replace(b"\0", b"%d" % line))
        yield batch


def _package_rels() -> str:
    return NEW_PACKAGE_RELS.replace("</Relationships>", f'<Relationship Id="rId2" Type="{_CUSTOM_REL}" '
                                                     f'Target="{CUSTOM_PART}"/></Relationships>')


def _custom(digest: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" '
            f'name="{HASH_PROPERTY}"><vt:lpwstr>{digest}</vt:lpwstr></property></Properties>')
