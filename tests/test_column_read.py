"""The column-wise reader of long tables (:func:`parse_column`, the table reader built on it)
gives exactly what the cell-by-cell reader gives: the same values (Decimal to the cent, no
binary noise), the same errors at the same cells, in the same order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval_xl.core import book, schema
from perfeval_xl.core.findings import Findings, Ref
from perfeval_xl.core.normalize import (
    KIND_HINTS, CellValueError, ExcelErrorValue, UncachedFormula, parse_cell, parse_column,
)

#: cells a ledger may hold: each fast path's usual case, and everything next to it
HOSTILE = [
    None, "", " ", "\u3000", "\t\n", 0, 1, -1, 0.0, -0.0, 0.1 + 0.2, 2.675, 1e-7, 1e15, -1e15, 999999999999999,
    10 ** 15, 10 ** 30, 123456789012345678901234567890, float("inf"), float("-inf"), float("nan"), 1e300,
    True, False, "12", "12.50", "-3.10", "+4", "1.", ".5", "0.1", "00012", "1e3", "1E+3", " 12", "12 ", "1 2",
    "660,000.00", "660,00", "１２３", "１２.５", "٣", "²", "12元", "1.2万", "3亿元", "26%", "(12)", "¥5", "-", "无",
    "abc", "12abc", "1000000000000000", "999999999999999.99", "#DIV/0!", " #N/A ", "#REF!", "#NAME?",
    ExcelErrorValue("#VALUE!"), UncachedFormula("=SUM(A1:A3)"), dt.date(2024, 5, 31), dt.date(1980, 1, 1),
    dt.date(2101, 1, 1), dt.datetime(2024, 5, 31, 13, 45), dt.datetime(1900, 1, 1), dt.time(12, 0),
    45443, 45443.75, 0.5, 3000000, "45443", "2024-05-31", "2024年5月31日", "20240531", "2024/2/30",
    "永顺里", " 永顺里 ", "永\u3000顺里", "\u3000永顺里\u3000", "记-000001", "服务 费", "a\nb", "Ⅻ", "ｶﾀｶﾅ",
    Decimal("12.345"), Decimal("NaN"),
]
KINDS = ["text", "literal", "amount", "date", "number", "integer", "percent", "years", "choice"]
CHOICES = ("是", "否")


def cell_by_cell(kind, values, unit):
    out, errors = [], {}
    for i, value in enumerate(values):
        try:
            out.append(parse_cell(kind, value, declared_unit=unit, choices=CHOICES))
        except CellValueError as exc:
            errors[i] = str(exc)
            out.append(None)
    return out, errors


def same(a, b) -> bool:
    """Equal, and of the same type and (for Decimals) the same digits: 12.50 is not 12.5."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Decimal):
        return a.as_tuple() == b.as_tuple()
    return a == b


@pytest.mark.parametrize("unit", ["元", "万元"])
@pytest.mark.parametrize("kind", KINDS)
def test_parse_column_matches_parse_cell_on_hostile_cells(kind, unit):
    values, errors = parse_column(kind, HOSTILE, declared_unit=unit, choices=CHOICES)
    expected, expected_errors = cell_by_cell(kind, HOSTILE, unit)
    assert {i: str(e) for i, e in errors.items()} == expected_errors
    for raw, got, want in zip(HOSTILE, values, expected):
        assert same(got, want), (kind, raw, got, want)


def test_fast_paths_keep_exact_decimals():
    values, errors = parse_column("amount", [0.1 + 0.2, 2.675, "4969.55", 10 ** 15, "1000000000000000", 3],
                                  declared_unit="元")
    assert values[:3] == [Decimal("0.30000000000000004"), Decimal("2.675"), Decimal("4969.55")]
    assert str(values[2]) == "4969.55" and values[5] == Decimal(3)
    assert sorted(errors) == [3, 4] and "过大" in str(errors[3])
    dates, errors = parse_column("date", [dt.datetime(2024, 5, 31, 9), dt.date(1989, 12, 31)])
    assert dates == [dt.date(2024, 5, 31), None] and type(dates[0]) is dt.date and "1990" in str(errors[1])


cells = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 17, 10 ** 17), st.floats(allow_nan=True),
                  st.text(alphabet="0123456789.,-+ 万元%１２\u3000#DIV/0!ab", max_size=12),
                  st.dates(dt.date(1900, 1, 1), dt.date(2200, 1, 1)), st.sampled_from(HOSTILE))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(KINDS), st.lists(cells, max_size=30))
def test_parse_column_matches_parse_cell_on_random_cells(kind, column):
    values, errors = parse_column(kind, column, declared_unit="元", choices=CHOICES)
    expected, expected_errors = cell_by_cell(kind, column, "元")
    assert {i: str(e) for i, e in errors.items()} == expected_errors
    assert all(same(a, b) for a, b in zip(values, expected))


