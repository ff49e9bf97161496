"""Printed figures: a number as a report shows it, with the precision it was printed at.

A reviewer compares what a report printed (``4.99``, ``99.18%``, ``53.41万元``,
``1,180``) with what the data and the rules give.  The comparison is at the printed
precision: a printed ``99.18%`` agrees with 0.991836…, because 0.991836… rounded half
up to two decimals of a percent is 99.18 %.

Precision rule (docs/review.md): the computed figure is rounded 四舍五入 to the number
of decimals the figure was printed with, and a slip is any difference after that
rounding.  Two conventions widen the printed decimals, never narrow them:

* scores are kept to 0.01 in every report, so a score printed ``5`` means 5.00 and
  4.99 against it is a slip (:data:`SCORE_DECIMALS`);
* in a table, a cell printed with fewer decimals than the other cells of its column
  (``5`` in a column of ``4.95``, ``4.96``) is read with the column's decimals.

Text is never guessed into a number: ``-``, ``无``, ``/`` and blanks are not figures.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache

from .normalize import CellValueError, parse_number
from .numbers import HUNDRED, fmt_plain, round_half_up, to_decimal

#: scores are printed and compared to 0.01
SCORE_DECIMALS = 2

_SCALE = {"": Decimal(1), "元": Decimal(1), "万": Decimal(10000), "亿": Decimal(100000000)}
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
_UNIT_SUFFIX = re.compile(r"(万元|亿元|万|亿|元|%)$")
_DECIMALS = re.compile(r"\.(\d+)")
#: a figure printed as plain digits (a sign, decimals, a percent sign), read without the general parser;
#: up to 15 digits before the point, so that it is always below the magnitude limit
_PLAIN = re.compile(r"[+-]?\d{1,15}(?:\.(\d+))?(%?)")


@dataclass(frozen=True)
class Printed:
    """A printed number.  ``value`` is the number as a fraction for percents (99.18% →
    0.9918) and in the printed unit for amounts (53.41万元 → 53.41 with ``unit`` '万')."""

    text: str
    value: Decimal
    #: decimals as printed, counted in the printed notation (99.18% → 2, 1,180 → 0)
    decimals: int
    percent: bool = False
    #: '' (none printed), '元', '万' or '亿'
    unit: str = ""

    @property
    def fraction_decimals(self) -> int:
        """Decimals of ``value`` itself (a percent has two more than printed)."""
        return self.decimals + (2 if self.percent else 0)

    def at(self, decimals: int) -> "Printed":
        """The same figure read with at least ``decimals`` decimals."""
        if decimals <= self.decimals:
            return self  # frozen: the same figure
        return Printed(self.text, self.value, decimals, self.percent, self.unit)

    def show(self, number: Decimal) -> str:
        """``number`` (a fraction for percents, in the printed unit for amounts) in this
        figure's notation and precision: 0.991836 → '99.18%'."""
        if self.percent:
            return f"{_fixed(number * HUNDRED, self.decimals)}%"
        grouped = "," in self.text
        text = _fixed(number, self.decimals, grouped)
        return text + ({"万": "万元", "亿": "亿元"}.get(self.unit, self.unit))

    def agrees(self, number: Decimal) -> bool:
        places, printed = self._printed_at
        return round_half_up(number, places) == printed

    def agrees_as_score(self, number: Decimal) -> bool:
        """:meth:`agrees` of this figure read with :data:`SCORE_DECIMALS` decimals (a score printed with
        fewer: ``self.at(SCORE_DECIMALS).agrees(number)``), without making that figure."""
        places, printed = self._score_at
        return round_half_up(number, places) == printed

    @cached_property
    def _score_at(self) -> tuple[int, Decimal]:
        places = SCORE_DECIMALS + (2 if self.percent else 0)  # self.at(SCORE_DECIMALS).fraction_decimals
        return places, round_half_up(self.value, places)

    @cached_property
    def _printed_at(self) -> tuple[int, Decimal]:
        """The decimals of :meth:`agrees` and the printed value rounded to them: a figure is compared
        with several computed numbers (a table cell with each way its total may be made), rounded once."""
        places = self.decimals + (2 if self.percent else 0)  # fraction_decimals
        return places, round_half_up(self.value, places)

    def rounded(self, number: Decimal) -> Decimal:
        return round_half_up(number, self.fraction_decimals)


def _fixed(number: Decimal, decimals: int, grouped: bool = False) -> str:
    value = round_half_up(number, decimals)
    return f"{value:,.{decimals}f}" if grouped else f"{value:.{decimals}f}"


def clean(value: object) -> str:
    """Text of a cell as a reader sees it: HTML-ish tags of a pasted report (``<b>``) and
    spaces removed, full-width characters folded."""
    text = str(value)
    if not text.isascii():  # NFKC leaves ASCII as it is
        text = unicodedata.normalize("NFKC", text)
    if "<" in text:
        text = _TAGS.sub("", text)
    return _SPACES.sub("", text)


def decimals_of_number(value: object) -> int:
    """Decimals of a number cell without a format: its shortest text (4.99 → 2, 5.0 → 0)."""
    number = to_decimal(value)
    if number == number.to_integral_value():
        return 0
    return max(0, -int(number.normalize().as_tuple().exponent))


def parse_printed(value: object) -> Printed | None:
    """A printed figure from a cell (text as printed, or a number), or None when the cell
    is not a figure (blank, words, ``-``).  ``(12)`` and ``¥`` are understood;
    thousands separators must be where they belong."""
    if type(value) is str:
        return _printed_of_text(value)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        try:
            number = to_decimal(value)
        except Exception:
            return None
        return Printed(fmt_plain(number), number, decimals_of_number(number))
    return printed_text(clean(value))


@lru_cache(maxsize=8192)
def _printed_of_text(value: str) -> Printed | None:
    """:func:`parse_printed` of a text, which depends on the text alone: read once per process
    (the figures of a report repeat: 5.00, 100.00%)."""
    return printed_text(clean(value))


def printed_text(text: str) -> Printed | None:
    """:func:`parse_printed` of a cell's text already passed through :func:`clean`."""
    plain = _PLAIN.fullmatch(text)
    if plain is not None:  # what parse_number gives for it, without its other forms to try
        number = Decimal(text[:-1] if plain.group(2) else text)
        return Printed(text, number / HUNDRED if plain.group(2) else number, len(plain.group(1) or ""),
                       percent=bool(plain.group(2)))
    if not text or not _DIGIT.search(text):
        return None
    try:
        number, suffix = parse_number(text)
    except CellValueError:
        return None
    body = _UNIT_SUFFIX.sub("", text)
    match = _DECIMALS.search(body)
    decimals = len(match.group(1)) if match else 0
    return Printed(text, number, decimals, percent=suffix == "%", unit=suffix if suffix in _SCALE else "")


def scale(unit: str) -> Decimal:
    """元 per one of ``unit`` ('' and '元' → 1, '万' → 10000)."""
    return _SCALE[unit]


def difference(printed: Printed, number: Decimal) -> str:
    """Printed minus computed, at the printed precision, in the printed notation."""
    delta = printed.value - printed.rounded(number)
    sign = "+" if delta > 0 else ("-" if delta < 0 else "")
    shown = printed.show(abs(delta))
    return sign + shown
