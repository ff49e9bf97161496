"""Scoring the open workbook through xlwings (the 评分 ribbon button).

The same pipeline as the command line: the live workbook is read into the core's
snapshot, scored, and the core's write plan is applied through xlwings — output
sheets perfeval wrote before (their ownership mark, :mod:`perfeval_xl.io.ownership`) are
deleted and written anew after the input sheets, each with its mark; input sheets are
never written to.

Works with any ``xlwings.Book``: desktop Excel over COM (Windows), and the remote
engine (``xw.Book(json=...)``, xlwings Server / Lite) on which the tests run. Calls
are batched because every property set is a COM round trip on the desktop:

* one ``.value`` read per used range per input sheet;
* one ``.value`` write of the whole dense grid per output sheet;
* formats by property, not by cell: for each property (number format, bold, fill, …)
  the cells sharing a value are covered by rectangles, and on desktop Excel the
  rectangles are joined into multi-area addresses (``A1:C3,E1:E9``), so a sheet takes
  a few dozen calls whatever its size.

Text that Excel would turn into something else (``=…``, ``+5``, ``-``, ``1-2``,
``50%``, ``2024年5月``, ``TRUE``, ``#N/A``…) is written with a leading apostrophe, the
quote prefix both COM and Office.js honour, so it stays the text the core produced.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sys
from decimal import Decimal
from typing import Callable, Iterable, Iterator

from perfeval_xl.core import schema
from perfeval_xl.core.book import TakenSnapshot
from perfeval_xl.core.findings import TemplateError, column_letter
from perfeval_xl.core.grid import fill_merged_text
from perfeval_xl.core.normalize import EXCEL_ERRORS, ExcelErrorValue
from perfeval_xl.core.styles import FONT_NAME, STYLES, Style
from perfeval_xl.core.writeplan import Chart, ChartPlan, SheetPlan, WritePlan
from perfeval_xl.io.ownership import (ExistingSheet, existing_sheet, foreign_sheet_error, mark_name, mark_reference,
                                      recorded_name, sort_out)
from perfeval_xl.io.engines import Output

logger = logging.getLogger(__name__)

ALERT_TITLE = "绩效评价"
#: desktop COM takes multi-area addresses up to 255 characters
MAX_ADDRESS = 250
BORDER_COLOR = "#808080"
#: what a new sheet has before we format it (properties equal to these are not set)
DEFAULTS = {"number_format": "General", "bold": False, "italic": False, "color": None, "fill": None,
            "wrap": False, "border": False}


# --- reading ------------------------------------------------------------------------


def input_sheet_names() -> set[str]:
    return set(schema.INPUT_SHEET_NAMES)


def _cell(value):
    if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
        return ExcelErrorValue(value.strip())
    return value


#: a used range bigger than this is first trimmed to the last cell holding a value
TRIM_AREA = 200_000
#: the file adapter's limit (perfeval_xl.io.guard.MAX_AREA): beyond it, refuse
MAX_AREA = 10_000_000


def read_book_snapshot(book) -> TakenSnapshot:
    """The core's snapshot of a live workbook: {input sheet name: rows from A1}.

    One ``.value`` read per input sheet's used range (error cells come as their
    error text and are marked as :class:`ExcelErrorValue`); rows are anchored at A1
    so findings name the right cells. Sheets the core does not read are skipped.
    A used range blown up by formatting is trimmed to the last value first (COM).
    """
    wanted = input_sheet_names()
    snapshot = TakenSnapshot()
    for sheet in book.sheets:
        if sheet.name.strip() in wanted:
            snapshot[sheet.name] = _sheet_rows(sheet)
    return snapshot


def _sheet_rows(sheet) -> list[list[object]]:
    """One sheet's values from A1: one ``.value`` read of its used range."""
    used = _trimmed(sheet, sheet.used_range)
    values = used.options(ndim=2, err_to_str=True).value
    top, left = used.row, used.column
    rows: list[list[object]] = [[] for _ in range(top - 1)]
    rows += [[None] * (left - 1) + [_cell(v) for v in row] for row in values]
    merges = _com_merges(sheet, rows)
    if merges:
        fill_merged_text(rows, merges)
    return rows


