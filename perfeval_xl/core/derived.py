"""Derived measures (派生指标): named values an evaluator builds from other value sources.

Each row of the optional sheet 派生指标 names a value and says how it is aggregated:

* ``平均`` — the arithmetic mean of the listed values (the mean of rates), e.g. three sub-project
  completion rates: ``综合完成率=(95.00%+100.00%+90.00%)÷3=95.00%``;
* ``合计比`` — a ratio of sums (Σ÷Σ), ``分子÷分母`` with each side a sum of values, e.g. a
  money-weighted execution rate over sub-projects.

A derived measure is then a value source like any other (取值来源, 公式, other derived measures),
for every scope (a unit or the project).  Expressions are parsed by :mod:`.formula` (never ``eval``);
this module does not resolve names itself: :class:`~perfeval_xl.core.sources.Scope` hands it a
resolver, and reports a cycle or an unknown name at the measure's 表达式 cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Collection, Iterable, Mapping

from . import formula, schema
from .book import Book, Record
from .findings import Findings, Ref
from .numbers import ZERO, round_half_up, round_rate
from .rules import Value, show_amount

#: a name a formula can refer to (the tokenizer's name pattern)
_NAME = re.compile(r"^[^\W\d][\w.]*$", re.UNICODE)
#: names that only mean something inside an indicator's 公式
_RULE_NAMES = ("值", "分值", "权重", "目标")


class DerivedError(ValueError):
    """A derived measure cannot be computed; carries the cell it concerns."""

    def __init__(self, message: str, ref: Ref):
        super().__init__(message)
        self.ref = ref


@dataclass(frozen=True)
class Measure:
    """One row of 派生指标, parsed."""

    name: str
    method: str
    expression: str
    note: str
    record: Record
    #: 平均: the items; 合计比: (numerator, denominator); empty when the expression has an error
    parts: tuple = ()
    error: str = ""

    @property
    def ref(self) -> Ref:
        return self.record.ref("expression")

    def names(self) -> list[str]:
        found: list[str] = []
        for part in self.parts:
            for name in formula.names(part):
                if name not in found:
                    found.append(name)
        return found

    def measures_used(self) -> list[str]:
        """The names this measure uses with a year taken off (综合完成率(2023年) uses 综合完成率)."""
        found: list[str] = []
        for used in self.names():
            base, _, arg = used.replace("（", "(").replace("）", ")").partition("(")
            rest, _ = split_year(arg.rstrip(")").strip() or None)
            name = base.strip() if not rest else used
            if name not in found:
                found.append(name)
        return found


_YEAR_ARG = re.compile(r"^(\d{4})\s*年度?$")


def split_year(arg: str | None) -> tuple[str | None, int | None]:
    """The year of a value source's argument: ``2023年`` → (None, 2023); ``道路,2023年`` → ('道路', 2023);
    ``道路`` → ('道路', None).  A value source with a year takes only that year's rows."""
    if not arg:
        return arg, None
    parts = [p.strip() for p in re.split(r"[,，]", arg)]
    years = [(p, m) for p in parts if (m := _YEAR_ARG.match(p))]
    if len(years) != 1:
        return arg, None
    (year_part, year), = years
    rest = [p for p in parts if p != year_part]
    return ("，".join(rest) or None), int(year.group(1))


def split_items(text: str) -> list[str]:
    """The items of a 平均 expression: separated by ；; 、 or a comma outside parentheses."""
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth -= 1
        if ch in "；;、\n" or (ch in ",，" and depth == 0):
            items.append("".join(current))
            current = []
            continue
        current.append(ch)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def _parse(method: str, expression: str) -> tuple[tuple, str]:
    """(parts, error message or '')."""
    try:
        if method == schema.DERIVED_MEAN:
            parts = tuple(formula.parse(item) for item in split_items(expression))
            if not parts:
                return (), "表达式为空"
            for part in parts:
                if not isinstance(part, (formula.Name, formula.Num)):
                    return (), ("“平均”的各项应是取值来源、名称或数字，用分号或顿号分隔，如 实际完成率(甲)；实际完成率(乙)；"
                                "需要先计算的项请另设一个派生指标")
            return parts, ""
        if method == schema.DERIVED_RATIO:
            tree = formula.parse(expression)
            if not (isinstance(tree, formula.Binary) and tree.op == "/"):
                return (), ("“合计比”的表达式应写作 分子÷分母，分子或分母有多项时加括号，"
                            "如 (实际支出(甲)+实际支出(乙))÷(预算数(甲)+预算数(乙))")
            return (tree.left, tree.right), ""
    except formula.FormulaError as exc:
        return (), str(exc)
    return (), ""  # a blank or unreadable 计算方式 is reported by the reader or by check()


