"""Value sources: the names an evaluator writes in 指标体系!取值来源 (and in formulas).

``资金到位率``, ``实际完成率(城市社区)``, ``人数完成率(基层党建先锋)``, ``满意度(A)``,
``综合满意度``, ``数据(政策宣传完成率)`` … Each resolves, for one scope (a unit, or
the whole project), to a :class:`~perfeval_xl.core.rules.Value` that carries its
derivation text, e.g. ``资金到位率=175,312.57/660,000.00×100%=26.56%``.

The core's sources are collected in :data:`CORE_SOURCES` by :func:`source` (in this module
only); the questionnaire sources live in :mod:`perfeval_xl.survey.sources`; the one list a
run uses is assembled in :mod:`perfeval_xl.extensions` and handed to each :class:`Scope`.
That list is the documentation too (``docs/template.md`` lists it).
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from decimal import Decimal
from itertools import compress, repeat
from operator import attrgetter, methodcaller
from types import MappingProxyType
from typing import Callable, Iterable, Mapping, Sequence, cast

from . import derived, measures, schema
from .book import Book, GroupValues, Record, column_values, present
from .derived import Measure
from .findings import Ref
from .measures import MeasureError
from .normalize import CellValueError, parse_number
from .numbers import ONE, ZERO, fmt_amount, fmt_as_typed, fmt_percent, fmt_plain, round_half_up, round_rate
from .rules import Value, is_quotient_unit, show_amount


class SourceError(ValueError):
    """A value source cannot be resolved; carries the cell it concerns."""

    def __init__(self, message: str, ref: Ref | None = None):
        super().__init__(message)
        self.ref = ref


@dataclass(frozen=True)
class SourceInfo:
    name: str
    arg: str  # '' none, 'optional', 'required'
    help: str
    func: Callable
    #: how the value is called in 评分标准 and 计算过程 when the source has an argument:
    #: (argument, indicator name) → label; None: the source's name
    labeller: Callable[[str, str], str] | None = None

    def label(self, arg: str | None, indicator: str) -> str:
        """The value's name as printed, e.g. 基层党建先锋人数完成率 for 人数完成率(基层党建先锋)."""
        if not arg or self.labeller is None:
            return self.name
        return self.labeller(arg, indicator)


def arg_then_name(name: str) -> Callable[[str, str], str]:
    """The label ``<argument><name>``: 人数完成率(基层党建先锋) → 基层党建先锋人数完成率."""
    return lambda arg, indicator: f"{arg}{name}"


def collector(into: dict[str, SourceInfo]):
    """A decorator ``@source(name, help, arg)`` that adds the decorated function to ``into``
    (one collection per module; nothing outside that module is changed)."""
    def source(name: str, help: str, arg: str = "", label: Callable[[str, str], str] | None = None):
        def collect(func):
            into[name] = SourceInfo(name, arg, help, func, label)
            return func
        return collect
    return source


#: the core's value sources (questionnaire sources: :data:`perfeval_xl.survey.sources.SURVEY_SOURCES`)
CORE_SOURCES: dict[str, SourceInfo] = {}
source = collector(CORE_SOURCES)


_SOURCE = re.compile(r"^([^()]+?)\s*(?:\((.*)\))?$")


def split_source(text: str) -> tuple[str, str | None]:
    text = text.strip().replace("（", "(").replace("）", ")")
    match = _SOURCE.match(text)
    if not match:
        raise SourceError(f"取值来源“{text}”写法有误，应写作 名称 或 名称(参数)，如 实际完成率(城市社区)")
    return match.group(1).strip(), (match.group(2).strip() if match.group(2) is not None else None)


_SHEET, _ROW, _COLS = attrgetter("sheet"), attrgetter("row"), attrgetter("cols")