def _read_cell_by_cell(rows, sheet, unit):
    """The table reader as it was, one cell at a time (the reference for the column reader)."""
    findings = Findings()
    header_row, cols = book._header_row(rows, sheet)
    records, carried = [], {}
    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        if all(book.is_blank(v) for v in row):
            continue
        values, invalid = {}, set()
        for column in sheet.columns:
            c = cols.get(column.key)
            raw = row[c] if c is not None and c < len(row) else None
            try:
                value = parse_cell(column.kind, raw, declared_unit=unit, choices=column.choices)
            except CellValueError as exc:
                findings.error(Ref(sheet.name, r, c), f"“{column.header}”{exc}；应填写{KIND_HINTS[column.kind]}")
                invalid.add(column.key)
                value = None
            if column.fill_down:
                if value is None:
                    value = carried.get(column.key)
                else:
                    carried[column.key] = value
            values[column.key] = value
        # the row as read is kept only for a sheet whose columns the schema cannot declare (问卷计数…)
        records.append((r, values, frozenset(invalid), tuple(row) if sheet.dynamic_columns else ()))
    return records, [(f.severity, f.sheet, f.cell, f.message) for f in findings.frozen()]


def _sheet_with(rows):
    return [["说明"], ["单位简称", "支付日期", "凭证号", "摘要", "金额", "应付日期"], *rows]


@pytest.mark.parametrize("sheet_name", ["支出明细", "资金情况", "产出情况", "问卷计数"])
def test_table_reader_matches_the_cell_by_cell_reader(sheet_name):
    sheet = next(s for s in schema.TABLE_SHEETS if s.name == sheet_name)
    headers = [c.header for c in sheet.columns]
    n = len(HOSTILE)
    rows = [["说明"], headers]
    for i in range(3 * n):  # every hostile value in every column, some rows short, some blank
        row = [HOSTILE[(i + k * 7) % n] for k in range(len(headers))]
        rows.append(row[: len(headers) - (i % 4 == 3)] if i % 5 else [None, "", " "])
    rows.append(["", ""] + ["x"] * (len(headers) + 2))  # wider than the header
    for unit in ("元", "万元"):
        findings = Findings()
        table = book._read_table({sheet_name: rows}, sheet, unit, findings)
        expected, expected_findings = _read_cell_by_cell(rows, sheet, unit)
        got_findings = [(f.severity, f.sheet, f.cell, f.message) for f in findings.frozen()]
        assert got_findings[len(got_findings) - len(expected_findings):] == expected_findings
        assert len(table.records) == len(expected) > n
        for record, (r, values, invalid, raw) in zip(table.records, expected):
            assert (record.sheet, record.row, record.invalid, record.raw) == (sheet_name, r, invalid, raw)
            assert list(record.values) == list(values)
            assert all(same(record.values[k], values[k]) for k in values), (r, record.values, values)


@pytest.mark.parametrize("blank_every", [0, 3, 1])
@pytest.mark.parametrize("data_rows", [0, 1, 2, 40])
def test_table_reader_of_rows_all_as_wide_matches_the_cell_by_cell_reader(data_rows, blank_every):
    """Rows all as wide as the sheet (as an adapter reads it), blank rows among them or not (every other
    row, every fourth), a single data row kept, none: the columns taken at once give what the
    cell-by-cell reader gives."""
    sheet = next(s for s in schema.TABLE_SHEETS if s.name == "支出明细")
    headers = [c.header for c in sheet.columns] + ["多余"]
    n = len(HOSTILE)
    rows = [["说明"] + [""] * (len(headers) - 1), headers]
    for i in range(data_rows):
        blank = blank_every and i % (blank_every + 1) == 0
        rows.append(["", None, " ", "", "\u3000", None, ""] if blank else
                    [HOSTILE[(i + k * 5) % n] for k in range(len(headers))])
    assert set(map(len, rows)) == {len(headers)}
    for unit in ("元", "万元"):
        findings = Findings()
        table = book._read_table({"支出明细": rows}, sheet, unit, findings)
        expected, expected_findings = _read_cell_by_cell(rows, sheet, unit)
        got_findings = [(f.severity, f.sheet, f.cell, f.message) for f in findings.frozen()]
        assert got_findings[len(got_findings) - len(expected_findings):] == expected_findings
        assert len(table.records) == len(expected)
        for record, (r, values, invalid, raw) in zip(table.records, expected):
            assert (record.sheet, record.row, record.invalid, record.raw) == ("支出明细", r, invalid, raw)
            assert type(record.raw) is tuple and type(record.row) is int
            assert all(same(record.values[k], values[k]) for k in values), (r, record.values, values)


