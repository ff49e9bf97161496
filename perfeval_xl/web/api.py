"""The Python side of the offline page (离线网页版), in one module: what the page's Web Worker calls inside Pyodide.

Each function takes the bytes the user picked and runs the very functions the command line runs (``score_file``,
``review_file``, ``run_batch`` and ``write_summary``, ``write_template``) on a copy in a fresh folder of
Pyodide's in-memory file system, so the file the page offers for download has the same bytes as the CLI's, and a
file that cannot be read gets the CLI's exit-2 message (through the CLI's own error boundary).  Nothing here knows
of JavaScript beyond turning a JS byte array into ``bytes`` (:func:`_bytes`).

:func:`batch` runs the batch core (``run_batch``) with its in-memory store (the browser has no sqlite3) and writes
汇总.xlsx with the command line's ``write_summary``.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import tempfile
from argparse import Namespace
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, TypeVar

TEMPLATE_NAME = "绩效评价模板.xlsx"
_R = TypeVar("_R")
SUMMARY_NAME = "汇总.xlsx"


def _bytes(data) -> bytes:
    """``bytes`` from what the worker hands over (bytes, a memoryview or a Pyodide proxy of a Uint8Array)."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    return data.to_bytes()  # pyodide.ffi.JsProxy of a typed array


def _safe_name(name: str) -> str:
    """The file's own name (a browser gives no folders, but a relative path from a folder pick may have them)."""
    base = PurePosixPath(str(name).replace("\\", "/")).name.strip()
    return base or "工作簿.xlsx"


@contextlib.contextmanager
def _workdir():
    """A fresh folder, made the current one (so messages name files as the CLI run beside them does)."""
    old = os.getcwd()
    folder = tempfile.mkdtemp(prefix="perfeval-web-")
    os.chdir(folder)
    try:
        yield Path(folder)
    finally:
        os.chdir(old)
        shutil.rmtree(folder, ignore_errors=True)


def _run_cli_step(name: str, verb: str, action: Callable[[], _R]) -> tuple[_R | None, int | None, str]:
    """Run ``action`` through the CLI's error boundary; returns (result, failure exit status, the CLI's stderr)."""
    from perfeval_xl.cli import _guarded

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        result, failed = _guarded(Namespace(book=name, json=False), verb, action)
    return result, failed, err.getvalue().strip()


def _download(output: Path | None) -> dict:
    """The written workbook, for the page to offer as a download (评分 and 复核 always write one)."""
    assert output is not None, "评分 and 复核 write their output"
    return {"output_name": output.name, "output": output.read_bytes()}


def _printed(printer, result) -> str:
    """What the CLI prints for ``result``, without the closing 已写入 line (the page offers a download instead)."""
    out = io.StringIO()
    printer(replace(result, output=None), out)
    return out.getvalue().rstrip("\n")


def _unit_rows(evaluation) -> list[list[str]]:
    """单位、总分、等级 as the CLI's summary table shows them (two decimals; the project's row under the units)."""
    from perfeval_xl.core.numbers import fmt_score

    if evaluation is None:
        return []
    rows = [[u.full_name, fmt_score(u.total), u.grade] for u in evaluation.units]
    if not evaluation.whole:
        rows.append([f"项目得分（{evaluation.book.info.get('aggregation')}）", fmt_score(evaluation.total), evaluation.grade])
    return rows


#: what :func:`warm_up` does, one step per call, in this order: the page's worker runs a step only while the user has
#: asked for nothing, and stops warming up once a file has been scored, reviewed or batch-reviewed
WARM_UP_STEPS = ("imports", "score", "review")
#: the built-in workbook the warm-up scores: two units, two manual indicators with texts long enough to wrap (the
#: plan's row heights and label widths go through core.textfit); made here, not one of the samples
WARM_UP_INFO = {"项目名称": "预热示例", "评价形态": "分单位评价"}
WARM_UP_TABLES = {
    "单位名单": [{"单位全称": "甲街道办事处", "单位简称": "甲"}, {"单位全称": "乙街道办事处", "单位简称": "乙"}],
    "指标体系": [
        {"编码": "A1", "一级指标": "决策", "一级分值": 40, "二级指标": "项目立项", "二级分值": 40,
         "三级指标": "立项依据充分性", "分值": 40, "评分方法": "人工",
         "指标解释": "项目立项是否符合法律法规、相关政策、发展规划以及部门职责（用以反映和考核项目立项依据情况）。"},
        {"编码": "B1", "一级指标": "效益", "一级分值": 60, "二级指标": "满意度", "二级分值": 60,
         "三级指标": "服务对象满意度", "分值": 60, "评分方法": "人工"}],
    "评分录入": [{"指标编码": "A1", "得分": 38, "扣分原因": "部分立项资料不完整，扣2分。"},
             {"指标编码": "B1", "得分": 55, "扣分原因": "满意度 92%（目标值 100%），扣5分。"}],
}
#: that workbook as the page's builder writes it into the wheel (perfeval web build), so that the page need not
#: import openpyxl to warm up; where it is missing (a checkout) it is written on first use
WARM_UP_BOOK = Path(__file__).with_name("static") / "预热.xlsx"
_warm_up_book: bytes | None = None


