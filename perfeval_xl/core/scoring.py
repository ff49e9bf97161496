"""Scoring: the indicator system applied to each unit (or the project as a whole),
subtotals, grades, the project total, and the structural checks.

The evaluate stage (:func:`evaluate`) turns the checked book into plain, frozen data
(:class:`Evaluation`, built complete) that the plan stage turns into a write plan and
the CLI into JSON.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import chain, islice
from operator import attrgetter, lt
from decimal import Decimal
from typing import TYPE_CHECKING, Callable, Mapping, NamedTuple, TypeVar

from . import derived, schema
from .book import Book, Record
from .environment import Caches, Env
from .findings import Findings, Ref, TemplateError
from .formula import FormulaError
from .measures import MeasureError, weighted_mean
from .numbers import HUNDRED, ZERO, fmt_plain, fmt_score, round_score, to_decimal
from .rules import (KIND_NAMES, SUB_ITEMS, Context, Entry, FormulaRule, Outcome, Rule, RuleError, Threshold, Value, make_rule,
                    parse_threshold, rate_mismatch)
from .sources import Scope, SourceError, SourceInfo, split_source

if TYPE_CHECKING:  # pragma: no cover
    from .review_result import ReviewResult

T = TypeVar("T")
_new_object = object.__new__


# --- the indicator system -------------------------------------------------

@dataclass(frozen=True)
class IndicatorDef:
    code: str
    level1: str
    level2: str
    level3: str
    sub_item: str
    weight: Decimal
    kind: str
    params: str
    source: str
    target: str
    explanation: str
    record: Record
    opinion: str = ""
    unit: str | None = None
    children: tuple["IndicatorDef", ...] = ()
    rule: Rule | None = None
    rule_error: str | None = None

    @property
    def name(self) -> str:
        return self.sub_item or self.level3

    def ref(self, key: str | None = None) -> Ref:
        return self.record.ref(key)


@dataclass(frozen=True)
class IndicatorSystem:
    generic: list[IndicatorDef]
    overrides: dict[str, dict[str, IndicatorDef]]  # unit → code → def
    level1_weights: "OrderedDict[str, tuple[Decimal | None, Ref]]"
    level2_weights: "OrderedDict[tuple[str, str], tuple[Decimal | None, Ref]]"

    def for_unit(self, unit: str | None) -> list[IndicatorDef]:
        own = self.overrides.get(unit or "", {})
        result = [own.get(d.code, d) for d in self.generic]
        known = {d.code for d in self.generic}
        result.extend(d for code, d in own.items() if code not in known)
        return result


def _text(record: Record, key: str) -> str:
    value = record.values.get(key)  # Record.get without the call
    return "" if value is None else str(value).strip()


def _texts(record: Record, *keys: str) -> list[str]:
    """:func:`_text` of each of ``keys``."""
    get = record.values.get
    return ["" if value is None else str(value).strip() for value in map(get, keys)]


def _make_def(record: Record, findings: Findings, levels: tuple[str, str, str] | None = None) -> IndicatorDef | None:
    """The indicator (or item) of a row of 指标体系; ``levels``: an item's 一级、二级、三级指标, its indicator's."""
    weight = record.get("weight")
    if weight is None:
        findings.error(record.ref("weight"), "分值为空；每个指标（子项）都要填写分值")
        return None
    if weight < ZERO:
        findings.error(record.ref("weight"), f"分值 {fmt_plain(weight)} 不能为负数")
        return None
    kind, code, params, source, sub_item, level3, target, explanation, opinion = _texts(
        record, "kind", "code", "params", "source", "sub_item", "level3", "target", "explanation", "opinion")
    name = sub_item or level3
    rule, rule_error = None, None
    if kind != SUB_ITEMS and "kind" in record.invalid:  # the reader has reported the cell already
        rule_error = "评分方法无法识别"
    elif kind != SUB_ITEMS:
        try:
            rule = make_rule(kind, params, weight)
        except RuleError as exc:
            rule_error = str(exc)
            findings.error(record.ref("params" if kind in KIND_NAMES else "kind"), f"指标 {code}{name}：{exc}")
        if rule is not None and rule.needs_value and not source:
            findings.error(record.ref("source"), f"指标 {code}{name}：评分方法“{kind}”需要填写取值来源")
    level1, level2, level3 = levels or (_text(record, "level1"), _text(record, "level2"), level3)
    # IndicatorDef(...) with every field, set at once as unpickling sets them (see _indicator_score)
    made = _new_object(IndicatorDef)
    made.__dict__.update(
        code=code, level1=level1, level2=level2, level3=level3, sub_item=sub_item, weight=weight, kind=kind,
        params=params, source=source, target=target, explanation=explanation, record=record, opinion=opinion,
        unit=record.get("unit"), children=(), rule=rule, rule_error=rule_error)
    return made




def read_indicators(book: Book, findings: Findings) -> IndicatorSystem:
    groups: "OrderedDict[tuple[str, str], list[Record]]" = OrderedDict()
    level1_weights: OrderedDict = OrderedDict()
    level2_weights: OrderedDict = OrderedDict()
    for record in book.rows(schema.INDICATORS):
        code, l1, l2 = _texts(record, "code", "level1", "level2")
        if not code:
            findings.error(record.ref("code"), "指标编码为空；每行指标都要填写编码（子项行与所属指标同编码）")
            continue
        unit = record.get("unit") or ""
        groups.setdefault((unit, code), []).append(record)
        if not unit:
            if not l1 or not l2:
                findings.error(record.ref("level1" if not l1 else "level2"), f"指标 {code} 缺少一级或二级指标名称")
            for key, store, name in (("level1_weight", level1_weights, l1), ("level2_weight", level2_weights, (l1, l2))):
                value = record.get(key)
                if value is None:
                    store.setdefault(name, (None, record.ref(key)))
                    continue
                known = store.get(name)
                if known and known[0] is not None and known[0] != value:
                    findings.error(record.ref(key), f"“{name if isinstance(name, str) else name[1]}”的分值前后不一致：{fmt_plain(known[0])} 与 {fmt_plain(value)}")
                elif not known or known[0] is None:
                    store[name] = (value, record.ref(key))
    generic: list[IndicatorDef] = []
    overrides: dict[str, dict[str, IndicatorDef]] = {}
    for (unit, code), records in groups.items():
        definition = _build_group(code, records, findings, unit)
        if definition is None:
            continue
        if unit:
            overrides.setdefault(unit, {})[code] = definition
        else:
            generic.append(definition)
    if not generic:
        raise_missing = Ref(schema.INDICATORS.name, schema.HEADER_ROW + 1, 0)
        raise TemplateError(raise_missing.sheet, raise_missing.cell, "指标体系为空：至少填写一个适用全部单位的指标")
    system = IndicatorSystem(generic, overrides, level1_weights, level2_weights)
    _check_structure(system, findings)
    for unit in overrides:
        _check_unit_total(system, unit, findings)
    return system


def _build_group(code: str, records: list[Record], findings: Findings, unit: str = "") -> IndicatorDef | None:
    parents: list[Record] = []
    children: list[Record] = []
    for record in records:
        (children if _text(record, "sub_item") else parents).append(record)
    if len(parents) > 1:
        findings.error(parents[1].ref("code"), f"指标编码 {code} 重复：同一编码只能有一行指标（子项行须填写子项名称）")
    if not parents:
        findings.error(children[0].ref("sub_item"), f"指标 {code} 只有子项行，缺少指标本身那一行（子项名称留空、评分方法填“子项合计”）")
        return None
    parent = _make_def(parents[0], findings)
    if parent is None:
        return None
    if children:
        if parent.kind != SUB_ITEMS:
            findings.error(parent.ref("kind"), f"指标 {code} 有子项行，评分方法应为“子项合计”")
            parent = replace(parent, kind=SUB_ITEMS, rule=None, rule_error=None)
        seen = set()
        kept: list[IndicatorDef] = []
        for record in children:
            child = _make_def(record, findings, (parent.level1, parent.level2, parent.level3))
            if child is None:
                continue
            if child.sub_item in seen:
                findings.error(record.ref("sub_item"), f"指标 {code} 的子项“{child.sub_item}”重复")
                continue
            seen.add(child.sub_item)
            if child.kind == SUB_ITEMS:
                findings.error(record.ref("kind"), "子项不能再分子项")
                continue
            kept.append(child)
        whole = _new_object(IndicatorDef)  # replace(parent, children=…) without its __init__ (see _make_def)
        whole.__dict__.update(vars(parent), children=tuple(kept))
        parent = whole
        total = sum((c.weight for c in parent.children), ZERO)
        if total != parent.weight:
            # Fewer points in the items than in the indicator (a report's own system may say so, e.g. three
            # items of 3.3 under 10 points): the score is still what the stated items give, at most their sum
            # — a warning at the cell.  More points than the indicator would let the score exceed it: an error.
            where, w, t = (f"（适用单位 {unit}）" if unit else " "), fmt_plain(parent.weight), fmt_plain(total)
            if total < parent.weight:
                findings.warning(parent.ref("weight"), f"指标 {code}{parent.level3}{where}分值 {w} 分，各子项分值合计 {t} 分，"
                                                       f"两者应相等；按子项计分，该指标最多只能得 {t} 分")
            else:
                findings.error(parent.ref("weight"), f"指标 {code}{parent.level3}{where}分值 {w} 分，各子项分值合计 {t} 分，"
                                                     f"两者应相等；按子项计分，得分可能超过指标分值 {w} 分")
    elif parent.kind == SUB_ITEMS:
        findings.error(parent.ref("kind"), f"指标 {code} 的评分方法是“子项合计”，但没有子项行")
    return parent


def _check_structure(system: IndicatorSystem, findings: Findings) -> None:
    by_l2: "OrderedDict[tuple[str, str], Decimal]" = OrderedDict()
    by_l1: "OrderedDict[str, Decimal]" = OrderedDict()
    for d in system.generic:
        by_l2[(d.level1, d.level2)] = by_l2.get((d.level1, d.level2), ZERO) + d.weight
        by_l1[d.level1] = by_l1.get(d.level1, ZERO) + d.weight
    for key, total in by_l2.items():
        declared, ref = system.level2_weights.get(key, (None, None))
        if declared is not None and declared != total:
            findings.error(ref, f"二级指标“{key[1]}”分值 {fmt_plain(declared)} 分，其三级指标分值合计 {fmt_plain(total)} 分，两者应相等")
    for l1, total in by_l1.items():
        declared, ref = system.level1_weights.get(l1, (None, None))
        if declared is not None and declared != total:
            findings.error(ref, f"一级指标“{l1}”分值 {fmt_plain(declared)} 分，其下三级指标分值合计 {fmt_plain(total)} 分，两者应相等")
        l2_declared = [system.level2_weights.get(k, (None,))[0] for k in by_l2 if k[0] == l1]
        l2_known = [v for v in l2_declared if v is not None]
        if declared is not None and len(l2_known) == len(l2_declared) and sum(l2_known, ZERO) != declared:
            findings.error(ref, f"一级指标“{l1}”分值 {fmt_plain(declared)} 分，其二级指标分值合计 {fmt_plain(sum(l2_known, ZERO))} 分，两者应相等")
    grand = sum(by_l1.values(), ZERO)
    if grand != HUNDRED:
        first = system.generic[0].ref("weight")
        findings.error(first, f"三级指标分值合计 {fmt_plain(grand)} 分，应为 100 分")


def _check_unit_total(system: IndicatorSystem, unit: str, findings: Findings) -> None:
    defs = system.for_unit(unit)
    total = sum((d.weight for d in defs), ZERO)
    if total != HUNDRED:
        ref = next(iter(system.overrides[unit].values())).ref("weight")
        findings.error(ref, f"单位“{unit}”替换指标后分值合计 {fmt_plain(total)} 分，应为 100 分")


# --- results --------------------------------------------------------------

@dataclass(frozen=True)
class IndicatorScore:
    code: str
    level1: str
    level2: str
    level3: str
    name: str
    weight: Decimal
    kind: str
    standard: str
    process: str
    score: Decimal
    value: Value | None
    reason: str
    explanation: str
    children: tuple["IndicatorScore", ...] = ()
    #: the cells the score was computed from: the indicator's row, the data, the 评分录入 rows
    inputs: tuple[Ref, ...] = ()
    #: 评价意见 of the indicator sheet
    opinion: str = ""

    @property
    def value_number(self) -> Decimal | None:
        return self.value.amount if self.value is not None else None


def _indicator_score(code: str, level1: str, level2: str, level3: str, name: str, weight: Decimal, kind: str,
                     standard: str, process: str, score: Decimal, value: Value | None, reason: str, explanation: str,
                     children: tuple[IndicatorScore, ...], inputs: tuple[Ref, ...], opinion: str) -> IndicatorScore:
    """``IndicatorScore(...)`` (every field given, in order) made as unpickling makes one: its fields set
    at once from one dict made whole (a dict display), not one ``object.__setattr__`` each by the frozen
    dataclass's ``__init__`` (a few hundred scores per workbook; the same object, equal and hashed alike)."""
    made = _new_object(IndicatorScore)
    made.__dict__.update({
        "code": code, "level1": level1, "level2": level2, "level3": level3, "name": name, "weight": weight,
        "kind": kind, "standard": standard, "process": process, "score": score, "value": value, "reason": reason,
        "explanation": explanation, "children": children, "inputs": inputs, "opinion": opinion})
    return made


