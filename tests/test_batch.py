"""perfeval batch: every workbook under the paths, one bad file never stops the batch, one
atomic 汇总.xlsx with 汇总 and 问题清单 (issue 12 item 4)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

import corpus_gen as cg
from perfeval_xl import batch as batch_module
from perfeval_xl.batch import discover, process_file
from perfeval_xl.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "sample_workbooks"
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
    assert [f.relative_to(folder).as_posix() for f in files] == [
        "a西山.xlsx", "d计算器.xlsx", "二级/b五华.xlsx", "二级/c损坏.xlsx"]
    assert notes == ["跳过了 2 个本工具写出的文件（文件名以 _评分、_复核 结尾或含 _备份_）"]


def test_discover_names_missing_paths_and_non_workbooks(folder):
    files, notes = discover([folder / "a西山.xlsx", folder / "说明.txt", folder / "没有.xlsx", folder / "a西山.xlsx"])
    assert files == [folder / "a西山.xlsx"]  # listed twice, processed once
    assert notes == [f"“{folder / '说明.txt'}”不是 .xlsx / .xlsm 工作簿，已跳过", f"“{folder / '没有.xlsx'}”不存在，已跳过"]


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


def test_batch_reviews_each_file_and_lists_problems(folder, tmp_path, capsys):
    output = tmp_path / "汇总.xlsx"
    xishan, wuhua = _review_json(folder / "a西山.xlsx"), _review_json(WUHUA)
    assert [(s["object"], s["printed"], s["expected"]) for s in xishan["slips"] if s["sheet"] == "报告数据"][-1] == \
        ("总分", "88.50", "88.51")
    assert main(["batch", str(folder), "-o", str(output), "--jobs", "2"]) == 1
    out = capsys.readouterr().out
    problem_files = 3 + bool(wuhua["slips"])  # 西山's slip, the calculator, the broken file, 五华's slips
    assert f"共处理 4 个文件、14 份评价或自评表；{problem_files} 个文件有差错、错误或无法读取" in out
    book = load_workbook(output, read_only=True)
    assert book.sheetnames == ["汇总", "问题清单"]
    rows = _summary_rows(output)
    assert len(rows) == 14
    # 序号, 文件, 工作表, 项目, 单位, 报告总分, 复算总分, 等级, 差错数, 错误数, 状态
    assert rows[0][1:8] == ("a西山.xlsx", None, "2024年社区党组织服务群众专项经费", None,
                            _first_printed_total(folder / "a西山.xlsx"), "88.51", "良")
    assert rows[0][8] == len(xishan["slips"]) and rows[0][10] == "有差错"
    assert rows[1][1] == "d计算器.xlsx" and rows[1][10] == "未识别"
    rows_wuhua = [r for r in rows if r[1] == "二级/b五华.xlsx"]
    assert [r[4] for r in rows_wuhua[:10]] == [u["name"] for u in wuhua["units"]]
    assert [r[6] for r in rows_wuhua[:10]] == [f"{u['total']:.2f}" for u in wuhua["units"]]
    project = rows_wuhua[10]
    assert project[4].startswith("项目（") and project[6] == f"{wuhua['total']:.2f}" == "90.77"
    assert project[5] == _first_printed_total(WUHUA)  # the total the report printed (报告数据)
    assert sum(r[8] for r in rows_wuhua) == len(wuhua["slips"])  # every slip counted once
    broken = rows[-1]
    assert broken[1] == "二级/c损坏.xlsx" and broken[9:] == (1, "无法读取")

    issues = [r for r in book["问题清单"].iter_rows(min_row=3, values_only=True) if r and r[0] is not None]
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


def test_worker_processes_give_the_same_rows_in_the_same_order(folder):
    files, _ = discover([folder])
    one = batch_module.run_batch(files, jobs=1, root=folder)
    two = batch_module.run_batch(files, jobs=2, root=folder)
    assert one == two and [r.path for r in one] == ["a西山.xlsx", "d计算器.xlsx", "二级/b五华.xlsx", "二级/c损坏.xlsx"]


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
    assert "已中断：没有写出汇总" in capsys.readouterr().err
    assert not output.exists() and not list(tmp_path.glob(".~perfeval-*"))


def test_a_foreign_summary_file_is_not_overwritten(folder, tmp_path, capsys):
    output = tmp_path / "汇总.xlsx"
    shutil.copyfile(cg.XISHAN, output)
    before = output.read_bytes()
    assert main(["batch", str(folder), "-o", str(output)]) == 2
    assert "不是批量处理写出的汇总表" in capsys.readouterr().err
    assert output.read_bytes() == before
    # an earlier batch's summary is replaced
    output.unlink()
    assert main(["batch", str(cg.XISHAN), "-o", str(output)]) == 1  # the report's own slips
    first = output.stat().st_mtime_ns
    assert main(["batch", str(cg.XISHAN), "-o", str(output)]) == 1
    assert output.stat().st_mtime_ns >= first and load_workbook(output, read_only=True).sheetnames == ["汇总", "问题清单"]


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
                             "unit": "", "printed_total": _first_printed_total(cg.XISHAN) or "", "total": "88.51",
                             "grade": "良", "slips": len(expected["slips"]), "errors": 0,
                             "status": "有差错" if expected["slips"] else "通过"}]
    assert (target / "评价_复核.xlsx").is_file()  # score sheets and 复核意见


@pytest.mark.parametrize("argv, message", [
    (["batch", "x", "--jobs", "0"], "--jobs 应为不小于 1 的整数"),
    (["batch", "没有这个文件夹"], "给出的路径中没有 .xlsx / .xlsm 工作簿"),
])
def test_bad_arguments(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_forms_are_rows_of_their_own(tmp_path, capsys):
    """A workbook of two published self-evaluation forms (tests/form_data.py): one 汇总 row per form,
    with the printed and the recomputed total, and the form reviewer's slips counted per form."""
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
    assert [(r.sheet, r.project, r.total, r.grade, r.slips) for r in result.rows] == [
        (f.sheet, f.project, f"{f.total:.2f}", f.grade, len(f.slips)) for f in reviews]
    assert [r.printed_total for r in result.rows] == [
        f"{f.printed_total:.2f}" if f.printed_total is not None else "" for f in reviews]
    assert sum(1 for i in result.issues if i.kind == "差错") == sum(len(f.slips) for f in reviews)


