"""Audit of report tables pasted into a workbook (表1, 附件3, 附件6-1 …).

A reviewer pastes the tables of a report into sheets of their own.  Each sheet is
scanned for *blocks*: runs of non-blank rows, a block being its title lines, its header
row(s) and its data rows.  In each block:

* a total row (合计, 总计, 小计 in a label cell) must equal the sum of the rows it covers:
  小计 covers the data rows since the previous 小计; 合计 / 总计 cover the data rows — or
  the 小计 (合计) rows plus the data rows after the last of them; either reading agrees;
* an average row (平均, 平均值, 平均分) must equal the mean of the data rows;
* a rate column whose header or neighbours name its numerator and denominator
  (执行率 beside 预算数 and 支出数, 完成率 beside 计划 and 实际, 得分率 = 得分 ÷ 分值 …)
  must equal their quotient on every row;
* a share column (占比, 比重, 构成) must be its neighbour ÷ the column total, and sum to
  100 % (a difference no larger than the rows' rounding is a 尾差 warning, not a slip).

Figures are compared at their printed precision (:mod:`perfeval_xl.core.printed`).
Text and blanks are never guessed into numbers: a total over a cell holding ``-`` is
listed as not checked, and so is every block in which nothing could be checked.

The module is pure: it takes rows of cell values (text as shown, or numbers) and
returns slips, counts and findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from typing import Callable, Mapping, Sequence

from .findings import Findings, cell_name
from .normalize import EXCEL_ERRORS, LONG_MEASURE_WORDS, MEASURE_WORDS, ExcelErrorValue, UncachedFormula
from .numbers import ONE, ZERO
from .printed import Printed, clean, parse_printed, printed_text
from .slips import Slip

#: labels of total rows and their level (a higher level covers the lower ones)
TOTAL_LEVELS = (("小计", 1), ("合计", 2), ("总计", 3))
AVERAGE_LABELS = ("平均值", "平均分", "平均数", "平均")
#: leaf headers of columns that are identifiers, never summed
ID_HEADERS = ("序号", "编号", "题号", "行次", "序次", "代码", "年度", "年份")
SHARE_WORDS = ("占比", "比重", "构成")
#: headers of a column that totals its row
ROW_TOTAL_HEADERS = ("合计", "总计", "小计")
#: a label cell longer than this is prose, not a row label
MAX_LABEL = 16

#: rate columns: (words of the header, numerator words, denominator words), first match wins;
#: the first denominator word found among the columns is taken (执行率: 到位 before 预算)
RATE_KINDS: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    (("得分率",), ("得分",), ("分值", "满分", "权重")),
    (("到位及时率", "及时率"), ("及时",), ("应到位",)),
    (("到位率",), ("到位",), ("预算", "下达", "计划")),
    (("执行率",), ("支出", "执行", "已使用", "使用", "实际发放"), ("到位", "预算", "下达")),
    (("达标率",), ("达标",), ("实际",)),
    (("完成率", "完成比例", "发放率"), ("实际", "完成", "发放"), ("计划", "目标", "应发")),
)


@dataclass(frozen=True)
class Unchecked:
    """A block (or a part of one) the audit could not understand; listed, never passed."""

    sheet: str
    range: str
    reason: str


@dataclass
class Audit:
    slips: list[Slip] = field(default_factory=list)
    #: printed figures compared
    checked: int = 0
    unchecked: list[Unchecked] = field(default_factory=list)
    #: warnings (尾差 of a share column)
    findings: Findings = field(default_factory=Findings)
    #: blocks found (checked or not)
    blocks: int = 0

    @property
    def agreed(self) -> int:
        return self.checked - len(self.slips)

    def extend(self, other: "Audit") -> None:
        self.slips.extend(other.slips)
        self.checked += other.checked
        self.unchecked.extend(other.unchecked)
        self.findings.extend(other.findings)
        self.blocks += other.blocks


# --- cells and rows -------------------------------------------------------------

@dataclass(frozen=True)
class _Cell:
    text: str          # cleaned text ('' for blank)
    number: Printed | None
    #: why a cell that should hold a figure cannot be read (an Excel error value, a formula saved
    #: without its result): said when the cell is skipped, never passed over in silence
    problem: str = ""


#: a blank cell (and a cell beyond a row's end): one for all, it is immutable
_BLANK = _Cell("", None)

#: unit words a pasted table prints after a figure (2分, 15人, 3个); dates (年, 月, 期) stay text
_UNIT_WORDS = tuple(w for w in LONG_MEASURE_WORDS if w not in ("年度", "个月")) + tuple(
    ch for ch in MEASURE_WORDS if ch not in "年月期")
#: the last characters of those words: a text ending otherwise has none of them
_UNIT_ENDS = frozenset(w[-1] for w in _UNIT_WORDS)
#: the same words, to look one up
_UNIT_WORD_SET = frozenset(_UNIT_WORDS)


def _cell(value: object) -> _Cell:
    if type(value) is str:  # what a plain text gives depends on the text alone: read once per process
        return _text_cell(value)
    if value is None:
        return _BLANK
    return _read_cell(value)


@lru_cache(maxsize=8192)
def _text_cell(value: str) -> _Cell:
    return _read_cell(value)


def _read_cell(value: object) -> _Cell:
    if value is None or (isinstance(value, str) and not value.strip()):
        return _BLANK
    text = clean(value)
    if isinstance(value, UncachedFormula):
        return _Cell(text, None, f"是公式（{str(value)[:40]}），文件中没有保存计算结果")
    if isinstance(value, ExcelErrorValue) or text in EXCEL_ERRORS:
        return _Cell(text, None, f"是 Excel 错误值 {text}")
    number = parse_printed(value) if isinstance(value, (int, float, Decimal)) else printed_text(text)  # cleaned once
    return _Cell(text, number or _with_unit_word(text))


def _with_unit_word(text: str) -> Printed | None:
    """A figure printed with a unit word (2分, 1.5分, 15人): the number, the word kept as its unit."""
    if not text or text[-1] not in _UNIT_ENDS:
        return None
    word = next((w for w in _UNIT_WORDS if text.endswith(w) and len(text) > len(w)), None)
    if word is None:
        return None
    number = parse_printed(text[:-len(word)])
    if number is None or number.percent or number.unit:
        return None
    return replace(number, text=text, unit=word)


def _row_kind(cells: list[_Cell], in_table: bool = False) -> tuple[str, int]:
    """('total', level) / ('average', 0) / ('data', 0) / ('text', 0) / ('blank', 0).
    Above a table's first row of figures only a row with figures can be a total or average
    row (a header may read 合计); below it, any row of two cells or more is a table row.
    A row's label is its first text."""
    texts, figures, label = 0, False, ""
    for c in cells:  # one pass: the texts counted, whether any figure, the first text that is no figure
        if c.number is not None:
            figures = True
        elif c.text and not label:
            label = c.text
        if c.text:
            texts += 1
    if not texts:
        return "blank", 0
    if not figures and not (in_table and texts >= 2):
        return "text", 0
    if len(label) <= MAX_LABEL:
        for word, level in TOTAL_LEVELS:
            if label.startswith(word):
                return "total", level
        if label.startswith(AVERAGE_LABELS):
            return "average", 0
    return "data", 0


