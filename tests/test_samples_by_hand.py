"""The 西山 sample's eighteen scores, each worked out by hand from seed report 000 and the rule written in
the sample (sample_workbooks/西山区社区党组织服务群众专项经费2024.md says where the report and its rules
differ).  Unlike tests/data/expected/, which holds what the code printed once, every number here can be
checked with a pencil: the comment beside it is the arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import XISHAN
from perfeval_xl.core.numbers import round_half_up
from perfeval_xl.io.snapshot import read_snapshot
from perfeval_xl.pipeline import score_snapshot

# 资金到位率 = 175,312.57 ÷ 660,000.00 = 0.265625…; 73.44 points short of 100%
ARRIVAL = Decimal("175312.57") / Decimal("660000.00")

#: code → (weight, score by hand)
BY_HAND = {
    "A1": ("2", "2"),       # 人工: all three 评价要点 met
    "A2": ("2", "1.5"),     # 人工: 扣 0.5 (targets not matched to the task count)
    "A3": ("2", "1.5"),     # 人工: 扣 0.5
    "A4": ("2", "1.88"),    # 2 − 73.44 ÷ 5 × 0.4% × 2 = 2 − 0.1175 = 1.88
    "A5": ("2", "1.88"),    # 到位及时率 = 175,312.57 ÷ 660,000.00 as well: 1.88
    "B1": ("5", "5"), "B2": ("6", "6"), "B3": ("5", "5"), "B4": ("6", "6"),
    "B5": ("6", "4.73"),    # 资金拨付 1.2 − 73.44 ÷ 5 × 0.4% × 1.2 = 1.13; four 要点 of 1.2, one not met: 3.60
    "B6": ("6", "6"),
    "C1": ("9", "4"),       # 实际完成率 6 ÷ 12 = 50%: 9 − 1 per 10% short × 5 = 4
    "C2": ("9", "7.22"),    # 人工, as printed (the report gives no rule)
    "C3": ("8", "8"),       # 质量达标率 6 ÷ 6 = 100%
    "C4": ("8", "8"),       # 成本节约率 (660,000.00 − 175,312.57) ÷ 660,000.00 = 73.44% ≥ 0: full
    "D1": ("9", "8"),       # three 子项 of 3: 80% (−0.5 per 10% under 100%: 2) + 3 + 90% on its 90% line (3)
    "D2": ("6", "5.5"),     # 可持续影响 34 ÷ 40 = 85%: 6 − 0.5 per 5% under 90% = 5.5
    "D3": ("7", "6.3"),     # 满意度 (12×100% + 22×80% + 6×60%) ÷ 40 = 83%: 7 − 0.1 × 7 = 6.3
}


@pytest.fixture(scope="module")
def xishan_unit():
    evaluation = score_snapshot(read_snapshot(XISHAN)).evaluation
    (unit,) = evaluation.units
    return evaluation, unit


def test_arrival_rate_by_hand():
    assert round_half_up(ARRIVAL * 100, 2) == Decimal("26.56")
    assert round_half_up(2 - (100 - Decimal("26.5625")) / 5 * Decimal("0.004") * 2, 2) == Decimal("1.88")


def test_every_indicator_scores_as_worked_out_by_hand(xishan_unit):
    _, unit = xishan_unit
    got = {s.code: (s.weight, s.score) for s in unit.indicators}
    assert got == {code: (Decimal(w), Decimal(s)) for code, (w, s) in BY_HAND.items()}


def test_level1_subtotals_and_total_by_hand(xishan_unit):
    evaluation, unit = xishan_unit
    by_level1 = {level.name: level.score for level in unit.level1}
    # 投入 2+1.5+1.5+1.88+1.88; 过程 5+6+5+6+4.73+6; 产出 4+7.22+8+8; 效果 8+5.5+6.3 (the seed's 表2)
    assert by_level1 == {"投入": Decimal("8.76"), "过程": Decimal("32.73"), "产出": Decimal("27.22"),
                         "效果": Decimal("19.80")}
    assert unit.total == evaluation.total == Decimal("88.51")  # 8.76 + 32.73 + 27.22 + 19.80
    assert evaluation.grade == "良"  # 80 ≤ 88.51 < 90