def _shipped_warm_up_book() -> bytes | None:
    """The warm-up workbook as the builder put it into the package, read as a package resource (in the page the
    package lives in a zip, where ``WARM_UP_BOOK`` is not a file: the page would otherwise import openpyxl and
    write it again, about 1.5 s of the warm-up); None where it was not shipped (a checkout)."""
    from importlib.resources import files

    resource = files(__package__).joinpath("static").joinpath(WARM_UP_BOOK.name)
    return resource.read_bytes() if resource.is_file() else None


def write_warm_up_book(path: Path) -> Path:
    """The built-in warm-up workbook, written as ``perfeval new`` writes a workbook."""
    from perfeval_xl.io.template import write_workbook

    return write_workbook(path, WARM_UP_INFO, WARM_UP_TABLES)


def page_modules(book: bytes) -> list[str]:
    """Every module loaded once :func:`score` and :func:`review` have run on ``book`` (the warm-up workbook), in
    the order they were first imported: run natively in a fresh process by the page's builder, which has the
    page's memory snapshot import those of them that need no compiled library (:func:`snapshot_imports`)."""
    import sys

    for run in (score, review):
        result = run(WARM_UP_BOOK.name, book)
        if result["exit"] != 0:
            raise RuntimeError(f"预热工作簿未通过：{result['message']}")
    return list(sys.modules)


def page_patterns() -> list[tuple[str, int]]:
    """The regular expressions compiled so far in this process — after :func:`page_modules`, those that importing
    and running 评分 and 复核 compile (the module-level ones and those compiled on first use inside functions) —
    as (pattern, flags), for the page's memory snapshot to compile ahead (:func:`snapshot_patterns`): compiling
    a pattern is pure Python (``re._compiler``), several times slower in Pyodide than natively."""
    import re

    return [(pattern, flags) for kind, pattern, flags in list(getattr(re, "_cache", {})) if kind is str]


def snapshot_patterns(patterns: Iterable[tuple[str, int]]) -> int:
    """Compile ``patterns`` (from :func:`page_patterns`) at build time, inside Pyodide, so that they are in
    ``re``'s cache in the page's memory snapshot; returns how many compiled (one this Python cannot compile is
    left to be compiled, or to fail, where the code uses it, as without a snapshot)."""
    import re

    compiled = 0
    for pattern, flags in patterns:
        try:
            re.compile(pattern, flags)
        except (re.error, ValueError, TypeError):
            continue
        compiled += 1
    return compiled


_MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def snapshot_imports(names: Iterable[str]) -> list[str]:
    """Import ``names`` (from :func:`page_modules`) at build time, inside Pyodide, for the page's memory snapshot;
    returns the names left out: those that need python-calamine (a compiled library, which a memory snapshot
    cannot hold: the page installs it after start-up and imports them on first use) or are not in Pyodide at all
    (modules only a desktop Python has).  Any other failure is raised."""
    import importlib

    left_out = []
    for name in names:
        if not _MODULE_NAME.fullmatch(name):
            raise ValueError(f"not a module name: {name!r}")
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            left_out.append(name)
    return left_out


def warm_up(step: str = "imports") -> None:
    """One step of :data:`WARM_UP_STEPS`, run by the page while the user is still choosing a file (once Python is
    ready), so that the first result comes nearly as fast as the later ones: ``imports`` imports what 评分 and 复核
    use; ``score`` and ``review`` run :func:`score` and :func:`review` on the built-in workbook, which reads a
    workbook with python-calamine for the first time and takes the plan (row heights, label widths: core.textfit)
    and the writer through the branches a real workbook takes."""
    global _warm_up_book
    if step == "imports":
        import perfeval_xl.cli  # noqa: F401  (the error boundary and the summary printers)
        import perfeval_xl.core.summary  # noqa: F401
        import perfeval_xl.io.snapshot  # noqa: F401
        import perfeval_xl.io.xlsx_splice  # noqa: F401
        import perfeval_xl.pipeline  # noqa: F401
        import perfeval_xl.review  # noqa: F401
    elif step in ("score", "review"):
        if _warm_up_book is None:
            _warm_up_book = _shipped_warm_up_book()
            if _warm_up_book is None:
                with _workdir() as folder:
                    _warm_up_book = write_warm_up_book(folder / WARM_UP_BOOK.name).read_bytes()
        result = (score if step == "score" else review)(WARM_UP_BOOK.name, _warm_up_book)
        if result["exit"] != 0:  # the built-in workbook is valid: anything else is a bug worth seeing in the console
            raise RuntimeError(f"预热工作簿未通过：{result['message']}")
    else:
        raise ValueError(f"unknown warm-up step: {step}")


def new_template() -> dict:
    """新建模板: the blank template, written as ``perfeval new`` writes it."""
    from perfeval_xl.io.template import write_template

    with _workdir() as folder:
        path = write_template(folder / TEMPLATE_NAME)
        return {"exit": 0, "message": f"已生成模板：{TEMPLATE_NAME}", "output_name": TEMPLATE_NAME,
                "output": Path(path).read_bytes()}