@dataclass(frozen=True)
class LevelScore:
    name: str
    weight: Decimal
    score: Decimal

    @property
    def rate(self) -> Decimal:
        return (self.score / self.weight) if self.weight else ZERO


@dataclass(frozen=True)
class UnitScore:
    name: str
    full_name: str
    indicators: tuple[IndicatorScore, ...]
    total: Decimal
    grade: str
    level1: tuple[LevelScore, ...]
    level2: tuple[tuple[str, LevelScore], ...]
    budget: Decimal | None = None


def _fund_weighted(book: Book) -> bool:
    return book.info.get("aggregation") == schema.AGG_FUND


def unit_weights(book: Book, units) -> list[Decimal]:
    """Weights of the units in the project's mean: 1 each, or their 预算数 (资金加权平均)."""
    if _fund_weighted(book):
        budgets = [u.budget for u in units]
        if all(b is not None for b in budgets) and sum(budgets, ZERO) != ZERO:
            return budgets
    return [Decimal(1)] * len(units)


@dataclass(frozen=True)
class Evaluation:
    book: Book
    system: IndicatorSystem
    units: tuple[UnitScore, ...]
    total: Decimal
    grade: str
    level1: tuple[LevelScore, ...]
    total_note: str
    #: the value sources the scores were computed with (for scopes of the annex tables)
    sources: Mapping[str, SourceInfo]
    #: 报告数据 reconciled (a :class:`perfeval_xl.core.review_result.ReviewResult`), set by the
    #: reconcile stage so that the 复核意见 sheet and ``perfeval review`` do not redo it
    reported: ReviewResult | None = None
    #: the run's caches (:class:`~.environment.Caches`, from the environment): a value asked for again
    #: (annex tables, 报告数据) is computed once; not data (never compared), shared by a replaced evaluation
    caches: Caches = field(default_factory=Caches, compare=False, repr=False)

    @cached_property  # asked per figure of 报告数据; the book never changes (kept in the instance, not a field)
    def whole(self) -> bool:
        return self.book.shape == schema.SHAPE_WHOLE

    @property
    def fund_weighted(self) -> bool:
        return _fund_weighted(self.book)

    def unit_weights(self) -> list[Decimal]:
        return unit_weights(self.book, self.units)

    def unit_named(self, name: str) -> UnitScore | None:
        """The score of the unit called ``name`` (the first such), without scanning the units."""
        return self._units_by_name.get(name)

    @cached_property  # built on first use, kept in the instance (not a field: never compared or printed)
    def _units_by_name(self) -> dict[str, UnitScore]:
        return {unit.name: unit for unit in reversed(self.units)}  # the first of a repeated name wins

    def derived(self, what: str, make: Callable[[], T]) -> T:
        """What a later stage derives once from the whole evaluation (the 评分表 columns, 报告数据's
        indexes …), kept in the run's caches with the units it was derived from."""
        return self.caches.derived(self.units, what, make)

    def scope(self, unit: str | None) -> Scope:
        """The data of one unit (or of the project, None), with this run's value sources."""
        return self.caches.scope(self.book, unit, lambda: Scope(self.book, unit, self.sources))

    def indicator_means(self) -> tuple["OrderedDict[str, Decimal]", str, str | None]:
        """Project-level score of each 三级 indicator: the (weighted) mean over the units,
        rounded, with the 尾差 put into the indicator of largest 分值 so the means add up to
        the project total.  Returns (code → mean, residue text, code adjusted or None)."""
        means, residue, adjusted = self.caches.means(self.units, self._indicator_means)
        return OrderedDict(means), residue, adjusted

    def _indicator_means(self) -> tuple["OrderedDict[str, Decimal]", str, str | None]:
        columns: "OrderedDict[str, IndicatorScore]" = OrderedDict()
        for unit in self.units:
            for s in unit.indicators:
                columns.setdefault(s.code, s)
        weights = self.unit_weights()
        # each unit's score by code (the first of a repeated code), instead of a scan per code and unit
        by_code = [{s.code: s.score for s in reversed(u.indicators)} for u in self.units]
        means = []
        for code in columns:
            scores = [own.get(code, ZERO) for own in by_code]
            means.append(round_score(weighted_mean(scores, weights)))
        values, residue, index = allocate_residue(means, self.total, [c.weight for c in columns.values()])
        codes = list(columns)
        return OrderedDict(zip(codes, values)), residue, (codes[index] if index is not None else None)


