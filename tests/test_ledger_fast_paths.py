"""The cheaper spellings of the ledger path (issue 22) give exactly what the plain ones gave:
format_refs over a run of cells already in order, the text layout's one-character pieces, and the
guard's patterns rewritten to turn a usual tag away sooner.  Each is compared with a plain
reference over generated inputs, and on cases worked by hand."""

from __future__ import annotations

import re

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval_xl.core import textfit
from perfeval_xl.core.findings import Ref, format_refs
from perfeval_xl.io import guard, sheet_scan


# --- format_refs: a run of one sheet already in order is used as it stands -------------------------

def test_a_ledger_total_between_other_cells_is_one_range_or_counted_pieces():
    # by hand: rows 2…100001 of column E are E3:E100002, one range; every tenth row is 10,000 single cells
    whole = [Ref("指标体系", 11, 7)] + [Ref("支出明细", r, 4) for r in range(2, 100002)] + [Ref("资金情况", 2, 2)]
    assert format_refs(whole) == "指标体系!H12；支出明细!E3:E100002；资金情况!C3"
    tenth = [Ref("指标体系", 11, 7)] + [Ref("支出明细", r, 4) for r in range(3, 100003, 10)] + [Ref("资金情况", 2, 1)]
    assert format_refs(tenth) == ("指标体系!H12；支出明细!E4、E14、E24、E34、E44、E54、E64、E74 等 10000 处；"
                                  "资金情况!B3")
    # a run out of order, a cell twice, a sheet named again later: sorted and counted once
    mixed = [Ref("支出明细", 5, 4), Ref("支出明细", 3, 4), Ref("支出明细", 3, 4), Ref("资金情况", 2, 1),
             Ref("支出明细", 4, 4), Ref("支出明细", 9, 4)]
    assert format_refs(mixed) == "支出明细!E4:E6、E10；资金情况!B3"
    assert format_refs([]) == ""


def _format_refs_plain(refs, limit=8):
    """Each sheet's cells as a set, sorted by column then row, cut into runs of consecutive rows."""
    from perfeval_xl.core.findings import cell_name

    by_sheet: dict[str, set] = {}
    for ref in refs:
        by_sheet.setdefault(ref.sheet, set()).add((ref.col, ref.row))
    parts = []
    for sheet, cells in by_sheet.items():
        pieces, run = [], []
        for col, row in sorted(cells):
            if run and (col, row) == (run[-1][0], run[-1][1] + 1):
                run.append((col, row))
                continue
            if run:
                pieces.append(run)
            run = [(col, row)]
        pieces.append(run)
        shown = "、".join(cell_name(p[0][1], p[0][0]) if len(p) == 1 else
                         f"{cell_name(p[0][1], p[0][0])}:{cell_name(p[-1][1], p[-1][0])}" for p in pieces[:limit])
        parts.append(f"{sheet}!{shown}" + (f" 等 {len(pieces)} 处" if len(pieces) > limit else ""))
    return "；".join(parts)


_run = st.tuples(st.sampled_from(["支出明细", "资金情况", "指标体系"]), st.integers(0, 3),
                 st.lists(st.integers(0, 60), max_size=25), st.booleans())


@settings(max_examples=300, deadline=None)
@given(st.lists(_run, max_size=5), st.integers(1, 9))
def test_format_refs_over_runs_in_order_matches_the_plain_reading(runs, limit):
    refs = [Ref(sheet, row, col) for sheet, col, rows, ordered in runs
            for row in (sorted(set(rows)) if ordered else rows)]
    assert format_refs(refs, limit) == _format_refs_plain(refs, limit)


# --- the text layout: a one-character piece is its character's width ---------------------------------

