"""Scores never change without a finding that says why (issue 9 item 3).

Each case is the 五华 sample with one change a real workbook shows; before the fix each of them
scored silently (a blank 评价形态 as 整体评价: 86.33 instead of the sample's total; a second
资金情况 row summed; a merged unit cell giving 普吉's amounts to 西翥; a duplicate or misspelt
header ignored; a renamed sheet reported only as missing data).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfeval_xl.cli import main

WUHUA = Path(__file__).resolve().parent.parent / "sample_workbooks" / "五华区五个先锋奖励经费2023.xlsx"


def variant(tmp_path: Path, edit) -> Path:
    book = load_workbook(WUHUA)
    edit(book)
    path = tmp_path / "变体.xlsx"
    book.save(path)
    return path


def score(path: Path, capsys) -> tuple[int, dict | None, str]:
    code = main(["score", str(path), "-o", str(path.with_name("out.xlsx")), "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else None, captured.err


def findings_at(data: dict, sheet: str, cell: str) -> list[tuple[str, str]]:
    return [(f["severity"], f["message"]) for f in data["findings"] if (f["sheet"], f["cell"]) == (sheet, cell)]


@pytest.mark.parametrize("label, cell, choices", [
    ("评价形态", "B7", "（可选：整体评价、分单位评价）"),
    ("金额单位", "B9", "（可选：元、万元）"),
])
def test_blank_required_field_is_an_error_at_its_cell(tmp_path, capsys, label, cell, choices):
    path = variant(tmp_path, lambda b: b["项目信息"].__setitem__(cell, None))
    code, data, err = score(path, capsys)
    assert code == 2
    assert f"项目信息!{cell}：无法评分：“{label}”未填写：这是必填项，请在 B 列填写{choices}" in err
    assert data["findings"] == [{"severity": "error", "sheet": "项目信息", "cell": cell,
                                 "message": f"无法评分：“{label}”未填写：这是必填项，请在 B 列填写{choices}"}]


@pytest.mark.slow  # edits and saves a sample with openpyxl
def test_second_funds_row_for_a_unit_is_reported(tmp_path, capsys):
    def add_row(book):
        ws = book["资金情况"]
        ws.append(["西翥", "10", "10", None, None, "10", "10"])

    path = variant(tmp_path, add_row)
    code, data, _ = score(path, capsys)
    last = load_workbook(path, read_only=True)["资金情况"].max_row
    assert findings_at(data, "资金情况", f"A{last}") == [("warning", (
        f"西翥在“资金情况”中不止一行（第 3 行和第 {last} 行），两行的金额已相加计算；"
        "如第二行其实是另一单位的数据（例如单位单元格向下合并了两行），请改正单位简称"))]


@pytest.mark.slow  # edits and saves a sample with openpyxl
def test_unit_cell_merged_over_two_rows_is_reported_at_the_lower_row(tmp_path, capsys):
    def merge(book):
        ws = book["资金情况"]
        ws["A4"] = None  # 普吉's name under a merge with 西翥 above
        ws.merge_cells("A3:A4")

    code, data, _ = score(variant(tmp_path, merge), capsys)
    assert findings_at(data, "资金情况", "A4") == [("warning", (
        "西翥在“资金情况”中不止一行（第 3 行和第 4 行），两行的金额已相加计算；"
        "如第二行其实是另一单位的数据（例如单位单元格向下合并了两行），请改正单位简称"))]


@pytest.mark.slow  # edits and saves a sample with openpyxl
def test_duplicate_header_is_an_error_at_the_second_copy(tmp_path, capsys):
    def duplicate(book):
        ws = book["资金情况"]
        ws["K2"] = "预算数"
        ws["K3"] = "1"

    code, data, _ = score(variant(tmp_path, duplicate), capsys)
    assert code == 1
    assert findings_at(data, "资金情况", "K2") == [("error", (
        "“预算数”列出现了两次（另一列在 B2）：只读取 B2 那一列，本列的数据未被读取；请删除或合并重复的列"))]


@pytest.mark.slow  # edits and saves a sample with openpyxl
def test_header_with_a_space_is_the_same_column(tmp_path, capsys):
    _, before, _ = score(variant(tmp_path, lambda b: None), capsys)
    code, after, _ = score(variant(tmp_path, lambda b: b["资金情况"].__setitem__("F2", "实际 支出")), capsys)
    assert after["total"] == before["total"] and after["findings"] == before["findings"]


@pytest.mark.slow  # edits and saves a sample with openpyxl
def test_unrecognised_header_with_data_is_named(tmp_path, capsys):
    code, data, _ = score(variant(tmp_path, lambda b: b["资金情况"].__setitem__("F2", "实际支出数")), capsys)
    assert findings_at(data, "资金情况", "F2") == [("warning", (
        "表头“实际支出数”不是“资金情况”的列，本列的数据未被读取；本表尚未找到的列有：实际支出"))]


@pytest.mark.slow  # edits and saves a sample with openpyxl
def test_renamed_optional_sheet_is_named(tmp_path, capsys):
    code, data, _ = score(variant(tmp_path, lambda b: setattr(b["资金情况"], "title", "资金情况表")), capsys)
    assert findings_at(data, "资金情况", "A1") == [("warning", (
        "工作簿中没有“资金情况”工作表；如果改了名，请改回“资金情况”，否则用到它的指标会报告缺少数据"))]


def test_renamed_required_sheet_lists_the_sheets_read(tmp_path, capsys):
    code, data, err = score(variant(tmp_path, lambda b: setattr(b["指标体系"], "title", "指标")), capsys)
    assert code == 2
    assert "找不到工作表“指标体系”，模板必须包含此表（是否改了工作表名？读到的工作表有：" in err
