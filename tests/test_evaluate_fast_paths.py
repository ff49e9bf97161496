"""The evaluate stage's quicker paths give what the plain ones gave: the values, outcomes and contexts
made with their fields set at once, a class's satisfaction with its rates printed once."""

import dataclasses
from decimal import Decimal as D

import pytest

from perfeval_xl.core.findings import Ref
from perfeval_xl.core.rules import Context, Outcome, Value
from perfeval_xl.core.rules.base import Problem
from perfeval_xl.survey.model import Option, Question, SurveyClass, Tally
from perfeval_xl.survey.tally import check_tally, class_rate, weighted_rate


def test_value_outcome_context_are_the_dataclasses_they_were():
    ref = Ref("资金情况", 3, 2)
    value = Value(D("0.9"), True, "资金到位率", "资金到位率=90.00%", (ref,))
    assert (value.amount, value.is_rate, value.label, value.text, value.refs, value.unit) == (
        D("0.9"), True, "资金到位率", "资金到位率=90.00%", (ref,), "")
    # keywords, defaults, equality, hashing, repr and replace as the generated __init__ gave them
    assert Value(amount=D("0.9"), is_rate=True, label="资金到位率", text="资金到位率=90.00%", refs=(ref,)) == value
    assert hash(Value(D(1), False, "x")) == hash(Value(D(1), False, "x", "", (), ""))
    assert repr(Value(D(1), False, "x")) == "Value(amount=Decimal('1'), is_rate=False, label='x', text='', refs=(), unit='')"
    assert dataclasses.replace(value, unit="人") == Value(D("0.9"), True, "资金到位率", "资金到位率=90.00%", (ref,), "人")
    assert [f.name for f in dataclasses.fields(Value)] == ["amount", "is_rate", "label", "text", "refs", "unit"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.amount = D(1)  # type: ignore[misc]
    # an outcome given lists keeps tuples (as its __post_init__ made them); tuples are kept as given
    problem = Problem.error(ref, "缺少数据")
    outcome = Outcome(D(5), "得 5 分", problems=[problem], used=[value])
    assert outcome.problems == (problem,) and outcome.used == (value,) and type(outcome.used) is tuple
    assert outcome == Outcome(D(5), "得 5 分", "", (problem,), (value,))
    assert Outcome(D(0), "p").reason == "" and Outcome(D(0), "p").problems == ()
    context = Context(D(10), "综合满意度", value)
    assert (context.target, context.entries, context.resolve, context.where) == (None, (), None, None)
    assert dataclasses.replace(context, where=ref) == Context(D(10), "综合满意度", value, None, (), None, ref)
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.label = "x"  # type: ignore[misc]


def _survey():
    # rates written 1, 0.7, 0 and 1.00 (C of question 2 shares rate 1 with A: one group, printed 100%)
    options = (Option("A", "满意", D("1")), Option("B", "一般", D("0.7")), Option("C", "不满意", D("0")))
    second = (Option("A", "满意", D("0.7")), Option("B", "一般", D("0")), Option("C", "很满意", D("1.00")))
    survey_class = SurveyClass("A", "群众", D("1"), (Question(1, "满意吗", options), Question(2, "好吗", second)))
    tally = Tally("A", units=["甲", "乙"], counts={
        (1, "A", "甲"): 12, (1, "B", "甲"): 5, (1, "C", "甲"): 3, (2, "A", "甲"): 6, (2, "B", "甲"): 2, (2, "C", "甲"): 12,
        (1, "A", "乙"): 7, (1, "B", "乙"): 1, (1, "C", "乙"): 0, (2, "A", "乙"): 1, (2, "B", "乙"): 0, (2, "C", "乙"): 7},
        valid={"甲": 20, "乙": 8})
    return survey_class, tally


def test_a_class_rate_prints_its_rates_as_weighted_rate_prints_them():
    survey_class, tally = _survey()
    # highest rate first, each printed as a percentage as typed
    assert [(str(rate), shown) for rate, *_, shown in survey_class.counted_by_rank] == [
        ("1", "100%"), ("0.7", "70%"), ("0", "0%")]
    # 甲: rate 1 is 12 (1A) + 12 (2C) = 24, 0.7 is 5 (1B) + 6 (2A) = 11, 0 is 3 + 2 = 5:
    # (24×1 + 11×0.7) / 40 = 31.7 / 40 = 79.25 %
    result = class_rate(survey_class, tally, "甲")
    assert result.value == D("0.7925")
    assert result.text == "(24×100%+11×70%+5×0%)/40×100%=79.25%"
    # the same as weighted_rate printing each rate itself, for one unit, every unit and 未作答按0分
    for unit in ("甲", "乙", None):
        for unanswered in ("skip", "zero"):
            pairs = [(count, rate) for count, rate in _pairs(survey_class, tally, unit)]
            valid = tally.valid_count(unit)
            plain = (weighted_rate(pairs) if unanswered == "skip"
                     else weighted_rate(pairs, valid * 2, f"({valid}×2)"))
            assert class_rate(survey_class, tally, unit, unanswered=unanswered) == plain


def _pairs(survey_class, tally, unit):
    """(count, rate) by rate, highest first, counted option by option with tally.count (the plain way)."""
    by_rate: dict = {}
    for question in survey_class.counted:
        for option in question.options:
            by_rate[option.rate] = by_rate.get(option.rate, 0) + tally.count(question.number, option.label, unit)
    return [(count, rate) for rate, count in sorted(by_rate.items(), key=lambda item: item[0], reverse=True)]


def test_check_tally_looks_count_by_count_only_at_a_tally_with_something_to_say():
    survey_class, tally = _survey()
    assert list(check_tally(survey_class, tally)) == []  # every count known and ≥ 0, 甲 20 and 乙 8 answers each
    # a negative count, an option and a question the class does not have (zero counts of those say nothing),
    # one unit answering question 1 once more than its questionnaires: said in the plain loop's order
    counts = dict(tally.counts)
    counts.update({(1, "A", "乙"): 8, (1, "C", "乙"): -1, (1, "D", "甲"): 2, (1, "E", "甲"): 0, (9, "A", "甲"): 1})
    wrong = Tally("A", units=["甲", "乙"], counts=counts, valid={"甲": 20, "乙": 8})
    messages = [f.message for f in check_tally(survey_class, wrong)]
    assert messages == [
        "A类（群众）第1题选项C 乙的人数 -1 为负数",
        "A类（群众）第1题没有选项“D”，甲的 2 个计数无法归入",
        "A类（群众）没有第9题，甲的计数无法归入任何题目",
        # 甲's answers to question 1 count D too: 12 + 5 + 3 + 2 = 22 (the detail lists the options A B C);
        # 乙's: 8 + 1 + (-1) = 8 agrees
        "A类（群众）第1题 甲：各选项人数合计 12+5+3=22，与有效问卷数 20 不一致（多 2）",
    ]
    more = dict(tally.counts)
    more[(2, "B", "乙")] = 1  # 乙 answers question 2 nine times, out of 8 questionnaires
    messages = [f.message for f in check_tally(survey_class, Tally("A", units=["甲", "乙"], counts=more,
                                                                   valid={"甲": 20, "乙": 8}))]
    assert messages == ["A类（群众）第2题 乙：各选项人数合计 1+1+7=9，与有效问卷数 8 不一致（多 1）"]


def test_weighted_mean_takes_decimals_as_they_are_and_converts_the_rest():
    from perfeval_xl.core.measures import composite_satisfaction, weighted_mean

    # (4.5×1 + 3×2 + 2.25×1.5) / (1 + 2 + 1.5) = 13.875 / 4.5 = 3.0833… (28 digits, the default context)
    assert weighted_mean([D("4.5"), 3, "2.25"], [1, D(2), 1.5]) == D("3.083333333333333333333333333")
    assert weighted_mean([D("4.50"), D("3")], [D(1), D(1)]) == D("3.75")
    # 98.13%×40% + 99.00%×30% + 97.50%×30% = 0.39252 + 0.297 + 0.2925 = 0.98202 → 98.20%
    assert composite_satisfaction([D("0.9813"), "0.99", 0.975], [D("0.4"), D("0.3"), "0.3"]) == D("0.9820")


def test_indicator_score_made_whole_is_the_dataclass_made_by_its_init():
    from perfeval_xl.core.scoring import IndicatorScore, _indicator_score

    fields = ("C5", "产出", "数量", "发放完成率", "发放完成率", D(5), "比率", "实际值/目标值×分值", "5×99.18%=4.96",
              D("4.96"), Value(D("0.9918"), True, "发放完成率"), "", "说明", (), (Ref("指标体系", 9, 5),), "")
    made, plain = _indicator_score(*fields), IndicatorScore(*fields)
    assert made == plain and hash(made) == hash(plain) and repr(made) == repr(plain)
    assert list(vars(made)) == list(vars(plain)) == [f.name for f in dataclasses.fields(IndicatorScore)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.score = D(0)  # type: ignore[misc]
