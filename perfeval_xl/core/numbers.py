"""Decimal arithmetic, half-up rounding and the number formats reports print.

Every amount, rate and score in perfeval-xl is a :class:`decimal.Decimal`.
Rounding is 四舍五入 (ROUND_HALF_UP), never banker's rounding, and a binary
float coming from a spreadsheet cell is converted through its shortest repr
(``2.675`` stays ``2.675``, not ``2.67499999…``).
"""

from __future__ import annotations

from decimal import MAX_PREC, ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from fractions import Fraction
from typing import TypeVar

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


class NotANumber(ValueError):
    """Raised when a value cannot be read as a number."""


def to_decimal(value: object) -> Decimal:
    """Convert an int, float, str or Decimal to Decimal without binary noise."""
    kind = type(value)
    if kind is Decimal:
        return value  # type: ignore[return-value]  # (type() is Decimal: a Decimal)
    if kind is int:  # a count (not a bool: its type is bool)
        return Decimal(value)  # type: ignore[arg-type]  # (type() is int: an int)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise NotANumber(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NotANumber(repr(value))
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation as exc:
            raise NotANumber(value) from exc
        if not result.is_finite():
            raise NotANumber(value)
        return result
    raise NotANumber(repr(value))


#: the quantum of each number of decimals asked for often
_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(9)}
#: a context whose precision never limits a quantize: the result is exact, as with a precision
#: raised to the digits needed (the path kept for numbers near the exponent limit)
_EXACT = Context(prec=MAX_PREC)
_FAST_LIMIT = 999_000
#: the same context for exact sums and differences of Decimals (never rounded: what Fraction would give)
EXACT_CONTEXT = _EXACT


def round_half_up(value: object, places: int = 2) -> Decimal:
    """四舍五入 to ``places`` decimals: 2.675 → 2.68, 0.125 → 0.13, 1.005 → 1.01.

    A :class:`~fractions.Fraction` (a share such as 1/3 of a weight) is rounded exactly:
    5/3 → 1.67, 2/3 → 0.67."""
    if type(value) is Decimal:  # the common case first (a Decimal, 0 … 8 places), without the checks for the other kinds
        quantum = _QUANTA.get(places)
        if quantum is not None and value.is_finite() and value.adjusted() < _FAST_LIMIT:
            return value.quantize(quantum, ROUND_HALF_UP, _EXACT)
    if isinstance(value, Fraction):
        scaled = abs(value) * 10 ** places
        units = (2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)  # ⌊x + ½⌋
        return Decimal(-units if value < 0 else units).scaleb(-places)
    number = to_decimal(value)
    quantum = _QUANTA.get(places) or Decimal(1).scaleb(-places)
    if number.is_finite() and number.adjusted() < _FAST_LIMIT:
        return number.quantize(quantum, rounding=ROUND_HALF_UP, context=_EXACT)
    with localcontext() as ctx:
        ctx.prec = max(28, len(number.as_tuple().digits) + places + 2, number.adjusted() + places + 3)
        return number.quantize(quantum, rounding=ROUND_HALF_UP)


_CENT, _BASIS_POINT = _QUANTA[2], _QUANTA[4]


def round_score(value: Decimal | Fraction) -> Decimal:
    if type(value) is Decimal and value.is_finite() and value.adjusted() < _FAST_LIMIT:  # round_half_up's quick path
        return value.quantize(_CENT, ROUND_HALF_UP, _EXACT)
    return round_half_up(value, 2)


def round_rate(value: Decimal) -> Decimal:
    """Round a rate (a fraction) to 0.01 %, as reports print it (26.5625… % → 0.2656)."""
    if type(value) is Decimal and value.is_finite() and value.adjusted() < _FAST_LIMIT:  # round_half_up's quick path
        return value.quantize(_BASIS_POINT, ROUND_HALF_UP, _EXACT)
    return round_half_up(value, 4)


_Exact = TypeVar("_Exact", Decimal, Fraction)


def clamp(value: _Exact, low: _Exact, high: _Exact) -> _Exact:
    return max(low, min(high, value))


def fmt_amount(value: Decimal) -> str:
    """175312.57 → '175,312.57' (two decimals, thousands separators)."""
    return f"{round_score(value):,.2f}"


def fmt_percent(rate: Decimal) -> str:
    """0.2656 → '26.56%' (a fraction shown as a percentage with two decimals)."""
    if type(rate) is Decimal:  # round_score's quick path: two decimals exactly, which str() prints as ':.2f' does
        percent = rate * HUNDRED
        if percent.is_finite() and percent.adjusted() < _FAST_LIMIT:
            return str(percent.quantize(_CENT, ROUND_HALF_UP, _EXACT)) + "%"
    return f"{round_score(rate * HUNDRED):.2f}%"


def fmt_plain(value: Decimal) -> str:
    """A number as typed: 5 → '5', 0.40 → '0.4', 2.50 → '2.5', 1180 → '1180'."""
    if type(value) is not Decimal:
        value = to_decimal(value)
    integral = value.to_integral_value()
    if value == integral:
        text = str(integral)  # its exponent 0 (plain digits), unless it was above 0 (5E+3) or the digits are
        # more than quantize's context holds (it raises): then as quantized
        return text if len(text) < 28 and "E" not in text else str(value.quantize(ONE))
    normal = value.normalize()
    text = str(normal)  # plain digits unless below 1E-6 (1E-7): then as format(…, "f") prints it
    return text if "E" not in text else format(normal, "f")


def fmt_as_typed(value: Decimal) -> str:
    """A count or quantity with the decimals it was typed with: 58.30 stays '58.30', 6 stays '6'."""
    if type(value) is not Decimal:
        value = to_decimal(value)
    if value == value.to_integral_value():
        return str(value.quantize(ONE))
    return format(value, "f")


def fmt_score(value: Decimal) -> str:
    """Scores print with two decimals: 4.959 → '4.96', 10 → '10.00'."""
    if type(value) is Decimal and value.is_finite() and value.adjusted() < _FAST_LIMIT:  # as in fmt_percent
        return str(value.quantize(_CENT, ROUND_HALF_UP, _EXACT))
    return f"{round_score(value):.2f}"


def fmt_percent_plain(rate: Decimal) -> str:
    """A threshold as typed: 0.9 → '90%', 0.005 → '0.5%'."""
    return fmt_plain(rate * HUNDRED) + "%"


def exact(value) -> Fraction:
    """A Decimal, int or Fraction as an exact Fraction (no rounding): sums of shares such as
    1/3 + 1/3 + 1/3 of a weight stay exactly the weight."""
    if type(value) is Fraction:
        return value
    return value if isinstance(value, Fraction) else Fraction(to_decimal(value))


def terminating(value: Fraction) -> Decimal | None:
    """The exact Decimal of a fraction whose decimal expansion ends (5/4 → 1.25), else None (5/3)."""
    d = value.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d != 1:
        return None
    with localcontext() as ctx:
        ctx.prec = 60
        return Decimal(value.numerator) / Decimal(value.denominator)


def fmt_exact(value) -> str:
    """A number as typed, exactly: 0.5 → '0.5', 1.005 → '1.005', 5/3 → '5/3'."""
    if type(value) is Decimal or not isinstance(value, Fraction):  # (a Decimal without the ABC's isinstance)
        return fmt_plain(value)
    decimal = terminating(value)
    if decimal is None:
        return f"{value.numerator}/{value.denominator}"
    return fmt_plain(decimal)
