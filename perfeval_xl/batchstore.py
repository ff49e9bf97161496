"""Where a batch keeps each file's result as it arrives: an SQLite database (the default, from
Python's standard library) or, where there is no sqlite3 (the offline web page), memory.

Both stores have one interface: :meth:`start` (the files of this run; returns those whose
result is already stored for the same content and tool version, so they are reused),
:meth:`put` (one file's result, committed at once: a batch killed half-way loses at most the
files in flight; :meth:`put_many` the results that arrived together, in one commit), then the
reading side that 汇总.xlsx is written from, one row at a time (:meth:`totals`, :meth:`summary`,
:meth:`issues`, :meth:`problems`).  The schema is in docs/batch.md.  Duplicate submissions
(same content, or same 项目+单位 in two files) and target forms copied from another project's form
in another file (rule R28 across files, by the fingerprints each file's result stores) are worked
out when reading, over the files of the run.
"""

from __future__ import annotations

import contextlib

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from perfeval_xl.core.batch import (
    KIND_NOTE, PROBLEM_STATUSES, BatchIssue, BatchRow, FileResult, Totals, as_number, as_total, duplicate_issue, duplicate_note,
    writable,
)

#: bumped when what a stored result holds changes, so an older result is not reused
RESULT_FORMAT = 3


def tool_version() -> str:
    from perfeval_xl import __version__

    return f"{__version__}+r{RESULT_FORMAT}"


@dataclass(frozen=True)
class FileEntry:
    """A file of this run: where it is shown, its order, and what identifies its content."""

    seq: int
    path: str
    sha256: str
    size: int
    mtime: float


@dataclass(frozen=True)
class _File:
    id: object
    path: str
    sha256: str
    status: str
    reason: str
    #: the first other file of the run with the same content, when the store read it with the file (the
    #: SQLite store: one look-up in C as it reads the page of files, not a query per file for each reading)
    same_content: str | None = None


