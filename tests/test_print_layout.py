"""得分汇总 and 评分表 as they print: blocks per 一级指标 with 合计 and 平均分, the print scale computed
from the column widths, and the manual page breaks written into the xlsx."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from conftest import SAMPLES, XISHAN
from perfeval_xl.cli import main
from perfeval_xl.core.pagefit import block_breaks, column_points, print_scale, printable
from perfeval_xl.core.writeplan import SheetBuilder
from perfeval_xl.io.snapshot import read_snapshot
from perfeval_xl.pipeline import score_snapshot
from snapshots import snapshot

WUHUA = SAMPLES / "五华区五个先锋奖励经费2023.xlsx"


@pytest.fixture(scope="module")
def plans():
    return {book.name: score_snapshot(read_snapshot(book)).plan for book in (WUHUA, XISHAN)}


def _blocks(grid):
    """{block's first header text: (header row index, unit rows, 合计 row, 平均分 row)} of 得分汇总."""
    found = {}
    starts = [i for i, row in enumerate(grid) if row[0] == "序号"]
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(grid)
        rows = grid[start:end]
        units = [r for r in rows if isinstance(r[0], int)]
        total = next((r for r in rows if r[1] == "合计"), None)
        mean = next((r for r in rows if r[1] == "平均分"), None)
        found[rows[0][2]] = (start, units, total, mean)
    return found


def test_wuhua_summary_has_a_block_per_level1_with_total_and_mean_rows(plans):
    grid = plans[WUHUA.name].sheet("得分汇总").grid()
    blocks = _blocks(grid)
    assert list(blocks) == ["决策（15分）", "过程（15分）", "产出（40分）", "效益（30分）", "一级指标得分"]
    for _start, units, total, mean in blocks.values():
        assert len(units) == 10 and total is not None and mean is not None
    _, units, total, mean = blocks["决策（15分）"]
    # the seed's 附件2 合计 row for the seven 决策 indicators (every street office scores them alike there too)
    assert total[2:9] == [D("20.00"), D("30.00"), D("11.00"), D("20.00"), D("20.00"), D("20.00"), D("5.00")]
    assert mean[2:9] == [D("2.00"), D("3.00"), D("1.10"), D("2.00"), D("2.00"), D("2.00"), D("0.50")]
    # 决策小计: nine offices 12.50, 莲华 11.50, 华山 14.50 → 126.00; 126.00 / 10 = 12.60
    assert (total[9], mean[9]) == (D("126.00"), D("12.60"))
    _, units, total, mean = blocks["过程（15分）"]
    assert total[2:7] == [D("20.00"), D("50.00"), D("20.00"), D("40.00"), D("130.00")]  # seed: 20 50 20 40
    _, units, total, mean = blocks["产出（40分）"]
    # 奖励发放人数情况: nine × 10.00 + 黑林铺 8.71 = 98.71, mean 9.871 → 9.87
    # 奖励金发放完成率: 5 + 4.96 + 4.63 + 5 + 5 + 5 + 5 + 4.99 + 5 + 4.93 = 49.51, mean 4.951 → 4.95
    assert (total[2], mean[2]) == (D("98.71"), D("9.87"))
    assert (total[6], mean[6]) == (D("49.51"), D("4.95"))
    _, units, total, mean = blocks["一级指标得分"]
    assert [u[6] for u in units] == [D(x) for x in ("91.00", "90.46", "88.34", "90.00", "93.00", "91.00", "91.00",
                                                   "90.99", "91.00", "90.93")]
    # 合计 of 总分 907.72 (the sum of the ten above); 平均分 907.72 / 10 = 90.772 → 90.77, the project's 总分
    assert total[2:8] == [D("126.00"), D("130.00"), D("396.72"), D("255.00"), D("907.72"), None]  # 等级 not summed
    assert mean[2:8] == [D("12.60"), D("13.00"), D("39.67"), D("25.50"), D("90.77"), "优"]
    notes = [r[0] for r in grid if isinstance(r[0], str) and r[0].startswith("注：合计")]
    assert notes and "等级不合计" in notes[0] and "算术平均" in notes[0]


def test_xishan_summary_is_the_project_row_in_each_block(plans):
    """A project scored as a whole has one row: no 合计 or 平均分 row (they would repeat it)."""
    grid = plans[XISHAN.name].sheet("得分汇总").grid()
    blocks = _blocks(grid)
    assert list(blocks) == ["投入（10分）", "过程（34分）", "产出（34分）", "效果（22分）", "一级指标得分"]
    assert all(total is None and mean is None for _s, _u, total, mean in blocks.values())
    (_, (unit,), _, _) = blocks["投入（10分）"]
    # 2.00 + 1.50 + 1.50 + 1.88 + 1.88 = 8.76, the seed's 投入 score
    assert unit[2:8] == [D("2.00"), D("1.50"), D("1.50"), D("1.88"), D("1.88"), D("8.76")]
    (_, (unit,), _, _) = blocks["一级指标得分"]
    # the seed's 一级 scores 8.76 / 32.73 / 27.22 / 19.80 and 总分 88.51, 良
    assert unit[2:8] == [D("8.76"), D("32.73"), D("27.22"), D("19.80"), D("88.51"), "良"]


@pytest.mark.parametrize("book", [WUHUA.name, XISHAN.name])
def test_summary_and_score_sheets_print_at_80_percent_or_more(plans, book):
    plan = plans[book]
    summary = plan.sheet("得分汇总")
    assert summary.landscape and print_scale(summary) >= 80
    score_sheets = [s for s in plan.sheets if s.name == "评分表" or s.name.startswith("评分表-")]
    assert score_sheets
    for sheet in score_sheets:
        assert sheet.landscape and print_scale(sheet) >= 80, sheet.name
        # the columns of a real report's 评分表 are all there (docs/rules.md §评分表印哪些列)
        header = next(r for r in sheet.grid() if r[0] == "一级指标")
        for name in ("一级指标", "二级指标", "三级指标", "分值", "评分标准", "计算过程", "得分", "扣分原因"):
            assert name in header


def test_print_scale_from_widths():
    b = SheetBuilder("宽表", [20.0] * 8)  # 8 × 20 × 7 px × 0.75 = 840 pt wide at 100 %
    b.values(["x"] * 8, "text")
    # landscape A4 inside 0.4" margins: 841.9 − 57.6 = 784.3 pt → 784.3 / 840 = 93.4 %
    assert printable(True)[0] == pytest.approx(784.3) and print_scale(b.plan) == 93
    b.plan.landscape = False  # 595.3 − 57.6 = 537.7 pt → 64.0 %
    assert print_scale(b.plan) == 64
    assert column_points(10) == 52.5


def test_a_level1_with_many_indicators_is_cut_into_parts_that_still_print_at_80_percent():
    info = {"项目名称": "测试项目", "评价形态": "分单位评价", "金额单位": "万元"}
    units = [{"单位全称": f"第{n}街道办事处", "单位简称": f"第{n}"} for n in range(1, 4)]
    indicators = [{"编码": f"A{k}", "一级指标": "产出", "一级分值": 80, "二级指标": f"二级{k // 5}",
                   "二级分值": 20, "三级指标": f"指标{k}", "分值": 4, "评分方法": "人工"}
                  for k in range(20)]
    indicators.append({"编码": "B1", "一级指标": "效益", "一级分值": 20, "二级指标": "满意度", "二级分值": 20,
                       "三级指标": "满意度", "分值": 20, "评分方法": "人工"})
    manual = [{"指标编码": f"A{k}", "得分": 4} for k in range(20)] + [{"指标编码": "B1", "得分": 18}]
    scored = score_snapshot(snapshot(info, {"单位名单": units, "指标体系": indicators, "评分录入": manual}))
    assert not scored.findings.errors
    summary = scored.plan.sheet("得分汇总")
    assert print_scale(summary) >= 80
    blocks = _blocks(summary.grid())
    assert list(blocks) == ["产出（80分）", "产出（80分）（续）", "效益（20分）", "一级指标得分"]
    first, second = blocks["产出（80分）"], blocks["产出（80分）（续）"]
    grid = summary.grid()
    heads = [c for part in (first, second) for c in grid[part[0] + 2][2:] if isinstance(c, str) and c.startswith("指标")]
    assert heads == [f"指标{k}\n（4分）" for k in range(20)]  # every indicator once, in order, cut between 二级 groups
    assert grid[first[0] + 1][2:2 + 15].count(None) == 12  # three 二级 groups of five in the first part
    # the 产出小计 closes the last part: 20 × 4 = 80 per unit, 240 in all, mean 80.00
    _, _, total, mean = second
    row = [v for v in total[2:] if v is not None]
    assert row[-1] == D("240.00") and [v for v in mean[2:] if v is not None][-1] == D("80.00")


def test_blocks_that_fit_share_a_page_and_a_block_that_does_not_starts_the_next():
    b = SheetBuilder("分页", [10.0, 10.0])
    b.title("标题", 2)  # 28 pt
    blocks = []
    for height in (150, 150, 150):  # landscape, 100 %: 487.3 × 0.92 = 448.3 pt of rows per page
        start = b.row
        b.values(["a", "b"], "text", height=height)
        blocks.append((start, start))
        b.row += 1  # a spacer of 15 pt
    b.plan.title_rows = (0, 0)
    # 28 + 150 + 15 + 150 = 343; + 15 + 150 = 508 > 448.3: the third block starts page 2
    assert block_breaks(b.plan, blocks) == [blocks[2][0]]


@pytest.mark.slow
@pytest.mark.parametrize("book, breaks", [(WUHUA, 4), (XISHAN, 1)])
def test_row_breaks_of_the_summary_are_in_the_xlsx(tmp_path, book, breaks, capsys, plans):
    out = tmp_path / f"{book.stem}_评分.xlsx"
    assert main(["score", str(book), "-o", str(out)]) in (0, 1)
    ws = load_workbook(out)["得分汇总"]
    ids = [brk.id for brk in ws.row_breaks.brk]
    assert len(ids) == breaks and all(brk.man for brk in ws.row_breaks.brk)
    assert ids == plans[book.name].sheet("得分汇总").row_breaks
    for row in ids:  # a break follows (1-based) row ``id``: the next row is a block's header
        assert ws.cell(row + 1, 1).value == "序号"
    assert ws.print_title_rows == "$1:$2"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage


def test_a_block_longer_than_a_page_repeats_its_header_on_each_page():
    """40 units: each block is cut to pages, every page starting with the block's header rows (a break
    before each), the 合计 and 平均分 rows with the last units; every page's rows fit its printable height."""
    from perfeval_xl.core.pagefit import page_rows, row_points

    info = {"项目名称": "测试项目", "评价形态": "分单位评价", "金额单位": "万元"}
    units = [{"单位全称": f"第{n}社区居民委员会", "单位简称": f"第{n}"} for n in range(1, 41)]
    indicators = [{"编码": f"A{k}", "一级指标": "产出" if k < 6 else "效益", "一级分值": 60 if k < 6 else 40,
                   "二级指标": f"产出{k // 3}" if k < 6 else "效益", "二级分值": 30 if k < 6 else 40,
                   "三级指标": f"指标{k}", "分值": 10, "评分方法": "人工"} for k in range(10)]
    manual = [{"指标编码": f"A{k}", "得分": 9} for k in range(10)]
    scored = score_snapshot(snapshot(info, {"单位名单": units, "指标体系": indicators, "评分录入": manual}))
    assert not scored.findings.errors
    summary = scored.plan.sheet("得分汇总")
    grid = summary.grid()
    heads = [i for i, row in enumerate(grid) if row[0] == "序号"]
    assert len(heads) > 3  # 产出, 效益 and the final block, each on more than one page
    assert set(summary.row_breaks) == set(heads[1:])
    pages = heads + [max(i for i, row in enumerate(grid) if row[1] == "平均分") + 1]  # the notes may run on
    room = page_rows(True, print_scale(summary)) - row_points(summary, 0) - row_points(summary, 1)
    for start, end in zip(pages, pages[1:]):
        assert sum(row_points(summary, r) for r in range(start, end)) <= room
    for caption in ("产出（60分）", "效益（40分）", "一级指标得分"):
        numbers = [row[0] for k, head in enumerate(heads) if grid[head][2] == caption
                   for row in grid[head:pages[k + 1]] if isinstance(row[0], int)]
        assert numbers == list(range(1, 41)), caption
    # 产出: every unit 6 × 9 = 54 → 合计 2,160.00, 平均分 54.00 (on the block's last page, after units)
    total = next(r for r in grid if r[1] == "合计")
    mean = next(r for r in grid if r[1] == "平均分")
    assert total[-1] == D("2160.00") and mean[-1] == D("54.00")
    last_head = max(h for h in heads if grid[h][2] == "产出（60分）")
    assert any(isinstance(r[0], int) for r in grid[last_head:grid.index(total)])


def test_the_new_package_engine_freezes_panes_at_a_merged_cell(plans, tmp_path):
    """得分汇总 freezes its first two columns (C1, inside the merged title): the new-package engine
    writes the pane at that coordinate, and the row breaks too."""
    from perfeval_xl.core.writeplan import WritePlan
    from perfeval_xl.io.engines import Output
    from perfeval_xl.writers import write

    summary = plans[WUHUA.name].sheet("得分汇总")
    assert summary.freeze == (0, 2)
    ws = load_workbook(write("new", WritePlan([summary]), Output(tmp_path / "汇总.xlsx")))["得分汇总"]
    assert ws.freeze_panes == "C1"
    assert [brk.id for brk in ws.row_breaks.brk] == summary.row_breaks