def _layout_plain(text, width, size, bold, app, strict):
    """textfit._layout as it was: every piece measured by a sum, its ink and its whole width apart."""
    area = app.text_area(width) + 1e-6
    widths = textfit._widths(app, size, bold)
    measure = widths.measure
    lines = []
    for paragraph in text.split("\n"):
        if measure(paragraph) <= area:
            lines.append(paragraph.rstrip(" "))
            continue
        line, used = "", 0.0
        for piece in textfit._segments(paragraph, app.latin_breaks, strict):
            ink = measure(piece.rstrip(" "))
            if line and used + ink <= area:
                line += piece
                used += measure(piece)
                continue
            if line:
                lines.append(line.rstrip(" "))
                line, used = "", 0.0
            if ink <= area:
                line, used = piece, measure(piece)
                continue
            for ch in piece:
                w = widths[ch]
                if line and used + w > area and ch != " ":
                    lines.append(line.rstrip(" "))
                    line, used = "", 0.0
                line += ch
                used += w
        lines.append(line.rstrip(" "))
    return tuple(lines)


_TEXT = st.text(st.sampled_from(list("预算执行率（10分）：资金到位 ab12.5%+/()- \n、。，“”")), max_size=60)


@settings(max_examples=400, deadline=None)
@given(_TEXT, st.sampled_from([2.0, 4.0, 6.5, 9.0, 14.0, 30.0]), st.sampled_from([9.0, 10.5, 12.0]), st.booleans(),
       st.sampled_from(textfit.APPS), st.booleans())
def test_layout_matches_the_plain_measuring(text, width, size, bold, app, strict):
    assert textfit._layout(text, width, size, bold, app, strict) == _layout_plain(text, width, size, bold, app, strict)


@settings(max_examples=200, deadline=None)
@given(_TEXT, st.sampled_from([2.0, 4.0, 6.5, 9.0, 14.0]))
def test_breaks_sensibly_judges_every_layout(text, width):
    layouts = [textfit.layout(text, width, 10.5, False, textfit.EXCEL)] + [
        textfit.layout(text, width, 10.5, False, app, strict)
        for app in (textfit.LIBREOFFICE, textfit.LIBREOFFICE_CALIBRI) for strict in (True, False)]
    assert textfit.breaks_sensibly(text, width) == all(textfit.sensible(text, lines) for lines in layouts)


# --- the guard's patterns: the same matches, found sooner ----------------------------------------------

_BYTES = st.lists(st.sampled_from([b"<c", b"<row", b" ", b"\t", b'r="', b"A", b"F", b"G", b"a", b"1", b"0", b"9",
                                   b'"', b">", b"/", b"<v>", b"+", b"-", b"n", b"N", b"a", b"A", b"i", b"I", b"f",
                                   b"F", b"\x0b", b"s=\"1\"", b"ol"]), max_size=14).map(b"".join)


def _starts(pattern: re.Pattern[bytes], data: bytes) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(data)]


@pytest.mark.slow  # 1,500 generated sheets: about 2 s, the fast loop's largest single test
@settings(max_examples=1500, deadline=None)
@given(_BYTES)
def test_rewritten_patterns_find_what_the_plain_ones_found(data):
    plain = {
        "cell": re.compile(rb'<c(?=[\s>/])(?! r="[A-Z]{1,3}[1-9][0-9]{0,6}")'),
        "row": re.compile(rb'<row(?=[\s>/])(?! r="[1-9][0-9]{0,6}")'),
        "nonfinite": re.compile(rb"<v>\s*[+-]?(?:[nN][aA][nN]|[iI][nN][fF])"),
    }
    assert _starts(sheet_scan.CELL_OTHERWISE, data) == _starts(plain["cell"], data)
    assert _starts(sheet_scan.ROW_OTHERWISE, data) == _starts(plain["row"], data)
    assert _starts(guard._NONFINITE_HINT, data) == _starts(plain["nonfinite"], data)
    cell_start = re.compile(rb'<c(?=[\s>/])(?: r="([A-Z]{1,3})([1-9][0-9]{0,6})")?')
    assert sheet_scan._CELL_START.findall(data) == cell_start.findall(data)