def score(name: str, data) -> dict:
    """评分, as ``perfeval score <name>`` (and its ``--json``) beside the file."""
    from perfeval_xl.cli import EXIT_FINDINGS, EXIT_OK, print_summary
    from perfeval_xl.core.summary import summary
    from perfeval_xl.pipeline import score_file

    return _one_workbook(name, data, "评分", score_file, lambda scored: {
        "exit": EXIT_FINDINGS if scored.findings.errors else EXIT_OK,
        "message": _printed(print_summary, scored), "summary": summary(scored.evaluation, scored.findings),
        "units": _unit_rows(scored.evaluation)})


def review(name: str, data) -> dict:
    """复核, as ``perfeval review <name>`` (and its ``--json``) beside the file."""
    from perfeval_xl.cli import EXIT_FINDINGS, EXIT_OK, print_review
    from perfeval_xl.review import review_file, review_json

    return _one_workbook(name, data, "复核", review_file, lambda reviewed: {
        "exit": EXIT_FINDINGS if reviewed.failed else EXIT_OK,
        "message": _printed(print_review, reviewed), "summary": review_json(reviewed),
        "units": _unit_rows(reviewed.evaluation)})


def _one_workbook(name: str, data, verb: str, run: Callable[[str], Any], shown: Callable[[Any], dict]) -> dict:
    """``run`` (the CLI's score_file or review_file) on the picked file in a fresh folder, through the CLI's
    error boundary: what ``shown`` takes from its result and the written workbook, or the CLI's message."""
    name = _safe_name(name)
    with _workdir() as folder:
        (folder / name).write_bytes(_bytes(data))
        result, failed, message = _run_cli_step(name, verb, lambda: run(name))
        if result is None:
            return {"exit": failed, "message": message}
        return {**shown(result), **_download(result.output)}


def _folder_root(names: list[str]) -> str | None:
    """The picked folder when every path is ``folder/…`` (a folder pick), else None (files picked one by one)."""
    firsts = {PurePosixPath(n).parts[0] for n in names if len(PurePosixPath(n).parts) > 1}
    if len(firsts) == 1 and all(len(PurePosixPath(n).parts) > 1 for n in names):
        return firsts.pop()
    return None


def batch(files: Iterable, on_file: Callable[[int, int, str, str], None] | None = None) -> dict:
    """批量复核 ``files`` — (relative path, bytes) pairs — as ``perfeval batch <folder>`` (a folder picked: every
    path starts with the same folder) or ``perfeval batch <file>…`` (files picked).  ``on_file(index, total, name,
    state)`` is told when each file starts (state "处理中") and ends (its status), for the page's progress bars."""
    from perfeval_xl.batch import _display, discover, outcome_text, run_batch, write_summary
    from perfeval_xl.batchstore import MemoryStore
    from perfeval_xl.cli import EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE

    pairs = [(str(name).replace("\\", "/").lstrip("/"), data) for name, data in files]
    names = [name for name, _ in pairs]
    with _workdir() as folder:
        for name, data in pairs:
            parts = [p for p in PurePosixPath(name).parts if p not in ("", ".", "..")]
            path = folder.joinpath(*parts) if parts else folder / "工作簿.xlsx"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(_bytes(data))
        root_name = _folder_root(names)
        args = [root_name] if root_name else names
        found, notes = discover(args, exclude=[folder / SUMMARY_NAME])
        if not found:
            return {"exit": EXIT_UNREADABLE, "message": "错误：给出的路径中没有文件",
                    "notes": notes, "rows": [], "issues": []}
        root = Path(root_name) if root_name else None
        done = 0

        def started(name: str) -> None:
            if on_file:
                on_file(done, len(found), name, "处理中")

        def ended(result) -> None:
            nonlocal done
            if on_file:
                on_file(done, len(found), result.path, result.rows[0].status if result.rows else "")
            done += 1

        store = MemoryStore()  # no sqlite3 in the browser: the batch core's in-memory store
        run_batch(found, store, jobs=1, root=root, on_result=ended, on_start=started)
        totals = write_summary(store, folder / SUMMARY_NAME)
        return {"exit": EXIT_FINDINGS if totals.problem_files else EXIT_OK, "message": outcome_text(store, totals),
                "notes": notes, "files": [_display(p, root) for p in found],
                "problem_files": [path for path, _ in store.problems()],
                "rows": [_plain({**row.__dict__, "duplicate": duplicate}) for row, duplicate in store.summary()],
                "issues": [_plain(issue.__dict__) for issue in store.issues()],
                "output_name": SUMMARY_NAME, "output": (folder / SUMMARY_NAME).read_bytes()}


def _plain(record: dict) -> dict:
    """A summary row or issue with its numbers as the page shows them (Decimal is not a JavaScript type)."""
    from decimal import Decimal

    return {key: (f"{value:.2f}" if isinstance(value, Decimal) else "" if value is None else value)
            for key, value in record.items()}
