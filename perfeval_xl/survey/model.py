"""Questionnaire data: classes, questions, options, tallies and respondent-level answers.

Dumb data, no Excel: the template reader and the export importer build these; the
measures in :mod:`perfeval_xl.survey.tally` read them.  A *tally* holds counts per
(question, option, unit) for one questionnaire class, plus each unit's number of valid
questionnaires (有效问卷数), which the checks compare the counts against.  Respondent-level
answers (:class:`Response`) exist only when the data came from a survey-platform export;
they are what the per-respondent method (按答卷) needs.

Every object may carry the :class:`~perfeval_xl.core.findings.Ref` of the cell it came
from, so that a finding names the sheet and cell an evaluator has to look at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Iterable, Mapping, Sequence

from ..core.findings import Ref
from ..core.numbers import fmt_percent_plain, to_decimal

#: 满意度计算方法 (the template's choice values)
PER_ANSWER = "按答案"
PER_RESPONDENT = "按答卷"
METHODS = (PER_ANSWER, PER_RESPONDENT)


@dataclass(frozen=True)
class Option:
    """One answer option: its label ("A"), its text ("非常满意") and its score rate (a fraction)."""

    label: str
    text: str
    rate: Decimal
    ref: Ref | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", to_decimal(self.rate))


@dataclass(frozen=True)
class Question:
    number: int
    text: str
    options: tuple[Option, ...]
    #: knowledge questions ("是否了解") may be left out of the satisfaction rate
    counts_toward_satisfaction: bool = True
    ref: Ref | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", tuple(self.options))

    def option(self, label: str) -> Option:
        for opt in self.options:
            if opt.label == label:
                return opt
        raise KeyError(label)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(o.label for o in self.options)


@dataclass(frozen=True)
class SurveyClass:
    """A questionnaire class (问卷类别), e.g. A 奖励对象 with weight 40 % in the composite."""

    code: str
    name: str
    weight: Decimal | None
    questions: tuple[Question, ...]
    ref: Ref | None = None
    weight_ref: Ref | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "questions", tuple(self.questions))
        if self.weight is not None:
            object.__setattr__(self, "weight", to_decimal(self.weight))

    def question(self, number: int) -> Question:
        """The (first) question numbered ``number``; KeyError when there is none."""
        return self._by_number[number]

    @cached_property
    def _by_number(self) -> dict[int, Question]:
        """The questions by number, the first of a repeated number kept (found once: the questions never change)."""
        found: dict[int, Question] = {}
        for q in self.questions:
            found.setdefault(q.number, q)
        return found

    @cached_property
    def counted(self) -> tuple[Question, ...]:
        """The questions that count toward the satisfaction rate (found once: the questions never change)."""
        return tuple(q for q in self.questions if q.counts_toward_satisfaction)

    @cached_property
    def counted_by_rate(self) -> tuple[tuple[Decimal, tuple[int, ...], tuple[str, ...]], ...]:
        """The options of :attr:`counted` grouped by score rate, in the order each rate first appears
        (question by question): each rate (as first written) with the question numbers and labels of its
        options, for sums over a tally by C loops (found once: the questions never change)."""
        groups: dict[Decimal, tuple[list[int], list[str]]] = {}
        for question in self.counted:
            for opt in question.options:
                numbers, labels = groups.setdefault(opt.rate, ([], []))
                numbers.append(question.number)
                labels.append(opt.label)
        return tuple((rate, tuple(numbers), tuple(labels)) for rate, (numbers, labels) in groups.items())

    @cached_property
    def counted_by_rank(self) -> tuple[tuple[Decimal, tuple[int, ...], tuple[str, ...], str], ...]:
        """:attr:`counted_by_rate` from the highest rate down (the order a satisfaction's calculation
        prints them in), each with its rate as printed there (``70%``): sorted and printed once, not
        for every unit's rate (found once: the questions never change)."""
        ranked = sorted(self.counted_by_rate, key=lambda group: group[0], reverse=True)
        return tuple((rate, numbers, labels, fmt_percent_plain(rate)) for rate, numbers, labels in ranked)

    @property
    def title(self) -> str:
        return f"{self.code}类（{self.name}）" if self.name else f"{self.code}类"


def uniform_options(labelled: Sequence[tuple[str, str]], rates: Mapping[str, object]) -> tuple[Option, ...]:
    """Options whose rate depends only on the label: ``[("A","满意"),("B","一般")]``, ``{"A":1,"B":0.7}``."""
    return tuple(Option(label, text, to_decimal(rates[label])) for label, text in labelled)


@dataclass(frozen=True)
class Response:
    """One respondent's questionnaire (one row of an export): unit and answers by question number.

    ``answers`` maps a question number to the chosen option label; a question the
    respondent left blank is absent.  ``row`` is the zero-based row in the source sheet.
    """

    unit: str
    answers: Mapping[int, str]
    row: int | None = None
    sheet: str = ""