def test_summary_file_holds_exactly_the_plan(folder, tmp_path):
    """汇总.xlsx is assembled from the splice writer's sheet XML: every planned value, merge, width,
    height, frozen header, print title and footer arrives, read back with openpyxl."""
    from decimal import Decimal

    from perfeval_xl.batch import run_batch
    from perfeval_xl.core.batch import batch_plan
    from perfeval_xl.io.new_workbook import write_plain_workbook

    files, _ = discover([folder])
    plan = batch_plan(run_batch(files, jobs=1, root=folder))
    path = write_plain_workbook(plan, tmp_path / "汇总.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["汇总", "问题清单"] and book.active.title == "汇总"
    for sheet in plan.sheets:
        ws = book[sheet.name]
        for row, col, value, _style in sheet.cells:
            got = ws.cell(row + 1, col + 1).value
            assert got == (None if value == "" else value if not isinstance(value, Decimal) else float(value)), \
                (sheet.name, row, col)
        assert sorted(str(m) for m in ws.merged_cells.ranges) == sorted(
            f"{ws.cell(r1 + 1, c1 + 1).coordinate}:{ws.cell(r2 + 1, c2 + 1).coordinate}" for r1, c1, r2, c2 in sheet.merges)
        assert {c: ws.column_dimensions[chr(65 + c)].width for c in sheet.widths} == sheet.widths
        assert {r: ws.row_dimensions[r + 1].height for r in sheet.heights} == sheet.heights
        assert ws.freeze_panes == ws.cell(sheet.freeze[0] + 1, 1).coordinate
        assert ws.print_title_rows == f"${sheet.title_rows[0] + 1}:${sheet.title_rows[1] + 1}"
        assert ws.oddFooter.center.text == sheet.footer
    assert len(plan.sheet("问题清单").cells) > 20  # the damaged file, the slips of both samples
