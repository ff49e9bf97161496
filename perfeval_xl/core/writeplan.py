"""The write plan: what the output sheets contain, independent of any Excel library.

Adapters (openpyxl for files, xlwings for the live workbook) apply a plan; the core
never touches a workbook object.  Coordinates are zero-based.
"""

from __future__ import annotations

import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from operator import itemgetter
from dataclasses import FrozenInstanceError, dataclass, field
from decimal import Decimal
from typing import Callable, Iterator, NoReturn, Sequence, TypeVar

from .styles import STYLES, StyleName
from .textfit import APPS, breaks_sensibly, height_needed, layout, line_height_needed, lines_needed, sensible


class _CharWidths(dict):
    """Character → its width (2 for East Asian wide and full-width ones), filled as characters are
    met (bounded: a text of every character there is stays correct, only slower)."""

    def __missing__(self, ch: str) -> int:
        width = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if len(self) < 65536:
            self[ch] = width
        return width


_WIDTHS = _CharWidths()


def display_width(text: str) -> int:
    """Width of a text in a terminal's columns: CJK characters count double."""
    if text.isascii():
        return len(text)
    return sum(map(_WIDTHS.__getitem__, text))


def wrapped_lines(text: str, width: float, style: StyleName | str = StyleName.TEXT) -> int:
    """Lines a wrapped text of the style needs in a column ``width`` Excel units wide, in the app
    (Excel/WPS or LibreOffice) that needs the most (:mod:`perfeval_xl.core.textfit`)."""
    font = STYLES[StyleName(style)]
    return lines_needed(str(text), width, font.size, font.bold)


def needed_height(text: str, width: float, style: StyleName | str = StyleName.TEXT) -> float:
    """Row height in points that shows the whole wrapped text in every app."""
    font = STYLES[StyleName(style)]
    return height_needed(str(text), width, font.size, font.bold)


def _sheet_height(plan: "SheetPlan", text: str, width: float, style: StyleName) -> float:
    """:func:`needed_height`, each text of the sheet at each width worked out once."""
    key = (text, width, style)
    known = plan._heights.get(key)
    if known is None:
        known = plan._heights[key] = needed_height(text, width, style)
    return known


#: a planned cell's (row, col, value, style) row and column
_ROW_OF, _COL_OF = itemgetter(0), itemgetter(1)


#: the page numbers printed in the footer of every output sheet
PAGE_FOOTER = "第 &P 页，共 &N 页"


#: bar fills, one per series, for every renderer of a :class:`Chart` alike (Office's default palette, which
#: desktop Excel also uses for the charts it draws itself)
PALETTE = ("4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47")


@dataclass(frozen=True)
class ChartSeries:
    """One series of a chart: its name and its value in each category (None: no bar)."""

    name: str
    values: tuple[Decimal | None, ...]


@dataclass(frozen=True)
class Chart:
    """A clustered column chart: the one chart model every renderer draws — a native chart part of
    the splice writer (:mod:`perfeval_xl.io.xlsx_chart`), a chart of the live workbook (xlwings,
    :mod:`perfeval_xl.excel`) and the Word draft's picture (:mod:`perfeval_xl.wordreport.charts`).
    Built once per chart by :mod:`perfeval_xl.core.charts`; on a sheet it is placed by a :class:`ChartPlan`."""

    title: str
    categories: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    #: what the categories are (the data table's first header) and what the values are (the axis titles)
    category_title: str = ""
    value_title: str = ""
    #: values are fractions: the value axis and the labels in percent (:attr:`axis_format`, :attr:`label_format`)
    percent: bool = False
    #: the value axis' bounds (0 on every chart: an axis starting at 70 or 80 exaggerates the differences;
    #: the maximum 100 for scores, 1 for rates); None: from the data
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    #: each bar labelled with its value
    value_labels: bool = True
    #: horizontal reference lines (value, label), such as the grade boundaries: drawn in the picture only
    #: (a native chart would need a series of its own for each)
    lines: tuple[tuple[Decimal, str], ...] = ()
    #: the chart's figures in words, for readers (the Word draft's fallback without a CJK font) and tests
    alt: str = ""

    @property
    def legend(self) -> bool:
        """A legend names the series when there are several."""
        return len(self.series) > 1

    @property
    def axis_format(self) -> str:
        """The number format of the value axis."""
        return "0%" if self.percent else "0"

    @property
    def label_format(self) -> str:
        """The number format of the values (labels, the data table's style)."""
        return "0.00%" if self.percent else "0.00"