def _label(cells: list[_Cell], limit: int = 30) -> str:
    for c in cells:
        if c.number is None and c.text:
            return c.text[:limit]
    return ""


# --- blocks ----------------------------------------------------------------------

@dataclass
class _Block:
    sheet: str
    title: str
    header_rows: list[int]
    rows: list[int]                # data-region row indexes (data, total, average)
    kinds: dict[int, tuple[str, int]]
    grid: list[list[_Cell]]
    first: int
    last: int
    width: int
    #: per-column facts every comparison asks for, worked out once (the audit stays linear in rows)
    memo: dict = field(default_factory=dict)

    def cell(self, r: int, c: int) -> _Cell:
        row = self.grid[r]
        try:
            return row[c]
        except IndexError:  # beyond the row's end (columns are never negative)
            return _BLANK

    def header(self, c: int) -> str:
        """The column's name: its lowest header text, prefixed by the group above it when
        the lowest text is generic (合计, 占比 under “A”); worked out once per column."""
        key = ("header", c)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self._header(c)
        return found

    def _header(self, c: int) -> str:
        texts = []
        for r in self.header_rows:
            text = self.cell(r, c).text
            if not text and r != self.header_rows[-1]:
                # a group header merged across columns sits in the leftmost cell
                k = c
                while k > 0 and not self.cell(r, k).text:
                    k -= 1
                text = self.cell(r, k).text if k != c and _spans(self, r, k, c) else ""
            if text and text not in texts:
                texts.append(text)
        if not texts:
            return ""
        leaf = texts[-1]
        if len(texts) > 1 and (leaf.startswith(("合计", "占比", "小计", "总计", "人数", "金额", "计数")) or len(leaf) <= 2):
            return texts[-2] + leaf
        return leaf

    def figures(self) -> tuple[set[int], set[int], dict[tuple[int, bool], int]]:
        """The columns with a figure in a table row, the columns with a percent there, and the most
        decimals printed in each column, percents and other figures apart: one pass over the table
        rows, worked out once (every comparison asks)."""
        found = self.memo.get("figures")
        if found is None:
            numeric: set[int] = set()
            rates: set[int] = set()
            decimals: dict[tuple[int, bool], int] = {}
            grid = self.grid
            for r in self.rows:
                for c, cell in enumerate(grid[r]):
                    p = cell.number
                    if p is None:
                        continue
                    numeric.add(c)
                    if p.percent:
                        rates.add(c)
                    key = (c, p.percent)
                    if p.decimals > decimals.get(key, 0):
                        decimals[key] = p.decimals
            found = self.memo["figures"] = (numeric, rates, decimals)
        return found

    def leaf(self, c: int) -> str:
        for r in reversed(self.header_rows):
            if self.cell(r, c).text:
                return self.cell(r, c).text
        return ""

    @property
    def range(self) -> str:
        return f"{cell_name(self.first, 0)}:{cell_name(self.last, max(self.width - 1, 0))}"


