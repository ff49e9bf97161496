"""``perfeval batch``: every workbook under the given paths, scored or reviewed by what it holds.

Each file is handled in a worker process on its own (:func:`process_file` never raises: a file
that cannot be read gets a row saying why), the results are gathered in input order and
written to 汇总.xlsx in one atomic write at the end, so an interrupted batch leaves no partial
summary.  The summary's content is built by :mod:`perfeval_xl.core.batch`.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Iterable, Sequence

from perfeval_xl.core.batch import (
    STATUS_NOTHING, STATUS_UNREADABLE, BatchIssue, BatchRow, FileResult, status_of,
)
from perfeval_xl.core.numbers import fmt_score

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
#: name endings of the files perfeval itself writes beside an input; a batch over a folder
#: that was scored before must not count those copies as more evaluations
OUTPUT_STEM_ENDINGS = ("_评分", "_复核")
BACKUP_MARK = "_备份_"


def _is_our_output(path: Path) -> bool:
    return path.stem.endswith(OUTPUT_STEM_ENDINGS) or BACKUP_MARK in path.stem


def discover(paths: Iterable[str | os.PathLike], exclude: Path | None = None) -> tuple[list[Path], list[str]]:
    """The workbooks under ``paths`` (folders recursively, sorted) and notes on what was left out."""
    files: list[Path] = []
    notes: list[str] = []
    skipped_outputs = 0
    seen: set[Path] = set()
    excluded = exclude.resolve() if exclude is not None else None
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            notes.append(f"“{raw}”不存在，已跳过")
            continue
        candidates = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for candidate in candidates:
            if candidate.suffix.lower() not in WORKBOOK_SUFFIXES:
                if path.is_file():
                    notes.append(f"“{raw}”不是 .xlsx / .xlsm 工作簿，已跳过")
                continue
            name = candidate.name
            if name.startswith(("~$", ".~perfeval-")):  # Office owner files, our temp files
                continue
            real = candidate.resolve()
            if real == excluded or real in seen:
                continue
            if _is_our_output(candidate) and not path.is_file():
                skipped_outputs += 1
                continue
            seen.add(real)
            files.append(candidate)
    if skipped_outputs:
        notes.append(f"跳过了 {skipped_outputs} 个本工具写出的文件（文件名以 _评分、_复核 结尾或含 _备份_）")
    return files, notes


# --- one file ------------------------------------------------------------------------------------

def _printed_total(evaluation, unit: str) -> str:
    """The 总分 that 报告数据 says the report printed for a unit ("" for the project), if any."""
    from perfeval_xl.core import schema

    for record in evaluation.book.rows(schema.REPORTED):
        if record.get("content") == schema.REPORTED_TOTAL and (record.get("unit") or "") == unit:
            return str(record.get("printed") or "")
    return ""


def _evaluation_rows(name: str, evaluation, slips) -> list[BatchRow]:
    errors = sum(1 for f in evaluation.findings if f.severity == "error")
    rows = []
    if not evaluation.whole:
        for unit in evaluation.units:
            unit_slips = sum(1 for s in slips if s.unit == unit.name)
            rows.append(BatchRow(name, "", evaluation.book.name, unit.name, _printed_total(evaluation, unit.name),
                                 fmt_score(unit.total), unit.grade, unit_slips, 0, status_of(unit_slips, 0)))
    project_slips = sum(1 for s in slips if not s.unit) if not evaluation.whole else len(slips)
    project_unit = "" if evaluation.whole else f"项目（{evaluation.book.info.get('aggregation') or '平均'}）"
    rows.append(BatchRow(name, "", evaluation.book.name, project_unit, _printed_total(evaluation, ""),
                         fmt_score(evaluation.total), evaluation.grade, project_slips, errors,
                         status_of(project_slips, errors)))
    return rows


def _form_rows(name: str, result) -> list[BatchRow]:
    rows = []
    for form in result.forms:
        slips, errors = form.slips, form.errors
        printed = fmt_score(form.printed_total) if form.printed_total is not None else ""
        rows.append(BatchRow(name, form.sheet, form.project, form.unit, printed, fmt_score(form.total), form.grade,
                             slips, errors, status_of(slips, errors)))
    return rows


def review_workbook(path: Path, display: str, write_copies: bool) -> FileResult:
    """Whatever the workbook holds, reviewed: an evaluation of our template (scored, 报告数据
    reconciled), self-evaluation forms, pasted report tables; a copy written when asked."""
    from perfeval_xl.review import read_for_review, review_file, review_snapshot

    copy = ""
    if write_copies:
        reviewed = review_file(path)
        copy = str(reviewed.output)
    else:
        reviewed = review_snapshot(*read_for_review(path), with_plan=False)
    result, evaluation = reviewed.result, reviewed.evaluation
    form_sheets = {f.sheet for f in result.forms}
    other_slips = [s for s in result.slips if s.sheet not in form_sheets]
    rows = _evaluation_rows(display, evaluation, other_slips) if evaluation is not None else []
    rows += _form_rows(display, result)
    if not rows:  # pasted tables only: one row for the workbook
        errors = sum(1 for f in reviewed.findings if f.severity == "error")
        status = status_of(len(result.slips), errors) if result.checked else STATUS_NOTHING
        rows.append(BatchRow(display, "", "", "", "", "", "", len(result.slips), errors, status))
    issues = [] if rows[0].status != STATUS_NOTHING else [BatchIssue(
        display, "", "", "错误", "", "没有可核对的内容：不是评价模板，没有绩效自评表，其中的表格也无法核对（原因见下面的“未核对”各条）")]
    issues += [BatchIssue(display, s.sheet, s.cell, "差错", s.object,
                         f"报告值 {s.printed}，复算值 {s.expected}：{s.message}") for s in result.slips]
    issues += [BatchIssue(display, f.sheet, f.cell, f.level, "", f.message) for f in reviewed.findings]
    issues += [BatchIssue(display, u.sheet, u.range, "提示", "未核对", u.reason) for u in result.unchecked]
    return FileResult(display, tuple(rows), tuple(issues), copy=copy)


def _unreadable(display: str, sheet: str, cell: str, message: str) -> FileResult:
    row = BatchRow(display, sheet, "", "", "", "", "", 0, 1, STATUS_UNREADABLE)
    return FileResult(display, (row,), (BatchIssue(display, sheet, cell, "错误", "", message),), unreadable=True)


def process_file(path: str, write_copies: bool = False, display: str | None = None) -> FileResult:
    """Score or review one workbook; never raises (an unreadable file gives a row that says why)."""
    from perfeval_xl.core.findings import TemplateError
    from perfeval_xl.io.atomic import describe_os_error
    from perfeval_xl.io.snapshot import UnreadableFile
    from perfeval_xl.io.targets import TargetError

    display = display or str(path)
    try:
        return review_workbook(Path(path), display, write_copies)
    except TemplateError as exc:
        row = BatchRow(display, exc.sheet, "", "", "", "", "", 0, 0, STATUS_NOTHING)
        message = exc.message
        return FileResult(display, (row,), (BatchIssue(display, exc.sheet, exc.cell, "错误", "", message),))
    except UnreadableFile as exc:
        return _unreadable(display, exc.sheet, exc.cell, str(exc))
    except TargetError as exc:
        return _unreadable(display, "", "", str(exc))
    except OSError as exc:
        return _unreadable(display, "", "", describe_os_error(exc))
    except Exception as exc:  # one bad file never stops the batch, and never shows a traceback
        if os.environ.get("PERFEVAL_DEBUG"):
            raise
        from perfeval_xl.io.files import describe_failure  # one wording for every command (never a class name)

        return _unreadable(display, "", "", describe_failure(exc, "处理此文件"))


def _process(job: tuple[str, bool, str]) -> FileResult:
    return process_file(*job)


# --- many files ------------------------------------------------------------------------------------

def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def run_batch(files: Sequence[Path], *, jobs: int | None = None, write_copies: bool = False,
              root: Path | None = None, on_result: Callable[[FileResult], None] | None = None) -> list[FileResult]:
    """Process ``files`` (in worker processes when ``jobs`` > 1), results in input order."""
    jobs = jobs or default_jobs()
    work = [(str(f), write_copies, _display(f, root)) for f in files]
    results: list[FileResult] = []
    if jobs == 1 or len(work) <= 1:
        for job in work:
            results.append(_process(job))
            if on_result:
                on_result(results[-1])
        return results
    chunk = max(1, min(16, len(work) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        try:
            for result in pool.map(_process, work, chunksize=chunk):
                results.append(result)
                if on_result:
                    on_result(result)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return results


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)


def progress_bar(total: int, enabled: bool):
    """A tqdm bar on a terminal (stderr), nothing otherwise; returns (update, close)."""
    if not enabled or total <= 1:
        return (lambda result: None), (lambda: None)
    from tqdm import tqdm

    bar = tqdm(total=total, unit="个", desc="处理中", file=sys.stderr, dynamic_ncols=True, leave=False)
    return (lambda result: bar.update(1)), bar.close
