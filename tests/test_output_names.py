"""Output sheet names valid and unique as Excel compares them; no cell beyond Excel's 32,767
characters (issue 9 item 1)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfeval_xl.cli import main
from perfeval_xl.core.sheetnames import scoresheet_names, valid_sheet_name
from perfeval_xl.core.writeplan import MAX_CELL_TEXT, SheetBuilder, fit_cell_text

WUHUA = Path(__file__).resolve().parent.parent / "sample_workbooks" / "五华区五个先锋奖励经费2023.xlsx"


def test_names_are_valid_and_unique_case_insensitively():
    long = "长" * 28
    names = scoresheet_names([long + "甲", long + "乙", "一/二", "一:二", "A区", "a区", "西翥'"])
    assert names == {
        long + "甲": "评分表-" + "长" * 27,
        long + "乙": "评分表-" + "长" * 24 + "(2)",
        "一/二": "评分表-一_二",
        "一:二": "评分表-一_二(2)",
        "A区": "评分表-A区",
        "a区": "评分表-a区(2)",
        "西翥'": "评分表-西翥",
    }
    assert all(len(n) <= 31 for n in names.values())
    assert len({n.casefold() for n in names.values()}) == len(names)
    assert valid_sheet_name("'x'") == "x"


@pytest.mark.slow
def test_colliding_units_get_their_own_sheets_and_a_warning(tmp_path, capsys):
    book = load_workbook(WUHUA)
    units = book["单位名单"]
    old = units["C3"].value  # 西翥 → a 简称 that collides with 普吉's once upper/lower case is ignored
    units["C3"], units["C4"] = "Pu吉", "pu吉"
    for ws in book.worksheets:
        if ws.title == "单位名单":
            continue
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == old:
                    cell.value = "Pu吉"
                elif cell.value == "普吉":
                    cell.value = "pu吉"
    path = tmp_path / "同名.xlsx"
    book.save(path)
    out = tmp_path / "out.xlsx"
    assert main(["score", str(path), "-o", str(out), "--json"]) in (0, 1)
    data = json.loads(capsys.readouterr().out)
    names = load_workbook(out, read_only=True).sheetnames
    assert "评分表-Pu吉" in names and "评分表-pu吉(2)" in names
    warning = [f for f in data["findings"] if (f["sheet"], f["cell"]) == ("单位名单", "C4")]
    assert warning and warning[0]["message"].startswith("单位“pu吉”的评分表不能命名为“评分表-pu吉”")
    assert warning[0]["message"].endswith("已命名为“评分表-pu吉(2)”；表内写有单位全称“昆明市五华区人民政府普吉街道办事处”")


def test_long_text_is_cut_to_excels_limit_saying_so():
    text = "扣分原因" * 10000  # 40,000 characters
    fitted = fit_cell_text(text)
    assert len(fitted) == MAX_CELL_TEXT
    omitted = len(text) - fitted.index("……（超出")
    assert fitted.endswith(f"其余 {omitted} 个字符未写出，全文见工作簿中的原单元格）")
    b = SheetBuilder("表", [10])
    b.put(0, 0, text)
    assert b.plan.cells[0][2] == fitted
