"""The measures of project performance evaluation (the value sources of docs/template.md §取值来源 and the ratios of docs/rules.md §比率).

Pure functions over Decimals.  Every rate is returned as a fraction rounded half up
to 0.01 % (``0.2656`` for 26.56 %): that rounded rate is what reports print and what
scoring uses, so a reviewer recomputing a printed calculation gets the same score.
The UDFs in Excel call these same functions.
"""

from __future__ import annotations

from decimal import Decimal
from operator import mul
from typing import Iterable, Sequence

from .numbers import ONE, ZERO, round_rate, to_decimal


class MeasureError(ValueError):
    """A measure cannot be computed; message in Chinese.  ``zero_denominator`` tells a
    division by zero (Excel's #DIV/0!) from other bad input (#VALUE! / #NUM!)."""

    def __init__(self, message: str, *, zero_denominator: bool = False):
        super().__init__(message)
        self.zero_denominator = zero_denominator


def _ratio(numerator, denominator, what: str, denominator_name: str) -> Decimal:
    numerator = to_decimal(numerator)
    denominator = to_decimal(denominator)
    if denominator == ZERO:
        raise MeasureError(f"{what}无法计算：{denominator_name}为 0", zero_denominator=True)
    if denominator < ZERO or numerator < ZERO:
        raise MeasureError(f"{what}无法计算：金额或数量不能为负数")
    return round_rate(numerator / denominator)


def arrival_rate(arrived, budget) -> Decimal:
    """资金到位率 = 实际到位资金 / 计划投入（预算）资金."""
    return _ratio(arrived, budget, "资金到位率", "计划投入（预算）资金")


def timely_arrival_rate(timely, due) -> Decimal:
    """到位及时率 = 及时到位资金 / 应到位资金."""
    return _ratio(timely, due, "到位及时率", "应到位资金")


def execution_rate(spent, base) -> Decimal:
    """预算执行率 = 实际支出资金 / 基数（实际到位资金，或预算数——由调用方明确）."""
    return _ratio(spent, base, "预算执行率", "基数（到位资金或预算数）")


def completion_rate(actual, planned) -> Decimal:
    """实际完成率 = 实际产出数 / 计划产出数."""
    return _ratio(actual, planned, "实际完成率", "计划产出数")


def quality_rate(quality_ok, actual) -> Decimal:
    """质量达标率 = 质量达标产出数 / 实际产出数."""
    return _ratio(quality_ok, actual, "质量达标率", "实际产出数")


def on_time_rate(on_time, planned) -> Decimal:
    """完成及时率（按时占比）= 按时完成数 / 计划数；100 % 即按时完成."""
    return _ratio(on_time, planned, "完成及时率", "计划数")


def time_saving_rate(planned_time, actual_time) -> Decimal:
    """完成及时率（用时）=（计划完成时间 − 实际完成时间）/ 计划完成时间；可为负."""
    planned_time = to_decimal(planned_time)
    actual_time = to_decimal(actual_time)
    if planned_time <= ZERO:
        raise MeasureError("完成及时率无法计算：计划完成时间须大于 0", zero_denominator=planned_time == ZERO)
    return round_rate((planned_time - actual_time) / planned_time)


def cost_saving_rate(planned_cost, actual_cost) -> Decimal:
    """成本节约率 =（计划成本 − 实际成本）/ 计划成本；超支为负."""
    planned_cost = to_decimal(planned_cost)
    actual_cost = to_decimal(actual_cost)
    if planned_cost <= ZERO:
        raise MeasureError("成本节约率无法计算：计划成本须大于 0", zero_denominator=planned_cost == ZERO)
    return round_rate((planned_cost - actual_cost) / planned_cost)


def satisfaction(counts: Sequence, option_rates: Sequence) -> Decimal:
    """满意度（一类问卷）= Σ(人数 × 选项得分率) / 有效答卷数.

    ``satisfaction([12, 22, 6], [1, 0.8, 0.6])`` → 0.83.
    """
    counts = [to_decimal(c) for c in counts]
    rates = [to_decimal(r) for r in option_rates]
    if len(counts) != len(rates):
        raise MeasureError("满意度无法计算：人数与选项得分率的个数不一致")
    if any(c < ZERO for c in counts):
        raise MeasureError("满意度无法计算：人数不能为负数")
    if any(r < ZERO or r > ONE for r in rates):
        raise MeasureError("满意度无法计算：选项得分率应在 0%–100% 之间")
    total = sum(counts, ZERO)
    if total == ZERO:
        raise MeasureError("满意度无法计算：有效答卷数为 0", zero_denominator=True)
    return round_rate(sum((c * r for c, r in zip(counts, rates)), ZERO) / total)


def composite_satisfaction(rates: Sequence, weights: Sequence) -> Decimal:
    """综合满意度 = Σ 类别满意度 × 类别权重（权重合计须为 100 %）."""
    rates = _decimals(rates)
    weights = _decimals(weights)
    if len(rates) != len(weights):
        raise MeasureError("综合满意度无法计算：满意度与权重的个数不一致")
    if not rates:
        raise MeasureError("综合满意度无法计算：没有问卷类别")
    if sum(weights, ZERO) != ONE:
        raise MeasureError(f"综合满意度无法计算：权重合计为 {sum(weights, ZERO) * 100:f}%，应为 100%")
    return round_rate(sum((r * w for r, w in zip(rates, weights)), ZERO))


def weighted_mean(values: Iterable, weights: Iterable) -> Decimal:
    values = _decimals(values)
    weights = _decimals(weights)
    total = sum(weights, ZERO)
    if total == ZERO:
        raise MeasureError("加权平均无法计算：权重合计为 0", zero_denominator=True)
    return sum(map(mul, values, weights), ZERO) / total  # (Σ v×w in order from 0, the products made by a C loop)


def _decimals(numbers: Iterable) -> list[Decimal]:
    """:func:`to_decimal` of each number, a Decimal (scores, weights: nearly all) taken as it is without the call."""
    return [n if type(n) is Decimal else to_decimal(n) for n in numbers]