def _spans(block: _Block, r: int, k: int, c: int) -> bool:
    """A group header at (r, k) is taken to span column c when every cell between them on
    that row is blank and the row below has texts under them (a merged group header)."""
    below = block.header_rows[block.header_rows.index(r) + 1:]
    if not below:
        return False
    return all(any(block.cell(b, j).text for b in below) for j in range(k, c + 1))


def _blocks(sheet: str, grid: list[list[_Cell]]) -> list[_Block]:
    kinds = [_row_kind(row) for row in grid]
    blocks: list[_Block] = []
    r = 0
    while r < len(grid):
        if kinds[r][0] == "blank":
            r += 1
            continue
        start = r
        while r < len(grid) and kinds[r][0] != "blank":
            r += 1
        end = r - 1
        blocks.append(_make_block(sheet, grid, kinds, start, end))
    return blocks


def _make_block(sheet, grid, kinds, start, end) -> _Block:
    width = max((len(grid[i]) for i in range(start, end + 1)), default=0)
    first_data = next((i for i in range(start, end + 1) if kinds[i][0] in ("data", "total", "average")
                       and any(c.number is not None for c in grid[i])), None)
    header_rows: list[int] = []
    title = ""
    if first_data is not None:
        i = first_data - 1
        while i >= start and sum(1 for c in grid[i] if c.text) >= 2 and kinds[i][0] == "text":
            header_rows.insert(0, i)
            i -= 1
        title = _title([next(c.text for c in grid[j] if c.text) for j in range(start, i + 1)])
    own = {i: kinds[i] for i in range(start, end + 1)}
    if first_data is not None:
        for i in range(first_data, end + 1):
            if kinds[i][0] == "text":  # only a row without figures reads otherwise within a table
                own[i] = _row_kind(grid[i], in_table=True)
    rows = [i for i in range(first_data, end + 1) if own[i][0] in ("data", "total", "average")] \
        if first_data is not None else []
    return _Block(sheet, title, header_rows, rows, own, grid, start, end, width)


def _title(lines: list[str]) -> str:
    """A block's title from the lines above it: 附件6-1 + its name; units and project lines left out."""
    kept = [t.lstrip("#").rstrip("：:").replace(":", "：") for t in lines if not t.startswith(("单位:", "单位：", "项目名称"))]
    return "：".join(t for t in kept if t)


# --- the checks --------------------------------------------------------------------

def _column_decimals(block: _Block, c: int, percent: bool) -> int:
    """The most decimals printed in column ``c`` (percents, or the other figures), 0 for none."""
    return block.figures()[2].get((c, percent), 0)


