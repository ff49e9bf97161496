"""The batch store's page size: a new database is made with batchstore.PAGE_SIZE bytes per page; a
database made before (SQLite's 4,096) keeps its pages and its results are reused as before."""

from __future__ import annotations

from perfeval_xl import batchstore
from perfeval_xl.batchstore import FileEntry, SqliteStore, tool_version
from perfeval_xl.core.batch import KIND_NOTE, BatchIssue, BatchRow, FileResult

ENTRY = FileEntry(0, "甲.xlsx", "a" * 64, 10, 0.0)
RESULT = FileResult("甲.xlsx", (BatchRow("甲.xlsx", "", "项目", "单位", None, None, "", 1, 1, 0, 0, "通过"),),
                    (BatchIssue("甲.xlsx", "报告数据", "D3", KIND_NOTE, "", "提示"),))


def _page_size(store: SqliteStore) -> int:
    return store._db.execute("PRAGMA page_size").fetchone()[0]


def test_a_new_store_has_pages_of_page_size(tmp_path):
    store = SqliteStore(tmp_path / "汇总.sqlite")
    assert _page_size(store) == batchstore.PAGE_SIZE == 16384
    store.close()


def test_a_store_with_pages_of_another_size_is_reused_as_it_is(tmp_path, monkeypatch):
    monkeypatch.setattr(batchstore, "PAGE_SIZE", 4096)  # (a store made before: SQLite's default)
    store = SqliteStore(tmp_path / "汇总.sqlite")
    store.start([ENTRY], tool_version())
    store.put(ENTRY, RESULT, tool_version())
    store.close()
    monkeypatch.undo()
    again = SqliteStore(tmp_path / "汇总.sqlite")
    assert _page_size(again) == 4096
    assert again.start([ENTRY], tool_version()) == {"甲.xlsx"}  # reused: nothing lost
    assert [row.project for row, _ in again.summary()] == ["项目"]
    assert list(again.issue_rows()) == [("甲.xlsx", "报告数据", "D3", KIND_NOTE, "", "提示")]
    again.close()
