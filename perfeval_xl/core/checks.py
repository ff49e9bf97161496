"""The check stage: a list of small named checks, each the book in and its findings out.

:data:`CHECKS` is the core's list (plausibility of single values, then figures that should
agree across input sheets); the pipeline runs the list it is given
(:mod:`perfeval_xl.extensions`).  Each finding names the cell to look at; no check changes a figure.
Amounts carry their unit explicitly: the roster is always in 元, the funds sheet in
the workbook's declared unit, and conversion happens only in :func:`convert`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Callable, Iterable

from . import schema
from .book import Book
from .environment import Env
from .findings import Finding, Findings
from .numbers import ZERO, fmt_amount, fmt_plain
from .plausibility import check_values
from .sheetnames import scoresheet_names
from .sources import entitlement

FACTOR = {schema.UNIT_YUAN: Decimal(1), schema.UNIT_WAN: Decimal(10000)}


def convert(amount: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """An amount in 元 or 万元 expressed in the other unit (exact, no rounding)."""
    return amount * FACTOR[from_unit] / FACTOR[to_unit]


def _by_unit(records, key):
    sums: dict = {}
    for r in records:
        value = r.get(key)
        if value is not None:
            sums.setdefault(r.get("unit"), []).append((value, r))
    return sums


def _spent(book: Book) -> tuple[dict, dict]:
    by_unit = _by_unit(book.rows(schema.FUNDS), "spent")
    return ({k: sum((v for v, _ in items), ZERO) for k, items in by_unit.items()},
            {k: items[0][1].ref("spent") for k, items in by_unit.items()})


def ledger_matches_spending(book: Book) -> Findings:
    """支出明细 total of a unit vs its 资金情况 实际支出."""
    found, unit = Findings(), book.amount_unit
    spent, spent_cell = _spent(book)
    totals = []  # (first row with an amount, unit, total): units in the order their first amount comes
    for name, group in book.grouped_values(schema.LEDGER, "unit", "amount").items():
        total, rows = book.group_sum(group)  # (the indicators score the same sum: made once)
        if rows:
            totals.append((rows[0], name, total))
    for _, name, total in sorted(totals, key=lambda t: t[0]):
        if name in spent and spent[name] != total:
            found.warning(spent_cell[name], (
                f"{name or '项目'}：支出明细合计 {fmt_amount(total)} {unit}，与“资金情况”的实际支出 "
                f"{fmt_amount(spent[name])} {unit} 不一致（差 {fmt_amount(total - spent[name])}）；评分按支出明细计算"))
    return found


def roster_matches_spending(book: Book) -> Findings:
    """人员名册 payments (元) vs 资金情况 实际支出 (declared unit)."""
    found, unit = Findings(), book.amount_unit
    spent, _ = _spent(book)
    for name, items in _by_unit(book.rows(schema.ROSTER), "paid_amount").items():
        paid = convert(sum((v for v, _ in items), ZERO), schema.UNIT_YUAN, unit)
        if name in spent and paid != spent[name]:
            found.warning(items[0][1].ref("paid_amount"), (
                f"{name}：人员名册实发金额合计 {fmt_amount(paid)} {unit}，与“资金情况”的实际支出 "
                f"{fmt_amount(spent[name])} {unit} 不一致"))
    return found


def roster_within_budget(book: Book) -> Findings:
    """What the roster entitles a unit to must not exceed its budget (units in the order the
    roster first names them)."""
    found, unit = Findings(), book.amount_unit
    budgets = {k: (sum((v for v, _ in items), ZERO), items[0][1])
               for k, items in _by_unit(book.rows(schema.FUNDS), "budget").items()}
    for name, rows in book.grouped(schema.ROSTER, "unit").items():
        due = entitlement(rows)
        if due is None or name not in budgets:
            continue
        due = convert(due, schema.UNIT_YUAN, unit)
        budget, record = budgets[name]
        if due > budget:
            found.warning(record.ref("budget"), (
                f"{name}：按人员名册计算的应发金额 {fmt_amount(due)} {unit} 超过预算数 {fmt_amount(budget)} {unit}"))
    return found


def manual_codes_known(book: Book) -> Findings:
    """评分录入 rows must name an indicator of the system."""
    found = Findings()
    codes = {str(r.get("code")) for r in book.rows(schema.INDICATORS) if r.get("code")}
    for r in book.rows(schema.MANUAL):
        code = r.get("code")
        if code is not None and str(code) not in codes:
            found.error(r.ref("code"), f"评分录入中的指标编码“{code}”不在“指标体系”中；这一行未被使用，请核对编码")
    return found


def no_unit_rows_when_whole(book: Book) -> Findings:
    """Per-unit entries a project scored as a whole cannot use."""
    found = Findings()
    if book.shape != schema.SHAPE_WHOLE:
        return found
    for sheet, what in ((schema.MANUAL, "评分录入"), (schema.INDICATORS, "单位专用指标")):
        for r in book.rows(sheet):
            if r.get("unit") is not None:
                found.warning(r.ref("unit"), (
                    f"整体评价不分单位评分，这一行{what}填了单位“{r.get('unit')}”，未被使用；"
                    "如要按单位分别评分，请把“项目信息”的评价形态改为分单位评价，否则请清空单位列"))
    return found


def balance_adds_up(book: Book) -> Findings:
    """结余 = 到位 − 支出 where all three are given on one row."""
    found = Findings()
    for r in book.rows(schema.FUNDS):
        arrived, paid, balance = r.get("arrived"), r.get("spent"), r.get("balance")
        if None not in (arrived, paid, balance) and arrived - paid != balance:
            found.warning(r.ref("balance"), (
                f"{r.get('unit') or '项目'}：结余 {fmt_amount(balance)} 不等于实际到位 {fmt_amount(arrived)} "
                f"减实际支出 {fmt_amount(paid)}（{fmt_amount(arrived - paid)}）"))
    return found


AMOUNT_KEYS = ("budget", "arrived", "timely", "due", "spent", "superior", "balance", "carryover")


def total_rows_add_up(book: Book) -> Findings:
    """A total row typed by hand: compared with the unit rows, never added to them twice.

    资金情况 rows without a unit next to rows with one.  In 分单位评价 such a row can only be
    the project total: each amount must equal the sum of the unit rows.  In 整体评价 blank and
    unit rows add up, so a blank row that repeats the unit rows' sums would count them twice."""
    funds = book.rows(schema.FUNDS)
    blank = [r for r in funds if r.get("unit") is None]
    units = [r for r in funds if r.get("unit") is not None]
    found = Findings()
    if not blank or not units:
        return found
    unit = book.amount_unit
    for total_row in blank:
        matches: list[tuple[str, Decimal, Decimal]] = []
        differs: list[tuple[str, Decimal, Decimal]] = []
        for key in AMOUNT_KEYS:
            typed = total_row.get(key)
            values = [r.get(key) for r in units if r.get(key) is not None]
            if typed is None or not values:
                continue
            summed = sum(values, ZERO)
            (matches if typed == summed else differs).append((key, typed, summed))
        header = {c.key: c.header for c in schema.FUNDS.columns}
        if book.shape == schema.SHAPE_UNITS:
            for key, typed, summed in differs:
                found.warning(total_row.ref(key), (
                    f"未填单位的一行（项目合计）“{header[key]}”为 {fmt_amount(typed)} {unit}，"
                    f"而各单位合计为 {fmt_amount(summed)} {unit}（差 {fmt_amount(typed - summed)}）；"
                    "分单位评价按各单位的行评分，请核对"))
        elif matches and not differs:
            found.warning(total_row.ref(matches[0][0]), (
                "未填单位的一行与各单位行的合计相同，像是合计行；整体评价会把它和各单位行相加，"
                "金额会重复计算。合计行不必填写（工具会自行合计），请删除这一行"))
    return found


