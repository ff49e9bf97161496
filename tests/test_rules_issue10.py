"""Issue 10: labels of 要点 kept, fractions of a weight, boundary semantics, 逐项扣分, 趋势, quotients
with units, 公式 as prose and one rounding policy.  Every expected value is computed by hand."""

from decimal import Decimal as D
from fractions import Fraction

import pytest

from perfeval_xl.core.numbers import round_half_up
from perfeval_xl.core.rules import Context, Entry, RuleError, Threshold, Value, make_rule, parse_points
from perfeval_xl.pipeline import score_snapshot
from snapshots import snapshot


def outcome(kind, params, weight, value=None, *, rate=True, unit="", target=None, entries=(), label="指标",
            resolve=None):
    rule = make_rule(kind, params, D(weight))
    v = Value(D(value), rate, label, unit=unit) if value is not None else None
    return rule.score(Context(D(weight), label, v, target, tuple(entries), resolve))


def entry(item, result="", score=None, reason=""):
    return Entry(item, result, D(score) if score is not None else None, reason, None)


# --- 1. 要点 keep their labels ------------------------------------------------------

DROPPED_FIRST = "②与部门职责相符:0.5；③属于公共财政支持范围:0.5；④未与同类项目重复:0.5；⑤符合发展规划:0.5"


def test_points_keep_the_labels_written():
    rule = make_rule("要点", DROPPED_FIRST, D(2))
    assert rule.standard(D(2), "x") == ("②与部门职责相符，得0.5分；③属于公共财政支持范围，得0.5分；"
                                       "④未与同类项目重复，得0.5分；⑤符合发展规划，得0.5分")


@pytest.mark.parametrize("key", ["④", "4", "第4项", "要点4", "未与同类项目重复"])
def test_an_entry_names_the_point_by_its_label_not_its_position(key):
    result = outcome("要点", DROPPED_FIRST, 2, entries=[entry("全部", "是"), entry(key, "否")])
    # ④ is the third point listed; the fourth listed (⑤) keeps its 0.5
    assert result.score == D("1.50")
    assert result.process == "②0.5+③0.5+④0+⑤0.5=1.50"
    assert result.reason == "要点④未与同类项目重复，扣0.5分"
    assert result.problems == ()


def test_an_entry_for_a_label_that_does_not_exist_is_an_error_not_a_deduction():
    result = outcome("要点", DROPPED_FIRST, 2, entries=[entry("全部", "是"), entry("①", "否")])
    assert result.score == D("2.00")  # nothing deducted from another point
    (problem,) = result.problems
    severity, message = problem.severity, problem.message
    assert severity == "error" and "“①”不存在" in message and "②③④⑤" in message


def test_the_wrong_label_is_reported_at_its_cell_in_the_workbook():
    info = {"项目名称": "测试", "评价形态": "整体评价", "金额单位": "万元"}
    rows = [{"编码": "A1", "一级指标": "决策", "一级分值": 100, "二级指标": "立项", "二级分值": 100,
             "三级指标": "立项依据充分性", "分值": 100, "评分方法": "要点",
             "规则参数": "②与部门职责相符:50；③属于公共财政支持范围:50"}]
    manual = [{"指标编码": "A1", "要点/子项": "全部", "达成情况": "是"},
              {"指标编码": "A1", "要点/子项": "①", "达成情况": "否"}]
    scored = score_snapshot(snapshot(info, {"单位名单": [{"单位全称": "甲镇人民政府", "单位简称": "甲镇"}],
                                            "指标体系": rows, "评分录入": manual}))
    ev = scored.evaluation
    (error,) = scored.findings.errors
    assert (error.sheet, error.cell) == ("评分录入", "C4") and "“①”不存在" in error.message  # the 要点/子项 cell
    assert ev.total == D("100.00")


def test_points_must_be_all_labelled_or_none():
    with pytest.raises(RuleError, match="没有编号"):
        make_rule("要点", "②a:1；b:1", D(2))
    with pytest.raises(RuleError, match="重复"):
        make_rule("要点", "②a:1；②b:1", D(2))


# --- 2. fractions of a weight -------------------------------------------------------

@pytest.mark.parametrize("text, points", [
    ("1/3", Fraction(5, 3)), ("1/3权重", Fraction(5, 3)), ("三分之一", Fraction(5, 3)), ("1/4", D("1.25")),
    ("1/5权重", D(1)), ("0.4%权重", D("0.02")), ("40%", D(2)), ("0.5", D("0.5")), ("满分", D(5)),
])
def test_shares_of_the_weight(text, points):
    assert parse_points(text, D(5), "分数") == points


