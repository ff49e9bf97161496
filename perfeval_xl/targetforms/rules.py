"""The review rules for 绩效目标申报表, one small function each, their sources as data.

Each :class:`Rule` names the official clause it comes from and quotes it (the quotes and clause
numbers are those collected in the research notes on target rules: 财预〔2021〕101号 附件1,
豫财效〔2022〕4号, 郑州 市级部门预算绩效目标管理办法 and its 附件, 财预〔2020〕10号); a rule the texts
do not state literally is marked 推定 in its source.  A form rule looks at one form, a workbook rule
at all forms of a workbook (R19: one finding when every form shares the slip; R28: copies between
projects).  docs/forms.md lists every rule of :data:`RULES` with its source (a test checks that).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Sequence

from perfeval_xl.core.findings import Finding, Ref, Severity
from perfeval_xl.core.normalize import CellValueError, parse_number
from perfeval_xl.core.numbers import fmt_plain
from perfeval_xl.forms.values import norm, not_applicable, read_target, shown

from .layouts import label_of
from .reader import PERIOD_TERM, PERIOD_YEAR, TargetForm, TargetIndicator, placeholder


@dataclass(frozen=True)
class RuleFinding:
    """A finding of one rule at one cell; ``message`` ends with the rule and its source."""

    rule: str
    severity: Severity
    sheet: str
    cell: str
    message: str

    def finding(self) -> Finding:
        return Finding(self.severity, self.sheet, self.cell, self.message)


@dataclass
class Hits:
    """What one rule found (``error`` / ``warning`` at a cell, with the specific message)."""

    found: list[tuple[Severity, Ref, str]] = field(default_factory=list)

    def error(self, ref: Ref, message: str) -> None:
        self.found.append(("error", ref, message))

    def warning(self, ref: Ref, message: str) -> None:
        self.found.append(("warning", ref, message))


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    #: as the docs print it: 错误, 提示, or 错误/提示
    level: str
    source: str
    quote: str
    #: "form": check(form, hits); "workbook": check(forms, hits)
    scope: str
    check: Callable

    def cite(self) -> str:
        quoted = f"：“{self.quote}”" if self.quote else ""
        return f"（{self.id} {self.title}；依据 {self.source}{quoted}）"


# --- value helpers --------------------------------------------------------------------------------

#: direction words written after the number (``95%以上``, ``30万元以内``)
_SUFFIX_SIGNS = (("及以上", "≥"), ("以上", "≥"), ("及以下", "≤"), ("以下", "≤"), ("以内", "≤"), ("之内", "≤"))
_MONEY_UNITS = {"元": Decimal(1), "万元": Decimal(10000), "万": Decimal(10000), "亿元": Decimal(10 ** 8)}
_PERCENT_RE = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")
_AMOUNT_RE = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(万元|元|万|亿元)(?![/每])")


@dataclass(frozen=True)
class Value:
    """An indicator value read for the rules: its number and unit (None when words) and its direction."""

    text: str
    number: Decimal | None
    unit: str
    sign: str | None

    @property
    def quantitative(self) -> bool:
        return self.number is not None

    def yuan(self) -> Decimal | None:
        """The value in 元 when its unit is money."""
        scale = _MONEY_UNITS.get(self.unit)
        return self.number * scale if self.number is not None and scale is not None else None


def _is_date(unit: str) -> bool:
    """``12月底前完成``, ``6月30日``: a date or deadline (a 时效 value), not a number with a unit."""
    return unit.startswith("月") or any(word in unit for word in ("前", "底", "完成", "日", "号"))


def read_value(value: object) -> Value:
    text = shown(value)
    folded = norm(value) if isinstance(value, str) else ""
    suffix_sign = None
    if folded:
        for word, said in _SUFFIX_SIGNS:
            if folded.endswith(word) and len(folded) > len(word):
                folded, suffix_sign = folded[: -len(word)], said
                break
    target = read_target(folded if isinstance(value, str) else value)
    if target is None or _is_date(target.quantity.unit):
        return Value(text, None, "", None)
    sign = suffix_sign or (None if target.assumed else target.sign)
    return Value(text, target.quantity.value, target.quantity.unit, sign)


def amount(field) -> Decimal | None:
    """An amount cell as a number (its unit is the form's), None when blank or not a number."""
    if field is None or field.is_blank:
        return None
    try:
        number, suffix = parse_number(field.value)
    except CellValueError:
        return None
    return number if suffix in ("", "元", "万") else None


def years_of(form: TargetForm) -> int | None:
    """实施期限 as a number of years: ``3``, ``3年``, ``2023-2025``."""
    text = norm(form.fields["years"].value) if "years" in form.fields else ""
    span = re.fullmatch(r"(\d{4})\D+(\d{4})\D*", text)
    if span:
        return int(span.group(2)) - int(span.group(1)) + 1
    single = re.fullmatch(r"(\d{1,2})(年|个年度)?", text)
    return int(single.group(1)) if single else None


def money_in(text: str) -> list[Decimal]:
    """Amounts in 元 a text states (``共计12.5万元``, ``125000元``); unit prices (``元/人``) left out."""
    out = []
    for number, unit in _AMOUNT_RE.findall(norm(text)):
        out.append(Decimal(number.replace(",", "")) * _MONEY_UNITS[unit if unit != "万" else "万元"])
    return out


def _q(value: object) -> str:
    return shown(value)


def _checked(form: TargetForm) -> list[TargetIndicator]:
    """The indicator rows the rules look at: the 年度 group, and the 实施期 group when it was filled
    (郑州 附件2-2: 实施期为一年的预算项目只填写年度指标)."""
    rows = list(form.period_indicators(PERIOD_YEAR))
    term = form.period_indicators(PERIOD_TERM)
    if any(not i.empty for i in term):
        rows += term
    return rows


def _real(form: TargetForm, period: str) -> list[TargetIndicator]:
    return [i for i in form.period_indicators(period) if i.real]


def _named(form: TargetForm, period: str) -> list[TargetIndicator]:
    """Indicators set (a name, not 不适用), whether or not their value is filled (a blank value is R03's)."""
    return [i for i in form.period_indicators(period)
            if not i.name.is_blank and not placeholder(i.name.value) and not not_applicable(i.name.value)]


def _periods(form: TargetForm) -> list[str]:
    term = form.period_indicators(PERIOD_TERM)
    return [PERIOD_YEAR] + ([PERIOD_TERM] if any(not i.empty for i in term) else [])


def _where(form: TargetForm, period: str) -> str:
    return f"{period}指标" if len(form.periods) > 1 else "指标表"


# --- A. 完整性 -------------------------------------------------------------------------------------

def _r01(form: TargetForm, out: Hits) -> None:
    for key in form.layout.required:
        label = form.label_texts.get(key) or label_of(key)
        if key not in form.fields:
            out.error(form.top, f"目标表中没有“{label}”栏，无法审核该项")
            continue
        cell = form.fields[key]
        if cell.is_blank or not_applicable(cell.value):
            out.error(cell.ref, f"“{label}”未填写")
        elif key == "amount":
            value = amount(cell)
            if value is None or value <= 0:
                out.error(cell.ref, f"“{label}”应为大于 0 的金额，填写的是“{_q(cell.value)}”")


def _r02(form: TargetForm, out: Hits) -> None:
    years = years_of(form)
    if "long_goal" not in form.fields or years is None:
        return
    long_goal, goal = form.fields["long_goal"], form.fields.get("goal")
    if years > 1 and (long_goal.is_blank or not_applicable(long_goal.value)):
        out.error(long_goal.ref, f"实施期限为 {years} 年，长期（实施期）目标未填写")
    elif (goal is not None and not goal.is_blank and not long_goal.is_blank
          and norm(goal.value) == norm(long_goal.value)):
        out.warning(long_goal.ref, "长期（实施期）目标与年度目标一字不差，其中一项没有按其含义填写")


def _r03(form: TargetForm, out: Hits) -> None:
    for ind in _checked(form):
        cells = [("三级指标", ind.name), ("指标值", ind.value)]
        if ind.explanation is not None:
            cells.append(("指标解释", ind.explanation))
        if ind.empty:
            if ind.level2 or ind.level1:
                out.error(ind.name.ref, f"“{ind.level2 or ind.level1_text}”下的指标行未填写（确不适用的，三级指标、指标值"
                                        f"{'、指标解释' if ind.explanation is not None else ''}都填“不适用”）")
            continue
        na = [name for name, c in cells if not_applicable(c.value)]
        if na and len(na) < len(cells):
            rest = next(c for name, c in cells if name not in na)
            out.error(rest.ref, f"指标行部分填了“不适用”（{'、'.join(na)}）：确不适用的各栏都填“不适用”，否则请填写")
            continue
        for name, c in cells:
            if c.is_blank or placeholder(c.value):
                out.error(c.ref, f"三级指标“{_q(ind.name.value)}”的{name}未填写")


def _r04(form: TargetForm, out: Hits) -> None:
    for period in _periods(form):
        real = _named(form, period)
        for level1 in ("产出", "效益"):
            if not any(i.level1 == level1 for i in real):
                out.error(form.header, f"{_where(form, period)}中没有填写{level1}指标")


def _r05(form: TargetForm, out: Hits) -> None:
    for period in _periods(form):
        real = [i for i in _named(form, period) if i.level1 in ("产出", "")]
        for kind in ("数量", "质量"):
            if not any(i.kind() == kind for i in real):
                out.error(form.header, f"{_where(form, period)}中没有填写产出的{kind}指标")


_BUILD_WORDS = ("工程", "基建", "修缮", "改造", "购置", "设备采购", "景观", "装修")


def _r06(form: TargetForm, out: Hits) -> None:
    if any(i.is_cost for i in _named(form, PERIOD_YEAR)):
        return
    word = next((w for w in _BUILD_WORDS if w in form.project), None)
    if word is not None:
        out.error(form.header, f"项目名称含“{word}”，属工程基建、大型修缮或购置类项目，应设置成本指标，表中没有")
    else:
        out.warning(form.header, "没有设置成本指标（其他项目“逐步推广”，请考虑设置单位成本或分项成本）")


# --- B. 指标值 -------------------------------------------------------------------------------------

def _quantities(form: TargetForm) -> list[tuple[TargetIndicator, Value]]:
    """The real indicator rows the rules look at whose 指标值 is a number, with the value as read."""
    read = [(ind, read_value(ind.value_text())) for ind in _checked(form) if ind.real]
    return [(ind, value) for ind, value in read if value.quantitative]


def _r09(form: TargetForm, out: Hits) -> None:
    for ind, value in _quantities(form):
        if not value.unit:
            out.warning(ind.value.ref, f"三级指标“{_q(ind.name.value)}”的指标值“{value.text}”没有计量单位（如 %、人、个、万元）")


def _r10(form: TargetForm, out: Hits) -> None:
    for ind, value in _quantities(form):
        if value.sign is None:
            out.warning(ind.value.ref, f"三级指标“{_q(ind.name.value)}”的指标值“{value.text}”没有写明方向"
                                       f"（≥、≤、=、不低于、不超过……），完成与否无从判断")
        elif value.sign == "≤" and ind.level1 in ("产出", "") and ind.kind() == "数量":
            out.warning(ind.value.ref, f"数量指标“{_q(ind.name.value)}”的指标值“{value.text}”是上限，产出数量应为下限（≥）")


_VAGUE = ("明显", "显著", "良好", "较好", "得到提升", "得到提高", "得到保障", "得到落实", "得到加强", "得到改善",
          "有效保障", "有所", "进一步", "逐步", "提升", "提高", "下降", "改善", "基本满意")
_PASS_FAIL = ("验收合格", "合格", "达标", "是", "否", "通过验收", "通过")
_TIER_WORDS = ("好", "一般", "差", "优", "良", "中")


def _r11(form: TargetForm, out: Hits) -> None:
    for ind in _checked(form):
        if not ind.real:
            continue
        text = norm(ind.value.value) if isinstance(ind.value.value, str) else ""
        if not text or re.search(r"\d", text) or text in _PASS_FAIL:
            continue
        word = next((w for w in _VAGUE if w in text), None)
        if word is None:
            continue
        tiers = norm(ind.explanation.value) if ind.explanation is not None and not ind.explanation.is_blank else ""
        if sum(1 for w in _TIER_WORDS if w in tiers) >= 2:
            continue
        out.warning(ind.value.ref, f"三级指标“{_q(ind.name.value)}”的指标值“{_q(ind.value.value)}”用了含糊的“{word}”，"
                                   f"不可衡量：请量化，或分档（如 好/一般/差）并在指标解释中写明各档标准")


def _r12(form: TargetForm, out: Hits) -> None:
    for ind, value in _quantities(form):
        kind = ind.kind()
        if kind == "数量" and value.unit in ("%", "百分比") and ind.level1 in ("产出", ""):
            out.warning(ind.value.ref, f"数量指标“{_q(ind.name.value)}”的指标值“{value.text}”是比率，数量指标应是个数（人、个、次……）")
        elif kind == "成本" and "元" not in value.unit:
            out.warning(ind.value.ref, f"成本指标“{_q(ind.name.value)}”的指标值“{value.text}”不是金额（应以元或万元计）")


def _r13(form: TargetForm, out: Hits) -> None:
    for ind in _checked(form):
        if not ind.real or ind.level1 != "满意度":
            continue
        value = read_value(ind.value_text())
        if not (value.quantitative and value.unit in ("%", "百分比") and value.sign == "≥"):
            out.warning(ind.value.ref, f"满意度指标“{_q(ind.name.value)}”的指标值“{value.text}”应写成问卷调查的百分比下限，如 ≥90%")


def _r14(form: TargetForm, out: Hits) -> None:
    for ind in _checked(form):
        if ind.value.is_blank:
            continue
        for number in _PERCENT_RE.findall(norm(ind.value_text())):
            if Decimal(number) > 100:
                out.error(ind.value.ref, f"三级指标“{_q(ind.name.value)}”的指标值“{ind.value_text()}”中的比率 {number}% 超过 100%")


# --- D. 金额 ----------------------------------------------------------------------------------------

def _budget_evidence(form: TargetForm) -> list[Decimal]:
    """Amounts in 元 that say what the year's budget is: the 测算依据's amounts and their sum, the 成本
    targets' amounts."""
    found = money_in(form.text("basis"))
    if len(found) > 1:
        found.append(sum(found, Decimal(0)))
    for ind in _real(form, PERIOD_YEAR):
        if ind.is_cost:
            yuan = read_value(ind.value_text()).yuan()
            if yuan is not None:
                found.append(yuan)
    return found


def _near(a: Decimal, b: Decimal) -> bool:
    return b != 0 and abs(a - b) <= abs(b) / 100


def in_yuan(form: TargetForm) -> bool:
    """本年度项目金额, labelled 万元, is in 元 by its own 测算依据 or 成本 targets."""
    value = amount(form.fields.get("amount"))
    if value is None or value <= 0 or form.amount_unit != "万元":
        return False
    evidence = _budget_evidence(form)
    return any(_near(e, value) for e in evidence) and not any(_near(e, value * 10000) for e in evidence)


#: 本年度项目金额 this many 万元 (1 亿元) or more, with no evidence, is implausible for one 二级项目 (推定)
_HUGE = Decimal(10000)


def _r19_one(form: TargetForm) -> tuple[str, str] | None:
    value = amount(form.fields.get("amount"))
    if value is None or form.amount_unit != "万元":
        return None
    if in_yuan(form):
        return "error", f"本年度项目金额标为万元，填写的 {fmt_plain(value)} 却与测算依据或成本指标中的 {fmt_plain(value)} 元相符：金额是按元填写的"
    if value >= _HUGE and not any(_near(e, value * 10000) for e in _budget_evidence(form)):
        return "warning", f"本年度项目金额 {fmt_plain(value)} 万元（{fmt_plain(value / 10000)} 亿元）大得不合常理，请核对是否按元填写"
    return None


def _r19(forms: Sequence[TargetForm], out: Hits) -> None:
    hits = [(form, hit) for form in forms if (hit := _r19_one(form)) is not None]
    if len(forms) > 1 and len(hits) == len(forms):
        severity = "error" if any(h[0] == "error" for _, h in hits) else "warning"
        first = forms[0].fields["amount"].ref
        sheets = "、".join(dict.fromkeys(f.sheet for f in forms))
        text = (f"全部 {len(forms)} 张目标表（{sheets}）的本年度项目金额都标为万元而实为元（如 {first.sheet}!{first.cell}）："
                f"是导出模板的金额单位错误，请按元改正单位或把金额除以 10000")
        (out.error if severity == "error" else out.warning)(first, text)
        return
    for form, (severity, text) in hits:
        (out.error if severity == "error" else out.warning)(form.fields["amount"].ref, text)


def _r20(form: TargetForm, out: Hits) -> None:
    total, year = amount(form.fields.get("total")), amount(form.fields.get("amount"))
    years = years_of(form)
    if total is None or year is None or year <= 0:
        return
    cell = form.fields["total"].ref
    if total == 0:
        out.error(cell, f"项目总金额为 0，本年度项目金额却为 {fmt_plain(year)}")
    elif total < year:
        out.error(cell, f"项目总金额 {fmt_plain(total)} 小于本年度项目金额 {fmt_plain(year)}")
    elif years is not None and years > 1 and total == year:
        out.warning(cell, f"实施期限 {years} 年，项目总金额却等于本年度项目金额 {fmt_plain(year)}")
    elif years is not None and total != year * years:
        out.warning(cell, f"项目总金额 {fmt_plain(total)} 不等于本年度项目金额 {fmt_plain(year)} × 实施期限 {years} 年"
                          f" = {fmt_plain(year * years)}；请附分年度资金计划说明")


def _r21(form: TargetForm, out: Hits) -> None:
    for block in form.funds:
        parts = [amount(f) for _, f in block.parts]
        total = amount(block.total)
        if total is None or not parts or all(p is None for p in parts):
            continue
        summed = sum((p for p in parts if p is not None), Decimal(0))
        if abs(summed - total) > Decimal("0.01"):
            labels = "、".join(label for label, _ in block.parts)
            out.error(block.total.ref, f"资金总额 {fmt_plain(total)} 不等于其中各项（{labels}）之和 {fmt_plain(summed)}")


def _r23(form: TargetForm, out: Hits) -> None:
    year = amount(form.fields.get("amount"))
    if year is None or year <= 0:
        return
    budget = year if in_yuan(form) else year * (10000 if form.amount_unit == "万元" else 1)
    for ind in _real(form, PERIOD_YEAR):
        if not ind.is_cost:
            continue
        yuan = read_value(ind.value_text()).yuan()
        if yuan is not None and yuan > budget * Decimal("1.01"):
            out.error(ind.value.ref, f"成本指标“{_q(ind.name.value)}”的指标值“{_q(ind.value.value)}”"
                                     f"超过本年度项目金额（{fmt_plain(budget)} 元）")


# --- E. 相关性 -------------------------------------------------------------------------------------

_ROUTINE = ("预算执行率", "支出进度", "支付进度", "资金使用合规", "制度健全")


def _r26(form: TargetForm, out: Hits) -> None:
    for ind in _checked(form):
        name = norm(ind.name.value) if isinstance(ind.name.value, str) else ""
        word = next((w for w in _ROUTINE if w in name), None)
        if word and ind.real:
            out.warning(ind.name.ref, f"三级指标“{_q(ind.name.value)}”是常规管理或预算执行指标（{word}），不是产出或效益")


def _r27(form: TargetForm, out: Hits) -> None:
    for period in _periods(form):
        outputs = {norm(i.name.value): i for i in _real(form, period) if i.level1 == "产出"}
        for ind in _real(form, period):
            same = outputs.get(norm(ind.name.value)) if ind.level1 == "效益" else None
            if same is not None:
                out.warning(ind.name.ref, f"效益指标“{_q(ind.name.value)}”与产出指标（{same.name.cell}）同名，"
                                          "效益应写产出带来的效果")


def _indicator_set(form: TargetForm) -> frozenset:
    return frozenset((i.kind(), norm(i.name.value), norm(i.value.value) if isinstance(i.value.value, str)
                      else shown(i.value.value)) for i in _real(form, PERIOD_YEAR))


@dataclass(frozen=True)
class CopyPrint:
    """What R28 compares of a form, as fingerprints a batch keeps per form to find copies across
    files: the normalised 年度目标 (when at least 6 characters) and the set of year indicators
    (kind, name, value; when at least 3), each as a SHA-256 ("" when too short to compare), and the
    normalised project name (copies within one project are not slips)."""

    sheet: str
    project: str
    project_key: str
    goal_cell: str
    goal: str
    header_cell: str
    indicators: str
    count: int


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def copy_print(form: TargetForm) -> CopyPrint:
    goal = norm(form.text("goal"))
    indicators = _indicator_set(form)
    return CopyPrint(form.sheet, form.project, norm(form.project),
                     form.fields["goal"].ref.cell if goal else "", _digest(goal) if len(goal) >= 6 else "",
                     form.header.cell, _digest(repr(sorted(indicators))) if len(indicators) >= 3 else "",
                     len(indicators))


def goal_copied(project: str, where: str) -> str:
    """R28's message at a 年度目标 equal to that of ``project`` at ``where`` (a sheet, or a file and sheet)."""
    return f"年度目标与“{project}”（{where}）的一字不差"


def indicators_copied(count: int, project: str, where: str) -> str:
    """R28's message at a form whose year indicators all equal those of ``project`` at ``where``."""
    return f"全部 {count} 个年度指标（名称和指标值）与“{project}”（{where}）的相同，是照抄的"


def _r28(forms: Sequence[TargetForm], out: Hits) -> None:
    seen_goal: dict[str, tuple[TargetForm, CopyPrint]] = {}
    seen_set: dict[str, tuple[TargetForm, CopyPrint]] = {}
    for form in forms:
        mine = copy_print(form)
        if mine.goal:
            other, theirs = seen_goal.setdefault(mine.goal, (form, mine))
            if other is not form and theirs.project_key != mine.project_key:
                out.warning(form.fields["goal"].ref, goal_copied(other.project, other.sheet))
        if mine.indicators:
            other, theirs = seen_set.setdefault(mine.indicators, (form, mine))
            if other is not form and theirs.project_key != mine.project_key:
                out.warning(form.header, indicators_copied(mine.count, other.project, other.sheet))


RULES: tuple[Rule, ...] = (
    Rule("R01", "表头要素填写完整", "错误", "豫财效〔2022〕4号 第二十一条(一)",
         "完整性审核。绩效目标的各项要素填报是否完整规范、内容是否清晰明确", "form", _r01),
    Rule("R02", "跨年度项目填写实施期（长期）目标，且与年度目标不同", "错误/提示", "郑州 附件2-2 填报说明",
         "实施期目标：概括描述申报项目在确定的计划期内预期达到的总体产出和效果", "form", _r02),
    Rule("R03", "每个指标都有名称、指标值和指标解释", "错误", "郑州 附件2-2；财预〔2021〕101号 三(一)2",
         "每一个一级指标细分为若干二级指标、三级指标，分别设定具体的指标值", "form", _r03),
    Rule("R04", "产出指标和效益指标都要设置", "错误", "财预〔2021〕101号 二；豫财效〔2022〕4号 第十六条",
         "原则上每一项目均应设置产出指标和效益指标", "form", _r04),
    Rule("R05", "数量指标和质量指标都要设置", "错误", "财预〔2021〕101号 二(二)",
         "数量指标和质量指标原则上均需设置，时效指标根据项目实际设置，不作强制要求", "form", _r05),
    Rule("R06", "设置成本指标（工程基建、大型修缮及购置项目必须）", "错误/提示", "财预〔2021〕101号 二",
         "工程基建类项目和大型修缮及购置项目等应设置成本指标，并逐步推广到其他具备条件的项目", "form", _r06),
    Rule("R09", "定量指标值带计量单位", "提示", "财预〔2021〕101号 一(二)3；豫财效〔2022〕4号 第二十一条(五)",
         "绩效指标应细化、量化，具有明确的评价标准", "form", _r09),
    Rule("R10", "定量指标值写明方向（≥、≤、不超过……），产出数量不写上限", "提示",
         "财预〔2020〕10号 第十六条（推定：未写方向则“完成”无从判断）",
         "完成指标值的，记该指标所赋全部分值", "form", _r10),
    Rule("R11", "定性指标值分级分档、可衡量，不用含糊的词", "提示", "财预〔2021〕101号 一(二)3；郑州 第十四条(二)",
         "不能以量化形式表述的，应当采用分级分档的形式定性描述，但应具有可衡量性", "form", _r11),
    Rule("R12", "指标值的类型与二级指标相符（数量是个数，成本是金额）", "提示", "财预〔2021〕101号 二(二)、二(一)（推定：按各二级指标的定义）",
         "反映预期提供的公共产品或服务数量", "form", _r12),
    Rule("R13", "满意度指标值为问卷百分比下限（≥n%）", "提示", "财预〔2021〕101号 三(七)4",
         "满意度赋分…一般按照区间进行赋分。如：满意度大于等于90%的得10分", "form", _r13),
    Rule("R14", "比率不超过 100%", "错误", "推定：算术（比率按定义不超过 100%，原文无此条）", "", "form", _r14),
    Rule("R19", "标为万元的金额确为万元", "错误/提示", "豫财效〔2022〕4号 附件1（推定：按表中自身的测算依据核对）",
         "项目资金(万元)", "workbook", _r19),
    Rule("R20", "项目总金额与本年度金额 × 实施期限相符", "错误/提示", "郑州 第十四条(四)",
         "绩效目标要与计划期内的任务数或计划数相对应，与预算确定的投资额或资金量相匹配", "form", _r20),
    Rule("R21", "资金总额等于其中各来源之和", "错误", "郑州 附件2-2 填报说明",
         "项目资金：指实施期或年度项目资金总额，按资金来源分为财政拨款、其他资金", "form", _r21),
    Rule("R23", "成本指标不超过本年度预算", "错误", "财预〔2021〕101号 三(三)4",
         "不得超出规定的预算支出标准设置目标值", "form", _r23),
    Rule("R26", "不设常规管理或预算执行率指标", "提示", "财预〔2021〕101号 一(二)1、三(六)",
         "不应设置如常规性的项目管理要求等与产出、效益和成本明显无关联的指标", "form", _r26),
    Rule("R27", "效益指标不照搬产出指标", "提示", "财预〔2021〕101号 二(二)、二(三)",
         "效益指标是对预期效果的描述", "form", _r27),
    Rule("R28", "不同项目的目标和指标不相互照抄", "提示", "郑州 专项转移支付绩效目标管理办法 第二十一条(三)（参照）",
         "适当性审核。该绩效目标是否与其他绩效目标相近或雷同", "workbook", _r28),
)


def rule(rule_id: str) -> Rule:
    return next(r for r in RULES if r.id == rule_id)
