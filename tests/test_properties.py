"""Property-based tests (hypothesis) for the measures and the scoring rules:
scores never negative, never above the weight, monotonic in the measured value;
measures never negative for non-negative data and monotonic in the numerator."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from perfeval_xl.core import measures
from perfeval_xl.core.normalize import CellValueError, parse_number
from perfeval_xl.core.rules import Context, Entry, RuleError, Threshold, Value, make_rule
from perfeval_xl.core.findings import Ref

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


# --- 公式, 人工, 定性, 要点: bounded whatever is typed -----------------------------------------------------

@SETTINGS
@given(weights, rates, st.sampled_from(["值*分值", "值*100", "分值-(1-值)*100", "-值", "值^2*分值*3", "if(值>=0.9,分值,0)",
                                        "round(值*分值,1)", "max(0,min(分值,(值-0.5)*20))", "值*1000000000000"]))
def test_formula_bounded(weight, amount, text):
    rule = make_rule("公式", text, weight)
    assert_bounded(score(rule, weight, amount), weight)


manual_scores = st.decimals(min_value=-50, max_value=50, places=2, allow_nan=False, allow_infinity=False)


@SETTINGS
@given(weights, manual_scores)
def test_manual_bounded(weight, typed):
    rule = make_rule("人工", "", weight)
    entry = Entry("", "", typed, "原因", WHERE)
    assert_bounded(score(rule, weight, Decimal(0), entries=[entry]), weight)


@SETTINGS
@given(weights, manual_scores, st.sampled_from(["达成", "部分达成", "未达成", "其他", ""]))
def test_qualitative_bounded(weight, typed, level):
    rule = make_rule("定性", "", weight)
    entry = Entry("", level, typed, "原因", WHERE)
    assert_bounded(score(rule, weight, Decimal(0), entries=[entry]), weight)


@SETTINGS
@given(st.lists(st.sampled_from(["是", "否", "√", "×", "?", ""]), min_size=4, max_size=4), st.lists(manual_scores, min_size=4, max_size=4))
def test_checklist_bounded(results, typed):
    weight = Decimal(2)
    rule = make_rule("要点", "①a:0.5；②b:0.5；③c:0.5；④d:0.5", weight)
    entries = [Entry(f"{'①②③④'[i]}", r, t if i % 2 else None, "", WHERE) for i, (r, t) in enumerate(zip(results, typed))]
    assert_bounded(score(rule, weight, Decimal(0), entries=entries), weight)


# --- parsing numbers: whatever is typed, a number or a CellValueError ----------------------------------------

@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=30), st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**20, 10**20),
                 st.booleans(), st.none()))
def test_parse_number_never_crashes(value):
    try:
        number, suffix = parse_number(value)
    except CellValueError:
        return
    assert number.is_finite() and abs(number) < Decimal("1e15")
    assert suffix in ("", "%", "元", "万", "亿")