@dataclass(frozen=True)
class ChartPlan:
    """A :class:`Chart` placed on a sheet as a native chart drawn from the sheet's cells: its data
    table at ``table`` (zero-based (row, col) of the table's header: the category title, then the series'
    names to its right; the categories below it, each series' values in its column), the chart's
    top-left corner at cell ``anchor``, ``width`` × ``height`` points large, titled ``title`` on the sheet."""

    chart: Chart
    table: tuple[int, int]
    anchor: tuple[int, int]
    width: float
    height: float
    title: str

    @property
    def categories(self) -> tuple[int, int, int, int]:
        """The cells of the categories, (r1, c1, r2, c2)."""
        row, col = self.table
        return row + 1, col, row + len(self.chart.categories), col

    def name_cell(self, index: int) -> tuple[int, int]:
        """The cell holding the name of series ``index``."""
        row, col = self.table
        return row, col + 1 + index

    def value_cells(self, index: int) -> tuple[int, int, int, int]:
        """The cells of the values of series ``index``, (r1, c1, r2, c2)."""
        row, col = self.table
        return row + 1, col + 1 + index, row + len(self.chart.categories), col + 1 + index

    @property
    def name_cells(self) -> tuple[tuple[int, int], ...]:
        return tuple(self.name_cell(i) for i in range(len(self.chart.series)))


class FrozenList(list):
    """A list of a finished plan: read like any list, never changed (every change raises)."""

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise FrozenInstanceError("the sheet's plan is final after finish(): its lists cannot be changed")

    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __reduce__(self) -> tuple:
        return FrozenList, (list(self),)


class FrozenDict(dict):
    """A mapping of a finished plan: read like any dict, never changed (every change raises)."""

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise FrozenInstanceError("the sheet's plan is final after finish(): its mappings cannot be changed")

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple:
        return FrozenDict, (dict(self),)


