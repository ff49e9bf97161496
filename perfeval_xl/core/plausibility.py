"""Plausibility checks on the values read from a workbook: figures that cannot be
true (到位 > 预算, 支出 > 到位, negative amounts, rates above 100 %) and amounts whose
size contradicts the declared unit (元 / 万元).

One of the checks of the check stage (:data:`perfeval_xl.core.checks.CHECKS`; cross-sheet
consistency is the others); each problem becomes a finding
that names the sheet and cell and says what would be plausible.  Nothing here
changes a value: the evaluator decides.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import compress
from typing import Callable, Iterable, Sequence

from . import schema
from .book import present
from .findings import Findings, Ref
from .normalize import YearRange
from .numbers import ONE, ZERO, fmt_plain

#: in a 万元 workbook, an amount this large (100 亿元) was probably typed in 元
WAN_IMPLAUSIBLE = Decimal(1_000_000)
#: in a 元 workbook, a project budget this small was probably typed in 万元
YUAN_IMPLAUSIBLE = Decimal(1000)

_FUNDS_AMOUNTS = ("budget", "arrived", "timely", "due", "spent", "superior", "balance", "carryover")
_OUTPUT_COUNTS = ("planned", "actual", "quality_ok", "on_time", "planned_days", "actual_days")


def _header(sheet: schema.TableSheet, key: str) -> str:
    return sheet.column(key).header


def _amount_text(value: Decimal, unit: str) -> str:
    return f"{fmt_plain(value)} {unit}"


def check_values(book) -> Findings:
    """Implausible values: 到位 > 预算, negative amounts, rates above 100 %, 元/万元 magnitude."""
    findings = Findings()
    unit = book.amount_unit
    _check_info(book, findings)
    _check_negative(book, findings)
    _check_funds(book, findings, unit)
    _check_outputs(book, findings)
    _check_rates(book, findings)
    _check_magnitude(book, findings, unit)
    _check_unit_names(book, findings)
    return findings


def _check_info(book, findings: Findings) -> None:
    info, refs = book.info, book.info_refs
    keys = ("grade_excellent", "grade_good", "grade_fair")
    values = [info.get(k) for k in keys]
    for key, value in zip(keys, values):
        if isinstance(value, Decimal) and not ZERO <= value <= Decimal(100) and key in refs:
            label = schema.PROJECT_INFO.field(key).label
            findings.error(refs[key], f"“{label}”为 {fmt_plain(value)}，应在 0 到 100 之间，如 90")
    if all(isinstance(v, Decimal) for v in values) and not values[0] > values[1] > values[2]:
        where = refs.get("grade_excellent" if values[0] <= values[1] else "grade_good")
        if where is not None:
            findings.error(where, f"等级界限应从高到低：优 {fmt_plain(values[0])} > 良 {fmt_plain(values[1])} > "
                                  f"中 {fmt_plain(values[2])}，如 90、80、60")
    year = info.get("year")
    for one in ((year.first, year.last) if isinstance(year, YearRange) else (year,)):
        if isinstance(one, (Decimal, int)) and not 2000 <= one <= 2100 and "year" in refs:
            findings.warning(refs["year"], f"评价年度 {fmt_plain(Decimal(one))} 不像年份，应写作四位年份，如 2024")


def _negative(book, findings: Findings, sheet: schema.TableSheet, keys: Iterable[str], what: str) -> None:
    for rec in book.rows(sheet):
        for key in keys:
            value = rec.get(key)
            if isinstance(value, Decimal) and value < ZERO:
                findings.error(rec.ref(key),
                               f"“{_header(sheet, key)}”为负数（{fmt_plain(value)}）：{what}不能为负数；应填写不小于 0 的数")


def _ledger_rows_that_may(book, flagged: Callable[[Decimal, Decimal], bool]) -> Sequence:
    """The 支出明细 rows to check one by one: none when its amounts, taken together by C loops (a long
    ledger), show that no row is ``flagged`` (a test over the lowest and the highest amount that holds
    when any one row's would)."""
    records = book.rows(schema.LEDGER)
    values = book.column(schema.LEDGER, "amount")
    span = book.caches.derived(values, "lowest and highest amount", lambda: _amount_span(values))
    if span is None:
        return ()
    if span is not _NOT_ALL_DECIMAL and not flagged(*span):
        return ()
    return records


_NOT_ALL_DECIMAL = (ZERO, ZERO)


def _amount_span(values: Sequence) -> tuple[Decimal, Decimal] | None:
    """(lowest, highest) of a column's amounts, once for the run (the negative and the 万元 checks
    both ask); None when it has none; :data:`_NOT_ALL_DECIMAL` when one is not a Decimal."""
    types = set(map(type, values))  # (the amounts' types, and None's for a blank)
    if not types - _BLANK_TYPE:
        return None
    if types - _BLANK_TYPE != _DECIMAL_TYPE:
        return _NOT_ALL_DECIMAL
    amounts = list(compress(values, present(values))) if types != _DECIMAL_TYPE else values  # (no blank: as they are)
    return min(amounts), max(amounts)


_BLANK_TYPE, _DECIMAL_TYPE = frozenset({type(None)}), frozenset({Decimal})


def _check_negative(book, findings: Findings) -> None:
    _negative(book, findings, schema.FUNDS, _FUNDS_AMOUNTS, "金额")
    for rec in _ledger_rows_that_may(book, lambda lowest, highest: lowest < ZERO):
        value = rec.values.get("amount")
        if value is not None and isinstance(value, Decimal) and value < ZERO:
            findings.warning(rec.ref("amount"), f"“金额”为负数（{fmt_plain(value)}）：按冲销、退回冲减支出合计；"
                                                "如不是冲销，请改为正数")
    _negative(book, findings, schema.OUTPUTS, _OUTPUT_COUNTS + ("planned_cost", "actual_cost"), "数量、用时和成本")
    _negative(book, findings, schema.ROSTER, ("heads", "monthly", "months", "paid_amount"), "人数、标准、月数和金额")
    _negative(book, findings, schema.SATISFACTION, ("valid",), "问卷数")


def _check_funds(book, findings: Findings, unit: str) -> None:
    sheet = schema.FUNDS
    rows = book.rows(sheet)
    pairs = (
        ("arrived", "budget", "实际到位资金不应超过预算数；如预算已调整，请填写调整后的预算数"),
        ("spent", "arrived", "实际支出不应超过实际到位资金；请核对支出或到位金额"),
        ("timely", "due", "及时到位资金不应超过应到位资金"),
        ("timely", "arrived", "及时到位资金不应超过实际到位资金"),
    )
    for big, small, why in pairs:
        same_row = [r for r in rows if isinstance(r.get(big), Decimal) and isinstance(r.get(small), Decimal)]
        for rec in same_row:
            if rec.get(big) > rec.get(small):
                findings.error(rec.ref(big), f"“{_header(sheet, big)}”{_amount_text(rec.get(big), unit)} 大于"
                                             f"“{_header(sheet, small)}”{_amount_text(rec.get(small), unit)}：{why}")
        if same_row:
            continue
        # figures split over rows (project row holds the budget, unit rows the spending): compare totals
        bigs = [r for r in rows if isinstance(r.get(big), Decimal)]
        smalls = [r for r in rows if isinstance(r.get(small), Decimal)]
        if not bigs or not smalls:
            continue
        total_big = sum((r.get(big) for r in bigs), ZERO)
        total_small = sum((r.get(small) for r in smalls), ZERO)
        if total_big > total_small:
            findings.error(bigs[0].ref(big), f"“{_header(sheet, big)}”合计 {_amount_text(total_big, unit)} 大于"
                                             f"“{_header(sheet, small)}”合计 {_amount_text(total_small, unit)}：{why}")


def _check_outputs(book, findings: Findings) -> None:
    sheet = schema.OUTPUTS
    for rec in book.rows(sheet):
        for big, small, why in (("quality_ok", "actual", "质量达标数不应超过实际数"),
                                ("on_time", "planned", "按时完成数不应超过计划数")):
            a, b = rec.get(big), rec.get(small)
            if isinstance(a, Decimal) and isinstance(b, Decimal) and a > b:
                findings.error(rec.ref(big), f"“{_header(sheet, big)}”{fmt_plain(a)} 大于“{_header(sheet, small)}”"
                                             f"{fmt_plain(b)}：{why}")


def _check_rates(book, findings: Findings) -> None:
    for sheet, key, what in ((schema.SATISFACTION, "rate", "满意度"), (schema.SURVEY_CLASSES, "weight", "权重")):
        for rec in book.rows(sheet):
            value = rec.get(key)
            if isinstance(value, Decimal) and not ZERO <= value <= ONE:
                findings.error(rec.ref(key), f"“{_header(sheet, key)}”为 {fmt_plain(value * 100)}%：{what}应在 0%–100% 之间，"
                                             "如 83% 或 0.83")


def _check_magnitude(book, findings: Findings, unit: str) -> None:
    declared = book.info_refs.get("amount_unit")
    where = f"（见“项目信息”{declared.cell}）" if declared is not None else "（见“项目信息”）"
    if unit == schema.UNIT_WAN:
        for sheet, keys in ((schema.FUNDS, _FUNDS_AMOUNTS), (schema.LEDGER, ("amount",)),
                            (schema.OUTPUTS, ("planned_cost", "actual_cost"))):
            records = book.rows(sheet) if sheet is not schema.LEDGER else _ledger_rows_that_may(
                book, lambda lowest, highest: max(highest, -lowest) >= WAN_IMPLAUSIBLE)
            for rec in records:
                for key in keys:
                    value = rec.values.get(key)
                    if value is not None and isinstance(value, Decimal) and abs(value) >= WAN_IMPLAUSIBLE:
                        findings.warning(rec.ref(key), f"“{_header(sheet, key)}”为 {fmt_plain(value)} 万元（即 "
                                                       f"{fmt_plain(value / 10000)} 亿元），数额异常；本工作簿金额单位是万元{where}，"
                                                       f"如按元填写，应改为 {fmt_plain(value / 10000)}，或把金额单位改为“元”")
    else:
        for rec in book.rows(schema.FUNDS):
            value = rec.get("budget")
            if isinstance(value, Decimal) and ZERO < value < YUAN_IMPLAUSIBLE:
                findings.warning(rec.ref("budget"), f"“预算数”只有 {fmt_plain(value)} 元，数额异常；本工作簿金额单位是元{where}，"
                                                    f"如按万元填写，应改为 {fmt_plain(value * 10000)}，或把金额单位改为“万元”")


def _check_unit_names(book, findings: Findings) -> None:
    seen: dict[str, Ref] = {}
    for rec in book.rows(schema.UNITS):
        full = rec.get("full_name")
        if not full:
            continue
        if full in seen:
            findings.warning(rec.ref("full_name"), f"单位全称“{full}”重复（首次出现在 {seen[full].cell}）；"
                                                   "同一单位只应列一行，不同单位请写各自的全称")
        else:
            seen[full] = rec.ref("full_name")
