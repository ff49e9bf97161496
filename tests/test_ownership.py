"""Output-sheet ownership by a durable mark (issue 8 item 3): any earlier output can be
scored again, and a sheet of the user's is never replaced because it looks like ours."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfeval_xl.cli import main
from perfeval_xl.io.ownership import OWNER_MARK, ExistingSheet, marked_name, sort_out
from perfeval_xl.io.xlsx_package import Package

SAMPLES = Path(__file__).resolve().parent.parent / "sample_workbooks"
WUHUA = next(SAMPLES.glob("五华区*.xlsx"))


def marks(path: Path) -> dict[str, str]:
    """Sheet name → the sheet name its mark records, for every marked sheet."""
    with zipfile.ZipFile(path) as zf:
        package = Package(zf)
        by_index = {s.index: s.name for s in package.sheets}
        return {by_index[d.local_sheet]: marked_name("=" + d.value) for d in package.defined_names
                if d.name == OWNER_MARK}


def sheetnames(path: Path) -> list[str]:
    return load_workbook(path, read_only=True).sheetnames


def _empty(path: Path, out: Path, sheets=("人员名册", "支出明细")) -> Path:
    wb = load_workbook(path)
    for name in sheets:
        ws = wb[name]
        ws.delete_rows(3, ws.max_row)
    wb.save(out)
    return out


def test_sort_out_decides_by_the_mark_only():
    existing = [ExistingSheet("项目信息"), ExistingSheet("得分汇总", '="得分汇总"'),
                ExistingSheet("评分表", None), ExistingSheet("评分表（旧）", '="评分表"'),
                ExistingSheet("发放完成率", '="发放完成率"'), ExistingSheet("满意度情况表")]
    ownership = sort_out(existing, ["得分汇总", "评分表", "一级指标得分表"])
    assert ownership.replace == ("得分汇总", "发放完成率")  # marked and still under the name it records
    assert ownership.foreign == ("评分表",)  # no mark, and in the way; 满意度情况表 is not written: kept
    assert sort_out([ExistingSheet("A区")], ["a区"]).foreign == ("A区",)  # Excel ignores case


def test_every_output_sheet_is_marked_with_its_name(xishan, capsys):
    out = xishan.parent / "out.xlsx"
    assert main(["score", str(xishan), "-o", str(out)]) == 0
    names = sheetnames(out)
    outputs = names[len(sheetnames(xishan)):]
    assert marks(out) == {n: n for n in outputs}
    with zipfile.ZipFile(out) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
    first = names.index("得分汇总")  # the first output sheet, right after the inputs
    assert first == len(sheetnames(xishan))
    assert re.search(rf'<definedName name="{OWNER_MARK}" localSheetId="{first}" hidden="1">"得分汇总"</definedName>',
                     workbook)


@pytest.mark.slow
def test_rescoring_an_earlier_output_with_fewer_then_more_output_sheets(tmp_path, capsys):
    """Issue 8's reproduction: 五华 scored, 人员名册 and 支出明细 emptied in the scored copy
    (exit 2 "…不是本工具写出的" before the mark), scored again; then the rows put back."""
    source = tmp_path / WUHUA.name
    shutil.copy(WUHUA, source)
    scored = tmp_path / "scored.xlsx"
    assert main(["score", str(source), "-o", str(scored), "--json"]) == 0
    total = json.loads(capsys.readouterr().out)["total"]
    first = sheetnames(scored)
    assert {"奖励发放人数情况", "发放完成率"} <= set(first)
    emptied = _empty(scored, tmp_path / "emptied.xlsx")
    again = tmp_path / "again.xlsx"
    assert main(["score", str(emptied), "-o", str(again)]) in (0, 1)
    fewer = sheetnames(again)
    assert "奖励发放人数情况" not in fewer and "发放完成率" not in fewer
    assert fewer == [n for n in first if n not in ("奖励发放人数情况", "发放完成率")]
    # more output sheets again: the rows put back into the scored copy of the emptied book
    original = load_workbook(WUHUA)
    wb = load_workbook(again)
    for name in ("人员名册", "支出明细"):
        for row in original[name].iter_rows(min_row=3):
            for cell in row:
                wb[name].cell(cell.row, cell.column, cell.value)
    refilled = tmp_path / "refilled.xlsx"
    wb.save(refilled)
    last = tmp_path / "last.xlsx"
    capsys.readouterr()
    assert main(["score", str(refilled), "-o", str(last), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == total  # the same data scores the same
    assert sheetnames(last) == first


@pytest.mark.slow
def test_a_users_sheet_with_our_exact_title_is_never_replaced(xishan, capsys):
    out = xishan.parent / "out.xlsx"
    assert main(["score", str(xishan), "-o", str(out)]) == 0
    title = load_workbook(out)["得分汇总"]["A1"].value
    wb = load_workbook(xishan)
    ws = wb.create_sheet("得分汇总")
    ws["A1"] = title  # the user's own summary, titled exactly like ours
    ws["B2"] = "我的批注"
    wb.save(xishan)
    before = xishan.read_bytes()
    target = xishan.parent / "again.xlsx"
    assert main(["score", str(xishan), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "得分汇总!A1" in err and "没有本工具写出的标记" in err and "改名" in err
    assert xishan.read_bytes() == before and not target.exists()


def test_a_users_sheet_named_like_an_output_this_run_does_not_write_is_kept(xishan, capsys):
    wb = load_workbook(xishan)
    wb.create_sheet("发放完成率")["A1"] = "手工统计"
    wb.save(xishan)
    out = xishan.parent / "out.xlsx"
    assert main(["score", str(xishan), "-o", str(out)]) == 0
    assert main(["score", str(out), "--in-place"]) == 0
    wb = load_workbook(out)
    assert wb["发放完成率"]["A1"].value == "手工统计"
    assert "发放完成率" not in marks(out)


@pytest.mark.slow
def test_an_output_sheet_renamed_by_the_user_is_kept(xishan, capsys):
    out = xishan.parent / "out.xlsx"
    assert main(["score", str(xishan), "-o", str(out)]) == 0
    first = sheetnames(out)
    wb = load_workbook(out)
    wb["评分表"].title = "评分表（上次）"
    wb.save(out)
    assert main(["score", str(out), "--in-place"]) == 0
    names = sheetnames(out)
    assert "评分表（上次）" in names and names.count("评分表") == 1
    assert len(names) == len(first) + 1
    assert marks(out)["评分表（上次）"] == "评分表"  # the mark travelled with the sheet, but it no longer names it


def _strip_marks(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            payload = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                payload = re.sub(rf'<definedName name="{OWNER_MARK}"[^>]*>[^<]*</definedName>'.encode(), b"", payload)
            zout.writestr(info, payload)
    return out.getvalue()


@pytest.mark.slow
def test_outputs_written_before_the_mark(xishan, capsys, tmp_path):
    """A pre-mark output still in perfeval's own part names is ours; once re-saved by another
    program it cannot be told from a hand-made sheet: refused, with the way out."""
    out = tmp_path / "out.xlsx"
    assert main(["score", str(xishan), "-o", str(out)]) == 0
    first = sheetnames(out)
    legacy = tmp_path / "legacy.xlsx"
    legacy.write_bytes(_strip_marks(out.read_bytes()))
    assert marks(legacy) == {}
    assert main(["score", str(legacy), "--in-place"]) == 0
    assert sheetnames(legacy) == first and len(marks(legacy)) == len(first) - len(sheetnames(xishan))
    resaved = tmp_path / "resaved.xlsx"
    legacy.write_bytes(_strip_marks(out.read_bytes()))
    load_workbook(legacy).save(resaved)  # parts renamed to sheetN.xml, as any other program does
    capsys.readouterr()
    assert main(["score", str(resaved), "-o", str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "旧版本" in err and "删除" in err


@pytest.mark.libreoffice
def test_the_mark_survives_libreoffice(xishan, capsys, tmp_path):
    out = tmp_path / "scored.xlsx"
    assert main(["score", str(xishan), "-o", str(out)]) == 0
    first = sheetnames(out)
    subprocess.run(["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"), str(out)],
                   capture_output=True, timeout=240, check=True)
    resaved = tmp_path / "lo" / out.name
    assert marks(resaved) == {n: n for n in first[len(sheetnames(xishan)):]}
    again = tmp_path / "again.xlsx"
    assert main(["score", str(resaved), "-o", str(again)]) == 0
    assert sheetnames(again) == first
