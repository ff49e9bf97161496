"""``perfeval batch``: every workbook under the given paths, scored or reviewed by what it holds.

Every file under the paths is listed (the ones perfeval does not read as 格式不支持 or 无法读取).
Each file is handled in a worker process (:func:`process_file` never raises: a file that cannot
be read gets a row saying why; a worker that dies costs only its file); each result goes into
the store (:mod:`perfeval_xl.batchstore`) as it arrives, so a batch run again after a crash
reuses what was stored.  汇总.xlsx is written from the store at the end, streamed, in one atomic
write.  What the summary's rows hold is :mod:`perfeval_xl.core.batch`'s.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import sys
import time
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice
from operator import attrgetter
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence, TypeVar

from perfeval_xl.batchstore import FileEntry, Store
from perfeval_xl.gcpause import gc_paused
from perfeval_xl.core.numbers import round_score
from perfeval_xl.core.batch import (
    KIND_ERROR, KIND_NOTE, KIND_SLIP, STATUS_FAILED, STATUS_NOTHING, STATUS_UNREADABLE, STATUS_UNSUPPORTED,
    BatchIssue, BatchRow, FileResult, Totals, as_number, status_of,
)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
#: spreadsheet formats perfeval does not read: listed in 汇总 as 格式不支持, with what to do
OTHER_SPREADSHEETS = (".xls", ".xlsb", ".et", ".ett", ".ods", ".fods", ".csv", ".wps", ".numbers", ".xltx", ".xltm",
                      ".xlt", ".dbf")
#: name endings of the files perfeval itself writes beside an input; a batch over a folder
#: that was scored before must not count those copies as more evaluations
OUTPUT_STEM_ENDINGS = ("_评分", "_复核")
BACKUP_MARK = "_备份_"
#: what SQLite keeps beside its database file
STORE_SIDE_FILES = ("-wal", "-shm", "-journal")


def _is_our_output(path: Path) -> bool:
    return path.stem.endswith(OUTPUT_STEM_ENDINGS) or BACKUP_MARK in path.stem


def _is_clutter(name: str) -> bool:
    """Office owner files, our own temporary files, the folder files of Windows and macOS."""
    return name.startswith(("~$", ".~perfeval-", ".~lock.")) or name in (".DS_Store", "Thumbs.db", "desktop.ini")


def discover(paths: Iterable[str | os.PathLike], exclude: Iterable[Path] = ()) -> tuple[list[Path], list[str]]:
    """Every file under ``paths`` (folders recursively, sorted) and notes on what was left out.

    Every file is returned, whatever its format (a batch lists the ones it cannot read in 汇总
    with what to do), except what this tool wrote (scored and reviewed copies, backups, the
    summary and its database) and the owner and lock files Office leaves, which are counted in
    a note."""
    files: list[Path] = []
    notes: list[str] = []
    skipped_outputs = clutter = 0
    seen: set[Path] = set()
    excluded = set()
    for path in exclude:
        excluded.add(Path(path).resolve())
        excluded.update(Path(str(path) + side).resolve() for side in STORE_SIDE_FILES)
    for raw in paths:
        path = Path(raw)
        if not os.path.lexists(path):
            notes.append(f"“{_shown(raw)}”不存在，已跳过")
            continue
        if path.is_dir():
            candidates = sorted(p for p in path.rglob("*") if not p.is_dir())
        else:
            candidates = [path]
        for candidate in candidates:
            name = candidate.name
            if _is_clutter(name):
                clutter += 1
                continue
            real = candidate.resolve()
            if real in excluded or real in seen:
                continue
            if _is_our_output(candidate) and candidate is not path:
                skipped_outputs += 1
                continue
            seen.add(real)
            files.append(candidate)
    if skipped_outputs:
        notes.append(f"跳过了 {skipped_outputs} 个本工具写出的文件（文件名以 _评分、_复核 结尾或含 _备份_）")
    if clutter:
        notes.append(f"跳过了 {clutter} 个 Office/WPS 的临时文件或系统文件（~$ 开头的文件等）")
    return files, notes


def _shown(text) -> str:
    """A path as text a user can read, undecodable bytes of its name escaped."""
    return os.fsencode(os.fspath(text)).decode("utf-8", "backslashreplace")


# --- one file ------------------------------------------------------------------------------------

def _printed_totals(evaluation) -> dict[str, object]:
    """The 总分 that 报告数据 says the report printed, by unit ("" for the project; the first row
    of a unit counts), in one pass over 报告数据."""
    from perfeval_xl.core import schema

    totals: dict[str, object] = {}
    wanted = schema.REPORTED_TOTAL
    for values in map(attrgetter("values"), evaluation.book.rows(schema.REPORTED)):
        if values.get("content") == wanted:
            totals.setdefault(values.get("unit") or "", values.get("printed"))
    return totals


def _evaluation_rows(name: str, reviewed, slips, checked: int) -> list[BatchRow]:
    """The rows of an evaluation workbook: one per unit, then the project; the figures checked
    (报告数据 and pasted tables) are counted on the project row, and every row of an evaluation
    whose figures were not checked at all is 未核对."""
    evaluation = reviewed.evaluation
    if evaluation is None:
        return []
    errors = sum(1 for f in reviewed.scoring_findings if f.severity == "error")
    printed = _printed_totals(evaluation)
    rows = []
    if not evaluation.whole:
        by_unit: dict[str, int] = {}
        for s in slips:  # each unit's slips counted in one pass
            by_unit[s.unit] = by_unit.get(s.unit, 0) + 1
        for unit in evaluation.units:
            unit_slips = by_unit.get(unit.name, 0)
            rows.append(BatchRow(name, "", evaluation.book.name, unit.name, as_number(printed.get(unit.name)),
                                 round_score(unit.total), unit.grade, None, None, unit_slips, 0,
                                 status_of(unit_slips, 0, checked)))
    project_slips = sum(1 for s in slips if not s.unit) if not evaluation.whole else len(slips)
    project_unit = "" if evaluation.whole else f"项目（{evaluation.book.info.get('aggregation') or '平均'}）"
    rows.append(BatchRow(name, "", evaluation.book.name, project_unit, as_number(printed.get("")),
                         round_score(evaluation.total), evaluation.grade, checked, checked - len(slips), project_slips, errors,
                         status_of(project_slips, errors, checked)))
    return rows


def _form_rows(name: str, reviewed) -> list[BatchRow]:
    rows = []
    for form in reviewed.result.forms:
        checked = form.checked
        rows.append(BatchRow(name, form.sheet, form.project, form.unit, form.printed_total, round_score(form.total),
                             form.grade, checked, checked - form.slips, form.slips, form.errors,
                             status_of(form.slips, form.errors, checked)))
    return rows


def _target_rows(name: str, reviewed) -> list[BatchRow]:
    """One row per 绩效目标申报表 (perfeval_xl.targetforms): checked against the rules, not against printed
    figures (核对数 not applicable), its errors counted."""
    return [BatchRow(name, t.sheet, t.project, t.unit, None, None, "", None, None, 0, t.errors,
                     status_of(0, t.errors)) for t in reviewed.result.targets]


def review_workbook(path: Path, display: str, write_copies: bool) -> FileResult:
    """Whatever the workbook holds, reviewed: an evaluation of our template (scored, 报告数据
    reconciled), self-evaluation forms, pasted report tables; a copy written when asked.

    The 汇总 rows are built from what the review returns: the evaluation's rows, then one per
    form (:data:`ROW_BUILDERS`: a kind of document the review learns to check adds its builder
    there)."""
    from perfeval_xl.review import read_for_review, review_file, review_snapshot

    copy = ""
    if write_copies:
        reviewed = review_file(path)
        copy = str(reviewed.output)
    else:
        reviewed = review_snapshot(*read_for_review(path), with_plan=False)
    result = reviewed.result
    form_sheets = {f.sheet for f in result.forms}
    other_slips = [s for s in result.slips if s.sheet not in form_sheets]
    form_checked = sum(getattr(f, "checked", 0) or 0 for f in result.forms)
    rows = _evaluation_rows(display, reviewed, other_slips, result.checked - form_checked)
    for builder in ROW_BUILDERS:
        rows += builder(display, reviewed)
    if not rows:  # pasted tables only: one row for the workbook
        errors = sum(1 for f in reviewed.findings if f.severity == "error")
        status = status_of(len(result.slips), errors, result.checked) if result.checked else STATUS_NOTHING
        rows.append(BatchRow(display, "", "", "", None, None, "", result.checked, result.agreed,
                             len(result.slips), errors, status))
    issues = [] if rows[0].status != STATUS_NOTHING else [BatchIssue(
        display, "", "", KIND_ERROR, "", "没有可核对的内容：不是评价模板，没有绩效自评表，其中的表格也无法核对（原因见下面的“未核对”各条）")]
    issues += [BatchIssue(display, s.sheet, s.cell, KIND_SLIP, s.object,
                         f"报告值 {s.printed}，复算值 {s.expected}：{s.message}") for s in result.slips]
    issues += [BatchIssue(display, f.sheet, f.cell, f.level, "", f.message) for f in reviewed.findings]
    issues += [BatchIssue(display, u.sheet, u.range, KIND_NOTE, "未核对", u.reason) for u in result.unchecked]
    return FileResult(display, tuple(rows), tuple(issues), copy=copy, prints=_copy_prints(result))


def _copy_prints(result) -> tuple:
    """What rule R28 compares of each target form, for the store to find copies across files."""
    if not result.targets:
        return ()
    from perfeval_xl.targetforms import copy_print

    return tuple(copy_print(t.form) for t in result.targets)


#: builders of the 汇总 rows of the documents a review found beside the evaluation, each
#: ``(display name, Reviewed) -> list[BatchRow]``: the self-evaluation forms, the target forms
ROW_BUILDERS = (_form_rows, _target_rows)


def _unreadable(display: str, sheet: str, cell: str, message: str, status: str = STATUS_UNREADABLE) -> FileResult:
    row = BatchRow(display, sheet, "", "", None, None, "", None, None, 0, 1, status)
    return FileResult(display, (row,), (BatchIssue(display, sheet, cell, KIND_ERROR, "", message),), unreadable=True)


def unsupported(path: Path, display: str) -> FileResult | None:
    """The result of a file that is not a workbook perfeval reads (None for .xlsx/.xlsm)."""
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return None
    name = _shown(path.name)
    if suffix in OTHER_SPREADSHEETS:
        message = (f"“{name}”是 {suffix} 格式，perfeval 只读 .xlsx 和 .xlsm：未处理；"
                   "请在 Excel 或 WPS 中打开，“另存为” .xlsx 后再批量处理")
    else:
        message = f"“{name}”不是 Excel 工作簿（应为 .xlsx 或 .xlsm）：未处理；如是评价材料，请另存为 .xlsx 后再批量处理"
    return _unreadable(display, "", "", message, STATUS_UNSUPPORTED)


def process_file(path: str, write_copies: bool = False, display: str | None = None) -> FileResult:
    """Score or review one file; never raises (a file that cannot be read gets a row that says why).
    The one per-file entry point of a batch (worker processes call it)."""
    from perfeval_xl.core.findings import TemplateError
    from perfeval_xl.io.atomic import describe_os_error
    from perfeval_xl.io.snapshot import UnreadableFile
    from perfeval_xl.io.targets import TargetError

    display = display or _shown(path)
    _test_fault(path)
    other = unsupported(Path(path), display)
    if other is not None:
        return other
    try:
        # one pause of the cyclic collector for the whole file: when it ends, the file's reading and
        # review are already freed (reference counting), so the collector sees only the result
        with gc_paused():
            return review_workbook(Path(path), display, write_copies)
    except TemplateError as exc:
        row = BatchRow(display, exc.sheet, "", "", None, None, "", None, None, 0, 0, STATUS_NOTHING)
        message = exc.message
        return FileResult(display, (row,), (BatchIssue(display, exc.sheet, exc.cell, KIND_ERROR, "", message),))
    except UnreadableFile as exc:
        return _unreadable(display, exc.sheet, exc.cell, str(exc))
    except TargetError as exc:
        return _unreadable(display, "", "", str(exc))
    except OSError as exc:
        return _unreadable(display, "", "", describe_os_error(exc))
    except MemoryError:
        return _unreadable(display, "", "", "内存不足：此文件过大，未能处理", STATUS_FAILED)
    except Exception as exc:  # one bad file never stops the batch, and never shows a traceback
        if os.environ.get("PERFEVAL_DEBUG"):
            raise
        from perfeval_xl.io.files import describe_failure  # one wording for every command (never a class name)

        return _unreadable(display, "", "", describe_failure(exc, "处理此文件"))


def worker_died(display: str) -> FileResult:
    """The result of a file whose worker process died while handling it (twice)."""
    return _unreadable(display, "", "", "处理此文件的进程意外终止（可能是内存不足或被系统结束）：此文件未处理，其余文件不受影响；"
                       "请单独对它运行 perfeval review 查看原因", STATUS_FAILED)


#: TEST ONLY (docs/batch.md): a worker process handling a file whose name is the value of this
#: variable ends itself: ``kill`` (SIGKILL, as the out-of-memory killer does) or ``exit``
#: (os._exit) after ``:``, e.g. ``PERFEVAL_TEST_WORKER_FAULT=坏.xlsx:kill``.  Only in worker processes.
FAULT_VARIABLE = "PERFEVAL_TEST_WORKER_FAULT"
_in_worker = False


def _test_fault(path: str) -> None:
    fault = os.environ.get(FAULT_VARIABLE) if _in_worker else None
    if not fault:
        return
    name, _, action = fault.rpartition(":")
    if Path(path).name == name:
        if action == "kill" and hasattr(signal, "SIGKILL"):
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(70)


# --- worker processes ------------------------------------------------------------------------------

def _worker_start(parent: int) -> None:
    """Set up a worker process: it ignores Ctrl-C (the parent handles it), and it ends when its
    parent ends (prctl PR_SET_PDEATHSIG on Linux; elsewhere a thread that watches the parent)."""
    global _in_worker
    _in_worker = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import gc

    gc.freeze()  # what the worker inherited (the modules the parent imported) is never garbage: out of the collector's sight
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    import threading

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="perfeval-parent-watch", daemon=True).start()


def _process(job: tuple[str, bool, str]) -> FileResult:
    return process_file(*job)


def _process_chunk(jobs: list[tuple[str, bool, str]]) -> list[FileResult]:
    """Several files in a worker, one task: each task costs the parent a round of pickling, a pipe
    write and a wait, whatever the file."""
    return [process_file(*job) for job in jobs]


#: files per task at most; a batch of few files per worker sends them one by one (the work stays even)
CHUNK_FILES = 8


def _chunk_size(files: int, workers: int) -> int:
    """Files per task: about a sixteenth of each worker's share, 1 to :data:`CHUNK_FILES`."""
    return max(1, min(CHUNK_FILES, files // (16 * workers)))


def _warm_up() -> None:
    """Import what every file needs once in the parent: forked workers start with it loaded (the
    review's stages, and the readers and checkers its stages import when they first run).  The cyclic
    collector waits meanwhile (the modules' objects are never garbage) and is back on before any
    worker is forked (a worker inherits its state)."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        _import_what_workers_need()
    finally:
        if was_enabled:
            gc.enable()


def _import_what_workers_need() -> None:
    import perfeval_xl.forms  # noqa: F401
    import perfeval_xl.forms.reconcile  # noqa: F401  (imported by a review's first self-evaluation form)
    import perfeval_xl.io.displayed  # noqa: F401
    import perfeval_xl.io.ownership  # noqa: F401
    import perfeval_xl.io.snapshot  # noqa: F401  (python-calamine and the guard; its XML parser only for a sheet it must parse)
    import perfeval_xl.io.targets  # noqa: F401
    import perfeval_xl.pipeline  # noqa: F401
    import perfeval_xl.review  # noqa: F401
    import perfeval_xl.targetforms.hook  # noqa: F401
    import defusedxml.ElementTree  # noqa: F401  (the number formats of a workbook's other sheets, read in most reviews)
    import encodings.cp437  # noqa: F401  (zipfile reads a part's name that is not marked UTF-8 with it)
    import encodings.utf_8_sig  # noqa: F401

    if sys.platform.startswith("linux"):
        import ctypes  # noqa: F401  (each worker sets PR_SET_PDEATHSIG with it)


def _context():
    """Workers are forked on Linux, so each starts with what :func:`_warm_up` imported (Python 3.14
    makes forkserver the default there: every worker would import it all again); elsewhere the
    platform's default (macOS and Windows spawn: forking is not safe there)."""
    import multiprocessing

    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def default_jobs() -> int:
    return cores()


class JobsError(ValueError):
    """A --jobs value that makes no sense (the message is for the user)."""


def parse_jobs(text: str | int | None, files: int) -> int:
    """The number of worker processes: as asked (1 to 64, or 8 × the cores on a larger machine),
    never more than files; by default the cores."""
    limit = max(64, 8 * cores())
    if text is None:
        asked = cores()
    else:
        try:
            asked = int(str(text).strip())
        except ValueError:
            raise JobsError(f"--jobs 应为整数（进程数），而不是“{text}”；例如 --jobs {cores()}") from None
        if asked < 1:
            raise JobsError(f"--jobs 应为不小于 1 的整数（进程数），而不是 {asked}")
        if asked > limit:
            raise JobsError(f"--jobs {asked} 过大：本机有 {cores()} 个处理器核，最多可用 --jobs {limit}")
    return max(1, min(asked, files))


@dataclass
class Job:
    entry: FileEntry
    path: str
    #: a result known without reading the file (a format perfeval does not read, not a regular file)
    known: FileResult | None = None


class _Worker:
    """A worker process and the parent's end of its pipe, with the tasks sent to it (oldest first):
    the parent alone sends, waits and receives, in its own thread (no pool threads, queues or
    wake-ups between threads for each task)."""

    def __init__(self, context) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, os.getpid()), daemon=True,
                                       name="perfeval-worker")
        self.process.start()
        child.close()  # the worker alone holds its end: when it dies, the parent reads the end of the pipe
        self.tasks: deque[list[Job]] = deque()

    def send(self, chunk: list[Job], write_copies: bool) -> None:
        self.tasks.append(chunk)
        try:
            self.conn.send([(job.path, write_copies, job.entry.path) for job in chunk])
        except OSError:  # it has just died: the next wait finds its end, and this task is tried again with the rest
            pass

    def stop(self, wait: bool = True) -> None:
        """End the process: asked to finish (``wait``), else ended at once (work in flight is dropped)."""
        try:
            if wait and self.process.is_alive():
                self.conn.send(None)
                self.process.join(5)
        except OSError:
            pass
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(5)
        self.conn.close()


