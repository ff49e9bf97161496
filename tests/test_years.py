"""Issue 10 item 4: 资金情况 and 产出情况 rows take a 年度; value sources per year and over all years;
评价年度 accepts a range.  Values computed by hand."""

from decimal import Decimal as D

import pytest

from perfeval_xl.core.normalize import CellValueError, YearRange, parse_years
from perfeval_xl.pipeline import score_snapshot
from snapshots import snapshot

INFO = {"项目名称": "两年的道路项目", "评价形态": "整体评价", "金额单位": "万元", "评价年度": "2023-2024"}
UNITS = [{"单位全称": "甲子项目", "单位简称": "甲"}, {"单位全称": "乙子项目", "单位简称": "乙"}]
FUNDS = [  # rows 3 … 6
    {"单位简称": "甲", "年度": 2023, "预算数": 40, "实际到位": 40, "实际支出": 30},
    {"单位简称": "甲", "年度": 2024, "预算数": 20, "实际到位": 20, "实际支出": 20},
    {"单位简称": "乙", "年度": 2023, "预算数": 30, "实际到位": 24, "实际支出": 24},
    {"单位简称": "乙", "年度": 2024, "预算数": 10, "实际到位": 10, "实际支出": 6},
]
OUTPUTS = [{"单位简称": "甲", "年度": 2023, "产出名称": "道路", "计划数": 10, "实际数": 9},
           {"单位简称": "甲", "年度": 2024, "产出名称": "道路", "计划数": 10, "实际数": 10}]


def indicator(code, weight, kind, params, source=""):
    return {"编码": code, "一级指标": "过程", "二级指标": "资金", "三级指标": f"指标{code}", "分值": weight,
            "评分方法": kind, "规则参数": params, "取值来源": source}


def evaluate(rows, derived=(), info=INFO):
    scored = score_snapshot(snapshot(info, {"单位名单": UNITS, "资金情况": FUNDS, "产出情况": OUTPUTS,
                                            "派生指标": list(derived), "指标体系": rows}))
    return scored.evaluation, scored.findings


def by_code(ev):
    return {s.code: s for s in ev.units[0].indicators}


def test_value_sources_per_year_and_over_all_years():
    rows = [indicator("A1", 25, "比率", "", "资金到位率"), indicator("A2", 25, "比率", "", "资金到位率(2023年)"),
            indicator("A3", 25, "比率", "", "预算执行率(2024年)"), indicator("A4", 25, "比率", "", "实际完成率(道路,2023年)")]
    ev, findings = evaluate(rows)
    assert list(findings) == []
    s = by_code(ev)
    # all years: (40+20+24+10)/(40+20+30+10) = 94/100
    assert s["A1"].process.startswith("资金到位率=94.00/100.00×100%=94.00%；")
    # 2023: (40+24)/(40+30) = 64/70 = 91.43%; 25 × 91.43% = 22.8575 ≈ 22.86
    assert s["A2"].process.startswith("2023年资金到位率=64.00/70.00×100%=91.43%；") and s["A2"].score == D("22.86")
    assert {str(r) for r in s["A2"].value.refs} == {"资金情况!C3", "资金情况!C5", "资金情况!B3", "资金情况!B5"}
    # 2024: (20+6)/(20+10) = 86.67%; 25 × 86.67% = 21.6675 ≈ 21.67
    assert s["A3"].value.amount == D("0.8667") and s["A3"].score == D("21.67")
    # 道路 in 2023: 9/10
    assert s["A4"].process.startswith("2023年实际完成率=9/10×100%=90.00%；") and s["A4"].score == D("22.50")


def test_a_trend_and_a_mean_over_years():
    rows = [indicator("A1", 50, "趋势", "2023=资金到位率(2023年)；2024=资金到位率(2024年)；要求=逐年提升"),
            indicator("A2", 50, "区间", "≥95%:50；其他:0", "年均到位率")]
    derived = [{"名称": "年均到位率", "计算方式": "平均", "表达式": "资金到位率(2023年)；资金到位率(2024年)"}]
    ev, findings = evaluate(rows, derived)
    assert list(findings) == []
    s = by_code(ev)
    assert s["A1"].score == D("50.00") and "2023年91.43%→2024年100.00%（提升）" in s["A1"].process
    # (91.43% + 100.00%) / 2 = 95.715% → 95.72%
    assert "年均到位率=(91.43%+100.00%)÷2=95.72%" in s["A2"].process and s["A2"].score == D("50.00")
    # the trend's years are traced to their cells (item 9)
    assert {"资金情况!C3", "资金情况!C6"} <= {str(r) for r in s["A1"].inputs}


