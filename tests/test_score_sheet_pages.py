"""Issue 13: a 评分表's 一级 groups are kept on one page where they fit; a group taller than a page is cut
with its 一级 (and 二级) label repeated on the next page, marked （续）.  From the plan (the PDF check in
test_print_pdf.py sees LibreOffice break the same way)."""

import pytest

from conftest import SAMPLES, XISHAN
from perfeval_xl.core.pagefit import page_rows, print_scale, row_points
from perfeval_xl.pipeline import score_file


@pytest.mark.parametrize("book", [XISHAN, SAMPLES / "五华区五个先锋奖励经费2023.xlsx"], ids=["西山", "五华"])
def test_score_sheet_breaks_at_groups_and_repeats_cut_labels(book, tmp_path):
    scored = score_file(book, tmp_path / "out.xlsx")
    sheet = next(s for s in scored.plan.sheets if s.name.startswith("评分表"))
    labels = {(r, c): v for r, c, v, _ in sheet.cells if c in (0, 1) and isinstance(v, str) and v}
    tops = {r1 for r1, c1, r2, c2 in sheet.merges if c1 == c2 == 0} | {r for (r, c) in labels if c == 0}
    assert sheet.row_breaks
    for row in sheet.row_breaks:
        assert row in tops  # every page starts with a 一级 label: a group's own or repeated
        label = labels[(row, 0)]
        assert "\n" in label  # name, then 分值 (and the （续） mark) on lines of their own
    # no merged label runs over a break (it would print on the first page only)
    for r1, c1, r2, c2 in sheet.merges:
        assert not any(r1 < k <= r2 for k in sheet.row_breaks), (r1, c1, r2, c2)
    # every page's rows fit its printable height at the sheet's scale, under the repeated header row
    room = page_rows(True, print_scale(sheet)) - row_points(sheet, sheet.title_rows[0])
    body_end = max(r2 for r1, c1, r2, c2 in sheet.merges if c1 == 0)
    first = min(tops)
    for start, end in zip([first] + sheet.row_breaks, sheet.row_breaks + [body_end + 1]):
        height = sum(row_points(sheet, r) for r in range(start, end))
        above = sum(row_points(sheet, r) for r in range(first)) if start == first else 0
        assert height + above <= room + row_points(sheet, sheet.title_rows[0]) or end - start == 1


def test_a_group_taller_than_a_page_is_continued_with_its_labels(tmp_path):
    scored = score_file(SAMPLES / "五华区五个先锋奖励经费2023.xlsx", tmp_path / "out.xlsx")
    sheet = scored.plan.sheet("评分表-西翥")
    carried = sorted(v for r, c, v, _ in sheet.cells if isinstance(v, str) and "（续）" in v)
    # 产出 (40分) does not fit on one page: cut, its label repeated (at a 二级 start since the 编码 column
    # made the rows taller; a 二级 cut inside repeats that label too, see test_print_pdf)
    assert "产出\n（续）\n（40分）" in carried