def _printed_at_column(block: _Block, r: int, c: int) -> Printed:
    p = block.cell(r, c).number
    assert p is not None, "called for a number cell only"
    return p.at(_column_decimals(block, c, p.percent))


def _terms(values: list[Printed], limit: int = 12) -> str:
    shown = [v.text for v in values]
    if len(shown) > limit:
        return "+".join(shown[:3]) + "+…+" + "+".join(shown[-2:])
    return "+".join(shown)


class _Auditor:
    def __init__(self, block: _Block, audit: Audit):
        self.b = block
        self.audit = audit
        self.source = block.title or block.sheet
        self.done = 0
        self._rates = block.figures()[1]

    def compare(self, r: int, c: int, expected: Decimal, what: str, how: Callable[[], str],
                printed: Printed | None = None, agrees: bool | None = None) -> None:
        """One printed figure against ``expected``; ``how`` (the computation as text) is called
        only for a figure that disagrees.  ``printed`` (the figure at its column's precision) and
        ``agrees`` (whether it agrees with ``expected``) are given when the caller has them."""
        if printed is None:
            printed = _printed_at_column(self.b, r, c)
        self.audit.checked += 1
        self.done += 1
        if agrees if agrees is not None else printed.agrees(expected):
            return
        self.audit.slips.append(Slip(
            sheet=self.b.sheet, cell=cell_name(r, c), object=what, unit="",
            printed=printed.text, expected=printed.show(expected),
            message=how() + f"={printed.show(expected)}，表中印为{printed.text}", source=self.source))

    def not_readable(self, r: int, c: int) -> None:
        """A printed figure that cannot be read (an error value, a formula without its result): listed."""
        label, name = _label(self.b.grid[r]), self.b.header(c)
        what = f"“{label}”行的“{name}”" if label else f"“{name}”列的 {cell_name(r, c)}"
        self.unchecked(r, c, r, c, f"{what}未核对：该单元格{self.b.cell(r, c).problem}")

    def unchecked(self, r1: int, c1: int, r2: int, c2: int, reason: str) -> None:
        rng = cell_name(r1, c1) if (r1, c1) == (r2, c2) else f"{cell_name(r1, c1)}:{cell_name(r2, c2)}"
        self.audit.unchecked.append(Unchecked(self.b.sheet, rng, reason))

    # columns
    def numeric_columns(self) -> list[int]:
        cols = []
        numeric = self.b.figures()[0]
        for c in range(self.b.width):
            if c in numeric:
                leaf = self.b.leaf(c)
                if leaf.startswith(ID_HEADERS) or (not leaf and self._is_sequence(c)):
                    continue
                cols.append(c)
        return cols

    def _is_sequence(self, c: int) -> bool:
        values = [self.b.cell(r, c).number for r in self.b.rows if self.b.kinds[r][0] == "data"]
        return bool(values) and all(v is not None and v.value == i for i, v in enumerate(values, start=1))

    def is_rate_column(self, c: int) -> bool:
        """A column with percents (a rate or share): never summed by a total row."""
        return c in self._rates

    # totals
    def totals(self, columns: list[int]) -> None:
        rows = self.b.rows
        for index, r in enumerate(rows):
            kind, level = self.b.kinds[r]
            if kind != "total":
                continue
            start = 0
            for j in range(index - 1, -1, -1):
                k, lv = self.b.kinds[rows[j]]
                if k == "total" and lv >= level:
                    start = j + 1
                    break
            scope = rows[start:index]
            data = [x for x in scope if self.b.kinds[x][0] == "data"]
            readings = [data]
            for lower in sorted({self.b.kinds[x][1] for x in scope if self.b.kinds[x][0] == "total"}):
                marks = [i for i, x in enumerate(scope) if self.b.kinds[x] == ("total", lower)]
                after = [x for x in scope[marks[-1] + 1:] if self.b.kinds[x][0] == "data"]
                readings.append([scope[i] for i in marks] + after)
            label = _label(self.b.grid[r])  # the row's, for each of its columns
            for c in columns:
                if self.b.cell(r, c).problem:
                    self.not_readable(r, c)
                    continue
                if self.b.cell(r, c).number is None or self.is_rate_column(c):
                    continue
                self._total_cell(r, c, readings, label)

    def _total_cell(self, r: int, c: int, readings: list[list[int]], label: str) -> None:
        name = self.b.header(c)
        data = readings[0]
        cell = self.b.cell
        column = [cell(x, c) for x in data]  # the cells summed by the first reading, looked up once
        found = next((k for k, one in enumerate(column) if one.number is None and one.text), None)
        if found is not None:
            x = data[found]
            self.unchecked(r, c, r, c, f"“{label}”行的“{name}”未核对：所合计的 {cell_name(x, c)} 是文字“{column[found].text}”，"
                                       "不当作数字")
            return
        first = [p for one in column if (p := one.number) is not None]
        sums = [(sum([v.value for v in first], ZERO), first)]
        for rows in readings[1:]:
            values = [p for x in rows if (p := cell(x, c).number) is not None]
            sums.append((sum([v.value for v in values], ZERO), values))
        if not sums[0][1]:
            self.unchecked(r, c, r, c, f"“{label}”行的“{name}”未核对：上方没有可合计的数字")
            return
        printed = _printed_at_column(self.b, r, c)
        words = sorted({v.unit for v in sums[0][1] + [printed] if v.unit in _UNIT_WORD_SET})
        if len(words) > 1:
            self.unchecked(r, c, r, c, f"“{label}”行的“{name}”未核对：所合计的数字单位不同（{'、'.join(words)}）")
            return
        agreeing = next((s for s in sums if printed.agrees(s[0])), None)
        total, values = agreeing or sums[0]
        # every reading was just compared with the figure: it agrees with the first that agrees, if any
        self.compare(r, c, total, f"{label} {name}", lambda: f"{name}{label}={_terms(values)}", printed,
                     agreeing is not None)

    # a total column: each row's 合计 is the sum of the row's other figures
    def row_totals(self, columns: list[int]) -> None:
        for c in columns:
            if self.b.leaf(c).replace(" ", "") not in ROW_TOTAL_HEADERS or self.is_rate_column(c):
                continue
            parts = [k for k in columns if k != c and not self.is_rate_column(k)]
            if len(parts) < 2:
                continue
            for r in self.b.rows:
                if self.b.cell(r, c).problem:
                    self.not_readable(r, c)
            rows = [r for r in self.b.rows if self.b.kinds[r][0] in ("data", "total")
                    and self.b.cell(r, c).number is not None]
            compared = []
            for r in rows:
                cells = [self.b.cell(r, k) for k in parts]
                if any(x.number is None and x.text for x in cells):
                    continue  # a word among the parts (“-”): not guessed, the row is left out
                values = [x.number for x in cells if x.number is not None]
                if values:
                    compared.append((r, values))
            if not compared:
                continue
            name = self.b.header(c)
            sums = [sum((x.value for x in v), ZERO) for _, v in compared]
            printed = [_printed_at_column(self.b, r, c) for r, _ in compared]
            agree = [p.agrees(total) for p, total in zip(printed, sums)]
            wrong = agree.count(False)
            if wrong >= 2 and 2 * wrong > len(compared):
                self.unchecked(compared[0][0], c, compared[-1][0], c,
                               f"“{name}”列与同行其他各列之和多数不符，看不出它合计的是哪几列，未核对")
                continue
            for (r, values), total, figure, agrees in zip(compared, sums, printed, agree):
                label = _label(self.b.grid[r])
                self.compare(r, c, total, f"{label} {name}".strip(),
                             lambda: f"{label}{name}={_terms(values, limit=30)}", figure, agrees)

    # averages
    def averages(self, columns: list[int]) -> None:
        data = [x for x in self.b.rows if self.b.kinds[x][0] == "data"]
        for r in self.b.rows:
            if self.b.kinds[r][0] != "average":
                continue
            label = _label(self.b.grid[r])
            for c in columns:
                if self.b.cell(r, c).problem:
                    self.not_readable(r, c)
                    continue
                if self.b.cell(r, c).number is None:
                    continue
                name = self.b.header(c)
                cells = [self.b.cell(x, c).number for x in data]
                values = [v for v in cells if v is not None]
                if not data or len(values) != len(cells):
                    self.unchecked(r, c, r, c, f"“{label}”行的“{name}”未核对：上方各行有空白或文字，平均的行数不确定")
                    continue
                mean = sum((v.value for v in values), ZERO) / len(values)
                self.compare(r, c, mean, f"{label} {name}",
                             lambda: f"{name}{label}=({_terms(values)})/{len(values)}")

    # rates
    def rates(self, columns: list[int]) -> None:
        for c in columns:
            if not self.is_rate_column(c):
                continue
            name = self.b.header(c)
            if any(p is not None and not p.percent for p in (self.b.cell(r, c).number for r in self.b.rows)):
                self.unchecked(self.b.rows[0], c, self.b.rows[-1], c,
                               f"“{name}”列中既有百分比又有不带 % 的数字，未核对；请统一写成百分比")
                continue
            if any(w in name for w in SHARE_WORDS):
                self.share(c, columns)
                continue
            kind = next((k for k in RATE_KINDS if any(w in name for w in k[0])), None)
            if kind is None:
                self.unchecked(self.b.rows[0], c, self.b.rows[-1], c,
                               f"百分比列“{name}”未核对：从列名看不出它由哪两列相除得到")
                continue
            others = [k for k in columns if k != c and not self.is_rate_column(k)]
            num = self._find(others, kind[1], c, exclude=kind[2])
            den = self._find([k for k in others if k != num], kind[2], c)
            if num is None or den is None:
                self.unchecked(self.b.rows[0], c, self.b.rows[-1], c,
                               f"比率列“{name}”未核对：表中没有能确定其分子、分母的列")
                continue
            self._quotients(c, num, den, [r for r in self.b.rows if self.b.kinds[r][0] != "average"])

    def _find(self, candidates: list[int], words: tuple[str, ...], near: int, exclude: tuple[str, ...] = ()) -> int | None:
        for word in words:
            found = [k for k in candidates if word in self.b.header(k)
                     and not any(x in self.b.header(k) for x in exclude if x not in word)]
            if found:
                return min(found, key=lambda k: abs(k - near))
        return None

    def _quotients(self, c: int, num: int, den: int, rows: list[int], den_value: Printed | None = None) -> None:
        name, top, bottom = self.b.header(c), self.b.header(num), self.b.header(den)
        for r in rows:
            if self.b.cell(r, c).problem:
                self.not_readable(r, c)
                continue
            rate, a = self.b.cell(r, c).number, self.b.cell(r, num).number
            b = den_value or self.b.cell(r, den).number
            if rate is None or a is None or b is None:
                continue
            if b.value == ZERO:
                self.unchecked(r, c, r, c, f"“{name}”未核对：分母“{bottom}”为 0")
                continue
            label = _label(self.b.grid[r])
            what = f"{label} {name}" if label else name
            self.compare(r, c, a.value / b.value, what, lambda: f"{name}={top}/{bottom}={a.text}/{b.text}×100%")

    # shares
    def share(self, c: int, columns: list[int]) -> None:
        name = self.b.header(c)
        left = [k for k in columns if k < c and not self.is_rate_column(k)]
        data = [r for r in self.b.rows if self.b.kinds[r][0] == "data"]
        totals = [r for r in self.b.rows if self.b.kinds[r][0] == "total"]
        if not left:
            self.unchecked(data[0] if data else self.b.first, c, self.b.rows[-1], c,
                           f"占比列“{name}”未核对：左侧没有作为分子的数字列")
            return
        num = left[-1]
        grand = next((r for r in reversed(totals) if self.b.cell(r, num).number is not None), None)
        count = _count_in_header(self.b, num)
        shares = [p for r in data if (p := self.b.cell(r, c).number) is not None]
        total_share = sum((s.value for s in shares), ZERO)
        if grand is not None:
            self._quotients(c, num, num, data, den_value=self.b.cell(grand, num).number)
            self._share_sum(c, data, shares)
        elif count is not None:
            self._quotients(c, num, num, data, den_value=count)
        elif shares and abs(total_share - ONE) <= Decimal(len(shares)) * _half_unit(self.b, c):
            cells = [self.b.cell(r, num).number for r in data]
            values = [v for v in cells if v is not None]
            if len(values) != len(cells):
                self.unchecked(data[0], c, data[-1], c, f"占比列“{name}”未核对：分子列“{self.b.header(num)}”有空白或文字")
                return
            whole = sum((v.value for v in values), ZERO)
            denominator = Printed(f"{_terms(values)}", whole, max(v.decimals for v in values))
            self._quotients(c, num, num, data, den_value=denominator)
            self._share_sum(c, data, shares)
        else:
            self.unchecked(data[0] if data else self.b.first, c, data[-1] if data else self.b.last, c,
                           f"占比列“{name}”未核对：分母（“{self.b.header(num)}”的合计）无法确定，各行占比之和也不是 100%")

    def _share_sum(self, c: int, data: list[int], shares: list[Printed]) -> None:
        if not shares:
            return
        name = self.b.header(c)
        total = sum((s.value for s in shares), ZERO)
        decimals = max(s.fraction_decimals for s in shares)
        self.audit.checked += 1
        self.done += 1
        if total == ONE:
            return
        where = cell_name(data[-1], c)
        terms = _terms(shares)
        shown = shares[0].at(decimals - 2 if shares[0].percent else decimals).show(total)
        tolerance = Decimal(len(shares)) * _half_unit(self.b, c)
        if abs(total - ONE) <= tolerance:
            self.audit.findings.warning((self.b.sheet, where), (
                f"“{name}”各行之和 {terms}={shown}，不是 100%；差额不超过各行四舍五入的误差（尾差），不作为差错"))
            return
        self.audit.slips.append(Slip(self.b.sheet, where, f"{name}合计", "", shown, "100%",
                                     f"{name}合计={terms}={shown}，应为100%", self.source))