def test_round_half_up_of_a_fraction_is_exact():
    assert round_half_up(Fraction(5, 3)) == D("1.67")
    assert round_half_up(Fraction(1, 8)) == D("0.13")     # exactly half: up
    assert round_half_up(Fraction(-1, 8)) == D("-0.13")
    assert round_half_up(Fraction(1249, 10000)) == D("0.12")


THIRDS = "②a:1/3权重；③b:1/3权重；④c:1/3权重"


@pytest.mark.parametrize("missed, expected", [
    ((), "5.00"),                # 3 × 5/3 = 5 exactly, not 4.99 or 5.01
    (("③",), "3.33"),           # 10/3 = 3.333…
    (("②", "④"), "1.67"),       # 5/3 = 1.666…
    (("②", "③", "④"), "0.00"),
])
def test_thirds_sum_to_the_weight_and_round_once(missed, expected):
    entries = [entry("全部", "是")] + [entry(m, "否") for m in missed]
    assert outcome("要点", THIRDS, 5, entries=entries).score == D(expected)


def test_thirds_print_exactly():
    rule = make_rule("要点", THIRDS, D(5))
    assert rule.standard(D(5), "x").startswith("②a，得5/3（约1.67）分")
    result = outcome("要点", THIRDS, 5, entries=[entry("全部", "是"), entry("③", "否")])
    assert result.process == "②5/3+③0+④5/3=3.33"


def test_rounded_percentages_are_an_error_that_suggests_the_fraction():
    with pytest.raises(RuleError) as info:
        make_rule("要点", "②a:33.33%权重；③b:33.33%权重；④c:33.33%权重", D(5))
    message = str(info.value)
    assert "合计 4.9995 分" in message and "②33.33%权重、③33.33%权重、④33.33%权重" in message
    assert "1/3权重" in message


def test_a_fraction_as_step_deduction_and_band_points():
    # 扣=1/4权重 of 2 = 0.5 per whole 10 %: 75 % → 2 steps → 2 − 1 = 1
    assert outcome("阶梯扣分", "满分线=100%；每降=10%；扣=1/4权重", 2, "0.75").score == D("1.00")
    # ≥90%: 2/3 of 5 = 3.333… → 3.33
    assert outcome("区间", "≥100%:满分；≥90%:2/3权重；其他:0", 5, "0.9").score == D("3.33")
    assert outcome("区间", "≥100%:满分；≥90%:2/3权重；其他:0", 5, "0.8999").score == D("0.00")


# --- 5. explicit boundary semantics ---------------------------------------------------

@pytest.mark.parametrize("value, default, at_or_below", [
    ("0.5", "4.00", "0.00"),      # exactly at the line: < keeps 4 points (5 steps × 1), ≤ gives 0
    ("0.5001", "5.00", "5.00"),   # just above: 49.99 points short → 4 whole steps
    ("0.4999", "0.00", "0.00"),   # just below: 0 either way
])
def test_zero_line_as_written(value, default, at_or_below):
    assert outcome("阶梯扣分", "满分线=100%；每降=10%；扣=1；零分线=50%", 9, value).score == D(default)
    assert outcome("阶梯扣分", "满分线=100%；每降=10%；扣=1；零分线=≤50%", 9, value).score == D(at_or_below)
    assert outcome("阶梯扣分", "满分线=100%；每降=10%；扣=1；零分线≤50%", 9, value).score == D(at_or_below)


def test_zero_line_prints_as_written():
    assert "完成率≤80%不得分" in make_rule("阶梯扣分", "满分线=100%；每降=1%；扣=0.1；零分线=≤80%", D(5)).standard(D(5), "完成率")
    assert "完成率<80%不得分" in make_rule("阶梯扣分", "满分线=100%；每降=1%；扣=0.1；零分线=80%", D(5)).standard(D(5), "完成率")
    assert "成本≥120不得分" in make_rule("阶梯扣分", "满分线=100；每升=5；扣=1；零分线=≥120", D(5)).standard(D(5), "成本")


def test_reverse_zero_line_at_the_boundary():
    # 反向: 120 exactly — '>' (default) deducts 4 steps of 5 → 1; '≥' gives 0
    assert outcome("阶梯扣分", "满分线=100；每升=5；扣=1；零分线=120", 5, "120", rate=False).score == D("1.00")
    assert outcome("阶梯扣分", "满分线=100；每升=5；扣=1；零分线=≥120", 5, "120", rate=False).score == D("0.00")
    assert outcome("阶梯扣分", "满分线=100；每升=5；扣=1；零分线=≥120", 5, "119.99", rate=False).score == D("2.00")


