"""Each rule kind at its boundaries; expected values computed by hand."""

from decimal import Decimal as D

import pytest

from perfeval_xl.core.rules import Context, Entry, RuleError, Threshold, Value, make_rule


def score(kind, params, weight, value=None, *, rate=True, target=None, entries=(), label="指标"):
    rule = make_rule(kind, params, D(weight))
    v = Value(D(value), rate, label) if value is not None else None
    return rule.score(Context(D(weight), label, v, target, tuple(entries))).score


# --- 比率 -------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("0.9918", "4.96"),   # seed 004 普吉 奖励金发放完成率 5×99.18% = 4.959
    ("0.9258", "4.63"),   # 黑林铺
    ("0.9976", "4.99"),   # 龙翔: the report prints 5
    ("1", "5.00"), ("1.2", "5.00"), ("0", "0.00"), ("-0.1", "0.00"),
])
def test_ratio_forward(value, expected):
    assert score("比率", "", 5, value) == D(expected)


def test_ratio_with_count_target():
    target = Threshold(D(149), "149", False)
    # 10 × 130/149: the ratio is 87.25 % (rounded first), 10 × 87.25 % = 8.725 → 8.73
    assert score("比率", "正向", 10, "130", rate=False, target=target) == D("8.73")
    assert score("比率", "正向", 10, "149", rate=False, target=target) == D("10.00")
    assert score("比率", "正向", 10, "160", rate=False, target=target) == D("10.00")


def test_ratio_reverse():
    target = Threshold(D("100"), "100", False)
    assert score("比率", "反向", 5, "100", rate=False, target=target) == D("5.00")
    assert score("比率", "反向", 5, "80", rate=False, target=target) == D("5.00")
    # 5 × 100/125 = 4
    assert score("比率", "反向", 5, "125", rate=False, target=target) == D("4.00")


def test_ratio_bad_params():
    with pytest.raises(RuleError, match="正向"):
        make_rule("比率", "向上", D(5))


# --- 区间 --------------------------------------------------------------------

SATISFACTION_BANDS = "≥90%:10；≥85%:8；≥80%:6；≥75%:4；≥70%:2；其他:0"


@pytest.mark.parametrize("value, expected", [
    ("0.9", "10"), ("0.8999", "8"), ("0.85", "8"), ("0.8499", "6"), ("0.8", "6"), ("0.75", "4"),
    ("0.7", "2"), ("0.6999", "0"), ("0", "0"), ("1.05", "10"), ("0.9765", "10"),
])
def test_bands_seed004_satisfaction(value, expected):
    assert score("区间", SATISFACTION_BANDS, 10, value) == D(expected)


def test_bands_other_operators_and_no_fallback():
    assert score("区间", ">0:5；=0:3", 5, "0", rate=False) == D(3)
    assert score("区间", ">0:5；=0:3", 5, "-1", rate=False) == D(0)
    assert score("区间", "<=3%:5；<5%:3", 5, "0.05") == D(0)
    assert score("区间", "≥10%:0.5；≥1%:0.25；其他:0", D("0.5"), "0") == D(0)
    assert score("区间", "≥10%:0.5；≥1%:0.25；其他:0", D("0.5"), "0.01") == D("0.25")


@pytest.mark.parametrize("params, message", [
    ("", "需要参数"), ("90%:10", "开头"), ("≥90%:11", "0 到 10"), ("≥abc:5", "不是数字"), ("≥90%", "条件:分数"),
])
def test_bands_bad_params(params, message):
    with pytest.raises(RuleError, match=message):
        make_rule("区间", params, D(10))


# --- 阶梯扣分 -------------------------------------------------------------------

SEED000_COMPLETION = "满分线=100%；每降=10%；扣=1；零分线=50%"


@pytest.mark.parametrize("value, expected", [
    ("1", "9"), ("1.5", "9"),
    ("0.9", "8"), ("0.8999", "8"),     # whole steps: 10.01 points short is 1 whole step
    ("0.8", "7"), ("0.7999", "7"),
    ("0.5", "4"),                        # seed 000: 50 % → 4 of 9
    ("0.4999", "0"),                     # below the zero line
    ("0", "0"),
])
def test_step_seed000_completion(value, expected):
    assert score("阶梯扣分", SEED000_COMPLETION, 9, value) == D(expected)


@pytest.mark.parametrize("value, expected", [
    ("0.9", "7"), ("0.95", "7"), ("0.89", "6.9"), ("0.83", "6.3"), ("0.835", "6.4"), ("0.2", "0"), ("0", "0"),
])
def test_step_seed000_satisfaction(value, expected):
    # ≥90 % full, −0.1 per 1 % (whole steps): 83 % → 7 − 0.7 = 6.30
    assert score("阶梯扣分", "满分线=90%；每降=1%；扣=0.1", 7, value) == D(expected)