def _half_unit(block: _Block, c: int) -> Decimal:
    key = ("half", c)
    if key not in block.memo:
        decimals = max((p.fraction_decimals for p in (block.cell(r, c).number for r in block.rows)
                        if p is not None), default=4)
        block.memo[key] = Decimal(5).scaleb(-(decimals + 1))
    return block.memo[key]


_COUNT_RE = re.compile(r"[（(](\d[\d,]*)\s*[份人个户家项名次]*[）)]")


def _count_in_header(block: _Block, c: int) -> Printed | None:
    """A denominator printed in a header: 总计 (794份) → 794."""
    for r in block.header_rows:
        match = _COUNT_RE.search(block.cell(r, c).text)
        if match:
            return parse_printed(match.group(1))
    return None


def _is_title(block: _Block) -> bool:
    """A run of lines of one cell each without figures: titles or notes, not a table."""
    rows = range(block.first, block.last + 1)
    return not block.rows and all(sum(1 for c in block.grid[r] if c.text) <= 1 for r in rows)


def audit_sheet(sheet: str, rows: Sequence[Sequence[object]]) -> Audit:
    """Audit every table block of one pasted sheet."""
    text_cell, cell = _text_cell, _cell
    grid = [[text_cell(v) if type(v) is str else cell(v) for v in row] for row in rows]
    audit = Audit()
    pending: list[str] = []
    for block in _blocks(sheet, grid):
        if _is_title(block):
            pending += [next(c.text for c in block.grid[r] if c.text) for r in range(block.first, block.last + 1)]
            continue
        if not block.title and pending:
            block.title = _title(pending)
        pending = []
        audit.blocks += 1
        if not block.rows:
            audit.unchecked.append(Unchecked(sheet, block.range, "没有数字，未核对（不是数字表格，或数字是无法识别的文字）"))
            continue
        if not block.header_rows:
            audit.unchecked.append(Unchecked(sheet, block.range, "找不到表头行（数据行上方应有一行列名），未核对"))
            continue
        auditor = _Auditor(block, audit)
        before = len(audit.unchecked)
        columns = auditor.numeric_columns()
        auditor.totals(columns)
        auditor.row_totals(columns)
        auditor.averages(columns)
        auditor.rates(columns)
        if auditor.done == 0 and len(audit.unchecked) == before:
            audit.unchecked.append(Unchecked(sheet, block.range,
                                             "没有合计行、平均行、占比列或可确定分子分母的比率列，未核对"))
    return audit


def audit_tables(sheets: Mapping[str, Sequence[Sequence[object]]]) -> Audit:
    """Audit every pasted sheet (sheet name → rows), in the given order."""
    audit = Audit()
    for name, rows in sheets.items():
        audit.extend(audit_sheet(name, rows))
    return audit
