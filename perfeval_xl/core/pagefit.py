"""How a sheet of the write plan prints on A4: the scale at which its columns fit one page wide
(the writers ask Excel / WPS / LibreOffice to fit the width), and manual page breaks that keep
blocks of rows whole.

The figures are those every writer sets: A4, left and right margins 0.4", top and bottom 0.75".
A column ``w`` characters wide (the width as stored, padding included) is ``7·w`` pixels at 96 dpi,
7 pixels being the digit width of the workbook's default 11 pt font; LibreOffice's PDF of the
samples prints their columns at exactly these widths times the scale.
"""

from __future__ import annotations

import math
from typing import AbstractSet

from .writeplan import DEFAULT_HEIGHT, SheetPlan

#: A4 in points (portrait width, height)
A4 = (595.3, 841.9)
#: left + right, top + bottom margins in points (0.4" and 0.75" each side)
MARGINS = (2 * 0.4 * 72, 2 * 0.75 * 72)
#: what the rows of a page may fill of its printable height: room for the row heights that the
#: printing program rounds up and for wrapped lines it breaks a little differently
HEIGHT_SLACK = 0.92


def column_points(width: float) -> float:
    """The printed width at 100 % of a column ``width`` characters wide, in points."""
    return 7 * width * 0.75


def printable(landscape: bool) -> tuple[float, float]:
    """(width, height) in points inside the margins of an A4 page."""
    width, height = (A4[1], A4[0]) if landscape else A4
    return width - MARGINS[0], height - MARGINS[1]


def table_points(plan: SheetPlan, n_cols: int | None = None) -> float:
    count = plan.n_cols if n_cols is None else n_cols
    return sum(column_points(plan.widths.get(c, 10)) for c in range(count))


def fit_scale(wide: float, landscape: bool) -> int:
    """The whole percent at which a table ``wide`` points wide fits one page wide (at most 100)."""
    if wide <= 0:
        return 100
    return min(100, math.floor(printable(landscape)[0] * 100 / wide))


def print_scale(plan: SheetPlan) -> int:
    """The whole percent at which the sheet's columns fit one page wide (100 when they fit as they are)."""
    return fit_scale(table_points(plan), plan.landscape)


def page_rows(landscape: bool, scale: int) -> float:
    """How many points of row height one printed page holds at ``scale`` percent (with the slack)."""
    return printable(landscape)[1] * HEIGHT_SLACK * 100 / scale


def widths_for_scale(scale: int, landscape: bool, fixed: float, columns: int) -> float:
    """The width (in characters) each of ``columns`` equal columns may have so that, beside columns
    of ``fixed`` points, the table still prints at ``scale`` percent."""
    room = printable(landscape)[0] * 100 / scale - fixed
    return math.floor(room / columns / 0.75 / 7 * 2) / 2  # to half a character


def row_points(plan: SheetPlan, row: int) -> float:
    return plan.heights.get(row, DEFAULT_HEIGHT)


def block_breaks(plan: SheetPlan, blocks: list[tuple[int, int]], new_pages: AbstractSet[int] = frozenset()) -> list[int]:
    """Manual page breaks so that no block of rows (first, last; in order) is split over two pages
    where it fits on one: a block that does not fit in what is left of the page starts the next page.
    A block taller than a page starts a page and runs on.  Rows repeated as print titles take their
    room on every page; the scale is the sheet's :func:`print_scale`.  A block whose first row is in
    ``new_pages`` always starts a page (the rest of a block cut to pages, under its repeated header)."""
    page = page_rows(plan.landscape, print_scale(plan))
    titles = sum(row_points(plan, r) for r in range(plan.title_rows[0], plan.title_rows[1] + 1)) \
        if plan.title_rows else 0
    breaks: list[int] = []
    used = sum(row_points(plan, r) for r in range(blocks[0][0])) if blocks else 0
    previous = None
    for start, end in blocks:
        gap = sum(row_points(plan, r) for r in range(previous + 1, start)) if previous is not None else 0
        height = sum(row_points(plan, r) for r in range(start, end + 1))
        if previous is not None and (used + gap + height > page or start in new_pages):
            breaks.append(start)  # the spacer rows before the block stay at the foot of the last page
            used = titles
        else:
            used += gap
        used += height
        previous = end
    return breaks


def group_breaks(plan: SheetPlan, groups: list[tuple[int, int]], cuts: AbstractSet[int] = frozenset()) -> list[int]:
    """Manual page breaks for groups of rows (first, last; in order) that should print whole — the rows
    of one 一级指标 of a 评分表: a group that does not fit in what is left of the page starts the next
    page; a group taller than a page starts a page and is cut where the page is full, at the last row
    of ``cuts`` (the first rows of its 二级 groups) on that page if there is one and the page is at
    least half full there, else at the row that no longer fits.  Rows repeated as print titles take their room on every page."""
    scale = print_scale(plan) / 100
    page = printable(plan.landscape)[1] * HEIGHT_SLACK / scale
    titles = sum(row_points(plan, r) for r in range(plan.title_rows[0], plan.title_rows[1] + 1)) \
        if plan.title_rows else 0
    breaks: list[int] = []
    used = sum(row_points(plan, r) for r in range(groups[0][0])) if groups else 0
    for start, end in groups:
        height = sum(row_points(plan, r) for r in range(start, end + 1))
        if used + height <= page:
            used += height
            continue
        if start > groups[0][0] or breaks:
            if used > titles:
                breaks.append(start)
            used = titles
        if used + height <= page:
            used += height
            continue
        top = start  # the first row on this page
        for r in range(start, end + 1):
            h = row_points(plan, r)
            if used + h > page and r > top:
                cut = max((c for c in cuts if top < c <= r), default=r)
                if sum(row_points(plan, k) for k in range(cut, r)) > (page - titles) / 2:
                    cut = r  # at the 二级 start the page would be left more than half empty
                breaks.append(cut)
                used = titles + sum(row_points(plan, k) for k in range(cut, r))
                top = cut
            used += h
    return breaks
