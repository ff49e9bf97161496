"""Issue 19 item 4: print defects of the output sheets, read from the write plan (the PDF checks of the same
defects are in test_print_pdf.py): the unit of a 评分表 on every printed page, no ### for a bold 100.00%,
no page break inside a question of 问卷明细, the 一级指标得分表 title inside its cell."""

from __future__ import annotations

import pytest

from conftest import SAMPLES, XISHAN
from perfeval_xl.core.styles import STYLES
from perfeval_xl.core.textfit import lines_needed
from perfeval_xl.io.snapshot import read_snapshot
from perfeval_xl.pipeline import score_snapshot
from perfeval_xl.wordreport.tables import format_value

WUHUA = SAMPLES / "五华区五个先锋奖励经费2023.xlsx"


@pytest.fixture(scope="module")
def plans():
    return {"西山": score_snapshot(read_snapshot(XISHAN)).plan, "五华": score_snapshot(read_snapshot(WUHUA)).plan}


def test_unit_score_sheets_repeat_the_unit_line_on_every_page(plans):
    sheets = [s for s in plans["五华"].sheets if s.name.startswith("评分表-")]
    assert len(sheets) == 10
    for sheet in sheets:
        first, last = sheet.title_rows
        texts = [v for r, c, v, _ in sheet.cells if first <= r <= last and isinstance(v, str)]
        assert any(t.startswith("被评价单位：") for t in texts), sheet.name  # printed at the top of each page
        assert "一级指标" in texts and sheet.row_breaks  # the header repeats too, and there are several pages


@pytest.mark.parametrize("sample", ["西山", "五华"])
def test_no_number_of_a_questionnaire_sheet_prints_as_hashes(plans, sample):
    """A number wider than its column prints ### (the bold 100.00% of a unit's 满意度 at width 9)."""
    sheets = [s for s in plans[sample].sheets if s.name.startswith("问卷明细")]
    assert sheets
    for sheet in sheets:
        merged = {(r1, c1) for r1, c1, r2, c2 in sheet.merges if c2 > c1}
        for r, c, value, style in sheet.cells:
            if isinstance(value, str) or value is None or (r, c) in merged:
                continue
            font = STYLES[style]
            text = format_value(value, style)
            assert lines_needed(text, sheet.widths.get(c, 10), font.size, font.bold) == 1, (sheet.name, r, c, text)


def test_questionnaire_pages_break_between_questions(plans):
    for sheet in (s for s in plans["五华"].sheets if s.name.startswith("问卷明细")):
        inside = {r for r1, c1, r2, c2 in sheet.merges if c1 == 1 and r2 > r1 for r in range(r1 + 1, r2 + 1)}
        assert sheet.row_breaks and not inside & set(sheet.row_breaks), sheet.name


@pytest.mark.parametrize("sample", ["西山", "五华"])
def test_the_level1_title_fits_its_merged_cell(plans, sample):
    sheet = plans[sample].sheet("一级指标得分表")
    title = next(v for r, c, v, s in sheet.cells if s == "title")
    width = sum(sheet.widths.get(c, 10) for c in range(sheet.n_cols))
    assert lines_needed(title, width, STYLES["title"].size, True) == 1  # the title style does not wrap: one line


def test_the_score_review_sheet_says_why_it_counts_fewer_figures_than_review(plans):
    """西山: score checked the 66 figures of 报告数据, review 73 (those and the 7 of the pasted 报告表2): the
    score's sheet says that it checks 报告数据 only."""
    from perfeval_xl.io.targets import source_path
    from perfeval_xl.review import read_others, review_snapshot

    line = next(v for r, c, v, s in plans["西山"].sheet("复核意见").cells if isinstance(v, str) and v.startswith("共核对"))
    assert line.startswith("共核对报告印出的数字 66 个，一致 60 个，不一致（差错）6 个。")
    assert "只核对“报告数据”" in line and "perfeval review" in line
    source = source_path(XISHAN)
    snapshot = read_snapshot(source)
    reviewed = review_snapshot(snapshot, read_others(source, snapshot))
    line = next(v for r, c, v, s in reviewed.plan.sheet("复核意见").cells if isinstance(v, str) and v.startswith("共核对"))
    assert line == "共核对报告印出的数字 73 个，一致 67 个，不一致（差错）6 个。"
