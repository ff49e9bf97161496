"""Several units each scored on its own: mean and fund-weighted mean, 尾差, overrides, findings."""

from decimal import Decimal as D

import pytest

from perfeval_xl.pipeline import score_snapshot
from snapshots import snapshot

INFO = {"项目名称": "测试项目", "评价形态": "分单位评价", "金额单位": "万元"}
UNITS = [{"单位全称": "甲街道办事处", "单位简称": "甲"}, {"单位全称": "乙街道办事处", "单位简称": "乙"},
         {"单位全称": "丙街道办事处", "单位简称": "丙"}]
FUNDS = [{"单位简称": "甲", "预算数": "58.78", "实际到位": "58.30", "实际支出": "58.30"},
         {"单位简称": "乙", "预算数": "57.69", "实际到位": "53.41", "实际支出": "53.41"},
         {"单位简称": "丙", "预算数": "33.72", "实际到位": "33.64", "实际支出": "33.64"}]
INDICATORS = [
    {"编码": "A1", "一级指标": "决策", "一级分值": 50, "二级指标": "资金", "二级分值": 50, "三级指标": "发放完成率",
     "分值": 50, "评分方法": "比率", "取值来源": "发放完成率", "目标值": "100%"},
    {"编码": "B1", "一级指标": "效益", "一级分值": 50, "二级指标": "管理", "二级分值": 50, "三级指标": "制度",
     "分值": 50, "评分方法": "人工"},
]
MANUAL = [{"指标编码": "B1", "得分": 50}, {"单位简称": "乙", "指标编码": "B1", "得分": 40, "扣分原因": "制度粗略"}]


def run(info=INFO, **tables):
    base = {"单位名单": UNITS, "资金情况": FUNDS, "指标体系": INDICATORS, "评分录入": MANUAL}
    base.update(tables)
    scored = score_snapshot(snapshot(info, base))
    return scored.evaluation, scored.findings


def test_each_unit_scored_and_mean():
    ev, findings = run()
    totals = {u.name: u.total for u in ev.units}
    # 甲 50×99.18% = 49.59 + 50; 乙 50×92.58% = 46.29 + 40 (unit row overrides the blank-unit row); 丙 50×99.76% = 49.88 + 50
    assert totals == {"甲": D("99.59"), "乙": D("86.29"), "丙": D("99.88")}
    # (99.59 + 86.29 + 99.88) / 3 = 95.2533… → 95.25
    assert ev.total == D("95.25") and ev.grade == "优"
    assert [u.grade for u in ev.units] == ["优", "良", "优"]
    assert not findings.errors


def test_fund_weighted_mean():
    ev, findings = run({**INFO, "项目得分汇总方式": "资金加权平均"})
    # (99.59×58.78 + 86.29×57.69 + 99.88×33.72) / 150.19
    #   = (5853.8998 + 4978.0701 + 3367.9536) / 150.19 = 14199.9235 / 150.19 = 94.5464… → 94.55
    assert ev.total == D("94.55")
    plan = score_snapshot(snapshot({**INFO, "项目得分汇总方式": "资金加权平均"},
                                   {"单位名单": UNITS, "资金情况": FUNDS, "指标体系": INDICATORS, "评分录入": MANUAL})).plan
    final = [r for r in plan.sheet("得分汇总").grid() if r[1] in ("合计", "加权平均分")][-2:]
    # 决策 (49.59×58.78 + 46.29×57.69 + 49.88×33.72) / 150.19 = 7267.3239 / 150.19 = 48.3875… → 48.39;
    # 效益 (50×58.78 + 40×57.69 + 50×33.72) / 150.19 = 6932.6 / 150.19 = 46.1582… → 46.16; 合计 of the unit rows
    assert final[0][2:6] == [D("145.76"), D("140.00"), D("285.76"), None]
    assert final[1][2:6] == [D("48.39"), D("46.16"), D("94.55"), "优"]