class Scope:
    """Data of one scored unit (``unit`` = short name) or of the whole project (None)."""

    def __init__(self, book: Book, unit: str | None, sources: Mapping[str, SourceInfo], year: int | None = None):
        # held weakly: the book's caches hold its scopes, and a strong reference back would make every
        # run's book, tables and scores a reference cycle for the garbage collector (whoever holds a
        # scope holds its book or evaluation)
        self._book = weakref.ref(book)
        self.unit = unit
        #: only the rows of this year (资金情况 and 产出情况 by 年度, 支出明细 by 支付日期); None: every year
        self.year = year
        self.sources = sources
        self._cache: dict[str, Value] = {}
        self._derived: dict[str, Measure] | None = None
        self._resolving: list[str] = []  # derived measures being computed (a cycle is an error)
        #: 实际支出 once computed (:func:`spent_of`): (amount, cells or None when not kept)
        self._spent: tuple[Decimal, list[Ref] | None] | None = None
        #: (sheet, with defaults) → the scope's rows of the sheet over every year (:meth:`rows`), looked up once
        self._rows: dict[tuple[str, bool], tuple[Record, ...]] = {}
        #: what a source computes once in this scope and other sources ask for again (:meth:`memo`)
        self._memo: dict[tuple[str, str], Value] = {}
        #: 取值来源 texts read as (name, argument, year), shared by the run's scopes (each unit's asks the same)
        self._parsed: dict[str, tuple[str, str | None, int | None]] = book.caches.derived(
            sources, "value sources as read", dict)

    @property
    def book(self) -> Book:
        book = self._book()
        if book is None:  # pragma: no cover - a scope outliving its book is a programming error
            raise RuntimeError("the book of this scope is gone: keep the book (or its evaluation) while using its scope")
        return book

    @property
    def label(self) -> str:
        return (self.unit or "项目整体") + (f"{self.year}年" if self.year is not None else "")

    def _in_year(self, sheet: schema.TableSheet, records) -> list[Record]:
        if self.year is None:
            return list(records)
        if any(c.key == "year" for c in sheet.columns):
            return [r for r in records if r.get("year") == self.year]
        if sheet is schema.LEDGER:
            return [r for r in records if r.get("date") is not None and r.get("date").year == self.year]
        return list(records)

    # -- rows --------------------------------------------------------------
    def rows(self, sheet: schema.TableSheet, *, defaults: bool = False, where=None) -> list[Record]:
        """Rows of this scope.  With ``defaults``, rows without a unit stand for every
        unit that has no row of its own *among the rows matching* ``where``."""
        if self.year is None and where is None:  # every row of the scope as grouped (most sources ask so): once
            found = self._rows.get((sheet.name, defaults))
            if found is None:
                if self.unit is None:
                    found = self.book.rows(sheet)
                else:
                    units = self.book.grouped(sheet, "unit")
                    found = units.get(self.unit, ())
                    found = found if found or not defaults else units.get(None, ())
                self._rows[(sheet.name, defaults)] = found
            return list(found)

        def matching(records) -> list[Record]:
            in_year = self._in_year(sheet, records)  # a new list
            return in_year if where is None else [r for r in in_year if where(r)]

        if self.unit is None:
            return matching(self.book.rows(sheet))
        by_unit = self.book.grouped(sheet, "unit")
        own = matching(by_unit.get(self.unit, ()))
        if own or not defaults:
            return own
        return matching(by_unit.get(None, ()))

    def total(self, records: Iterable[Record], key: str, sheet: schema.TableSheet, what: str, *,
              refs: bool = True) -> tuple[Decimal, list[Ref]]:
        """The sum of column ``key`` over ``records`` and the cells summed (none when not ``refs``:
        a caller that needs only the sum does not pay for a cell per row of a long ledger)."""
        records = list(records)
        values = column_values(records, key)  # each step a C loop: no bytecode per row of a long ledger
        kept = present(values)  # (not `None in values`: a Decimal compared with None asks numbers.Rational)
        if not all(kept):
            filled, values = list(compress(records, kept)), list(compress(values, kept))
        else:
            filled = records
        if not filled:
            header = sheet.column(key).header
            where = records[0].ref(key) if records else Ref(sheet.name, schema.HEADER_ROW, 0)
            raise SourceError(f"{what}缺少数据：“{sheet.name}”中{self.label}的“{header}”为空", where)
        amount = sum(cast("list[Decimal]", values), ZERO)  # an amount column: Decimals
        if not refs:
            return amount, []
        n = len(filled)  # r.ref(key) of each, built by tuple.__new__ over the zipped fields
        cells = zip(map(_SHEET, filled), map(_ROW, filled), map(methodcaller("get", key, 0), map(_COLS, filled)))
        return amount, list(map(tuple.__new__, repeat(Ref, n), cells))

    def column_total(self, records: list[Record], key: str, sheet: schema.TableSheet, what: str, *,
                     refs: bool = True) -> tuple[Decimal, list[Ref]]:
        """:meth:`total` of column ``key`` over ``records``, this scope's rows of ``sheet`` (:meth:`rows`
        without a condition), kept for the run (every scope of the unit, or of the project, in every
        stage asks the same); a unit's read from :meth:`Book.grouped_values`, gathered in one pass
        over the table in sheet order, rather than row by row from the records of a long ledger."""
        table = self.book.rows(sheet)
        if self.year is not None or not records or not self.book.caches.derived(
                table, "one column map",  # every record's the first's: counted by identity first, in C
                lambda: bool(table) and list(map(_COLS, table)).count(table[0].cols) == len(table)):
            return self.total(records, key, sheet, what, refs=refs)
        if self.unit is None:
            if len(records) != len(table):  # pragma: no cover - the project's rows are the table's
                return self.total(records, key, sheet, what, refs=refs)
            group: GroupValues | None = GroupValues(self.book.row_numbers(sheet), self.book.column(sheet, key))
            owner: object = table
        else:
            group = self.book.grouped_values(sheet, "unit", key).get(self.unit)
            owner = group
        if group is None or len(group.rows) != len(records):  # pragma: no cover - the same grouping
            return self.total(records, key, sheet, what, refs=refs)
        found = group
        amount, rows = self.book.caches.derived(owner, f"{what}: total of {key}",
                                                lambda: self._group_total(found, records, key, sheet, what))
        if not refs:
            return amount, []
        col = records[0].cols.get(key, 0)  # r.ref(key) of each row summed, made once for the run
        cells = self.book.caches.derived(owner, f"{what}: cells of {key}",
                                         lambda: self._summed_cells(found, rows, sheet, col))
        return amount, list(cells)

    def _summed_cells(self, group: GroupValues, rows: Sequence[int], sheet: schema.TableSheet,
                      col: int) -> Sequence[Ref]:
        """The cells of ``rows``, those of ``group`` summed by :meth:`column_total`: when every one of the
        group's values was summed (a ledger without a blank amount), the Ref objects the book keeps
        for the whole column (:meth:`Book.cells`, :meth:`Book.grouped_cells`: the project and each unit
        share them), else made for these rows."""
        if rows is group.rows:  # (present_sum hands the group's own rows back when none is blank)
            if self.unit is None:
                return self.book.cells(sheet, col)
            return self.book.grouped_cells(sheet, "unit", col)[self.unit]
        return list(map(tuple.__new__, repeat(Ref, len(rows)), zip(repeat(sheet.name), rows, repeat(col))))

    def _group_total(self, group: GroupValues, records: list[Record], key: str, sheet: schema.TableSheet,
                     what: str) -> tuple[Decimal, Sequence[int]]:
        """:meth:`total` of a group's values (``records``, the same rows) and the rows summed."""
        amount, rows = self.book.group_sum(group)
        if not rows:
            self.total(records, key, sheet, what)  # raises: says which cell is blank
        return amount, rows

    def memo(self, what: str, key: str, make: Callable[[], Value]) -> Value:
        """A value computed once in this scope (``what`` of ``key``, e.g. one class's satisfaction,
        which 满意度(A) and 综合满意度 both need); an error is raised again each time it is asked for."""
        found = self._memo.get((what, key))
        if found is None:
            found = self._memo[(what, key)] = make()
        return found

    def resolve(self, text: str) -> Value:
        found = self._cache.get(text)  # (a number typed as the source is never kept: looked up first)
        if found is not None:
            return found
        literal = literal_value(text)
        if literal is not None:
            return literal
        parsed = self._parsed.get(text)
        if parsed is None:
            name, arg = split_source(text)
            parsed = self._parsed[text] = (name, *derived.split_year(arg))
        name, arg, year = parsed
        if year is not None:  # 资金到位率(2023年): the same source over that year's rows only
            self._cache[text] = self._of_year(year, f"{name}({arg})" if arg else name)
            return self._cache[text]
        info = self.sources.get(name)
        if info is None:
            # a bare name not in the registry: a derived measure (派生指标), or a name of 其他数据
            measure = self.derived.get(name) if arg is None else None
            if measure is not None:
                self._cache[text] = self._derived_value(measure)
                return self._cache[text]
            if arg is None and any(r.get("name") == name for r in self.book.rows(schema.DATA_VALUES)):
                self._cache[text] = data_value(self, name)
                return self._cache[text]
            raise SourceError(f"不认识的取值来源“{name}”；可用：{'、'.join(self.sources)}，"
                              "或“其他数据”“派生指标”中的名称")
        if info.arg == "required" and not arg:
            raise SourceError(f"取值来源“{name}”需要参数，写作 {name}(名称)")
        if info.arg == "" and arg:
            raise SourceError(f"取值来源“{name}”不带参数，写作 {name}")
        try:
            self._cache[text] = info.func(self, arg) if info.arg else info.func(self)
        except MeasureError as exc:
            raise SourceError(f"{self.label}：{exc}") from exc
        return self._cache[text]


    def _of_year(self, year: int, text: str) -> Value:
        inner = Scope(self.book, self.unit, self.sources, year)
        inner._resolving = self._resolving  # a derived measure reached again through a year is still a cycle
        value = inner.resolve(text)
        label = f"{year}年{value.label}"
        shown = label + value.text[len(value.label):] if value.text.startswith(value.label) else value.text
        return Value(value.amount, value.is_rate, label, shown, value.refs, value.unit)

    @property
    def derived(self) -> dict[str, Measure]:
        """The workbook's derived measures (派生指标) by name."""
        if self._derived is None:
            self._derived = derived.measures_of(self.book)
        return self._derived

    def _derived_value(self, measure: Measure) -> Value:
        """A derived measure in this scope: what it names is resolved here; a cycle, an unknown
        name or data missing for it is reported at its 表达式 cell (missing data at its own cell)."""
        if measure.name in self._resolving:
            path = self._resolving[self._resolving.index(measure.name):] + [measure.name]
            raise SourceError(derived.cycle_message(path), measure.ref)
        self._resolving.append(measure.name)

        def component(name: str) -> Value:
            try:
                return self.resolve(name)
            except SourceError as exc:
                if exc.ref is None:
                    raise SourceError(f"派生指标“{measure.name}”：{exc}", measure.ref) from exc
                raise

        try:
            return derived.evaluate(measure, component)
        except derived.DerivedError as exc:
            raise SourceError(f"{exc}", exc.ref) from exc
        finally:
            self._resolving.pop()


