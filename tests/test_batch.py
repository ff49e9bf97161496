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
    shutil.copyfile(cg.XISHAN, root / "a西山.xlsx")
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


def test_batch_scores_each_file_and_lists_problems(folder, tmp_path, capsys):
    output = tmp_path / "汇总.xlsx"
    wuhua_total = json.loads(_score_json(WUHUA))
    assert main(["batch", str(folder), "-o", str(output), "--jobs", "2"]) == 1  # a broken file → exit 1
    out = capsys.readouterr().out
    assert "共处理 4 个文件、14 份评价或自评表；2 个文件有差错、错误或无法读取" in out
    book = load_workbook(output, read_only=True)
    assert book.sheetnames == ["汇总", "问题清单"]
    rows = _summary_rows(output)
    assert len(rows) == 14
    # 序号, 文件, 工作表, 项目, 单位, 报告总分, 复算总分, 等级, 差错数, 错误数, 状态
    assert rows[0][1:] == ("a西山.xlsx", None, "2024年社区党组织服务群众专项经费", None, None, "88.51", "良", 0, 0, "通过")
    assert rows[1][1] == "d计算器.xlsx" and rows[1][10] == "未识别"
    wuhua = [r for r in rows if r[1] == "二级/b五华.xlsx"]
    assert [r[4] for r in wuhua[:10]] == [u["name"] for u in wuhua_total["units"]]
    assert [r[6] for r in wuhua[:10]] == [f"{u['total']:.2f}" for u in wuhua_total["units"]]
    assert wuhua[10][4].startswith("项目（") and wuhua[10][6] == f"{wuhua_total['total']:.2f}"
    broken = rows[-1]
    assert broken[1] == "二级/c损坏.xlsx" and broken[9:] == (1, "无法读取")
    issues = [r for r in book["问题清单"].iter_rows(min_row=3, values_only=True) if r and r[0] is not None]
    wuhua_findings = [("二级/b五华.xlsx", f["sheet"], f["cell"], "错误" if f["severity"] == "error" else "提示",
                       f["message"]) for f in wuhua_total["findings"]]
    assert wuhua_findings  # the sample has its warnings (e.g. 黑林铺's items); each is listed
    assert [(r[1], r[2], r[3], r[4], r[6]) for r in issues[1:-1]] == wuhua_findings
    assert issues[0][1:5] == ("d计算器.xlsx", "项目信息", "A1", "错误")
    assert issues[0][6].startswith("既不是评价模板，也没有可识别的自评表：找不到工作表“项目信息”")
    assert issues[-1][1] == "二级/c损坏.xlsx" and issues[-1][4] == "错误"
    assert "“c损坏.xlsx”不是有效的 .xlsx 文件" in issues[-1][6]


def _score_json(path: Path) -> str:
    """What ``perfeval score --json`` says of the file (the batch must agree with it)."""
    from perfeval_xl.core.summary import summary
    from perfeval_xl.io.snapshot import read_snapshot
    from perfeval_xl.pipeline import score_snapshot

    return json.dumps(summary(score_snapshot(read_snapshot(path)).evaluation))


def test_worker_processes_give_the_same_rows_in_the_same_order(folder):
    files, _ = discover([folder])
    one = batch_module.run_batch(files, jobs=1, root=folder)
    two = batch_module.run_batch(files, jobs=2, root=folder)
    assert one == two and [r.path for r in one] == ["a西山.xlsx", "d计算器.xlsx", "二级/b五华.xlsx", "二级/c损坏.xlsx"]


def test_process_file_never_raises(tmp_path, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(batch_module, "score_evaluation", explode)
    result = process_file(str(cg.XISHAN), display="x.xlsx")
    assert result.unreadable and result.rows[0].status == "无法读取"
    assert result.issues[0].message == "内部错误（RuntimeError）：未能处理此文件；请把文件和这条信息发给维护人员"


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
    assert main(["batch", str(folder / "a西山.xlsx"), "-o", str(output)]) == 0
    assert main(["batch", str(folder / "a西山.xlsx"), "-o", str(output)]) == 0


def test_json_and_write_copies(folder, tmp_path, capsys):
    target = tmp_path / "单个"
    target.mkdir()
    shutil.copyfile(cg.XISHAN, target / "评价.xlsx")
    assert main(["batch", str(target), "-o", str(tmp_path / "汇总.xlsx"), "--json", "--write-copies"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["files"] == 1 and data["problem_files"] == 0
    assert data["rows"] == [{"file": "评价.xlsx", "sheet": "", "project": "2024年社区党组织服务群众专项经费",
                             "unit": "", "printed_total": "", "total": "88.51", "grade": "良", "slips": 0,
                             "errors": 0, "status": "通过"}]
    assert (target / "评价_评分.xlsx").is_file()


@pytest.mark.parametrize("argv, message", [
    (["batch", "x", "--jobs", "0"], "--jobs 应为不小于 1 的整数"),
    (["batch", "没有这个文件夹"], "给出的路径中没有 .xlsx / .xlsm 工作簿"),
])
def test_bad_arguments(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert message in capsys.readouterr().err
