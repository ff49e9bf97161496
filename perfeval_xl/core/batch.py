"""The batch summary: one row per evaluation or self-evaluation form, every problem listed.

``perfeval batch`` reviews or scores each workbook of a folder (see :mod:`perfeval_xl.batch`),
keeps each file's result in a store (:mod:`perfeval_xl.batchstore`) and writes 汇总.xlsx from
the store at the end.  This module knows nothing of files, processes or databases: it holds the
per-file result (:class:`FileResult`), the statuses, and what each sheet of 汇总.xlsx holds —
the head of each sheet as a write plan, and each data row as values and styles, so the writer
can stream rows from the store without holding them all (docs/batch.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from operator import attrgetter
from typing import Any, Callable, Iterable, Iterator, Sequence

from .writeplan import SheetBuilder, SheetPlan, finish, needed_height

SUMMARY_SHEET = "汇总"
ISSUES_SHEET = "问题清单"

STATUS_OK = "通过"
STATUS_SLIPS = "有差错"
STATUS_ERRORS = "有错误"
#: scored or recognised, but no printed figure was compared with its recomputation
STATUS_UNCHECKED = "未核对"
STATUS_UNREADABLE = "无法读取"
STATUS_UNSUPPORTED = "格式不支持"
#: the worker process handling the file died (killed, out of memory)
STATUS_FAILED = "失败"
STATUS_NOTHING = "未识别"

#: statuses of a file that needs someone's attention (exit status 1)
PROBLEM_STATUSES = frozenset({STATUS_SLIPS, STATUS_ERRORS, STATUS_UNCHECKED, STATUS_UNREADABLE, STATUS_UNSUPPORTED,
                              STATUS_FAILED, STATUS_NOTHING})

#: Excel's rows per sheet; a longer 问题清单 continues on 问题清单(2), …
MAX_SHEET_ROWS = 1_048_576

KIND_SLIP = "差错"
KIND_ERROR = "错误"
KIND_NOTE = "提示"
KIND_DUPLICATE = "重复"


@dataclass(frozen=True)
class BatchRow:
    """One evaluation (a unit or the project) or one form found in a file, or the file itself
    when nothing in it could be read."""

    file: str
    sheet: str
    project: str
    unit: str
    #: the total as printed (a form's 总分, a report's 总分 in 报告数据): a number when it reads as
    #: one, the text as printed otherwise, None when none was printed
    printed_total: Decimal | str | None
    #: the recomputed total; None when nothing could be computed
    total: Decimal | None
    grade: str
    #: printed figures compared with their recomputation, and how many agreed (None: not applicable)
    checked: int | None
    agreed: int | None
    slips: int
    errors: int
    status: str


@dataclass(frozen=True)
class BatchIssue:
    """A slip or a finding, with where it is."""

    file: str
    sheet: str
    cell: str
    #: 差错 (a printed figure that does not follow), 错误 or 提示 (findings), 重复
    kind: str
    object: str
    message: str


@dataclass(frozen=True)
class FileResult:
    path: str
    rows: tuple[BatchRow, ...]
    issues: tuple[BatchIssue, ...]
    #: the file could not be read at all (its single row says why)
    unreadable: bool = False
    #: the scored or reviewed copy written beside it (--write-copies)
    copy: str = ""
    #: what rule R28 compares of each target form in the file (``perfeval_xl.targetforms.CopyPrint``:
    #: sheet, project, cells and fingerprints), so the store finds copies across the files of a batch
    prints: tuple = ()

    def __reduce__(self):
        """Pickled (a batch's worker sends each result to its parent) as tuples of the rows' and entries'
        fields, rebuilt without a call per field: about half the work, both ways, of pickling each as an
        object."""
        return (_result_of, (self.path, tuple(map(_row_fields, self.rows)), tuple(map(_issue_fields, self.issues)),
                             self.unreadable, self.copy, self.prints))

    @property
    def status(self) -> str:
        """The file's status: the first problem status of its rows (in the order of
        :data:`STATUS_ORDER`), else 通过."""
        statuses = {r.status for r in self.rows}
        return next((s for s in STATUS_ORDER if s in statuses), STATUS_OK)

    @property
    def has_problems(self) -> bool:
        return self.unreadable or self.status in PROBLEM_STATUSES

    @property
    def reason(self) -> str:
        """Why the file needs attention, in one line for the terminal ("" when it passed)."""
        return failure_reason(self.status, self.rows, self.issues)


_ROW_NAMES = tuple(BatchRow.__dataclass_fields__)
_ISSUE_NAMES = tuple(BatchIssue.__dataclass_fields__)
_row_fields = attrgetter(*_ROW_NAMES)
_issue_fields = attrgetter(*_ISSUE_NAMES)


def _result_of(path: str, rows: tuple, issues: tuple, unreadable: bool, copy: str, prints: tuple) -> FileResult:
    """A :class:`FileResult` from what :meth:`FileResult.__reduce__` gives (each frozen row and entry
    made with its fields at once, as unpickling an object does, not through ``__init__``)."""
    new = object.__new__
    made: list[tuple[Any, ...]] = []
    for cls, names, items in ((BatchRow, _ROW_NAMES, rows), (BatchIssue, _ISSUE_NAMES, issues)):
        objects: list[Any] = []
        add = objects.append
        for values in items:
            item = new(cls)
            item.__dict__.update(zip(names, values))
            add(item)
        made.append(tuple(objects))
    return FileResult(path, made[0], made[1], unreadable, copy, prints)


STATUS_ORDER = (STATUS_FAILED, STATUS_UNREADABLE, STATUS_UNSUPPORTED, STATUS_NOTHING, STATUS_SLIPS, STATUS_ERRORS,
                STATUS_UNCHECKED)


def status_of(slips: int, errors: int, checked: int | None = None) -> str:
    """A row's status; ``checked`` 0 (nothing compared) is 未核对, never 通过."""
    if slips:
        return STATUS_SLIPS
    if errors:
        return STATUS_ERRORS
    return STATUS_UNCHECKED if checked == 0 else STATUS_OK