def test_step_pro_rata_percent_of_weight_seed000_arrival():
    params = "满分线=100%；每降=5%；扣=0.4%权重；计法=按比例"
    # (73.44 ÷ 5) × 0.4 % × 2 = 0.117504 → 0.12 → 1.88
    assert score("阶梯扣分", params, 2, "0.2656") == D("1.88")
    # the same on 1.2 points: 0.0705 → 0.07 → 1.13 (seed 000 资金使用合规性)
    assert score("阶梯扣分", params, D("1.2"), "0.2656") == D("1.13")
    assert score("阶梯扣分", params, 2, "1") == D(2)
    # at 0 %: 100 ÷ 5 = 20 steps × 0.4 % = 8 % of 2 = 0.16
    assert score("阶梯扣分", params, 2, "0") == D("1.84")


def test_step_reverse():
    params = "满分线=0%；每升=1%；扣=1"
    assert score("阶梯扣分", params, 5, "0") == D(5)
    assert score("阶梯扣分", params, 5, "-0.02") == D(5)
    assert score("阶梯扣分", params, 5, "0.025") == D(3)
    assert score("阶梯扣分", params, 5, "0.2") == D(0)


def test_step_count_deduction():
    # 普吉 政策宣传: −0.5 per community not reached
    params = "满分线=0；每升=1；扣=0.5"
    assert score("阶梯扣分", params, 5, "1", rate=False) == D("4.5")
    assert score("阶梯扣分", params, 5, "0", rate=False) == D(5)
    assert score("阶梯扣分", params, 5, "12", rate=False) == D(0)


@pytest.mark.parametrize("params, message", [
    ("每降=1%；扣=0.1", "满分线"), ("满分线=90%；扣=0.1", "每降"), ("满分线=90%；每降=0%；扣=0.1", "大于 0"),
    ("满分线=90%；每降=1%；扣=0.1；计法=四舍五入", "计法"), ("满分线=90%；每降=1%；扣=0.1；上限=3", "不认识"),
    ("满分线=90%；每降=1%；扣=8", "0 到 7"), ("满分线 90%", "名称=值"),
])
def test_step_bad_params(params, message):
    with pytest.raises(RuleError, match=message):
        make_rule("阶梯扣分", params, D(7))


# --- 分档 ----------------------------------------------------------------------

TIERS = "≥100%:2；≥90%:1；其下每降1%扣0.1"


@pytest.mark.parametrize("value, expected", [
    ("1", "2"), ("1.1", "2"), ("0.9999", "1"), ("0.9", "1"), ("0.8999", "1"), ("0.89", "0.9"),
    ("0.85", "0.5"), ("0.8", "0"), ("0.5", "0"), ("0", "0"),
])
def test_tiers_seed004_execution(value, expected):
    assert score("分档", TIERS, 2, value) == D(expected)


def test_tiers_without_tail_and_errors():
    assert score("分档", "≥100%:5；≥90%:4；≥80%:3", 5, "0.5") == D(0)
    with pytest.raises(RuleError):
        make_rule("分档", "≥100%:2；其下每降1%", D(2))
    with pytest.raises(RuleError):
        make_rule("分档", "其下每降1%扣0.1", D(2))


# --- 要点 ----------------------------------------------------------------------

CHECK = "①立项符合政策:0.5；②与职责相符:0.5；③属于公共财政支持范围:0.5；④不重复:0.5；否决:存在截留挪用"


def E(item, result="", score=None, reason=""):
    return Entry(item, result, D(score) if score is not None else None, reason, None)


def test_checklist_all_and_exceptions():
    assert score("要点", CHECK, 2, entries=[E("全部", "是")]) == D(2)
    assert score("要点", CHECK, 2, entries=[E("全部", "是"), E("②", "否", reason="x")]) == D("1.5")
    assert score("要点", CHECK, 2, entries=[E("1", "否"), E("2", "否"), E("3", "否"), E("4", "否")]) == D(0)
    assert score("要点", CHECK, 2, entries=[E("全部", "是"), E("③", score="0.25")]) == D("1.75")
    assert score("要点", CHECK, 2, entries=[E("全部", "是"), E("否决", "是", reason="挪用")]) == D(0)


def test_checklist_missing_entries_are_problems():
    rule = make_rule("要点", CHECK, D(2))
    outcome = rule.score(Context(D(2), "x", entries=(E("①", "是"),)))
    assert outcome.score == D("0.5")
    assert sum(1 for p in outcome.problems if p.is_error) == 3