class _Store:
    """What both stores share: the reading side, over four primitives."""

    def _files(self) -> Iterator[_File]:  # in the run's order
        raise NotImplementedError

    def stored(self) -> int:
        """How many files' results the store holds."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def _rows(self, file: _File) -> Iterable[BatchRow]:
        raise NotImplementedError

    def _issues(self, file: _File) -> Iterable[BatchIssue]:
        return [BatchIssue(*fields) for fields in self._issue_rows(file)]

    def _issue_rows(self, file: _File) -> Iterable[tuple]:
        """The file's slips and findings as tuples of :class:`BatchIssue`'s fields (what 汇总 and the
        JSON write: no object per entry)."""
        raise NotImplementedError

    def _row_keys(self, file: _File) -> Iterable[tuple[str, str]]:
        """(project, unit) of each of the file's rows, in order."""
        return [(row.project, row.unit) for row in self._rows(file)]

    def _same_content(self, file: _File) -> str | None:
        raise NotImplementedError

    def _same_project(self, file: _File, row: BatchRow | _Key) -> str | None:
        """The first other file of the run with a row of ``row``'s project and unit (any object with
        ``project`` and ``unit``)."""
        raise NotImplementedError

    def _prints(self, file: _File) -> Sequence:
        """What R28 compares of each target form of the file (``targetforms.CopyPrint``)."""
        raise NotImplementedError

    def _copied_from(self, file: _File, kind: str, fingerprint: str, project_key: str) -> tuple[str, str, str] | None:
        """(file, sheet, project) of the first form of the run whose ``kind`` ("goal" or "indicators")
        fingerprint is ``fingerprint``, when it is in an earlier file and of another project (as within
        a workbook, a form is compared with the first that has its fingerprint: a later form of that
        first project is its own, not a copy of another copy)."""
        raise NotImplementedError

    reused = 0

    def _copies(self, file: _File) -> Iterator[BatchIssue]:
        """R28 across files: a warning at each target form of the file whose 年度目标, or whose
        year indicators, equal those of the first form that has them, in an earlier file and of another
        project (the earlier form is not warned; copies within one workbook the review reports)."""
        prints = self._prints(file)
        if not prints:  # (almost every file: no target form)
            return
        from perfeval_xl.targetforms.rules import goal_copied, indicators_copied, rule

        cite = rule("R28").cite()
        for mine in prints:
            other = self._copied_from(file, "goal", mine.goal, mine.project_key) if mine.goal else None
            if other:
                yield BatchIssue(file.path, mine.sheet, mine.goal_cell, KIND_NOTE, "",
                                 goal_copied(other[2], _elsewhere(other)) + cite)
            other = self._copied_from(file, "indicators", mine.indicators, mine.project_key) if mine.indicators else None
            if other:
                yield BatchIssue(file.path, mine.sheet, mine.header_cell, KIND_NOTE, "",
                                 indicators_copied(mine.count, other[2], _elsewhere(other)) + cite)

    def _issue_count(self, file: _File) -> int:
        return sum(1 for _ in self._issue_rows(file)) + sum(1 for _ in self._copies(file))

    def _file_duplicate(self, file: _File, keys: Iterable[tuple[str, str]] | None = None) -> str:
        content = self._same_content(file)
        if content:
            return duplicate_note(content, None)
        for project, unit in self._row_keys(file) if keys is None else keys:
            other = self._same_project(file, _Key(project, unit)) if project else None
            if other:
                return duplicate_note(None, other)
        return ""

    def totals(self) -> Totals:
        files = rows = problems = issues = duplicates = 0
        for file in self._files():
            files += 1
            keys = list(self._row_keys(file))  # (project, unit) is all the counts need of a row
            rows += len(keys)
            issues += self._issue_count(file)
            duplicate = self._file_duplicate(file, keys)
            duplicates += bool(duplicate)
            issues += bool(duplicate)
            problems += file.status in PROBLEM_STATUSES or bool(duplicate)
        return Totals(files, rows, problems, issues, self.reused, duplicates)

    def summary(self) -> Iterator[tuple[BatchRow, str]]:
        """Every 汇总 row in the run's order, with its 重复提交 note."""
        for file in self._files():
            content = self._same_content(file)
            for row in self._rows(file):  # (a file of the same content is named first: no look-up by project then)
                yield row, duplicate_note(content, self._same_project(file, row) if row.project and not content
                                          else None)

    def issues(self) -> Iterator[BatchIssue]:
        """Every 问题清单 entry in the run's order: a file's duplicate note, then its slips and findings."""
        for fields in self.issue_rows():
            yield BatchIssue(*fields)

    def issue_rows(self) -> Iterator[tuple]:
        """:meth:`issues` as tuples of :class:`BatchIssue`'s fields (file, sheet, cell, kind, object,
        message): what 汇总 and the JSON write, without an object per entry."""
        for file in self._files():
            duplicate = self._file_duplicate(file)
            if duplicate:
                yield _fields(duplicate_issue(file.path, duplicate))
            yield from self._issue_rows(file)
            for issue in self._copies(file):
                yield _fields(issue)

    def issue_rows_utf8(self) -> Iterator[tuple[bytes, ...]]:
        """:meth:`issue_rows` with each text as its UTF-8 bytes (what 汇总.xlsx is written in: the
        SQLite store reads them as stored, neither decoded nor encoded again)."""
        for file in self._files():
            duplicate = self._file_duplicate(file)
            if duplicate:
                yield _utf8(_fields(duplicate_issue(file.path, duplicate)))
            yield from self._issue_rows_utf8(file)
            for issue in self._copies(file):
                yield _utf8(_fields(issue))

    def _issue_rows_utf8(self, file: _File) -> Iterable[tuple[bytes, ...]]:
        return map(_utf8, self._issue_rows(file))

    def problems(self) -> Iterator[tuple[str, str]]:
        """(file, why) of each file that needs attention, in the run's order."""
        for file in self._files():
            duplicate = self._file_duplicate(file)
            if file.status in PROBLEM_STATUSES:
                yield file.path, file.reason + (f"；{duplicate}" if duplicate else "")
            elif duplicate:
                yield file.path, f"重复提交：{duplicate}"


