"""Printed figures read from a cell (core/printed.py): the plain-digits path and the general one give
what a reader sees — the number, its printed decimals, percent and unit (values worked out by hand)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfeval_xl.core.printed import parse_printed


@pytest.mark.parametrize("text, value, decimals, percent, unit", [
    ("99.18%", Decimal("0.9918"), 2, True, ""),          # 99.18 / 100
    ("-0.5%", Decimal("-0.005"), 1, True, ""),
    ("+1.50", Decimal("1.50"), 2, False, ""),            # the trailing 0 is a printed decimal
    ("00012.30", Decimal("12.30"), 2, False, ""),
    ("  7.25 ", Decimal("7.25"), 2, False, ""),          # spaces are not part of the figure
    ("5 %", Decimal("0.05"), 0, True, ""),
    ("１２.5", Decimal("12.5"), 1, False, ""),            # full-width digits folded
    ("123456789012345", Decimal("123456789012345"), 0, False, ""),  # 15 digits: below 10^15
    ("53.41万元", Decimal("53.41"), 2, False, "万"),       # in the printed unit
    ("1,180", Decimal("1180"), 0, False, ""),
    ("(12)", Decimal("-12"), 0, False, ""),
])
def test_printed_figures(text, value, decimals, percent, unit):
    printed = parse_printed(text)
    assert printed is not None
    assert (printed.value, printed.decimals, printed.percent, printed.unit) == (value, decimals, percent, unit)
    assert str(printed.value) == str(value)  # the same Decimal, exponent included


@pytest.mark.parametrize("text", ["1234567890123456", "12,34", "-", "无", "", "第3名后"])
def test_not_figures(text):
    # 16 digits reach 10^15 (the magnitude limit); a misplaced thousands separator; words
    assert parse_printed(text) is None
