"""The per-file review's quicker paths give what the plain ones gave: table records, the header row,
报告数据 rows naming the same figure, satisfaction over all units, the forms' first look at a row."""

from decimal import Decimal as D

import pytest

from perfeval_xl.core import schema
from perfeval_xl.core.book import _header_row, _row_dicts
from perfeval_xl.core.reported import reconcile
from perfeval_xl.forms.layouts import _NEEDED_CHARACTERS, _SHARED_CHARACTERS, recognise
from perfeval_xl.io.snapshot import read_snapshot
from perfeval_xl.pipeline import score_snapshot
from perfeval_xl.survey.model import Option, Question, SurveyClass, Tally
from perfeval_xl.survey.tally import _grouped_pairs

from conftest import SAMPLES

WUHUA = SAMPLES / "五华区五个先锋奖励经费2023.xlsx"


def test_row_dicts_are_one_dict_per_row_in_key_order():
    # one dict per row, the keys in order; a key given twice keeps its first place and its last value
    assert _row_dicts(["a"], [[1, 2]], 2) == [{"a": 1}, {"a": 2}]
    made = _row_dicts(["a", "b", "c"], [[1, 2], [3, 4], [5, 6]], 2)
    assert made == [{"a": 1, "b": 3, "c": 5}, {"a": 2, "b": 4, "c": 6}]
    assert [list(d) for d in made] == [["a", "b", "c"]] * 2
    twice = _row_dicts(["a", "b", "a"], [[1], [2], [3]], 1)
    assert twice == [{"a": 3, "b": 2}] and list(twice[0]) == ["a", "b"]
    assert _row_dicts(["a", "b"], [[], []], 0) == []
    assert _row_dicts([], [], 3) == [{}, {}, {}]  # a table of no known column: a record per kept row still


def test_header_row_is_the_first_naming_most_columns():
    sheet = schema.UNITS
    headers = [c.header for c in sheet.columns]
    every = {c.key: i for i, c in enumerate(sheet.columns)}
    # row 0 names one column, row 1 every column, row 2 every column again: row 1 (the first of the most)
    assert _header_row([["说明", headers[0]], headers, headers], sheet) == (1, every)
    # a later row naming more than an earlier one is chosen
    assert _header_row([headers[:1], headers[:2], headers], sheet) == (2, every)
    # a column named twice in the row: its first cell
    assert _header_row([headers + [headers[0]]], sheet) == (0, every)


@pytest.fixture(scope="module")
def snapshot():
    return read_snapshot(WUHUA)


def test_rows_naming_the_same_figure_are_each_compared(snapshot):
    snap = type(snapshot)(snapshot)
    snap["报告数据"] = [["说明"], [c.header for c in schema.REPORTED.columns],
                      ["普吉", "C5", "", "4.96", "", ""],      # 5×99.18%=4.96 (seed 004): agrees
                      ["普吉", "C5", "", "5", "", ""],         # the same figure printed 5, read 5.00: a slip
                      ["普吉", "C5", "", "4.96", "", ""],      # agrees again
                      ["普吉", "无此指标", "", "1", "", ""],    # names nothing: an error at its cell
                      ["普吉", "无此指标", "", "1", "", ""],    # and again at the next one
                      ["普吉", "产出", "", "39.46", "", ""],   # 普吉's 一级 产出 subtotal (seed 004)
                      ["普吉", "产出", "", "39.47", "", ""]]   # the same subtotal misprinted
    result = reconcile(score_snapshot(snap).evaluation)
    assert result.checked == 5
    assert [(s.cell, s.printed, s.expected) for s in result.slips] == [("D4", "5", "4.96"), ("D9", "39.47", "39.46")]
    assert result.slips[0].message.endswith("5×99.18%=4.96")
    assert result.slips[1].message.startswith("产出=")
    assert [(f.cell, f.message.startswith("对象“无此指标”不是")) for f in result.findings] == [("B6", True), ("B7", True)]