def literal_value(text: str) -> Value | None:
    """A number typed straight into 取值来源 (the 实际完成值 of a self-evaluation form):
    ``98%``, ``0.98``, ``130``."""
    cleaned = text.strip()
    if not cleaned or not (cleaned[0].isdigit() or cleaned[0] in "+-.－＋"):
        return None
    try:
        number, suffix = parse_number(cleaned)
    except CellValueError:
        return None
    if suffix in ("元", "万"):
        return None
    is_rate = suffix == "%"
    shown = fmt_percent(number) if is_rate else fmt_plain(number)
    return Value(number, is_rate, "实际完成值", f"实际完成值{shown}")


def _rate_value(label: str, numerator: Decimal, denominator: Decimal, rate: Decimal, refs, *, money: bool,
                numerator_text: str | None = None) -> Value:
    show = fmt_amount if money else fmt_as_typed
    top = numerator_text or show(numerator)
    text = f"{label}={top}/{show(denominator)}×100%={fmt_percent(rate)}"
    return Value(rate, True, label, text, tuple(refs))


def _ratio_of(scope: Scope, rows: list[Record], sheet: schema.TableSheet, top: str, bottom: str,
              label: str, measure, *, money: bool) -> Value:
    """label = Σ top ÷ Σ bottom over rows, through the core measure (one place for the pattern)."""
    numerator, r1 = scope.total(rows, top, sheet, label)
    denominator, r2 = scope.total(rows, bottom, sheet, label)
    return _rate_value(label, numerator, denominator, measure(numerator, denominator), r1 + r2, money=money)