def test_the_extent_from_the_ends_is_the_extent_of_every_cell():
    # by hand: 3,000 rows of columns A–C; a cell D1500 in the middle, past both 8 KB ends, widens it to 4
    rows = b"".join(b'<row r="%d">' % i + b"".join(b'<c r="%s%d"><v>1</v></c>' % (c, i) for c in (b"A", b"B", b"C"))
                    + b"</row>" for i in range(1, 3001))
    data = b"<worksheet><sheetData>" + rows + b"</sheetData></worksheet>"
    assert sheet_scan._extent_from_ends(data) == (3000, 3)
    wider = data.replace(b'<c r="C1500"><v>1</v></c>', b'<c r="C1500"><v>1</v></c><c r="D1500"><v>2</v></c>')
    assert sheet_scan._extent_from_ends(wider) is None  # the guess falls short: every cell is read
    assert (sheet_scan.scan_quick(wider, "支出明细", "p").max_row, sheet_scan.scan_quick(wider, "支出明细", "p").max_col) \
        == (3000, 4)


def test_one_search_proves_a_long_sheets_cells_rows_and_numbers_or_leaves_each_to_its_own():
    # by hand: 3,000 rows of columns A–C (past the 128 KB of a small sheet): proved, extent (3000, 3);
    # the same with a wider cell, a row spelt otherwise or a <v>NaN</v> in the middle (past both 8 KB ends):
    # not proved, and the scan (then told nothing) finds what it found before
    rows = b"".join(b'<row r="%d">' % i + b"".join(b'<c r="%s%d"><v>1</v></c>' % (c, i) for c in (b"A", b"B", b"C"))
                    + b"</row>" for i in range(1, 3001))
    data = b"<worksheet><sheetData>" + rows + b"</sheetData></worksheet>"
    assert len(data) > 2 * sheet_scan._GUESS_BYTES
    assert sheet_scan.prove_long(data) == (3000, 3)
    proved = sheet_scan.scan_quick(data, "支出明细", "p", (3000, 3))
    plain = sheet_scan.scan_quick(data, "支出明细", "p")
    assert (proved.max_row, proved.max_col) == (plain.max_row, plain.max_col) == (3000, 3)
    middle = b'<c r="C1500"><v>1</v></c>'
    wider = data.replace(middle, middle + b'<c r="D1500"><v>2</v></c>')
    odd_row = data.replace(b'<row r="1500">', b"<row>")
    nan = data.replace(middle, b'<c r="C1500"><v>NaN</v></c>')
    assert sheet_scan.prove_long(wider) is sheet_scan.prove_long(odd_row) is sheet_scan.prove_long(nan) is None
    assert sheet_scan.scan_quick(odd_row, "支出明细", "p") is None  # the exact scan decides, as before
    assert guard._NONFINITE_HINT.search(nan) is not None  # refuse_nonfinite then searches it as before
    assert sheet_scan.prove_long(data[:60_000] + b"</sheetData></worksheet>") is None  # a small sheet: its own pass


def test_a_long_ledger_holding_nan_in_its_middle_is_refused_by_the_guard(tmp_path):
    # by hand: the 西山 sample's 支出明细 given 3,000 rows of columns A–C (past a small sheet's 128 KB): the guard
    # scans it to row 3000, column C; with <v>NaN</v> at C1500 (past both 8 KB ends the one search starts from)
    # it is refused at that cell, as refuse_nonfinite words it
    import corpus_gen as cg
    import pytest

    from perfeval_xl.io.files import HostileFile
    from perfeval_xl.io.guard import inspect_workbook

    lay = cg.layout("xishan")
    part = lay.parts["支出明细"]
    rows = b"".join(b'<row r="%d">' % i + b"".join(b'<c r="%s%d"><v>1</v></c>' % (c, i) for c in (b"A", b"B", b"C"))
                    + b"</row>" for i in range(1, 3001))

    def with_rows(xml: bytes, body: bytes) -> bytes:
        start, end = xml.index(b"<sheetData"), xml.index(b"</sheetData>")
        return xml[:start] + b"<sheetData>" + body + xml[end:]

    sound, nan = tmp_path / "sound.xlsx", tmp_path / "nan.xlsx"
    sound.write_bytes(cg.zip_edit(lay.data, {part: lambda xml: with_rows(xml, rows)}))
    nan.write_bytes(cg.zip_edit(lay.data, {part: lambda xml: with_rows(
        xml, rows.replace(b'<c r="C1500"><v>1</v></c>', b'<c r="C1500"><v>NaN</v></c>'))}))
    scan = inspect_workbook(sound, ["支出明细"]).sheets["支出明细"]
    assert (scan.max_row, scan.max_col) == (3000, 3)
    with pytest.raises(HostileFile) as refused:
        inspect_workbook(nan, ["支出明细"])
    assert "C1500" in refused.value.message and "不是数字" in refused.value.message