def test_residue_goes_to_the_largest_level1_and_is_noted():
    ev, findings = run()
    # 决策 means: (49.59+46.29+49.88)/3 = 48.5867 → 48.59; 效益 (50+40+50)/3 = 46.6667 → 46.67; sum 95.26 ≠ 95.25
    scores = {l.name: l.score for l in ev.level1}
    assert sum(scores.values()) == ev.total
    assert scores == {"决策": D("48.58"), "效益": D("46.67")}  # both weigh 50: the first takes the −0.01
    assert "尾差" in ev.total_note and "决策" in ev.total_note
    plan = score_snapshot(snapshot(INFO, {"单位名单": UNITS, "资金情况": FUNDS, "指标体系": INDICATORS, "评分录入": MANUAL})).plan
    assert plan.names[:4] == ["得分汇总", "评分表-甲", "评分表-乙", "评分表-丙"]
    summary = plan.sheet("得分汇总").grid()
    # one block per 一级 (its 三级 and 小计), then the block of 一级 subtotals, 总分 and 等级
    decision, benefit, final = [r for r in summary if r[1] == "平均分"]
    assert decision[2:4] == [D("48.58"), D("48.58")] and benefit[2:4] == [D("46.67"), D("46.67")]
    assert final[2:6] == [D("48.58"), D("46.67"), D("95.25"), "优"]


def test_unit_override_replaces_indicator():
    indicators = INDICATORS + [{"编码": "A1", "三级指标": "发放完成率", "分值": 50, "评分方法": "区间",
                                "规则参数": "≥95%:50；其他:30", "取值来源": "发放完成率", "适用单位": "乙"}]
    ev, findings = run(**{"指标体系": indicators})
    yi = next(u for u in ev.units if u.name == "乙")
    assert yi.indicators[0].score == D(30) and yi.indicators[0].kind == "区间"
    assert next(u for u in ev.units if u.name == "甲").indicators[0].score == D("49.59")


@pytest.mark.parametrize("change, needle", [
    ({"分值": 40}, "应为 100 分"),
    ({"一级分值": 60}, "一级指标“决策”分值 60"),
    ({"二级分值": 45}, "二级指标“资金”分值 45"),
])
def test_weight_structure_checks(change, needle):
    indicators = [dict(INDICATORS[0], **change), INDICATORS[1]]
    ev, findings = run(**{"指标体系": indicators})
    assert any(needle in f.message for f in findings.errors), [f.message for f in findings]


def test_unknown_unit_and_missing_data_are_findings_with_cells():
    funds = FUNDS + [{"单位简称": "丁", "预算数": "1"}]
    ev, findings = run(**{"资金情况": funds[:2] + funds[3:]})
    messages = {(f.sheet, f.cell): f.message for f in findings.errors}
    assert ("资金情况", "A5") in messages and "丁" in messages[("资金情况", "A5")]
    # 丙 has no funds row: its 发放完成率 cannot be computed, scored 0 with the reason
    bing = next(u for u in ev.units if u.name == "丙")
    assert bing.indicators[0].score == 0 and "缺少数据" in bing.indicators[0].reason
    assert any("丙" in f.message and f.sheet == "资金情况" for f in findings.errors)


def test_sub_items_must_sum_to_indicator():
    indicators = [dict(INDICATORS[0], **{"评分方法": "子项合计", "取值来源": None}),
                  {"编码": "A1", "子项": "甲项", "分值": 25, "评分方法": "比率", "取值来源": "发放完成率"},
                  {"编码": "A1", "子项": "乙项", "分值": 20, "评分方法": "比率", "取值来源": "发放完成率"},
                  INDICATORS[1]]
    ev, findings = run(**{"指标体系": indicators})
    # 45 of 50 points: the indicator can never reach full marks — a warning at the indicator's 分值 cell
    # (a report's own system may say so; the score is what its items give)
    assert not findings.errors
    (short,) = [f for f in findings.warnings if "各子项分值合计" in f.message]
    assert (short.sheet, short.cell) == ("指标体系", "H3")
    assert short.message == "指标 A1发放完成率 分值 50 分，各子项分值合计 45 分，两者应相等；按子项计分，该指标最多只能得 45 分"
    jia = ev.units[0].indicators[0]
    # 25×99.18% = 24.795 → 24.80; 20×99.18% = 19.836 → 19.84
    assert [c.score for c in jia.children] == [D("24.80"), D("19.84")] and jia.score == D("44.64")


