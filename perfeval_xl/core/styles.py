"""Named cell styles of the write plan.  Adapters (openpyxl, xlwings) map each name
to their own formatting objects; the core only names them."""

from __future__ import annotations

from dataclasses import dataclass

FONT_NAME = "宋体"


@dataclass(frozen=True)
class Style:
    bold: bool = False
    size: float = 10.5
    fill: str | None = None          # RGB hex, no '#'
    align: str = "left"              # left / center / right
    wrap: bool = True
    border: bool = True
    number_format: str = "General"
    color: str | None = None
    italic: bool = False


HEADER_FILL = "D9E1F2"
TOTAL_FILL = "F2F2F2"
NOTE_FILL = "FFF2CC"

STYLES: dict[str, Style] = {
    "title": Style(bold=True, size=14, align="center", border=False, wrap=False),
    "subtitle": Style(size=10.5, align="left", border=False, wrap=False),
    "header": Style(bold=True, fill=HEADER_FILL, align="center"),
    "text": Style(),
    "literal": Style(number_format="@"),
    "center": Style(align="center"),
    "money": Style(align="right", number_format="#,##0.00", wrap=False),
    "percent": Style(align="right", number_format="0.00%", wrap=False),
    "score": Style(align="right", number_format="0.00", wrap=False),
    "number": Style(align="right", number_format="General", wrap=False),
    "integer": Style(align="right", number_format="#,##0", wrap=False),
    "total_text": Style(bold=True, fill=TOTAL_FILL, align="center"),
    "total_money": Style(bold=True, fill=TOTAL_FILL, align="right", number_format="#,##0.00", wrap=False),
    "total_percent": Style(bold=True, fill=TOTAL_FILL, align="right", number_format="0.00%", wrap=False),
    "total_score": Style(bold=True, fill=TOTAL_FILL, align="right", number_format="0.00", wrap=False),
    "total_integer": Style(bold=True, fill=TOTAL_FILL, align="right", number_format="#,##0", wrap=False),
    "note": Style(border=False, italic=True, size=9.5, wrap=True),
    "help": Style(border=False, fill=NOTE_FILL, size=9.5, wrap=True),
    "error": Style(color="C00000", bold=True, align="center"),
    "warning": Style(color="9C5700", align="center"),
    "date": Style(align="center", number_format="yyyy-mm-dd", wrap=False),
}

KIND_STYLE = {
    "text": "text", "literal": "literal", "choice": "center", "amount": "money", "number": "number",
    "integer": "integer", "percent": "percent", "date": "date",
}
