"""Names of the per-unit output sheets (评分表-<单位简称>): valid in Excel, WPS and LibreOffice, and
unique as Excel compares them (case-insensitively).

Excel allows at most 31 characters, none of ``[]:*?/\\``, and no apostrophe at either end.  Two
简称 that share their first 28 characters, or differ only in a character Excel refuses (一/二
and 一:二) or in case (A区, a区), would otherwise give the same name; the later one gets a
numbered name (…(2)) and a warning says so.  The full unit name is printed in the sheet itself.
"""

from __future__ import annotations

from typing import Sequence

from . import schema
from .normalize import xml_safe

MAX_SHEET_NAME = 31
FORBIDDEN = "[]:*?/\\"


def valid_sheet_name(name: str) -> str:
    """``name`` with the characters Excel refuses replaced, end apostrophes dropped, at most 31 long."""
    name = xml_safe(name).replace("\t", " ").replace("\n", " ").replace("\r", " ")  # no control character
    for bad in FORBIDDEN:
        name = name.replace(bad, "_")
    return name[:MAX_SHEET_NAME].strip("'") or "_"


def scoresheet_names(short_names: Sequence[str], taken: Sequence[str] = ()) -> dict[str, str]:
    """评分表-<简称> for each unit, valid and unique (also against ``taken``, e.g. the input sheets)."""
    used = {name.casefold() for name in taken}
    names: dict[str, str] = {}
    for short in short_names:
        name = valid_sheet_name(f"{schema.OUTPUT_SCORESHEET}-{short}")
        n = 2
        while name.casefold() in used:
            suffix = f"({n})"
            name = valid_sheet_name(f"{schema.OUTPUT_SCORESHEET}-{short}")[:MAX_SHEET_NAME - len(suffix)].rstrip("'") + suffix
            n += 1
        used.add(name.casefold())
        names[short] = name
    return names
