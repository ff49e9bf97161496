"""报告数据: the report's printed figures reconciled with the 五华 sample's evaluation (seed 004 figures)."""

import pytest

from perfeval_xl.core import schema
from perfeval_xl.core.reported import reconcile
from perfeval_xl.io.snapshot import read_snapshot
from perfeval_xl.pipeline import score_snapshot

from conftest import SAMPLES

WUHUA = SAMPLES / "五华区五个先锋奖励经费2023.xlsx"
HEADERS = [c.header for c in schema.REPORTED.columns]


@pytest.fixture(scope="module")
def snapshot():
    return read_snapshot(WUHUA)


def run(snapshot, rows, extra=None):
    snap = type(snapshot)(snapshot)
    snap["报告数据"] = [["说明"], HEADERS] + rows
    for sheet, more in (extra or {}).items():
        snap[sheet] = list(snap[sheet]) + more
    scored = score_snapshot(snap)
    return scored, reconcile(scored.evaluation)


def test_scores_totals_and_grades_of_units_and_project(snapshot):
    _, result = run(snapshot, [
        ["普吉", "C5", "", "4.96", "表8", ""],                 # 5×99.18%=4.96: agrees
        ["黑林铺", "C1", "", "8.83", "附件2-3", ""],           # 3.3 points per item: 3.09+2.32+3.30
        ["黑林铺", "", "总分", "88.46", "附件2", ""],
        ["黑林铺", "", "等级", "良", "表5", ""],
        ["普吉", "", "等级", "良", "（有意填错）", ""],          # 90.46 is 优
        ["", "", "总分", "90.69", "报告摘要", ""],
        ["", "", "等级", "优", "", ""],
        ["普吉", "产出", "", "39.46", "", ""],                 # 一级 subtotal of a unit
        ["", "C5", "", "4.95", "", ""],                       # project mean of an indicator
    ])
    assert result.checked == 9
    assert [(s.cell, s.unit, s.printed, s.expected) for s in result.slips] == [
        ("D4", "黑林铺", "8.83", "8.71"), ("D5", "黑林铺", "88.46", "88.34"), ("D7", "普吉", "良", "优"),
        ("D8", "", "90.69", "90.77")]
    hei, total, grade, project = result.slips
    assert hei.object == "黑林铺 C1 奖励发放人数情况 得分" and hei.source == "附件2-3"
    assert hei.message.endswith("合计：3.09+2.32+3.30=8.71")
    assert total.message == "总分=决策12.50+过程13.00+产出37.34+效益25.50=88.34"
    assert grade.message.endswith("90.46分不低于90分，为“优”")
    assert project.message == ("项目得分=(91.00+90.46+88.34+90.00+93.00+91.00+91.00+90.99+91.00+90.93)/10=90.77")
    assert list(result.findings) == []


def test_printed_integer_score_is_read_to_the_cent(snapshot):
    # 普吉 C5 is 4.96: a printed “5” is 5.00, a slip; the report's own rule gives 5×99.18%=4.96
    _, result = run(snapshot, [["普吉", "C5", "得分", "5", "", ""]])
    assert [(s.printed, s.expected) for s in result.slips] == [("5", "4.96")]
    assert result.slips[0].message.endswith("5×99.18%=4.96")


def test_values_at_printed_precision(snapshot):
    _, result = run(snapshot, [
        ["普吉", "奖励金发放完成率", "指标值", "99.18%", "", ""],   # 58.30/58.78 = 0.991834…
        ["普吉", "C5", "指标值", "99.2%", "", ""],               # one decimal: agrees too
        ["普吉", "发放完成率", "取值", "99.17%", "", ""],          # a slip
        ["黑林铺", "发放完成率", "取值", "0.9258", "", ""],        # a fraction, as Excel keeps 92.58%
    ])
    assert result.checked == 4
    assert [(s.cell, s.printed, s.expected) for s in result.slips] == [("D5", "99.17%", "99.18%")]
    assert result.slips[0].message == "发放完成率=58.30/58.78×100%=99.18%"


