"""The long-ledger paths (issue 22 item 4) give exactly what the row-by-row code gives: a unit's and
the project's 实际支出 read from the ledger's columns in sheet order, the ledger check's per-unit
totals, a whole amount column proved by its characters, and the guard's extent proved from a
sheet's ends.  Figures are computed by hand from the small ledger below."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest

from perfeval_xl.core import schema
from perfeval_xl.core.book import LONG_TABLE_ROWS, RowValues, normalise, read
from perfeval_xl.core.checks import ledger_matches_spending
from perfeval_xl.core.findings import Ref, column_letter, format_refs
from perfeval_xl.core.normalize import CellValueError, parse_cell, parse_column
from perfeval_xl.core.sources import CORE_SOURCES, Scope, spent_of
from perfeval_xl.io import sheet_scan
from snapshots import snapshot

INFO = {"项目名称": "测试项目", "评价形态": "分单位评价", "金额单位": "元"}
UNITS = [{"单位全称": "甲街道办事处", "单位简称": "甲"}, {"单位全称": "乙街道办事处", "单位简称": "乙"}]
FUNDS = [{"单位简称": "甲", "预算数": "100", "实际到位": "100", "实际支出": "60"},
         {"单位简称": "乙", "预算数": "100", "实际到位": "100", "实际支出": "30"}]
# the units' rows interleaved (甲 on sheet rows 3, 5, 7; 乙 on 4, 6 and 8, blank), 乙 written with spaces once
LEDGER = [{"单位简称": "甲", "支付日期": "2024-01-05", "金额": "10.50"},
          {"单位简称": "乙", "支付日期": "2024-01-06", "金额": "20"},
          {"单位简称": "甲", "支付日期": "2024-02-05", "金额": "30.25"},
          {"单位简称": " 乙 ", "支付日期": "2024-02-06", "金额": "9.75"},
          {"单位简称": "甲", "支付日期": "2024-03-05", "金额": "19.25"},
          {"单位简称": "乙", "支付日期": "2024-03-06", "金额": None}]
INDICATORS = [{"编码": "A1", "一级指标": "决策", "一级分值": 100, "二级指标": "资金", "二级分值": 100, "三级指标": "制度",
               "分值": 100, "评分方法": "人工"}]
TABLES = {"单位名单": UNITS, "资金情况": FUNDS, "支出明细": LEDGER, "指标体系": INDICATORS,
          "评分录入": [{"指标编码": "A1", "得分": 100}]}


def _book():
    book, _ = read(snapshot(INFO, TABLES))
    return normalise(book)[0]


def test_a_units_and_the_projects_spending_from_the_ledger_columns():
    book = _book()
    # 甲: 10.50 + 30.25 + 19.25 = 60.00 on E3, E5, E7; 乙: 20 + 9.75 = 29.75 on E4, E6 (E8 blank)
    for unit, amount, rows in (("甲", D("60.00"), [2, 4, 6]), ("乙", D("29.75"), [3, 5]),
                               (None, D("89.75"), [2, 3, 4, 5, 6])):
        scope = Scope(book, unit, CORE_SOURCES)
        total, cells = spent_of(scope)
        assert total == amount and cells == [Ref("支出明细", r, 4) for r in rows]
        # the same as the row-by-row total over the scope's rows, with and without cells
        assert scope.total(scope.rows(schema.LEDGER), "amount", schema.LEDGER, "实际支出") == (total, cells)
        assert spent_of(Scope(book, unit, CORE_SOURCES), refs=False) == (amount, [])
    assert format_refs(spent_of(Scope(book, None, CORE_SOURCES))[1]) == "支出明细!E3:E7"


def test_without_a_blank_amount_the_units_and_the_project_name_the_same_cell_objects():
    # the ledger above without its blank last row: 甲 on E3, E5, E7, 乙 on E4, E6, the project on E3:E7; each unit's
    # cells are the project's very Ref objects (made once for the column), and what the row-by-row total names
    book, _ = read(snapshot(INFO, dict(TABLES, 支出明细=LEDGER[:-1])))
    book = normalise(book)[0]
    project = spent_of(Scope(book, None, CORE_SOURCES))[1]
    assert project == [Ref("支出明细", r, 4) for r in (2, 3, 4, 5, 6)]
    for unit, places in (("甲", (0, 2, 4)), ("乙", (1, 3))):
        scope = Scope(book, unit, CORE_SOURCES)
        total, cells = spent_of(scope)
        assert cells == scope.total(scope.rows(schema.LEDGER), "amount", schema.LEDGER, "实际支出")[1]
        assert all(cell is project[i] for cell, i in zip(cells, places, strict=True))
    assert spent_of(Scope(book, "乙", CORE_SOURCES))[0] == D("29.75")  # 20 + 9.75


def test_a_unit_whose_ledger_amounts_are_all_blank_is_refused_at_its_first_row():
    tables = dict(TABLES, 支出明细=[dict(row, 金额=None) if row["单位简称"].strip() == "乙" else row for row in LEDGER])
    book, _ = read(snapshot(INFO, tables))
    normalised = normalise(book)[0]  # held: a scope refers to its book weakly
    with pytest.raises(Exception) as info:
        spent_of(Scope(normalised, "乙", CORE_SOURCES))
    assert "支出明细" in str(info.value) and "金额" in str(info.value) and info.value.ref == Ref("支出明细", 3, 4)


def test_the_ledger_check_sums_each_unit_in_sheet_order():
    found = ledger_matches_spending(_book())
    # 甲 60.00 = 资金情况 60: no warning; 乙 29.75 vs 30: the difference 0.25 at 乙's 实际支出
    # (资金情况 column F: 单位简称, 预算数, 实际到位, 及时到位, 应到位, 实际支出; 乙 on row 4)
    assert [(f.sheet, f.cell) for f in found] == [("资金情况", "F4")]
    message = next(iter(found)).message
    assert "29.75" in message and "0.25" in message


TRICKY = ["1.2.3", "+", "-", ".", "", " 1", "1 ", "1_000", "1e5", "NaN", "Infinity", "１２", "1,000", "--1", "+-1"]


@pytest.mark.parametrize("odd", TRICKY)
def test_a_text_amount_column_with_one_odd_cell_reads_as_cell_by_cell(odd):
    values = ["12.50", odd, "-3", "+.5", "7."]
    expected, errors = [], {}
    for i, value in enumerate(values):
        try:
            expected.append(parse_cell("amount", value))
        except CellValueError as exc:
            errors[i] = str(exc)
            expected.append(None)
    got, got_errors = parse_column("amount", values)
    assert [(type(v), v) for v in got] == [(type(v), v) for v in expected]
    assert {i: str(e) for i, e in got_errors.items()} == errors


@pytest.mark.parametrize("text", ["1", "9", "10", "99", "100", "1234", "100002", "1048576"])
def test_numbers_at_most(text):
    pattern = re.compile(sheet_scan._at_most(text, "0", "9", "1") + "$")
    limit = int(text)
    assert [n for n in range(1, limit * 3 + 20) if pattern.match(str(n))] == list(range(1, limit + 1))


@pytest.mark.parametrize("letters", ["A", "F", "Z", "AA", "AZ", "CF", "ZZ"])
def test_column_letters_at_most(letters):
    pattern = re.compile(sheet_scan._at_most(letters, "A", "Z", "A") + "$")
    last = sheet_scan.column_index(letters)
    assert [c for c in range(0, 18278) if pattern.match(column_letter(c))] == list(range(last + 1))


# 应付日期 of the rows above: 甲 pays on 01-05 (due 01-10: on time), 02-05 (due 02-01: late), 03-05 (no due date:
# on time); 乙 pays on 01-06 (due 01-06, the same day: on time), 02-06 (due 01-31: late), 03-06 (no amount)
DUE = ["2024-01-10", "2024-01-06", "2024-02-01", "2024-01-31", None, None]


@pytest.mark.parametrize("copies", [1, 2000])  # 2,000 copies: 12,000 rows, a long table (its rows are RowValues)
def test_payment_timeliness_sums_what_was_paid_by_its_due_date(copies):
    ledger = [dict(row, 应付日期=due) for row, due in zip(LEDGER, DUE)] * copies
    book, _ = read(snapshot(INFO, dict(TABLES, 支出明细=ledger)))
    book = normalise(book)[0]
    assert (type(book.rows(schema.LEDGER)[0].values) is RowValues) == (len(ledger) >= LONG_TABLE_ROWS)
    # 甲: (10.50 + 19.25) / 60.00 = 49.58 %; 乙: 20.00 / 29.75 = 67.23 %; project: 49.75 / 89.75 = 55.43 %
    for unit, on_time, total, rate in (("甲", "29.75", "60.00", "0.4958"), ("乙", "20.00", "29.75", "0.6723"),
                                       (None, "49.75", "89.75", "0.5543")):
        value = Scope(book, unit, CORE_SOURCES).resolve("支付及时率")
        on_time_sum, total_sum = D(on_time) * copies, D(total) * copies
        assert value.amount == D(rate)
        assert value.text == f"支付及时率={on_time_sum:,.2f}/{total_sum:,.2f}×100%={D(rate) * 100:.2f}%"