def _text(record: Record, key: str) -> str:
    value = record.get(key)
    return "" if value is None else str(value).strip()


def measures_of(book: Book) -> dict[str, Measure]:
    """The derived measures of a workbook by name (the first row of a name)."""
    found: dict[str, Measure] = {}
    for record in book.rows(schema.DERIVED):
        name = _text(record, "name")
        if not name or name in found:
            continue
        method, expression = _text(record, "method"), _text(record, "expression")
        parts, error = _parse(method, expression) if expression else ((), "表达式为空")
        found[name] = Measure(name, method, expression, _text(record, "note"), record, parts, error)
    return found


def check(book: Book, source_names: Collection[str]) -> Findings:
    """Every derived measure checked once, whatever uses it: its name, its expression, the names it
    uses (an unknown one is an error at its 表达式 cell) and cycles."""
    findings = Findings()
    rows = book.rows(schema.DERIVED)
    if not rows:
        return findings
    data_names = {_text(r, "name") for r in book.rows(schema.DATA_VALUES)} - {""}
    measures = measures_of(book)
    seen: set[str] = set()
    for record in rows:
        name = _text(record, "name")
        if not name:
            continue
        where = record.ref("name")
        if name in seen:
            findings.error(where, f"派生指标“{name}”重复：同一名称只能定义一次")
            continue
        seen.add(name)
        if not _NAME.match(name):
            findings.error(where, f"派生指标的名称“{name}”应以文字开头，只含文字、数字和下划线（公式中才能引用），如 综合完成率")
        elif name in source_names or name in _RULE_NAMES:
            findings.error(where, f"派生指标的名称“{name}”与取值来源同名，请另起一个名称")
        elif name in data_names:
            findings.error(where, f"派生指标的名称“{name}”与“其他数据”中的名称相同，请另起一个名称")
        measure = measures[name]
        if "method" in record.invalid or not measure.method:
            continue  # the reader has reported the cell
        if measure.error:
            findings.error(measure.ref, f"派生指标“{name}”的表达式有误：{measure.error}")
            continue
        for used in measure.names():
            base, _, written = used.replace("（", "(").replace("）", ")").partition("(")
            base, (arg, _) = base.strip(), split_year(written.rstrip(")").strip() or None)
            known = (base in source_names and base not in _RULE_NAMES) if arg else (
                base in source_names or base in measures or base in data_names)
            if not known:
                findings.error(measure.ref, f"派生指标“{name}”的表达式用到“{used}”：它不是取值来源，"
                                            f"不是“其他数据”中的名称，也不是派生指标")
    for cycle in cycles(measures):
        findings.error(measures[cycle[0]].ref, cycle_message(cycle))
    return findings


def cycles(measures: Mapping[str, Measure]) -> list[list[str]]:
    """Each cycle among the measures once, as the path from its first measure (in sheet order) back to it."""
    found: list[list[str]] = []
    reported: set[frozenset] = set()
    for start in measures:
        stack = [(start, [start])]
        while stack:
            name, path = stack.pop()
            for used in measures[name].measures_used():
                if used == start:
                    key = frozenset(path)
                    if key not in reported:
                        reported.add(key)
                        found.append(path + [start])
                elif used in measures and used not in path:
                    stack.append((used, path + [used]))
    return found


def cycle_message(path: Iterable[str]) -> str:
    return f"派生指标循环引用：{'→'.join(path)}；派生指标不能直接或间接用到自己"