def test_a_column_is_each_records_value_whatever_mapping_holds_its_values():
    # by hand: three records, the second without the key, the third's values a read-only mapping (a record
    # made elsewhere): the column is 1, None, 3 both ways, in order
    from types import MappingProxyType

    from perfeval_xl.core.book import Record, column_values

    dicts = [Record("支出明细", 2, {"amount": 1}, {}), Record("支出明细", 3, {}, {}), Record("支出明细", 4, {"amount": 3}, {})]
    assert column_values(dicts, "amount") == [1, None, 3]
    mixed = dicts[:2] + [Record("支出明细", 4, MappingProxyType({"amount": 3}), {})]
    assert column_values(mixed, "amount") == [1, None, 3]
    assert column_values([], "amount") == []


def test_a_group_is_picked_in_its_order_one_position_or_many():
    # by hand: positions 0, 2 and 3 of "abcd" are a, c, d; position 1 alone is b (a one-row group stays a tuple)
    from perfeval_xl.core.book import picked, positions

    assert picked("abcd", [0, 2, 3]) == ("a", "c", "d")
    assert picked(["a", "b"], [1]) == ("b",)
    units = ["甲", " 乙", "甲", "乙 ", None, "甲"]
    assert {k: picked(units, found) for k, found in positions(units).items()} == {
        "甲": ("甲", "甲", "甲"), "乙": (" 乙", "乙 "), None: (None,)}
    # texts known to be stripped (a text column as read) are taken as they are: the same positions as stripping them
    assert positions(["甲", "乙", "甲", "乙", None, "甲"], stripped=True) == positions(units) == {
        "甲": [0, 2, 5], "乙": [1, 3], None: [4]}


def _ledger_book(amounts, amount_unit):
    from perfeval_xl.core import schema
    from perfeval_xl.core.book import Book, Record, Table

    cols = {"unit": 0, "amount": 4}
    records = tuple(Record(schema.LEDGER.name, 2 + i, {"unit": "甲", "amount": a}, cols) for i, a in enumerate(amounts))
    return Book(info={"amount_unit": amount_unit}, info_refs={}, units=(),
                tables={schema.LEDGER.name: Table(1, ("单位", "日期", "凭证号", "摘要", "金额"), records)})


def test_the_ledgers_negative_and_implausible_amounts_are_found_at_their_cells_from_one_span():
    # by hand, 万元, records from sheet row 3 (E3): amounts 5, -3 (negative, E4), 2,000,000 (≥ 1,000,000 万元, E5), a blank;
    # each warned at its cell; none of them when every amount is plain (5, 3, 2), nothing for no amounts
    from decimal import Decimal as D

    from perfeval_xl.core import plausibility

    found = plausibility.check_values(_ledger_book([D(5), D(-3), D(2_000_000), None], "万元"))
    assert [(f.cell, "负数" in f.message, "数额异常" in f.message) for f in found] == [
        ("E4", True, False), ("E5", False, True)]
    assert list(plausibility.check_values(_ledger_book([D(5), D(3), D(2)], "万元"))) == []
    assert list(plausibility.check_values(_ledger_book([None, None], "万元"))) == []
    # a -2,000,000 万元 second row (E4) is both negative and implausible (the span's lowest read for both)
    found = plausibility.check_values(_ledger_book([D(1), D(-2_000_000)], "万元"))
    assert [(f.cell, "负数" in f.message, "数额异常" in f.message) for f in found] == [
        ("E4", True, False), ("E4", False, True)]