def grade_of(score: Decimal, info: Mapping[str, object]) -> str:
    if score >= to_decimal(info.get("grade_excellent", 90)):
        return "优"
    if score >= to_decimal(info.get("grade_good", 80)):
        return "良"
    if score >= to_decimal(info.get("grade_fair", 60)):
        return "中"
    return "差"


def _entries_for(book: Book, unit: str | None, code: str) -> list[Record]:
    by_code_unit = book.grouped(schema.MANUAL, ("code", "unit"))  # each unit's rows, not all rows per unit
    own = list(by_code_unit.get((code or None, unit), ())) if unit else []
    generic = by_code_unit.get((code or None, None), ())
    own_items = {_text(r, "item") for r in own}
    return [r for r in generic if _text(r, "item") not in own_items] + own


def _to_entry(record: Record, item: str) -> Entry:
    result, reason = _texts(record, "result", "reason")
    entry = _new_object(Entry)  # Entry(...) with every field, set at once (see _indicator_score)
    entry.__dict__.update(item=item, result=result, score=record.get("score"), reason=reason, ref=record.ref("score"),
                          result_ref=record.ref("result"), item_ref=record.ref("item"))
    return entry


def _entries_of(d: IndicatorDef, records: list[Record]) -> tuple[Entry, ...]:
    """The 评分录入 lines of a leaf: every line of its indicator, or an item's own lines (要点 ``子项/①``
    → ``①``; the item's name alone → no 要点)."""
    if not d.sub_item:
        return tuple(_to_entry(r, _text(r, "item")) for r in records)
    name, prefix = d.sub_item, d.sub_item + "/"
    mine = []
    for record in records:
        item = _text(record, "item")
        if item == name:
            mine.append(_to_entry(record, ""))
        elif item.startswith(prefix):
            mine.append(_to_entry(record, item[len(prefix):]))
    return tuple(mine)