def one_funds_row_per_unit(book: Book) -> Findings:
    """A unit with two 资金情况 rows has its amounts added up: say so at the second row (a unit
    cell merged down over two rows gives the lower row's amounts to the unit above).  A project over
    several years has one row per unit and 年度."""
    found = Findings()
    first: dict[str, int] = {}
    for record in book.rows(schema.FUNDS):
        unit = record.get("unit")
        if unit is None:
            continue
        if record.get("year") is not None:
            unit = f"{unit}{fmt_plain(record.get('year'))}年"
        if unit in first:
            found.warning(record.ref("unit"), (
                f"{unit}在“资金情况”中不止一行（第 {first[unit] + 1} 行和第 {record.row + 1} 行），两行的金额已相加计算；"
                "如第二行其实是另一单位的数据（例如单位单元格向下合并了两行），请改正单位简称"))
        else:
            first[unit] = record.row
    return found


def unit_sheet_names_fit(book: Book) -> Findings:
    """A unit whose 评分表 cannot be named 评分表-<简称> (too long, a character Excel refuses, a
    name another unit's sheet already has as Excel compares names) is told the name it gets."""
    found = Findings()
    if book.shape == schema.SHAPE_WHOLE:
        return found
    names = scoresheet_names([u.short_name for u in book.units])
    for unit in book.units:
        plain = f"{schema.OUTPUT_SCORESHEET}-{unit.short_name}"
        if names[unit.short_name] != plain:
            found.warning(unit.ref, (
                f"单位“{unit.short_name}”的评分表不能命名为“{plain}”（Excel 的工作表名至多 31 个字符、"
                f"不能含 []:*?/\\ 或首尾的撇号、不区分大小写且不能重名），已命名为“{names[unit.short_name]}”；"
                f"表内写有单位全称“{unit.full_name}”"))
    return found


#: the core's checks, in the order their findings are listed
CHECKS: tuple[Callable[[Book], Iterable[Finding]], ...] = (
    check_values,
    unit_sheet_names_fit,
    one_funds_row_per_unit,
    ledger_matches_spending,
    roster_matches_spending,
    roster_within_budget,
    manual_codes_known,
    no_unit_rows_when_whole,
    total_rows_add_up,
    balance_adds_up,
)


def check(book: Book, env: Env) -> tuple[Book, Findings]:
    """Stage 4: every check of the run's extensions over the book (which it leaves as it is)."""
    found = Findings()
    for one_check in env.extensions.checks:
        found.extend(one_check(book))
    return book, found
