"""Satisfaction measures over questionnaire tallies, and the checks a reviewer would make.

Every measure returns a :class:`RateResult`: the rate as a fraction rounded half up to
0.01 % (what reports print and what scoring uses) and the calculation in numbers, e.g.
``(12×100%+22×80%+6×60%)/40×100%=83.00%``.  Rounding happens once, at the end; a
composite is computed from the rounded class rates, as reports print them.

Two methods (the template's 满意度计算方法):

* 按答案 (per answer): Σ(人数 × 选项得分率) / 答案数, over the questions that count toward
  satisfaction.  Answers at the same score rate are grouped in the printed text, so a
  class over ten questions prints like annex 5: ``(7744×100%+183×70%+13×0%)/7940×100%``.
* 按答卷 (per respondent): the mean of each respondent's score, a respondent's score being
  the mean rate of his answers.  Needs respondent-level data (a survey-platform export).

Unanswered questions: by default (``unanswered="skip"``) a blank answer is simply not
counted.  ``unanswered="zero"`` counts it as 0 %: per answer the base becomes 有效问卷数 ×
题数, per respondent each score is divided by the number of questions.  Seed 004's
class B rate (98.64 %) is only reproducible that way (ten answers are missing from its
tally); the checks report such gaps either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, repeat
from operator import itemgetter
from typing import Iterable, Sequence

from ..core.findings import Findings, Ref
from ..core.measures import MeasureError, composite_satisfaction
from ..core.numbers import ONE, ZERO, fmt_percent, fmt_percent_plain, fmt_plain, round_half_up, round_rate, to_decimal
from .model import PER_ANSWER, PER_RESPONDENT, Response, SurveyClass, Tally

SKIP = "skip"
ZERO_SCORE = "zero"


@dataclass(frozen=True)
class RateResult:
    """A satisfaction rate (fraction rounded to 0.01 %) with its printed calculation."""

    value: Decimal
    text: str
    numerator: Decimal
    denominator: Decimal

    @property
    def percent(self) -> str:
        return fmt_percent(self.value)


# ---------------------------------------------------------------------------
# measures


def weighted_rate(pairs: Sequence[tuple[object, object]], denominator: object = None,
                  denominator_text: str | None = None, rate_texts: Sequence[str] | None = None) -> RateResult:
    """Σ(count × rate) / denominator (default Σ count), with the calculation text.

    ``weighted_rate([(12, 1), (22, 0.8), (6, 0.6)])`` → 0.8300,
    ``(12×100%+22×80%+6×60%)/40×100%=83.00%``.  ``rate_texts``: each pair's rate as printed
    (:func:`~perfeval_xl.core.numbers.fmt_percent_plain`), when the caller has them already.
    """
    items = [(c if type(c) is Decimal else to_decimal(c), r if type(r) is Decimal else to_decimal(r)) for c, r in pairs]
    if not items:
        raise MeasureError("满意度无法计算：没有选项")
    if any(c < ZERO for c, _ in items):
        raise MeasureError("满意度无法计算：人数不能为负数")
    if any(r < ZERO or r > ONE for _, r in items):
        raise MeasureError("满意度无法计算：选项得分率应在 0%–100% 之间")
    numerator = sum((c * r for c, r in items), ZERO)
    base = sum((c for c, _ in items), ZERO) if denominator is None else to_decimal(denominator)
    if base == ZERO:
        raise MeasureError("满意度无法计算：有效答案数为 0")
    value = round_rate(numerator / base)
    shown = rate_texts if rate_texts is not None else [fmt_percent_plain(r) for _, r in items]
    terms = "+".join([f"{fmt_plain(c)}×{rate}" for (c, _), rate in zip(items, shown)])
    text = f"({terms})/{denominator_text or fmt_plain(base)}×100%={fmt_percent(value)}"
    return RateResult(value, text, numerator, base)


def question_rate(survey_class: SurveyClass, tally: Tally, number: int, unit: str | None = None) -> RateResult:
    """One question's rate: Σ(人数 × 选项得分率) / 该题答案数 (one unit or all units)."""
    question = survey_class.question(number)
    pairs = [(tally.count(number, o.label, unit), o.rate) for o in question.options]
    return weighted_rate(pairs)


