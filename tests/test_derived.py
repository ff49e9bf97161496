"""Issue 10 items 3 and 9: derived measures (派生指标) as value sources of every rule kind, printed with
their own computation, traced to every cell they read; 公式 traced likewise.  Values computed by hand."""

from decimal import Decimal as D

import pytest

from perfeval_xl.core.summary import summary
from perfeval_xl.pipeline import score_snapshot
from snapshots import snapshot

INFO = {"项目名称": "三个子项目的道路工程", "评价形态": "整体评价", "金额单位": "万元"}
UNITS = [{"单位全称": "甲子项目", "单位简称": "甲"}, {"单位全称": "乙子项目", "单位简称": "乙"},
         {"单位全称": "丙子项目", "单位简称": "丙"}]
# rows 3, 4, 5 of 资金情况 and of 产出情况
FUNDS = [{"单位简称": "甲", "预算数": 60, "实际到位": 60, "实际支出": 57},
         {"单位简称": "乙", "预算数": 30, "实际到位": 30, "实际支出": 30},
         {"单位简称": "丙", "预算数": 10, "实际到位": 10, "实际支出": 6}]
OUTPUTS = [{"单位简称": "甲", "产出名称": "道路", "计划数": 20, "实际数": 19},
           {"单位简称": "乙", "产出名称": "路灯", "计划数": 40, "实际数": 40},
           {"单位简称": "丙", "产出名称": "绿化", "计划数": 10, "实际数": 9}]
DERIVED = [
    {"名称": "综合完成率", "计算方式": "平均", "表达式": "实际完成率(道路)；实际完成率(路灯)；实际完成率(绿化)",
     "说明": "三个子项目完成率的平均"},
    {"名称": "加权执行率", "计算方式": "合计比",
     "表达式": "(实际支出(甲)+实际支出(乙)+实际支出(丙))÷(预算数(甲)+预算数(乙)+预算数(丙))"},
]


def indicator(code, name, weight, kind, params, source=""):
    return {"编码": code, "一级指标": "产出", "二级指标": "产出", "三级指标": name, "分值": weight,
            "评分方法": kind, "规则参数": params, "取值来源": source}


INDICATORS = [
    indicator("A1", "综合完成率", 5, "阶梯扣分", "满分线=100%；每降=1%；扣=0.5", "综合完成率"),
    indicator("A2", "资金执行情况", 5, "区间", "≥95%:5；≥90%:3；其他:0", "加权执行率"),
    indicator("A3", "产出总体情况", 90, "公式", "分值*综合完成率"),
]


def evaluate(derived=DERIVED, indicators=INDICATORS, data=()):
    scored = score_snapshot(snapshot(INFO, {"单位名单": UNITS, "资金情况": FUNDS, "产出情况": OUTPUTS,
                                            "派生指标": list(derived), "指标体系": list(indicators),
                                            "其他数据": list(data)}))
    return scored.evaluation, scored.findings


def scores(ev):
    return {s.code: s for s in ev.units[0].indicators}


COMPLETION = ("实际完成率(道路)=19/20×100%=95.00%；实际完成率(路灯)=40/40×100%=100.00%；"
              "实际完成率(绿化)=9/10×100%=90.00%；综合完成率=(95.00%+100.00%+90.00%)÷3=95.00%（三个子项目完成率的平均）")


def test_a_mean_of_rates_scored_by_steps_with_its_computation():
    ev, findings = evaluate()
    assert list(findings) == []
    a1 = scores(ev)["A1"]
    # (95% + 100% + 90%) / 3 = 95%: 5 steps of 1% short, 5 × 0.5 = 2.5 deducted
    assert a1.value.amount == D("0.95") and a1.score == D("2.50")
    assert a1.process.startswith(COMPLETION + "；")
    assert a1.standard.startswith("综合完成率")


def test_a_ratio_of_sums_scored_by_bands():
    a2 = scores(evaluate()[0])["A2"]
    # (57 + 30 + 6) / (60 + 30 + 10) = 93 / 100 = 93.00%, in the band ≥90%: 3 points
    assert a2.value.amount == D("0.93") and a2.score == D("3.00")
    assert a2.process.startswith(
        "实际支出(甲)=57.00；实际支出(乙)=30.00；实际支出(丙)=6.00；预算数(甲)=60.00；预算数(乙)=30.00；预算数(丙)=10.00；"
        "加权执行率=(57+30+6)/(60+30+10)×100%=93/100×100%=93.00%；")