PLAIN_TEXTS = ["永顺里", " 永顺里 ", "记-000001", "服务 费", "a\nb", "Ⅻ", "12", "x"]
UNIFORM = {  # columns of one sort of cell, read at once; each with one cell that is not usual
    "texts": (PLAIN_TEXTS, ["\u3000永顺里", "永\u3000顺里", " #DIV/0! ", "#N/A", "", " ", 3]),
    "texts and blanks": (PLAIN_TEXTS + [None, None], ["\u3000", ExcelErrorValue("#REF!"), UncachedFormula("=A1")]),
    "digit amounts": (["12", "12.50", "-3.10", "+4", "1.", ".5", "00012", "4969.55"],
                      ["1000000000000000", "-1000000000000000", "１２", " 12", "1e3", "12元", "", None]),
    "number amounts": ([0, 1, -1, 0.0, -0.0, 0.1 + 0.2, 2.675, 999999999999999, 1e-7, 45443.75],
                       [float("nan"), float("inf"), 1e15, -10 ** 15, True, "5"]),
    "dates": ([dt.date(2024, 5, 31), dt.date(1990, 1, 1), dt.date(2100, 12, 31)],
              [dt.date(1989, 12, 31), dt.date(2101, 1, 1), dt.datetime(2024, 5, 31, 9), None, "2024-05-31"]),
    # a small sheet's columns: whole numbers typed as numbers, choices, each among blank cells
    "whole numbers": ([1.0, 2.0, 0, -3, 45443.0, -0.0, 999999999999999.0],
                      [1.5, float("nan"), 1e15, True, "5", ""]),
    "choices": (["是", "否", " 是 ", "是", ""], ["可能", " #N/A ", None, 3, UncachedFormula("=A1"), "是否"]),
    "digit amounts among blanks": (["12", "", "4.5", None, "", "-999999999999999"],
                                   [" ", "1e3", "１２", "1000000000000000", ExcelErrorValue(""), UncachedFormula("")]),
    "numbers among blanks": ([26.0, "", 0.5, None, 3, ""], [" ", float("inf"), "#DIV/0!", 1e16, False]),
    "dates among blanks": ([dt.date(2024, 5, 31), "", None], [dt.date(1980, 1, 1), "2024-05-31", "\t"]),
    "texts read twice": (["100%", "70%", "100%", "2024-05-31", "2024-05-31", "1.2万", "1.2万", "2021-2024"],
                         ["abc", "abc", "120%", "#REF!"]),
}


@pytest.mark.parametrize("unit", ["元", "万元"])
@pytest.mark.parametrize("name", sorted(UNIFORM))
@pytest.mark.parametrize("kind", KINDS)
def test_whole_columns_match_parse_cell(kind, name, unit):
    usual, odd = UNIFORM[name]
    for column in [usual * 3] + [usual * 2 + [cell] + usual for cell in odd]:
        values, errors = parse_column(kind, column, declared_unit=unit, choices=CHOICES)
        expected, expected_errors = cell_by_cell(kind, column, unit)
        assert {i: str(e) for i, e in errors.items()} == expected_errors, (kind, column)
        assert all(same(a, b) for a, b in zip(values, expected)), (kind, column, values, expected)
        assert len(values) == len(column)


def _format_refs_as_it_was(refs, limit=8):
    """format_refs before it spelt out only the pieces it shows (the reference)."""
    from perfeval_xl.core.findings import cell_name

    by_sheet = {}
    for ref in refs:
        by_sheet.setdefault(ref.sheet, {}).setdefault(ref.col, set()).add(ref.row)
    parts = []
    for sheet, columns in by_sheet.items():
        pieces = []
        for col in sorted(columns):
            rows = sorted(columns[col])
            start = prev = rows[0]
            for row in rows[1:] + [None]:
                if row is not None and row == prev + 1:
                    prev = row
                    continue
                pieces.append(cell_name(start, col) if start == prev else f"{cell_name(start, col)}:{cell_name(prev, col)}")
                if row is not None:
                    start = prev = row
        shown = "、".join(pieces[:limit]) + (f" 等 {len(pieces)} 处" if len(pieces) > limit else "")
        parts.append(f"{sheet}!{shown}")
    return "；".join(parts)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["支出明细", "资金情况", "评分录入"]), st.integers(0, 40), st.integers(0, 5)),
                max_size=60), st.integers(1, 10))
def test_format_refs_spells_the_same_cells(cells, limit):
    from perfeval_xl.core.findings import format_refs

    refs = [Ref(*cell) for cell in cells]
    assert format_refs(refs, limit) == _format_refs_as_it_was(refs, limit)
    assert format_refs(iter(refs), limit) == _format_refs_as_it_was(refs, limit)
