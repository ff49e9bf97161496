"""openpyxl formatting for the core's named styles."""

from __future__ import annotations

from functools import lru_cache

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from perfeval_xl.core.styles import FONT_NAME, STYLES

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@lru_cache(maxsize=None)
def openpyxl_style(name: str) -> dict:
    style = STYLES[name]
    result = {
        "font": Font(name=FONT_NAME, size=style.size, bold=style.bold, italic=style.italic,
                     color=style.color),
        "alignment": Alignment(horizontal=style.align, vertical="center", wrap_text=style.wrap),
        "number_format": style.number_format,
    }
    if style.fill:
        result["fill"] = PatternFill("solid", start_color=style.fill, end_color=style.fill)
    if style.border:
        result["border"] = _BORDER
    return result


def apply_style(cell, name: str) -> None:
    for attr, value in openpyxl_style(name).items():
        setattr(cell, attr, value)