#: what scoring an indicator says: (severity, cell, the message after the scope's name), the scope's
#: name put in front when the findings are made (the same lines for every unit scored alike)
_Said = list


class _Unscored(Exception):
    """The indicator cannot be scored: what the 计算过程 and 扣分原因 say instead (the finding is made)."""

    def __init__(self, process: str, reason: str, value: Value | None = None):
        super().__init__(process)
        self.process, self.reason, self.value = process, reason, value


class _FormulaSourceError(Exception):
    def __init__(self, message: str, ref: Ref | None):
        super().__init__(message)
        self.ref = ref


def _value_label(d: IndicatorDef, sources: Mapping[str, SourceInfo]) -> str:
    """How the measured value is called in the printed 评分标准 and 计算过程: the source says."""
    indicator = d.sub_item or d.level3
    if not d.source:
        return indicator
    try:
        name, arg = split_source(d.source)
    except SourceError:
        return indicator
    info = sources.get(name)
    return info.label(arg, indicator) if info is not None else name


def _measured_value(d: IndicatorDef, rule: Rule, scope: Scope, where: str, said: _Said) -> Value | None:
    """The value the rule scores (None for rules that take none); missing data stops the scoring."""
    if not rule.needs_value:
        return None
    try:
        return scope.resolve(d.source)
    except SourceError as exc:
        said.append(("error", exc.ref or d.ref("source"), f"{where}：{exc}"))
        raise _Unscored(f"缺少数据，未能评分：{exc}", f"缺少数据：{exc}") from exc


