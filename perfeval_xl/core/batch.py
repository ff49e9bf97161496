"""The batch summary: one row per evaluation or self-evaluation form, every problem listed.

``perfeval batch`` reviews or scores each workbook of a folder (see :mod:`perfeval_xl.batch`)
and hands the per-file results here; this module knows nothing of files or processes.  It
builds the write plan of 汇总.xlsx: 汇总 (文件, 工作表, 项目, 单位, 报告总分, 复算总分, 等级,
差错数, 错误数, 状态) and 问题清单 (every slip and finding with file, sheet and cell).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .writeplan import SheetBuilder, WritePlan, finish

SUMMARY_SHEET = "汇总"
ISSUES_SHEET = "问题清单"

STATUS_OK = "通过"
STATUS_SLIPS = "有差错"
STATUS_ERRORS = "有错误"
STATUS_UNREADABLE = "无法读取"
STATUS_NOTHING = "未识别"


@dataclass(frozen=True)
class BatchRow:
    """One evaluation (a unit or the project) or one form found in a file."""

    file: str
    sheet: str
    project: str
    unit: str
    #: the total as printed (a form's 总分, a report's 总分 in 报告数据), "" when none was printed
    printed_total: str
    #: the recomputed total, two decimals; "" when nothing could be computed
    total: str
    grade: str
    slips: int
    errors: int
    status: str


@dataclass(frozen=True)
class BatchIssue:
    """A slip or a finding, with where it is."""

    file: str
    sheet: str
    cell: str
    #: 差错 (a printed figure that does not follow), 错误 or 提示 (findings)
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

    @property
    def has_problems(self) -> bool:
        return self.unreadable or any(r.slips or r.errors or r.status == STATUS_NOTHING for r in self.rows)


def status_of(slips: int, errors: int) -> str:
    if slips:
        return STATUS_SLIPS
    return STATUS_ERRORS if errors else STATUS_OK


SUMMARY_HEADERS = ["序号", "文件", "工作表", "项目", "单位", "报告总分", "复算总分", "等级", "差错数", "错误数", "状态"]
SUMMARY_WIDTHS = [6, 36, 16, 30, 16, 10, 10, 6, 8, 8, 12]
SUMMARY_STYLES = ["center", "text", "text", "text", "text", "center", "center", "center", "integer", "integer",
                  "center"]
ISSUE_HEADERS = ["序号", "文件", "工作表", "单元格", "类别", "对象", "说明"]
ISSUE_WIDTHS = [6, 36, 16, 8, 6, 24, 70]
ISSUE_STYLES = ["center", "text", "text", "center", "center", "text", "text"]


def batch_plan(results: Iterable[FileResult], title: str = "绩效评价批量复核") -> WritePlan:
    results = list(results)
    rows = [row for result in results for row in result.rows]
    issues = [issue for result in results for issue in result.issues]

    summary = SheetBuilder(SUMMARY_SHEET, SUMMARY_WIDTHS)
    summary.title(f"{title}汇总表", len(SUMMARY_HEADERS))
    problems = sum(1 for r in results if r.has_problems)
    summary.line(f"共 {len(results)} 个文件、{len(rows)} 份评价或自评表；其中 {problems} 个文件有差错、错误或无法读取，"
                 f"问题共 {len(issues)} 条，见“{ISSUES_SHEET}”", len(SUMMARY_HEADERS))
    summary.header(SUMMARY_HEADERS)
    for n, row in enumerate(rows, start=1):
        summary.values([n, row.file, row.sheet, row.project, row.unit, row.printed_total, row.total, row.grade,
                        row.slips, row.errors, row.status], SUMMARY_STYLES)

    listing = SheetBuilder(ISSUES_SHEET, ISSUE_WIDTHS)
    listing.title(f"{title}问题清单", len(ISSUE_HEADERS))
    listing.header(ISSUE_HEADERS)
    for n, issue in enumerate(issues, start=1):
        row = listing.values([n, issue.file, issue.sheet, issue.cell, issue.kind, issue.object, issue.message],
                             ISSUE_STYLES)
        listing.fit_height(row)
    if not issues:
        listing.line("没有发现差错或错误。", len(ISSUE_HEADERS), style="note")
    return WritePlan([finish(summary.plan), finish(listing.plan)])