def failure_reason(status: str, rows: Iterable[BatchRow], issues: Iterable[BatchIssue]) -> str:
    """The reason a file failed, in one line: why it was not read, or what was found in it
    (counts of slips and errors), not its first slip."""
    rows = list(rows)
    if status in (STATUS_FAILED, STATUS_UNREADABLE, STATUS_UNSUPPORTED, STATUS_NOTHING):
        first = next((i for i in issues if i.kind == KIND_ERROR), None)
        return f"{status}：{first.message}" if first else status
    slips, errors = sum(r.slips for r in rows), sum(r.errors for r in rows)
    parts = []
    if slips:
        parts.append(f"{slips} 处印出的数字与复算不符")
    if errors:
        parts.append(f"{errors} 个错误")
    if status == STATUS_UNCHECKED and not parts:
        parts.append("没有核对到任何印出的数字（没有报告数据、自评表总分或可核对的表格）")
    return f"{status}：{'，'.join(parts)}" if parts else status


def safe_text(text: str) -> str:
    """A text that can be written as UTF-8: the undecodable bytes of a file name (kept by Python
    as lone surrogates) written as \\xNN."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            raw = text.encode("utf-8", "surrogatepass")
        return raw.decode("utf-8", "backslashreplace")


def _safe_fields(item):
    changed = {name: safe_text(value) for name, value in item.__dict__.items()
               if isinstance(value, str) and not value.isascii()}
    changed = {name: value for name, value in changed.items() if value is not getattr(item, name)}
    return replace(item, **changed) if changed else item


def writable(result: FileResult) -> FileResult:
    """The result with every text writable as UTF-8 (to the store, to 汇总.xlsx)."""
    texts = [value for items in (result.rows, result.issues, result.prints) for item in items
             for value in item.__dict__.values() if value.__class__ is str]
    try:  # almost always: every text at once (one lone surrogate anywhere fails the whole)
        "".join(texts).encode("utf-8")
        result.path.encode("utf-8")
        result.copy.encode("utf-8")
        return result
    except UnicodeEncodeError:
        pass
    return replace(result, path=safe_text(result.path), copy=safe_text(result.copy),
                   rows=tuple(map(_safe_fields, result.rows)), issues=tuple(map(_safe_fields, result.issues)),
                   prints=tuple(map(_safe_fields, result.prints)))


def as_number(text) -> Decimal | str | None:
    """A printed total as a number when it reads as one ("88.50" → 88.50), else the text."""
    if text is None or text == "":
        return None
    if isinstance(text, Decimal):
        return text
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except InvalidOperation:
        return str(text)
    return value if value.is_finite() else str(text)


def as_total(text) -> Decimal | None:
    """A recomputed total read back (a Decimal or its text; blank: None): always a number."""
    value = as_number(text)
    if isinstance(value, str):
        raise ValueError(f"not a recomputed total: {text!r}")
    return value


# --- the sheets of 汇总.xlsx ---------------------------------------------------------------------

SUMMARY_HEADERS = ["序号", "文件", "工作表", "项目", "单位", "报告总分", "复算总分", "等级", "核对数", "一致数",
                   "差错数", "错误数", "状态", "重复提交"]
SUMMARY_WIDTHS = [6, 36, 16, 30, 16, 10, 10, 6, 8, 8, 8, 8, 10, 30]
ISSUE_HEADERS = ["序号", "文件", "工作表", "单元格", "类别", "对象", "说明"]
ISSUE_WIDTHS = [6, 36, 16, 8, 6, 24, 70]
ISSUE_STYLES = ["center", "text", "text", "center", "center", "text", "text"]


@dataclass(frozen=True)
class Totals:
    """What the head line of 汇总 states (counted by the store)."""

    files: int
    rows: int
    problem_files: int
    issues: int
    reused: int = 0
    duplicates: int = 0


def summary_head(totals: Totals, part: int = 1, first: int = 1, title: str = "绩效评价批量复核") -> SheetPlan:
    """The title, the counts line and the header of 汇总 (the rows follow, streamed); a
    continuation part 汇总(2) … says where it starts instead of the counts."""
    sheet = SheetBuilder(summary_sheet_name(part), SUMMARY_WIDTHS)
    sheet.title(f"{title}汇总表" + (f"（续 {part}）" if part > 1 else ""), len(SUMMARY_HEADERS))
    if part > 1:
        sheet.line(f"接“{summary_sheet_name(part - 1)}”，从第 {first} 行起。", len(SUMMARY_HEADERS))
        sheet.header(SUMMARY_HEADERS)
        return finish(sheet.plan)
    line = (f"共 {totals.files} 个文件、{totals.rows} 份评价或自评表；其中 {totals.problem_files} 个文件有差错、错误、"
            f"未核对或无法读取，问题共 {totals.issues} 条，见“{ISSUES_SHEET}”")
    if totals.duplicates:
        line += f"；{totals.duplicates} 个文件与其他文件重复（见“重复提交”列）"
    sheet.line(line + "。", len(SUMMARY_HEADERS))
    sheet.header(SUMMARY_HEADERS)
    return finish(sheet.plan)


def _count_style(value) -> str:
    return "integer" if value is not None else "center"


def summary_values(n: int, row: BatchRow, duplicate: str) -> tuple[list, list[str], float]:
    """One 汇总 row: numbers as numbers (scores with two decimals, counts as integers), and the
    height its wrapped texts need."""
    printed = row.printed_total
    values = [n, row.file, row.sheet, row.project, row.unit, printed, row.total, row.grade, row.checked, row.agreed,
              row.slips, row.errors, row.status, duplicate]
    styles = ["center", "text", "text", "text", "text", "score" if isinstance(printed, Decimal) else "center",
              "score", "center", _count_style(row.checked), _count_style(row.agreed), "integer", "integer", "center",
              "text"]
    return [v if v is not None else "" for v in values], styles, _height(values, SUMMARY_WIDTHS, (1, 2, 3, 4, 13))


def _height(values: list, widths: Sequence[float], wrapped
: tuple[int, ...]) -> float:
    """The height a row needs to show its wrapped texts in full (18 points at least)."""
    height = 18.0
    for col in wrapped:
        text = values[col]
        if text and isinstance(text, str):
            height = max(height, _needed(text, widths[col]))
    return min(height, 409.0)


@lru_cache(maxsize=8192)
def _needed(text: str, width: float) -> float:
    """:func:`needed_height` of a text cell, remembered: a file's name, a sheet's name and an
    object repeat on every row of a file's problems."""
    return needed_height(text, width, "text")


