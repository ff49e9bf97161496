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
from perfeval_xl.io.ownership import (MARK_PREFIX, OWNER_MARK, ExistingSheet, existing_sheet, mark_name,
                                      mark_reference, recorded_name, sort_out)
from perfeval_xl.io.xlsx_package import Package

SAMPLES = Path(__file__).resolve().parent.parent / "sample_workbooks"
WUHUA = SAMPLES / "五华区五个先锋奖励经费2023.xlsx"  # (by name: a scored copy beside it matches 五华区*.xlsx too)


def marks(path: Path) -> dict[str, str]:
    """Sheet name → the sheet name its mark records, for every marked sheet."""
    with zipfile.ZipFile(path) as zf:
        package = Package(zf)
        by_index = {s.index: s.name for s in package.sheets}
        return {by_index[d.local_sheet]: recorded_name(d.name, d.value) for d in package.defined_names
                if d.local_sheet is not None and recorded_name(d.name, d.value) is not None}


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
    existing = [ExistingSheet("项目信息"), ExistingSheet("得分汇总", "得分汇总"),
                ExistingSheet("评分表", None), ExistingSheet("评分表（旧）", "评分表"),
                ExistingSheet("发放完成率", "发放完成率"), ExistingSheet("满意度情况表")]
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
    # 得分汇总 in UTF-8: e5be97 e58886 e6b187 e680bb; the whole sheet, so no deleted row breaks it
    assert mark_name("得分汇总") == "_perfeval_输出表_e5be97e58886e6b187e680bb"
    assert re.search(rf'<definedName name="_perfeval_输出表_e5be97e58886e6b187e680bb" localSheetId="{first}" '
                     rf"hidden=\"1\">'得分汇总'!\$1:\$1048576</definedName>", workbook)
    assert OWNER_MARK + '"' not in workbook  # the old mark (a constant) is no longer written


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


def _with_workbook_xml(data: bytes, change) -> bytes:
    """The package ``data`` with its xl/workbook.xml text passed through ``change``, every other part as it was."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            payload = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                payload = change(payload.decode("utf-8")).encode("utf-8")
            zout.writestr(info, payload)
    return out.getvalue()


def _strip_marks(data: bytes) -> bytes:
    return _with_workbook_xml(data, lambda text: re.sub(
        rf'<definedName name="{OWNER_MARK}[^"]*"[^>]*>[^<]*</definedName>', "", text))


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
    outputs = first[len(sheetnames(xishan)):]
    assert marks(resaved) == {n: n for n in outputs}
    # still a range name referring to its own sheet: what xlwings' remote clients send a script
    from xlwings_replay import _names_payload

    sent = {(n["scope_sheet_name"], n["name"]) for n in _names_payload(resaved) if n["sheet_index"] is not None
            and first[n["sheet_index"]] == n["scope_sheet_name"]}
    assert {(n, mark_name(n)) for n in outputs} <= sent
    again = tmp_path / "again.xlsx"
    assert main(["score", str(resaved), "-o", str(again)]) == 0
    assert sheetnames(again) == first


@pytest.mark.parametrize("sheet", ["得分汇总", "评分表-黑林铺", "评分表（上次）", "O'Brien 表 (2)", "表" * 31, "满意度😀",
                                   "a.b_c"])
def test_the_mark_records_any_sheet_name_in_a_valid_name(sheet):
    name = mark_name(sheet)
    # a defined name: letters (CJK included), digits, '_' and '.', at most 255 characters; 31 CJK
    # characters are 93 UTF-8 bytes: 13 + 186 = 199 characters
    assert re.fullmatch(r"_perfeval_输出表_[0-9a-f]+", name) and len(name) <= 255
    assert recorded_name(name) == sheet
    assert recorded_name(f"'{sheet}'!{name}") == sheet  # how xlwings names a sheet-scoped name
    assert recorded_name(name.upper().replace(MARK_PREFIX.upper(), MARK_PREFIX)) == sheet  # names ignore case
    assert mark_reference(sheet) == "'" + sheet.replace("'", "''") + "'!$1:$1048576"


def test_the_old_mark_is_still_read_and_other_names_are_no_marks():
    assert recorded_name(OWNER_MARK, '"得分汇总"') == "得分汇总"  # as a file stores it
    assert recorded_name("得分汇总!" + OWNER_MARK, lambda: '="得分汇总"') == "得分汇总"  # desktop Excel reads it
    assert recorded_name(OWNER_MARK, "'得分汇总'!$A$1") is None  # not a constant: records nothing
    never = lambda: pytest.fail("only the old mark's value is read")  # noqa: E731
    # no hex, odd hex, not hex, not UTF-8, not the prefix at the start
    for other in ("Print_Area", MARK_PREFIX, MARK_PREFIX + "e5b", MARK_PREFIX + "zz", MARK_PREFIX + "ff",
                  "x_perfeval_输出表_41"):
        assert recorded_name(other, never) is None, other
    # a sheet with several marks (an old one and a copied one): ours if any of them names it
    assert existing_sheet("评分表", ["评分表（旧）", None, "评分表"]).ours()
    assert not existing_sheet("评分表（旧）", ["评分表"]).ours()
    assert existing_sheet("自评表", [None]).mark is None


def _old_marks(data: bytes) -> bytes:
    """The scored file as the version before the range mark wrote it: ``_perfeval_输出表`` = "表名"."""
    def old(match):
        sheet = recorded_name(match[1])
        return f'<definedName name="{OWNER_MARK}"{match[2]}>"{sheet}"</definedName>'
    return _with_workbook_xml(data, lambda text: re.sub(
        rf'<definedName name="({MARK_PREFIX}[0-9a-f]+)"([^>]*)>[^<]*</definedName>', old, text))


def test_a_file_marked_by_the_previous_version_is_scored_again_with_the_new_marks(xishan, capsys, tmp_path):
    out = tmp_path / "out.xlsx"
    assert main(["score", str(xishan), "-o", str(out)]) == 0
    first = sheetnames(out)
    outputs = first[len(sheetnames(xishan)):]
    old = tmp_path / "old.xlsx"
    old.write_bytes(_old_marks(out.read_bytes()))
    with zipfile.ZipFile(old) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
    assert MARK_PREFIX not in workbook and workbook.count(f'name="{OWNER_MARK}"') == len(outputs)
    assert marks(old) == {n: n for n in outputs}  # read through the old mark
    assert main(["score", str(old), "--in-place"]) == 0
    assert sheetnames(old) == first  # replaced, not refused
    with zipfile.ZipFile(old) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
    assert f'name="{OWNER_MARK}"' not in workbook and marks(old) == {n: n for n in outputs}