@pytest.mark.parametrize("params", ["满分线=100%；每降=1%；扣=0.1；零分线=≥80%", "满分线=<100%；每降=1%；扣=0.1"])
def test_a_sign_against_the_direction_is_an_error(params):
    with pytest.raises(RuleError):
        make_rule("阶梯扣分", params, D(5))


# --- 5. 逐项扣分 ------------------------------------------------------------------------

COUNT = "①基层党组织凝聚力和战斗力；②基层治理成效；③对社会稳定和发展的促进；每项扣=1；3项及以上不得分"


@pytest.mark.parametrize("unmet, expected", [
    ((), "5.00"), (("②",), "4.00"),
    (("②", "③"), "3.00"),           # just below the zero count
    (("①", "②", "③"), "0.00"),     # exactly at it: 3 项及以上不得分
])
def test_count_of_unmet_items(unmet, expected):
    entries = [entry("全部", "是")] + [entry(u, "否") for u in unmet]
    assert outcome("逐项扣分", COUNT, 5, entries=entries).score == D(expected)


def test_count_prints_the_rule_and_the_items():
    rule = make_rule("逐项扣分", COUNT, D(5))
    assert rule.standard(D(5), "x").endswith("每出现一项不满足扣1分，3项及以上不得分，扣完为止")
    result = outcome("逐项扣分", COUNT, 5, entries=[entry("全部", "是"), entry("2", "否")])
    assert result.process == "不满足1项（②基层治理成效），扣1×1=1分，得分=5-1=4.00"
    assert result.reason == "不满足1项（②基层治理成效），按每项扣1分，扣1.00分"


def test_count_without_listed_items_counts_rows_marked_no():
    rows = [entry("", "否", reason="甲社区未宣传"), entry("", "否", reason="乙社区未宣传")]
    result = outcome("逐项扣分", "每项扣=0.5", 2, entries=rows)
    assert result.score == D("1.00") and result.reason == "甲社区未宣传；乙社区未宣传"
    # 扣完为止 without a zero count: 5 × 0.5 > 2
    assert outcome("逐项扣分", "每项扣=0.5", 2, entries=[entry("", "否")] * 5).score == D("0.00")
    assert outcome("逐项扣分", "每项扣=0.5", 2, entries=[entry("全部", "是")]).score == D("2.00")


def test_count_errors():
    assert outcome("逐项扣分", COUNT, 5).problems[0].message.startswith("未录入逐项扣分的评价结果")
    bad = outcome("逐项扣分", COUNT, 5, entries=[entry("全部", "是"), entry("④", "否")])
    assert bad.score == D("5.00") and "“④”不存在" in bad.problems[0].message
    with pytest.raises(RuleError, match="每项扣"):
        make_rule("逐项扣分", "3项及以上不得分", D(5))


# --- 5. 趋势 ------------------------------------------------------------------------------

def series(*values):
    data = {f"数据(y{2021 + i})": Value(D(v), True, f"y{2021 + i}") for i, v in enumerate(values)}
    return data.__getitem__


TREND = "2021=数据(y2021)；2022=数据(y2022)；2023=数据(y2023)；2024=数据(y2024)；要求={}"


@pytest.mark.parametrize("values, requirement, expected", [
    (("0.30", "0.35", "0.36", "0.40"), "逐年提升", "5.00"),
    (("0.30", "0.35", "0.35", "0.40"), "逐年提升", "0.00"),        # 持平 is not a rise
    (("0.30", "0.35", "0.3501", "0.40"), "逐年提升", "5.00"),      # just above flat
    (("0.30", "0.35", "0.33", "0.40"), "连续2年提升", "0.00"),     # runs of 1 only
    (("0.30", "0.29", "0.33", "0.40"), "连续2年提升", "5.00"),     # exactly 2 at the end
    (("0.40", "0.36", "0.35", "0.30"), "逐年下降", "5.00"),
])
def test_trend(values, requirement, expected):
    result = outcome("趋势", TREND.format(requirement), 5, resolve=series(*values), label="培训覆盖率")
    assert result.score == D(expected)


