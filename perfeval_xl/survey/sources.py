"""Satisfaction value sources computed from questionnaire counts.

Collected in :data:`SURVEY_SOURCES` (listed with the core's in :mod:`perfeval_xl.extensions`):

* ``满意度(A)`` — class A's satisfaction in the scope: from 问卷计数 / 问卷答卷 when the book has
  them for that class and unit (method of 项目信息 满意度计算方法, printed in the 计算过程),
  else the typed rate of the 满意度 sheet (the reader warns when both exist and differ);
* ``综合满意度`` — Σ class satisfaction × class weight, each class as above;
* ``题目得分率(A/3)`` — one question's score rate (counts only);
* ``有效问卷数`` / ``有效问卷数(A)`` — valid questionnaires (all classes, or one).

The scope is one unit (its column of 问卷计数) or, for an evaluation scored as a whole,
every column pooled.
"""

from __future__ import annotations

from decimal import Decimal

from ..core import measures, schema
from ..core import sources as core
from ..core.findings import Ref
from ..core.numbers import ZERO, fmt_percent, fmt_plain
from ..core.rules import Value
from ..core.sources import Scope, SourceError, SourceInfo, collector
from .book import SurveyData, survey_of

#: the questionnaire value sources
SURVEY_SOURCES: dict[str, SourceInfo] = {}
source = collector(SURVEY_SOURCES)


def _data(scope: Scope, code: str | None = None) -> SurveyData | None:
    data = survey_of(scope.book)
    if data is None:
        return None
    if code is not None and not data.has_data(code, scope.unit):
        return None
    return data


def _class_name(scope: Scope, code: str) -> str:
    return core.class_weights(scope.book).get(code, (None, code, None))[1]


def _count_refs(data: SurveyData, code: str, unit: str | None) -> tuple[Ref, ...]:
    return data.tallies[code].unit_refs(unit)


def class_value(scope: Scope, code: str) -> Value:
    """Class ``code`` satisfaction of the scope: from counts when there are any, else typed
    (computed once per scope: 满意度(A) and 综合满意度 both ask for it)."""
    return scope.memo("class satisfaction", code, lambda: _class_value(scope, code))


def _class_value(scope: Scope, code: str) -> Value:
    data = _data(scope, code)
    if data is None:
        try:
            return core.class_rate(scope, code)
        except SourceError:
            counted = survey_of(scope.book)
            if counted is None or code not in counted.tallies:
                raise
            raise SourceError(f"“问卷计数”中{code}类没有{scope.label}的人数（每个单位一列，表头写单位简称），"
                              f"“满意度”表也没有{scope.label}的{code}类满意度",
                              Ref(schema.SURVEY_COUNTS.name, schema.HEADER_ROW, 0)) from None
    result = data.rate(code, scope.unit)
    label = f"{_class_name(scope, code)}满意度"
    text = f"{label}（{data.method_text}）={result.text}"
    return Value(result.value, True, label, text, _count_refs(data, code, scope.unit))


@source("满意度", "某类问卷的满意度，如 满意度(A)：有问卷计数时按计数计算（满意度计算方法见项目信息），"
                "否则取满意度表填写的数值", "required",
        label=lambda arg, indicator: indicator or f"{arg}类满意度")
def satisfaction_of(scope: Scope, arg: str) -> Value:
    return class_value(scope, arg)


@source("综合满意度", "Σ 各类满意度 × 类别权重（问卷类别；各类满意度同 满意度(类别)）")
def composite(scope: Scope) -> Value:
    book = scope.book
    classes = core.class_weights(book)
    if not classes:
        raise SourceError("综合满意度缺少数据：“问卷类别”为空", Ref(schema.SURVEY_CLASSES.name, schema.HEADER_ROW, 0))
    rates: list[Decimal] = []
    weights: list[Decimal] = []
    parts: list[str] = []
    refs: list[Ref] = []
    texts: list[str] = []
    computed = False
    data, unit = survey_of(book), scope.unit
    for code, (weight, _name, ref) in classes.items():
        if weight is None:
            raise SourceError(f"问卷类别“{code}”没有填写权重", ref)
        value = class_value(scope, code)
        computed = computed or (data is not None and data.has_data(code, unit))  # _data(scope, code) is not None
        rates.append(value.amount)
        weights.append(weight)
        parts.append(f"{fmt_percent(value.amount)}×{fmt_plain(weight * 100)}%")
        refs.extend(value.refs)
        texts.append(value.text)
    rate = measures.composite_satisfaction(rates, weights)
    text = f"综合满意度={'+'.join(parts)}={fmt_percent(rate)}"
    if computed:  # the class rates carry their own calculation: print it
        text = "；".join(texts + [text])
    return Value(rate, True, "综合满意度", text, tuple(refs))


def _split_question(arg: str) -> tuple[str, int]:
    text = arg.replace("／", "/").replace("第", "").replace("题", "")
    code, sep, number = text.rpartition("/")
    if not sep or not code.strip() or not number.strip().isdigit():
        raise SourceError(f"题目得分率的参数“{arg}”应写作 类别代码/题号，如 题目得分率(A/3)")
    return code.strip(), int(number.strip())


@source("题目得分率", "某一题的得分率（问卷计数）：Σ人数×选项得分率÷该题答案数，写作 题目得分率(A/3)", "required")
def question_rate(scope: Scope, arg: str) -> Value:
    code, number = _split_question(arg)
    data = _data(scope, code)
    if data is None:
        raise SourceError(f"“问卷计数”中没有{scope.label}类别“{code}”的计数",
                          Ref(schema.SURVEY_COUNTS.name, schema.HEADER_ROW, 0))
    result = data.question_rate(code, number, scope.unit)
    question = data.classes[code].question(number)
    label = f"{code}类第{number}题得分率"
    text = f"{label}（{question.text}）={result.text}" if question.text else f"{label}={result.text}"
    return Value(result.value, True, label, text, _count_refs(data, code, scope.unit))


@source("有效问卷数", "有效问卷份数（问卷计数的“有效问卷数”行，或满意度表）；可按类别，如 有效问卷数(A)", "optional")
def valid_questionnaires(scope: Scope, arg: str | None) -> Value:
    data = survey_of(scope.book)
    codes = [arg] if arg else (data.codes if data else [])
    total, parts = ZERO, []
    for code in codes:
        n: Decimal
        count = data.valid(code, scope.unit) if data is not None and data.has_data(code, scope.unit) else None
        if count is None:
            rows = scope.rows(schema.SATISFACTION, defaults=True, where=lambda r, c=code: r.get("class_code") == c)
            values = [r.get("valid") for r in rows if r.get("valid") is not None]
            if not values:
                raise SourceError(f"没有{scope.label}类别“{code}”的有效问卷数",
                                  Ref(schema.SURVEY_COUNTS.name, schema.HEADER_ROW, 0))
            n = sum(values, ZERO)
        else:
            n = Decimal(count)
        total += n
        parts.append(fmt_plain(n))
    if not codes:
        raise SourceError("没有问卷计数，无法统计有效问卷数", Ref(schema.SURVEY_COUNTS.name, schema.HEADER_ROW, 0))
    label = f"{arg}类有效问卷数" if arg else "有效问卷数"
    shown = f"{'+'.join(parts)}={fmt_plain(total)}" if len(parts) > 1 else fmt_plain(total)
    return Value(total, False, label, f"{label}={shown}份")