def _grouped_pairs(survey_class: SurveyClass, tally: Tally, unit: str | None) -> list[tuple[int, Decimal]]:
    """(count, rate) of each score rate of the class's counted options, from the highest rate down
    (:attr:`~.model.SurveyClass.counted_by_rank`, in whose order the rates print)."""
    get = tally.counts.get
    if unit is not None:  # tally.count of one unit, without the call per option: each rate's options summed by C loops
        return [(sum(map(get, zip(numbers, labels, repeat(unit)), repeat(0))), rate)
                for rate, numbers, labels, _ in survey_class.counted_by_rank]
    # tally.count over all units: each rate's options in every unit of the tally (a unit listed twice
    # is counted twice, as tally.count does), summed by C loops
    units = tally.units
    every = len(units)
    return [(sum(map(get, zip(numbers * every, labels * every,
                              chain.from_iterable(map(repeat, units, repeat(len(numbers))))), repeat(0))), rate)
            for rate, numbers, labels, _ in survey_class.counted_by_rank]


def class_rate(
    survey_class: SurveyClass,
    tally: Tally | None = None,
    unit: str | None = None,
    *,
    method: str = PER_ANSWER,
    responses: Iterable[Response] | None = None,
    unanswered: str = SKIP,
) -> RateResult:
    """A class's satisfaction in one unit (``unit``) or over all units (``unit=None``)."""
    if unanswered not in (SKIP, ZERO_SCORE):
        raise ValueError(unanswered)
    if not survey_class.counted:
        raise MeasureError(f"{survey_class.title}满意度无法计算：没有计入满意度的题目")
    if method == PER_ANSWER:
        if tally is None:
            raise MeasureError(f"{survey_class.title}满意度无法计算：没有问卷计数")
        pairs = _grouped_pairs(survey_class, tally, unit)
        shown = [rate for *_, rate in survey_class.counted_by_rank]  # (the rates in the pairs' order)
        if unanswered == SKIP:
            return weighted_rate(pairs, rate_texts=shown)
        valid = tally.valid_count(unit)
        if valid is None:
            raise MeasureError(f"{survey_class.title}满意度无法计算：未填写有效问卷数")
        n = len(survey_class.counted)
        return weighted_rate(pairs, valid * n, f"({valid}×{n})", shown)
    if method == PER_RESPONDENT:
        if responses is None:
            raise MeasureError(f"{survey_class.title}满意度无法按答卷计算：没有逐份答卷数据（须导入问卷平台导出文件）")
        return _per_respondent(survey_class, [r for r in responses if unit is None or r.unit == unit], unanswered)
    raise MeasureError(f"满意度计算方法“{method}”无效，应为“{PER_ANSWER}”或“{PER_RESPONDENT}”")


def respondent_score(survey_class: SurveyClass, response: Response, unanswered: str = SKIP) -> Decimal | None:
    """One respondent's score (a fraction, not rounded); None if he answered no counted question."""
    rates = []
    for question in survey_class.counted:
        label = response.answers.get(question.number)
        if label is None:
            continue
        try:
            rates.append(question.option(label).rate)
        except KeyError:
            raise MeasureError(f"第{question.number}题没有选项“{label}”") from None
    if unanswered == ZERO_SCORE:
        return sum(rates, ZERO) / len(survey_class.counted)
    if not rates:
        return None
    return sum(rates, ZERO) / len(rates)


def _per_respondent(survey_class: SurveyClass, responses: list[Response], unanswered: str) -> RateResult:
    scores = [s for s in (respondent_score(survey_class, r, unanswered) for r in responses) if s is not None]
    if not scores:
        raise MeasureError(f"{survey_class.title}满意度无法计算：没有作答的答卷")
    total = sum(scores, ZERO)
    value = round_rate(total / len(scores))
    text = f"Σ各份答卷得分/答卷数={fmt_plain(round_half_up(total, 4))}/{len(scores)}×100%={fmt_percent(value)}"
    return RateResult(value, text, total, Decimal(len(scores)))


