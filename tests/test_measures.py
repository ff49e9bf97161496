from decimal import Decimal as D

import pytest

from perfeval_xl.core import measures as m


def test_rates_from_the_seeds():
    # seed 000: 175,312.57 / 660,000.00 = 26.56 %
    assert m.arrival_rate(D("175312.57"), D("660000")) == D("0.2656")
    # seed 004 普吉: 58.30 / 58.78 = 99.18 %; 黑林铺 in 万元 92.58 %, in 元 92.57 %
    assert m.execution_rate(D("58.30"), D("58.78")) == D("0.9918")
    assert m.completion_rate(D("53.41"), D("57.69")) == D("0.9258")
    assert m.completion_rate(D("534050"), D("576900")) == D("0.9257")
    assert m.quality_rate(6, 6) == D(1)
    assert m.completion_rate(6, 12) == D("0.5")
    # seed 000 成本节约率 (660,000.00 − 175,312.57) / 660,000.00 = 73.44 %
    assert m.cost_saving_rate(D("660000"), D("175312.57")) == D("0.7344")
    # seed 000 盛高大城: −(365 − 334)/365 printed −8.49 %; as (planned − actual)/planned with 334 planned, 365 actual
    assert m.time_saving_rate(365, 334) == D("0.0849")
    assert m.time_saving_rate(334, 365) == D("-0.0928")


def test_satisfaction_and_composite():
    assert m.satisfaction([12, 22, 6], [1, D("0.8"), D("0.6")]) == D("0.83")
    # seed 004 西翥: 99.00×40% + 99.70×30% + 98.90×30% = 99.18 %
    assert m.composite_satisfaction([D("0.99"), D("0.997"), D("0.989")], [D("0.4"), D("0.3"), D("0.3")]) == D("0.9918")


@pytest.mark.parametrize("call, message", [
    (lambda: m.arrival_rate(1, 0), "资金到位率无法计算：计划投入（预算）资金为 0"),
    (lambda: m.completion_rate(-1, 5), "实际完成率无法计算：金额或数量不能为负数"),
    (lambda: m.satisfaction([], []), "满意度无法计算：有效答卷数为 0"),
    (lambda: m.satisfaction([1, 2], [1]), "满意度无法计算：人数与选项得分率的个数不一致"),
    (lambda: m.composite_satisfaction([D("0.9")], [D("0.5")]), "综合满意度无法计算：权重合计为 50.0%，应为 100%"),
    (lambda: m.cost_saving_rate(0, 1), "成本节约率无法计算：计划成本须大于 0"),
])
def test_errors_are_measure_errors_in_chinese(call, message):
    with pytest.raises(m.MeasureError) as info:
        call()
    assert str(info.value) == message
