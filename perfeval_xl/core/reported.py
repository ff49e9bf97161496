"""报告数据: figures a report printed, reconciled with the evaluation.

Each row of the optional sheet 报告数据 names a figure (an indicator's score, a 二级 /
一级 subtotal, the value an indicator was scored on, any value source, a unit's or the
project's 总分 and 等级) and what the report printed for it.  The figure is recomputed
and compared at the printed precision (:mod:`perfeval_xl.core.printed`); each comparison
is either an agreement (counted in ``checked``) or a :class:`~perfeval_xl.core.slips.Slip`
whose message is the computation as the 评分表 prints it (``5×99.18%=4.96``).

A row that names nothing the evaluation knows (an unknown 对象, a 报告值 that is not a
figure, an amount unit that does not fit) is an error finding at its cell, never skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable, NamedTuple

from . import schema
from .book import column_values
from .findings import Findings
from .measures import weighted_mean
from .numbers import ZERO, fmt_plain, fmt_score, round_score, to_decimal
from .printed import SCORE_DECIMALS, Printed, parse_printed, scale
from .rules import Value
from .scoring import Evaluation, IndicatorScore, LevelScore, UnitScore
from .slips import Slip
from .sources import Scope, SourceError

GRADES = ("优", "良", "中", "差")


@dataclass
class Reconciliation:
    slips: list[Slip] = field(default_factory=list)
    #: printed figures compared
    checked: int = 0
    findings: Findings = field(default_factory=Findings)

    @property
    def agreed(self) -> int:
        return self.checked - len(self.slips)


class _Figure(NamedTuple):
    """What a row asks for, recomputed: the number (or grade), how it was computed, and
    whether it is a score (compared to 0.01) or a grade.  Immutable (a named tuple: one per
    报告数据 row, built at a fraction of a frozen dataclass's cost)."""

    what: str
    number: Decimal | None
    #: how it was computed: the text, or what makes it (called only for a row that disagrees)
    how: "str | Callable[[], str]"
    score: bool = False
    grade: str | None = None
    amount: bool = False

    @property
    def message(self) -> str:
        return self.how if isinstance(self.how, str) else self.how()


_new_figure = tuple.__new__


class _RowError(Exception):
    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key
        self.message = message


class _Lookup:
    """What every 报告数据 row looks up, found once per reconciliation: each unit's scores and
    indicator index, the project's indicator means, whether the evaluation is a whole one."""

    def __init__(self, evaluation: Evaluation):
        self.evaluation = evaluation
        self.whole = evaluation.whole
        self._scores: dict[str | None, UnitScore | None] = {}
        self._indexes: dict[str | None, tuple[dict, dict]] = {}
        self._sub_items: dict[str | None, tuple[dict, dict]] = {}
        self._means: dict[str, Decimal] | None = None
        self._scopes: dict[str | None, Scope] = {}
        self._indicator_ids: set[int] | None = None
        #: by id() of a unit's scores (held by the evaluation while this look-up lives)
        self._levels: dict[int, tuple[dict[str, LevelScore], dict[str, LevelScore]]] = {}

    def unit_score(self, unit: str | None) -> UnitScore | None:
        """:func:`_unit_score` (an unknown unit raises each time it is asked for)."""
        try:
            return self._scores[unit]
        except KeyError:
            found = self._scores[unit] = _unit_score(self.evaluation, unit)
            return found

    def pool(self, unit: str | None) -> tuple[IndicatorScore, ...]:
        """The indicators of ``unit`` (of the first unit for the project; an unknown unit raises each time
        it is asked for, as :meth:`unit_score` does)."""
        scores = self.unit_score(unit)
        return scores.indicators if scores is not None else self.evaluation.units[0].indicators

    def indicators(self, unit: str | None) -> tuple[dict, dict]:
        """:func:`_indicator_index` of the indicators of ``unit`` (see :meth:`pool`)."""
        found = self._indexes.get(unit)
        if found is None:
            found = self._indexes[unit] = _indicator_index(self.evaluation, self.pool(unit))
        return found

    def sub_items(self, unit: str | None) -> tuple[dict, dict]:
        """:func:`_sub_item_index` of the indicators of ``unit`` (see :meth:`pool`)."""
        found = self._sub_items.get(unit)
        if found is None:
            found = self._sub_items[unit] = _sub_item_index(self.evaluation, self.pool(unit))
        return found

    def scope(self, unit: str | None) -> Scope:
        """:meth:`Evaluation.scope` of ``unit``."""
        found = self._scopes.get(unit)
        if found is None:
            found = self._scopes[unit] = self.evaluation.scope(unit)
        return found

    def levels(self, scores: UnitScore) -> tuple[dict[str, LevelScore], dict[str, LevelScore]]:
        """A unit's 一级 and its 二级 subtotals by printed name (each name's first), found once per unit
        rather than scanned for every row that names one."""
        found = self._levels.get(id(scores))
        if found is None:
            level1: dict[str, LevelScore] = {}
            level2: dict[str, LevelScore] = {}
            for subtotal in scores.level1:
                level1.setdefault(_plain_name(subtotal.name), subtotal)
            for _, subtotal in scores.level2:
                level2.setdefault(_plain_name(subtotal.name), subtotal)
            found = self._levels[id(scores)] = (level1, level2)
        return found

    def means(self) -> dict[str, Decimal]:
        """The project-level score of each 三级 indicator (:meth:`Evaluation.indicator_means`)."""
        if self._means is None:
            self._means = self.evaluation.indicator_means()[0]
        return self._means

    def is_indicator(self, score: IndicatorScore) -> bool:
        """``score`` is one of the (first unit's) indicators, not a 子项."""
        if self._indicator_ids is None:
            self._indicator_ids = {id(s) for s in self.evaluation.units[0].indicators}
        return id(score) in self._indicator_ids


#: the columns of 报告数据 a row is looked up by: 内容, 单位简称, 对象, then 报告值
_LOOKED_UP = ("content", "unit", "object", "printed")


def reconcile(evaluation: Evaluation) -> Reconciliation:
    """Compare every row of 报告数据 with the evaluation."""
    result = Reconciliation()
    look = _Lookup(evaluation)
    # the figure a row names depends on its 内容, 单位简称 and 对象 alone (texts): made once for the rows
    # that name the same (a report prints its totals in several places); a row that names nothing is
    # not kept (its error is found again for the next such row)
    figures: dict[tuple[object, object, object], _Figure] = {}
    # each row's figure and what comparing it with the printed text gave (None when they agree, else the
    # slip's printed and expected texts and its message), by 内容, 单位简称, 对象 and 报告值: found once for
    # the rows that print the same figure alike (a row whose comparison is an error is not kept: its
    # error is raised again for the next such row)
    compared: dict[tuple[object, object, object, str], tuple[_Figure, tuple[str, str, str] | None]] = {}
    slips = result.slips
    checked = 0
    records = evaluation.book.rows(schema.REPORTED)
    # each row with the texts it is looked up by, the columns read by C loops (no get called per row)
    for record, content, unit, target, text in zip(records, *(column_values(records, key) for key in _LOOKED_UP)):
        if record.invalid:
            continue  # the reader has reported the cell
        if text is None:
            result.findings.error(record.ref("printed"), "“报告值”为空：请照报告填写印出的数字或等级，或删除这一行")
            continue
        key = (content, unit, target, str(text))
        found = compared.get(key)
        if found is None:
            try:
                named = key[:3]
                figure = figures.get(named)
                if figure is None:
                    figure = figures[named] = _figure(look, named)
                found = compared[key] = (figure, _compare(evaluation, key[3], figure))
            except _RowError as exc:
                result.findings.error(record.ref(exc.key), exc.message)
                continue
        checked += 1
        figure, outcome = found
        if outcome is not None:
            where = record.ref("printed")
            printed, expected, message = outcome
            slips.append(Slip(where.sheet, where.cell, figure.what, record.get("unit") or "", printed, expected,
                              message, record.get("source") or ""))
    result.checked = checked
    return result


def _compare(evaluation: Evaluation, text: str, figure: _Figure) -> tuple[str, str, str] | None:
    """``figure`` compared with the printed ``text`` (counted by the caller): None when they agree, else
    the slip's printed and expected texts and how the figure was computed (made only for a slip)."""
    if figure.grade is not None:
        printed_grade = text.strip()
        if printed_grade not in GRADES:
            raise _RowError("printed", f"等级“{text}”应为 优、良、中、差 之一")
        if printed_grade != figure.grade:
            return printed_grade, figure.grade, figure.message
        return None
    printed = parse_printed(text)
    if printed is None:
        raise _RowError("printed", f"报告值“{text}”不是数字；{figure.what}应填写报告印出的数字，如 4.99 或 99.18%")
    number = _in_printed_unit(evaluation, printed, figure)
    if figure.score and printed.decimals < SCORE_DECIMALS:
        # a score is read with at least two decimals: printed.at(SCORE_DECIMALS).agrees(number), that
        # figure made only for a row that disagrees
        if printed.agrees_as_score(number):
            return None
        printed = printed.at(SCORE_DECIMALS)
    elif printed.agrees(number):
        return None
    return printed.text, printed.show(number), figure.message


def _in_printed_unit(evaluation: Evaluation, printed: Printed, figure: _Figure) -> Decimal:
    """The recomputed number in the printed figure's notation: amounts converted from the
    workbook's declared 金额单位 into the printed 元 / 万元, explicitly."""
    assert figure.number is not None, "a grade (the one figure without a number) is compared by the caller"
    if printed.unit:
        if not figure.amount:
            raise _RowError("printed", f"报告值“{printed.text}”带金额单位，但{figure.what}不是金额")
        declared = evaluation.book.amount_unit
        return figure.number * scale("万" if declared == schema.UNIT_WAN else "") / scale(printed.unit)
    if printed.percent and figure.score:
        raise _RowError("printed", f"报告值“{printed.text}”是百分比，但{figure.what}是分数")
    return figure.number


# --- what a row names ---------------------------------------------------------

def _figure(look: _Lookup, named: tuple[Any, Any, Any]) -> _Figure:
    """The figure a row names by its 内容, 单位简称 and 对象 (``named``, as read)."""
    evaluation = look.evaluation
    content = named[0] or schema.REPORTED_SCORE
    unit = _unit(look, named[1], content)
    target = str(named[2] or "").strip()
    if content in (schema.REPORTED_TOTAL, schema.REPORTED_GRADE):
        total, how = _total(look, unit)
        if content == schema.REPORTED_TOTAL:
            return _Figure(f"{_who(unit)}总分", total, how, score=True)
        grade = _grade_of(look, unit)
        return _Figure(f"{_who(unit)}等级", total, lambda: f"{how()}，{_grade_rule(evaluation, total, grade)}",
                       grade=grade)
    if not target:
        raise _RowError("object", f"“对象”为空：内容为“{content}”时须填写指标编码或名称"
                        + ("（取值填取值来源的写法）" if content == schema.REPORTED_SOURCE else ""))
    if content == schema.REPORTED_SOURCE:
        value = _resolve(evaluation, unit, target, look)
        return _value_figure(value, f"{_who(unit)}{target}")
    if content == schema.REPORTED_VALUE:
        score = _indicator(evaluation, unit, target, look)
        if score is None:
            raise _RowError("object", _unknown(evaluation, target, levels=False))
        if score.value is None:
            why = "按子项评分，请在“对象”写子项名称" if score.children else "不是按指标值计分的（如人工评分、要点）"
            raise _RowError("object", f"指标“{target}”没有指标值：它{why}")
        return _value_figure(score.value, f"{_who(unit)}{score.code} {score.name} 指标值")
    return _score_figure(look, unit, target)


def _unit(look: _Lookup, unit: Any, content: str) -> str | None:
    if unit is None:
        return None
    if look.whole and content != schema.REPORTED_SOURCE:
        raise _RowError("unit", f"整体评价只有项目的{content}，“单位简称”应留空（单位的数据可用“取值”核对）")
    return unit


def _who(unit: str | None) -> str:
    return f"{unit} " if unit else ""


def _unit_score(evaluation: Evaluation, unit: str | None) -> UnitScore | None:
    if evaluation.whole:
        return evaluation.units[0]
    if unit is None:
        return None
    found = evaluation.unit_named(unit)
    if found is None:  # the normalise stage drops such rows already; never taken for the project
        raise _RowError("unit", f"单位“{unit}”不在单位名单中；应填写“单位名单”中的单位简称")
    return found


@lru_cache(maxsize=4096)
def _plain_name(text: str) -> str:
    """An indicator's name as reports print it: without “（5分）”, spaces or full-width forms."""
    text = re.sub(r"[（(]\s*[\d.]+\s*分\s*[）)]\s*$", "", text.strip())
    return re.sub(r"\s+", "", text)


#: what separates an indicator from its 子项 in 对象: ``C102/2023年`` (documented), ``C102·2023年`` (the
#: form the 评分表 prints), and the other dots an input method gives
SUB_ITEM_SEPARATORS = ("/", "／", "·", "•", "・")


def _indicator(evaluation: Evaluation, unit: str | None, target: str,
               look: _Lookup | None = None) -> IndicatorScore | None:
    """The 三级 indicator (or 子项) named by code or name, of a unit, or of the project.  A 子项 is
    named ``编码/子项`` (or ``三级指标名称/子项``, or ``编码·子项``), or by its name alone when no other
    indicator has a 子项 of that name; a bare name shared by several is an error listing them.
    ``look`` is the reconciliation's look-ups (found once for every row), when the caller has them."""
    look = look if look is not None else _Lookup(evaluation)
    by_code, by_name = look.indicators(unit)
    name = _plain_name(target)
    found = by_code.get(target.strip()) or by_name.get(name)
    if found is not None:
        return found
    child_by_full, children_by_name = look.sub_items(unit)
    child = child_by_full.get(name)
    if child is not None:
        return child
    named = children_by_name.get(name, [])
    if len(named) > 1:
        listed = "、".join(f"{s.code}/{c.name}（{s.level3}）" for s, c in named)
        raise _RowError("object", f"子项“{target}”在 {len(named)} 个指标下都有：{listed}，无法确定是哪一个；"
                                  f"请写成“编码/子项”，如 {named[0][0].code}/{named[0][1].name}")
    return named[0][1] if named else None


def _indicator_index(evaluation: Evaluation, pool: tuple[IndicatorScore, ...]) -> tuple[dict, dict]:
    """A unit's indicators by code and by printed name: each key's first in indicator order, built once
    per unit rather than scanned for every 报告数据 row."""
    def build() -> tuple[dict, dict]:
        by_code: dict = {}
        by_name: dict = {}
        for s in pool:
            by_code.setdefault(s.code, s)
            by_name.setdefault(_plain_name(s.level3), s)
        return by_code, by_name

    return evaluation.caches.derived(pool, "报告数据 indicators", build)


def _sub_item_index(evaluation: Evaluation, pool: tuple[IndicatorScore, ...]) -> tuple[dict, dict]:
    """A unit's 子项 by ``编码/子项`` (or ``名称/子项``, any of :data:`SUB_ITEM_SEPARATORS`), and every 子项
    of each printed name (to tell a unique name from an ambiguous one): each key's first in indicator
    order, built once per unit, and only for a unit a row names something of other than an indicator
    (a report names its units' indicators, and the project's 一级 and 二级 by name)."""
    def build() -> tuple[dict, dict]:
        child_by_full: dict = {}
        children_by_name: dict = {}
        for s in pool:
            for c in s.children:
                child = _plain_name(c.name)
                for prefix in (s.code, _plain_name(s.level3)):
                    for sep in SUB_ITEM_SEPARATORS:
                        child_by_full.setdefault(f"{prefix}{sep}{child}", c)
                children_by_name.setdefault(child, []).append((s, c))
        return child_by_full, children_by_name

    return evaluation.caches.derived(pool, "报告数据 sub-items", build)


def _resolve(evaluation: Evaluation, unit: str | None, text: str, look: _Lookup | None = None) -> Value:
    try:
        return (look.scope(unit) if look is not None else evaluation.scope(unit)).resolve(text)
    except SourceError as exc:
        raise _RowError("object", f"取值“{text}”无法计算：{exc}") from exc


def _value_figure(value: Value, what: str) -> _Figure:
    return _Figure(what, value.amount, value.text or f"{value.label}={value.show()}", amount=not value.is_rate)


def _score_figure(look: _Lookup, unit: str | None, target: str) -> _Figure:
    """The score a row names: an indicator's (or a 子项's) of a unit or the project, or a 一级 or 二级
    subtotal's.  ``target`` is stripped."""
    evaluation = look.evaluation
    scores = look.unit_score(unit)
    if scores is not None:  # a unit's indicator named by code or printed name (most rows): _indicator's first look-ups
        by_code, by_name = look.indicators(unit)
        score = by_code.get(target) or by_name.get(_plain_name(target))
        if score is not None:
            # _Figure(what, score, process, score=True), without its __new__'s frame (a figure per row named)
            return _new_figure(_Figure, (f"{_who(unit)}{score.code} {score.name} 得分", score.score, score.process,
                                         True, None, False))
    score = _indicator(evaluation, unit, target, look)
    if score is not None:
        if scores is None:  # a project-level indicator score: the mean over the units
            return _project_indicator(look, score)
        # _Figure(what, score, process, score=True), without its __new__'s frame (a figure per row named)
        return _new_figure(_Figure, (f"{_who(unit)}{score.code} {score.name} 得分", score.score, score.process,
                                     True, None, False))
    name = _plain_name(target)
    if scores is None:
        level1 = next((l for l in evaluation.level1 if _plain_name(l.name) == name), None)
        if level1 is not None:
            return _Figure(f"{name} 得分", level1.score, lambda: _mean_text(
                evaluation, name, [_level_of(u, name).score for u in evaluation.units], level1.score), score=True)
        found2 = [look.levels(u)[1].get(name) for u in evaluation.units]  # each unit's 二级 of the name
        level2 = [l for l in found2 if l is not None]
        if len(level2) == len(found2):
            mean = round_score(weighted_mean([l.score for l in level2], evaluation.unit_weights()))
            return _Figure(f"{name} 得分", mean, lambda: _mean_text(evaluation, name, [l.score for l in level2], mean),
                           score=True)
        raise _RowError("object", _unknown(evaluation, target, levels=True))
    level1s, level2s = look.levels(scores)  # a 一级 name first, then a 二级 one
    found = level1s.get(name)
    is_level1 = found is not None
    if found is None:
        found = level2s.get(name)
    if found is not None:
        subtotal = found
        return _Figure(f"{_who(unit)}{name} 得分", subtotal.score,
                       lambda: _level_text(scores, name, is_level1, subtotal.score), score=True)
    raise _RowError("object", _unknown(evaluation, target, levels=True))


def _level_text(scores: UnitScore, name: str, level1: bool, score: Decimal) -> str:
    """A unit's 一级 (or 二级) subtotal as computed: ``产出指标=数量指标4.96+…=38.50``."""
    members = [s for s in scores.indicators if _plain_name(s.level1 if level1 else s.level2) == name]
    terms = "+".join(f"{s.name}{fmt_score(s.score)}" for s in members)
    return f"{name}={terms}={fmt_score(score)}"


def _level_of(unit: UnitScore, name: str) -> LevelScore:
    return next((l for l in unit.level1 if _plain_name(l.name) == name), LevelScore(name, ZERO, ZERO))


def _project_indicator(look: _Lookup, score: IndicatorScore) -> _Figure:
    evaluation = look.evaluation
    mean = look.means().get(score.code)
    if not look.is_indicator(score):  # a 子项: its code is its indicator's
        raise _RowError("object", f"指标“{score.code}·{score.name}”没有项目得分（它是子项，请写所属指标）")
    if mean is None:
        raise _RowError("object", f"指标“{score.code}”没有项目得分（它是子项，请写所属指标）")
    return _Figure(f"{score.code} {score.level3} 得分", mean,
                   lambda: _mean_text(evaluation, score.level3, _unit_scores_of(evaluation, score.code), mean), score=True)


def _unit_scores_of(evaluation: Evaluation, code: str) -> list[Decimal]:
    """Each unit's score of indicator ``code`` (its first indicator with the code; 0 when it has none),
    the units' indicators read once for every project-level row."""
    def build() -> tuple[dict, list]:
        firsts = []
        for unit in evaluation.units:
            first: dict = {}
            for s in unit.indicators:
                first.setdefault(s.code, s.score)
            firsts.append(first)
        return {}, firsts

    columns = evaluation.derived("报告数据 unit scores", build)
    known = columns[0].get(code)
    if known is None:
        known = columns[0][code] = [first.get(code, ZERO) for first in columns[1]]
    return list(known)


def _mean_text(evaluation: Evaluation, name: str, values: list[Decimal], result: Decimal) -> str:
    weights = evaluation.unit_weights()
    if evaluation.fund_weighted and weights != [Decimal(1)] * len(values):
        terms = "+".join(f"{fmt_score(v)}×{fmt_plain(w)}" for v, w in zip(values, weights))
        return f"{name}=({terms})/{fmt_plain(sum(weights, ZERO))}={fmt_score(result)}"
    return f"{name}=({'+'.join(fmt_score(v) for v in values)})/{len(values)}={fmt_score(result)}"


def _total(look: _Lookup, unit: str | None) -> tuple[Decimal, Callable[[], str]]:
    """The total of a unit (or the project) and what says how it was computed."""
    evaluation = look.evaluation
    scores = look.unit_score(unit)
    if scores is not None:
        return scores.total, lambda: _sum_text(scores)
    return evaluation.total, lambda: _mean_text(evaluation, "项目得分", [u.total for u in evaluation.units],
                                                evaluation.total)


def _sum_text(scores: UnitScore) -> str:
    parts = "+".join(f"{l.name}{fmt_score(l.score)}" for l in scores.level1)
    return f"总分={parts}={fmt_score(scores.total)}"


def _grade_of(look: _Lookup, unit: str | None) -> str:
    scores = look.unit_score(unit)
    return scores.grade if scores is not None else look.evaluation.grade


def _grade_rule(evaluation: Evaluation, total: Decimal, grade: str) -> str:
    info = evaluation.book.info
    lines = {"优": info.get("grade_excellent"), "良": info.get("grade_good"), "中": info.get("grade_fair")}
    if grade in lines:
        return f"{fmt_score(total)}分不低于{fmt_plain(to_decimal(lines[grade]))}分，为“{grade}”"
    return f"{fmt_score(total)}分低于{fmt_plain(to_decimal(lines['中']))}分，为“差”"


def _unknown(evaluation: Evaluation, target: str, *, levels: bool) -> str:
    what = "三级指标（编码或名称）、子项" + ("、二级或一级指标" if levels else "")
    codes = "、".join(s.code for s in evaluation.units[0].indicators[:6])
    return f"对象“{target}”不是{what}；指标体系中的编码如 {codes} 等"
