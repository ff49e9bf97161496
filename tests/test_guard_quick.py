"""The quick worksheet scan of a long sheet: the extent guessed from its first and last rows is
proved over every cell (a wider or later cell anywhere is found), the cheap pre-checks still
send every unusual spelling to the exact scan, and the result equals the exact scan's."""

from __future__ import annotations

import io
import zipfile

import pytest

import corpus_gen as cg
from perfeval_xl.io import sheet_scan
from perfeval_xl.io.guard import HostileFile, inspect_workbook


def _rows(first: int, last: int, cols: bytes = b"AB") -> bytes:
    return b"".join(b'<row r="%d">' % i + b"".join(b'<c r="%s%d" t="n"><v>%d</v></c>' % (bytes([c]), i, i) for c in cols)
                    + b"</row>" for i in range(first, last))


def _sheet(body: bytes) -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData>' + body + b"</sheetData></worksheet>")


def _exact(data: bytes) -> sheet_scan.SheetScan:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("s.xml", data)
    with zipfile.ZipFile(buffer) as zf:
        return sheet_scan.scan_exact(zf, "支出明细", "s.xml", {"s.xml"})


@pytest.mark.parametrize("middle, extent", [
    (b"", (8000, 2)),
    (b'<row r="4000"><c r="G4000" t="n"><v>1</v></c></row>', (8000, 7)),  # wider, far from both ends
    (b'<row r="4000"><c r="AB4000" t="n"><v>1</v></c></row>', (8000, 28)),
    (b'<row r="4000"><c r="B123456" t="n"><v>1</v></c></row>', (123456, 2)),  # a later row out of order
    (b'<row r="4000"><c r="A1048576" t="n"><v>1</v></c></row>', (1048576, 2)),
])
def test_the_extent_guessed_from_the_ends_is_proved_over_every_cell(middle, extent):
    data = _sheet(_rows(1, 4000) + middle + _rows(4001, 8001))
    assert len(data) > 4 * sheet_scan._GUESS_BYTES
    quick = sheet_scan.scan_quick(data, "支出明细", "s.xml")
    assert quick is not None and (quick.max_row, quick.max_col) == extent
    exact = _exact(data)
    assert (exact.max_row, exact.max_col) == extent


@pytest.mark.parametrize("odd", [
    b'<row r="4000"><x:c r="A4000" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/></row>',
    b"<row r='4000'><c r='A4000'><v>1</v></c></row>",
    b'<row r="4000"><!-- a comment --><c r="A4000"><v>1</v></c></row>',
    b'<row r="4000"><c r="A4000" t="inlineStr"><is><t><![CDATA[x]]></t></is></c></row>',
    b'<row r="4000"><c s="0" r="XFD4000"><v>1</v></c></row>',
    b'<row r="4000"><c><v>1</v></c></row>',
    b'<row><c r="A4000"><v>1</v></c></row>',
])
def test_every_unusual_spelling_still_goes_to_the_exact_scan(odd):
    data = _sheet(_rows(1, 4000) + odd + _rows(4001, 5000))
    assert sheet_scan.scan_quick(data, "支出明细", "s.xml") is None


def test_texts_with_colons_quotes_and_bangs_do_not_leave_the_quick_scan():
    texts = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>12:30 it\'s ok! a:c b</t></is></c></row>' % (i, i)
                     for i in range(1, 3000))
    quick = sheet_scan.scan_quick(_sheet(texts), "支出明细", "s.xml")
    assert quick is not None and (quick.max_row, quick.max_col) == (2999, 1)


@pytest.mark.slow
def test_a_far_cell_in_the_middle_of_a_long_ledger_is_refused(tmp_path):
    lay = cg.layout("xishan")
    body = _rows(3, 6000, b"ABCDEF") + b'<row r="6000"><c r="XFD1048576" t="n"><v>1</v></c></row>' \
        + _rows(6001, 9000, b"ABCDEF")
    data = cg.zip_edit(lay.data, {lay.parts["支出明细"]: lambda x: x.replace(b"</sheetData>", body + b"</sheetData>")})
    path = tmp_path / "far.xlsx"
    path.write_bytes(data)
    with pytest.raises(HostileFile) as info:
        inspect_workbook(path)
    assert (info.value.sheet, info.value.cell) == ("支出明细", "XFD1048576")


@pytest.mark.parametrize("pattern, byte, offset", [
    (sheet_scan._FORMULA, b"f", 1), (sheet_scan._HIDDEN, b"h", 0), (sheet_scan._COLON_TAG, b":", 0)])
@pytest.mark.parametrize("few", [0, 1, 3, 256])
def test_search_by_byte_finds_what_the_pattern_finds(pattern, byte, offset, few):
    """The seldom byte found first gives the pattern's own first match, whether the places holding
    it run out before ``few`` or not (then the pattern searches on from there): a sheet of 600 rows
    with 'f', 'h' and ':' in texts (near misses: '<font', 'height', 'x:y') and one match near the end."""
    import random

    rng = random.Random(5)
    decoys = [b"<font/>", b"<t>ftp://h:x</t>", b' ht="15"', b"<is><t>hf:</t></is>", b"<fx>", b"hidde"]
    body = b"".join(b'<row r="%d">%s<c r="A%d"><v>1</v></c></row>' % (i, rng.choice(decoys), i) for i in range(1, 600))
    matches = {sheet_scan._FORMULA: b"<f>A1+1</f>", sheet_scan._HIDDEN: b' hidden="1"', sheet_scan._COLON_TAG: b"<x:c>"}
    for data in (_sheet(body), _sheet(body + matches[pattern]), _sheet(matches[pattern] + body)):
        expected = pattern.search(data)
        found = sheet_scan.search_by_byte(pattern, data, byte, offset, few=few)
        assert (found and found.span()) == (expected and expected.span())
    assert sheet_scan.search_by_byte(pattern, _sheet(body + matches[pattern]), byte, offset, few=few) is not None
