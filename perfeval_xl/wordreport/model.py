"""The report document as plain, library-free data.

The content builder produces a list of blocks; the docx writer renders them.  Every
figure is already formatted text here, so tests can read the document without Word.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from ..core.charts import BarChart  # the chart data, shared with the 图表 sheet


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 0 the report title, 1 一、, 2 （一）, 3 1., 4 an annex title, 5 an unnumbered title (报告摘要, 目录)


@dataclass(frozen=True)
class Paragraph:
    text: str
    #: body (indented first line) / center / meta (cover lines) / note (small) / item (no indent) /
    #: fill (a placeholder the evaluator writes: 【请补充：…】, highlighted) / annex (附件N)
    style: str = "body"


@dataclass(frozen=True)
class Cell:
    text: str
    align: str = "left"  # left / center / right
    bold: bool = False
    shaded: bool = False


@dataclass(frozen=True)
class Table:
    caption: str
    #: header rows (repeated on every page) then body rows; every row has the same length
    header: tuple[tuple[Cell, ...], ...]
    body: tuple[tuple[Cell, ...], ...]
    #: merged ranges (r1, c1, r2, c2) in table rows, header rows counted first; zero-based, inclusive
    merges: tuple[tuple[int, int, int, int], ...] = ()
    #: relative column widths
    widths: tuple[float, ...] = ()
    #: lines printed above the table (unit, scope) and notes printed below it
    above: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    #: small print for wide tables
    compact: bool = False

    @property
    def n_cols(self) -> int:
        rows = self.header or self.body
        return len(rows[0]) if rows else 0

    @property
    def rows(self) -> tuple[tuple[Cell, ...], ...]:
        return self.header + self.body


@dataclass(frozen=True)
class Figure:
    caption: str
    chart: BarChart
    #: the chart's figures in words, for readers and for tests
    alt: str = ""


@dataclass(frozen=True)
class Section:
    """A new section starting on a new page (landscape for wide annex tables)."""

    landscape: bool = False


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Toc:
    """The table of contents: a TOC field over the numbered headings (Word fills it on opening)."""

    levels: int = 3


Block = Heading | Paragraph | Table | Figure | Section | PageBreak | Toc


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)
    #: things the reader of the CLI should know (e.g. charts left out for want of a CJK font)
    notices: list[str] = field(default_factory=list)
    #: document properties: the author (评价机构) and the date
    author: str = ""
    date: _dt.date | None = None

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)

    def text(self) -> str:
        """Every heading, paragraph, caption and table cell, one per line (for tests and search)."""
        lines: list[str] = []
        for block in self.blocks:
            if isinstance(block, (Heading, Paragraph)):
                lines.append(block.text)
            elif isinstance(block, Table):
                lines.append(block.caption)
                lines.extend(block.above)
                lines.extend("\t".join(c.text for c in row) for row in block.rows)
                lines.extend(block.notes)
            elif isinstance(block, Figure):
                lines.append(block.caption)
        return "\n".join(lines)