def test_satisfaction_pairs_over_all_units_count_a_unit_listed_twice_twice():
    # options A and C share the rate 1 (C writes it 1.00: the rate as first written is kept), B is 0.5
    question = Question(1, "满意吗", (Option("A", "满意", D("1")), Option("B", "一般", D("0.5")),
                                      Option("C", "很满意", D("1.00"))))
    survey_class = SurveyClass("A", "群众", D("1"), (question,))
    tally = Tally("A", units=["甲", "乙", "甲"], counts={
        (1, "A", "甲"): 2, (1, "B", "甲"): 1, (1, "C", "甲"): 3,
        (1, "A", "乙"): 4, (1, "B", "乙"): 0, (1, "C", "乙"): 1,
        (1, "A", "丙"): 9})  # 丙 is not one of the tally's units: not counted
    # all units: rate 1 is (2+3) for 甲, (4+1) for 乙, (2+3) for 甲 again = 15; rate 0.5 is 1+0+1 = 2
    pairs = _grouped_pairs(survey_class, tally, None)
    assert pairs == [(15, D("1")), (2, D("0.5"))] and str(pairs[0][1]) == "1"
    # one unit: 乙 has 4+1 at rate 1 and 0 at 0.5
    assert _grouped_pairs(survey_class, tally, "乙") == [(5, D("1")), (0, D("0.5"))]


def test_forms_first_look_for_the_characters_every_layout_needs():
    # every funds header reads 预算执行 (预算执行率, 预算执行情况) whatever words name its columns
    assert set(_SHARED_CHARACTERS) == {"预", "算", "执", "行"}
    assert all(set(_SHARED_CHARACTERS) <= needed for needed in _NEEDED_CHARACTERS)
    assert recognise(["项目名称", "社区服务", "年初预算数", "全年完成数"]) == []  # neither 执 nor 行: no layout's


# --- a long table's records hold their values as RowValues: the same mapping as the dict -------------

def test_row_values_read_as_the_row_dicts():
    import pickle
    from collections.abc import Mapping

    from perfeval_xl.core.book import RowValues, _row_values

    for keys, columns, n in ((["a"], [[1, 2]], 2), (["a", "b", "c"], [[1, 2], [3, 4], [5, 6]], 2),
                             (["a", "b", "a"], [[1], [2], [3]], 1), (["a", "b"], [[], []], 0)):
        made, dicts = _row_values(keys, columns, n), _row_dicts(keys, columns, n)
        assert made == dicts and dicts == made and all(type(v) is RowValues for v in made)
        for values, plain in zip(made, dicts):
            assert list(values) == list(plain) and len(values) == len(plain) and isinstance(values, Mapping)
            assert list(values.keys()) == list(plain) and values.values() == list(plain.values())
            assert values.items() == list(plain.items()) and {**values} == plain and repr(values) == repr(plain)
            assert all(values[k] == plain[k] and values.get(k) == plain[k] and k in values for k in plain)
            assert values.get("z") is None and values.get("z", 7) == 7 and "z" not in values
            assert not values != plain and values != {**plain, "z": 1}
            assert pickle.loads(pickle.dumps(values)) == plain
    # a key given twice: its first place, its last value (as dict(zip(keys, row)) keeps it)
    assert list(_row_values(["a", "b", "a"], [[1], [2], [3]], 1)[0].items()) == [("a", 3), ("b", 2)]
    with pytest.raises(KeyError):
        _row_values(["a"], [[1]], 1)[0]["b"]
    with pytest.raises(TypeError):
        hash(_row_values(["a"], [[1]], 1)[0])  # unhashable, as a dict


def test_every_table_read_as_row_values_scores_as_with_dicts(monkeypatch):
    """The 五华 sample scored with every table's values as RowValues (the long-table layout, here at one
    row) gives what the dicts give: every score, every finding; and each column the book keeps (from the
    columns as read) is each record's value."""
    from perfeval_xl.core import book
    from perfeval_xl.core.book import RowValues, column_values

    def scored():
        done = score_snapshot(read_snapshot(WUHUA))
        return done.evaluation.units, [(f.severity, f.sheet, f.cell, f.message) for f in done.findings], done.evaluation.book

    plain_scores, plain_findings, _ = scored()
    monkeypatch.setattr(book, "LONG_TABLE_ROWS", 1)
    scores, findings, read = scored()
    assert scores == plain_scores and repr(scores) == repr(plain_scores) and findings == plain_findings
    for sheet in schema.TABLE_SHEETS:
        records = read.rows(sheet)
        assert all(type(r.values) is RowValues for r in records)
        for column in sheet.columns:
            expected = [r.values.get(column.key) for r in records]
            assert list(read.column(sheet, column.key)) == expected == column_values(records, column.key)