class MemoryStore(_Store):
    """The results in memory (the offline web page has no sqlite3; tests)."""

    location = None

    def __init__(self):
        self._by_path: dict[str, tuple[FileEntry, str, FileResult]] = {}
        self._order: list[str] = []
        #: what the reading side looks up (:meth:`_lookup`), built when read, dropped when a result is put
        self._print_index: dict | None = None

    def start(self, entries: list[FileEntry], version: str, fresh: bool = False) -> set[str]:
        current = {e.path: e for e in entries}
        if fresh:
            self._by_path.clear()
        for path, (entry, stored_version, _) in list(self._by_path.items()):
            now = current.get(path)
            if now is None or now.sha256 != entry.sha256 or stored_version != version:
                del self._by_path[path]
        for path, (entry, stored_version, result) in list(self._by_path.items()):
            self._by_path[path] = (current[path], stored_version, result)
        self._order = [e.path for e in sorted(entries, key=lambda e: e.seq)]
        self._print_index = None
        reusable = set(self._by_path)
        self.reused = len(reusable)
        return reusable

    def put(self, entry: FileEntry, result: FileResult, version: str) -> None:
        self._by_path[entry.path] = (entry, version, writable(result))
        self._print_index = None

    def put_many(self, results: Sequence[tuple[FileEntry, FileResult]], version: str) -> None:
        for entry, result in results:
            self.put(entry, result, version)

    def stored(self) -> int:
        return len(self._by_path)

    def close(self) -> None:
        pass

    def _files(self) -> Iterator[_File]:
        for path in self._order:
            got = self._by_path.get(path)
            if got is not None:
                entry, _, result = got
                yield _File(path, path, entry.sha256, result.status, result.reason)

    def _rows(self, file: _File) -> Iterable[BatchRow]:
        return self._by_path[file.path][2].rows  # (this store's id of a file is its path)

    def _issues(self, file: _File) -> Iterable[BatchIssue]:
        return self._by_path[file.path][2].issues

    def _issue_rows(self, file: _File) -> Iterable[tuple]:
        return map(_fields, self._by_path[file.path][2].issues)

    def _lookup(self) -> dict:
        """The first two files of the run (in its order) of each content hash and of each 项目+单位,
        and the first form of each R28 fingerprint: built once when the summary is read, so each
        look-up is one dictionary access (as the SQLite store's are index look-ups)."""
        if self._print_index is None:
            index: dict = {}
            for path in self._order:
                got = self._by_path.get(path)
                if got is None:
                    continue
                entry, _, result = got
                firsts = index.setdefault(("sha256", entry.sha256), [])
                if len(firsts) < 2:
                    firsts.append(path)
                for row in result.rows:
                    firsts = index.setdefault(("project", row.project, row.unit), [])
                    if len(firsts) < 2 and path not in firsts:
                        firsts.append(path)
                for form in result.prints:
                    for key, value in (("goal", form.goal), ("indicators", form.indicators)):
                        if value:
                            index.setdefault((key, value), (path, form.sheet, form.project, form.project_key))
            self._print_index = index
        return self._print_index

    def _same_content(self, file: _File) -> str | None:
        return next((p for p in self._lookup().get(("sha256", file.sha256), ()) if p != file.path), None)

    def _same_project(self, file: _File, row: BatchRow | _Key) -> str | None:
        return next((p for p in self._lookup().get(("project", row.project, row.unit), ()) if p != file.path), None)

    def _prints(self, file: _File) -> Sequence:
        return self._by_path[file.path][2].prints

    def _copied_from(self, file: _File, kind: str, fingerprint: str, project_key: str) -> tuple[str, str, str] | None:
        first = self._lookup().get((kind, fingerprint))
        if first is None or first[0] == file.path or first[3] == project_key:
            return None
        return first[:3]


#: the layout of the tables below (SQLite's user_version); a database of another layout of ours is rebuilt
SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    seq INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    unreadable INTEGER NOT NULL,
    copy TEXT NOT NULL,
    processed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_sha256 ON files (sha256, seq);
