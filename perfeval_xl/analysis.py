"""The batch result as tables for analysts: ``perfeval_xl.batch_frame(paths)`` → pandas DataFrames.

A bureau analyst who has run (or wants to run) ``perfeval batch`` over a year's submissions gets
the same results in a notebook: ``files`` (one row per file), ``evaluations`` (one row per scored
evaluation: a unit, or the project), ``forms`` (one row per 绩效自评表) and ``findings`` (every slip,
error and warning with its file, sheet and cell).  Column names are those of 汇总.xlsx (文件, 项目,
单位, 报告总分, 复算总分, 等级, 差错数, 错误数, 状态 …) plus 年度, taken from the file's path (a folder
or file name with 20xx) or else its project name.

The rows come from :func:`perfeval_xl.batch.process_file`'s :class:`~perfeval_xl.core.batch.FileResult`
(via :func:`records`, pure Python and always available); pandas is an optional extra
(``pip install 'perfeval-xl[analysis]'``), imported only inside :func:`batch_frame` and :func:`frames`.
Scores in the frames are floats (two decimals, for grouping and plotting); the figures of record
stay those of 汇总.xlsx and 复核意见.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

#: the four tables and their columns, in order
FILE_COLUMNS = ["文件", "年度", "状态", "评价数", "自评表数", "差错数", "错误数", "提示数", "无法读取"]
ROW_COLUMNS = ["文件", "年度", "工作表", "项目", "单位", "报告总分", "复算总分", "差额", "等级", "差错数", "错误数", "状态"]
FINDING_COLUMNS = ["文件", "年度", "工作表", "单元格", "类别", "对象", "指标", "项目", "单位", "说明"]

#: a file's status is the worst of its rows' (汇总 状态), in this order
_WORST = ("无法读取", "有差错", "有错误", "未识别", "通过")
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
#: the object of a form's indicator slip (``三级指标 培训人次 得分``) and of a 报告数据 row
#: (``普吉 C5 奖励金发放完成率 得分``, ``C5 奖励金发放完成率 指标值``)
_FORM_INDICATOR = re.compile(r"^三级指标 (.+) 得分$")
_REPORTED_INDICATOR = re.compile(r"(?:^|\s)[A-Za-z]+\d+(?:[.·/]\S+)? (\S+) (?:得分|指标值)$")

MISSING_PANDAS = ("batch_frame 需要 pandas（数据分析库），当前环境中没有安装；"
                  "请运行 pip install 'perfeval-xl[analysis]'（或 pip install pandas）后再试")


class PandasMissing(ImportError):
    """pandas is not installed (the ``analysis`` extra)."""


@dataclass(frozen=True)
class BatchFrames:
    """The four tables; unpacks as ``files, evaluations, forms, findings``.  ``notes`` are what the
    discovery of files said (paths that do not exist, files left out)."""

    files: Any
    evaluations: Any
    forms: Any
    findings: Any
    notes: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Any]:
        return iter((self.files, self.evaluations, self.forms, self.findings))


def year_of(*texts: str) -> int | None:
    """The first 20xx standing alone in the texts (a path, then a project name), or None."""
    for text in texts:
        match = _YEAR.search(text or "")
        if match:
            return int(match.group(1))
    return None


def indicator_of(obj: str) -> str:
    """The 三级指标 a slip's object names, or ""."""
    for pattern in (_FORM_INDICATOR, _REPORTED_INDICATOR):
        match = pattern.search(obj or "")
        if match:
            return match.group(1)
    return ""


def _score(text: str) -> float | None:
    if text in ("", None):
        return None
    try:
        return float(Decimal(str(text).replace(",", "")))
    except InvalidOperation:
        return None


def _difference(printed: float | None, total: float | None) -> float | None:
    if printed is None or total is None:
        return None
    return float(Decimal(str(printed)) - Decimal(str(total)))