def unit_rates(survey_class: SurveyClass, tally: Tally, **kwargs) -> dict[str, RateResult]:
    """:func:`class_rate` for each unit of the tally that has answers (or respondents)."""
    out: dict[str, RateResult] = {}
    for unit in tally.units:
        try:
            out[unit] = class_rate(survey_class, tally, unit, **kwargs)
        except MeasureError:
            continue
    return out


def composite_rate(parts: Sequence[tuple[SurveyClass, object]]) -> RateResult:
    """综合满意度 = Σ 类别满意度 × 类别权重, from the (rounded) class rates.

    ``parts``: ``(class, rate)`` with rate a Decimal fraction or a :class:`RateResult`.
    Text: ``99.15%×40%+98.64%×30%+99.16%×30%=99.00%``.
    """
    rates, weights = [], []
    for survey_class, rate in parts:
        if survey_class.weight is None:
            raise MeasureError(f"综合满意度无法计算：{survey_class.title}未填写权重")
        rates.append(rate.value if isinstance(rate, RateResult) else to_decimal(rate))
        weights.append(survey_class.weight)
    value = composite_satisfaction(rates, weights)
    terms = "+".join(f"{fmt_percent(r)}×{fmt_percent_plain(w)}" for r, w in zip(rates, weights))
    numerator = sum((r * w for r, w in zip(rates, weights)), ZERO)
    return RateResult(value, f"{terms}={fmt_percent(value)}", numerator, ONE)


def option_totals(survey_class: SurveyClass, tally: Tally, unit: str | None = None,
                  counted_only: bool = True) -> dict[str, int]:
    """Answers per option label over the class's questions (annex 5's A / B / C columns)."""
    questions = survey_class.counted if counted_only else survey_class.questions
    totals: dict[str, int] = {}
    for question in questions:
        for opt in question.options:
            totals[opt.label] = totals.get(opt.label, 0) + tally.count(question.number, opt.label, unit)
    return totals


# ---------------------------------------------------------------------------
# checks


def _where(ref: Ref | None, sheet: str) -> Ref | tuple[str, str]:
    return ref if ref is not None else (sheet, "")


def check_classes(classes: Sequence[SurveyClass], sheet: str = "问卷类别") -> Findings:
    """Weights sum to 100 %; option rates within 0–100 %; options well formed."""
    findings = Findings()
    weighted = [(c, weight) for c in classes if (weight := c.weight) is not None]
    if weighted:
        for c in classes:
            if c.weight is None:
                findings.error(_where(c.weight_ref or c.ref, sheet), f"{c.title}未填写权重，其他类别填写了权重")
        total = sum((weight for _, weight in weighted), ZERO)
        if total != ONE:
            parts = "+".join(fmt_percent_plain(weight) for _, weight in weighted)
            first = weighted[0][0]
            findings.error(_where(first.weight_ref or first.ref, sheet),
                           f"问卷类别权重合计为 {parts}={fmt_percent_plain(total)}，应为 100%")
        for c, weight in weighted:
            if weight < ZERO or weight > ONE:
                findings.error(_where(c.weight_ref or c.ref, sheet),
                               f"{c.title}的权重 {fmt_percent_plain(weight)} 超出 0%–100%")
    for c in classes:
        numbers = [q.number for q in c.questions]
        for n in sorted({n for n in numbers if numbers.count(n) > 1}):
            findings.error(_where(c.ref, sheet), f"{c.title}第{n}题重复")
        for q in c.questions:
            if not q.options:
                findings.error(_where(q.ref or c.ref, sheet), f"{c.title}第{q.number}题没有选项")
            labels = [o.label for o in q.options]
            for label in sorted({x for x in labels if labels.count(x) > 1}):
                findings.error(_where(q.ref or c.ref, sheet), f"{c.title}第{q.number}题选项“{label}”重复")
            for o in q.options:
                if o.rate < ZERO or o.rate > ONE:
                    findings.error(_where(o.ref or q.ref or c.ref, sheet),
                                   f"{c.title}第{q.number}题选项{o.label}（{o.text}）的得分率 "
                                   f"{fmt_percent_plain(o.rate)} 超出 0%–100%")
    return findings