def _component_text(written: str, value: Value) -> str:
    """A component's own computation, named as the expression writes it
    (实际完成率(城市社区)=19/20×100%=95.00%, not 实际完成率=…)."""
    text = value.text or f"{written}={value.show()}"
    if written != value.label and text.startswith(value.label + "="):
        text = written + text[len(value.label):]
    return text


def evaluate(measure: Measure, resolve: Callable[[str], Value]) -> Value:
    """The measure's value in one scope; ``resolve`` gives the values it names."""
    if measure.error or not measure.parts:
        raise DerivedError(f"派生指标“{measure.name}”的表达式有误：{measure.error or '计算方式应为平均或合计比'}",
                           measure.ref)
    used: dict[str, Value] = {}

    def value_of(name: str) -> Value:
        if name not in used:
            used[name] = resolve(name)
        return used[name]

    if measure.method == schema.DERIVED_MEAN:
        amount, is_rate, unit, shown = _mean(measure, value_of)
    else:
        amount, is_rate, unit, shown = _ratio(measure, value_of)
    refs = list(dict.fromkeys(r for value in used.values() for r in value.refs))  # each cell once, in order
    refs.append(measure.ref)
    texts: list[str] = []
    for name, value in used.items():
        text = _component_text(name, value)
        if text not in texts:
            texts.append(text)
    own = f"{measure.name}={shown}" + (f"（{measure.note}）" if measure.note else "")
    return Value(amount, is_rate, measure.name, "；".join(texts + [own]), tuple(refs), unit)


def _mean(measure: Measure, value_of) -> tuple[Decimal, bool, str, str]:
    items: list[tuple[Decimal, bool, str, str]] = []  # amount, is_rate, unit, shown
    for part in measure.parts:
        if isinstance(part, formula.Num):
            is_rate = part.text.endswith("%")
            items.append((part.value, is_rate, "", part.text if not is_rate else show_amount(part.value, True)))
        else:
            value = value_of(part.name)
            items.append((value.amount, value.is_rate, value.unit, value.show()))
    kinds = {is_rate for _, is_rate, _, _ in items}
    if len(kinds) > 1:
        raise DerivedError(f"派生指标“{measure.name}”的各项有的是比率、有的不是，不能平均", measure.ref)
    units = {unit for _, _, unit, _ in items}
    if len(units) > 1:
        raise DerivedError(f"派生指标“{measure.name}”的各项单位不同（{'、'.join(sorted(u or '无单位' for u in units))}），"
                           "不能平均", measure.ref)
    is_rate, unit = kinds.pop(), units.pop()
    exact = sum((a for a, _, _, _ in items), ZERO) / len(items)
    amount = round_rate(exact) if is_rate else round_half_up(exact, 2)
    result = show_amount(amount, is_rate, unit)
    if len(items) == 1:
        return amount, is_rate, unit, result
    return amount, is_rate, unit, f"({'+'.join(s for _, _, _, s in items)})÷{len(items)}={result}"


def _side(tree, value_of) -> tuple[Decimal, str, bool]:
    """(amount, as printed with values substituted, whether it is a single value)."""
    amount = formula.evaluate(tree, lambda name: value_of(name).amount)
    shown = formula.render(tree, lambda name: value_of(name).show())
    single = isinstance(tree, (formula.Name, formula.Num))
    if not single and not shown.startswith("("):
        shown = f"({shown})"
    return amount, shown, single


def _ratio(measure: Measure, value_of) -> tuple[Decimal, bool, str, str]:
    try:
        top, top_shown, top_single = _side(measure.parts[0], value_of)
        bottom, bottom_shown, bottom_single = _side(measure.parts[1], value_of)
    except formula.FormulaError as exc:
        raise DerivedError(f"派生指标“{measure.name}”无法计算：{exc}", measure.ref) from exc
    if bottom == ZERO:
        raise DerivedError(f"派生指标“{measure.name}”无法计算：分母为 0", measure.ref)
    rate = round_rate(top / bottom)
    shown = f"{top_shown}/{bottom_shown}×100%"
    if not (top_single and bottom_single):
        shown += f"={formula.plain_number(top).lstrip('≈')}/{formula.plain_number(bottom).lstrip('≈')}×100%"
    return rate, True, "", f"{shown}={show_amount(rate, True)}"