def read_book_others(book) -> dict[str, list[list[object]]]:
    """What 复核 reads besides the template's input sheets: every sheet that is neither an input
    sheet, nor written by perfeval (by its mark), nor the template's guide — self-evaluation forms
    and pasted report tables, as :func:`perfeval_xl.review.read_others` reads them from a file.
    Numbers come as stored: a live workbook's values carry no number formats (Office.js sends values
    only), so a pasted table is compared at the precision it stores, not the one it shows."""
    from perfeval_xl.io.ownership import sort_out
    from perfeval_xl.review import _others  # the one rule of which sheets review reads

    ours = sort_out(live_sheets(book), ()).replace
    names = set(_others([sheet.name for sheet in book.sheets], ours))
    return {sheet.name: _sheet_rows(sheet) for sheet in book.sheets if sheet.name in names}


def _trimmed(sheet, used):
    """The used range, cut to the last row and column that hold a value when Excel's
    used range is much larger (formatting applied to whole columns, etc.)."""
    rows, cols = used.shape
    if rows * cols <= TRIM_AREA:
        return used
    api = getattr(sheet, "api", None)
    if api is not None and not isinstance(api, dict):
        try:
            # xlValues = -4163, xlByRows = 1, xlByColumns = 2, xlPrevious = 2
            last_row = api.Cells.Find(What="*", LookIn=-4163, SearchOrder=1, SearchDirection=2)
            last_col = api.Cells.Find(What="*", LookIn=-4163, SearchOrder=2, SearchDirection=2)
            if last_row is None or last_col is None:
                return sheet.range((1, 1))
            used = sheet.range((used.row, used.column),
                               (max(last_row.Row, used.row), max(last_col.Column, used.column)))
            rows, cols = used.shape
        except Exception:  # noqa: BLE001 - read what Excel reports
            logger.debug("trimming the used range failed", exc_info=True)
    if rows * cols > MAX_AREA:
        raise TemplateError(sheet.name, "A1", f"工作表“{sheet.name}”的数据区域有 {rows:,} 行 × {cols:,} 列，"
                                              f"超过 {MAX_AREA:,} 个单元格；请删除多余的空行空列后再评分")
    return used


def _com_merges(sheet, rows) -> list[tuple[int, int, int, int]]:
    """Merged areas that start with a text above a blank (desktop COM only).

    The remote engine sends no merge information, so this is desktop-only: first
    one call to see whether the used range has merged cells at all, then one per
    candidate (a blank cell right below a text).
    """
    api = getattr(sheet, "api", None)
    if api is None or isinstance(api, dict):
        return []
    try:
        if api.UsedRange.MergeCells is False:
            return []
        merges = []
        covered: set[tuple[int, int]] = set()
        for r in range(1, len(rows)):
            for c, value in enumerate(rows[r]):
                above = rows[r - 1][c] if c < len(rows[r - 1]) else None
                if value is not None or not isinstance(above, str) or not above.strip() or (r, c) in covered:
                    continue
                cell = api.Cells(r + 1, c + 1)
                if not cell.MergeCells:
                    continue
                area = cell.MergeArea
                r1, c1 = area.Row - 1, area.Column - 1
                r2, c2 = r1 + area.Rows.Count - 1, c1 + area.Columns.Count - 1
                merges.append((r1, c1, r2, c2))
                covered.update((rr, cc) for rr in range(r1, r2 + 1) for cc in range(c1, c2 + 1))
        return merges
    except Exception:  # noqa: BLE001 - best effort; values are read either way
        logger.debug("merge scan failed on %s", getattr(sheet, "name", "?"), exc_info=True)
        return []


# --- values -------------------------------------------------------------------------

_COERCIBLE = re.compile(r"[\s\d.,:/%()+\-eE年月日时分秒$¥€£]*(\s*[aApP][mM]\s*)?")


def needs_quote(text: str) -> bool:
    """Would Excel read this text as something else (formula, number, date, …)?"""
    if not text:
        return False
    if text[0] in "=+-@'" or text.strip().startswith("#"):
        return True
    if text.strip().upper() in ("TRUE", "FALSE"):
        return True
    return bool(_COERCIBLE.fullmatch(text))