def _limits(rule: Rule, target: Threshold | None) -> list[tuple[str, Threshold]]:
    """The limits a measured value is compared with: the rule's, then the 目标值."""
    return rule.thresholds() + ([("目标值", target)] if target is not None else [])


def _check_rate_use(d: IndicatorDef, value: Value | None, target: Threshold | None, limits: list[tuple[str, Threshold]],
                    where: str, said: _Said) -> None:
    """A rate compared with bare numbers in the rule or the 目标值 (or the reverse) stops the scoring."""
    if value is None or not limits:  # (no value, or nothing to compare it with)
        return
    problem = rate_mismatch(value, limits)
    if problem:
        at_target = target is not None and rate_mismatch(value, [("目标值", target)])
        said.append(("error", d.ref("target") if at_target else d.ref("params"), f"{where}：{problem}"))
        raise _Unscored(f"规则参数与取值不一致，未能评分：{problem}", "规则参数与取值不一致，未能评分", value)


def _apply_rule(d: IndicatorDef, rule: Rule, ctx: Context, where: str, said: _Said) -> Outcome:
    """The rule's outcome; its problems and any error while scoring become findings."""
    try:
        outcome = rule.score(ctx)
    except _FormulaSourceError as exc:
        said.append(("error", exc.ref or d.ref("params"), f"{where}：{exc}"))
        outcome = Outcome(ZERO, f"缺少数据，未能评分：{exc}", f"缺少数据：{exc}")
    except (RuleError, MeasureError, FormulaError) as exc:
        said.append(("error", d.ref("params"), f"{where}：{exc}"))
        outcome = Outcome(ZERO, f"未能评分：{exc}", f"未能评分：{exc}")
    for problem in outcome.problems:
        said.append((problem.severity, problem.ref or ctx.where, f"{where}：{problem.message}"))
    return outcome


def _formula_resolver(scope: Scope):
    """Named values for 公式 rules, a missing one reported at its own cell."""
    def resolve(name: str) -> Value:
        try:
            return scope.resolve(name)
        except SourceError as exc:
            raise _FormulaSourceError(str(exc), exc.ref) from exc
    return resolve


class _Leaf(NamedTuple):
    """What a leaf indicator (or an item) prints and says the same for every unit, made once per run:
    the value's label, the parsed 目标值 (or why it is wrong: reported again for each unit), the 评分标准,
    what its findings say after the unit's name, and the cells it names."""

    label: str
    target: Threshold | None
    #: the finding on a wrong 目标值, after the unit's name (None: the 目标值 is right or blank)
    target_said: str | None
    standard: str
    #: ``：指标 <code><三级指标>[·<子项>]``: each finding on the indicator begins so, after the unit's name
    where: str
    weight_ref: Ref
    kind_ref: Ref
    #: :func:`_limits` of its rule and 目标值 (none without a rule)
    limits: list[tuple[str, Threshold]]


def _leaf(d: IndicatorDef, alike: "_Alike") -> _Leaf:
    """The leaf's :class:`_Leaf` (a child's 三级指标 is its parent's)."""
    label = alike.label(d)
    target, said = None, None
    if d.target:
        target, wrong = alike.target(d.target)
        if wrong is not None:
            said = f"：指标 {d.code}{d.level3}：{wrong}"
    standard = _standard(d.rule, d.weight, label, target) if d.rule else ""
    where = f"：指标 {d.code}{d.level3}{('·' + d.sub_item) if d.sub_item else ''}"
    limits = _limits(d.rule, target) if d.rule else []
    return _Leaf(label, target, said, standard, where, d.ref("weight"), d.ref("kind"), limits)


#: 评分标准 texts already made: (rule, 分值 as typed, label, 目标值 as typed) → text.  A rule is never
#: changed once made and :func:`~.rules.make_rule` gives the same rule for the same parameters, so the
#: workbooks of a batch share them; cleared when full
_STANDARDS: dict[tuple, str] = {}
_STANDARDS_MAX = 4096


def _standard(rule: Rule, weight: Decimal, label: str, target: Threshold | None) -> str:
    key = (rule, str(weight), label,
           None if target is None else (target.text, str(target.value), target.is_rate, target.unit))
    text = _STANDARDS.get(key)
    if text is None:
        if len(_STANDARDS) >= _STANDARDS_MAX:
            _STANDARDS.clear()
        text = _STANDARDS[key] = rule.standard(weight, label, target)
    return text


def _leaf_score(d: IndicatorDef, leaf: _Leaf, process: str, score: Decimal, value: Value | None, reason: str,
                inputs: tuple[Ref, ...]) -> IndicatorScore:
    return _indicator_score(d.code, d.level1, d.level2, d.level3, d.name, d.weight, d.kind, leaf.standard, process,
                            score, value, reason, d.explanation, (), inputs, d.opinion)


