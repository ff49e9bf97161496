"""The evaluate stage's quicker paths give what the plain ones gave: the values, outcomes and contexts
made with their fields set at once, a class's satisfaction with its rates printed once."""

import dataclasses
from decimal import Decimal as D

import pytest

from perfeval_xl.core.findings import Ref
from perfeval_xl.core.rules import Context, Outcome, Value
from perfeval_xl.core.rules.base import Problem
from perfeval_xl.survey.model import Option, Question, SurveyClass, Tally
from perfeval_xl.survey.tally import class_rate, weighted_rate


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