def _worker_main(conn, parent: int) -> None:
    """A worker process: each task received is several files, answered with their results; None (or
    the parent gone) ends it."""
    _worker_start(parent)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        answer: list[FileResult] | _Failure
        try:
            answer = _process_chunk(task)
        except Exception as exc:  # only under PERFEVAL_DEBUG (process_file never raises): shown by the parent
            import traceback

            answer = _Failure(exc, "".join(traceback.format_exception(exc)))
        try:
            conn.send(answer)
        except Exception:  # an exception that cannot be pickled: its text goes instead
            if not isinstance(answer, _Failure):
                raise
            conn.send(_Failure(RuntimeError(repr(answer.exc)), answer.text))


class _Failure:
    """An exception raised in a worker (PERFEVAL_DEBUG) and its traceback, raised again in the parent."""

    def __init__(self, exc: Exception, text: str) -> None:
        self.exc, self.text = exc, text

    def raise_(self):
        raise self.exc from RuntimeError(f"in the worker process:\n{self.text}")


def _run_pool(jobs: list[Job], workers: int, write_copies: bool, deliver) -> None:
    """Process the jobs in ``workers`` processes, each sent a task of several files at a time (two
    tasks ahead, so it never waits for the parent); a worker that dies costs the tasks it was sent:
    each of their files is tried once more in a process of its own, and if that dies too, it is 失败,
    and the rest go on (a new worker takes the dead one's place)."""
    from multiprocessing.connection import wait

    context = _context()
    pending = deque(jobs)
    size = _chunk_size(len(jobs), workers)
    suspects: list[Job] = []
    crew: list[_Worker] = []

    def feed(worker: _Worker) -> None:
        while pending and len(worker.tasks) < 2:
            worker.send([pending.popleft() for _ in range(min(size, len(pending)))], write_copies)

    finished = False
    try:
        for _ in range(min(workers, -(-len(jobs) // size))):
            crew.append(_Worker(context))
            feed(crew[-1])
        while any(worker.tasks for worker in crew):
            waiting = {}
            for worker in crew:
                if worker.tasks:
                    waiting[worker.conn] = waiting[worker.process.sentinel] = worker
            for ready in wait(list(waiting)):
                worker = waiting[ready]
                if worker not in crew:
                    continue  # (its pipe and its process both came up in this round)
                answers, dead = [], False
                # the collector waits while answers are unpickled and stored: a result makes no cycle (it
                # is freed by reference counting once stored), and each answer's hundreds of objects would
                # otherwise set off collections that find nothing to free
                with gc_paused():
                    try:
                        while worker.tasks and worker.conn.poll():
                            results = worker.conn.recv()
                            answers.append((worker.tasks.popleft(), results))
                    except Exception:  # the end of its pipe (or half an answer): it died
                        dead = True
                    for chunk, results in answers:
                        if isinstance(results, _Failure):
                            results.raise_()
                        deliver(list(zip(chunk, results)))
                if dead or (worker.tasks and not worker.process.is_alive()):
                    # every file it was sent and did not answer may have been the one: each is tried alone
                    suspects.extend(job for chunk in worker.tasks for job in chunk)
                    worker.tasks.clear()
                    crew.remove(worker)
                    worker.stop(wait=False)
                    if pending:
                        crew.append(_Worker(context))
                else:
                    feed(worker)
            for worker in crew:
                feed(worker)
        finished = True
    finally:
        for worker in crew:
            worker.stop(wait=finished)
    for job in suspects:
        deliver([(job, _alone(job, write_copies, context))])


def _alone(job: Job, write_copies: bool, context) -> FileResult:
    """A file tried in a worker process of its own: its result, or 失败 when that process dies too."""
    worker = _Worker(context)
    try:
        worker.send([job], write_copies)
        answer = worker.conn.recv()
    except Exception:  # the end of its pipe (or half an answer): it died
        return worker_died(job.entry.path)
    finally:
        worker.stop(wait=False)
    if isinstance(answer, _Failure):
        answer.raise_()
    return answer[0]


@dataclass
class BatchRun:
    """What a run did: the files of the run, how many results were reused, and the store."""

    files: int
    reused: int
    store: Store


def run_batch(files: Sequence[Path], store, *, jobs: int | None = None, write_copies: bool = False,
              root: Path | None = None, fresh: bool = False,
              on_result: Callable[[FileResult], None] | None = None,
              on_start: Callable[[str], None] | None = None) -> BatchRun:
    """Process ``files`` into ``store`` (in worker processes when ``jobs`` > 1): each result is
    stored as it arrives; files whose content was already stored by this tool version are reused.
    ``on_start`` is told the display name of each file as its review starts (one process only)."""
    from perfeval_xl.batchstore import tool_version

    version = tool_version()
    work = []
    for seq, path in enumerate(files):
        display = _display(path, root)
        work.append(_job(seq, path, display))
    reusable = store.start([job.entry for job in work], version, fresh=fresh)
    if write_copies:  # every file's copy is written again: nothing is reused
        reusable = set()
        store.reused = 0
    todo = [job for job in work if job.entry.path not in reusable]
    crash_after = _crash_after()
    done = 0

    def deliver(results: list[tuple[Job, FileResult]]) -> None:
        """Store results that arrived together (a worker's answer to one task) in one transaction."""
        nonlocal done
        store.put_many([(job.entry, result) for job, result in results], version)
        for _, result in results:
            done += 1
            if crash_after and done >= crash_after:
                os.kill(os.getpid(), signal.SIGKILL)
            if on_result:
                on_result(result)

    for job, known in [(j, known) for j in todo if (known := j.known) is not None]:
        deliver([(job, known)])
    todo = [j for j in todo if j.known is None]
    workers = min(jobs or default_jobs(), max(1, len(todo)))
    if workers == 1 or len(todo) <= 1:
        for job in todo:
            if on_start:
                on_start(job.entry.path)
            deliver([(job, _process((job.path, write_copies, job.entry.path)))])
    else:
        _warm_up()
        import gc

        # what the workers inherit (the modules imported) out of the collector's sight while they run: their
        # collections do not touch it (nor copy its pages), and neither do the parent's (Python's advice for
        # forking); handed back after, unless something else had frozen objects
        freeze = gc.get_freeze_count() == 0
        if freeze:
            gc.freeze()
        try:
            _run_pool(todo, workers, write_copies, deliver)
        finally:
            if freeze:
                gc.unfreeze()
    return BatchRun(len(work), len(reusable), store)


#: TEST ONLY (docs/batch.md): the batch process kills itself (SIGKILL) after storing this many
#: results (or, when they arrive several at once, the ones that reach this many), as a crash or a
#: power cut would; the resume test uses it
CRASH_VARIABLE = "PERFEVAL_TEST_CRASH_AFTER"


def _crash_after() -> int:
    try:
        return int(os.environ.get(CRASH_VARIABLE, "0"))
    except ValueError:
        return 0


def _job(seq: int, path: Path, display: str) -> Job:
    from perfeval_xl.batchstore import FileEntry, file_entry

    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        from perfeval_xl.io.atomic import describe_os_error

        return Job(FileEntry(seq, display, f"-{display}", 0, 0.0), str(path),
                   _unreadable(display, "", "", describe_os_error(exc)))
    if not stat.S_ISREG(mode):
        return Job(FileEntry(seq, display, f"-{display}", 0, 0.0), str(path),
                   _unreadable(display, "", "", f"“{_shown(path.name)}”不是普通文件（设备、管道或套接字），未读取"))
    try:
        entry = file_entry(seq, path, display)
    except OSError as exc:
        from perfeval_xl.io.atomic import describe_os_error

        return Job(FileEntry(seq, display, f"-{display}", 0, 0.0), str(path),
                   _unreadable(display, "", "", describe_os_error(exc)))
    return Job(entry, str(path), unsupported(path, display))


def _display(path: Path, root: Path | None) -> str:
    """The file as 汇总 names it: relative to the folder given, links not followed (a link named in
    the folder is listed under its own name, wherever it points)."""
    if root is not None:
        try:
            return _shown(Path(os.path.abspath(path)).relative_to(os.path.abspath(root)))
        except ValueError:
            pass
    return _shown(path)


# --- the summary -------------------------------------------------------------------------------------

def write_summary(store, output: Path, title: str = "绩效评价批量复核",
                  also: Callable[[list[tuple[bytes, ...]]], None] | None = None,
                  also_rows: Callable[[list[tuple[BatchRow, str]]], None] | None = None) -> Totals:
    """Write 汇总.xlsx from the store, one row at a time (atomically); returns the counts.  ``also`` is
    given the 问题清单 entries' fields in UTF-8 as they are read, a list of up to a thousand at a time,
    and ``also_rows`` the 汇总 rows with their 重复提交 notes, so (the batch's JSON takes them so: the
    store is read once for both)."""
    from perfeval_xl.core import batch as core
    from perfeval_xl.io.xlsx_stream import NumberedTextSheet, StreamedSheet, write_streamed_workbook

    totals = store.totals()
    sheets: list[StreamedSheet | NumberedTextSheet] = []
    summary = store.summary()
    if also_rows is not None:
        summary = _passed_to(also_rows, summary)
    numbered = enumerate(summary, start=1)
    for head, take, note in core.sheet_parts(totals.rows, lambda part, first: core.summary_head(totals, part, first,
                                                                                                 title),
                                             core.summary_sheet_name):
        rows = (core.summary_values(n, row, duplicate) for n, (row, duplicate) in islice(numbered, take))
        sheets.append(StreamedSheet(head, rows, note))
    entries = store.issue_rows_utf8()  # (each entry's fields in UTF-8: no object per entry)
    if also is not None:
        entries = _passed_to(also, entries)
    issues = enumerate(entries, start=1)
    height = core.issue_height_utf8
    for head, take, note in core.sheet_parts(totals.issues, lambda part, first: core.issues_head(part, first, title),
                                             core.issues_sheet_name, core.NO_ISSUES_NOTE):
        sheets.append(NumberedTextSheet(head, ((n, fields, height(fields)) for n, fields in islice(issues, take)),
                                        note, core.ISSUE_STYLES))
    write_streamed_workbook(output, sheets)
    # (none left, as totals counted them: ``also`` and ``also_rows`` are given every one all the same)
    for _ in chain(summary, entries):
        pass
    return totals


#: what :func:`_passed_to` and :func:`_in_thousands` pass on (entries' fields, rows)
Item = TypeVar("Item")


def _passed_to(take: Callable[[list[Item]], None], items: Iterator[Item]) -> Iterator[Item]:
    while chunk := list(islice(items, 1000)):
        take(chunk)
        yield from chunk


# --- the command ------------------------------------------------------------------------------------

def command(args) -> int:
    """``perfeval batch`` as the command line runs it (its arguments parsed by :mod:`perfeval_xl.cli`)."""
    from perfeval_xl.batchstore import StoreError, open_store
    from perfeval_xl.core.findings import EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE
    from perfeval_xl.io.atomic import describe_os_error
    from perfeval_xl.io.targets import TargetError, batch_summary_target

    try:
        output, backup = batch_summary_target(args.output)
    except TargetError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    db_path = Path(args.db) if args.db else output.with_suffix(".sqlite")
    files, notes = discover(args.paths, exclude=[output, db_path])
    try:
        jobs = parse_jobs(args.jobs, max(1, len(files)))
    except JobsError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    for note in notes:
        print(f"注意：{note}", file=sys.stderr)
    if not files:
        print("错误：给出的路径中没有文件", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        store = open_store(db_path)
    except StoreError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    update, close = progress_bar(len(files), enabled=not args.json and sys.stderr.isatty())
    root = Path(args.paths[0]) if len(args.paths) == 1 and Path(args.paths[0]).is_dir() else None
    try:
        try:
            run = run_batch(files, store, jobs=jobs, write_copies=args.write_copies, root=root, fresh=args.fresh,
                            on_result=update)
        except StoreError as exc:
            close()
            print(f"错误：{exc}", file=sys.stderr)
            return EXIT_UNREADABLE
        except KeyboardInterrupt:
            close()
            print(f"已中断：没有写出汇总；已处理的 {store.stored()} 个文件的结果保存在“{db_path}”，"
                  "再次运行同一命令会沿用它们，接着处理其余文件", file=sys.stderr)
            return 130
        close()
        spool: _JsonEntries | None = None  # the JSON's 问题清单 entries, taken as 汇总 reads them
        row_spool: _JsonRows | None = None  # and its rows
        try:
            if backup is not None:
                import shutil

                shutil.copy2(output, backup)
                print(f"注意：“{output.name}”在上次写出后被修改过，已备份为：{backup}", file=sys.stderr)
            if args.json:
                spool, row_spool = _JsonEntries(), _JsonRows()
            with gc_paused():  # a row read and written makes no cycle: the collector would find nothing to free
                totals = write_summary(store, output, also=spool.add if spool is not None else None,
                                       also_rows=row_spool.add if row_spool is not None else None)
        except OSError as exc:
            for taken in (spool, row_spool):
                if taken is not None:
                    taken.close()
            print(f"错误：汇总未能写出：{describe_os_error(exc)}", file=sys.stderr)
            return EXIT_UNREADABLE
        if args.json:
            with gc_paused():  # (as write_summary)
                _batch_json(store, totals, output, spool, row_spool)
        else:
            print(outcome_text(store, totals, run.reused))
            print(f"已写入：{output}（结果数据库：{db_path}）")
    finally:
        store.close()
    return EXIT_FINDINGS if totals.problem_files else EXIT_OK


def outcome_text(store, totals: Totals, reused: int = 0, shown: int = 10) -> str:
    """What a batch found, as the terminal (and the offline page) shows it: the counts, then each of the
    first ``shown`` files that failed with its reason."""
    lines = [f"共处理 {totals.files} 个文件、{totals.rows} 份评价或自评表；{totals.problem_files} 个文件有差错、错误、"
             "未核对或无法读取" + (f"（沿用了数据库中 {reused} 个未变文件的结果）" if reused else "")]
    for n, (path, reason) in enumerate(store.problems()):
        if n == shown:
            lines.append(f"  ……其余 {totals.problem_files - shown} 个文件见汇总的“问题清单”")
            break
        lines.append(f"  {path}：{reason}")
    return "\n".join(lines)


def _batch_json(store, totals, output, entries: _JsonEntries | None = None, rows: _JsonRows | None = None) -> None:
    """The batch's JSON on stdout, written from the store (its 问题清单 entries from ``entries`` and its
    rows from ``rows`` when given: what writing 汇总 read of them, already in JSON)."""
    import json

    out = sys.stdout
    out.write(json.dumps({"files": totals.files, "problem_files": totals.problem_files, "reused": totals.reused,
                          "output": str(output)}, ensure_ascii=False)[:-1])
    out.write(', "rows": [')
    if rows is None:
        rows = _JsonRows()
        for part in _in_thousands(store.summary()):
            rows.add(part)
    _copy_json(rows, out)
    out.write('], "issues": [')
    if entries is None:
        entries = _JsonEntries()
        for part in _in_thousands(store.issue_rows_utf8()):
            entries.add(part)
    _copy_json(entries, out)
    out.write("]}\n")


def _in_thousands(items: Iterator[Item]) -> Iterator[list[Item]]:
    while part := list(islice(items, 1000)):
        yield part


def _copy_json(spool: _JsonSpool, out) -> None:
    """What ``spool`` holds onto the text stream ``out``: as it is when ``out`` writes UTF-8 (nothing decoded,
    nothing encoded again), else decoded."""
    stream = _utf8_bytes_under(out)
    if stream is None:  # a stream of text only: the same items, decoded
        spool.copy_to_text(out)
    else:
        out.flush()
        spool.copy_to(stream)


#: what JSON quotes in a text (json.encoder.encode_basestring: a control character, ``"`` and ``\``)
_JSON_ESCAPED = re.compile(rb'[\x00-\x1f"\\]')
#: every byte JSON does not quote: deleting them from a text (``bytes.translate``, one quick pass in C,
#: about twice as quick as a search for a class of bytes) leaves nothing when JSON quotes none of it
_ALL_BUT_JSON_ESCAPED = bytes(b for b in range(256) if _JSON_ESCAPED.match(bytes((b,))) is None)


class _JsonSpool:
    """Items of a list of the batch's JSON in UTF-8, kept in a temporary file (unnamed: nothing is left
    behind) as they are given, separated by ", "."""

    def __init__(self) -> None:
        import tempfile

        self._file = tempfile.TemporaryFile()
        self._separator = b""

    def _write(self, items: bytes) -> None:
        """Items in JSON (separated by ", "), after those already given."""
        self._file.write(self._separator + items)
        self._separator = b", "

    def copy_to(self, stream) -> None:
        """The items, separated by ", ", onto ``stream``; the temporary file is closed."""
        import shutil

        self._file.seek(0)
        shutil.copyfileobj(self._file, stream)
        self.close()

    def copy_to_text(self, out) -> None:
        """The items, as :meth:`copy_to` gives them, decoded onto the text stream ``out``; the file is closed."""
        import io
        import shutil

        self._file.seek(0)
        text = io.TextIOWrapper(self._file, encoding="utf-8")
        shutil.copyfileobj(text, out)
        text.close()  # (and the file under it)

    def close(self) -> None:
        self._file.close()


class _JsonEntries(_JsonSpool):
    """The 问题清单 entries of the batch's JSON: a text with nothing JSON quotes is written as it is,
    between quotes (almost always); any other, quoted as the encoder quotes it
    (json.encoder.encode_basestring)."""

    def __init__(self) -> None:
        from json.encoder import encode_basestring as quote

        super().__init__()
        keys = tuple(BatchIssue.__dataclass_fields__)  # an entry's fields in order, as the store reads them
        self._quote = quote
        self._template = ("{" + ", ".join(f"{quote(key)}: %s" for key in keys) + "}").encode("utf-8")
        self._plain = ("{" + ", ".join(f'{quote(key)}: "%s"' for key in keys) + "}").encode("utf-8")

    def add(self, entries: list[tuple[bytes, ...]]) -> None:
        """Entries (each its fields in UTF-8), in JSON, after those already given."""
        if not entries:
            return
        plain, unquoted = self._plain, _ALL_BUT_JSON_ESCAPED
        self._write(b", ".join([plain % fields if not b"".join(fields).translate(None, unquoted)
                                else self._quoted(fields) for fields in entries]))

    def _quoted(self, fields: tuple[bytes, ...]) -> bytes:
        quote = self._quote
        return self._template % tuple([quote(text.decode("utf-8")).encode("utf-8") for text in fields])


class _JsonRows(_JsonSpool):
    """The 汇总 rows of the batch's JSON: each row's fields (a number as a float) and its 重复提交 note."""

    def __init__(self) -> None:
        import json

        super().__init__()
        self._encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every row (json.dumps makes one per call)

    def add(self, rows: list[tuple[BatchRow, str]]) -> None:
        """Rows with their notes, in JSON, after those already given: encoded together (the encoder writes a
        list's items with the same ", " between them, so the list's text without its brackets is the rows one
        by one, and each call of encode sets up an encoder: once per list, not per row)."""
        if rows:
            self._write(self._encode([_row_data(row, duplicate) for row, duplicate in rows])[1:-1].encode("utf-8"))


def _row_data(row: BatchRow, duplicate: str) -> dict:
    data = {key: (float(value) if isinstance(value, Decimal) else value) for key, value in row.__dict__.items()}
    data["duplicate"] = duplicate
    return data


def _utf8_bytes_under(out):
    """The byte stream under the text stream ``out`` when that writes UTF-8 (stdout almost always),
    else None."""
    import codecs

    stream, encoding = getattr(out, "buffer", None), getattr(out, "encoding", None)
    if stream is None or not isinstance(encoding, str):
        return None
    try:
        return stream if codecs.lookup(encoding).name == "utf-8" else None
    except LookupError:
        return None


def progress_bar(total: int, enabled: bool):
    """A tqdm bar on a terminal (stderr), nothing otherwise; returns (update, close)."""
    if not enabled or total <= 1:
        return (lambda result: None), (lambda: None)
    from tqdm import tqdm

    bar = tqdm(total=total, unit="个", desc="处理中", file=sys.stderr, dynamic_ncols=True, leave=False)
    return (lambda result: bar.update(1)), bar.close
