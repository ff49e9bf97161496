"""Numbers as the reader sees them: a number cell shown through its number format.

A table pasted from a report into Excel keeps ``99.18%`` as the number 0.9918 with the
format ``0.00%``, and ``4.50`` as 4.5 with ``0.00``.  The printed precision is in the
format, which python-calamine does not give; this module reads the formats of the given
sheets (openpyxl, read-only) and replaces each formatted number by the text it shows,
so the table audit compares at the precision the reader sees.  Numbers in the General
format stay numbers (their shortest text is what Excel shows).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Iterable, MutableMapping

from perfeval_xl.core.numbers import round_half_up, to_decimal

_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def shown(value: float | int, number_format: str) -> str | None:
    """The text Excel shows for ``value`` in ``number_format`` when it fixes decimals or is
    a percent (``0.00%``, ``#,##0.00``, ``0.0``); None for General and formats we do not read
    (dates, fractions, scientific)."""
    if not number_format or number_format == "General" or isinstance(value, bool):
        return None
    section = _QUOTED.sub("", number_format.split(";")[0])
    if any(ch in section for ch in "yYmMdDhHsSeE/?@"):
        return None
    percent = "%" in section
    digits = section.replace("%", "")
    if not re.search(r"[0#]", digits):
        return None
    decimals = len(re.search(r"\.([0#]*)", digits).group(1)) if "." in digits else 0
    grouped = "," in digits.split(".")[0]
    number = to_decimal(value) * (100 if percent else 1)
    rounded = round_half_up(number, decimals)
    text = f"{rounded:,.{decimals}f}" if grouped else f"{rounded:.{decimals}f}"
    return text + ("%" if percent else "")


def apply_formats(path: Path, snapshot: MutableMapping[str, list], names: Iterable[str]) -> None:
    """Replace each formatted number of the named sheets of ``snapshot`` by its shown text."""
    from openpyxl import load_workbook

    names = [n for n in names if n in snapshot]
    if not names:
        return
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        for name in names:
            rows = snapshot[name]
            for row in workbook[name].iter_rows():
                for cell in row:
                    col, line = getattr(cell, "column", None), getattr(cell, "row", None)
                    if col is None or line is None:
                        continue
                    r, c = line - 1, col - 1
                    if r >= len(rows) or c >= len(rows[r]):
                        continue
                    value = rows[r][c]
                    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                        text = shown(value, cell.number_format)
                        if text is not None:
                            rows[r][c] = text
    finally:
        workbook.close()