def issues_head(part: int, first: int, title: str = "绩效评价批量复核") -> SheetPlan:
    """The head of 问题清单 (``part`` 1) or of its continuation 问题清单(part), whose first
    entry is number ``first``."""
    sheet = SheetBuilder(issues_sheet_name(part), ISSUE_WIDTHS)
    sheet.title(f"{title}问题清单" + (f"（续 {part}）" if part > 1 else ""), len(ISSUE_HEADERS))
    if part > 1:
        sheet.line(f"接“{issues_sheet_name(part - 1)}”，从第 {first} 条起。",
                   len(ISSUE_HEADERS))
    sheet.header(ISSUE_HEADERS)
    return finish(sheet.plan)


def issues_sheet_name(part: int) -> str:
    return ISSUES_SHEET if part == 1 else f"{ISSUES_SHEET}({part})"


def summary_sheet_name(part: int) -> str:
    return SUMMARY_SHEET if part == 1 else f"{SUMMARY_SHEET}({part})"


def continued_note(next_sheet: str) -> str:
    return f"本表已满（Excel 一张工作表最多 {MAX_SHEET_ROWS:,} 行），其余各行接续在“{next_sheet}”。"


NO_ISSUES_NOTE = "没有发现差错或错误。"


def issue_height_utf8(fields: tuple[bytes, ...]) -> float:
    """The height of a 问题清单 row, given as the entry's fields in order (file, sheet, cell, kind,
    object, message) in UTF-8, as 汇总.xlsx is written (its number, 序号, comes first, then the
    fields, in :data:`ISSUE_STYLES`): :func:`_height` of the row, the file's name and the rest
    apart, each remembered (every row of a file names it), each text decoded only when its height
    is not known yet."""
    file = fields[0]
    return min(max(_needed_utf8(file, ISSUE_WIDTHS[1]) if file else 18.0,
                   _entry_height_utf8(fields[1], fields[4], fields[5])), 409.0)


