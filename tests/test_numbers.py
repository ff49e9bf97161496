from decimal import Decimal

import pytest

from perfeval_xl.core.numbers import (fmt_amount, fmt_percent, fmt_plain, round_half_up, round_rate, to_decimal)


@pytest.mark.parametrize("value, expected", [
    # binary floats: round(2.675, 2) == 2.67 and round(1.005, 2) == 1.0 in Python
    (2.675, "2.68"), (1.005, "1.01"), (0.125, "0.13"), (0.135, "0.14"),
    # banker's rounding would give 0.12 / 2.5 → 2
    ("0.125", "0.13"), ("2.5", "2.50"), (-1.005, "-1.01"), (4.959, "4.96"), (4.629, "4.63"),
])
def test_half_up_two_places(value, expected):
    assert round_half_up(value) == Decimal(expected)


def test_half_up_other_places():
    assert round_half_up(2.5, 0) == Decimal(3)
    assert round_half_up(3.5, 0) == Decimal(4)
    assert round_rate(Decimal(175312.57) / Decimal(660000)) == Decimal("0.2656")


def test_float_conversion_uses_shortest_repr():
    assert to_decimal(0.1) == Decimal("0.1")
    assert to_decimal(175312.57) == Decimal("175312.57")


def test_formats():
    assert fmt_amount(Decimal("175312.57")) == "175,312.57"
    assert fmt_amount(Decimal("660000")) == "660,000.00"
    assert fmt_percent(Decimal("0.2656")) == "26.56%"
    assert fmt_percent(Decimal("1")) == "100.00%"
    assert fmt_plain(Decimal("5.00")) == "5"
    assert fmt_plain(Decimal("0.40")) == "0.4"