def test_a_formula_over_a_derived_measure_and_its_value_and_cells():
    ev, findings = evaluate()
    a3 = scores(ev)["A3"]
    assert a3.score == D("85.50")  # 90 × 95%
    assert a3.process.startswith(COMPLETION + "；")
    # item 9: the formula's one named value is the indicator's value, in the JSON too
    assert a3.value.amount == D("0.95")
    (unit,) = summary(ev, findings)["units"]
    assert [i["value"] for i in unit["indicators"]] == [0.95, 0.93, 0.95]
    assert ev.total == D("91.00")  # 2.50 + 3.00 + 85.50
    # every cell the formula read: the row's 分值, 实际数 and 计划数 of the three outputs, the measure's 表达式
    cells = {str(r) for r in a3.inputs}
    assert cells == {"指标体系!H5", "产出情况!F3", "产出情况!F4", "产出情况!F5", "产出情况!E3", "产出情况!E4",
                     "产出情况!E5", "派生指标!C3"}


def test_the_ratio_of_sums_is_traced_to_every_amount():
    a2 = scores(evaluate()[0])["A2"]
    assert {str(r) for r in a2.inputs} == {"指标体系!H4", "资金情况!F3", "资金情况!F4", "资金情况!F5",
                                           "资金情况!B3", "资金情况!B4", "资金情况!B5", "派生指标!C4"}


def test_the_working_paper_shows_the_value_and_cells_of_a_formula():
    plan = score_snapshot(snapshot(INFO, {"单位名单": UNITS, "资金情况": FUNDS, "产出情况": OUTPUTS,
                                          "派生指标": DERIVED, "指标体系": INDICATORS})).plan
    grid = plan.sheet("取数底稿").grid()
    row = next(r for r in grid if r[1] == "A3")
    assert row[5] == D("0.95")  # 指标值
    assert row[8] == "指标体系!H5；产出情况!E3:E5、F3:F5；派生指标!C3"


def test_a_formula_over_one_plain_source_has_that_value():
    rows = [indicator("A1", "执行", 100, "公式", "分值*预算执行率")]
    ev, findings = evaluate(indicators=rows)
    a1 = scores(ev)["A1"]
    # 预算执行率 = 93 / 100 = 93.00%: 100 × 93% = 93.00
    assert (a1.score, a1.value.amount) == (D("93.00"), D("0.93"))
    assert {"资金情况!F3", "资金情况!C5"} <= {str(r) for r in a1.inputs}


def test_a_formula_over_several_values_has_no_single_value_but_every_cell():
    rows = [indicator("A1", "完成", 100, "公式", "分值*min(实际数(道路)/20,实际数(绿化)/10)")]
    a1 = scores(evaluate(indicators=rows)[0])["A1"]
    assert a1.score == D("90.00")  # min(19/20, 9/10) = 0.9
    assert a1.value is None
    assert {"产出情况!F3", "产出情况!F5"} <= {str(r) for r in a1.inputs}


def test_derived_measures_nest_and_mean_of_plain_numbers():
    nested = DERIVED + [{"名称": "综合指数", "计算方式": "平均", "表达式": "综合完成率、加权执行率"},
                        {"名称": "平均人数", "计算方式": "平均", "表达式": "实际数(道路), 实际数(绿化), 5"}]
    rows = [indicator("A1", "综合", 50, "比率", "", "综合指数"), indicator("A2", "人数", 50, "公式", "min(平均人数,10)*5")]
    ev, findings = evaluate(nested, rows)
    assert list(findings) == []
    a1, a2 = scores(ev)["A1"], scores(ev)["A2"]
    # (95.00% + 93.00%) / 2 = 94.00%; 50 × 94% = 47.00
    assert (a1.value.amount, a1.score) == (D("0.94"), D("47.00"))
    assert "综合指数=(95.00%+93.00%)÷2=94.00%" in a1.process
    assert COMPLETION in a1.process and "加权执行率=(57+30+6)" in a1.process
    # (19 + 9 + 5) / 3 = 11 → min(11, 10) × 5 = 50
    assert a2.process.startswith("道路实际数=19；绿化实际数=9；平均人数=(19+9+5)÷3=11；")
    assert a2.score == D("50.00")


def test_per_unit_evaluation_evaluates_a_measure_in_each_unit():
    info = dict(INFO, 评价形态="分单位评价")
    derived = [{"名称": "执行率", "计算方式": "合计比", "表达式": "实际支出÷预算数"}]
    rows = [indicator("A1", "执行", 100, "比率", "", "执行率")]
    ev = score_snapshot(snapshot(info, {"单位名单": UNITS, "资金情况": FUNDS, "派生指标": derived,
                                        "指标体系": rows})).evaluation
    # 57/60 = 95.00%, 30/30 = 100%, 6/10 = 60%
    assert [u.total for u in ev.units] == [D("95.00"), D("100.00"), D("60.00")]
    assert ev.units[2].indicators[0].process.startswith("实际支出=6.00；预算数=10.00；执行率=6/10×100%=60.00%；")


def findings_at(findings, sheet):
    return [(f.cell, f.message) for f in findings if f.sheet == sheet]


