"""Property-based tests (hypothesis) for the measures and the scoring rules:
scores never negative, never above the weight, monotonic in the measured value; for 公式, 人工,
定性 and 要点 the exact score, computed independently;
measures never negative for non-negative data and monotonic in the numerator."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from perfeval_xl.core import measures
from perfeval_xl.core.normalize import CellValueError, parse_number
from perfeval_xl.core.rules import Context, Entry, RuleError, Threshold, Value, make_rule
from perfeval_xl.core.findings import Ref
from perfeval_xl.core.numbers import fmt_plain

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# rates as measures deliver them: fractions rounded to 0.01 %
rates = st.decimals(min_value=0, max_value=3, places=4, allow_nan=False, allow_infinity=False)
weights = st.sampled_from([Decimal(x) for x in ("0.5", "1", "1.2", "2", "3", "4.8", "5", "7", "8", "9", "10", "15", "20")])
percent = st.integers(min_value=1, max_value=100)
amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
positive = st.decimals(min_value="0.01", max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
WHERE = Ref("指标体系", 2, 8)


def score(rule, weight, amount, target=None, entries=()):
    ctx = Context(weight, "值", Value(amount, True, "值"), target, tuple(entries), None, WHERE)
    return rule.score(ctx).score


def assert_bounded(value, weight):
    assert Decimal(0) <= value <= weight
    assert value == value.quantize(Decimal("0.01"))


# --- measures ------------------------------------------------------------------------------------

MEASURES = (measures.arrival_rate, measures.timely_arrival_rate, measures.execution_rate, measures.completion_rate,
            measures.quality_rate, measures.on_time_rate)


@SETTINGS
@given(st.sampled_from(MEASURES), amounts, amounts, positive)
def test_rate_measures_non_negative_and_monotonic(measure, a, b, denominator):
    low, high = sorted((a, b))
    r_low, r_high = measure(low, denominator), measure(high, denominator)
    assert Decimal(0) <= r_low <= r_high
    assert r_low == r_low.quantize(Decimal("0.0001"))


@SETTINGS
@given(positive, amounts, amounts)
def test_cost_saving_decreases_with_cost(planned, a, b):
    low, high = sorted((a, b))
    assert measures.cost_saving_rate(planned, low) >= measures.cost_saving_rate(planned, high)
    assert measures.cost_saving_rate(planned, low) <= 1


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 500), st.sampled_from([Decimal(x) for x in ("1", "0.8", "0.6", "0.5", "0")])),
                min_size=1, max_size=6))
def test_satisfaction_is_a_rate(pairs):
    counts = [c for c, _ in pairs]
    assume(sum(counts) > 0)
    result = measures.satisfaction(counts, [r for _, r in pairs])
    assert Decimal(0) <= result <= Decimal(1)


@SETTINGS
@given(st.lists(rates.filter(lambda r: r <= 1), min_size=1, max_size=5), st.data())
def test_composite_satisfaction_between_min_and_max(values, data):
    n = len(values)
    cuts = sorted(data.draw(st.lists(st.integers(0, 100), min_size=n - 1, max_size=n - 1)))
    parts = [b - a for a, b in zip([0] + cuts, cuts + [100])]
    result = measures.composite_satisfaction(values, [Decimal(p) / 100 for p in parts])
    assert min(values) - Decimal("0.0001") <= result <= max(values) + Decimal("0.0001")


# --- 比率 -------------------------------------------------------------------------------------------

@SETTINGS
@given(st.sampled_from(["", "正向", "反向"]), weights, rates, rates, st.integers(1, 300))
def test_ratio_bounded_and_monotonic(direction, weight, a, b, target_percent):
    rule = make_rule("比率", direction, weight)
    target = Threshold(Decimal(target_percent) / 100, f"{target_percent}%", True)
    low, high = sorted((a, b))
    s_low, s_high = score(rule, weight, low, target), score(rule, weight, high, target)
    assert_bounded(s_low, weight)
    assert_bounded(s_high, weight)
    if direction == "反向":
        assert s_low >= s_high
    else:
        assert s_low <= s_high


# --- 区间 / 分档 --------------------------------------------------------------------------------------

@st.composite
def band_params(draw, with_tail=False):
    """Thresholds descending with points descending, all within the weight."""
    weight = draw(weights)
    n = draw(st.integers(1, 5))
    thresholds = sorted(draw(st.lists(st.integers(0, 150), min_size=n, max_size=n, unique=True)), reverse=True)
    points = sorted(draw(st.lists(st.integers(0, 100), min_size=n, max_size=n)), reverse=True)
    parts = [f"≥{t}%:{(weight * p / 100).quantize(Decimal('0.01'))}" for t, p in zip(thresholds, points)]
    if with_tail:
        step = draw(st.sampled_from(["1%", "5%", "10%"]))
        deduct = draw(st.sampled_from(["0.1", "0.5", "1", "10%权重"]))
        parts.append(f"其下每降{step}扣{deduct}")
    elif draw(st.booleans()):
        parts.append("其他:0")
    return weight, "；".join(parts)


@SETTINGS
@given(band_params(), rates, rates)
def test_bands_bounded_and_monotonic(config, a, b):
    weight, params = config
    rule = make_rule("区间", params, weight)
    low, high = sorted((a, b))
    s_low, s_high = score(rule, weight, low), score(rule, weight, high)
    assert_bounded(s_low, weight)
    assert_bounded(s_high, weight)
    assert s_low <= s_high


@SETTINGS
@given(band_params(with_tail=True), rates, rates)
def test_tiers_bounded_and_monotonic(config, a, b):
    weight, params = config
    try:
        rule = make_rule("分档", params, weight)
    except RuleError:
        assume(False)  # e.g. a deduction larger than the last band's points
    low, high = sorted((a, b))
    s_low, s_high = score(rule, weight, low), score(rule, weight, high)
    assert_bounded(s_low, weight)
    assert_bounded(s_high, weight)
    assert s_low <= s_high


# --- 阶梯扣分 -----------------------------------------------------------------------------------------

@st.composite
def step_params(draw):
    weight = draw(weights)
    reverse = draw(st.booleans())
    line = draw(st.integers(0, 120))
    step = draw(st.sampled_from(["0.5%", "1%", "5%", "10%", "20%"]))
    deduct = draw(st.sampled_from(["0.1", "0.4%权重", "0.5", "1", "5%", "满分"]))
    parts = [f"满分线={line}%", ("每升" if reverse else "每降") + f"={step}", f"扣={deduct}"]
    if draw(st.booleans()):
        zero = draw(st.integers(line, 200)) if reverse else draw(st.integers(0, line))
        parts.append(f"零分线={zero}%")
    parts.append("计法=" + draw(st.sampled_from(["整档", "按比例"])))
    return weight, "；".join(parts), reverse


@SETTINGS
@given(step_params(), rates, rates)
def test_step_deduction_bounded_and_monotonic(config, a, b):
    weight, params, reverse = config
    try:
        rule = make_rule("阶梯扣分", params, weight)
    except RuleError:
        assume(False)  # a deduction above the weight is refused, rightly
    low, high = sorted((a, b))
    s_low, s_high = score(rule, weight, low), score(rule, weight, high)
    assert_bounded(s_low, weight)
    assert_bounded(s_high, weight)
    if reverse:
        assert s_low >= s_high
    else:
        assert s_low <= s_high


# --- 公式, 人工, 定性, 要点: the exact score, computed here by a separate plain formula -----------------------
#
# Each expected score is worked out with ordinary Decimal arithmetic from what the strategy built: clip to
# 0 … 分值, round half up to 0.01 — without the rules module's helpers.

def half_up(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def within(x: Decimal, weight: Decimal) -> Decimal:
    return half_up(min(max(x, Decimal(0)), weight))


def outcome(rule, weight, amount, entries=()):
    ctx = Context(weight, "值", Value(amount, True, "值"), None, tuple(entries), None, WHERE)
    return rule.score(ctx)


def errors(result) -> list[str]:
    return [p.message for p in result.problems if p.severity == "error"]


# the formulas, each with the same arithmetic written in Python (v: the measured value, w: 分值)
FORMULAS = {
    "值*分值": lambda v, w: v * w,
    "值*100": lambda v, w: v * 100,
    "分值-(1-值)*100": lambda v, w: w - (1 - v) * 100,
    "-值": lambda v, w: -v,
    "值^2*分值*3": lambda v, w: v * v * w * 3,
    "if(值>=0.9,分值,0)": lambda v, w: w if v >= Decimal("0.9") else Decimal(0),
    "round(值*分值,1)": lambda v, w: (v * w).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
    "max(0,min(分值,(值-0.5)*20))": lambda v, w: max(Decimal(0), min(w, (v - Decimal("0.5")) * 20)),
    "值*1000000000000": lambda v, w: v * 10**12,
}


@SETTINGS
@given(weights, rates, st.sampled_from(sorted(FORMULAS)))
def test_formula_exact(weight, amount, text):
    rule = make_rule("公式", text, weight)
    assert outcome(rule, weight, amount).score == within(FORMULAS[text](amount, weight), weight)


manual_scores = st.decimals(min_value=-50, max_value=50, places=2, allow_nan=False, allow_infinity=False)


@SETTINGS
@given(weights, manual_scores, st.sampled_from(["原因", ""]))
def test_manual_exact(weight, typed, reason):
    rule = make_rule("人工", "", weight)
    result = outcome(rule, weight, Decimal(0), [Entry("", "", typed, reason, WHERE)])
    expected = within(typed, weight)
    assert result.score == expected
    out_of_range = typed < 0 or typed > weight
    assert errors(result) == ([f"得分 {fmt_plain(typed)} 超出 0–{fmt_plain(weight)} 分"] if out_of_range else [])
    warnings = [p.message for p in result.problems if p.severity == "warning"]
    assert warnings == (["得分低于分值，但没有填写扣分原因"] if expected < weight and not reason else [])


#: the default levels of 定性 (财预〔2020〕10号 第十六条), as shares of the weight: (low, high)
LEVEL_SHARES = {"达成": ("0.8", "1"), "部分达成": ("0.6", "0.8"), "未达成": ("0", "0.6")}


@SETTINGS
@given(weights, st.one_of(st.none(), manual_scores), st.sampled_from(["达成", "部分达成", "未达成", "其他", ""]))
def test_qualitative_exact(weight, typed, level):
    rule = make_rule("定性", "", weight)
    result = outcome(rule, weight, Decimal(0), [Entry("", level, typed, "原因", WHERE)])
    share = LEVEL_SHARES.get(level)
    if typed is not None:
        expected = within(typed, weight)  # the typed score counts, clipped
    elif share is not None:
        expected = half_up(weight * Decimal(share[0]))  # a level without a score: its lower bound, for now
    else:
        expected = Decimal("0.00")
    assert result.score == expected
    if level == "其他":
        wrong = True  # not one of the levels
    elif typed is None:
        wrong = True  # a level is a range and needs a score, or nothing was entered at all
    elif share is None:
        assume(0 <= typed <= weight)  # a score out of range without a level: see the test below
        wrong = False  # the level follows from the score
    else:
        wrong = not weight * Decimal(share[0]) <= typed <= weight * Decimal(share[1])
    assert bool(errors(result)) == wrong, errors(result)


def test_qualitative_score_out_of_range_without_level_is_an_error():
    """定性 with a typed score outside 0–分值 and no level: held within (0.00) and reported, as 人工 and 要点 are."""
    rule = make_rule("定性", "", Decimal(9))
    result = outcome(rule, Decimal(9), Decimal(0), [Entry("", "", Decimal(-5), "原因", WHERE)])
    assert result.score == Decimal("0.00")
    assert [p.message for p in result.problems if p.severity == "error"] == ["得分 -5 超出 0–9 分"]
    above = outcome(rule, Decimal(9), Decimal(0), [Entry("", "", Decimal(12), "", WHERE)])
    assert above.score == Decimal("9.00")  # held at 分值
    assert [p.message for p in above.problems if p.severity == "error"] == ["得分 12 超出 0–9 分"]


@st.composite
def checklists(draw):
    """2–6 items with their points; per item an entry: a tick (是/否/…), a typed score, or nothing."""
    n = draw(st.integers(2, 6))
    points = draw(st.lists(st.sampled_from([Decimal(x) for x in ("0.5", "1", "1.2", "1.5", "2")]), min_size=n, max_size=n))
    marks = "①②③④⑤⑥"[:n]
    params = "；".join(f"{m}要点{i + 1}:{p}" for i, (m, p) in enumerate(zip(marks, points, strict=True)))
    answers = draw(st.lists(st.one_of(st.sampled_from(["是", "√", "否", "×", "?", "", None]), manual_scores),
                            min_size=n, max_size=n))
    return sum(points), params, list(zip(marks, points, answers, strict=True))


@SETTINGS
@given(checklists())
def test_checklist_exact(config):
    weight, params, items = config
    rule = make_rule("要点", params, weight)
    entries = []
    expected, wrong = Decimal(0), 0
    for mark, points, answer in items:
        if answer is None:  # not entered: 0, and an error
            wrong += 1
            continue
        if isinstance(answer, Decimal):
            entries.append(Entry(mark, "", answer, "", WHERE))
            expected += min(max(answer, Decimal(0)), points)
            wrong += not 0 <= answer <= points
        else:
            entries.append(Entry(mark, answer, None, "", WHERE))
            expected += points if answer in ("是", "√") else Decimal(0)
            wrong += answer not in ("是", "√", "否", "×")
    result = outcome(rule, weight, Decimal(0), entries)
    assert result.score == half_up(expected)
    assert len(errors(result)) == wrong, errors(result)


# --- hand-computed examples (the samples' seeds and docs/rules.md) ------------------------------------------

def test_hand_computed_examples():
    entry = lambda item, result, typed, reason="": Entry(item, result, typed, reason, WHERE)  # noqa: E731
    # seed 004 奖励金发放完成率: 5 × 99.18% = 4.959 → 4.96
    assert outcome(make_rule("公式", "值*分值", Decimal(5)), Decimal(5), Decimal("0.9918")).score == Decimal("4.96")
    # seed 000 资金使用合规性, its second sub-item: four points of 1.2, ② not met → 3.60
    rule = make_rule("要点", "①a:1.2；②b:1.2；③c:1.2；④d:1.2", Decimal("4.8"))
    got = outcome(rule, Decimal("4.8"), Decimal(0), [entry("①", "是", None), entry("②", "否", None),
                                                     entry("③", "是", None), entry("④", "是", None)])
    assert (got.score, errors(got)) == (Decimal("3.60"), [])
    # seed 000 绩效目标合理性 (人工): 1.5 of 2 with its reason
    got = outcome(make_rule("人工", "", Decimal(2)), Decimal(2), Decimal(0), [entry("", "", Decimal("1.5"), "与任务数不对应")])
    assert (got.score, got.problems) == (Decimal("1.50"), ())
    # 定性 of 9 points: 部分达成 without a score → 60% × 9 = 5.40 for now, and an error asking for the score
    got = outcome(make_rule("定性", "", Decimal(9)), Decimal(9), Decimal(0), [entry("", "部分达成", None, "原因")])
    assert got.score == Decimal("5.40")
    assert errors(got) == ["等级“部分达成”对应 5.4–7.2 分，请在得分列填写具体分数"]
    # 定性 of 9 points: 达成 with 8 typed (within 7.2–9) → 8.00, no error
    got = outcome(make_rule("定性", "", Decimal(9)), Decimal(9), Decimal(0), [entry("", "达成", Decimal(8), "原因")])
    assert (got.score, errors(got)) == (Decimal("8.00"), [])


# --- parsing numbers: whatever is typed, a number or a CellValueError ----------------------------------------

@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=30), st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**20, 10**20),
                 st.booleans(), st.none()))
@pytest.mark.slow
def test_parse_number_never_crashes(value):
    try:
        number, suffix = parse_number(value)
    except CellValueError:
        return
    assert number.is_finite() and abs(number) < Decimal("1e15")
    assert suffix in ("", "%", "元", "万", "亿")
