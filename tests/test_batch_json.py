"""perfeval batch --json: the 问题清单 entries written straight in UTF-8 (stdout almost always) are the
text the encoder writes of each entry's dict, as on any other stream."""

from __future__ import annotations

import io
import json
import sys

from perfeval_xl import batch as batch_module
from perfeval_xl.batchstore import FileEntry, MemoryStore, tool_version
from perfeval_xl.core.batch import KIND_ERROR, KIND_NOTE, BatchIssue, BatchRow, FileResult

#: texts JSON quotes (a quote, a backslash, a line break, a tab, a control character) and texts it does not
MESSAGES = ["报告值 90.69，复算值 90.77", '单元格写着 "合计"', "路径 C:\\收件\\甲.xlsx", "第一行\n第二行\t制表",
            "控制符\x01在此", "表格（续）：＜1＞ & 其他"]


def _store() -> MemoryStore:
    store = MemoryStore()
    entries = [FileEntry(0, "甲.xlsx", "a" * 64, 10, 0.0), FileEntry(1, '乙"引号".xlsx', "b" * 64, 10, 0.0)]
    store.start(entries, tool_version())
    for entry in entries:
        row = BatchRow(entry.path, "", f"项目{entry.seq}", "单位", None, None, "", 3, 2, 1, 1, "有差错")
        issues = tuple(BatchIssue(entry.path, "报告数据", f"D{n}", KIND_ERROR if n % 2 else KIND_NOTE, "总分", message)
                       for n, message in enumerate(MESSAGES))
        store.put(entry, FileResult(entry.path, (row,), issues), tool_version())
    return store


def _json_on(stream: io.TextIOWrapper, store, monkeypatch) -> str:
    monkeypatch.setattr(sys, "stdout", stream)
    batch_module._batch_json(store, store.totals(), "汇总.xlsx")
    stream.flush()
    return stream.buffer.getvalue().decode(stream.encoding)  # type: ignore[attr-defined]


def test_json_entries_in_utf8_are_what_the_encoder_writes(monkeypatch):
    store = _store()
    utf8 = _json_on(io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), store, monkeypatch)
    other = _json_on(io.TextIOWrapper(io.BytesIO(), encoding="gb18030"), store, monkeypatch)  # the text way
    assert utf8 == other
    data = json.loads(utf8)
    assert [issue["message"] for issue in data["issues"]] == MESSAGES * 2
    assert data["issues"][7] == {"file": '乙"引号".xlsx', "sheet": "报告数据", "cell": "D1", "kind": KIND_ERROR,
                                 "object": "总分", "message": '单元格写着 "合计"'}
    # each entry as the encoder writes its dict (keys in order, ": " and ", ")
    encode = json.JSONEncoder(ensure_ascii=False).encode
    expected = ", ".join(encode(dict(zip(("file", "sheet", "cell", "kind", "object", "message"), fields)))
                         for fields in store.issue_rows())
    assert utf8.endswith(', "issues": [' + expected + "]}\n")


def test_the_command_json_takes_the_entries_summary_read(tmp_path, monkeypatch):
    """``perfeval batch --json`` on stdout (made UTF-8 by the command line) writes the entries 汇总 read
    (kept as it wrote 汇总), the same text as on a stream of text only, which reads them again from the
    store."""
    from perfeval_xl.cli import main

    folder = tmp_path / "收件"
    folder.mkdir()
    for name in ("甲.xls", 'b"引号".csv', "c\\反斜杠.txt", "d.ods"):  # not read: one 错误 entry each, naming it
        (folder / name).write_bytes(name.encode("utf-8"))  # (contents differ: no duplicate entries)
    texts = {}
    for kind, stream in (("bytes", io.TextIOWrapper(io.BytesIO(), encoding="gb18030")), ("text", io.StringIO())):
        monkeypatch.setattr(sys, "stdout", stream)
        assert main(["batch", str(folder), "-o", str(tmp_path / f"{kind}.xlsx"), "--json", "--jobs", "1"]) == 1
        stream.flush()
        if isinstance(stream, io.TextIOWrapper):
            assert stream.encoding == "utf-8"  # (the command line writes UTF-8 on any stdout it can)
            texts[kind] = stream.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]
        else:
            texts[kind] = stream.getvalue()
    assert texts["bytes"].replace("bytes.xlsx", "X") == texts["text"].replace("text.xlsx", "X")
    issues = json.loads(texts["bytes"])["issues"]
    # by hand: the four files in name order, each one 错误 whose message quotes its name
    assert [issue["file"] for issue in issues] == ['b"引号".csv', "c\\反斜杠.txt", "d.ods", "甲.xls"]
    assert all(issue["kind"] == KIND_ERROR and f"“{issue['file']}”" in issue["message"] for issue in issues)


def test_rows_taken_as_summary_reads_them_are_the_rows_read_again(tmp_path, monkeypatch):
    """The rows of the batch's JSON, taken as writing 汇总 reads them (``also_rows``), are the text written
    from the store read again: numbers as floats, a printed total that is text as text, None as null, each
    row's 重复提交 note (two files of one project and unit: each names the other)."""
    from decimal import Decimal

    store = MemoryStore()
    entries = [FileEntry(n, name, f"{n}" * 64, 10, 0.0) for n, name in enumerate(["甲.xlsx", '乙"引号".xlsx', "丙.xlsx"])]
    store.start(entries, tool_version())
    for entry in entries:
        rows = (BatchRow(entry.path, "", "项目", f"单位{entry.seq % 2}", Decimal("88.50"), Decimal("90.77"), "优", 3, 2, 1,
                         0, "有差错"),
                BatchRow(entry.path, "表1", "", "", "九十", None, "", None, None, 0, 1, "有错误"))
        store.put(entry, FileResult(entry.path, rows, (BatchIssue(entry.path, "", "", KIND_NOTE, "", "第一行\n第二行"),)),
                  tool_version())
    spooled, again = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    issue_spool, row_spool = batch_module._JsonEntries(), batch_module._JsonRows()
    totals = batch_module.write_summary(store, tmp_path / "汇总.xlsx", also=issue_spool.add, also_rows=row_spool.add)
    monkeypatch.setattr(sys, "stdout", spooled)
    batch_module._batch_json(store, totals, "汇总.xlsx", issue_spool, row_spool)
    spooled.flush()
    text = spooled.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]
    assert text == _json_on(again, store, monkeypatch)
    rows = json.loads(text)["rows"]
    assert len(rows) == 6
    # by hand: 甲 (seq 0) and 丙 (seq 2) both have 项目/单位0: each row of theirs names the other file
    assert rows[0] == {"file": "甲.xlsx", "sheet": "", "project": "项目", "unit": "单位0", "printed_total": 88.5,
                       "total": 90.77, "grade": "优", "checked": 3, "agreed": 2, "slips": 1, "errors": 0,
                       "status": "有差错", "duplicate": rows[0]["duplicate"]}
    assert "丙.xlsx" in rows[0]["duplicate"] and "甲.xlsx" in rows[4]["duplicate"] and rows[2]["duplicate"] == ""
    assert rows[1]["printed_total"] == "九十" and rows[1]["total"] is None and rows[1]["checked"] is None