# -- funds ---------------------------------------------------------------------

def _funds(scope: Scope) -> list[Record]:
    rows = scope.rows(schema.FUNDS)
    if not rows:
        raise SourceError(f"“资金情况”中没有{scope.label}的数据", Ref(schema.FUNDS.name, schema.HEADER_ROW, 0))
    return rows


def spent_of(scope: Scope, *, refs: bool = True) -> tuple[Decimal, list[Ref]]:
    """实际支出 of a scope: the 支出明细 total when it has rows, else 资金情况's; and its cells
    (none when not ``refs``)."""
    known = scope._spent  # 预算执行率, 成本节约率, 发放完成率 and the 发放完成率 sheet all need it: summed once
    if known is None or (refs and known[1] is None):
        ledger = scope.rows(schema.LEDGER)
        if ledger:
            amount, cells = scope.column_total(ledger, "amount", schema.LEDGER, "实际支出", refs=refs)
        else:
            amount, cells = scope.total(_funds(scope), "spent", schema.FUNDS, "实际支出", refs=refs)
        known = scope._spent = (amount, cells if refs else None)
    kept = known[1]
    return known[0], list(kept) if refs and kept is not None else []


@source("资金到位率", "实际到位资金 ÷ 预算数（资金情况）")
def arrival(scope: Scope) -> Value:
    return _ratio_of(scope, _funds(scope), schema.FUNDS, "arrived", "budget", "资金到位率",
                     measures.arrival_rate, money=True)


@source("到位及时率", "及时到位资金 ÷ 应到位资金（资金情况）")
def timely_arrival(scope: Scope) -> Value:
    return _ratio_of(scope, _funds(scope), schema.FUNDS, "timely", "due", "到位及时率",
                     measures.timely_arrival_rate, money=True)


@source("预算执行率", "实际支出 ÷ 实际到位资金；写 预算执行率(预算) 则除以预算数。有支出明细时实际支出取明细合计", "optional")
def execution(scope: Scope, arg: str | None) -> Value:
    rows = _funds(scope)
    spent, r1 = spent_of(scope)
    if arg in (None, "", "到位", "到位资金"):
        base, r2 = scope.total(rows, "arrived", schema.FUNDS, "预算执行率")
        label = "预算执行率"
    elif arg in ("预算", "预算数"):
        base, r2 = scope.total(rows, "budget", schema.FUNDS, "预算执行率")
        label = "预算执行率"
    else:
        raise SourceError(f"预算执行率的基数只能是“到位”或“预算”，填写的是“{arg}”")
    return _rate_value(label, spent, base, measures.execution_rate(spent, base), r1 + r2, money=True)