def test_a_year_without_rows_is_missing_data():
    ev, findings = evaluate([indicator("A1", 100, "比率", "", "资金到位率(2022年)")])
    assert [f.message for f in findings.errors] == ["项目整体：指标 A1指标A1：“资金情况”中没有项目整体2022年的数据"]


def test_a_unit_amount_in_a_year():
    derived = [{"名称": "执行率", "计算方式": "合计比", "表达式": "(实际支出(甲,2024年)+实际支出(乙,2024年))÷(预算数(甲,2024年)+预算数(乙,2024年))"}]
    ev, findings = evaluate([indicator("A1", 100, "比率", "", "执行率")], derived)
    assert list(findings) == []
    # (20 + 6) / (20 + 10) = 86.67%
    assert "执行率=(20+6)/(20+10)×100%=26/30×100%=86.67%" in by_code(ev)["A1"].process


@pytest.mark.parametrize("text, expected", [
    ("2021-2024", YearRange(2021, 2024)), ("2021年—2024年", YearRange(2021, 2024)), ("2021至2024年度", YearRange(2021, 2024)),
    ("2024", D(2024)), ("2024年", D(2024)), (2024, D(2024)),
])
def test_parse_years(text, expected):
    assert parse_years(text) == expected


def test_evaluation_years_as_a_range_and_errors():
    assert evaluate([indicator("A1", 100, "比率", "", "资金到位率")])[0].book.info["year"] == YearRange(2023, 2024)
    with pytest.raises(CellValueError, match="起止年份颠倒或相同"):
        parse_years("2024-2021")
    ev, findings = evaluate([indicator("A1", 100, "比率", "", "资金到位率")], info=dict(INFO, 评价年度="2024-2021"))
    (error,) = findings.errors
    assert (error.sheet, error.message) == (
        "项目信息", "“评价年度”填写的“2024-2021”起止年份颠倒或相同；应填写四位年份或年度范围，如 2024 或 2021-2024")


def test_funds_table_by_unit_and_year_with_subtotals_and_total():
    plan = score_snapshot(snapshot(INFO, {"单位名单": UNITS, "资金情况": FUNDS,
                                          "指标体系": [indicator("A1", 100, "比率", "", "资金到位率")]})).plan
    grid = plan.sheet("资金使用情况表").grid()
    start = next(i for i, row in enumerate(grid) if row[0] == "序号")
    assert grid[start][:3] == ["序号", "单位名称", "年度"]
    body = [row[:9] for row in grid[start + 1:start + 8]]
    assert body == [
        [1, "甲子项目", "2023年", D(40), D(40), D(30), None, None, D("1")],
        ["", "", "2024年", D(20), D(20), D(20), None, None, D("1")],
        ["", "", "小计", D(60), D(60), D(50), None, None, D("1")],
        [2, "乙子项目", "2023年", D(30), D(24), D(24), None, None, D("0.8")],
        ["", "", "2024年", D(10), D(10), D(6), None, None, D("1")],
        ["", "", "小计", D(40), D(34), D(30), None, None, D("0.85")],  # 34/40
        ["总计", "", "", D(100), D(94), D(80), None, None, D("0.94")],
    ]
    # 执行率 of the total: 80/94 = 85.11%
    assert grid[start + 7][9] == D("0.8511")


def test_a_cycle_through_a_year_is_found_and_does_not_recurse():
    derived = [{"名称": "甲率", "计算方式": "平均", "表达式": "乙率(2023年)；1"},
               {"名称": "乙率", "计算方式": "平均", "表达式": "甲率；1"}]
    ev, findings = evaluate([indicator("A1", 100, "比率", "", "甲率")], derived)
    messages = [(f.sheet, f.cell, f.message) for f in findings.errors]
    assert ("派生指标", "C3", "派生指标循环引用：甲率→乙率→甲率；派生指标不能直接或间接用到自己") in messages
    assert by_code(ev)["A1"].score == D("0.00")
    assert any(m.startswith("项目整体：指标 A1指标A1：派生指标循环引用：甲率→乙率→甲率") for _, _, m in messages)


def test_one_row_per_unit_and_year_and_a_second_row_of_a_year_is_reported():
    rows = [indicator("A1", 100, "比率", "", "资金到位率")]
    doubled = FUNDS + [{"单位简称": "乙", "年度": 2024, "预算数": 1, "实际到位": 1}]  # row 7
    findings = score_snapshot(snapshot(INFO, {"单位名单": UNITS, "资金情况": doubled, "指标体系": rows})).findings
    assert [(f.cell, f.message) for f in findings.warnings] == [
        ("A7", "乙2024年在“资金情况”中不止一行（第 6 行和第 7 行），两行的金额已相加计算；"
               "如第二行其实是另一单位的数据（例如单位单元格向下合并了两行），请改正单位简称")]