def _score_leaf(d: IndicatorDef, scope: Scope, entries: list[Record], said: _Said, alike: "_Alike") -> IndicatorScore:
    leaf = alike.leaves.get(id(d))
    if leaf is None:
        leaf = alike.leaves[id(d)] = _leaf(d, alike)
    if leaf.target_said is not None:  # a bad 目标值 is reported for each unit scored and ignored
        said.append(("error", d.ref("target"), leaf.target_said))
    rule = d.rule
    if rule is None:
        return _leaf_score(d, leaf, f"规则参数有误，未能评分：{d.rule_error}", ZERO, None, "规则参数有误，未能评分",
                           (leaf.weight_ref,))
    where, target = leaf.where, leaf.target
    try:
        value = _measured_value(d, rule, scope, where, said)
        _check_rate_use(d, value, target, leaf.limits, where, said)
    except _Unscored as stop:
        return _leaf_score(d, leaf, stop.process, ZERO, stop.value, stop.reason, (leaf.weight_ref,))
    mine = alike.lines_of(d, entries) if entries else ()
    if rule.value_only or rule.scope_free:  # the same value (as typed) and lines: the same outcome, applied once
        key = (id(d), None if value is None else (str(value.amount), value.is_rate, value.label, value.unit), mine)
        found = alike.outcomes.get(key)
        if found is None:
            rule_said: _Said = []
            ctx = Context(d.weight, leaf.label, value, target, mine, None, leaf.kind_ref)
            found = alike.outcomes[key] = (_apply_rule(d, rule, ctx, where, rule_said), rule_said)
        outcome = found[0]
        said.extend(found[1])
    else:
        ctx = Context(d.weight, leaf.label, value, target, mine, _formula_resolver(scope), leaf.kind_ref)
        outcome = _apply_rule(d, rule, ctx, where, said)
    process = f"{value.text}；{outcome.process}" if value is not None and value.text else outcome.process
    used = outcome.used
    inputs: tuple[Ref, ...] = (leaf.weight_ref,)
    if used:
        read = chain.from_iterable(v.refs for v in ((value,) if value is not None else ()) + used)
        inputs += tuple(dict.fromkeys(read))
    elif value is not None:
        inputs += _once_each(value.refs)
    if mine:
        inputs += tuple(e.ref for e in mine if e.ref is not None)
    if value is None and len(used) == 1 and isinstance(rule, FormulaRule):
        value = used[0]  # a 公式 without 值 that reads one value (a 派生指标 …): that is its value
    return _leaf_score(d, leaf, process, outcome.score, value, outcome.reason, inputs)


def _once_each(refs: tuple[Ref, ...]) -> tuple[Ref, ...]:
    """``tuple(dict.fromkeys(refs))``, each cell once in order: a long run of cells strictly in order
    (a ledger total's, row after row) as it stands, told by one C pass of comparisons rather than
    by hashing every cell."""
    if len(refs) > _LONG_REFS:
        try:
            if all(map(lt, refs, islice(refs, 1, None))):
                return tuple(refs)
        except TypeError:  # pragma: no cover - a cell not (sheet, row, col) of one kind each
            pass
    return tuple(dict.fromkeys(refs))


#: more cells than this are first tried in order (a few are hashed at once)
_LONG_REFS = 64


def _scope_free(d: IndicatorDef) -> bool:
    """Whether the indicator scores the same in every unit given the same 评分录入 lines (no value measured)."""
    leaves = d.children if d.kind == SUB_ITEMS else (d,)
    return all(c.rule is None or c.rule.scope_free for c in leaves)


def _scored(d: IndicatorDef, scope: Scope, entries: list[Record], alike: "_Alike") -> tuple[IndicatorScore, _Said]:
    """The indicator's score in ``scope`` and what scoring it said."""
    said: _Said = []
    if d.kind != SUB_ITEMS:
        return _score_leaf(d, scope, entries, said, alike), said
    children = tuple(_score_leaf(c, scope, entries, said, alike) for c in d.children)
    score = sum((c.score for c in children), ZERO)
    standard = alike.standards.get(id(d))  # the items' names, weights and 评分标准: the same for every unit
    if standard is None:
        standard = alike.standards[id(d)] = "；".join(f"{c.name}（{fmt_plain(c.weight)}分）：{c.standard}" for c in children)
    process = "\n".join(f"{c.name}：{c.process}" for c in children)
    process += "\n合计：" + "+".join(fmt_score(c.score) for c in children) + f"={fmt_score(score)}"
    reason = "；".join(f"{c.name}：{c.reason}" for c in children if c.reason)
    inputs = (d.ref("weight"),) + tuple(ref for c in children for ref in c.inputs)
    opinion = d.opinion or "；".join(f"{c.name}：{c.opinion}" for c in children if c.opinion)
    return _indicator_score(d.code, d.level1, d.level2, d.level3, d.level3, d.weight, d.kind, standard, process,
                            round_score(score), None, reason, d.explanation, children, inputs, opinion), said