def records(results: Iterable) -> dict[str, list[dict]]:
    """The four tables as lists of dicts from batch results (:class:`FileResult` or anything with
    the same fields): ``{"files": …, "evaluations": …, "forms": …, "findings": …}``."""
    from perfeval_xl.core.batch import STATUS_NOTHING, STATUS_UNREADABLE

    tables: dict[str, list[dict]] = {"files": [], "evaluations": [], "forms": [], "findings": []}
    for result in results:
        read = not result.unreadable
        project = next((r.project for r in result.rows if r.project), "")
        year = year_of(result.path, project)
        evaluations: list[dict] = []
        forms: list[dict] = []
        for row in result.rows:
            if not read or row.status in (STATUS_UNREADABLE, STATUS_NOTHING) or (not row.sheet and not row.total):
                continue  # the file's own row (unreadable, nothing found, pasted tables only): in files
            printed, total = _score(row.printed_total), _score(row.total)
            record = {"文件": result.path, "年度": year_of(result.path, row.project), "工作表": row.sheet,
                      "项目": row.project, "单位": row.unit, "报告总分": printed, "复算总分": total,
                      "差额": _difference(printed, total), "等级": row.grade, "差错数": row.slips,
                      "错误数": row.errors, "状态": row.status}
            (forms if row.sheet else evaluations).append(record)
        tables["evaluations"] += evaluations
        tables["forms"] += forms
        by_sheet = {f["工作表"]: f for f in reversed(forms)}  # a sheet's first form
        units = {r["单位"] for r in evaluations + forms if r["单位"]}
        for issue in result.issues:
            owner = by_sheet.get(issue.sheet)
            tables["findings"].append({
                "文件": result.path, "年度": owner["年度"] if owner else year, "工作表": issue.sheet,
                "单元格": issue.cell, "类别": issue.kind, "对象": issue.object, "指标": indicator_of(issue.object),
                "项目": owner["项目"] if owner else project,
                "单位": owner["单位"] if owner else (next(iter(units)) if len(units) == 1 else ""),
                "说明": issue.message})
        statuses = [r.status for r in result.rows] or [STATUS_NOTHING]
        tables["files"].append({
            "文件": result.path, "年度": year, "状态": min(statuses, key=lambda s: _WORST.index(s) if s in _WORST else 0),
            "评价数": len(evaluations), "自评表数": len(forms),
            "差错数": sum(1 for i in result.issues if i.kind == "差错"),
            "错误数": sum(1 for i in result.issues if i.kind == "错误"),
            "提示数": sum(1 for i in result.issues if i.kind == "提示"),
            "无法读取": bool(result.unreadable)})
    return tables


def _pandas():
    try:
        import pandas
    except ImportError as exc:
        raise PandasMissing(MISSING_PANDAS) from exc
    return pandas


def frames(results: Iterable, notes: Sequence[str] = ()) -> BatchFrames:
    """The four DataFrames of batch results already computed (e.g. by ``perfeval_xl.batch.run_batch``)."""
    pd = _pandas()
    tables = records(results)

    def frame(rows: list[dict], columns: list[str]):
        df = pd.DataFrame(rows, columns=columns)
        if "年度" in df:
            df["年度"] = df["年度"].astype("Int64")
        for name in ("报告总分", "复算总分", "差额"):
            if name in df:
                df[name] = df[name].astype("Float64")
        return df

    return BatchFrames(frame(tables["files"], FILE_COLUMNS), frame(tables["evaluations"], ROW_COLUMNS),
                       frame(tables["forms"], ROW_COLUMNS), frame(tables["findings"], FINDING_COLUMNS), tuple(notes))


def batch_frame(paths: str | os.PathLike | Iterable[str | os.PathLike], *, jobs: int | None = 1) -> BatchFrames:
    """Review every workbook under ``paths`` as ``perfeval batch`` does and return the results as
    DataFrames ``files, evaluations, forms, findings`` (see the module's doc).  ``jobs`` worker
    processes (default 1; None: one per core).  Raises :class:`PandasMissing` (a Chinese message)
    when pandas is not installed, before any file is read."""
    _pandas()
    from perfeval_xl.batch import discover

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = list(paths)
    found, notes = discover(paths)
    root = Path(paths[0]) if len(paths) == 1 and Path(paths[0]).is_dir() else None
    return frames(batch_results(found, jobs=jobs, root=root), notes)


def batch_results(files: Sequence[Path], *, jobs: int | None = 1, root: Path | None = None) -> list:
    """Each file's :class:`~perfeval_xl.core.batch.FileResult`, in the files' order, from the batch core
    (``run_batch``, with its in-memory store: nothing is written)."""
    from perfeval_xl.batch import _display, run_batch
    from perfeval_xl.batchstore import MemoryStore

    arrived: dict[str, object] = {}
    run_batch(files, MemoryStore(), jobs=jobs, root=root,
              on_result=lambda result: arrived.__setitem__(result.path, result))
    order = [_display(path, root) for path in files]  # workers deliver as they finish
    return [arrived[name] for name in order if name in arrived]
