"""The registry of self-evaluation form layouts (绩效自评表): one entry per layout that circulates.

Each :class:`Layout` says, as data, how the layout is recognised (the words of its funds header
row, and for some a note under the table), where its fields are (which header words name which
column of the funds block and of the indicator table, which row labels are the total and its
parts) and its scoring convention (the points of 预算执行 and of the whole form, where a budget
change is explained, whether a note fixes the 一级 weights).  :func:`recognise` (the one
recogniser, used by :mod:`perfeval_xl.forms.reader`) and :mod:`perfeval_xl.forms.reconcile` (the
one reconciler) read nothing else.

Adding a province is one entry in :data:`LAYOUTS` (before the entries its header would also
match) plus a row in docs/forms.md.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cached_property
from decimal import Decimal
from typing import Sequence

from .values import norm


@dataclass(frozen=True)
class Column:
    """A kind of column and the header words that name it: a header cell is this column when it
    starts with one of ``starts`` or contains one of ``contains``."""

    kind: str
    contains: tuple[str, ...] = ()
    starts: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        return any(w in text for w in self.contains) or any(text.startswith(w) for w in self.starts)


def classify(columns: Sequence[Column], text: str) -> str | None:
    """The kind of the first column spec that matches a header cell (order matters)."""
    if not text:
        return None
    return next((c.kind for c in columns if c.matches(text)), None)


def header_columns(columns: Sequence[Column], row: Sequence[object], texts: Sequence[str] | None = None) -> dict[str, int]:
    """kind → column index of a header row (the first cell of each kind); ``texts`` are the row's
    cells already folded by :func:`norm`, when the caller has them."""
    found: dict[str, int] = {}
    for col, text in enumerate(texts if texts is not None else [norm(value) for value in row]):
        kind = classify(columns, text)
        if kind and kind not in found:
            found[kind] = col
    return found


#: the funds block as 财预〔2020〕10号 附1 prints it (and most provinces after it); the score
#: column is tested first so that ``得分（20分*执行率）`` is a score, not a rate
FUND_COLUMNS = (
    Column("score", starts=("得分",)),
    Column("weight", starts=("分值", "权重")),
    Column("rate", contains=("执行率",)),
    Column("initial", contains=("年初预算",)),
    Column("budget", contains=("全年预算", "调整后预算", "调整预算")),
    Column("spent", contains=("全年执行", "预算执行数"), starts=("执行数", "实际执行")),
    Column("reason", contains=("原因",), starts=("说明",)),
)

INDICATOR_COLUMNS = (
    Column("level1", starts=("一级指标",)),
    Column("level2", starts=("二级指标",)),
    Column("name", starts=("三级指标",)),
    Column("nature", starts=("指标性质",)),
    Column("actual", contains=("完成值", "全年实际值", "实际值")),
    Column("target", contains=("指标值", "目标值")),
    Column("unit", contains=("度量单位", "计量单位")),
    Column("weight", starts=("分值", "权重")),
    Column("score", starts=("得分",)),
    Column("reason", contains=("原因", "改进措施")),
)

TOTAL_LABELS = ("年度资金总额", "年度财政资金总额", "资金总额", "总额", "合计")
PART_LABELS = ("其中", "当年财政拨款", "本年财政拨款", "财政拨款", "上年结转", "其他资金", "财政资金",
               "财政专户管理资金", "单位资金", "自有资金", "社会资金", "专项资金")
#: texts in the label columns that frame a block rather than name a row (merged down by the adapter)
FRAMES = ("项目资金", "预算执行情况", "年度预算数", "资金情况", "绩效指标", "年度总体目标")
#: first words of the indicator table's last row
TOTAL_ROWS = ("总分", "合计")
TOTAL_ROW_NAMES = ("总计", "自评总分", "综合得分")
#: first words of rows that end a form when no total row came (and a title: the next form)
STOP_WORDS = ("评价结论", "存在问题", "改进措施", "项目负责人", "填表人", "联系电话")
STOP_TITLE = "绩效自评表"
#: first words of a note under the form
NOTE_WORDS = ("注", "备注", "说明", "填表说明")
#: what the printed instructions of a reason cell say (not a reason)
BOILERPLATE = ("预算执行率=", "需说明原因", "应单独说明理由", "其他资金包括")


@dataclass(frozen=True)
class Layout:
    """One layout of 绩效自评表: recognised by its funds header, read by its column words, scored
    by its convention."""

    #: short name, as 复核意见 and ``FormReview.layout`` show it
    name: str
    #: what it is and where it is published (docs/forms.md lists the same)
    title: str
    # --- recognition ---
    #: column kinds the funds header row must have, and must not have
    required: frozenset[str] = frozenset({"initial", "budget", "spent"})
    forbidden: frozenset[str] = frozenset()
    #: words of which at least one must appear in the funds header row (none: no condition)
    marks: tuple[str, ...] = ()
    #: the note under the form must state the 一级 weights (see :func:`note_weights`)
    note_states_weights: bool = False
    # --- fields ---
    fund_columns: tuple[Column, ...] = FUND_COLUMNS
    indicator_columns: tuple[Column, ...] = INDICATOR_COLUMNS
    total_labels: tuple[str, ...] = TOTAL_LABELS
    part_labels: tuple[str, ...] = PART_LABELS
    frames: tuple[str, ...] = FRAMES
    #: labels above the funds header: the project, the unit that carries it out, the department
    #: (the unit when no 实施单位 is given)
    project_labels: tuple[str, ...] = ("项目名称",)
    unit_labels: tuple[str, ...] = ("实施单位",)
    dept_labels: tuple[str, ...] = ("主管部门",)
    #: words in the header of the funds block that state 预算执行's points (``预算执行情况（10分）``)
    fund_point_words: tuple[str, ...] = ("预算执行",)
    # --- scoring convention ---
    #: points of 预算执行 when the form states none (a header ``预算执行情况（10分）`` or a 分值 cell does);
    #: its score is these points × min(执行率, 1) in every layout known so far
    fund_points: Decimal = Decimal(10)
    #: points of the whole form: 预算执行 + the indicators
    form_points: Decimal = Decimal(100)
    #: the form has a cell where a budget change is explained (else: in the 自评报告)
    reason_in_form: bool = False
    #: the text the convention comes from, as messages name it
    convention: str = "财预〔2020〕10号"

    @cached_property
    def _required_words(self) -> tuple[tuple[str, ...], ...]:
        """For each column kind the funds header must have, every word that can name it."""
        return tuple(tuple(w for c in self.fund_columns if c.kind == kind for w in c.contains + c.starts)
                     for kind in sorted(self.required))

    def funds_header(self, row: Sequence[object], texts: Sequence[str] | None = None,
                     joined: str | None = None) -> dict[str, int] | None:
        """The columns of a funds header row of this layout, or None; ``texts`` are the row's cells
        already folded by :func:`norm`, and ``joined`` those texts joined by line breaks, when the
        caller has them."""
        texts = texts if texts is not None else [norm(value) for value in row]
        if joined is None:
            joined = "\n".join(texts)  # folded text has no line breaks: no word spans two cells
        if not all(any(w in joined for w in words) for words in self._required_words):
            return None  # a word of a required column is nowhere in the row: no cell can be that column
        cols = header_columns(self.fund_columns, row, texts)
        if not self.required <= cols.keys() or self.forbidden & cols.keys():
            return None
        if self.marks and not any(m in joined for m in self.marks):
            return None
        return cols

    def indicator_header(self, row: Sequence[object]) -> dict[str, int] | None:
        cols = header_columns(self.indicator_columns, row)
        if {"name", "score"} <= cols.keys() and ("target" in cols or "actual" in cols):
            return cols
        return None


CENTRAL = Layout(
    "附1", "财政部《项目支出绩效自评表》（财预〔2020〕10号附1）：项目资金（万元）下年初预算数、全年预算数、全年执行数、"
           "分值、执行率、得分；绩效指标表为年度指标值、实际完成值、分值、得分、偏差原因分析及改进措施；预算执行 10 分、"
           "绩效指标 90 分")
SICHUAN = Layout(
    "省级", "四川省《部门预算项目支出绩效自评表》：预算执行情况（10分）下年初预算、调整后预算数、预算执行数、预算执行率、"
            "权重、得分、原因；指标表有指标性质、指标值、度量单位、完成值、权重、得分；预算执行 10 分、绩效指标 90 分",
    marks=("调整后预算", "原因", "说明"), reason_in_form=True)
HUBEI = Layout(
    "湖北", "湖北省《项目支出绩效自评表》：预算执行情况（万元）（20分）下预算数（A）、执行数（B）、执行率（B/A）、"
            "得分（20分*执行率），没有年初预算数；指标表为年初目标值、实际完成值、分值、得分；预算执行 20 分"
            "（20×执行率）、绩效指标 80 分",
    required=frozenset({"budget", "spent"}), forbidden=frozenset({"initial"}), marks=("预算执行情况",),
    fund_columns=(Column("score", starts=("得分",)), Column("weight", starts=("分值", "权重")),
                  Column("rate", contains=("执行率",)), Column("initial", contains=("年初预算",)),
                  Column("budget", contains=("全年预算", "调整后预算", "预算数")),
                  Column("spent", contains=("执行数",)), Column("reason", contains=("原因",))),
    unit_labels=("项目实施单位", "实施单位"),
    fund_points=Decimal(20), convention="湖北省项目支出绩效自评表")
NOTED = replace(
    CENTRAL, name="附1（表注定权重）",
    title="附1 格式，表下注明各部分权重（如“注：产出指标50分、效益指标30分、满意度指标10分，预算执行10分”）："
          "各一级指标下三级指标分值之和须等于表注所写，预算执行分值须等于表注所写，合计 100 分",
    note_states_weights=True)

#: every known layout, most specific first: the first whose header (and note) matches is the form's
LAYOUTS: tuple[Layout, ...] = (HUBEI, SICHUAN, NOTED, CENTRAL)


def recognise(row: Sequence[object]) -> list[tuple[Layout, dict[str, int]]]:
    """The layouts whose funds header this row is, most specific first (a layout that also needs
    its note is confirmed by the reader once the note is read)."""
    cells = [value for value in row if isinstance(value, str)]
    if not cells:
        return []  # no text: no header
    # the row's texts normalised as one (a line break between cells: nothing normalises across it) hold
    # every character of every cell folded alone (folding only drops spaces and colons besides); a layout
    # whose required words share a character the row lacks cannot match it (most rows of a sheet), so
    # the cells are not folded one by one
    joined = "\n".join(cells)
    text = joined if joined.isascii() else unicodedata.normalize("NFKC", joined)
    # the characters every layout needs, looked for in the text first (no set of its characters made for
    # a row that lacks one)
    if not all(map(text.__contains__, _SHARED_CHARACTERS)):
        return []
    present = set(text)
    if not any(needed <= present for needed in _NEEDED_CHARACTERS):
        return []
    texts = [norm(value) for value in row]  # folded once for every layout
    joined = "\n".join(texts)
    return [(layout, cols) for layout in LAYOUTS if (cols := layout.funds_header(row, texts, joined))]


def _needed_characters(layout: Layout) -> frozenset[str]:
    """Characters every funds header of ``layout`` holds: those each word of a required column shares."""
    needed: set[str] = set()
    for words in layout._required_words:
        if words:
            needed |= set.intersection(*map(set, words))
    return frozenset(needed)


#: for each layout, the characters its funds header row holds whatever words name its columns
_NEEDED_CHARACTERS = tuple(_needed_characters(layout) for layout in LAYOUTS)
#: the characters every layout's funds header holds (a row without one of them is no layout's header)
_SHARED_CHARACTERS = tuple(sorted(frozenset.intersection(*_NEEDED_CHARACTERS)))


# --- a note that states the weights -------------------------------------------------------

#: the parts a note gives points to: the 一级 groups (by the first words of their labels) and 预算执行
NOTE_PARTS = ("产出", "效益", "满意度", "成本", "预算执行")
_NOTE_RE = re.compile(r"(产出|效益|满意度|成本|预算执行)[^0-9，,；;。/、]{0,8}?(\d+(?:\.\d+)?)\s*分?")


def note_weights(text: str) -> dict[str, Decimal]:
    """The points a note states for each part (``产出指标50分`` → {"产出": 50}); empty unless it
    names at least two parts."""
    found: dict[str, Decimal] = {}
    for match in _NOTE_RE.finditer(norm(text)):
        found.setdefault(match.group(1), Decimal(match.group(2)))
    return found if len(found) >= 2 else {}


def declared_unit(row: Sequence[object]) -> str:
    """The amount unit a funds header declares: ``项目资金（元）`` → 元, ``（万元）`` → 万元, else ""."""
    for value in row:
        match = re.search(r"\((元|万元|亿元)\)", norm(value))
        if match:
            return match.group(1)
    return ""


__all__ = ["Column", "Layout", "LAYOUTS", "CENTRAL", "SICHUAN", "HUBEI", "NOTED", "recognise", "note_weights",
           "declared_unit", "classify", "header_columns"]