CREATE INDEX IF NOT EXISTS files_seq ON files (seq);
CREATE TABLE IF NOT EXISTS evaluations (
    file_id INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    sheet TEXT NOT NULL,
    project TEXT NOT NULL,
    unit TEXT NOT NULL,
    printed_total TEXT,
    total TEXT,
    grade TEXT NOT NULL,
    checked INTEGER,
    agreed INTEGER,
    slips INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (file_id, n)
);
CREATE INDEX IF NOT EXISTS evaluations_project ON evaluations (project, unit, seq);
CREATE TABLE IF NOT EXISTS findings (
    file_id INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    sheet TEXT NOT NULL,
    cell TEXT NOT NULL,
    kind TEXT NOT NULL,
    object TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (file_id, n)
);
CREATE TABLE IF NOT EXISTS target_prints (
    file_id INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    sheet TEXT NOT NULL,
    project TEXT NOT NULL,
    project_key TEXT NOT NULL,
    goal_cell TEXT NOT NULL,
    goal TEXT NOT NULL,
    header_cell TEXT NOT NULL,
    indicators TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (file_id, n)
);
CREATE INDEX IF NOT EXISTS target_prints_goal ON target_prints (goal, seq, n);
CREATE INDEX IF NOT EXISTS target_prints_indicators ON target_prints (indicators, seq, n);
"""


class StoreError(Exception):
    """The database cannot be opened or is not a batch store (the message is for the user)."""


class SqliteStore(_Store):
    """The results in an SQLite database file, one transaction per file."""

    def __init__(self, path: Path):
        import sqlite3  # here, not at the top: the web page's Python has no sqlite3

        self.location = Path(path)
        self._sqlite3 = sqlite3
        #: what the look-ups across files need to know first (read when the summary is read, dropped
        #: when results are stored)
        self._shared: _Shared | None = None
        try:
            self.location.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            from perfeval_xl.io.atomic import describe_os_error

            raise StoreError(f"结果数据库“{self.location.name}”无法创建：{describe_os_error(exc)}；请用 --db 另选位置") from exc
        try:
            self._db = sqlite3.connect(str(self.location), isolation_level=None)
            self._db.execute("PRAGMA foreign_keys = ON")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            tables = {name for (name,) in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if version != SCHEMA_VERSION and tables:
                if version == 0:  # someone else's database: never touched
                    self._db.close()
                    raise StoreError(f"结果数据库“{self.location.name}”不是批量处理的数据库；请用 --db 另选文件")
                # an older layout of ours: its results are only a cache, they are worked out again
                self._db.executescript("DROP TABLE IF EXISTS target_prints; "
                                       "DROP TABLE IF EXISTS findings; DROP TABLE IF EXISTS evaluations; "
                                       "DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS meta;")
            try:  # set only on a database of ours: it changes the file's header
                self._db.execute("PRAGMA journal_mode = WAL")
            except sqlite3.DatabaseError:
                pass  # a folder where WAL cannot work (some network shares): the default journal
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.executescript(SCHEMA)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"结果数据库“{self.location.name}”无法打开或不是批量处理的数据库（文件损坏、不是 SQLite "
                             "数据库或文件夹不可写）；请用 --db 另选文件，或删除它后重试") from exc

    def start(self, entries: list[FileEntry], version: str, fresh: bool = False) -> set[str]:
        db = self._db
        self._shared = None
        with self._transaction():
            if fresh:
                db.execute("DELETE FROM target_prints")
                db.execute("DELETE FROM findings")
                db.execute("DELETE FROM evaluations")
                db.execute("DELETE FROM files")
            db.execute("CREATE TEMP TABLE IF NOT EXISTS current (path TEXT PRIMARY KEY, seq INTEGER, sha256 TEXT, "
                       "size INTEGER, mtime TEXT)")
            db.execute("DELETE FROM current")
            db.executemany("INSERT OR REPLACE INTO current VALUES (?, ?, ?, ?, ?)",
                           ((e.path, e.seq, e.sha256, e.size, _iso(e.mtime)) for e in entries))
            # what is not part of this run, or has changed, or came from another version, goes
            db.execute("DELETE FROM files WHERE id IN (SELECT f.id FROM files f LEFT JOIN current c ON c.path = f.path "
                       "WHERE c.path IS NULL OR c.sha256 != f.sha256 OR f.tool_version != ?)", (version,))
            db.execute("UPDATE files SET seq = (SELECT seq FROM current c WHERE c.path = files.path), "
                       "mtime = (SELECT mtime FROM current c WHERE c.path = files.path)")
            db.execute("UPDATE evaluations SET seq = (SELECT seq FROM files f WHERE f.id = evaluations.file_id)")
            db.execute("UPDATE target_prints SET seq = (SELECT seq FROM files f WHERE f.id = target_prints.file_id)")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('tool_version', ?)", (version,))
        reusable = {path for (path,) in db.execute("SELECT path FROM files")}
        self.reused = len(reusable)
        return reusable

    def put(self, entry: FileEntry, result: FileResult, version: str) -> None:
        self.put_many([(entry, result)], version)

    def put_many(self, results: Sequence[tuple[FileEntry, FileResult]], version: str) -> None:
        """Several files' results in one transaction (what a worker answers for one task arrives at once:
        one commit, not one per file, writes each page of the tables once)."""
        self._shared = None
        try:  # almost always every text is UTF-8 already: not checked first (sqlite3 checks each as it binds it)
            with self._transaction():
                for entry, result in results:
                    self._put(entry, result, version)
        except UnicodeEncodeError:  # a lone surrogate somewhere (the transaction rolled back): written escaped
            with self._transaction():
                for entry, result in results:
                    self._put(entry, writable(result), version)

    def _put(self, entry: FileEntry, result: FileResult, version: str) -> None:
        """The file's rows (inside a transaction)."""
        db = self._db
        db.execute("DELETE FROM files WHERE path = ?", (entry.path,))
        cursor = db.execute(
            "INSERT INTO files (path, seq, sha256, size, mtime, tool_version, status, reason, unreadable, copy, "
            "processed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entry.path, entry.seq, entry.sha256, entry.size, _iso(entry.mtime), version, result.status,
             result.reason, int(result.unreadable), result.copy,
             dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")))
        file_id = cursor.lastrowid
        db.executemany("INSERT INTO evaluations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
            (file_id, n, entry.seq, r.sheet, r.project, r.unit, _text(r.printed_total), _text(r.total), r.grade, r.checked,
             r.agreed, r.slips, r.errors, r.status) for n, r in enumerate(result.rows)))
        db.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?)", (
            (file_id, n, i.sheet, i.cell, i.kind, i.object, i.message) for n, i in enumerate(result.issues)))
        db.executemany("INSERT INTO target_prints VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
            (file_id, n, entry.seq, p.sheet, p.project, p.project_key, p.goal_cell, p.goal, p.header_cell,
             p.indicators, p.count) for n, p in enumerate(result.prints)))

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction: committed whole, or rolled back whole (a crash or Ctrl-C leaves the file's
        earlier state); a database error is a Chinese message."""
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            yield
            db.execute("COMMIT")
        except self._sqlite3.Error as exc:
            _rollback(db)
            raise StoreError(f"结果数据库“{self.location.name}”写入失败（磁盘已满或文件夹不可写）；"
                             "已存入的结果不受影响，腾出空间后再次运行同一命令即可接着处理") from exc
        except BaseException:
            _rollback(db)
            raise

    def stored(self) -> int:
        return self._db.execute("SELECT count(*) FROM files").fetchone()[0]

    def close(self) -> None:
        self._db.close()

    def _files(self) -> Iterator[_File]:
        # fetched in pages, so the reading holds one page, not the whole table; with each file, the first
        # other file of its content (what _same_content answers: the same look-up, made by SQLite as it reads)
        last = -1
        while True:
            page = self._db.execute(
                "SELECT id, path, sha256, status, reason, seq, (SELECT g.path FROM files g WHERE g.sha256 = f.sha256 "
                "AND g.id != f.id ORDER BY g.seq LIMIT 1) FROM files f WHERE seq > ? ORDER BY seq LIMIT 500",
                (last,)).fetchall()
            if not page:
                return
            for id_, path, sha, status, reason, seq, same_content in page:
                yield _File(id_, path, sha, status, reason, same_content)
            last = page[-1][5]

    def _rows(self, file: _File) -> Iterable[BatchRow]:
        return [BatchRow(file.path, sheet, project, unit, as_number(printed), as_total(total), grade, checked,
                         agreed, slips, errors, status)
                for sheet, project, unit, printed, total, grade, checked, agreed, slips, errors, status
                in self._db.execute("SELECT sheet, project, unit, printed_total, total, grade, checked, agreed, slips, "
                                    "errors, status FROM evaluations WHERE file_id = ? ORDER BY n", (file.id,))]

    def _issue_rows(self, file: _File) -> Iterable[tuple]:
        return self._db.execute("SELECT ?, sheet, cell, kind, object, message FROM findings WHERE file_id = ? "
                                "ORDER BY n", (file.path, file.id)).fetchall()

    def _issue_rows_utf8(self, file: _File) -> Iterable[tuple[bytes, ...]]:
        db = self._db
        db.text_factory = bytes  # (only for this query: the reading between uses texts)
        try:
            return self._issue_rows(file)
        finally:
            db.text_factory = str

    def _row_keys(self, file: _File) -> Iterable[tuple[str, str]]:
        return self._db.execute("SELECT project, unit FROM evaluations WHERE file_id = ? ORDER BY n",
                                (file.id,)).fetchall()

    def _issue_count(self, file: _File) -> int:
        return (self._db.execute("SELECT count(*) FROM findings WHERE file_id = ?", (file.id,)).fetchone()[0]
                + sum(1 for _ in self._copies(file)))

    def _shared_now(self) -> _Shared:
        if self._shared is None:
            db = self._db
            self._shared = _Shared(
                frozenset(db.execute("SELECT project, unit FROM evaluations GROUP BY project, unit "
                                     "HAVING count(DISTINCT file_id) > 1").fetchall()),
                frozenset(file_id for (file_id,) in db.execute("SELECT DISTINCT file_id FROM target_prints")))
        return self._shared

    def _same_content(self, file: _File) -> str | None:
        return file.same_content  # (read with the file: _files)

    def _same_project(self, file: _File, row: BatchRow | _Key) -> str | None:
        if (row.project, row.unit) not in self._shared_now().projects:
            return None
        got = self._db.execute("SELECT f.path FROM evaluations e JOIN files f ON f.id = e.file_id WHERE e.project = ? "
                               "AND e.unit = ? AND e.file_id != ? ORDER BY e.seq LIMIT 1",
                               (row.project, row.unit, file.id)).fetchone()
        return got[0] if got else None

    def _prints(self, file: _File) -> Sequence:
        if file.id not in self._shared_now().print_files:
            return ()
        from perfeval_xl.targetforms.rules import CopyPrint

        return [CopyPrint(*row) for row in self._db.execute(
            "SELECT sheet, project, project_key, goal_cell, goal, header_cell, indicators, count FROM target_prints "
            "WHERE file_id = ? ORDER BY n", (file.id,))]

    def _copied_from(self, file: _File, kind: str, fingerprint: str, project_key: str) -> tuple[str, str, str] | None:
        column = {"goal": "goal", "indicators": "indicators"}[kind]  # a column name, never the user's text
        got = self._db.execute(
            f"SELECT f.path, p.sheet, p.project, p.project_key, p.file_id FROM target_prints p "
            f"JOIN files f ON f.id = p.file_id WHERE p.{column} = ? ORDER BY p.seq, p.n LIMIT 1",
            (fingerprint,)).fetchone()
        return (got[0], got[1], got[2]) if got and got[4] != file.id and got[3] != project_key else None


@dataclass(frozen=True)
class _Shared:
    """What more than one file of the SQLite store has: the look-ups across files (a query each) are
    made only for these, each file that has nothing in common with another costs none (a dictionary of
    every file's keys is what the memory store holds; here only what repeats is held)."""

    #: the (project, unit) of rows of two files or more
    projects: frozenset[tuple[str, str]]
    #: the ids of the files that have target forms
    print_files: frozenset[int]


@dataclass(frozen=True)
class _Key:
    """What :meth:`_Store._same_project` looks at of a row."""

    project: str
    unit: str


_ISSUE_FIELDS = tuple(BatchIssue.__dataclass_fields__)


def _fields(issue: BatchIssue) -> tuple:
    """An issue's fields in order (a tuple of :meth:`_Store.issue_rows`)."""
    return tuple(getattr(issue, name) for name in _ISSUE_FIELDS)


def _utf8(fields: tuple) -> tuple[bytes, ...]:
    """An issue's fields (texts, UTF-8 writable: :func:`writable`) as UTF-8 bytes."""
    return tuple([text.encode("utf-8") for text in fields])


def _elsewhere(other: tuple[str, str, str]) -> str:
    """Where a form of another file is, as R28's message names it."""
    return f"文件“{other[0]}”的工作表“{other[1]}”"


def _rollback(db) -> None:
    try:
        db.execute("ROLLBACK")
    except Exception:  # the transaction is already gone (the error ended it)
        pass


def _text(value) -> str | None:
    return None if value is None or value == "" else str(value)


def _iso(mtime: float) -> str:
    return dt.datetime.fromtimestamp(mtime, dt.timezone.utc).isoformat(timespec="seconds")


#: what every store offers (the memory store, the SQLite store)
Store = _Store


def open_store(path: Path | None) -> _Store:
    """The SQLite store at ``path``, or a memory store when ``path`` is None or this Python has
    no sqlite3."""
    if path is None:
        return MemoryStore()
    try:
        import sqlite3  # noqa: F401
    except ImportError:
        return MemoryStore()
    return SqliteStore(path)


def file_entry(seq: int, path: Path, display: str) -> FileEntry:
    """The entry of a file: its SHA-256 read in blocks, its size and time."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        stat = os.fstat(handle.fileno())
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return FileEntry(seq, display, digest.hexdigest(), stat.st_size, stat.st_mtime)
