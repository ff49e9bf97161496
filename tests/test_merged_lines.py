"""Note lines merged across a table's width are broken into lines with line feeds (writeplan.
break_merged_lines): LibreOffice does not wrap a cell merged across columns reliably — it printed the
评价图表 note on one line past the table (the page then shrank to fit it) or cut off what ran past the
merged area."""

from __future__ import annotations

import subprocess

import pytest

from perfeval_xl.core.textfit import APPS, layout
from perfeval_xl.core.writeplan import SheetBuilder, WritePlan, finish
from perfeval_xl.wordreport.tables import sheet_table

NOTE = "每幅图的数据是它上方的表格（与一级指标得分表、评分表、满意度情况表一致）。本表每次评分整体重写，请勿手工修改。"
WIDTHS = [18, 12, 12, 12, 12, 12]  # the 评价图表 sheet's columns: 78 units


def _plan(note: str = NOTE, style: str = "note"):
    b = SheetBuilder("示例", WIDTHS, landscape=False)
    b.title("示例表", 6)
    b.line(note, 6, style)
    b.values(["一级指标", "得分率", "", "", "", ""], "header")
    return finish(b.plan)


def _cell(plan, row: int, col: int = 0):
    return next(v for r, c, v, _ in plan.cells if (r, c) == (row, col))


def test_a_long_note_is_cut_into_lines_that_fit_in_every_app():
    plan = _plan()
    text = _cell(plan, 1)
    lines = text.split("\n")
    assert len(lines) == 2 and "".join(lines) == NOTE  # nothing added or dropped
    assert lines[0].endswith("本表每次") and lines[1] == "评分整体重写，请勿手工修改。"
    for line in lines:
        for app in APPS:
            assert len(layout(line, sum(WIDTHS), 9.5, False, app)) == 1, (app.name, line)
    assert plan.unbroken == {(1, 0): NOTE}
    assert plan.heights[1] >= 2 * 9.5 * 1.4  # two lines of 9.5 pt


def test_short_notes_texts_with_their_own_line_feeds_and_other_styles_are_left_alone():
    assert _cell(_plan("合计行为上列各行之和。"), 1) == "合计行为上列各行之和。"
    own = "第一行说明。\n" + NOTE
    assert _cell(_plan(own), 1) == own
    assert _cell(_plan(NOTE, "subtitle"), 1) == NOTE  # a line that is not wrapped is not broken either
    assert _plan("合计行为上列各行之和。").unbroken == {}


def test_the_word_draft_shows_the_note_as_written():
    table = sheet_table(_plan())
    assert table.caption == "示例表" and table.above == (NOTE,)  # unbroken: the document flows it itself


@pytest.mark.libreoffice(poppler=True)
def test_libreoffice_prints_the_whole_note_on_one_page(tmp_path):
    from perfeval_xl.io.new_workbook import write_plain_workbook

    path = write_plain_workbook(WritePlan([_plan()]), tmp_path / "note.xlsx")
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=300)
    text = subprocess.run(["pdftotext", str(tmp_path / "note.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) == 1  # nothing ran past the table onto a page to its right
    assert NOTE in "".join(pages[0].split())  # and nothing is cut off
    first = next(line for line in pages[0].splitlines() if line.startswith("每幅图"))
    assert first.strip() == NOTE[:NOTE.index("评分整体")]  # on two lines within the table, not one running past it