def _unit_scope(scope: Scope, arg: str | None, name: str) -> Scope:
    """The scope of one unit named in an argument (预算数(甲)), within this scope."""
    if not arg:
        return scope
    if scope.book.unit(arg) is None:
        raise SourceError(f"{name}({arg})：“单位名单”中没有简称为“{arg}”的单位")
    if scope.unit is not None and scope.unit != arg:
        raise SourceError(f"{name}({arg})：{scope.unit}的评分只能取本单位的数据")
    return Scope(scope.book, arg, scope.sources, scope.year)


def _amount_value(label: str, amount: Decimal, refs) -> Value:
    return Value(amount, False, label, f"{label}={fmt_amount(amount)}", tuple(refs))


def _funds_amount(scope: Scope, arg: str | None, name: str, key: str) -> Value:
    """A 资金情况 column's total for the scope (or, with ``arg``, for that unit)."""
    own = _unit_scope(scope, arg, name)
    amount, refs = own.total(_funds(own), key, schema.FUNDS, name)
    return _amount_value(f"{arg or ''}{name}", amount, refs)


@source("预算数", "预算数合计（资金情况）；写 预算数(单位简称) 只取该单位。用于派生指标，如各子项目的合计比",
        "optional", label=arg_then_name("预算数"))
def budget_amount(scope: Scope, arg: str | None) -> Value:
    return _funds_amount(scope, arg, "预算数", "budget")


@source("到位资金", "实际到位资金合计（资金情况）；写 到位资金(单位简称) 只取该单位", "optional",
        label=arg_then_name("到位资金"))
def arrived_amount(scope: Scope, arg: str | None) -> Value:
    return _funds_amount(scope, arg, "到位资金", "arrived")


@source("实际支出", "实际支出合计（资金情况；有支出明细时取明细合计）；写 实际支出(单位简称) 只取该单位", "optional",
        label=arg_then_name("实际支出"))
def spent_amount(scope: Scope, arg: str | None) -> Value:
    own = _unit_scope(scope, arg, "实际支出")
    amount, refs = spent_of(own)
    return _amount_value(f"{arg or ''}实际支出", amount, refs)


@source("发放完成率", "实际支出（实际发放金额）÷ 预算数（计划发放金额）")
def payout(scope: Scope) -> Value:
    rows = _funds(scope)
    spent, r1 = spent_of(scope)
    budget, r2 = scope.total(rows, "budget", schema.FUNDS, "发放完成率")
    return _rate_value("发放完成率", spent, budget, measures.completion_rate(spent, budget), r1 + r2, money=True)


@source("上级资金占比", "上级资金 ÷ 预算数（资金情况）")
def superior_share(scope: Scope) -> Value:
    rows = _funds(scope)
    budget, r2 = scope.total(rows, "budget", schema.FUNDS, "上级资金占比")
    values = [(r.get("superior"), r.ref("superior")) for r in rows if r.get("superior") is not None]
    superior = sum((v for v, _ in values), ZERO)
    refs = [ref for _, ref in values]
    if budget == ZERO:
        raise SourceError("上级资金占比无法计算：预算数为 0", rows[0].ref("budget"))
    return _rate_value("上级资金占比", superior, budget, round_rate(superior / budget), refs + r2, money=True)


@source("成本节约率", "（计划成本−实际成本）÷ 计划成本：不带参数取资金情况的预算数与实际支出；带产出名称取产出情况的计划/实际成本", "optional")
def cost_saving(scope: Scope, arg: str | None) -> Value:
    if arg:
        rows = _outputs(scope, arg)
        planned, r1 = scope.total(rows, "planned_cost", schema.OUTPUTS, "成本节约率")
        actual, r2 = scope.total(rows, "actual_cost", schema.OUTPUTS, "成本节约率")
    else:
        rows = _funds(scope)
        planned, r1 = scope.total(rows, "budget", schema.FUNDS, "成本节约率")
        actual, r2 = spent_of(scope)
    rate = measures.cost_saving_rate(planned, actual)
    text = f"成本节约率=({fmt_amount(planned)}-{fmt_amount(actual)})/{fmt_amount(planned)}×100%={fmt_percent(rate)}"
    return Value(rate, True, "成本节约率", text, tuple(r1 + r2))


@source("支付及时率", "支出明细中不晚于应付日期支付的金额 ÷ 支出合计")
def payment_timeliness(scope: Scope) -> Value:
    rows = scope.rows(schema.LEDGER)
    if not rows:
        raise SourceError(f"“支出明细”中没有{scope.label}的数据", Ref(schema.LEDGER.name, schema.HEADER_ROW, 0))
    total, refs = scope.total(rows, "amount", schema.LEDGER, "支付及时率")
    # the three columns each read by a C loop (a long ledger's rows hold no dict: no look-up call per row)
    on_time = sum((amount for amount, due, paid in zip(column_values(rows, "amount"), column_values(rows, "due_date"),
                                                        column_values(rows, "date"))
                   if amount is not None and (due is None or paid is None or paid <= due)), ZERO)
    return _rate_value("支付及时率", on_time, total, measures.timely_arrival_rate(on_time, total), refs, money=True)