def check_tally(survey_class: SurveyClass, tally: Tally) -> Findings:
    """Per question and unit, option counts sum to the unit's valid questionnaires; no empty question.

    More answers than questionnaires is an error; fewer is a warning (blank answers happen).
    """
    findings = Findings()
    title = survey_class.title
    sheet = tally.sheet
    known = {(q.number, o.label) for q in survey_class.questions for o in q.options}
    numbers = {q.number for q in survey_class.questions}
    for (number, label, unit), count in _counts_to_check(tally, known):
        if number not in numbers:
            if count:
                findings.error(_where(tally.ref(number, label, unit), sheet),
                               f"{title}没有第{number}题，{unit}的计数无法归入任何题目")
            continue
        if (number, label) not in known:
            if count:
                findings.error(_where(tally.ref(number, label, unit), sheet),
                               f"{title}第{number}题没有选项“{label}”，{unit}的 {count} 个计数无法归入")
            continue
        if count < 0:
            findings.error(_where(tally.ref(number, label, unit), sheet),
                           f"{title}第{number}题选项{label} {unit}的人数 {count} 为负数")
    for unit in tally.units:
        if unit not in tally.valid:
            findings.warning((sheet, ""), f"{title} {unit}未填写有效问卷数，无法核对各题人数")
    units = tally.units
    valid_of_units = list(map(tally.valid.get, units))
    for question in survey_class.questions:
        got_of_units = list(map(tally.answers, repeat(question.number), units))
        if sum(got_of_units) == 0:  # (tally.answers of the question over all units)
            findings.warning(_where(question.ref, sheet), f"{title}第{question.number}题没有任何作答")
            continue
        if got_of_units == valid_of_units:  # every unit's answers are its valid questionnaires: nothing to say
            continue
        for unit in tally.units:
            valid = tally.valid.get(unit)
            if valid is None:
                continue
            got = tally.answers(question.number, unit)
            if got != valid:
                first = next((tally.ref(question.number, o.label, unit) for o in question.options
                              if tally.ref(question.number, o.label, unit) is not None), None)
                detail = "+".join(str(tally.count(question.number, o.label, unit)) for o in question.options)
                where = _where(first or tally.valid_refs.get(unit), sheet)
                text = f"{title}第{question.number}题 {unit}：各选项人数合计 {detail}={got}，与有效问卷数 {valid} 不一致"
                if got < valid:
                    # blank answers happen (a respondent skipped the question): a warning, and the
                    # 未作答题目 setting decides whether they count as 0 %
                    findings.warning(where, f"{text}（少 {valid - got}，可能有 {valid - got} 份答卷未作答此题）")
                else:
                    findings.error(where, f"{text}（多 {got - valid}）")
    return findings


def _counts_to_check(tally: Tally, known: set[tuple[int, str]]) -> Iterable[tuple[tuple[int, str, str], int]]:
    """The counts :func:`check_tally` looks at one by one: none when every count is of a known option
    and none is negative (what a well-formed tally holds, told by C passes over its keys and values)."""
    counts = tally.counts
    try:
        if set(map(_QUESTION_OPTION, counts)) <= known and min(counts.values(), default=0) >= 0:
            return ()
    except TypeError:  # pragma: no cover - a count that is not a number: looked at one by one
        pass
    return counts.items()


_QUESTION_OPTION = itemgetter(0, 1)


def check_rates(rates: Iterable[tuple[object, Ref | tuple[str, str] | None, str]]) -> Findings:
    """Rates (e.g. typed satisfaction rates) outside 0–100 %: ``(rate, where, what)`` triples."""
    findings = Findings()
    for rate, where, what in rates:
        value = to_decimal(rate)
        if value < ZERO or value > ONE:
            findings.error(where, f"{what} {fmt_percent_plain(value)} 超出 0%–100%")
    return findings
