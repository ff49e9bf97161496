"""Style names: one enum, checked when a sheet is planned, formatted alike by both writers."""

from __future__ import annotations

import pytest

from perfeval_xl.core.styles import STYLES, StyleName
from perfeval_xl.core.writeplan import SheetBuilder


def test_a_style_name_is_its_text_and_an_unknown_one_fails_when_planned():
    assert StyleName("money") is StyleName.MONEY and StyleName.MONEY == "money" and f"{StyleName.MONEY}" == "money"
    assert STYLES["money"].number_format == "#,##0.00"
    b = SheetBuilder("表", [10, 10])
    b.values(["a", 1], ["text", StyleName.MONEY])
    assert [s for _r, _c, _v, s in b.plan.cells] == [StyleName.TEXT, StyleName.MONEY]
    with pytest.raises(ValueError, match="moneyy"):
        b.put(1, 0, 2, "moneyy")


def test_styled_cells_fill_merged_areas_with_their_first_cells_style():
    b = SheetBuilder("表", [10, 10, 10])
    b.title("标题", 3)                     # A1:C1 merged
    b.values(["x", None, "z"], "total_text")
    assert b.plan.styled_cells() == [
        (0, 0, "标题", StyleName.TITLE), (0, 1, None, StyleName.TITLE), (0, 2, None, StyleName.TITLE),
        (1, 0, "x", StyleName.TOTAL_TEXT), (1, 1, None, StyleName.TOTAL_TEXT), (1, 2, "z", StyleName.TOTAL_TEXT)]