def test_a_cycle_is_an_error_at_its_cell_and_the_indicator_is_not_scored():
    cyclic = [{"名称": "甲率", "计算方式": "平均", "表达式": "乙率；95%"},
              {"名称": "乙率", "计算方式": "平均", "表达式": "甲率；90%"}]
    rows = [indicator("A1", "x", 100, "比率", "", "甲率")]
    ev, findings = evaluate(cyclic, rows)
    messages = findings_at(findings, "派生指标")
    assert ("C3", "派生指标循环引用：甲率→乙率→甲率；派生指标不能直接或间接用到自己") in messages
    assert scores(ev)["A1"].score == D("0.00")
    assert any(cell == "C3" and "项目整体：指标 A1x：派生指标循环引用：甲率→乙率→甲率" in m for cell, m in messages)


def test_a_self_reference_is_a_cycle():
    ev, findings = evaluate([{"名称": "自身", "计算方式": "平均", "表达式": "自身；1"}], [indicator("A1", "x", 100, "人工", "")])
    assert findings_at(findings, "派生指标") == [("C3", "派生指标循环引用：自身→自身；派生指标不能直接或间接用到自己")]


def test_an_unknown_name_is_an_error_at_the_expression_cell():
    bad = [{"名称": "综合", "计算方式": "平均", "表达式": "实际完成率(道路)；完成量"}]
    ev, findings = evaluate(bad, [indicator("A1", "x", 100, "比率", "", "综合")])
    messages = findings_at(findings, "派生指标")
    assert ("C3", "派生指标“综合”的表达式用到“完成量”：它不是取值来源，不是“其他数据”中的名称，也不是派生指标") in messages
    assert any(cell == "C3" and "派生指标“综合”：不认识的取值来源“完成量”" in m for cell, m in messages)
    assert scores(ev)["A1"].score == D("0.00")


@pytest.mark.parametrize("row, cell, message", [
    ({"名称": "资金到位率", "计算方式": "平均", "表达式": "1"}, "A3", "派生指标的名称“资金到位率”与取值来源同名，请另起一个名称"),
    ({"名称": "培训", "计算方式": "平均", "表达式": "1"}, "A3", "派生指标的名称“培训”与“其他数据”中的名称相同，请另起一个名称"),
    ({"名称": "2023率", "计算方式": "平均", "表达式": "1"}, "A3",
     "派生指标的名称“2023率”应以文字开头，只含文字、数字和下划线（公式中才能引用），如 综合完成率"),
    ({"名称": "x", "计算方式": "合计比", "表达式": "实际支出(甲)+预算数(甲)"}, "C3",
     "派生指标“x”的表达式有误：“合计比”的表达式应写作 分子÷分母，分子或分母有多项时加括号，"
     "如 (实际支出(甲)+实际支出(乙))÷(预算数(甲)+预算数(乙))"),
    ({"名称": "x", "计算方式": "平均", "表达式": "实际支出(甲)*2；1"}, "C3",
     "派生指标“x”的表达式有误：“平均”的各项应是取值来源、名称或数字，用分号或顿号分隔，如 实际完成率(甲)；实际完成率(乙)；"
     "需要先计算的项请另设一个派生指标"),
])
def test_bad_definitions_are_errors_at_their_cells(row, cell, message):
    ev, findings = evaluate([row], [indicator("A1", "x", 100, "人工", "")], data=[{"名称": "培训", "数值": 3}])
    assert (cell, message) in findings_at(findings, "派生指标")


def test_a_duplicate_name_and_runtime_problems():
    rows = [{"名称": "率", "计算方式": "平均", "表达式": "实际完成率(道路)；3"},
            {"名称": "率", "计算方式": "平均", "表达式": "1"},
            {"名称": "零", "计算方式": "合计比", "表达式": "实际支出(甲)÷(预算数(甲)-60)"}]
    ev, findings = evaluate(rows, [indicator("A1", "x", 50, "比率", "", "率"), indicator("A2", "y", 50, "比率", "", "零")])
    messages = findings_at(findings, "派生指标")
    assert ("A4", "派生指标“率”重复：同一名称只能定义一次") in messages
    assert any(c == "C3" and m.endswith("派生指标“率”的各项有的是比率、有的不是，不能平均") for c, m in messages)
    assert any(c == "C5" and m.endswith("派生指标“零”无法计算：分母为 0") for c, m in messages)


def test_an_amount_of_another_unit_is_refused_in_a_unit_scope():
    info = dict(INFO, 评价形态="分单位评价")
    rows = [indicator("A1", "x", 100, "区间", "≥30:100；其他:0", "预算数(乙)")]
    scored = score_snapshot(snapshot(info, {"单位名单": UNITS, "资金情况": FUNDS, "指标体系": rows}))
    assert [u.total for u in scored.evaluation.units] == [D("0.00"), D("100.00"), D("0.00")]
    assert any("甲的评分只能取本单位的数据" in f.message for f in scored.findings)