def test_trend_prints_the_series_and_deducts_per_missing_year():
    result = outcome("趋势", TREND.format("逐年提升") + "；每少一年扣=1.5", 5,
                     resolve=series("0.30", "0.35", "0.33", "0.40"), label="培训覆盖率")
    # longest run 1 of the 3 needed → 2 × 1.5 = 3 → 2.00
    assert result.score == D("2.00")
    assert result.process.startswith("2021年30.00%→2022年35.00%（提升）→2023年33.00%（下降）→2024年40.00%（提升）")
    assert result.reason == "培训覆盖率连续提升最多1年，未达到“逐年提升”，扣3.00分"


@pytest.mark.parametrize("params, match", [
    ("2021=a；要求=逐年提升", "两个年度"),
    ("2021=a；2023=b；要求=逐年提升", "逐年连续"),
    ("2021=a；2022=b；要求=更好", "逐年提升"),
    ("2021=a；2022=b；要求=连续3年提升", "需要 4 个年度"),
])
def test_trend_errors(params, match):
    with pytest.raises(RuleError, match=match):
        make_rule("趋势", params, D(5))


# --- 5. quotients that are not percentages ------------------------------------------------

PER_HEAD = "满分线=4.5万元/人；每升=0.1万元/人；扣=0.2"


@pytest.mark.parametrize("value, expected", [
    ("4.5", "4.00"),    # at the line
    ("4.51", "4.00"),   # just above: not a whole step
    ("4.6", "3.80"),    # one step
    ("4.49", "4.00"),
])
def test_per_head_cost_boundaries(value, expected):
    result = outcome("阶梯扣分", PER_HEAD, 4, value, rate=False, unit="万元/人", label="人均培训成本")
    assert result.score == D(expected)


def test_a_quotient_prints_with_its_unit_everywhere(tmp_path):
    info = {"项目名称": "测试", "评价形态": "整体评价", "金额单位": "万元"}
    rows = [{"编码": "A1", "一级指标": "产出", "一级分值": 100, "二级指标": "成本", "二级分值": 100,
             "三级指标": "人均培训成本", "分值": 100, "评分方法": "阶梯扣分",
             "规则参数": "满分线=4.5万元/人；每升=0.1万元/人；扣=5", "取值来源": "数据(人均培训成本)"}]
    data = [{"名称": "人均培训成本", "分子": "430.11", "分母": "100", "计量单位": "万元/人"}]
    scored = score_snapshot(snapshot(info, {"单位名单": [{"单位全称": "甲镇人民政府", "单位简称": "甲镇"}],
                                            "指标体系": rows, "其他数据": data}))
    ev = scored.evaluation
    (s,) = ev.units[0].indicators
    assert not scored.findings.errors
    assert s.value.amount == D("4.30") and s.value.show() == "4.30万元/人"
    assert s.standard.startswith("人均培训成本≤4.5万元/人得100分")
    assert s.process.startswith("人均培训成本=430.11/100=4.30万元/人；人均培训成本4.30万元/人，不高于4.5万元/人")
    assert "%" not in s.process and s.score == D("100.00")
    from perfeval_xl.core.summary import summary
    (row,) = summary(ev, scored.findings)["units"][0]["indicators"]
    assert row["value"] == 4.3  # the quotient itself, not 0.043 or 430.11
    trace = scored.plan.sheet("取数底稿").grid()
    assert any(r[5] == "4.30万元/人" for r in trace if len(r) > 5)


def test_a_unit_mismatch_is_an_error():
    from perfeval_xl.core.rules import rate_mismatch, parse_threshold
    value = Value(D("4.30"), False, "人均成本", unit="万元/人")
    assert "两者应一致" in rate_mismatch(value, [("满分线", parse_threshold("43000元/人"))])
    assert rate_mismatch(value, [("满分线", parse_threshold("4.5万元/人"))]) is None


# --- 6. 公式 as prose, one rounding policy ----------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("0.9598", "4.00"),   # 5 − 4.02 × 0.25 = 3.995 → 4.00 both ways (was 3.99 by 阶梯扣分)
    ("0.9599", "4.00"),   # 5 − 1.0025 = 3.9975 → 4.00
    ("0.9597", "3.99"),   # 5 − 1.0075 = 3.9925 → 3.99
    ("1", "5.00"),
])
def test_formula_and_steps_agree(value, expected):
    step = outcome("阶梯扣分", "满分线=100%；每降=1%；扣=0.25；计法=按比例", 5, value, label="实际完成率")
    formula = outcome("公式", "if(值>=100%,分值,分值-(100%-值)/1%*0.25)", 5, value, label="实际完成率")
    assert step.score == formula.score == D(expected)