@dataclass
class Tally:
    """Counts per (question number, option label, unit) for one class, and valid questionnaires per unit."""

    class_code: str
    units: list[str] = field(default_factory=list)
    counts: dict[tuple[int, str, str], int] = field(default_factory=dict)
    #: 有效问卷数 per unit
    valid: dict[str, int] = field(default_factory=dict)
    #: where each count came from (for findings); optional
    refs: dict[tuple[int, str, str], Ref] = field(default_factory=dict)
    valid_refs: dict[str, Ref] = field(default_factory=dict)
    #: the sheet findings name when a count has no ref of its own
    sheet: str = ""

    def __post_init__(self) -> None:
        # indexes kept beside the counts so that a question's answers and the unit list are
        # looked up, not rescanned (a full scan per question and unit made big tallies quadratic)
        self._known_units = set(self.units)
        self._answers: dict[tuple[int, str], int] = {}
        for (number, _, unit), count in self.counts.items():
            self._answers[(number, unit)] = self._answers.get((number, unit), 0) + count
        self._unit_refs: dict[str, dict[tuple[int, str, str], Ref]] = {}
        for key, ref in self.refs.items():
            self._unit_refs.setdefault(key[2], {})[key] = ref

    def _unit(self, unit: str) -> None:
        if unit not in self._known_units:
            self._known_units.add(unit)
            self.units.append(unit)

    def set(self, number: int, label: str, unit: str, count: int, ref: Ref | None = None) -> None:
        if unit not in self._known_units:  # self._unit(unit), inline: a count is set per unit of every option
            self._known_units.add(unit)
            self.units.append(unit)
        key = (number, label, unit)
        answers = (number, unit)
        self._answers[answers] = self._answers.get(answers, 0) + count - self.counts.get(key, 0)
        self.counts[key] = count
        if ref is not None:
            self.refs[key] = ref
            self._unit_refs.setdefault(unit, {})[key] = ref

    def set_counts(self, number: int, label: str, counts: Mapping[str, int], refs: Mapping[str, Ref]) -> None:
        """:meth:`set` of each unit's count of one option (``counts`` by unit, in order), each with its
        ref in ``refs`` when there is one: one call for a row of the 问卷计数 sheet."""
        known, answers, stored, unit_refs = self._known_units, self._answers, self.counts, self._unit_refs
        for unit, count in counts.items():
            if unit not in known:
                known.add(unit)
                self.units.append(unit)
            key = (number, label, unit)
            per_question = (number, unit)
            answers[per_question] = answers.get(per_question, 0) + count - stored.get(key, 0)
            stored[key] = count
            ref = refs.get(unit)
            if ref is not None:
                self.refs[key] = ref
                own = unit_refs.get(unit)  # (not setdefault: no empty dict made for every count)
                if own is None:
                    own = unit_refs[unit] = {}
                own[key] = ref

    def add(self, number: int, label: str, unit: str, count: int = 1) -> None:
        self._unit(unit)
        key = (number, label, unit)
        self.counts[key] = self.counts.get(key, 0) + count
        self._answers[(number, unit)] = self._answers.get((number, unit), 0) + count

    def set_valid(self, unit: str, count: int, ref: Ref | None = None) -> None:
        self._unit(unit)
        self.valid[unit] = count
        if ref is not None:
            self.valid_refs[unit] = ref

    def _units(self, unit: str | None) -> list[str]:
        return list(self.units) if unit is None else [unit]

    def count(self, number: int, label: str, unit: str | None = None) -> int:
        """Answers choosing ``label`` on question ``number`` (in one unit, or all units)."""
        if unit is not None:
            return self.counts.get((number, label, unit), 0)
        return sum(self.counts.get((number, label, u), 0) for u in self._units(unit))

    def answers(self, number: int, unit: str | None = None) -> int:
        """Answers tallied for question ``number`` (in one unit, or all units)."""
        if unit is not None:
            return self._answers.get((number, unit), 0)
        return sum(self._answers.get((number, u), 0) for u in self._units(unit))

    def valid_count(self, unit: str | None = None) -> int | None:
        """有效问卷数 of one unit or of all units; None if any needed unit has none declared."""
        units = self._units(unit)
        if any(u not in self.valid for u in units):
            return None
        return sum(self.valid[u] for u in units)

    def ref(self, number: int, label: str, unit: str) -> Ref | None:
        return self.refs.get((number, label, unit))

    def unit_refs(self, unit: str | None) -> tuple[Ref, ...]:
        """Where the counts of one unit (or of all units, None) were read."""
        if unit is None:
            return tuple(self.refs.values())
        return tuple(self._unit_refs.get(unit, {}).values())


def tally_from_table(
    survey_class: SurveyClass,
    units: Sequence[str],
    rows: Iterable[tuple[int, str, Sequence[int]]],
    valid: Sequence[int] | None = None,
    sheet: str = "",
) -> Tally:
    """A tally from annex-5-1-shaped data: ``(question number, option label, counts per unit)``."""
    tally = Tally(survey_class.code, units=list(units), sheet=sheet)
    for number, label, counts in rows:
        if len(counts) != len(units):
            raise ValueError(f"第{number}题选项{label}：计数个数 {len(counts)} 与单位个数 {len(units)} 不一致")
        for unit, count in zip(units, counts):
            tally.set(number, label, unit, count)
    if valid is not None:
        for unit, count in zip(units, valid):
            tally.set_valid(unit, count)
    return tally


def tally_responses(survey_class: SurveyClass, responses: Iterable[Response],
                    units: Sequence[str] = (), sheet: str = "") -> Tally:
    """Count respondent-level answers; every respondent is one valid questionnaire of its unit."""
    tally = Tally(survey_class.code, units=list(units), sheet=sheet)
    for unit in units:
        tally.set_valid(unit, 0)
    for question in survey_class.questions:
        for unit in units:
            for opt in question.options:
                tally.set(question.number, opt.label, unit, 0)
    for resp in responses:
        tally.set_valid(resp.unit, tally.valid.get(resp.unit, 0) + 1)
        for question in survey_class.questions:
            label = resp.answers.get(question.number)
            if label is not None:
                tally.add(question.number, label, resp.unit)
    return tally