@lru_cache(maxsize=8192)
def _needed_utf8(text: bytes, width: float) -> float:
    """:func:`_needed` of a text in UTF-8 (a file's name, on every row of its problems)."""
    return _needed(text.decode("utf-8"), width)


@lru_cache(maxsize=8192)
def _entry_height_utf8(sheet: bytes, object_: bytes, message: bytes) -> float:
    """The height a 问题清单 row needs for its sheet, object and message, remembered whole: a file's
    problems repeat its sheets and objects, and the same message comes back file after file."""
    return _height([None, None, sheet.decode("utf-8"), None, None, object_.decode("utf-8"), message.decode("utf-8")],
                   ISSUE_WIDTHS, (2, 5, 6))


def sheet_parts(total: int, head_of: Callable[[int, int], SheetPlan], name_of: Callable[[int], str],
                empty_note: str = "") -> Iterator[tuple[SheetPlan, int, str]]:
    """How ``total`` rows are laid out over sheets of at most :data:`MAX_SHEET_ROWS` rows: yields
    (head of the part, rows in it, the note written under them).  ``head_of(part, first)`` plans
    a part's head; every part but the last ends with a note naming the sheet it continues on, so
    nothing is cut off silently."""
    part, first, remaining = 1, 1, total
    while True:
        head = head_of(part, first)
        capacity = MAX_SHEET_ROWS - head.n_rows - 1  # one row for the note
        if capacity < 1:
            raise ValueError("sheet too small for its head")
        take = min(capacity, remaining)
        remaining -= take
        if not remaining:
            yield head, take, (empty_note if not total else "")
            return
        yield head, take, continued_note(name_of(part + 1))
        part, first = part + 1, first + take


def duplicate_note(same_content: str | None, same_project: str | None) -> str:
    """The 重复提交 cell: which other file the row's file repeats."""
    if same_content:
        return f"与“{same_content}”内容相同"
    if same_project:
        return f"项目和单位与“{same_project}”相同"
    return ""


def duplicate_issue(file: str, note: str) -> BatchIssue:
    return BatchIssue(file, "", "", KIND_DUPLICATE, "重复提交",
                      f"{note}：同一份材料可能提交了两次，汇总中会重复计数；请核实后只保留一份")