class _Alike:
    """What scoring the units of one book with one set of value sources finds the same for many units,
    kept while it scores them (keyed by the ids of the definitions, which outlive it): each leaf's
    :class:`_Leaf`, each indicator's 评分录入 lines for the units without lines of their own, and the
    score of each indicator that measures no value for the units sharing its lines, with what it said, the
    outcome of each rule that reads no more than its value and lines for the units measuring the same value
    with the same lines, and each 目标值 parsed."""

    def __init__(self, book: Book, sources: Mapping[str, SourceInfo]):
        self.book, self.sources = book, sources
        self.manual = book.grouped(schema.MANUAL, ("code", "unit"))
        self.leaves: dict[int, _Leaf] = {}
        #: (code, unit or None) → the lines; None: every unit without lines of its own
        self.entries: dict[tuple[str, str | None], list[Record]] = {}
        self.free: dict[int, bool] = {}
        self.scores: dict[tuple[int, str | None], tuple[IndicatorScore, _Said]] = {}
        #: (leaf id, the value as a rule reads it, its lines) → the outcome of a rule that reads no more
        #: (:attr:`~.rules.Rule.value_only`, or :attr:`~.rules.Rule.scope_free`: no value) and what applying it said
        self.outcomes: dict[tuple, tuple[Outcome, _Said]] = {}
        #: (leaf id, id of lines in :attr:`entries`) → :meth:`lines_of`
        self.lines: dict[tuple[int, int], tuple[Entry, ...]] = {}
        #: id of an indicator with items → its 评分标准 (its items', joined)
        self.standards: dict[int, str] = {}
        #: (取值来源, the leaf's name) → :meth:`label`
        self.labels: dict[tuple[str, str], str] = {}
        #: 目标值 as typed → :meth:`target`
        self.targets: dict[str, tuple[Threshold | None, str | None]] = {}

    def entries_for(self, unit: str | None, code: str) -> tuple[str | None, list[Record]]:
        """:func:`_entries_for` and whose they are: the unit's (it has lines of its own), or None."""
        own = unit if unit and (code or None, unit) in self.manual else None
        found = self.entries.get((code, own))
        if found is None:
            found = self.entries[(code, own)] = _entries_for(self.book, own, code)
        return own, found

    def lines_of(self, d: IndicatorDef, records: list[Record]) -> tuple[Entry, ...]:
        """:func:`_entries_of` the leaf's lines among ``records`` (one of :attr:`entries`, kept by it)."""
        key = (id(d), id(records))
        found = self.lines.get(key)
        if found is None:
            found = self.lines[key] = _entries_of(d, records)
        return found

    def label(self, d: IndicatorDef) -> str:
        """:func:`_value_label` of the leaf (the leaves of the units' replaced indicators name the same few)."""
        key = (d.source, d.sub_item or d.level3)
        found = self.labels.get(key)
        if found is None:
            found = self.labels[key] = _value_label(d, self.sources)
        return found

    def target(self, text: str) -> tuple[Threshold | None, str | None]:
        """The 目标值 ``text`` parsed, or why it cannot be (most leaves type the same few: parsed once)."""
        found = self.targets.get(text)
        if found is None:
            try:
                found = (parse_threshold(text, "目标值"), None)
            except RuleError as exc:
                found = (None, str(exc))
            self.targets[text] = found
        return found

    def scope_free(self, d: IndicatorDef) -> bool:
        found = self.free.get(id(d))
        if found is None:
            found = self.free[id(d)] = _scope_free(d)
        return found


def score_indicator(d: IndicatorDef, scope: Scope, findings: Findings, alike: _Alike | None = None) -> IndicatorScore:
    """The indicator's score in ``scope``, its findings added to ``findings``.  ``alike``: what the units
    of the scope's book are scored alike with (:func:`evaluate` keeps one while it scores them all): an
    indicator that measures no value is scored once for all the units sharing its 评分录入 lines, and
    what it said is said again for each, after the unit's name."""
    alike = alike if alike is not None else _Alike(scope.book, scope.sources)
    own, entries = alike.entries_for(scope.unit, d.code)
    if not alike.scope_free(d):
        score, said = _scored(d, scope, entries, alike)
    else:
        found = alike.scores.get((id(d), own))
        if found is None:
            found = alike.scores[(id(d), own)] = _scored(d, scope, entries, alike)
        score, said = found
    if said:
        label = scope.label
        for severity, ref, text in said:
            findings.add(severity, ref, label + text)
    return score


def _levels(indicators) -> tuple[tuple[LevelScore, ...], tuple[tuple[str, LevelScore], ...]]:
    """The 一级 and 二级 subtotals of a unit's scores: [weight, score] added up in order, from 0."""
    l1: dict[str, list[Decimal]] = {}
    l2: dict[tuple[str, str], list[Decimal]] = {}
    for s in indicators:
        weight, score, name = s.weight, s.score, s.level1
        one = l1.get(name)
        if one is None:
            l1[name] = [ZERO + weight, ZERO + score]
        else:
            one[0] += weight
            one[1] += score
        key = (name, s.level2)
        two = l2.get(key)
        if two is None:
            l2[key] = [ZERO + weight, ZERO + score]
        else:
            two[0] += weight
            two[1] += score
    level1 = tuple(_level_score(name, w, total) for name, (w, total) in l1.items())
    level2 = tuple((k[0], _level_score(k[1], w, total)) for k, (w, total) in l2.items())
    return level1, level2