# -- outputs -------------------------------------------------------------------

def _outputs(scope: Scope, arg: str | None) -> list[Record]:
    rows = scope.rows(schema.OUTPUTS)
    if arg:
        item, _, sub = arg.partition("/")
        rows = [r for r in rows if r.get("item") == item.strip() and (not sub or r.get("sub_item") == sub.strip())]
    if not rows:
        raise SourceError(f"“产出情况”中没有{scope.label}的产出“{arg or ''}”")
    return rows


@source("实际完成率", "实际数 ÷ 计划数（产出情况，按产出名称汇总；可写 产出名称/子项）", "required")
def completion(scope: Scope, arg: str) -> Value:
    return _ratio_of(scope, _outputs(scope, arg), schema.OUTPUTS, "actual", "planned", "实际完成率",
                     measures.completion_rate, money=False)


@source("质量达标率", "质量达标数 ÷ 实际数（产出情况）", "required")
def quality(scope: Scope, arg: str) -> Value:
    return _ratio_of(scope, _outputs(scope, arg), schema.OUTPUTS, "quality_ok", "actual", "质量达标率",
                     measures.quality_rate, money=False)


@source("完成及时率", "按时完成数 ÷ 计划数；未填按时完成数时，按计划/实际完成日期判断每行是否按时"
                  "（按时的行计其实际数）；也没有日期时取（计划用时−实际用时）÷ 计划用时（产出情况）", "required")
def timeliness(scope: Scope, arg: str) -> Value:
    rows = _outputs(scope, arg)
    if any(r.get("on_time") is not None for r in rows):
        return _ratio_of(scope, rows, schema.OUTPUTS, "on_time", "planned", "完成及时率",
                         measures.on_time_rate, money=False)
    dated = [r for r in rows if r.get("planned_date") is not None and r.get("actual_date") is not None]
    if dated:
        planned, r1 = scope.total(dated, "planned", schema.OUTPUTS, "完成及时率")
        on_time = sum((r.get("actual") or ZERO for r in dated if r.get("actual_date") <= r.get("planned_date")), ZERO)
        late = [r for r in dated if r.get("actual_date") > r.get("planned_date")]
        rate = measures.on_time_rate(on_time, planned)
        text = f"完成及时率=按时完成{fmt_as_typed(on_time)}/计划{fmt_as_typed(planned)}×100%={fmt_percent(rate)}"
        if late:
            text += "（逾期：" + "、".join(
                f"{r.get('sub_item') or r.get('item')}计划{r.get('planned_date'):%Y-%m-%d}、实际{r.get('actual_date'):%Y-%m-%d}"
                for r in late[:5]) + ("等" if len(late) > 5 else "") + "）"
        refs = r1 + [r.ref("actual_date") for r in dated] + [r.ref("planned_date") for r in dated]
        return Value(rate, True, "完成及时率", text, tuple(refs))
    planned, r1 = scope.total(rows, "planned_days", schema.OUTPUTS, "完成及时率")
    actual, r2 = scope.total(rows, "actual_days", schema.OUTPUTS, "完成及时率")
    rate = measures.time_saving_rate(planned, actual)
    text = f"完成及时率=({fmt_plain(planned)}-{fmt_plain(actual)})/{fmt_plain(planned)}×100%={fmt_percent(rate)}"
    return Value(rate, True, "完成及时率", text, tuple(r1 + r2))


@source("实际数", "实际产出数（产出情况）", "required")
def actual_count(scope: Scope, arg: str) -> Value:
    rows = _outputs(scope, arg)
    actual, refs = scope.total(rows, "actual", schema.OUTPUTS, "实际数")
    return Value(actual, False, arg, f"{arg}实际数={fmt_plain(actual)}", tuple(refs))


# -- roster --------------------------------------------------------------------

def _heads(record: Record) -> Decimal:
    return record.get("heads", ONE)


def _roster(scope: Scope, category: str | None) -> list[Record]:
    return list(_roster_rows(scope, category))


def _roster_rows(scope: Scope, category: str | None) -> Sequence[Record]:
    """The scope's 人员名册 rows (of ``category``); a SourceError without rows.  The rows of one 类别 over
    every year are :func:`_roster_by_category`'s, and those of every 类别 :func:`_roster_of_scope`'s (kept for
    the run: not to be changed)."""
    if category and scope.year is None:  # (a unit's 人数完成率, 发放人数 and 目标人数 each ask for several)
        kept = _roster_by_category(scope).get(category)
        if kept is not None:
            return kept
        rows: list[Record] = []
    elif scope.year is None:  # every 类别: the scope's rows as grouped, kept for the run (each of them asks too)
        whole = _roster_of_scope(scope)
        if whole:
            return whole
        rows = []
    else:
        rows = scope.rows(schema.ROSTER)
        if category:
            rows = [r for r in rows if r.get("category") == category]
    if not rows:
        what = f"类别“{category}”的" if category else ""
        raise SourceError(f"“人员名册”中没有{scope.label}{what}人员")
    return rows