def test_amounts_are_converted_from_the_declared_unit(snapshot):
    # the sample declares 万元; 53.41万元 = 534,100元
    extra = {"其他数据": [["黑林铺", "实际发放金额", 53.41, "万元", "", "", ""]]}
    _, result = run(snapshot, [
        ["黑林铺", "数据(实际发放金额)", "取值", "53.41万元", "", ""],
        ["黑林铺", "数据(实际发放金额)", "取值", "534,100元", "", ""],
        ["黑林铺", "数据(实际发放金额)", "取值", "534,000元", "", ""],
        ["黑林铺", "发放完成率", "取值", "92.58万元", "", ""],
    ], extra)
    assert result.checked == 3
    assert [(s.cell, s.printed, s.expected) for s in result.slips] == [("D5", "534,000元", "534,100元")]
    assert [(f.cell, "不是金额" in f.message) for f in result.findings] == [("D6", True)]


def test_unknown_objects_and_units_are_errors_at_their_cells(snapshot):
    scored, result = run(snapshot, [
        ["普吉", "X9", "", "4", "", ""],
        ["普吉", "C5", "", "优", "", ""],
        ["外星", "C5", "", "4", "", ""],
        ["普吉", "", "", "4", "", ""],
        ["普吉", "C5", "", "", "", ""],
        ["普吉", "C1", "指标值", "100%", "", ""],   # scored by items: no single value
        ["普吉", "", "等级", "甲", "", ""],
    ])
    assert result.checked == 0 and result.slips == []
    errors = {(f.cell, f.severity) for f in result.findings}
    assert errors == {("B3", "error"), ("D4", "error"), ("B6", "error"), ("D7", "error"), ("B8", "error"),
                      ("D9", "error")}
    # the unknown unit is reported by the reader, at its cell, and the row is not compared
    assert any(f.sheet == "报告数据" and f.cell == "A5" for f in scored.findings.errors)


def test_rows_printing_a_figure_alike_are_each_compared_at_their_own_cells(snapshot):
    # a report prints a figure in several places: each row is counted and each wrong one is a slip at
    # its own cell with its own 出处 (the comparison of a figure with a text is made once per reconciliation)
    _, result = run(snapshot, [
        ["黑林铺", "", "总分", "88.46", "附件2", ""],     # 88.34 (test above): a slip
        ["黑林铺", "", "总分", "88.34", "表5", ""],       # agrees
        ["黑林铺", "", "总分", "88.46", "摘要", ""],      # the same slip again
        ["普吉", "C5", "", "优", "", ""],                 # an error, at each row that makes it
        ["普吉", "C5", "", "优", "", ""],
        ["黑林铺", "", "总分", 88.34, "", ""],            # a number: compared as its text, agrees
    ])
    assert result.checked == 4
    assert [(s.cell, s.printed, s.expected, s.source) for s in result.slips] == [
        ("D3", "88.46", "88.34", "附件2"), ("D5", "88.46", "88.34", "摘要")]
    assert result.slips[0].message == result.slips[1].message == "总分=决策12.50+过程13.00+产出37.34+效益25.50=88.34"
    assert [(f.cell, f.severity) for f in result.findings] == [("D6", "error"), ("D7", "error")]


def test_template_keeps_printed_figures_as_typed():
    # 报告值 is a text column in the template, so 4.50 and 99.20% keep their last zero (their precision)
    from openpyxl import load_workbook

    from conftest import ROOT

    ws = load_workbook(ROOT / "templates" / "绩效评价模板.xlsx")["报告数据"]
    column = [c.header for c in schema.REPORTED.columns].index("报告值")
    assert ws.column_dimensions["ABCDEF"[column]].number_format == "@"
    assert ws.cell(schema.HEADER_ROW + 1, column + 1).value == "报告值"