def _level_score(name: str, weight: Decimal, score: Decimal) -> LevelScore:
    """``LevelScore(name, weight, score)``, its fields set at once (as :func:`_indicator_score`)."""
    made = _new_object(LevelScore)
    made.__dict__.update(name=name, weight=weight, score=score)
    return made


_SCORE = attrgetter("score")


def _budget(book: Book, unit: str | None) -> Decimal | None:
    rows = book.rows(schema.FUNDS) if unit is None else book.grouped(schema.FUNDS, "unit").get(unit, ())
    values = [r.get("budget") for r in rows if r.get("budget") is not None]
    return sum(values, ZERO) if values else None


def score_unit(book: Book, system: IndicatorSystem, unit: str | None, sources: Mapping[str, SourceInfo],
               findings: Findings, scope: Scope | None = None, alike: _Alike | None = None) -> UnitScore:
    """The unit's scores (the project's for None); ``alike``: see :func:`score_indicator`."""
    scope = scope if scope is not None else Scope(book, unit, sources)
    alike = alike if alike is not None else _Alike(book, scope.sources)
    indicators = tuple(score_indicator(d, scope, findings, alike) for d in system.for_unit(unit))
    total = round_score(sum(map(_SCORE, indicators), ZERO))
    level1, level2 = _levels(indicators)
    known = book.unit(unit) if unit else None
    if unit and known is None:
        raise KeyError(f"no unit {unit!r} in the book")
    full = known.full_name if known is not None else book.name
    return UnitScore(unit or book.name, full, indicators, total, grade_of(total, book.info), level1, level2,
                     _budget(book, unit))


def allocate_residue(values: list[Decimal], target: Decimal, weights: list[Decimal]) -> tuple[list[Decimal], str, int | None]:
    """尾差 policy: rounded parts whose sum misses the rounded total by a rounding
    residue get the residue added to the part with the largest 分值 (the first such).
    Returns the adjusted parts, a note for under the table ('' when nothing was adjusted;
    the caller names the part) and the index adjusted."""
    residue = target - sum(values, ZERO)
    if residue == ZERO or not values:
        return list(values), "", None
    index = max(range(len(values)), key=lambda i: (weights[i], -i))
    adjusted = list(values)
    adjusted[index] += residue
    direction = "调增" if residue > ZERO else "调减"
    note = (f"四舍五入后合计 {fmt_score(sum(values, ZERO))} 分，与总分 {fmt_score(target)} 分相差 "
            f"{fmt_score(abs(residue))} 分（尾差），已在分值最大的“{{name}}”{direction} {fmt_score(abs(residue))} 分")
    return adjusted, note, index


def _project_level1(units: tuple[UnitScore, ...], weights: list[Decimal], total: Decimal
                    ) -> tuple[tuple[LevelScore, ...], str]:
    """The project's 一级 breakdown: (weighted) means of the units', 尾差 to the largest 一级."""
    names = [l.name for l in units[0].level1]
    level1 = []
    for name in names:
        scores = [next((l.score for l in u.level1 if l.name == name), ZERO) for u in units]
        weight = units[0].level1[names.index(name)].weight
        level1.append(LevelScore(name, weight, round_score(weighted_mean(scores, weights))))
    values, note, index = allocate_residue([l.score for l in level1], total, [l.weight for l in level1])
    if index is None:
        return tuple(level1), ""
    level1[index] = replace(level1[index], score=values[index])
    return tuple(level1), "注：各一级指标得分为各单位得分的平均值，" + note.format(name=level1[index].name) + "。"


def evaluate(book: Book, env: Env) -> tuple[Evaluation, Findings]:
    """Stage 5: the indicator system read and applied to each unit (or the whole project); its
    findings are returned beside the evaluation (the run gathers them), never kept in it."""
    findings = Findings()
    sources = env.extensions.sources
    system = read_indicators(book, findings)
    findings.extend(derived.check(book, sources))
    caches = env.caches if env.caches is not None else book.caches  # later stages reuse what was summed

    def scope(unit: str | None) -> Scope:
        return caches.scope(book, unit, lambda: Scope(book, unit, sources))

    units: tuple[UnitScore, ...]
    if book.shape == schema.SHAPE_WHOLE:
        unit = score_unit(book, system, None, sources, findings, scope(None))
        units, total, grade, level1, total_note = (unit,), unit.total, unit.grade, unit.level1, ""
    else:
        alike = _Alike(book, sources)  # the units are scored alike, while this evaluation scores them
        units = tuple(score_unit(book, system, u.short_name, sources, findings, scope(u.short_name), alike)
                      for u in book.units)
        weights = unit_weights(book, units)
        if _fund_weighted(book) and weights == [Decimal(1)] * len(units):
            findings.error(book.info_refs.get("aggregation"),
                           "按资金加权平均需要每个单位的预算数（资金情况），已改按算术平均计算")
        total = round_score(weighted_mean([u.total for u in units], weights))
        grade = grade_of(total, book.info)
        level1, total_note = _project_level1(units, weights, total)
    return Evaluation(book, system, units, total, grade, level1, total_note, sources, caches=caches), findings