@dataclass
class SheetPlan:
    """One output sheet as planned: cells, merges, widths, heights, page setup, charts.  A builder
    fills a draft; :func:`finish` lays it out for print and freezes it (:attr:`finished`): every
    writer gets finished plans only."""

    name: str
    cells: list[tuple[int, int, object, StyleName]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    freeze: tuple[int, int] | None = None
    title_rows: tuple[int, int] | None = None
    landscape: bool = False
    #: centre footer of every printed page (Excel header/footer codes: &P page, &N pages)
    footer: str = PAGE_FOOTER
    #: manual page breaks: zero-based rows that start a new printed page (row 0 never needs one)
    row_breaks: list[int] = field(default_factory=list)
    #: native charts drawn over cells of this sheet
    charts: list["ChartPlan"] = field(default_factory=list)
    #: (row, col) → the text as written, of the cells :func:`break_merged_lines` broke into lines for
    #: the sheet (a document shows the text unbroken and flows it itself)
    unbroken: dict[tuple[int, int], str] = field(default_factory=dict)
    #: (text, width, style) → the height the text needs, for this sheet's wrapped texts: a long sheet asks
    #: again for its rows (fit_height while it is built, then :func:`finish`) after more other texts than
    #: the shared layout cache keeps.  Not data: emptied when the plan stage has finished the sheet
    _heights: dict = field(default_factory=dict, repr=False, compare=False)

    def __setattr__(self, name: str, value: object) -> None:
        if self.__dict__.get("_frozen"):
            raise FrozenInstanceError(f"cannot assign to field {name!r}: the sheet's plan is final after finish()")
        object.__setattr__(self, name, value)

    @property
    def finished(self) -> bool:
        """Has :func:`finish` laid the plan out and frozen it?"""
        return bool(self.__dict__.get("_frozen"))

    def _freeze(self) -> None:
        """No field can be set again, no list or mapping of it changed; the heights cache is dropped."""
        for name in ("cells", "merges", "row_breaks", "charts"):
            object.__setattr__(self, name, FrozenList(getattr(self, name)))
        for name in ("widths", "heights", "unbroken"):
            object.__setattr__(self, name, FrozenDict(getattr(self, name)))
        object.__setattr__(self, "_heights", FrozenDict())  # worked out while planning: not needed once finished
        object.__setattr__(self, "_frozen", True)

    @property
    def n_rows(self) -> int:
        return max(map(_ROW_OF, self.cells), default=-1) + 1  # a C loop: print_scale asks again and again

    @property
    def n_cols(self) -> int:
        return max(map(_COL_OF, self.cells), default=-1) + 1

    def styled_cells(self) -> list[tuple[int, int, object, StyleName]]:
        """Every cell to write and format, in row order: the planned cells, then the blanks
        inside merged areas with the style of the area's first cell (so a merged area keeps its
        borders and fill in every writer)."""
        cells: dict[tuple[int, int], tuple[object, StyleName]] = {(r, c): (v, s) for r, c, v, s in self.cells}
        for r1, c1, r2, c2 in self.merges:
            style = cells.get((r1, c1), (None, StyleName.TEXT))[1]
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    cells.setdefault((r, c), (None, style))
        return [(r, c, v, s) for (r, c), (v, s) in sorted(cells.items())]

    def grid(self) -> list[list[object]]:
        """The plan's values as a dense grid (for xlwings' one-call writes and tests)."""
        rows: list[list[object]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for r, c, value, _ in self.cells:
            rows[r][c] = value
        return rows


@dataclass(frozen=True)
class WritePlan:
    """The output sheets of a run, in the order they are written: built once by the plan stage
    and not changed after it (a caller that wants fewer sheets makes a new plan)."""

    sheets: tuple[SheetPlan, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "sheets", tuple(self.sheets))

    def sheet(self, name: str) -> SheetPlan:
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.sheets]


#: Excel's limit on the text of one cell (a longer text makes the file fail to open)
MAX_CELL_TEXT = 32767


def fit_cell_text(text: str) -> str:
    """A text cut to what one cell holds, saying in the cell itself how much was left out."""
    omitted = len(text)
    note = ""
    for _ in range(2):  # the note's own length depends on the count it states
        keep = MAX_CELL_TEXT - len(note)
        omitted = len(text) - keep
        note = f"……（超出 Excel 单元格 32,767 个字符的上限，其余 {omitted} 个字符未写出，全文见工作簿中的原单元格）"
    return text[:MAX_CELL_TEXT - len(note)] + note


#: each style's name (and member) → its member
_STYLE_NAMES = {member.value: member for member in StyleName}


class SheetBuilder:
    """Appends rows to a :class:`SheetPlan`."""

    def __init__(self, name: str, widths: Sequence[float] | None = None, landscape: bool = True):
        self.plan = SheetPlan(name, landscape=landscape)
        self.row = 0
        #: row → (column, text, style) of the texts put there, so fitting a row's height reads only
        #: that row (scanning every planned cell per row made big sheets quadratic)
        self._texts: dict[int, list[tuple[int, str, StyleName]]] = {}
        for i, width in enumerate(widths or []):
            self.plan.widths[i] = width

    def put(self, row: int, col: int, value, style: StyleName | str = StyleName.TEXT) -> None:
        if isinstance(value, float):  # the core hands out Decimals; guard against floats sneaking in
            value = Decimal(repr(value))
        elif isinstance(value, str) and len(value) > MAX_CELL_TEXT:
            value = fit_cell_text(value)
        style = _STYLE_NAMES.get(style) or StyleName(style)  # an unknown name fails here
        self.plan.cells.append((row, col, value, style))
        if isinstance(value, str) and value:
            self._texts.setdefault(row, []).append((col, value, style))

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.plan.merges.append((r1, c1, r2, c2))

    def title(self, text: str, ncols: int, height: float = 28) -> None:
        self.put(self.row, 0, text, "title")
        self.merge(self.row, 0, self.row, ncols - 1)
        self.plan.heights[self.row] = height
        self.row += 1

    def line(self, text: str, ncols: int, style: str = "subtitle", height: float | None = None) -> None:
        self.put(self.row, 0, text, style)
        self.merge(self.row, 0, self.row, ncols - 1)
        if height:
            self.plan.heights[self.row] = height
        self.row += 1

    def values(self, values: list, styles: list[str] | str, height: float | None = None) -> int:
        if isinstance(styles, str):
            styles = [styles] * len(values)
        for c, (value, style) in enumerate(zip(values, styles)):
            self.put(self.row, c, value, style)
        if height:
            self.plan.heights[self.row] = height
        self.row += 1
        return self.row - 1

    def fit_height(self, row: int, minimum: float = 18, maximum: float = 409) -> None:
        """Set a row's height so its wrapped text shows in full (widths from the plan)."""
        need = minimum
        for c, value, style in self._texts.get(row, ()):
            if STYLES[style].wrap:
                need = max(need, _sheet_height(self.plan, value, self.plan.widths.get(c, 10), style))
        self.plan.heights[row] = min(need, maximum)

    def header(self, headers: list[str]) -> None:
        start = self.row
        self.values(headers, "header", height=30)
        self.plan.freeze = (self.row, 0)
        self.plan.title_rows = (start, start)


#: height of a row Excel draws without a height of its own (one line at 10.5 pt)
DEFAULT_HEIGHT = 15.0


def text_widths(plan: SheetPlan, with_style: bool = False) -> list[tuple]:
    """(row, text, width) of every wrapped text cell: a cell merged across columns of one row has the
    merged width; a cell merged over several rows is left out (its height is the rows' sum)."""
    spans = {(r1, c1): (r2, c1, c2) for r1, c1, r2, c2 in plan.merges}
    covered = {(r, c) for r1, c1, r2, c2 in plan.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
               if (r, c) != (r1, c1)}
    out = []
    for r, c, value, style in plan.cells:
        if not isinstance(value, str) or not value or not STYLES[style].wrap or (r, c) in covered:
            continue
        r2, c1, c2 = spans.get((r, c), (r, c, c))
        if r2 != r:
            continue
        width = plan.widths.get(c1, 10) if c1 == c2 else sum(plan.widths.get(i, 10) for i in range(c1, c2 + 1))
        out.append((r, value, width, style) if with_style else (r, value, width))
    return out


def fit_wrapped_rows(plan: SheetPlan, maximum: float = 409) -> None:
    """Raise every row whose text needs more height than the row has (never lowers a row): wrapped
    text its lines, any other text one line — LibreOffice's line of CJK (Noto Sans CJK, 1.448 em) is
    taller than the default row height of the workbook, so even a row of one line is given its height."""
    need: dict[int, float] = {}
    for r, text, width, style in text_widths(plan, with_style=True):
        need[r] = max(need.get(r, 0), _sheet_height(plan, text, width, style))
    tall = {(r1, c1) for r1, c1, r2, c2 in plan.merges if r2 > r1}
    for r, c, value, style in plan.cells:
        font = STYLES[style]
        if isinstance(value, str) and value and not font.wrap and (r, c) not in tall:
            need[r] = max(need.get(r, 0), line_height_needed(value, font.size, font.bold))
    for r, height in need.items():
        if height > plan.heights.get(r, DEFAULT_HEIGHT):
            plan.heights[r] = min(height, maximum)


#: styles of short labels (headers, merged 一级/二级 names, totals) that must not break mid-word
LABEL_STYLES = (StyleName.HEADER, StyleName.CENTER, StyleName.TOTAL_TEXT)
#: a label longer than this is prose, free to wrap anywhere
LABEL_MAX = 24


#: the fits worked out in the running :func:`fitting_once` block: (what, text, width, its type, style) → the fit
_FITS: ContextVar[dict | None] = ContextVar("perfeval_fits", default=None)
_Fit = TypeVar("_Fit")


@contextmanager
def fitting_once() -> Iterator[None]:
    """Within the block each label's fitted width (:func:`label_width`, :func:`one_line_width`) and
    orphan test is worked out once per text, width and style: the plan stage's sheets repeat their
    labels (every unit's 评分表 the same indicator names).  Kept for the block only, never across runs."""
    token = _FITS.set({})
    try:
        yield
    finally:
        _FITS.reset(token)


def _fit(what: str, text: str, width: float, style: StyleName | str, make: Callable[[], _Fit]) -> _Fit:
    fits = _FITS.get()
    if fits is None:
        return make()
    key = (what, text, width, type(width), style)  # an int width is handed back as it came, 9 not 9.0
    found = fits.get(key)
    if found is None:
        found = fits[key] = make()
    return found


def label_width(text: str, width: float, style: StyleName | str) -> float:
    """The narrowest width, from ``width`` up in half units, at which a label breaks only at sensible
    places (never "产出数量（10分" / "）"): at the latest where it fits on one line in every app."""
    return _fit("label", text, width, style, lambda: _label_width(text, width, style))


def _label_width(text: str, width: float, style: StyleName | str) -> float:
    font = STYLES[StyleName(style)]
    w = width
    while not breaks_sensibly(text, w, font.size, font.bold):
        if all(len(layout(text, w, font.size, font.bold, app)) == 1 for app in APPS):
            break
        w += 0.5
    return w


def split_label(text: str) -> str | None:
    """A label ending in a bracket group with its group on a line of its own ("产出数量（10分）" →
    "产出数量\n（10分）"), or None for a label that has no such group or already has a line break."""
    if "\n" in text or not text.endswith(("）", ")")):
        return None
    at = max(text.rfind("（"), text.rfind("("))
    return text[:at] + "\n" + text[at:] if at > 0 else None


#: a plain text this short (a unit's full name) is worth a slightly wider column to print on one line
NAME_MAX = 20
#: … by at most this many width units
NAME_WIDEN = 4.0


def one_line_width(text: str, width: float, style: StyleName | str) -> float:
    """The narrowest width, from ``width`` up in half units, at which the text prints on one line in
    every app (``width`` itself when it already does)."""
    return _fit("one line", text, width, style, lambda: _one_line_width(text, width, style))


def _one_line_width(text: str, width: float, style: StyleName | str) -> float:
    font = STYLES[StyleName(style)]
    w = width
    while any(len(layout(text, w, font.size, font.bold, app)) > 1 for app in APPS):
        w += 0.5
    return w


def fit_label_widths(plan: SheetPlan, drop: int = 3, floor: int = 80) -> None:
    """Make no header or label break mid-word: a label that would ("产出数量（10分" / "）") gets its
    bracket group on a line of its own where that is enough (:func:`split_label`); otherwise its
    column is widened.  A short plain text (a unit's full name) a little too long for its column
    widens it to print on one line.  All within a budget: the names' widenings first (a name
    on one line keeps every row of the column one line high), then the cheapest first, each only while the scale the sheet prints at (fitted to one A4 page wide,
    :func:`perfeval_xl.core.pagefit.print_scale`) loses at most ``drop`` points and does not fall
    below ``floor`` percent when it was above it — so the print does not shrink for a header."""
    from .pagefit import print_scale  # pagefit reads plans: imported here, not at the top

    covered = {(r, c) for r1, c1, r2, c2 in plan.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
               if (r, c) != (r1, c1)}
    across = {(r1, c1) for r1, c1, r2, c2 in plan.merges if c2 > c1}
    need: dict[int, float] = {}
    for_names: set[int] = set()  # columns widened for a name: first in the budget (every row of it is one line)
    named = {cell for chart in plan.charts for cell in chart.name_cells}  # a chart shows them as they are
    for i, (r, c, value, style) in enumerate(plan.cells):
        if (not isinstance(value, str) or not value or (r, c) in covered or (r, c) in across
                or not STYLES[style].wrap):
            continue
        width = plan.widths.get(c, 10)
        if style == StyleName.TEXT and len(value) <= NAME_MAX and "\n" not in value:
            wanted = one_line_width(value, max(width, need.get(c, width)), style)  # a name one char too long
            if width < wanted <= width + NAME_WIDEN:
                need[c] = wanted
                for_names.add(c)
            continue
        if style not in LABEL_STYLES or len(value) > LABEL_MAX:
            continue
        wanted = label_width(value, max(width, need.get(c, width)), style)
        split = split_label(value) if wanted > width and (r, c) not in named else None
        if split is not None:
            wanted_split = label_width(split, max(width, need.get(c, width)), style)
            if wanted_split < wanted:
                plan.cells[i] = (r, c, split, style)
                wanted = wanted_split
        if wanted > width:
            need[c] = wanted
    if not need:
        return
    before = print_scale(plan)
    lowest = max(before - drop, min(before, floor))
    for c, wanted in sorted(need.items(),
                            key=lambda item: (item[0] not in for_names, item[1] - plan.widths.get(item[0], 10), item[0])):
        old = plan.widths.get(c)
        plan.widths[c] = wanted
        if print_scale(plan) < lowest:
            if old is None:
                del plan.widths[c]
            else:
                plan.widths[c] = old


def _orphaned(text: str, width: float, style: StyleName) -> bool:
    """Does some app print the text with one character alone on its last line ("立项依据充分" / "性")?"""
    return _fit("orphaned", text, width, style, lambda: _orphaned_now(text, width, style))


def _orphaned_now(text: str, width: float, style: StyleName) -> bool:
    font = STYLES[style]
    return any(len(lines) > 1 and len(lines[-1]) == 1
               for lines in (layout(text, width, font.size, font.bold, app) for app in APPS))


def _unorphaned(paragraph: str, width: float, style: StyleName) -> str:
    """The paragraph cut by line feeds into the fewest lines of near-equal length (two characters
    at least, the longer first) that each fit on one line in every app, at sensible breaks ("立项依"
    / "据充" / "分性" rather than "立项依" / "据充分" / "性"); as it is when there are none."""
    font = STYLES[style]
    size = len(paragraph)
    for count in range(2, size // 2 + 1):
        lengths = [size // count + (1 if k < size % count else 0) for k in range(count)]
        lines, at = [], 0
        for length in lengths:
            lines.append(paragraph[at:at + length])
            at += length
        if sensible(paragraph, lines) and all(len(layout(line, width, font.size, font.bold, app)) == 1
                                              for line in lines for app in APPS):
            return "\n".join(lines)
    return paragraph


def break_orphaned_labels(plan: SheetPlan) -> None:
    """A header or label that some app would still print with one character alone on a line
    ("立项依据充分" / "性" / "（2分）"), because :func:`fit_label_widths` could not widen its column within
    the width budget, gets a line feed of its own in that line ("立项依据" / "充分性" / "（2分）")."""
    covered = {(r, c) for r1, c1, r2, c2 in plan.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
               if (r, c) != (r1, c1)}
    spans = {(r1, c1): sum(plan.widths.get(c, 10) for c in range(c1, c2 + 1)) for r1, c1, r2, c2 in plan.merges}
    named = {cell for chart in plan.charts for cell in chart.name_cells}  # a chart shows them as they are
    for i, (r, c, value, style) in enumerate(plan.cells):
        if style not in LABEL_STYLES or not isinstance(value, str) or (r, c) in covered or (r, c) in named:
            continue
        width = spans.get((r, c), plan.widths.get(c, 10))
        paragraphs = value.split("\n")
        fixed = [_unorphaned(p, width, style) if 4 <= len(p) <= LABEL_MAX and _orphaned(p, width, style) else p
                 for p in paragraphs]
        if fixed != paragraphs:
            plan.cells[i] = (r, c, "\n".join(fixed), style)


#: styles of explanatory lines written across a table's width (notes, help)
LINE_STYLES = (StyleName.NOTE, StyleName.HELP)


def _lines_for_every_app(text: str, width: float, style: StyleName) -> list[str] | None:
    """The text cut into lines (no character added or dropped) that each fit on one line in every
    app; ``None`` if no app's layout gives such lines (a line would still wrap somewhere)."""
    font = STYLES[style]
    for lines in sorted((layout(text, width, font.size, font.bold, app) for app in APPS), key=len, reverse=True):
        pieces, rest = [], text
        for line in lines:
            cut = len(line)
            while cut < len(rest) and rest[cut] == " ":  # the spaces layout dropped at the break stay
                cut += 1
            pieces.append(rest[:cut])
            rest = rest[cut:]
        if rest or "".join(pieces) != text:
            continue
        if all(len(layout(piece, width, font.size, font.bold, app)) == 1 for piece in pieces for app in APPS):
            return pieces
    return None


def break_merged_lines(plan: SheetPlan) -> None:
    """Note and help lines merged across several columns are broken into lines with line feeds.

    LibreOffice does not wrap text in a cell merged across columns reliably: it may lay the text out
    on one line running past the table (a sheet fitted to the page width then prints smaller), or
    wider than the merged area, cutting off what runs past it.  A line feed it always honours, so
    such a text that needs more than one line is cut where every app's layout allows; Excel and WPS
    show the same lines.  The text as written is kept in ``plan.unbroken``."""
    spans = {(r1, c1): (c1, c2) for r1, c1, r2, c2 in plan.merges if r1 == r2 and c2 > c1}
    for i, (r, c, value, style) in enumerate(plan.cells):
        if style not in LINE_STYLES or (r, c) not in spans or not isinstance(value, str) or "\n" in value:
            continue
        c1, c2 = spans[(r, c)]
        width = sum(plan.widths.get(k, 10) for k in range(c1, c2 + 1))
        if wrapped_lines(value, width, style) < 2:
            continue
        lines = _lines_for_every_app(value, width, style)
        if lines:
            plan.cells[i] = (r, c, "\n".join(lines), style)
            plan.unbroken[(r, c)] = value


def lay_out(plan: SheetPlan) -> None:
    """The last planning pass of an output sheet, on the draft in place: label columns widened
    (:func:`fit_label_widths`), labels that would still leave one character alone on a line broken
    (:func:`break_orphaned_labels`), note lines merged across columns broken into lines
    (:func:`break_merged_lines`), then every row raised to the height its wrapped text needs
    (:func:`fit_wrapped_rows`).  For a builder that places its page breaks by the final widths and
    heights; the plan stage then finishes the sheet (:func:`finish`).  Not idempotent: the widening budget is
    taken from the widths it starts from, so a second pass may widen again."""
    fit_label_widths(plan)
    break_orphaned_labels(plan)
    break_merged_lines(plan)
    fit_wrapped_rows(plan)


def finish(plan: SheetPlan) -> SheetPlan:
    """The finished plan: a draft laid out for print (:func:`lay_out`) and frozen, so that no writer
    or later stage can change it (its fields cannot be set, its lists and mappings raise on any change).
    A finished plan is returned as it is: ``finish(finish(p))`` is ``finish(p)``."""
    if plan.finished:
        return plan
    lay_out(plan)
    plan._freeze()
    return plan