def test_sub_items_over_the_indicator_are_an_error():
    indicators = [dict(INDICATORS[0], **{"评分方法": "子项合计", "取值来源": None}),
                  {"编码": "A1", "子项": "甲项", "分值": 30, "评分方法": "比率", "取值来源": "发放完成率"},
                  {"编码": "A1", "子项": "乙项", "分值": 25, "评分方法": "比率", "取值来源": "发放完成率"},
                  INDICATORS[1]]
    ev, findings = run(**{"指标体系": indicators})
    (over,) = [f for f in findings.errors if "各子项分值合计" in f.message]
    assert (over.sheet, over.cell) == ("指标体系", "H3")
    assert over.message == "指标 A1发放完成率 分值 50 分，各子项分值合计 55 分，两者应相等；按子项计分，得分可能超过指标分值 50 分"


def test_cross_sheet_checks_ledger_roster_balance():
    import datetime as dt

    ledger = [{"单位简称": "甲", "支付日期": dt.date(2023, 5, 1), "金额": "30", "应付日期": dt.date(2023, 12, 31)},
              {"单位简称": "甲", "支付日期": dt.date(2024, 1, 5), "金额": "28.30", "应付日期": dt.date(2023, 12, 31)}]
    roster = [{"单位简称": "乙", "类别": "基层党建先锋", "人数": 10, "月标准（元）": 500, "月数": 12, "是否发放": "是",
               "实发金额（元）": 60000}]
    funds = [dict(FUNDS[0], 结余="1"), FUNDS[1], FUNDS[2]]
    ev, findings = run(**{"支出明细": ledger, "人员名册": roster, "资金情况": funds})
    warnings = [f.message for f in findings.warnings]
    # ledger 30 + 28.30 = 58.30 equals 实际支出: no warning; 乙 名册 60,000 元 = 6.00 万元 ≠ 53.41
    assert not any("支出明细合计" in m for m in warnings)
    assert any("实发金额合计 6.00 万元" in m for m in warnings)
    # 结余 1 ≠ 58.30 − 58.30
    assert any("结余 1.00" in m for m in warnings)
    jia = next(u for u in ev.units if u.name == "甲")
    assert jia.indicators[0].score == D("49.59")  # spending taken from the ledger: 58.30 / 58.78
    ledger[1]["金额"] = "20"
    ev, findings = run(**{"支出明细": ledger, "资金情况": FUNDS})
    assert any("支出明细合计 50.00 万元" in f.message for f in findings.warnings)


def test_whole_project_warns_about_per_unit_rows():
    ev, findings = run({**INFO, "评价形态": "整体评价"}, **{"评分录入": MANUAL})
    # the 乙 row of 评分录入 cannot apply to a project scored as a whole
    (warning,) = [f for f in findings.warnings if "整体评价不分单位评分" in f.message]
    assert (warning.sheet, warning.cell) == ("评分录入", "A4")
    # 发放完成率 of the whole project: (58.30 + 53.41 + 33.64) / (58.78 + 57.69 + 33.72) = 145.35 / 150.19 = 96.78 %
    assert ev.units[0].indicators[0].value.amount == D("0.9678")


def test_a_typed_total_row_is_checked_against_the_units():
    total = {"预算数": "150.19", "实际到位": "145.35", "实际支出": "145.00"}
    ev, findings = run(**{"资金情况": FUNDS + [total]})
    # 58.30 + 53.41 + 33.64 = 145.35 agrees; 实际支出 145.00 does not
    (warning,) = [f for f in findings.warnings if "项目合计" in f.message]
    assert (warning.sheet, warning.cell) == ("资金情况", "F6") and "145.35" in warning.message
    assert ev.total == D("95.25")  # units are scored on their own rows


def test_a_total_row_in_a_whole_project_would_count_twice():
    total = {"预算数": "150.19", "实际到位": "145.35", "实际支出": "145.35"}
    ev, findings = run({**INFO, "评价形态": "整体评价"}, **{"资金情况": FUNDS + [total], "评分录入": MANUAL[:1]})
    assert any("重复计算" in f.message and f.cell == "B6" for f in findings.warnings)