def test_checklist_texts_the_same_in_decimal_and_in_shares():
    # points typed as decimals are added in Decimal, shares (1/3权重) in Fraction: the texts are the
    # exact values either way.  By hand: ①1.25 + ②是 1.5 + ③否 0 = 2.75 of 5; ① loses 2 − 1.25 = 0.75
    rule = make_rule("要点", "①甲:2；②乙:1.5；③丙:1.5", D(5))
    out = rule.score(Context(D(5), "x", entries=(E("①", score="1.250"), E("②", "是"), E("③", "否"))))
    assert (out.score, out.process) == (D("2.75"), "①1.25+②1.5+③0=2.75")
    assert out.reason == "要点①甲，扣0.75分；要点③丙，扣1.5分"
    # a score typed -0 is 0 (not “-0”); 6 is clamped to ①'s 2 points (an error at its cell)
    out = rule.score(Context(D(5), "x", entries=(E("①", score="6"), E("②", score="-0"), E("③", "是"))))
    assert (out.score, out.process) == (D("3.50"), "①2+②0+③1.5=3.50")
    assert [p.message for p in out.problems] == ["要点①得分 6 超出 0–2 分"]
    # 1/3 of 5 each: ① and ② met give 10/3 exactly, rounded once: 3.33
    rule = make_rule("要点", "①a:1/3权重；②b:1/3权重；③c:1/3权重", D(5))
    out = rule.score(Context(D(5), "x", entries=(E("①", "是"), E("②", "是"), E("③", "否"))))
    assert (out.score, out.process) == (D("3.33"), "①5/3+②5/3+③0=3.33")
    assert out.reason == "要点③c，扣5/3分"


def test_checklist_points_must_sum_to_weight():
    with pytest.raises(RuleError, match="合计"):
        make_rule("要点", "①a:0.5；②b:0.5", D(2))


# --- 定性 / 人工 ------------------------------------------------------------------

def test_qualitative_default_levels():
    assert score("定性", "", 5, entries=[E("", "达成", "4.5")]) == D("4.5")
    assert score("定性", "", 5, entries=[E("", "", "3.5")]) == D("3.5")
    rule = make_rule("定性", "", D(5))
    out = rule.score(Context(D(5), "x", entries=(E("", "达成", "3"),)))
    assert any("等级“达成”的范围是 4–5 分，得分填写了 3" in p.message for p in out.problems)


def test_qualitative_fixed_levels():
    params = "健全:4；粗略:2；未制定:0"
    assert score("定性", params, 4, entries=[E("", "粗略")]) == D(2)
    assert score("定性", params, 4, entries=[E("", "健全")]) == D(4)


def test_manual():
    assert score("人工", "", 5, entries=[E("", score="2.5", reason="材料不充分")]) == D("2.5")
    out = make_rule("人工", "", D(5)).score(Context(D(5), "x"))
    assert out.score == 0 and out.problems[0].is_error


# --- 公式 ----------------------------------------------------------------------

def test_formula_seed000_arrival_expression():
    rule = make_rule("公式", "分值*(1-(1-值)*100/5*0.4%)", D(2))
    out = rule.score(Context(D(2), "资金到位率", Value(D("0.2656"), True, "资金到位率")))
    assert out.score == D("1.88")
    assert out.process == "得分=2×(1-(1-26.56%)×100÷5×0.4%)=1.882496≈1.88"


def test_formula_clamped_and_errors():
    assert score("公式", "值*10", 5, "2", rate=False) == D(5)
    assert score("公式", "值*10-100", 5, "2", rate=False) == D(0)
    from perfeval_xl.core.formula import FormulaError

    def unknown(name):
        raise FormulaError(f"不认识“{name}”")

    # names are only ever looked up as measures: nothing in Python is reachable
    for bad in ("__import__('os')", "open(值)", "值 +", "1/0", "值.__class__", "x" * 600, "2**3", "[1]"):
        with pytest.raises((RuleError, FormulaError)):
            rule = make_rule("公式", bad, D(5))
            rule.score(Context(D(5), "x", Value(D(1), False, "x"), resolve=unknown))


def test_unknown_kind():
    with pytest.raises(RuleError, match="不认识"):
        make_rule("随便", "", D(1))


def test_standard_text_is_generated_from_the_rule():
    rule = make_rule("区间", SATISFACTION_BANDS, D(10))
    text = rule.standard(D(10), "综合满意度")
    assert text.startswith("综合满意度≥90%，得10分；综合满意度≥85%，得8分")
    step = make_rule("阶梯扣分", "满分线=90%；每降=1%；扣=0.1", D(7))
    assert step.standard(D(7), "满意度") == "满意度≥90%得7分；每低1个百分点扣0.1分；扣完为止"