def excel_value(value):
    """A plan value as xlwings should write it."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return "'" + value if needs_quote(value) else value
    if isinstance(value, (bool, int, float, dt.date, dt.datetime)):
        return value
    return str(value)


# --- formats ------------------------------------------------------------------------


def rectangles(cells: Iterable[tuple[int, int]], free: frozenset[tuple[int, int]] | set = frozenset()
               ) -> list[tuple[int, int, int, int]]:
    """Cover a set of (row, col) with (r1, c1, r2, c2) rectangles: row runs, then
    identical runs on consecutive rows merged.  A run may pass over ``free`` cells (ones whose
    value does not matter) between two cells of the set, never start or end on one."""
    cells = set(cells)
    by_row: dict[int, list[int]] = {}
    for r, c in cells:
        by_row.setdefault(r, []).append(c)
    runs: dict[int, list[tuple[int, int]]] = {}
    for r, cols in by_row.items():
        cols.sort()
        start = prev = cols[0]
        for c in cols[1:]:
            if c != prev + 1 and not all((r, between) in free for between in range(prev + 1, c)):
                runs.setdefault(r, []).append((start, prev))
                start = c
            prev = c
        runs.setdefault(r, []).append((start, prev))
    open_rects: dict[tuple[int, int], list[int]] = {}
    done: list[tuple[int, int, int, int]] = []
    for r in sorted(runs):
        current = set(runs[r])
        for key in list(open_rects):
            if key not in current or open_rects[key][1] != r - 1:
                r1, r2 = open_rects.pop(key)
                done.append((r1, key[0], r2, key[1]))
        for key in current:
            if key in open_rects:
                open_rects[key][1] = r
            else:
                open_rects[key] = [r, r]
    done += [(r1, key[0], r2, key[1]) for key, (r1, r2) in open_rects.items()]
    return sorted(done)


def _cover(cells: set[tuple[int, int]], free: frozenset[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """The fewer rectangles of covering ``cells`` alone or passing over ``free`` cells."""
    plain = rectangles(cells)
    if not free:
        return plain
    bridged = rectangles(cells, free)
    return bridged if len(bridged) < len(plain) else plain


def address(rect: tuple[int, int, int, int]) -> str:
    r1, c1, r2, c2 = rect
    first = f"{column_letter(c1)}{r1 + 1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:{column_letter(c2)}{r2 + 1}"


def _is_desktop(book) -> bool:
    try:
        return book.app.engine.name == "excel" and sys.platform.startswith("win")
    except Exception:  # noqa: BLE001
        return False


def _joined(addresses: list[str], multi_area: bool) -> Iterator[str]:
    """Addresses one by one, or joined into multi-area addresses (desktop COM)."""
    if not multi_area:
        yield from addresses
        return
    batch: list[str] = []
    for text in addresses:
        if batch and len(",".join(batch + [text])) > MAX_ADDRESS:
            yield ",".join(batch)
            batch = []
        batch.append(text)
    if batch:
        yield ",".join(batch)


def _ranges(sheet, rects: list[tuple[int, int, int, int]], multi_area: bool) -> Iterator[object]:
    """xlwings ranges covering ``rects`` (multi-area on desktop: fewer COM calls)."""
    for text in _joined([address(rect) for rect in rects], multi_area):
        yield sheet.range(text)


def _style_properties(style: Style) -> dict[str, object]:
    return {
        "number_format": style.number_format,
        "bold": style.bold,
        "italic": style.italic,
        "size": style.size,
        "color": style.color,
        "fill": style.fill,
        "align": style.align,
        "wrap": style.wrap,
        "border": style.border,
    }


def _set(rng, prop: str, value) -> None:
    if prop == "number_format":
        rng.number_format = value
    elif prop == "bold":
        rng.font.bold = value
    elif prop == "italic":
        rng.font.italic = value
    elif prop == "size":
        rng.font.size = value
    elif prop == "color":
        rng.font.color = "#" + value
    elif prop == "fill":
        rng.color = "#" + value
    elif prop == "align":
        rng.horizontal_alignment = value
    elif prop == "wrap":
        rng.wrap_text = value
    elif prop == "border":
        rng.borders.set(value, line_style="continuous", color=BORDER_COLOR)  # thin is the default weight
    elif prop == "font":
        rng.font.name = value
    elif prop == "valign":
        rng.vertical_alignment = value


#: properties a blank cell does not show in a row of fixed height: they may be set over the blank cells of
#: such rows, so that one rectangle covers what would otherwise take several
INVISIBLE_ON_BLANK = {"number_format", "bold", "italic", "size", "align", "wrap", "font", "valign"}
#: properties whose every value (default included) can be set: a base value may be painted first and the
#: other values over it
REPAINTABLE = {"number_format", "bold", "italic", "size", "align", "wrap", "font", "valign"}


def _blank_cells(plan: SheetPlan, styled: set[tuple[int, int]]) -> frozenset[tuple[int, int]]:
    """The cells without value or style in the rows of fixed height (every row the plan gives a height)."""
    cols = range(max((c for _, c in styled), default=-1) + 1)
    return frozenset((r, c) for r in plan.heights for c in cols if (r, c) not in styled)


def format_groups(plan: SheetPlan) -> list[tuple[str, object, list[tuple[int, int, int, int]]]]:
    """(property, value, rectangles) to set, in this order (a later group of a property may cover
    cells of an earlier one): every styled cell gets the font and vertical centring; for each other
    property, either each value that differs from a new sheet's default over its own cells, or —
    when that takes fewer ranges — the commonest value over all styled cells first and every other
    value over its cells after.  Properties a blank cell does not show may be set over blank cells."""
    values: dict[str, dict[object, set[tuple[int, int]]]] = {}
    styled: set[tuple[int, int]] = set()
    for r, c, _value, name in plan.styled_cells():  # merged areas styled in full, as the file writer does
        styled.add((r, c))
        props = {"font": FONT_NAME, "valign": "center", **_style_properties(STYLES[name])}
        for prop, value in props.items():
            values.setdefault(prop, {}).setdefault(value, set()).add((r, c))
    blank = _blank_cells(plan, styled)
    result = []
    for prop in sorted(values, key=lambda p: (p not in ("font", "valign"), p)):
        by_value = values[prop]
        free = blank if prop in INVISIBLE_ON_BLANK else frozenset()
        covers = {value: _cover(cells, free) for value, cells in by_value.items()}
        order = sorted(by_value, key=str)
        # each value but the default over its own cells
        best = [(value, covers[value]) for value in order if not (prop in DEFAULTS and value == DEFAULTS[prop])]
        if prop in REPAINTABLE:
            base = max(order, key=lambda value: len(covers[value]))
            painted = [(base, _cover(styled, free))] + [(value, covers[value]) for value in order if value != base]
            if sum(len(rects) for _, rects in painted) < sum(len(rects) for _, rects in best):
                best = painted
        result += [(prop, value, rects) for value, rects in best]
    return result


OUTSIDE = ["edge_top", "edge_bottom", "edge_left", "edge_right"]


def border_groups(rects: list[tuple[int, int, int, int]]) -> list[tuple[list[str], list[tuple[int, int, int, int]]]]:
    """Rectangles grouped by the border sides they have: inside borders only where a
    rectangle has more than one row / column (Excel refuses them otherwise)."""
    groups: dict[tuple[bool, bool], list[tuple[int, int, int, int]]] = {}
    for rect in rects:
        r1, c1, r2, c2 = rect
        groups.setdefault((c2 > c1, r2 > r1), []).append(rect)
    result = []
    for (wide, tall), group in sorted(groups.items()):
        sides = OUTSIDE + (["inside_vertical"] if wide else []) + (["inside_horizontal"] if tall else [])
        result.append((sides, group))
    return result


def size_groups(sizes: dict[int, float]) -> list[tuple[float, list[tuple[int, int]]]]:
    """{index: size} → [(size, [(first, last), …])]: runs of consecutive indexes, by size."""
    runs: list[tuple[int, int, float]] = []
    for index in sorted(sizes):
        if runs and runs[-1][1] == index - 1 and runs[-1][2] == sizes[index]:
            runs[-1] = (runs[-1][0], index, sizes[index])
        else:
            runs.append((index, index, sizes[index]))
    grouped: dict[float, list[tuple[int, int]]] = {}
    for first, last, size in runs:
        grouped.setdefault(size, []).append((first, last))
    return sorted(grouped.items(), key=lambda item: item[1][0])


def size_strokes(sizes: dict[int, float]) -> list[tuple[float, int, int]]:
    """{index: size} → the fewest (size, first, last) settings that, applied in order, leave every
    index at its size and touch no index without one: within each run of consecutive indexes, a
    size may be set over a whole stretch and the indexes that differ set after it (the "strange
    printer" recurrence over runs of equal sizes, optimal in one dimension)."""
    strokes: list[tuple[float, int, int]] = []
    indexes = sorted(sizes)
    segment: list[int] = []
    for index in indexes + [None]:
        if index is not None and (not segment or index == segment[-1] + 1):
            segment.append(index)
            continue
        if segment:
            strokes += _paint([sizes[i] for i in segment], segment[0])
        segment = [index] if index is not None else []
    return strokes


def _paint(seq: list[float], offset: int) -> list[tuple[float, int, int]]:
    runs: list[tuple[float, int, int]] = []  # (size, first, last) of equal neighbours
    for i, size in enumerate(seq):
        if runs and runs[-1][0] == size:
            runs[-1] = (size, runs[-1][1], i)
        else:
            runs.append((size, i, i))
    n = len(runs)
    color = [size for size, _, _ in runs]
    memo: dict[tuple[int, int], tuple[int, int]] = {}

    def stretches(i: int, m: int) -> list[tuple[int, int]]:
        """The stretches (first, last) of runs i+1..m that differ from run i's size: what a stroke of
        run i's size over runs i..m leaves to paint."""
        found, k = [], i + 1
        while k <= m:
            if color[k] == color[i]:
                k += 1
                continue
            end = k
            while end + 1 <= m and color[end + 1] != color[i]:
                end += 1
            found.append((k, end))
            k = end + 1
        return found

    def cost(i: int, j: int) -> int:
        """Fewest strokes for runs i..j: the first stroke paints runs i..m in run i's size (m a run
        of the same size); the runs between that differ are painted after, each stretch on its own;
        runs m+1..j are independent."""
        if i > j:
            return 0
        if (i, j) in memo:
            return memo[i, j][0]
        best, best_m = None, i
        for m in range(i, j + 1):
            if color[m] != color[i]:
                continue
            inner = sum(cost(k, end) for k, end in stretches(i, m))
            total = 1 + inner + cost(m + 1, j)
            if best is None or total < best:
                best, best_m = total, m
        assert best is not None, "runs i..j (i ≤ j) have a first stroke"
        memo[i, j] = (best, best_m)
        return best

    def strokes(i: int, j: int) -> list[tuple[float, int, int]]:
        if i > j:
            return []
        cost(i, j)
        m = memo[i, j][1]
        out = [(color[i], runs[i][1] + offset, runs[m][2] + offset)]
        for k, end in stretches(i, m):
            out += strokes(k, end)
        return out + strokes(m + 1, j)

    return strokes(0, n - 1)


def column_width_for(engine: str, characters: float) -> float:
    """Plan widths are in characters (as openpyxl); Office.js takes points."""
    if engine == "remote":
        return round((characters * 7 + 5) * 0.75, 2)
    return characters


def write_sheet(book, sheet, plan: SheetPlan) -> None:
    """Values in one write, then merges, formats, sizes, freeze and page setup."""
    multi_area = _is_desktop(book)
    engine = book.app.engine.name
    if plan.cells:
        sheet.range((1, 1)).value = [[excel_value(v) for v in row] for row in plan.grid()]
    for prop, value, rects in format_groups(plan):
        if prop == "border":
            for sides, group in border_groups(rects):
                for rng in _ranges(sheet, group, multi_area):
                    _set(rng, prop, sides)
            continue
        for rng in _ranges(sheet, rects, multi_area):
            _set(rng, prop, value)
    if multi_area:
        for r1, c1, r2, c2 in plan.merges:
            sheet.range(address((r1, c1, r2, c2))).api.Merge()  # alerts are off for the whole run (score_book)
        for width, runs in size_groups(plan.widths):
            columns = [f"{column_letter(a)}:{column_letter(b)}" for a, b in runs]
            for text in _joined(columns, multi_area):
                sheet.range(text).column_width = column_width_for(engine, width)
        for height, runs in size_groups(plan.heights):
            for text in _joined([f"{a + 1}:{b + 1}" for a, b in runs], multi_area):
                sheet.range(text).row_height = height
    else:  # one rectangle per call (Office.js): fewer calls by painting sizes over stretches
        for rect in plan.merges:
            sheet.range(address(rect)).merge()
        for width, a, b in size_strokes(plan.widths):
            sheet.range(f"{column_letter(a)}:{column_letter(b)}").column_width = column_width_for(engine, width)
        for height, a, b in size_strokes(plan.heights):
            sheet.range(f"{a + 1}:{b + 1}").row_height = height
    if plan.freeze and plan.freeze != (0, 0):
        _freeze(book, sheet, *plan.freeze)
    if multi_area:
        _page_setup(book, sheet, plan)
        _page_breaks(sheet, plan)
    for chart in plan.charts:
        add_chart(sheet, chart, desktop=multi_area)


def chart_source(placed: ChartPlan) -> tuple[int, int, int, int]:
    """The table a chart is drawn from: its header row (the series' names) down to the last category,
    from the category column to the last series."""
    row, col = placed.table
    return row, col, row + len(placed.chart.categories), col + len(placed.chart.series)


def add_chart(sheet, placed: ChartPlan, desktop: bool = False) -> None:
    """A native chart of the plan, through xlwings' chart API; fonts and data labels, which that
    API does not reach, over COM on desktop Excel (best effort)."""
    chart = placed.chart
    row, col = placed.anchor
    added = sheet.charts.add(width=placed.width, height=placed.height, name=placed.title,
                             chart_type="column_clustered", anchor=sheet.range(address((row, col, row, col))))
    added.set_source_data(sheet.range(address(chart_source(placed))), plot_by="columns")
    added.title = placed.title  # the series take their names from the table's header row
    axis: dict[str, object] = {"number_format": chart.axis_format}
    if chart.value_title:
        axis["title"] = chart.value_title
    if chart.minimum is not None:
        axis["minimum_scale"] = float(chart.minimum)
    if chart.maximum is not None:
        axis["maximum_scale"] = float(chart.maximum)
    added.value_axis.set(**axis)
    if chart.category_title:
        added.category_axis.title = chart.category_title
    if chart.legend:
        added.legend.position = "top"
    else:
        added.legend.visible = False
    if desktop:
        _chart_com(added, chart)


def _chart_com(added, chart: Chart) -> None:
    try:
        com = added.api[1]
        com.ChartArea.Format.TextFrame2.TextRange.Font.NameFarEast = FONT_NAME
        com.ChartArea.Format.TextFrame2.TextRange.Font.Name = FONT_NAME
        for i, planned in enumerate(chart.series, start=1):
            series = com.SeriesCollection(i)
            series.Name = planned.name
            if chart.value_labels:
                series.HasDataLabels = True
                series.DataLabels().NumberFormat = chart.label_format
    except Exception:  # noqa: BLE001 - cosmetic
        logger.debug("chart fonts or labels over COM failed", exc_info=True)


def _freeze(book, sheet, row: int, col: int) -> None:
    if col == 0:
        frozen = f"1:{row}"
    elif row == 0:
        frozen = f"A:{column_letter(col - 1)}"
    else:
        frozen = f"A1:{column_letter(col - 1)}{row}"
    try:
        sheet.freeze_panes.freeze_at(frozen)
        return
    except (AttributeError, NotImplementedError):
        pass  # desktop engines have no freeze_panes: use the window (COM)
    except Exception:  # noqa: BLE001
        logger.debug("freeze_at failed", exc_info=True)
        return
    try:
        sheet.activate()
        window = book.app.api.ActiveWindow
        window.FreezePanes = False
        window.SplitColumn = col
        window.SplitRow = row
        window.FreezePanes = True
    except Exception:  # noqa: BLE001 - cosmetic
        logger.debug("freezing panes over COM failed", exc_info=True)


def _page_breaks(sheet, plan: SheetPlan) -> None:
    """The plan's manual page breaks (desktop COM, after the page setup is committed; best effort)."""
    try:
        for row in sorted({r for r in plan.row_breaks if r > 0}):
            sheet.api.HPageBreaks.Add(Before=sheet.api.Rows(row + 1))
    except Exception:  # noqa: BLE001 - cosmetic
        logger.debug("page breaks failed", exc_info=True)


def _page_setup(book, sheet, plan: SheetPlan) -> None:
    """Landscape, one page wide, print titles, page numbers (desktop COM; cosmetic, best effort)."""
    app = None
    try:
        app = book.app.api
        app.PrintCommunication = False
        setup = sheet.api.PageSetup
        setup.Orientation = 2 if plan.landscape else 1
        setup.Zoom = False
        setup.FitToPagesWide = 1
        setup.FitToPagesTall = False
        setup.CenterHorizontally = True
        if plan.title_rows:
            setup.PrintTitleRows = f"${plan.title_rows[0] + 1}:${plan.title_rows[1] + 1}"
        if plan.footer:
            setup.CenterFooter = plan.footer
    except Exception:  # noqa: BLE001
        logger.debug("page setup failed", exc_info=True)
    finally:
        if app is not None:
            try:
                app.PrintCommunication = True
            except Exception:  # noqa: BLE001
                pass


def _refers_to(name) -> Callable[[], str]:
    """What a defined name refers to, read only when asked (the remote engine may not have it)."""
    return lambda: name.refers_to


def live_sheets(book) -> list[ExistingSheet]:
    """The sheets of a live workbook with the sheet name their ownership mark records, if any.
    The mark is told by its name alone; only the old mark's value is read (desktop Excel: the
    remote clients send no name whose value is a constant)."""
    found = []
    for sheet in book.sheets:
        recorded = []
        try:
            for name in sheet.names:
                recorded.append(recorded_name(name.name, _refers_to(name)))
        except Exception:  # noqa: BLE001 - an engine without sheet names: no marks to see
            logger.debug("reading the names of %s failed", sheet.name, exc_info=True)
        found.append(existing_sheet(sheet.name, recorded))
    return found


def _mark(sheet, name: str) -> None:
    """The ownership mark: a sheet-scoped range name, hidden where the engine allows it."""
    added = sheet.names.add(mark_name(name), "=" + mark_reference(name))
    try:
        added.api.Visible = False  # desktop COM; the remote engine has no visibility
    except Exception:  # noqa: BLE001 - cosmetic
        pass


def apply_plan(book, plan: WritePlan) -> None:
    """Replace the output sheets of ``book`` by the plan's; input sheets untouched.  A sheet
    without perfeval's mark is never deleted; one that carries the name of a sheet to be
    written stops the run (TemplateError)."""
    ownership = sort_out(live_sheets(book), plan.names)
    if ownership.foreign:
        raise foreign_sheet_error(ownership.foreign)
    for name in ownership.replace:
        book.sheets[name].delete()
    last = book.sheets[len(book.sheets) - 1]
    for sheet_plan in plan.sheets:
        sheet = book.sheets.add(name=sheet_plan.name, after=last)
        write_sheet(book, sheet, sheet_plan)
        _mark(sheet, sheet_plan.name)
        last = sheet
    if plan.sheets:
        book.sheets[plan.sheets[0].name].activate()


def write_plan(plan: WritePlan, output) -> None:
    """The ``xlwings`` engine (:mod:`perfeval_xl.writers`): :func:`apply_plan` into the open
    book ``output.target``."""
    apply_plan(output.target, plan)


# --- the button ---------------------------------------------------------------------


def _status(app, text) -> None:
    try:
        app.status_bar = text
    except Exception:  # noqa: BLE001 - the remote engine has no status bar
        pass


def _quiet(app, on: bool) -> None:
    """Screen updating and alerts off while writing (the remote engine ignores most)."""
    for prop in ("screen_updating", "display_alerts"):
        try:
            setattr(app, prop, not on)
        except Exception:  # noqa: BLE001
            pass


def alert(app, message: str, critical: bool = False) -> None:
    try:
        app.alert(message, title=ALERT_TITLE, mode="critical" if critical else "info")
    except Exception:  # noqa: BLE001 - never let the message box itself fail the run
        logger.warning("%s", message)


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def result_message(scored) -> str:
    ev = scored.evaluation
    from perfeval_xl.core.numbers import fmt_score

    lines = [f"评分完成：{ev.book.name or '项目'} 得分 {fmt_score(ev.total)} 分，等级“{ev.grade}”。"]
    if not ev.whole:
        lines.append("各单位：" + "，".join(f"{u.name} {fmt_score(u.total)}" for u in ev.units[:12])
                     + ("……" if len(ev.units) > 12 else ""))
    findings = list(scored.findings)
    errors = [f for f in findings if f.severity == "error"]
    if findings:
        lines.append(f"校验发现错误 {len(errors)} 项、提示 {len(findings) - len(errors)} 项，"
                     f"全部列在“{schema.OUTPUT_FINDINGS}”工作表：")
        for f in (errors or findings)[:5]:
            level = f.level
            where = f"{f.sheet}!{f.cell}：" if f.sheet else ""
            lines.append(f"[{level}] {where}{_short(f.message)}")
        if len(findings) > 5:
            lines.append(f"……其余 {len(findings) - 5} 项见“{schema.OUTPUT_FINDINGS}”工作表")
    lines.append("输入工作表未作任何修改；需要时请保存工作簿。")
    return "\n".join(lines)


def score_book(book):
    """Score a live workbook in place; returns the Scored, or None when it could not.

    Problems are shown in Chinese in a message box (queued as an ``alert`` action on
    the remote engine); nothing raises to the caller, so the ribbon never shows a
    Python traceback.
    """
    from perfeval_xl.pipeline import score_snapshot

    def refused(exc: TemplateError) -> str:
        where = f"工作表“{exc.sheet}”{exc.cell}：" if exc.sheet else ""
        return f"无法评分：这不是有效的绩效评价模板。\n{where}{exc.message}\n输入工作表未作任何修改。"

    return _run_on_book(book, "评分", lambda: score_snapshot(read_book_snapshot(book)), refused,
                        lambda scored: (result_message(scored), bool(scored.findings.errors)))


def review_book(book):
    """复核 on a live workbook: the evaluation scored and its 报告数据 reconciled, the
    self-evaluation forms and pasted report tables of its other sheets checked, the score sheets
    and 复核意见 written into it (as :func:`score_book` writes, input sheets untouched).  Returns
    the Reviewed, or None when it could not; every problem is a Chinese message box."""
    from perfeval_xl.review import review_snapshot

    def refused(exc: TemplateError) -> str:
        where = f"工作表“{exc.sheet}”{exc.cell}：" if exc.sheet else ""
        return f"无法复核：{where}{exc.message}\n输入工作表未作任何修改。"

    return _run_on_book(book, "复核", lambda: review_snapshot(read_book_snapshot(book), read_book_others(book)),
                        refused, lambda reviewed: (review_message(reviewed), reviewed.failed))


def review_message(reviewed) -> str:
    """The message box after 复核: the score (for an evaluation), what was compared, the first slips."""
    from perfeval_xl.core.numbers import fmt_score

    result = reviewed.result
    lines = []
    if reviewed.evaluation is not None:
        ev = reviewed.evaluation
        lines.append(f"{ev.book.name or '项目'} 复算得分 {fmt_score(ev.total)} 分，等级“{ev.grade}”。")
    lines.append(f"复核完成：核对报告印出的数字 {result.checked} 个，一致 {result.agreed} 个，差错 {len(result.slips)} 个"
                 + (f"；{len(result.unchecked)} 处表格区域未能核对" if result.unchecked else "") + "。")
    for slip in result.slips[:5]:
        lines.append(f"[差错] {slip.sheet}!{slip.cell}：{_short(slip.object, 40)} 报告 {slip.printed}，复算 {slip.expected}")
    if result.slips or result.unchecked or reviewed.findings:
        lines.append(f"全部差错、未核对区域和错误列在“{schema.OUTPUT_REVIEW}”工作表。")
    lines.append("输入工作表未作任何修改；需要时请保存工作簿。")
    return "\n".join(lines)


def _run_on_book(book, verb: str, compute, refused, message):
    """Compute, write the plan into ``book`` and tell the user; never raises (the ribbon and
    xlwings Lite must not show a traceback).  ``refused(TemplateError)`` is the message when the
    workbook cannot be read as asked, ``message(result)`` gives (text, critical) at the end."""
    app = book.app
    _status(app, "绩效评价：正在读取工作簿…")
    try:
        try:
            result = compute()
        except TemplateError as exc:
            alert(app, refused(exc), critical=True)
            return None
        _status(app, f"绩效评价：正在写入{verb}结果…")
        _quiet(app, True)
        try:
            write_plan(result.plan, Output(book))
        except TemplateError as exc:  # a sheet of the user's carries an output sheet's name
            alert(app, f"无法写入{verb}结果：{exc.message}\n工作簿未作任何修改。", critical=True)
            return None
        finally:
            _quiet(app, False)
        text, critical = message(result)
        alert(app, text, critical=critical)
        return result
    except Exception as exc:  # noqa: BLE001 - the ribbon must never show a traceback
        logger.exception("%s the workbook failed", verb)
        alert(app, f"{verb}时出现意外错误（{type(exc).__name__}：{_short(str(exc), 200)}）。\n"
                   "输入工作表未作任何修改；请把工作簿和这条提示发给维护人员。", critical=True)
        return None
    finally:
        _status(app, False)


def main() -> None:
    """What the 评分 button runs (``import perfeval_xl; perfeval_xl.main()``)."""
    import xlwings as xw

    score_book(xw.Book.caller())
