"""Issue 13 item 4: by the write plan's width model (perfeval_xl/core/textfit.py), no wrapped text needs
more height than its row has."""

import pytest

from conftest import SAMPLES, XISHAN
from perfeval_xl.core.writeplan import DEFAULT_HEIGHT, needed_height, text_widths, wrapped_lines
from perfeval_xl.pipeline import score_file


@pytest.mark.parametrize("book", [XISHAN, SAMPLES / "五华区五个先锋奖励经费2023.xlsx"], ids=["西山", "五华"])
def test_no_wrapped_text_is_taller_than_its_row(book, tmp_path):
    scored = score_file(book, tmp_path / "out.xlsx")
    short = []
    for plan in scored.plan.sheets:
        for row, text, width, style in text_widths(plan, with_style=True):
            height = plan.heights.get(row, DEFAULT_HEIGHT)
            if wrapped_lines(text, width, style) > 1 and needed_height(text, width, style) > height:
                short.append((plan.name, row + 1, text[:20], height))
    assert not short


def test_the_social_benefit_row_of_xishan_is_tall_enough_for_libreoffice(tmp_path):
    """The 社会效益 计算过程 was cut in LibreOffice: ten lines of 15.2 pt (Noto Sans CJK) need 155 pt."""
    scored = score_file(XISHAN, tmp_path / "out.xlsx")
    sheet = scored.plan.sheet("评分表")
    row = next(r for r, c, v, _ in sheet.cells if v == "社会效益")
    assert sheet.heights[row] >= 10 * 1.448 * 10.5 + 3


def test_the_funds_table_notes_of_puji_and_heilinpu_get_two_lines(tmp_path):
    scored = score_file(SAMPLES / "五华区五个先锋奖励经费2023.xlsx", tmp_path / "out.xlsx")
    funds = scored.plan.sheet("资金使用情况表")
    notes = [(r, v) for r, c, v, _ in funds.cells if c == len(funds.widths) - 1 and isinstance(v, str) and len(v) > 12]
    assert notes  # 普吉 and 黑林铺 have long 备注
    for row, text in notes:  # each note needs at least two lines of 15.2 pt in LibreOffice
        assert funds.heights[row] >= 2 * 1.448 * 10.5 + 3, text


@pytest.mark.slow
def test_display_width_is_the_east_asian_width_of_every_character():
    """The width model's fast paths (ASCII, characters remembered) give what unicodedata says, for every
    character there is, and for texts mixing them."""
    import unicodedata

    from perfeval_xl.core.writeplan import display_width

    wrong = [i for i in range(0x110000)
             if display_width(chr(i)) != (2 if unicodedata.east_asian_width(chr(i)) in "WF" else 1)]
    assert wrong == []
    assert display_width("资金到位率 98.5%（Ａ）") == 2 * 5 + 6 + 2 * 3 and display_width("") == 0
