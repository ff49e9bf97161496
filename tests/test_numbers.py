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


def test_half_up_is_exact_whatever_the_digits():
    """The quick quantize (a context no precision limits) gives what a precision raised to the digits
    needed gives: long decimals, big and tiny magnitudes, floats, every number of places."""
    import random
    from decimal import ROUND_HALF_UP, localcontext

    def raised(number: Decimal, places: int) -> Decimal:
        with localcontext() as ctx:
            ctx.prec = max(28, len(number.as_tuple().digits) + places + 2, number.adjusted() + places + 3)
            return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)

    draw = random.Random(12)
    numbers = [Decimal(draw.randint(-10**40, 10**40)).scaleb(-draw.randint(0, 60)) for _ in range(2000)]
    numbers += [Decimal(repr(draw.uniform(-1e6, 1e6))) for _ in range(2000)]
    numbers += [Decimal(draw.randint(1, 10**5)).scaleb(draw.randint(-30, 30)) for _ in range(500)]
    numbers += [Decimal("2.675"), Decimal("-0.125"), Decimal("0E-10"), Decimal("-0"), Decimal("9.995E+50")]
    for number in numbers:
        for places in (0, 1, 2, 4, 9, 12):
            got, want = round_half_up(number, places), raised(number, places)
            assert (str(got), got) == (str(want), want), (number, places)


def test_formats_printed_by_str_where_that_is_what_format_prints():
    from fractions import Fraction

    from perfeval_xl.core.numbers import fmt_score
    # plain digits wherever str() prints them; format's output where str() would write an exponent
    assert fmt_plain(Decimal("0.0000001")) == "0.0000001"  # str: 1E-7
    assert fmt_plain(Decimal("5E+3")) == "5000"  # str: 5E+3
    assert fmt_plain(Decimal("-0.00")) == "-0" and fmt_plain(7) == "7"
    # two decimals, half up: 0.125 → 0.13; -0.001 → -0.00; 1E+3 → 1000.00; a share 5/3 → 1.67
    assert fmt_score(Decimal("0.125")) == "0.13" and fmt_score(Decimal("-0.001")) == "-0.00"
    assert fmt_score(Decimal("1E+3")) == "1000.00" and fmt_score(Fraction(5, 3)) == "1.67"
    assert fmt_percent(Decimal("0.123456")) == "12.35%" and fmt_percent(Decimal("-0.00001")) == "-0.00%"
    assert to_decimal(3) == Decimal(3) and type(to_decimal(3)) is Decimal