def test_sub_items_and_second_level_subtotals(snapshot):
    # 黑林铺 奖励发放人数情况 by the report's rule: 基层党建先锋 73/78 = 93.59 %, 3.3×93.59% = 3.09;
    # 产出数量 holds that one indicator: 3.09+2.32+3.30 = 8.71
    _, result = run(snapshot, [["黑林铺", "基层党建先锋", "指标值", "93.59%", "", ""],
                               ["黑林铺", "基层党建先锋", "得分", "3.09", "", ""],
                               ["黑林铺", "产出数量", "", "8.83", "附件2-4", ""]])
    assert result.checked == 3
    assert [(s.cell, s.printed, s.expected) for s in result.slips] == [("D5", "8.83", "8.71")]
    assert result.slips[0].message == "产出数量=奖励发放人数情况8.71=8.71"


# Two indicators, each with a 子项 named 2023年 (hand-made rows appended to the sample's 指标体系).
# Both 子项 are scored by 区间 on 上级资金占比, which the sample's A7 子项 scores ≥10% (0.5 of 0.5):
# X1/2023年 “≥10%:1；其他:0” gives 1.00 of 1, X2/2023年 “≥10%:2；其他:0” gives 2.00 of 2.
TWO_YEARS = [
    ["X1", "", "", "", "", "甲项目覆盖", "", 1.0, "子项合计", "", "", "", "", "", ""],
    ["X1", "", "", "", "", "", "2023年", 1.0, "区间", "≥10%:1；其他:0", "上级资金占比", "", "", "", ""],
    ["X2", "", "", "", "", "乙项目覆盖", "", 2.0, "子项合计", "", "", "", "", "", ""],
    ["X2", "", "", "", "", "", "2023年", 2.0, "区间", "≥10%:2；其他:0", "上级资金占比", "", "", "", ""],
]


def test_sub_item_named_under_its_indicator_code(snapshot):
    _, result = run(snapshot, [["普吉", "X2/2023年", "得分", "2.00", "", ""],       # documented form
                               ["普吉", "X2·2023年", "得分", "2", "", ""],          # the 评分表's form
                               ["普吉", "X1／2023年", "得分", "1.00", "", ""],      # full-width slash
                               ["普吉", "乙项目覆盖/2023年", "得分", "1.00", "", ""],  # by name: a slip (2.00)
                               ["普吉", "A7/上级资金占比", "得分", "0.50", "", ""]],
                    extra={"指标体系": TWO_YEARS})
    assert result.checked == 5 and list(result.findings) == []
    assert [(s.cell, s.printed, s.expected) for s in result.slips] == [("D6", "1.00", "2.00")]


def test_sub_item_name_shared_by_two_indicators_is_an_error_listing_them(snapshot):
    # landed code compared “2023年” with the first indicator's 2023年 row (X1: 1.00), a guess
    _, result = run(snapshot, [["普吉", "2023年", "得分", "2.00", "", ""],
                               ["普吉", "上级资金占比", "得分", "0.50", "", ""]],  # unique: still found by name
                    extra={"指标体系": TWO_YEARS})
    assert result.checked == 1 and result.slips == []
    (error,) = result.findings
    assert (error.severity, error.sheet, error.cell) == ("error", "报告数据", "B3")
    assert error.message == ("子项“2023年”在 2 个指标下都有：X1/2023年（甲项目覆盖）、X2/2023年（乙项目覆盖），"
                             "无法确定是哪一个；请写成“编码/子项”，如 X1/2023年")


def test_a_sub_item_has_no_project_score(snapshot):
    # landed: a 子项 without a unit (“基层党建先锋”, “C1·基层党建先锋”) was compared with C1's project mean, the
    # mean of the whole indicator, silently
    _, result = run(snapshot, [["", "C1/基层党建先锋", "得分", "3.09", "", ""],
                               ["", "基层党建先锋", "得分", "3.09", "", ""]])
    assert result.checked == 0 and result.slips == []
    message = "指标“C1·基层党建先锋”没有项目得分（它是子项，请写所属指标）"
    assert [(f.cell, f.message) for f in result.findings] == [("B3", message), ("B4", message)]