def test_cells_once_each_in_order_whether_already_in_order_or_not():
    # by hand: 100 ledger cells E3…E102 then a 资金情况 cell (later by sheet name): in order, kept as they are;
    # the same with E50 again at the end: that second E50 dropped, as dict.fromkeys drops it; a short list hashed
    from perfeval_xl.core.scoring import _once_each

    run = tuple(Ref("支出明细", r, 4) for r in range(2, 102)) + (Ref("资金情况", 2, 2),)
    assert _once_each(run) == run == tuple(dict.fromkeys(run))
    again = run + (Ref("支出明细", 49, 4),)
    assert _once_each(again) == run == tuple(dict.fromkeys(again))
    short = (Ref("资金情况", 2, 2), Ref("支出明细", 4, 4), Ref("资金情况", 2, 2))
    assert _once_each(short) == (Ref("资金情况", 2, 2), Ref("支出明细", 4, 4))


def test_format_refs_with_a_memo_spells_what_it_spells_without():
    # by hand: a unit's ledger cells (every tenth row from E4, 1,000 of them) read by two indicators, each with
    # its own 资金情况 cell: spelt the same with and without the memo, the second time from the memo; a run of
    # as many cells, the same first and last ones but another in the middle, is spelt afresh
    ledger = [Ref("支出明细", r, 4) for r in range(3, 10003, 10)]
    first = [Ref("指标体系", 11, 7)] + ledger + [Ref("资金情况", 2, 2)]
    second = [Ref("指标体系", 12, 7)] + ledger + [Ref("资金情况", 2, 3)]
    memo: dict = {}
    assert format_refs(first, memo=memo) == format_refs(first) == (
        "指标体系!H12；支出明细!E4、E14、E24、E34、E44、E54、E64、E74 等 1000 处；资金情况!C3")
    assert format_refs(second, memo=memo) == format_refs(second) == (
        "指标体系!H13；支出明细!E4、E14、E24、E34、E44、E54、E64、E74 等 1000 处；资金情况!D3")
    assert len(memo) == 1
    middle = ledger[:1] + [Ref("支出明细", 4, 4)] + ledger[2:]  # E5 where E14 was: E4:E5, then E24 …
    assert format_refs(middle, memo=memo) == format_refs(middle) == (
        "支出明细!E4:E5、E24、E34、E44、E54、E64、E74、E84 等 999 处")


# --- the places a line may break: decided per pair of character classes ----------------------------

#: every character break_allowed treats apart, with ordinary ones (CJK, Latin, digits of other scripts)
_BREAK_CHARS = list(" \u3000，。、；：！？）)]｝】〕〗》〉」』”’,.;:!?%％（([{［｛【〔〖《〈「『×÷±≥≤≈≠-+/(=\t"
                    "0123456789٣abcXYZé项目资金到位率“”")


def _segments_pairwise(text, latin_breaks, strict):
    """textfit._segments as it was: break_allowed asked about every pair of neighbouring characters."""
    pieces, start = [], 0
    for i in range(1, len(text)):
        if textfit.break_allowed(text[i - 1], text[i], latin_breaks, strict):
            pieces.append(text[start:i])
            start = i
    pieces.append(text[start:])
    return tuple(pieces)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_BREAK_CHARS), max_size=16).map("".join), st.booleans(), st.booleans())
def test_segments_by_character_classes_are_the_pairwise_segments(text, latin_breaks, strict):
    assert textfit._segments.__wrapped__(text, latin_breaks, strict) == _segments_pairwise(text, latin_breaks, strict)


def test_segments_of_the_samples_texts_are_the_pairwise_segments():
    # a few texts as the score sheets hold them (hand-picked: brackets, a formula, spaces, CJK punctuation)
    for text in ("项目效益（15分）", "预算执行率=实际支出/实际到位资金×100%=32/40×100%+5", "计入）=(449.50万元",
                 "A 类（居民） 满意度 83%", "资金到位率 ≥ 90%，得满分；每低 1%扣 0.1 分。", "", "a"):
        for latin_breaks in (False, True):
            for strict in (False, True):
                assert textfit._segments(text, latin_breaks, strict) == _segments_pairwise(text, latin_breaks, strict)
