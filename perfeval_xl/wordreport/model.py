"""The report document as plain, library-free data.

The content builder produces a list of blocks; the docx writer renders them.  Every
figure is already formatted text here, so tests can read the document without Word.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field, fields, is_dataclass, replace

from ..core.writeplan import Chart  # the one chart model, drawn by every renderer
from ..core.normalize import xml_safe


#: what XML 1.0 cannot hold (C0 controls but tab/newline, U+FFFE/U+FFFF, lone surrogates) and the bidi
#: overrides and isolates (U+202A–U+202E, U+2066–U+2069: they reorder the printed text and break the chart layout)
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
#: besides what no XML part may hold (core.normalize.xml_safe): DEL and the direction overrides, which
#: python-docx's text and the chart layout refuse or misprint
_DOCUMENT_ONLY = re.compile("[\x7f\u202a-\u202e\u2066-\u2069]")
#: line separators a pasted text may hold (NEL, LINE/PARAGRAPH SEPARATOR, CR): a line break of the document
_LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")


_DIRTY = re.compile(_UNPRINTABLE.pattern[:-1] + "\r\x85\u2028\u2029]")


def printable(text: str) -> str:
    """A user's text as the document prints it: the one place the report cleans what a workbook's
    text may carry (Excel stores a pasted soft line break as _x000B_) and python-docx, the XML of
    the .docx or the chart text layout refuse; line separators become "\n"."""
    return xml_safe(_DOCUMENT_ONLY.sub("", _LINE_BREAKS.sub("\n", text)))


def _cleaned(value, one_line: bool = False):
    """``value`` with every string printable; a chart's labels on one line (its text layout has no breaks)."""
    if isinstance(value, str):
        text = printable(value) if _DIRTY.search(value) else value
        return text.replace("\n", " ") if one_line and "\n" in text else text
    if isinstance(value, Cell):  # the bulk of a document: the one text field checked directly
        return replace(value, text=printable(value.text)) if _DIRTY.search(value.text) else value
    if isinstance(value, tuple):
        new = tuple(_cleaned(v, one_line) for v in value)
        return value if all(a is b for a, b in zip(new, value)) else new
    if is_dataclass(value) and not isinstance(value, type):
        one_line = one_line or isinstance(value, Chart)
        changes = {}
        for f in fields(value):
            if f.init:
                old = getattr(value, f.name)
                new = _cleaned(old, one_line)
                if new is not old:
                    changes[f.name] = new
        return replace(value, **changes) if changes else value
    return value


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
    chart: Chart
    #: the chart's figures in words, for readers and for tests
    alt: str = ""


@dataclass(frozen=True)
class Section:
    """A new section starting on a new page (landscape for wide annex tables)."""

    landscape: bool = False
    #: printed at the top of every page of the section (an annex's label and title, so that a table
    #: continued over several pages still says whose it is)
    header: str = ""


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

    def cleaned(self) -> "Document":
        """The document with every text :func:`printable` (title, author, blocks, chart labels)."""
        return Document(printable(self.title), [_cleaned(b) for b in self.blocks], self.notices,
                        printable(self.author), self.date)

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