def _counted_roster(scope: Scope, category: str | None) -> tuple[Sequence[Record], Decimal, Decimal, tuple[Ref, ...]]:
    """:func:`_roster_rows` with their :func:`headcounts` and 是否发放 cells."""
    rows = _roster_rows(scope, category)
    if type(rows) is tuple:  # rows kept for the run, a 类别's or all the scope's (any other is a list of this call's): counted once
        return (rows, *scope.book.caches.derived(rows, "headcounts", lambda: (*headcounts(rows), _paid_cells(rows))))
    return (rows, *headcounts(rows), _paid_cells(rows))


def _paid_cells(rows: Iterable[Record]) -> tuple[Ref, ...]:
    return tuple(r.ref("paid") for r in rows)


def _roster_of_scope(scope: Scope) -> tuple[Record, ...]:
    """The scope's rows of 人员名册 over every year (:meth:`Scope.rows`' rows), as kept for the run."""
    book = scope.book
    return book.rows(schema.ROSTER) if scope.unit is None else book.grouped(schema.ROSTER, "unit").get(scope.unit, ())


def _roster_by_category(scope: Scope) -> Mapping[object, tuple[Record, ...]]:
    """The scope's rows of 人员名册 (every year's) by their 类别 as typed, in sheet order; kept for the run."""
    book = scope.book
    rows = _roster_of_scope(scope)

    def by_category() -> dict[object, tuple[Record, ...]]:
        found: dict[object, list[Record]] = {}
        for record in rows:
            found.setdefault(record.get("category"), []).append(record)
        return {category: tuple(kept) for category, kept in found.items()}

    return book.caches.derived(rows, "roster by category", by_category)


def headcounts(rows: Iterable[Record]) -> tuple[Decimal, Decimal]:
    """(target heads, paid heads) of roster rows: 是否发放 blank counts as not yet paid."""
    rows = list(rows)
    target = sum((_heads(r) for r in rows), ZERO)
    paid = sum((_heads(r) for r in rows if r.get("paid") == "是"), ZERO)
    return target, paid


@source("人数完成率", "实际发放人数 ÷ 目标人数（人员名册；可按类别，如 人数完成率(基层党建先锋)）", "optional", label=arg_then_name("人数完成率"))
def headcount_rate(scope: Scope, arg: str | None) -> Value:
    rows, target, paid, cells = _counted_roster(scope, arg)
    label = f"{arg}人数完成率" if arg else "人数完成率"
    return _rate_value(label, paid, target, measures.completion_rate(paid, target), cells, money=False)


@source("发放人数", "已发放人数（人员名册，可按类别）", "optional", label=arg_then_name("发放人数"))
def paid_heads(scope: Scope, arg: str | None) -> Value:
    rows, target, paid, cells = _counted_roster(scope, arg)
    return Value(paid, False, f"{arg or ''}发放人数", f"{arg or ''}发放人数={fmt_plain(paid)}人", cells)


@source("目标人数", "名册人数（人员名册，可按类别）", "optional", label=arg_then_name("目标人数"))
def target_heads(scope: Scope, arg: str | None) -> Value:
    rows, target, paid, _ = _counted_roster(scope, arg)
    return Value(target, False, f"{arg or ''}目标人数", f"{arg or ''}目标人数={fmt_plain(target)}人", tuple(r.ref("heads") for r in rows))


def entitlement(rows: Iterable[Record]) -> Decimal | None:
    """Σ 人数 × 月标准 × 月数 (元) of roster rows that carry a standard."""
    total, seen = ZERO, False
    for r in rows:
        if r.get("monthly") is not None and r.get("months") is not None:
            total += _heads(r) * r.get("monthly") * r.get("months")
            seen = True
    return total if seen else None


@source("名册发放完成率", "实发金额 ÷ 应发金额（人数×月标准×月数，人员名册，单位：元）", "optional")
def roster_payout(scope: Scope, arg: str | None) -> Value:
    rows = _roster(scope, arg)
    due = entitlement(rows)
    if due is None:
        raise SourceError("名册发放完成率缺少数据：人员名册未填写月标准和月数", rows[0].ref("monthly"))
    paid, refs = scope.total(rows, "paid_amount", schema.ROSTER, "名册发放完成率")
    return _rate_value("名册发放完成率", paid, due, measures.completion_rate(paid, due), refs, money=True)


# -- satisfaction ----------------------------------------------------------------

