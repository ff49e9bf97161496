"""Named cell styles of the write plan.  The core names a style with a :class:`StyleName`;
both writers (the file splice and the xlwings adapter) look its :class:`Style` up in
:data:`STYLES` and format the cells :meth:`perfeval_xl.core.writeplan.SheetPlan.styled_cells`
lists (merged areas included), so the two paths format alike."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class StyleName(str, Enum):
    """The styles a plan may use.  A member equals its text (``StyleName.TEXT == "text"``), so
    builders may write either; the plan keeps members, and an unknown name fails when planned."""

    TITLE = "title"
    SUBTITLE = "subtitle"
    HEADER = "header"
    TEXT = "text"
    LITERAL = "literal"
    CENTER = "center"
    MONEY = "money"
    PERCENT = "percent"
    SCORE = "score"
    NUMBER = "number"
    INTEGER = "integer"
    TOTAL_TEXT = "total_text"
    TOTAL_MONEY = "total_money"
    TOTAL_PERCENT = "total_percent"
    TOTAL_SCORE = "total_score"
    TOTAL_INTEGER = "total_integer"
    NOTE = "note"
    HELP = "help"
    ERROR = "error"
    WARNING = "warning"
    DATE = "date"

    __str__ = str.__str__

    def __format__(self, format_spec: str) -> str:
        return str.__format__(self, format_spec)


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

STYLES: dict[str, Style] = {StyleName(name): style for name, style in {
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
}.items()}
assert set(STYLES) == set(StyleName), "every style name has a style"

#: the style of a severity's label in 校验结果 and 复核意见
SEVERITY_STYLE = {"error": StyleName.ERROR, "warning": StyleName.WARNING}

KIND_STYLE = {
    "text": StyleName.TEXT, "literal": StyleName.LITERAL, "choice": StyleName.CENTER, "amount": StyleName.MONEY,
    "number": StyleName.NUMBER, "integer": StyleName.INTEGER, "percent": StyleName.PERCENT, "date": StyleName.DATE,
}
