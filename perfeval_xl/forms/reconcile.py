"""Recomputing a self-evaluation form and listing what does not add up.

* 预算执行率 = 执行数 ÷ the base the form names (全年预算数 or 调整后预算数), rounded to 0.01 %;
  its score = 分值 × min(执行率, 1), rounded half up to 0.01;
* the total row (年度资金总额 / 总额) = Σ its 其中 rows;
* a quantitative indicator by 财预〔2020〕10号: 完成指标值记全部分值，未完成按完成值与指标值的比例记分 —
  正向 (≥) 分值 × min(完成值 ÷ 指标值, 1), 反向 (≤) 分值 × min(指标值 ÷ 完成值, 1), = full when equal,
  else 分值 × min(完成值 ÷ 指标值, 指标值 ÷ 完成值);
* a qualitative indicator's score within the tier its 完成值 states (达成 100–80 %, 部分达成 80–60 %,
  未达成 60–0 % of 分值);
* 总分 = Σ, 分值 预算执行 + indicators = 100 (10 + 90 for 附1, 20 + 80 for Hubei: the layout's convention,
  :mod:`perfeval_xl.forms.layouts`), the weights a note states, the grade (优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 < 60);
* no negative figure is used: a negative amount, 完成值, 分值 or 得分 is an error at its cell.

Printed figures that differ from the recomputation are :class:`Slip`; blank or missing entries
are findings at their cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from perfeval_xl.core.findings import Finding
from perfeval_xl.core.normalize import CellValueError, special_value_error
from perfeval_xl.core.numbers import (HUNDRED, ONE, ZERO, fmt_percent, fmt_percent_plain, fmt_plain, fmt_score, round_half_up,
                                      round_rate, round_score)
from perfeval_xl.core.scoring import grade_of
from perfeval_xl.core.slips import Slip

from .layouts import BOILERPLATE
from .reader import Field, Form, FundRow, Indicator, find_forms
from .values import (TIERS, Printed, Quantity, agrees, comparable, is_money, not_applicable, read_number, read_quantity,
                     read_rate, read_target, shown, tier_of)

#: a 完成值 this many times above or below a money target is likely in the wrong unit (元 for 万元)
IMPLAUSIBLE = Decimal(100)
#: a 全年预算数 further than this from the 年初预算数 needs a stated reason
BUDGET_CHANGE_LIMIT = Decimal("0.2")


@dataclass(frozen=True)
class IndicatorReview:
    """One indicator as recomputed: ``score`` is what enters the recomputed 总分."""

    name: str
    kind: str  # "定量" or "定性"
    weight: Decimal | None
    printed: Decimal | None
    score: Decimal | None
    process: str
    cell: str


@dataclass(frozen=True)
class FormReview:
    sheet: str
    project: str
    unit: str
    layout: str
    printed_total: Decimal | None
    total: Decimal
    grade: str
    #: 预算执行率 as recomputed (a fraction) and its score
    execution_rate: Decimal | None
    execution_score: Decimal | None
    indicators: tuple[IndicatorReview, ...]
    slips: tuple[Slip, ...]
    findings: tuple[Finding, ...]
    #: zero-based rows the form spans
    first_row: int
    last_row: int
    #: printed figures compared with their recomputation (amounts, rates, scores, weights, 总分)
    checked: int = 0

    def as_json(self) -> dict:
        return {"sheet": self.sheet, "project": self.project, "unit": self.unit,
                "printed_total": float(self.printed_total) if self.printed_total is not None else None,
                "total": float(self.total), "grade": self.grade}


class _Notes:
    def __init__(self, form: Form):
        self.form = form
        self.slips: list[Slip] = []
        self.findings: list[Finding] = []
        #: printed figures compared with their recomputation
        self.checked = 0
        #: cells holding a negative amount (reported once, then left out)
        self.negative: set = set()

    def is_negative(self, field: Field | None) -> bool:
        return field is not None and field.ref in self.negative

    def agree(self, ok: bool) -> bool:
        """Count one printed figure compared; pass its verdict on."""
        self.checked += 1
        return ok

    def slip(self, field: Field, obj: str, printed: str, expected: str, message: str) -> None:
        self.slips.append(Slip(field.ref.sheet, field.cell, obj, "", printed, expected, message,
                               source=self.form.project or self.form.sheet))

    def error(self, field: Field | None, message: str) -> None:
        self._add("error", field, message)

    def warning(self, field: Field | None, message: str) -> None:
        self._add("warning", field, message)

    def _add(self, severity, field, message):
        sheet = field.ref.sheet if field else self.form.sheet
        cell = field.cell if field else ""
        finding = Finding(severity, sheet, cell, message)
        if finding not in self.findings:
            self.findings.append(finding)


def _number(notes: _Notes, field: Field | None, what: str) -> Printed | None:
    if field is None or field.is_blank or not_applicable(field.value):
        return None
    try:
        return read_number(field.value)
    except CellValueError as exc:
        notes.error(field, f"{what}{exc}")
        return None


def _amount(notes: _Notes, field: Field | None, label: str, title: str) -> Printed | None:
    """An amount of the funds block; a negative one is an error at its cell and is not used."""
    printed = _number(notes, field, f"{label} {title}")
    if printed is not None and field is not None and printed.value < ZERO:  # (a printed number has its cell)
        notes.negative.add(field.ref)
        notes.error(field, f"{label}的{title}为负数（{printed.text}）：金额不能为负，未按它复算执行率和得分；请核对")
        return None
    return printed


def _rate(notes: _Notes, field: Field | None, what: str) -> Printed | None:
    if field is None or field.is_blank or not_applicable(field.value):
        return None
    try:
        return read_rate(field.value)
    except CellValueError as exc:
        notes.error(field, f"{what}{exc}")
        return None


def _amount_text(value: Decimal) -> str:
    return fmt_plain(value)


def _score_agrees(printed: Printed, expected: Decimal) -> bool:
    return agrees(printed, expected, 2, 4)


def _rate_agrees(printed: Printed, expected: Decimal) -> bool:
    return agrees(printed, expected, 4, 6)


# --- funds ----------------------------------------------------------------------

def _review_funds(form: Form, notes: _Notes) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """Returns (执行率, its score, its 分值)."""
    total = form.total_row
    parts = form.parts
    columns = (("initial", form.initial_title), ("budget", form.budget_title), ("spent", form.spent_title))
    figures: dict[str, Decimal | None] = {}
    for key, title in columns:
        part_values = [(p, _amount(notes, getattr(p, key), p.label, title)) for p in parts]
        typed = [(p, v) for p, v in part_values if v is not None]
        printed = _amount(notes, getattr(total, key), total.label, title) if total else None
        if any(notes.is_negative(getattr(p, key)) for p in parts):
            figures[key] = None  # reported at its cell; a sum without it would be a guess
        elif typed:
            value = sum((v.value for _, v in typed), ZERO)
            figures[key] = value
            if total is not None:
                field = getattr(total, key)
                terms = "+".join(f"{p.label}{v.text}" for p, v in typed)
                if printed is None:
                    if field is not None and not not_applicable(field.value):
                        notes.error(field, f"{total.label}的{title}为空，应为其中各行之和 {_amount_text(value)}（{terms}）")
                elif not notes.agree(agrees(printed, value, 2, 6)):
                    notes.slip(field, f"{total.label} {title}", printed.text, _amount_text(value),
                               f"{total.label}应等于其中各行之和：{terms}={_amount_text(value)}，表中为{printed.text}")
        else:
            figures[key] = printed.value if printed else None
    anchor = total or (parts[0] if parts else None)
    if anchor is None:
        return None, None, None
    weight_p = _number(notes, anchor.weight, f"{anchor.label} 分值")
    if weight_p is not None and weight_p.value < ZERO:
        notes.error(anchor.weight, f"{anchor.label}的分值为负数（{weight_p.text}）：分值不能为负，"
                                   f"按{form.spec.convention}的 {fmt_plain(form.spec.fund_points)} 分复核")
    weight = weight_p.value if weight_p else form.fund_points
    if weight is not None and weight < ZERO:
        weight = form.spec.fund_points
    elif weight is None:
        weight = form.spec.fund_points
        if anchor.weight is not None:
            notes.error(anchor.weight, f"{anchor.label}的分值为空，按{form.spec.convention}的 {fmt_plain(weight)} 分复核")
    base, spent = figures.get("budget"), figures.get("spent")
    base_title, spent_title = form.budget_title, form.spent_title
    _check_budget_change(form, notes, figures.get("initial"), base, anchor)
    if base is None or spent is None:
        if notes.negative:  # a negative amount, reported at its cell: no rate, no score from it
            return None, None, weight
        missing = anchor.budget if base is None else anchor.spent
        notes.error(missing, f"{anchor.label}的{base_title if base is None else spent_title}为空，无法计算执行率")
        return None, None, weight
    if base <= ZERO:
        notes.error(anchor.budget, f"{base_title}为 {_amount_text(base)}，无法计算执行率（除数应大于 0）")
        return None, None, weight
    rate = round_rate(spent / base)
    score = round_score(weight * min(rate, ONE))
    capped = "，超过100%按100%计" if rate > ONE else ""
    how = (f"执行率={_amount_text(spent)}/{_amount_text(base)}×100%={fmt_percent(rate)}；"
           f"得分={fmt_plain(weight)}×{fmt_percent(min(rate, ONE))}={fmt_score(score)}{capped}")
    label = anchor.label
    printed_rate = _rate(notes, anchor.rate, f"{label} 执行率")
    if printed_rate is None:
        if anchor.rate is not None and not not_applicable(anchor.rate.value):
            notes.error(anchor.rate, f"{label}的执行率为空，应为 {fmt_percent(rate)}（{how}）")
    elif anchor.rate is not None and not notes.agree(_rate_agrees(printed_rate, rate)):
        notes.slip(anchor.rate, f"{label} 执行率", printed_rate.text, fmt_percent(rate),
                   f"{how}（按{base_title}计算）")
    printed_score = _number(notes, anchor.score, f"{label} 得分")
    if printed_score is None:
        if anchor.score is not None:
            notes.error(anchor.score, f"{label}的得分为空，应为 {fmt_score(score)}（{how}）")
    elif anchor.score is not None and not notes.agree(_score_agrees(printed_score, score)):
        notes.slip(anchor.score, f"{label} 得分", printed_score.text, fmt_score(score), how)
    for part in form.parts:
        _check_part_rate(notes, part, base_title)
    return rate, score, weight


def _check_part_rate(notes: _Notes, part: FundRow, base_title: str) -> None:
    printed = _rate(notes, part.rate, f"{part.label} 执行率")
    if printed is None or part.rate is None:  # (a printed rate has its cell)
        return
    base = _number(notes, part.budget, "")
    spent = _number(notes, part.spent, "")
    if base is None or spent is None or base.value <= ZERO or spent.value < ZERO:
        return
    rate = round_rate(spent.value / base.value)
    if not notes.agree(_rate_agrees(printed, rate)):
        notes.slip(part.rate, f"{part.label} 执行率", printed.text, fmt_percent(rate),
                   f"执行率={spent.text}/{base.text}×100%={fmt_percent(rate)}（按{base_title}计算）")


def _check_budget_change(form: Form, notes: _Notes, initial, base, anchor: FundRow) -> None:
    if initial is None or base is None or anchor.budget is None:
        return
    reason = ""
    if anchor.reason is not None and not anchor.reason.is_blank:
        text = shown(anchor.reason.value)
        if not any(b in text for b in BOILERPLATE):
            reason = text
    if reason:
        return
    where = "；请在“原因”栏说明调整理由" if form.spec.reason_in_form else f"；{form.layout} 表没有说明栏，请在自评报告中说明"
    if initial == ZERO:
        if base > ZERO:
            notes.warning(anchor.budget, f"{form.initial_title}为 0，{form.budget_title} {_amount_text(base)} 全部为年中追加，"
                                         f"表中未说明理由{where}")
        return
    change = base - initial
    share = round_rate(abs(change) / initial)
    if share > BUDGET_CHANGE_LIMIT:
        verb = "减少" if change < 0 else "增加"
        notes.warning(anchor.budget, f"{form.budget_title} {_amount_text(base)} 比{form.initial_title} {_amount_text(initial)}"
                                     f" {verb} {_amount_text(abs(change))}（{fmt_percent(share)}，超过 "
                                     f"{fmt_percent_plain(BUDGET_CHANGE_LIMIT)}），表中未说明调整原因{where}")


# --- indicators -----------------------------------------------------------------

def _has_text(field: Field | None) -> bool:
    return field is not None and not field.is_blank and not not_applicable(field.value)


def _review_indicator(form: Form, notes: _Notes, ind: Indicator) -> IndicatorReview:
    name = ind.name
    weight_p = _number(notes, ind.weight, f"{name} 分值")
    weight = weight_p.value if weight_p else None
    printed = _number(notes, ind.score, f"{name} 得分")
    if printed is not None and printed.value < ZERO:
        notes.error(ind.score, f"三级指标“{name}”的得分为负数（{printed.text}）：得分应在 0～分值之间")
    if weight_p is not None and weight_p.value < ZERO:
        notes.error(ind.weight, f"三级指标“{name}”的分值为负数（{weight_p.text}）：分值不能为负，未按它复算")
    elif weight_p is None:
        notes.error(ind.weight, f"三级指标“{name}”的分值为空")
    weight = weight if weight is not None and weight >= ZERO else None
    unit_text = shown(ind.unit.value) if ind.unit is not None and not ind.unit.is_blank else ""
    target = read_target(ind.target.value if ind.target else None, ind.nature.value if ind.nature else None, unit_text)
    for field, title in ((ind.target, "年度指标值"), (ind.actual, "完成值")):
        problem = special_value_error(field.value) if field is not None else None
        if problem is not None:
            notes.error(field, f"三级指标“{name}”的{title}{problem}")
    typed = ind.actual is not None and not ind.actual.is_blank
    actual_blank = ind.actual is None or ind.actual.is_blank or special_value_error(ind.actual.value) is not None
    if not typed:
        notes.error(ind.actual, f"三级指标“{name}”的完成值为空，无法复核得分")
    if target is not None:
        review = _quantitative(form, notes, ind, target, weight, printed, unit_text, actual_blank)
    else:
        review = _qualitative(notes, ind, weight, printed, actual_blank)
    if printed is None and ind.score is not None:
        known = review.score if review.kind == "定量" else None
        notes.error(ind.score, f"三级指标“{name}”的得分为空" +
                    (f"，按完成值复算应为 {fmt_score(known)}（{review.process}）" if known is not None else ""))
    return review


def _fallback(printed: Printed | None, weight: Decimal | None) -> Decimal | None:
    if printed is None:
        return None
    value = round_score(printed.value)
    value = max(value, ZERO)  # a negative printed score is reported at its cell and counts 0
    return min(value, weight) if weight is not None else value


def _review(ind, kind, weight, printed, score, process) -> IndicatorReview:
    return IndicatorReview(ind.name, kind, weight, round_score(printed.value) if printed else None, score, process,
                           ind.score.cell if ind.score else "")


def _quantitative(form, notes, ind, target, weight, printed, unit_text, actual_blank) -> IndicatorReview:
    name = ind.name
    obj = f"三级指标 {name} 得分"
    if actual_blank or weight is None:
        return _review(ind, "定量", weight, printed, _fallback(printed, weight), "")
    actual = read_quantity(ind.actual.value, unit_text)
    if actual is None:
        notes.warning(ind.actual, f"三级指标“{name}”是定量指标（年度指标值 {target.show()}），完成值却填的是文字"
                                  f"“{shown(ind.actual.value)}”，无法按完成比例复核得分，请填写实际数值")
        return _review(ind, "定量", weight, printed, _fallback(printed, weight), "完成值为文字，未复算，按表中得分")
    if actual.value < ZERO:
        notes.error(ind.actual, f"三级指标“{name}”的完成值为负数（{shown(ind.actual.value)}），无法按完成比例复核得分；"
                                "完成值不能为负，请核对")
        return _review(ind, "定量", weight, printed, _fallback(printed, weight), "完成值为负数，未复算，按表中得分（限 0～分值）")
    declared = ""
    if not actual.unit and is_money(target.quantity.unit) and form.amount_unit:
        # a bare number is in the unit the form's funds header declares (项目资金（元）)
        actual = Quantity(actual.value, form.amount_unit)
        declared = form.amount_unit if form.amount_unit != target.quantity.unit else ""
    pair = comparable(actual, target.quantity)
    if pair is None:
        notes.warning(ind.actual, f"三级指标“{name}”的完成值 {actual.show()} 与年度指标值 {target.show()} 单位不同，无法比较")
        return _review(ind, "定量", weight, printed, _fallback(printed, weight), "单位不同，未复算，按表中得分")
    a, t = pair
    if is_money(target.quantity.unit) and a > ZERO and t > ZERO and max(a / t, t / a) >= IMPLAUSIBLE:
        read_as = (f"按表头声明的金额单位（{declared}）读作 {actual.show()}" if declared
                   else f"读作 {Quantity(actual.value, actual.unit or target.quantity.unit).show()}")
        notes.warning(ind.actual, f"三级指标“{name}”的完成值 {shown(ind.actual.value)} {read_as}，与年度指标值 "
                                  f"{target.show()} 相差 {fmt_plain(round_half_up(max(a / t, t / a), 0))} 倍，"
                                  "金额的单位可能填错；请核对")
    w = fmt_plain(weight)
    t_s = target.quantity.show()
    a_s = Quantity(actual.value, actual.unit or target.quantity.unit).show()
    if target.sign == "≥":
        if t <= ZERO or a >= t:
            fraction, how = ONE, f"完成值不低于指标值，得满分{w}"
        else:
            fraction = round_rate(a / t)
            how = f"{w}×min({a_s}÷{t_s},1)={w}×{fmt_percent(fraction)}"
    elif target.sign == "≤":
        if a <= t:
            fraction, how = ONE, f"完成值不高于指标值，得满分{w}"
        else:
            fraction = round_rate(t / a)
            how = f"{w}×min({t_s}÷{a_s},1)={w}×{fmt_percent(fraction)}"
    else:
        if a == t:
            fraction, how = ONE, f"完成值等于指标值，得满分{w}"
        elif a > ZERO and t > ZERO:
            fraction = round_rate(min(a / t, t / a))
            how = f"{w}×min({a_s}÷{t_s},{t_s}÷{a_s})={w}×{fmt_percent(fraction)}"
        else:
            fraction, how = ZERO, f"完成值不等于指标值，{w}×0"
    score = round_score(weight * fraction)
    assumed = "（未写符号，按正向）" if target.assumed else ""
    unit_note = f"（未写单位，按表头声明的{declared}）" if declared else ""
    how = f"年度指标值{target.show()}{assumed}，完成值{a_s}{unit_note}；{how}，得{fmt_score(score)}"
    if printed is not None and not notes.agree(_score_agrees(printed, score)):
        notes.slip(ind.score, obj, printed.text, fmt_score(score), how)
    if fraction < ONE and not _has_text(ind.reason):
        notes.error(ind.reason or ind.actual, f"三级指标“{name}”未达到年度指标值（完成值 {a_s}，指标值 {target.show()}），"
                                              "应填写偏差原因分析及改进措施")
    return _review(ind, "定量", weight, printed, score, how)


def _qualitative(notes, ind, weight, printed, actual_blank) -> IndicatorReview:
    name = ind.name
    obj = f"三级指标 {name} 得分"
    if actual_blank or weight is None or printed is None:
        return _review(ind, "定性", weight, printed, _fallback(printed, weight), "")
    tier = tier_of(ind.actual.value)
    value = round_score(printed.value)
    if tier is None:
        score = min(max(value, ZERO), weight)
        if not notes.agree(score == value):
            notes.slip(ind.score, obj, printed.text, fmt_score(score), f"得分应在 0～{fmt_plain(weight)} 之间")
        return _review(ind, "定性", weight, printed, score, "完成值未说明达成档次，按表中得分")
    low_f, high_f = TIERS[tier]
    low, high = round_score(weight * low_f), round_score(weight * high_f)
    top_closed = tier == "达成"
    inside = notes.agree(low <= value <= high if top_closed else low <= value < high)
    band = f"{fmt_score(low)}～{fmt_score(high)}" + ("" if top_closed else "（不含）")
    how = (f"完成值“{shown(ind.actual.value)}”属“{tier}”档，得分应在分值的 "
           f"{fmt_plain(low_f * HUNDRED)}%～{fmt_plain(high_f * HUNDRED)}% 之间，即 {band}")
    score = value
    if not inside:
        score = low if value < low else (high if top_closed else high - Decimal("0.01"))
        notes.slip(ind.score, obj, printed.text, band, how + f"；复算总分按 {fmt_score(score)} 计")
    if tier != "达成" and not _has_text(ind.reason):
        notes.error(ind.reason or ind.actual, f"三级指标“{name}”{tier}年度指标，应填写偏差原因分析及改进措施")
    return _review(ind, "定性", weight, printed, score, how)


# --- the form -------------------------------------------------------------------

def review_form(form: Form) -> FormReview:
    """Recompute one form; every printed figure that differs is a slip."""
    notes = _Notes(form)
    rate, fund_score, fund_weight = _review_funds(form, notes)
    reviews = [_review_indicator(form, notes, ind) for ind in form.indicators]
    # weights: 预算执行 + indicators = 100; each 一级指标(N分) = Σ its indicators
    weights = [r.weight for r in reviews if r.weight is not None]
    indicator_points = sum(weights, ZERO)
    where_total = form.total_weight if form.total_weight is not None and not form.total_weight.is_blank else None
    if fund_weight is not None and reviews and len(weights) == len(reviews):
        whole = fund_weight + indicator_points
        points = form.spec.form_points
        if whole != points:
            notes.error(where_total or (form.total_row.weight if form.total_row else None),
                        f"分值合计为 {fmt_plain(whole)}（预算执行 {fmt_plain(fund_weight)} + 绩效指标 "
                        f"{fmt_plain(indicator_points)}），应为 {fmt_plain(points)}")
        printed_w = _number(notes, where_total, "合计 分值") if where_total else None
        # a printed 100 against a wrong sum is reported once, by the error above
        if printed_w is not None and where_total is not None and not notes.agree(agrees(printed_w, whole, 0, 4)) and \
                (whole == points or not agrees(printed_w, points, 0, 4)):
            notes.slip(where_total, "合计 分值", printed_w.text, fmt_plain(whole),
                       f"分值合计=预算执行{fmt_plain(fund_weight)}+各三级指标分值{fmt_plain(indicator_points)}={fmt_plain(whole)}")
    for level in form.level1:
        members = [r for r, ind in zip(reviews, form.indicators) if ind.level1 == level.label]
        weights = [r.weight for r in members if r.weight is not None]
        if members and len(weights) == len(members):
            got = sum(weights, ZERO)
            if not notes.agree(got == level.points):
                notes.slips.append(Slip(level.ref.sheet, level.ref.cell, f"{level.label} 分值", "",
                                        fmt_plain(level.points), fmt_plain(got),
                                        f"{level.label}下各三级指标分值之和为 {'+'.join(fmt_plain(w) for w in weights)}"
                                        f"={fmt_plain(got)}，标题写的是 {fmt_plain(level.points)} 分",
                                        form.project or form.sheet))
    if form.note_weights:
        _check_note_weights(form, notes, reviews, fund_weight)
    scored = [r.score for r in reviews if r.score is not None]
    total = round_score((fund_score or ZERO) + sum(scored, ZERO))
    grade = grade_of(total, {})
    unscored = [r.name for r in reviews if r.score is None]
    printed_total = None
    total_field = form.total_score
    how = (f"总分=预算执行{fmt_score(fund_score or ZERO)}+各三级指标得分{fmt_score(sum(scored, ZERO))}={fmt_score(total)}"
           f"（{grade}）")
    if unscored:
        notes.warning(total_field, f"以下指标没有得分也无法复算，复算总分按 0 分计入：{'、'.join(unscored)}")
    if total_field is None:
        notes.error(None, "自评表没有“总分”或“合计”行，无法核对总分；复算" + how)
    else:
        p = _number(notes, total_field, "总分")
        if p is None:
            notes.error(total_field, f"总分为空，复算{how}")
        else:
            printed_total = p.value
            if not notes.agree(_score_agrees(p, total)):
                notes.slip(total_field, "总分", p.text, fmt_score(total), how)
    return FormReview(form.sheet, form.project, form.unit, form.layout, printed_total, total, grade, rate, fund_score,
                      tuple(reviews), tuple(notes.slips), tuple(notes.findings), form.first_row, form.last_row,
                      notes.checked)


def _check_note_weights(form: Form, notes: _Notes, reviews, fund_weight: Decimal | None) -> None:
    """A note that states the weights (``注：产出指标50分、效益指标30分、满意度指标10分，预算执行10分``) is
    the form's own rule: each 一级 group's 三级 分值 must add up to what it says, 预算执行's 分值 must be
    what it says, and the parts it names must come to the form's 100 points.  A printed weight that
    contradicts it is an error at its cell."""
    stated = dict(form.note_weights)
    said = "、".join(f"{part}{fmt_plain(points)}分" for part, points in stated.items())
    assert form.note is not None, "stated weights are read from the form's note"
    quoted = f"表注（{form.note.cell}）写明 {said}"
    whole = sum(stated.values(), ZERO)
    if "预算执行" in stated and whole != form.spec.form_points:
        notes.error(form.note, f"{quoted}，合计 {fmt_plain(whole)} 分，应为 {fmt_plain(form.spec.form_points)} 分")
    if "预算执行" in stated and fund_weight is not None and fund_weight != stated["预算执行"]:
        anchor = form.total_row or (form.parts[0] if form.parts else None)
        notes.error(anchor.weight if anchor is not None else form.note,
                    f"预算执行的分值为 {fmt_plain(fund_weight)}，与{quoted}不符（预算执行应为 {fmt_plain(stated['预算执行'])} 分）")
    for part, points in stated.items():
        if part == "预算执行":
            continue
        members = [(r, ind) for r, ind in zip(reviews, form.indicators) if ind.level1.startswith(part)]
        if not members:
            notes.error(form.note, f"{quoted}，表中却没有“{part}”开头的一级指标")
            continue
        if any(r.weight is None for r, _ in members):
            continue  # a blank 分值 is reported at its cell
        got = sum((r.weight for r, _ in members), ZERO)
        if got != points:
            label = next((l for l in form.level1 if l.label.startswith(part)), None)
            where = Field(label.label, label.ref) if label is not None else members[0][1].weight
            terms = "+".join(fmt_plain(r.weight) for r, _ in members) + "=" if len(members) > 1 else ""
            notes.error(where, f"{members[0][1].level1}下各三级指标分值之和为 {terms}{fmt_plain(got)}，"
                               f"与{quoted}不符（{part}应为 {fmt_plain(points)} 分）")


def review_forms(snapshot) -> tuple[list[FormReview], list[Finding]]:
    """Find and review every form of a snapshot: the one call ``perfeval review`` needs."""
    forms, findings = find_forms(snapshot)
    return [review_form(f) for f in forms], findings