def test_step_prints_the_unrounded_deduction():
    result = outcome("阶梯扣分", "满分线=100%；每降=1%；扣=0.25；计法=按比例", 5, "0.9598", label="实际完成率")
    assert result.process.endswith("扣4.02×0.25分=1.005分，得分=5-1.005=3.995≈4.00")
    assert result.reason == "实际完成率95.98%，低于100%（差4.02个百分点），按每低1个百分点扣0.25分（按比例计），扣1.00分"


def test_formula_process_is_prose():
    result = outcome("公式", "if(值>=100%,分值,分值-round((100%-值)/1%,2)*0.1)", 5, "0.9598", label="实际完成率")
    assert result.process == ("实际完成率95.98%低于100%；(100%-95.98%)÷1%=4.02，四舍五入保留2位小数为4.02；"
                              "得分=5-4.02×0.1=4.598≈4.60")
    assert "if(" not in result.process and "round(" not in result.process
    assert result.reason.startswith("实际完成率95.98%低于100%") and result.reason.endswith("按公式得4.60分，扣0.40分")


def test_formula_comparison_in_words_with_units():
    target = Threshold(D("2.21"), "2.21万元/人", False, "万元/人")
    result = outcome("公式", "分值*(值<=目标)", 5, "4.30", rate=False, unit="万元/人", target=target, label="人均成本")
    assert result.process == "人均成本4.30万元/人高于目标2.21万元/人，记为0；得分=5×0=0.00"
    assert "<=" not in result.process and "%" not in result.process


@pytest.mark.parametrize("value, expected, reason", [
    ("0.9", "1.00", "预算执行率90.00%，属于“≥90%”档，得1分，扣1.00分"),          # at the last band
    ("0.8999", "1.00", "预算执行率89.99%，低于90%（差0.01个百分点），在1分的基础上按每低1个百分点扣0.1分，扣1.00分"),
    ("0.85", "0.50", "预算执行率85.00%，低于90%（差5个百分点），在1分的基础上按每低1个百分点扣0.1分，扣1.50分"),
])
def test_tiers_reason_names_the_band_and_the_steps(value, expected, reason):
    # seed 004 预算执行率 2 分: 85 % → 1 − 5 × 0.1 = 0.50
    result = outcome("分档", "≥100%:2；≥90%:1；其下每降1%扣0.1", 2, value, label="预算执行率")
    assert (result.score, result.reason) == (D(expected), reason)


def test_trend_and_count_through_the_workbook():
    info = {"项目名称": "测试", "评价形态": "整体评价", "金额单位": "万元"}
    rows = [{"编码": "A1", "一级指标": "效果", "一级分值": 100, "二级指标": "效益", "二级分值": 100,
             "三级指标": "培训覆盖率", "分值": 50, "评分方法": "趋势",
             "规则参数": "2021=数据(覆盖率2021)；2022=数据(覆盖率2022)；2023=数据(覆盖率2023)；要求=逐年提升"},
            {"编码": "A2", "一级指标": "效果", "二级指标": "效益", "三级指标": "机构及力量", "分值": 50,
             "评分方法": "逐项扣分", "规则参数": "①凝聚力；②治理成效；③促进发展；每项扣=10；3项及以上不得分"}]
    data = [{"名称": f"覆盖率{y}", "数值": v} for y, v in ((2021, "30%"), (2022, "35%"), (2023, "35%"))]
    manual = [{"指标编码": "A2", "要点/子项": "全部", "达成情况": "是"},
              {"指标编码": "A2", "要点/子项": "③", "达成情况": "否", "扣分原因": "对社会稳定的促进作用不明显"}]
    tables = {"单位名单": [{"单位全称": "甲镇人民政府", "单位简称": "甲镇"}], "指标体系": rows, "其他数据": data,
              "评分录入": manual}
    scored = score_snapshot(snapshot(info, tables))
    ev = scored.evaluation
    assert not scored.findings.errors
    trend, count = ev.units[0].indicators
    # 35 % → 35 % is flat: not a rise, so 逐年提升 fails → 0; one item of three unmet → 50 − 10 = 40
    assert (trend.score, count.score, ev.total) == (D("0.00"), D("40.00"), D("40.00"))
    assert trend.process.startswith("2021年30.00%→2022年35.00%（提升）→2023年35.00%（持平）")
    assert count.reason == "对社会稳定的促进作用不明显"
    # a year without data: an error, the indicator unscored
    scored = score_snapshot(snapshot(info, {**tables, "其他数据": data[:2]}))
    ev = scored.evaluation
    (error,) = scored.findings.errors
    assert "覆盖率2023" in error.message and ev.units[0].indicators[0].score == D("0.00")