def class_weights(book: Book) -> Mapping[str, tuple[Decimal | None, str, Ref]]:
    """The questionnaire classes by code: (weight, name, the weight's cell); read once per run (every
    unit's 满意度 and 综合满意度 ask)."""
    table = book.rows(schema.SURVEY_CLASSES)
    return book.caches.derived(table, "class weights", lambda: MappingProxyType({
        r.get("code"): (r.get("weight"), r.get("name") or r.get("code"), r.ref("weight")) for r in table if r.get("code")}))


def class_rate(scope: Scope, code: str) -> Value:
    rows = scope.rows(schema.SATISFACTION, defaults=True, where=lambda r: r.get("class_code") == code)
    rows = [r for r in rows if r.get("rate") is not None]
    classes = class_weights(scope.book)
    name = classes.get(code, (None, code, None))[1]
    label = f"{name}满意度"
    if not rows:
        raise SourceError(f"“满意度”中没有{scope.label}类别“{code}”的满意度", Ref(schema.SATISFACTION.name, schema.HEADER_ROW, 1))
    if len(rows) == 1:
        rate = rows[0].get("rate")
        return Value(rate, True, label, f"{label}={fmt_percent(rate)}", (rows[0].ref("rate"),))
    # several sub-units in one scope: weight by valid questionnaires
    counts = [r.get("valid") for r in rows]
    if any(c is None for c in counts):
        missing = next(r for r in rows if r.get("valid") is None)
        raise SourceError(f"合并多个单位的“{label}”需要各单位的有效问卷数", missing.ref("valid"))
    total = sum(counts, ZERO)
    rate = round_rate(measures.weighted_mean([r.get("rate") for r in rows], counts))
    parts = "+".join(f"{fmt_plain(r.get('valid'))}×{fmt_percent(r.get('rate'))}" for r in rows)
    return Value(rate, True, label, f"{label}=({parts})/{fmt_plain(total)}={fmt_percent(rate)}",
                 tuple(r.ref("rate") for r in rows))


# -- other data ----------------------------------------------------------------

@source("数据", "“其他数据”表中的一项：数值，或分子÷分母", "required", label=lambda arg, indicator: arg)
def data_value(scope: Scope, arg: str) -> Value:
    rows = scope.rows(schema.DATA_VALUES, defaults=True, where=lambda r: r.get("name") == arg)
    if not rows:
        raise SourceError(f"“其他数据”中没有{scope.label}的“{arg}”")
    fractions = [r for r in rows if r.get("numerator") is not None and r.get("denominator") is not None]
    if fractions and len(fractions) == len(rows):
        top = sum((r.get("numerator") for r in rows), ZERO)
        bottom = sum((r.get("denominator") for r in rows), ZERO)
        if bottom == ZERO:
            raise SourceError(f"“{arg}”的分母为 0", rows[0].ref("denominator"))
        note = "；".join(r.get("note") for r in rows if r.get("note"))
        refs = [r.ref("numerator") for r in rows] + [r.ref("denominator") for r in rows]
        unit = next((u for u in ((r.get("measure_unit") or "").strip() for r in rows) if u), "")
        if unit and is_quotient_unit(unit):  # 人均成本 in 万元/人: a quotient, not a percentage
            amount = round_half_up(top / bottom, 2)
            value = Value(amount, False, arg, "", tuple(refs), unit)
            text = f"{arg}={fmt_plain(top)}/{fmt_plain(bottom)}={value.show()}" + (f"（{note}）" if note else "")
            return Value(amount, False, arg, text, tuple(refs), unit)
        rate = round_rate(top / bottom)
        text = f"{arg}={fmt_plain(top)}/{fmt_plain(bottom)}×100%={fmt_percent(rate)}" + (f"（{note}）" if note else "")
        return Value(rate, True, arg, text, tuple(refs))
    if len(rows) > 1:
        raise SourceError(f"{scope.label}的“{arg}”有多行数值，无法合并；请只保留一行或改填分子分母", rows[1].ref("name"))
    row = rows[0]
    if row.get("value") is None:
        raise SourceError(f"“{arg}”没有填写数值（或分子和分母）", row.ref("value"))
    value = row.get("value")
    unit = (row.get("measure_unit") or "").strip()
    if unit:
        is_rate = unit in ("%", "％", "百分比")
        if is_rate and abs(value) > ONE:  # 计量单位 % with 82.5 typed: the number is in percent
            value = value / 100
    else:
        is_rate = abs(value) <= ONE and value != value.to_integral_value()
    quotient = unit if not is_rate and is_quotient_unit(unit) else ""
    shown = show_amount(value, is_rate, quotient) if is_rate or quotient else fmt_plain(value) + unit
    note = row.get("note")
    return Value(value, is_rate, arg, f"{arg}={shown}" + (f"（{note}）" if note else ""), (row.ref("value"),), quotient)

