"""perfeval batch: every workbook under the paths, one bad file never stops the batch, one
atomic 汇总.xlsx with 汇总 and 问题清单 (issue 12 item 4)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

import corpus_gen as cg
from perfeval_xl import batch as batch_module
from perfeval_xl.batch import discover, process_file
from perfeval_xl.batchstore import MemoryStore, SqliteStore
from perfeval_xl.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_workbooks"
CALCULATOR = SAMPLES / "UDF计算器.xlsx"
WUHUA = SAMPLES / "五华区五个先锋奖励经费2023.xlsx"


@pytest.fixture()
def folder(tmp_path) -> Path:
    root = tmp_path / "收件"
    (root / "二级").mkdir(parents=True)
    xishan = load_workbook(cg.XISHAN)
    printed = xishan["报告数据"]  # the report printed 88.50 where the data give 88.51: a slip
    printed.append([None, None, "总分", "88.50", "摘要", None])
    xishan.save(root / "a西山.xlsx")
    shutil.copyfile(WUHUA, root / "二级" / "b五华.xlsx")
    (root / "二级" / "c损坏.xlsx").write_bytes(b"not a zip at all")
    shutil.copyfile(CALCULATOR, root / "d计算器.xlsx")
    (root / "说明.txt").write_text("不是工作簿", encoding="utf-8")
    # what perfeval and Office leave beside inputs: never counted as more evaluations
    shutil.copyfile(cg.XISHAN, root / "a西山_评分.xlsx")
    shutil.copyfile(cg.XISHAN, root / "a西山_备份_20240101-000000.xlsx")
    (root / "~$a西山.xlsx").write_bytes(b"owner")
    return root


def test_discover_recurses_and_leaves_out_our_outputs(folder):
    files, notes = discover([folder])
    # every file is listed, the text file too (汇总 says it was not read); our copies and the
    # Office owner file are not
    assert [f.relative_to(folder).as_posix() for f in files] == [
        "a西山.xlsx", "d计算器.xlsx", "二级/b五华.xlsx", "二级/c损坏.xlsx", "说明.txt"]
    assert notes == ["跳过了 2 个本工具写出的文件（文件名以 _评分、_复核 结尾或含 _备份_）",
                     "跳过了 1 个 Office/WPS 的临时文件或系统文件（~$ 开头的文件等）"]


def test_discover_names_missing_paths_and_non_workbooks(folder):
    files, notes = discover([folder / "a西山.xlsx", folder / "说明.txt", folder / "没有.xlsx", folder / "a西山.xlsx"])
    assert files == [folder / "a西山.xlsx", folder / "说明.txt"]  # listed twice, processed once
    assert notes == [f"“{folder / '没有.xlsx'}”不存在，已跳过"]


def _summary_rows(path: Path) -> list[tuple]:
    ws = load_workbook(path, read_only=True)["汇总"]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r and r[0] is not None]
    return rows


def _first_printed_total(path: Path) -> str | None:
    """The first project 总分 typed in 报告数据 (the one the 汇总 row shows)."""
    printed = [r["printed"] for r in load_workbook(path, read_only=True)["报告数据"].iter_rows(values_only=True)
               for r in [dict(zip(("unit", "object", "content", "printed"), r))]
               if r["content"] == "总分" and not r["unit"]]
    return printed[0] if printed else None


def _review_json(path: Path) -> dict:
    """What ``perfeval review --json`` says of the file: the batch must agree with it."""
    from perfeval_xl.review import read_for_review, review_json, review_snapshot

    return review_json(review_snapshot(*read_for_review(path), with_plan=False))


@pytest.mark.slow  # worker processes
def test_batch_reviews_each_file_and_lists_problems(folder, tmp_path, capsys):
    output = tmp_path / "汇总.xlsx"
    xishan, wuhua = _review_json(folder / "a西山.xlsx"), _review_json(WUHUA)
    assert [(s["object"], s["printed"], s["expected"]) for s in xishan["slips"] if s["sheet"] == "报告数据"][-1] == \
        ("总分", "88.50", "88.51")
    assert main(["batch", str(folder), "-o", str(output), "--jobs", "2"]) == 1
    out = capsys.readouterr().out
    # 西山's slip, the calculator (nothing to check), the broken file, the text file, 五华's slips
    problem_files = 4 + bool(wuhua["slips"])
    assert f"共处理 5 个文件、15 份评价或自评表；{problem_files} 个文件有差错、错误、未核对或无法读取" in out
    # the terminal names why each file failed, not its first slip
    assert f"  a西山.xlsx：有差错：{len(xishan['slips'])} 处印出的数字与复算不符\n" in out
    assert "  二级/c损坏.xlsx：无法读取：“c损坏.xlsx”不是有效的 .xlsx 文件" in out
    assert "  说明.txt：格式不支持：“说明.txt”不是 Excel 工作簿" in out
    book = load_workbook(output, read_only=True)
    assert book.sheetnames == ["汇总", "问题清单"]
    rows = _summary_rows(output)
    assert len(rows) == 15
    # 序号, 文件, 工作表, 项目, 单位, 报告总分, 复算总分, 等级, 核对数, 一致数, 差错数, 错误数, 状态, 重复提交
    printed = _first_printed_total(folder / "a西山.xlsx")
    assert rows[0][1:8] == ("a西山.xlsx", None, "2024年社区党组织服务群众专项经费", None, float(printed), 88.51, "良")
    # numbers are numbers: the figures checked (报告数据 and tables) and those that agreed
    assert rows[0][8:13] == (xishan["checked"], xishan["checked"] - len(xishan["slips"]), len(xishan["slips"]), 0,
                             "有差错")
    assert rows[1][1] == "d计算器.xlsx" and rows[1][12] == "未识别"
    rows_wuhua = [r for r in rows if r[1] == "二级/b五华.xlsx"]
    assert [r[4] for r in rows_wuhua[:10]] == [u["name"] for u in wuhua["units"]]
    assert [r[6] for r in rows_wuhua[:10]] == [u["total"] for u in wuhua["units"]]
    project = rows_wuhua[10]
    assert project[4].startswith("项目（") and project[6] == wuhua["total"] == 90.77
    assert project[5] == float(_first_printed_total(WUHUA))  # the total the report printed (报告数据)
    assert project[8:10] == (wuhua["checked"], wuhua["checked"] - len(wuhua["slips"]))  # 684 and 567
    assert sum(r[10] for r in rows_wuhua) == len(wuhua["slips"])  # every slip counted once
    broken, text = rows[-2], rows[-1]
    assert broken[1] == "二级/c损坏.xlsx" and broken[11:13] == (1, "无法读取")
    assert text[1] == "说明.txt" and text[11:13] == (1, "格式不支持")
    full = load_workbook(output)["汇总"]
    assert full["G4"].number_format == "0.00" and full["I4"].number_format == "#,##0"

    issues = [r for r in book["问题清单"].iter_rows(min_row=3, values_only=True) if r and r[0] is not None]
    assert [r[0] for r in issues] == list(range(1, len(issues) + 1))
    by_file = {}
    for r in issues:
        by_file.setdefault(r[1], []).append(r)
    # each slip of the sample's review is listed at its cell, with what was printed and recomputed
    assert [(r[2], r[3], r[5]) for r in by_file["二级/b五华.xlsx"] if r[4] == "差错"] == \
        [(s["sheet"], s["cell"], s["object"]) for s in wuhua["slips"]]
    assert [(r[2], r[3], r[6]) for r in by_file["二级/b五华.xlsx"] if r[4] in ("错误", "提示") and r[5] != "未核对"] == \
        [(f["sheet"], f["cell"], f["message"]) for f in wuhua["findings"]]
    calculator = by_file["d计算器.xlsx"]
    assert calculator[0][4] == "错误" and calculator[0][6].startswith("没有可核对的内容")
    assert {r[5] for r in calculator[1:]} == {"未核对"}
    assert [r[4] for r in by_file["二级/c损坏.xlsx"]] == ["错误"]
    assert "“c损坏.xlsx”不是有效的 .xlsx 文件" in by_file["二级/c损坏.xlsx"][0][6]


def test_a_workbook_with_nothing_to_review(tmp_path, capsys):
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "随便写的字"
    book.save(tmp_path / "空.xlsx")
    result = process_file(str(tmp_path / "空.xlsx"), display="空.xlsx")
    assert result.rows[0].status == "未识别" and result.has_problems
    assert result.issues[0].message.startswith("找不到工作表“项目信息”")
    assert result.issues[0].message.endswith("也没有找到绩效自评表或可核对的报告表格，没有可复核的内容")


def _store_rows(store):
    return list(store.summary()), list(store.issues())


@pytest.mark.slow  # worker processes
def test_worker_processes_give_the_same_rows_in_the_same_order(folder, tmp_path):
    """One process and two give the same rows; the SQLite store and the memory store (the web
    page's) give the same summary."""
    files, _ = discover([folder])
    one, two = MemoryStore(), SqliteStore(tmp_path / "结果.sqlite")
    batch_module.run_batch(files, one, jobs=1, root=folder)
    batch_module.run_batch(files, two, jobs=2, root=folder)
    assert _store_rows(one) == _store_rows(two)
    assert [r.file for r, _ in one.summary()][::5] == ["a西山.xlsx", "二级/b五华.xlsx", "二级/b五华.xlsx"]
    assert one.totals() == two.totals()
    two.close()


@pytest.mark.slow  # worker processes, each importing the package afresh
def test_spawned_workers_give_what_forked_ones_give(folder, tmp_path, monkeypatch):
    """macOS and Windows start workers by spawning (a fresh interpreter that imports what it runs),
    not by forking: the same batch through spawned workers stores the same rows and entries."""
    import multiprocessing

    files, _ = discover([folder])
    forked = MemoryStore()
    batch_module.run_batch(files, forked, jobs=2, root=folder)
    monkeypatch.setattr(batch_module, "_context", lambda: multiprocessing.get_context("spawn"))
    spawned = MemoryStore()
    batch_module.run_batch(files, spawned, jobs=2, root=folder)
    assert _store_rows(spawned) == _store_rows(forked)
    assert spawned.totals() == forked.totals() and spawned.totals().files == len(files)


def test_no_sqlite3_is_imported_until_a_database_is_opened():
    """The offline page's Python has no sqlite3: importing the batch must not need it."""
    code = ("import sys; sys.modules['sqlite3'] = None; import perfeval_xl.batch, perfeval_xl.batchstore as b;"
            "s = b.open_store(None); print(type(s).__name__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "MemoryStore"


def test_process_file_never_raises(tmp_path, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(batch_module, "review_workbook", explode)
    result = process_file(str(cg.XISHAN), display="x.xlsx")
    assert result.unreadable and result.rows[0].status == "无法读取"
    assert result.issues[0].message == "内部错误：未能处理此文件，原文件未被修改；请把工作簿和这条信息发给维护人员"  # no class name


def test_interrupted_batch_writes_no_summary(folder, tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch_module, "run_batch", interrupted)
    output = tmp_path / "汇总.xlsx"
    assert main(["batch", str(folder), "-o", str(output)]) == 130
    assert "已中断：没有写出汇总；已处理的 0 个文件的结果保存在" in capsys.readouterr().err
    assert not output.exists() and not list(tmp_path.glob(".~perfeval-*"))


def test_a_foreign_summary_file_is_not_overwritten(folder, tmp_path, capsys):
    output = tmp_path / "汇总.xlsx"
    shutil.copyfile(cg.XISHAN, output)
    before = output.read_bytes()
    assert main(["batch", str(folder), "-o", str(output)]) == 2
    assert "不是批量处理写出的汇总表" in capsys.readouterr().err
    assert output.read_bytes() == before
    # a summary this tool wrote and nobody changed is replaced without a backup
    output.unlink()
    assert main(["batch", str(cg.XISHAN), "-o", str(output)]) == 1  # the report's own slips
    first = output.stat().st_mtime_ns
    assert main(["batch", str(cg.XISHAN), "-o", str(output), "--fresh"]) == 1
    assert output.stat().st_mtime_ns >= first and load_workbook(output, read_only=True).sheetnames == ["汇总", "问题清单"]
    assert "备份" not in capsys.readouterr().err and not list(tmp_path.glob("*_备份_*"))


def test_a_summary_someone_edited_is_backed_up_first(tmp_path, capsys):
    """汇总.xlsx annotated by a person (saved again by a spreadsheet program) is kept as
    汇总_备份_<时间>.xlsx before the new one is written."""
    from perfeval_xl.io.xlsx_stream import written_unchanged

    output = tmp_path / "汇总.xlsx"
    assert main(["batch", str(cg.XISHAN), "-o", str(output)]) == 1
    assert written_unchanged(output)
    book = load_workbook(output)
    book["汇总"]["O4"] = "已电话核实，报告将改正"
    book.save(output)
    assert not written_unchanged(output)
    edited = output.read_bytes()
    capsys.readouterr()
    assert main(["batch", str(cg.XISHAN), "-o", str(output)]) == 1
    err = capsys.readouterr().err
    backups = list(tmp_path.glob("汇总_备份_*.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == edited
    assert f"注意：“汇总.xlsx”在上次写出后被修改过，已备份为：{backups[0]}" in err
    assert written_unchanged(output) and load_workbook(output)["汇总"]["O4"].value is None


def test_json_and_write_copies(folder, tmp_path, capsys):
    target = tmp_path / "单个"
    target.mkdir()
    shutil.copyfile(cg.XISHAN, target / "评价.xlsx")
    expected = _review_json(cg.XISHAN)
    code = main(["batch", str(target), "-o", str(tmp_path / "汇总.xlsx"), "--json", "--write-copies"])
    data = json.loads(capsys.readouterr().out)
    assert code == (1 if expected["slips"] else 0)
    assert data["files"] == 1 and data["problem_files"] == (1 if expected["slips"] else 0)
    assert data["rows"] == [{"file": "评价.xlsx", "sheet": "", "project": "2024年社区党组织服务群众专项经费",
                             "unit": "", "printed_total": float(_first_printed_total(cg.XISHAN)), "total": 88.51,
                             "grade": "良", "checked": expected["checked"],
                             "agreed": expected["checked"] - len(expected["slips"]), "slips": len(expected["slips"]),
                             "errors": 0, "status": "有差错" if expected["slips"] else "通过", "duplicate": ""}]
    assert (target / "评价_复核.xlsx").is_file()  # score sheets and 复核意见


@pytest.mark.parametrize("jobs, message", [
    ("0", "--jobs 应为不小于 1 的整数（进程数），而不是 0"),
    ("-3", "--jobs 应为不小于 1 的整数（进程数），而不是 -3"),
    ("99999999999999999999", "--jobs 99999999999999999999 过大：本机有"),
    ("两个", "--jobs 应为整数（进程数），而不是“两个”"),
])
def test_nonsense_jobs(jobs, message, capsys, tmp_path):
    assert main(["batch", str(cg.XISHAN), "-o", str(tmp_path / "汇总.xlsx"), "--jobs", jobs]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "汇总.xlsx").exists()


def test_jobs_never_exceed_the_files(monkeypatch):
    monkeypatch.setattr(batch_module, "cores", lambda: 2)
    assert batch_module.parse_jobs("40", 3) == 3  # 40 asked (≤ 64), 3 files: 3 processes
    assert batch_module.parse_jobs("4", 10) == 4  # more than the cores when asked
    assert batch_module.parse_jobs(None, 10) == 2 and batch_module.parse_jobs(None, 1) == 1
    with pytest.raises(batch_module.JobsError):
        batch_module.parse_jobs("65", 100)


def test_no_files(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["batch", "没有这个文件夹"]) == 2
    assert "给出的路径中没有文件" in capsys.readouterr().err


def test_forms_are_rows_of_their_own(tmp_path, capsys):
    """A workbook of two published self-evaluation forms (tests/form_data.py): one 汇总 row per form,
    with the printed and the recomputed total, the figures checked, and the form reviewer's slips
    counted per form."""
    from openpyxl import Workbook

    from form_builder import central_form, provincial_form
    from form_data import CHIZHOU_ENTRUSTED, QINGSHEN_WAGES
    from perfeval_xl.forms import review_forms
    from perfeval_xl.io.snapshot import read_snapshot

    book = Workbook()
    central_form(book.active, 1, CHIZHOU_ENTRUSTED)
    book.active.title = "池州"
    provincial_form(book.create_sheet("青神"), 1, QINGSHEN_WAGES)
    path = tmp_path / "自评表.xlsx"
    book.save(path)
    reviews, _ = review_forms(read_snapshot(path, sheets={"池州", "青神"}))
    result = process_file(str(path), display="自评表.xlsx")
    assert [(r.sheet, r.project, r.total, r.grade, r.slips, r.checked) for r in result.rows] == [
        (f.sheet, f.project, f.total.quantize(Decimal("0.01")), f.grade, len(f.slips), f.checked) for f in reviews]
    assert all(r.checked > 0 for r in result.rows)
    assert [r.printed_total for r in result.rows] == [f.printed_total for f in reviews]
    assert sum(1 for i in result.issues if i.kind == "差错") == sum(len(f.slips) for f in reviews)


# --- nothing silent ------------------------------------------------------------------------------

def test_every_file_is_listed_with_what_to_do(tmp_path, capsys):
    """Files perfeval does not read are rows of 汇总 (格式不支持 / 无法读取), never left out."""
    root = tmp_path / "收件"
    root.mkdir()
    for name in ["a.xls", "b.et", "c.ods", "d.wps", "e.xlsb", "f.csv"]:
        (root / name).write_bytes(b"\xd0\xcf\x11\xe0 old format " + name.encode())  # each its own content
    (root / "g.pdf").write_bytes(b"%PDF-1.4")
    os.mkfifo(root / "h.xlsx")  # a pipe: never opened (it would block)
    (root / "i.xlsx").symlink_to("/dev/zero")  # a link to a device: listed under its own name, never read
    output = tmp_path / "汇总.xlsx"
    assert main(["batch", str(root), "-o", str(output)]) == 1
    rows = _summary_rows(output)
    assert [(r[1], r[12]) for r in rows] == [("a.xls", "格式不支持"), ("b.et", "格式不支持"), ("c.ods", "格式不支持"),
                                             ("d.wps", "格式不支持"), ("e.xlsb", "格式不支持"), ("f.csv", "格式不支持"),
                                             ("g.pdf", "格式不支持"), ("h.xlsx", "无法读取"), ("i.xlsx", "无法读取")]
    issues = [r for r in load_workbook(output, read_only=True)["问题清单"].iter_rows(min_row=3, values_only=True)]
    assert issues[0][6] == ("“a.xls”是 .xls 格式，perfeval 只读 .xlsx 和 .xlsm：未处理；"
                            "请在 Excel 或 WPS 中打开，“另存为” .xlsx 后再批量处理")
    assert issues[7][6] == "“h.xlsx”不是普通文件（设备、管道或套接字），未读取"
    assert "共处理 9 个文件、9 份评价或自评表；9 个文件有" in capsys.readouterr().out


def test_an_evaluation_with_nothing_checked_is_not_passed(tmp_path):
    """An evaluation scored but with no printed figure to compare (no 报告数据 rows, no pasted
    report table) is 未核对."""
    book = load_workbook(cg.XISHAN)
    reported = book["报告数据"]
    reported.delete_rows(3, reported.max_row)  # the title and the header stay
    del book["报告表2"]
    book.save(tmp_path / "无报告数据.xlsx")
    result = process_file(str(tmp_path / "无报告数据.xlsx"), display="无报告数据.xlsx")
    assert [(r.total, r.checked, r.agreed, r.slips, r.status) for r in result.rows] == [
        (Decimal("88.51"), 0, 0, 0, "未核对")]
    assert result.has_problems
    assert result.reason == "未核对：没有核对到任何印出的数字（没有报告数据、自评表总分或可核对的表格）"


def test_duplicate_submissions_are_flagged(tmp_path, capsys):
    """The same file handed in twice (same content), and the same 项目+单位 in two different files."""
    root = tmp_path / "收件"
    root.mkdir()
    shutil.copyfile(cg.XISHAN, root / "a.xlsx")
    shutil.copyfile(cg.XISHAN, root / "b.xlsx")
    book = load_workbook(cg.XISHAN)
    book["报告数据"].append([None, None, "总分", "88.51", "另一稿", None])  # other bytes, same project
    book.save(root / "c.xlsx")
    output = tmp_path / "汇总.xlsx"
    assert main(["batch", str(root), "-o", str(output), "--jobs", "1"]) == 1
    rows = _summary_rows(output)
    assert [(r[1], r[13]) for r in rows] == [("a.xlsx", "与“b.xlsx”内容相同"), ("b.xlsx", "与“a.xlsx”内容相同"),
                                             ("c.xlsx", "项目和单位与“a.xlsx”相同")]
    issues = [r for r in load_workbook(output, read_only=True)["问题清单"].iter_rows(min_row=3, values_only=True)
              if r[4] == "重复"]
    assert [(r[1], r[6]) for r in issues] == [
        ("a.xlsx", "与“b.xlsx”内容相同：同一份材料可能提交了两次，汇总中会重复计数；请核实后只保留一份"),
        ("b.xlsx", "与“a.xlsx”内容相同：同一份材料可能提交了两次，汇总中会重复计数；请核实后只保留一份"),
        ("c.xlsx", "项目和单位与“a.xlsx”相同：同一份材料可能提交了两次，汇总中会重复计数；请核实后只保留一份")]
    assert "2 个文件与其他文件重复" not in load_workbook(output, read_only=True)["汇总"]["A2"].value
    assert "3 个文件与其他文件重复" in load_workbook(output, read_only=True)["汇总"]["A2"].value


# --- the store: streaming, resume ------------------------------------------------------------------

def test_a_long_problem_list_continues_on_more_sheets(tmp_path, monkeypatch):
    """With a sheet of 12 rows (patched for the test; Excel's is 1,048,576) the 19 issues of 西山
    fill 问题清单 and continue on 问题清单(2), (3): every issue written once, numbered on, each full
    sheet ending with a note naming the next."""
    from perfeval_xl.core import batch as core

    store = MemoryStore()
    batch_module.run_batch([cg.XISHAN], store, jobs=1)
    expected = list(store.issues())
    monkeypatch.setattr(core, "MAX_SHEET_ROWS", 12)
    output = tmp_path / "汇总.xlsx"
    totals = batch_module.write_summary(store, output)
    assert totals.issues == len(expected) == 1 + len(_review_json(cg.XISHAN)["slips"]) + \
        len(_review_json(cg.XISHAN)["findings"]) + len(_review_json(cg.XISHAN)["not_checked"]) - 1
    book = load_workbook(output)
    names = book.sheetnames
    # 问题清单: title + header = 2 rows, 9 issues, 1 note; later parts add a line saying where they start
    assert names[0] == "汇总" and names[1:] == ["问题清单"] + [f"问题清单({n})" for n in range(2, len(names))]
    got = []
    for n, name in enumerate(names[1:], start=1):
        ws = book[name]
        assert ws.max_row <= 12
        values = [r for r in ws.iter_rows(values_only=True)]
        header_at = 1 if n == 1 else 2
        assert values[header_at][:2] == ("序号", "文件")
        body = values[header_at + 1:]
        if name != names[-1]:
            assert body[-1][0] == f"本表已满（Excel 一张工作表最多 12 行），其余各行接续在“问题清单({n + 1})”。"
            body = body[:-1]
        if n > 1:
            assert values[1][0] == f"接“{names[n - 1]}”，从第 {len(got) + 1} 条起。"
        got += body
    assert [r[0] for r in got] == list(range(1, len(expected) + 1))
    assert [r[6] for r in got] == [i.message for i in expected]


def test_a_rerun_reuses_what_is_stored(folder, tmp_path, capsys):
    output = tmp_path / "汇总.xlsx"
    assert main(["batch", str(folder), "-o", str(output), "--jobs", "1"]) == 1
    first = _summary_rows(output)
    capsys.readouterr()
    assert main(["batch", str(folder), "-o", str(output), "--jobs", "1"]) == 1
    assert "（沿用了数据库中 5 个未变文件的结果）" in capsys.readouterr().out
    assert _summary_rows(output) == first
    # a changed file is processed again; --fresh starts over
    shutil.copyfile(cg.XISHAN, folder / "a西山.xlsx")
    assert main(["batch", str(folder), "-o", str(output), "--jobs", "1"]) == 1
    assert "（沿用了数据库中 4 个未变文件的结果）" in capsys.readouterr().out
    assert main(["batch", str(folder), "-o", str(output), "--jobs", "1", "--fresh"]) == 1
    assert "沿用" not in capsys.readouterr().out
    assert (tmp_path / "汇总.sqlite").is_file()


def _batch_process(args, env=None, **kwargs):
    return subprocess.run([sys.executable, "-m", "perfeval_xl.cli", "batch", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, **kwargs)


@pytest.mark.slow
def test_a_batch_killed_half_way_resumes_with_nothing_lost_or_counted_twice(tmp_path):
    """The batch process is killed (SIGKILL, by the test hook PERFEVAL_TEST_CRASH_AFTER) after
    storing 3 of 6 results: no 汇总 is written, the 3 are in the database; the rerun processes the
    other 3 and writes the same 汇总 as a batch that was never interrupted."""
    import sqlite3

    root = tmp_path / "收件"
    root.mkdir()
    for n in range(6):
        book = load_workbook(cg.XISHAN)
        book["报告数据"].append([None, None, "总分", f"{80 + n}.00", f"第{n}稿", None])
        book.save(root / f"评价{n}.xlsx")
    output, db = tmp_path / "汇总.xlsx", tmp_path / "汇总.sqlite"
    killed = _batch_process([str(root), "-o", str(output), "--jobs", "2"], {"PERFEVAL_TEST_CRASH_AFTER": "3"})
    assert killed.returncode == -signal.SIGKILL and not output.exists()
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM files").fetchone()[0] == 3
    rerun = _batch_process([str(root), "-o", str(output), "--jobs", "2"])
    assert rerun.returncode == 1, rerun.stderr
    assert "（沿用了数据库中 3 个未变文件的结果）" in rerun.stdout
    resumed = _summary_rows(output)
    whole = tmp_path / "一次.xlsx"
    assert _batch_process([str(root), "-o", str(whole), "--jobs", "1"]).returncode == 1
    assert resumed == _summary_rows(whole) and len(resumed) == 6
    assert [r[1] for r in resumed] == [f"评价{n}.xlsx" for n in range(6)]
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*), count(DISTINCT path) FROM files").fetchone() == (6, 6)
        assert con.execute("SELECT count(*) FROM evaluations").fetchone()[0] == 6


# --- faults ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("action", ["kill", "exit"])
def test_a_dead_worker_costs_only_its_file(folder, tmp_path, monkeypatch, capsys, action):
    """A worker that dies (SIGKILL as the out-of-memory killer sends, or a hard exit) on one file,
    by the test hook PERFEVAL_TEST_WORKER_FAULT: that file is 失败, every other file is summarised."""
    monkeypatch.setenv("PERFEVAL_TEST_WORKER_FAULT", f"b五华.xlsx:{action}")
    output = tmp_path / "汇总.xlsx"
    assert main(["batch", str(folder), "-o", str(output), "--jobs", "2"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "BrokenProcessPool" not in captured.err
    assert "  二级/b五华.xlsx：失败：处理此文件的进程意外终止（可能是内存不足或被系统结束）" in captured.out
    rows = _summary_rows(output)
    assert [(r[1], r[12]) for r in rows] == [
        ("a西山.xlsx", "有差错"), ("d计算器.xlsx", "未识别"), ("二级/b五华.xlsx", "失败"), ("二级/c损坏.xlsx", "无法读取"),
        ("说明.txt", "格式不支持")]


def test_a_dead_worker_in_a_task_of_several_files_costs_only_its_file(folder, tmp_path, monkeypatch, capsys):
    """A long batch sends its files to the workers several to a task (1 to 8, a sixteenth of a
    worker's share: 100 files on 2 workers go 3 to a task); when a worker dies, every file of the
    tasks sent to it is tried alone, and only the file that kills its worker is 失败."""
    import perfeval_xl.batch as batch

    assert [batch._chunk_size(n, 2) for n in (10, 64, 100, 10_000)] == [1, 2, 3, 8]
    monkeypatch.setattr(batch, "_chunk_size", lambda files, workers: 2)  # the folder's 4 workbooks: 2 tasks
    monkeypatch.setenv("PERFEVAL_TEST_WORKER_FAULT", "b五华.xlsx:kill")
    output = tmp_path / "汇总.xlsx"
    assert main(["batch", str(folder), "-o", str(output), "--jobs", "2"]) == 1
    assert "Traceback" not in capsys.readouterr().err
    assert [(r[1], r[12]) for r in _summary_rows(output)] == [
        ("a西山.xlsx", "有差错"), ("d计算器.xlsx", "未识别"), ("二级/b五华.xlsx", "失败"), ("二级/c损坏.xlsx", "无法读取"),
        ("说明.txt", "格式不支持")]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the children from /proc")
@pytest.mark.slow  # worker processes
def test_workers_die_with_their_parent(tmp_path):
    root = tmp_path / "收件"
    root.mkdir()
    for n in range(12):
        shutil.copyfile(WUHUA, root / f"评价{n:02d}.xlsx")
    process = subprocess.Popen([sys.executable, "-m", "perfeval_xl.cli", "batch", str(root), "-o",
                                str(tmp_path / "汇总.xlsx"), "--jobs", "2"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: list[int] = []
    deadline = time.monotonic() + 60
    while len(children) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        try:
            children = [int(p) for p in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]
        except OSError:
            children = []
    assert len(children) == 2, "the batch did not start its two workers"
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in children)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_streamed_summary_is_a_sound_workbook(folder, tmp_path):
    """汇总.xlsx as written: frozen header, print titles, footer, widths, the merged title lines;
    every part well-formed XML; it opens in openpyxl."""
    import zipfile
    from xml.dom.minidom import parseString

    from perfeval_xl.core.batch import ISSUE_WIDTHS, SUMMARY_WIDTHS

    output = tmp_path / "汇总.xlsx"
    main(["batch", str(folder), "-o", str(output), "--jobs", "1"])
    with zipfile.ZipFile(output) as z:
        assert z.namelist()[0] == "[Content_Types].xml"
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                parseString(z.read(name))
    book = load_workbook(output)
    for ws, widths in ((book["汇总"], SUMMARY_WIDTHS), (book["问题清单"], ISSUE_WIDTHS)):
        header = 3 if ws.title == "汇总" else 2
        assert ws.freeze_panes == f"A{header + 1}"
        assert ws.print_title_rows == f"${header}:${header}"
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
        assert [ws.column_dimensions[chr(65 + c)].width for c in range(len(widths))] == widths
        assert "A1:" in " ".join(str(m) for m in ws.merged_cells.ranges)


def test_a_database_that_is_not_ours_is_refused(tmp_path, capsys):
    """--db naming a damaged file, or someone else's SQLite database: a message, nothing changed."""
    import sqlite3

    damaged, foreign = tmp_path / "坏.sqlite", tmp_path / "别人的.sqlite"
    damaged.write_bytes(b"this is not a database at all" * 10)
    with sqlite3.connect(foreign) as con:
        con.execute("CREATE TABLE 账目 (金额 REAL)")
    before = foreign.read_bytes()
    for db in (damaged, foreign):
        assert main(["batch", str(cg.XISHAN), "-o", str(tmp_path / "汇总.xlsx"), "--db", str(db)]) == 2
        err = capsys.readouterr().err
        assert f"结果数据库“{db.name}”" in err and "Traceback" not in err
    assert foreign.read_bytes() == before and not (tmp_path / "汇总.xlsx").exists()


def test_a_long_summary_continues_too_and_both_stores_resume_alike(folder, tmp_path, monkeypatch):
    """汇总 itself continues on 汇总(2) when full (15 rows, sheets of 12 rows patched); the memory
    store reuses unchanged files as the SQLite store does."""
    from perfeval_xl.core import batch as core

    files, _ = discover([folder])
    memory, sqlite = MemoryStore(), SqliteStore(tmp_path / "结果.sqlite")
    for store in (memory, sqlite):
        assert batch_module.run_batch(files, store, jobs=1, root=folder).reused == 0
        assert batch_module.run_batch(files, store, jobs=1, root=folder).reused == 5
    (folder / "说明.txt").write_text("改过了", encoding="utf-8")
    assert [batch_module.run_batch(files, store, jobs=1, root=folder).reused for store in (memory, sqlite)] == [4, 4]
    assert _store_rows(memory) == _store_rows(sqlite)
    sqlite.close()
    monkeypatch.setattr(core, "MAX_SHEET_ROWS", 12)
    output = tmp_path / "汇总.xlsx"
    batch_module.write_summary(memory, output)
    book = load_workbook(output)
    assert book.sheetnames[:3] == ["汇总", "汇总(2)", "问题清单"]
    first, second = ([r for r in book[name].iter_rows(values_only=True)] for name in ("汇总", "汇总(2)"))
    # 汇总: title, counts, header, 8 rows, the note; 汇总(2): title, where it starts, header, the other 7
    assert [r[0] for r in first[3:11]] == list(range(1, 9))
    assert first[11][0] == "本表已满（Excel 一张工作表最多 12 行），其余各行接续在“汇总(2)”。"
    assert second[1][0] == "接“汇总”，从第 9 行起。" and [r[0] for r in second[3:]] == list(range(9, 16))


def test_a_store_that_cannot_be_written_is_a_message(folder, tmp_path, monkeypatch, capsys):
    """A write to the database that fails (a full disk; here the connection made read-only after
    the run started) stops the batch with a message, not a traceback."""
    original = SqliteStore.start

    def start(self, *args, **kwargs):
        reusable = original(self, *args, **kwargs)
        self._db.execute("PRAGMA query_only = ON")  # every later write fails
        return reusable

    monkeypatch.setattr(SqliteStore, "start", start)
    assert main(["batch", str(folder), "-o", str(tmp_path / "汇总.xlsx"), "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert "错误：结果数据库“汇总.sqlite”写入失败（磁盘已满或文件夹不可写）" in err and "Traceback" not in err
    assert not (tmp_path / "汇总.xlsx").exists()


def test_file_names_that_are_not_utf8(tmp_path, capsys):
    """Names in GBK bytes (as unzip leaves a zip made on Chinese Windows): every file is listed with
    its undecodable bytes written as \\xNN, and 汇总 is written (issue 20 item 3, batch part)."""
    root = tmp_path / "收件"
    root.mkdir()
    shutil.copyfile(cg.XISHAN, os.fsdecode(os.fsencode(root) + b"/\xce\xf7\xc9\xbd.xlsx"))  # 西山 in GBK
    (Path(os.fsdecode(os.fsencode(root) + b"/\xb1\xa8\xb8\xe6.xls"))).write_bytes(b"old")  # 报告 in GBK
    output = tmp_path / "汇总.xlsx"
    assert main(["batch", str(root), "-o", str(output)]) == 1
    assert "Traceback" not in capsys.readouterr().err
    rows = _summary_rows(output)
    assert [(r[1], r[12]) for r in rows][0] == ("\\xb1\\xa8\\xb8\\xe6.xls", "格式不支持")
    assert rows[1][1] == "\\xce\\xf7ɽ.xlsx"  # C9 BD happens to be UTF-8 for ɽ


WATCHED_CHILD = """
import sys, time
sys.platform = "other"  # no prctl: the watching thread alone must end this process
from perfeval_xl.batch import _worker_start
_worker_start(int(sys.argv[1]))
print("started", flush=True)
time.sleep(30)
print("still alive", flush=True)
"""

PARENT_THAT_LEAVES = """
import subprocess, sys, os
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(os.getpid())], stdout=open(sys.argv[2], "w"))
print(child.pid, flush=True)
import time; time.sleep(1.5)
os._exit(0)  # the parent dies; the child must follow it
"""


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process state from /proc")
def test_a_worker_watches_its_parent_where_there_is_no_prctl(tmp_path):
    """Elsewhere than Linux a worker's thread checks every second that its parent is alive."""
    log = tmp_path / "child.txt"
    done = subprocess.run([sys.executable, "-c", PARENT_THAT_LEAVES, WATCHED_CHILD, str(log)], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    child = int(done.stdout.split()[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.1)
    assert not _alive(child)
    assert log.read_text() == "started\n"
    # a worker whose parent is already gone when it starts ends at once
    orphan = subprocess.run([sys.executable, "-c", "from perfeval_xl.batch import _worker_start\n"
                             "_worker_start(-1)\nprint('still alive')"], capture_output=True, text=True, cwd=ROOT)
    assert orphan.returncode == 1 and orphan.stdout == ""


def test_a_file_of_a_batch_plans_no_sheet(monkeypatch):
    # a batch writes no per-file workbook: while a file is reviewed no sheet is built and no text
    # is fitted (process_file turns the assertion into an 无法读取 row, which fails the test)
    from perfeval_xl.core import textfit, writeplan

    def never(*args, **kwargs):
        raise AssertionError("a sheet was planned for a batch")

    monkeypatch.delenv("PERFEVAL_DEBUG", raising=False)
    monkeypatch.setattr(writeplan.SheetBuilder, "__init__", never)
    monkeypatch.setattr(textfit, "_layout", never)
    result = process_file(str(WUHUA))
    assert not result.unreadable and [r.status for r in result.rows].count("无法读取") == 0
    assert len(result.rows) == 11  # the sample's 10 units and the project (its 单位名单)


def test_writable_escapes_only_what_utf8_cannot_hold():
    """A lone surrogate (an undecodable byte of a name, b"\\xce" carried as U+DCCE) anywhere in a result is
    written \\xNN; a result whose texts all encode comes back as it was (the quick path)."""
    from perfeval_xl.core.batch import BatchIssue, BatchRow, FileResult, writable

    row = BatchRow("a.xlsx", "", "项目", "单位", None, None, "", None, None, 0, 0, "通过")
    clean = FileResult("a.xlsx", (row,), (BatchIssue("a.xlsx", "表", "A1", "提示", "", "说明"),))
    assert writable(clean) is clean
    bad = FileResult("a.xlsx", (row,), (BatchIssue("a.xlsx", "表", "A1", "提示", "", "说明\udcce尾"),))
    fixed = writable(bad)
    assert fixed.issues[0].message == "说明\\xce尾" and fixed.rows == (row,)


def test_a_result_travels_between_processes_as_its_fields_and_comes_back_equal():
    """A worker sends each result to the parent pickled as tuples of its rows' and entries' fields
    (FileResult.__reduce__); what the parent unpickles equals what was sent, field for field and in
    the fields' order (the JSON writes a row's fields in that order)."""
    import pickle

    from perfeval_xl.core.batch import BatchIssue, BatchRow, FileResult
    from perfeval_xl.targetforms.rules import CopyPrint

    row = BatchRow("a.xlsx", "表", "项目", "单位", Decimal("88.50"), Decimal("88.51"), "良", 73, 67, 6, 0, "有差错")
    blank = BatchRow("a.xlsx", "", "项目", "", None, None, "", None, None, 0, 1, "有错误")
    issue = BatchIssue("a.xlsx", "报告数据", "D5", "差错", "总分", "报告值 88.50，复算值 88.51：不符")
    prints = (CopyPrint("目标表", "项目", "项目", "B3", "ab" * 32, "A8", "", 2),)
    result = FileResult("a.xlsx", (row, blank), (issue,), copy="a_复核.xlsx", prints=prints)
    assert result.__reduce__()[1][1:3] == (
        (("a.xlsx", "表", "项目", "单位", Decimal("88.50"), Decimal("88.51"), "良", 73, 67, 6, 0, "有差错"),
         ("a.xlsx", "", "项目", "", None, None, "", None, None, 0, 1, "有错误")),
        (("a.xlsx", "报告数据", "D5", "差错", "总分", "报告值 88.50，复算值 88.51：不符"),))
    back = pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == result and back.rows == result.rows and back.issues == result.issues and back.prints == prints
    assert [list(item.__dict__.items()) for item in back.rows + back.issues] == \
        [list(item.__dict__.items()) for item in result.rows + result.issues]
    assert back.status == "有差错" and hash(back.issues[0]) == hash(issue)


def test_the_sqlite_store_writes_a_result_with_a_lone_surrogate_escaped_once(tmp_path):
    """sqlite3 refuses a lone surrogate (an undecodable byte of a name, b"\\xce" carried as U+DCCE) as it
    binds it: the file's transaction is rolled back and the result is written with it as \\xce, once."""
    from perfeval_xl.batchstore import file_entry, tool_version
    from perfeval_xl.core.batch import BatchIssue, BatchRow, FileResult

    book = tmp_path / "a.xlsx"
    book.write_bytes(b"PK")
    entry = file_entry(0, book, "a.xlsx")
    row = BatchRow("a.xlsx", "", "项目", "单位", None, None, "", None, None, 0, 1, "有错误")
    bad = FileResult("a.xlsx", (row,), (BatchIssue("a.xlsx", "表\udcce", "A1", "错误", "", "说明\udcce尾"),))
    store = SqliteStore(tmp_path / "库.sqlite")
    try:
        store.start([entry], tool_version())
        store.put(entry, bad, tool_version())
        assert store.stored() == 1
        assert [(i.sheet, i.message) for i in store.issues()] == [("表\\xce", "说明\\xce尾")]
        assert store._db.execute("SELECT count(*) FROM evaluations").fetchone()[0] == 1
    finally:
        store.close()
