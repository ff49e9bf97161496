"""``perfeval report``: the Word draft of both samples, figure by figure.

Expected figures are the samples' scores computed by hand (see the samples' .md files):
西山 88.51 良 (投入 8.76/10, 过程 32.73/34, 产出 27.22/34, 效果 19.80/22);
五华 90.77 优 (决策 12.60/15, 过程 13.00/15, 产出 39.67/40 = 99.175% → 99.18% half up, 效益 25.50/30).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from docx import Document as open_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import _Cell
from openpyxl import load_workbook

from perfeval_xl.cli import main
from perfeval_xl.core.numbers import fmt_percent, fmt_score, round_rate
from perfeval_xl.io.snapshot import read_snapshot
from perfeval_xl.pipeline import score_snapshot
from perfeval_xl.wordreport import charts, docx_writer
from perfeval_xl.wordreport.content import build_document
from perfeval_xl.wordreport.model import Figure, Table
from perfeval_xl.wordreport.tables import format_value

# the Word draft is built and read back with python-docx: the full suite, not the fast loop
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
XISHAN = ROOT / "sample_workbooks" / "西山区社区党组织服务群众专项经费2024.xlsx"
WUHUA = ROOT / "sample_workbooks" / "五华区五个先锋奖励经费2023.xlsx"
LEVEL1_HEADER = ["一级指标", "指标分值", "评价得分", "得分率"]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Each sample scored and written as a docx once: {name: (scored, document model, docx path)}."""
    out = tmp_path_factory.mktemp("reports")
    result = {}
    for name, source in (("xishan", XISHAN), ("wuhua", WUHUA)):
        scored = score_snapshot(read_snapshot(source))
        document = build_document(scored.evaluation, scored.plan, scored.findings)
        path = docx_writer.write_docx(document, out / f"{source.stem}_报告.docx")
        result[name] = (scored, document, path)
    return result


def body_text(path: Path) -> str:
    return "\n".join(p.text for p in open_docx(str(path)).paragraphs)


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def find_table(doc, first_row: list[str]):
    return next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:len(first_row)] == first_row)


# --- figures ------------------------------------------------------------------------

def test_xishan_conclusion_has_the_computed_figures(reports):
    scored, _, path = reports["xishan"]
    text = body_text(path)
    assert "综合得分 88.51 分，评价等级为“良”" in text
    for part in ("投入指标满分 10 分，得 8.76 分，得分率 87.60%", "过程指标满分 34 分，得 32.73 分，得分率 96.26%",
                 "产出指标满分 34 分，得 27.22 分，得分率 80.06%", "效果指标满分 22 分，得 19.80 分，得分率 90.00%"):
        assert part in text
    # per-二级 analysis: the 二级 total (资金落实 = A4 1.88 + A5 1.88 = 3.76 of 4), what was full, what lost points
    assert "资金落实指标满分 4 分，从资金到位率、到位及时率方面评价，得 3.76 分，得分率 94.00%" in text
    a4 = next(s for s in scored.evaluation.units[0].indicators if s.code == "A4")
    assert "扣0.12分" in a4.reason
    assert f"资金到位率指标满分 2 分，资金到位率为 26.56%，得 1.88 分，扣 0.12 分。扣分原因：{a4.reason}。" in text
    # 质量达标率 6/6 and 成本节约率 (660,000.00−175,312.57)/660,000.00 = 73.44% scored full
    assert "质量达标率 100.00%、成本节约率 73.44%均得满分" in text
    assert "项目预算（下达）资金 660,000.00 元，到位资金 175,312.57 元" in text


def test_wuhua_conclusion_has_the_computed_figures(reports):
    scored, _, path = reports["wuhua"]
    text = body_text(path)
    assert (fmt_score(scored.evaluation.total), scored.evaluation.grade) == ("90.77", "优")
    assert "各单位得分的算术平均为 90.77 分，评价等级为“优”" in text
    for part in ("决策指标满分 15 分，得 12.60 分，得分率 84.00%", "过程指标满分 15 分，得 13.00 分，得分率 86.67%",
                 "产出指标满分 40 分，得 39.67 分，得分率 99.18%", "效益指标满分 30 分，得 25.50 分，得分率 85.00%"):
        assert part in text
    best = max(scored.evaluation.units, key=lambda u: u.total)
    assert f"得分最高的是{best.name}（{fmt_score(best.total)} 分）" in text


@pytest.mark.parametrize("name", ["xishan", "wuhua"])
def test_level1_table_rows_equal_the_evaluation(reports, name):
    scored, _, path = reports[name]
    ev = scored.evaluation
    rows = table_rows(find_table(open_docx(str(path)), LEVEL1_HEADER))
    expected = [LEVEL1_HEADER] + [[l.name, fmt_score(l.weight), fmt_score(l.score), fmt_percent(round_rate(l.rate))]
                                  for l in ev.level1]
    assert rows[:-1] == expected
    assert rows[-1] == ["合计", "100.00", fmt_score(ev.total), fmt_percent(round_rate(ev.total / 100))]


def test_wuhua_units_table_and_one_scoresheet_annex_per_unit(reports):
    scored, _, path = reports["wuhua"]
    ev = scored.evaluation
    doc = open_docx(str(path))
    units = table_rows(find_table(doc, ["序号", "单位名称"]))
    assert [r[1] for r in units[1:-1]] == [u.full_name for u in ev.units]
    assert [r[-2] for r in units[1:-1]] == [fmt_score(u.total) for u in ev.units]
    assert units[-1][-2:] == ["90.77", "优"]
    text = body_text(path)
    for i, unit in enumerate(ev.units, start=1):
        assert f"附件1-{i}" in text
    sheets = [t for t in doc.tables if [c.text for c in t.rows[0].cells][:3] == ["一级指标", "二级指标", "三级指标"]
              and "得分" in [c.text for c in t.rows[0].cells]]  # not the 绩效指标及实现情况 table of 一（二）
    assert len(sheets) == len(ev.units)
    for table, unit in zip(sheets, ev.units):
        total_row = table_rows(table)[-1]
        assert total_row[0] == "合计" and fmt_score(unit.total) in total_row
        assert f"评价等级：{unit.grade}" in total_row


def test_xishan_annexes_are_the_plan_tables(reports):
    scored, document, path = reports["xishan"]
    doc = open_docx(str(path))
    funds = table_rows(find_table(doc, ["序号", "单位名称", "预算（下达）资金"]))
    assert funds[-1][:5] == ["合计", "合计", "660,000.00", "175,312.57", "175,312.57"]  # 合计 merged over two cells
    assert funds[-1][7:9] == ["26.56%", "100.00%"]
    titles = [b.text for b in document.blocks if getattr(b, "level", None) == 4]
    # the last annex is 复核意见: the sample's 报告数据 holds the report's six misprints of 资金到位率 (25.56%)
    assert titles == ["评分表", "资金使用情况表", "调查问卷结果汇总表", "调查问卷结果汇总表（群众类-服务对象）", "满意度情况表"]
    satisfaction = table_rows(find_table(doc, ["序号", "单位名称", "服务对象满意度"]))
    assert satisfaction[1][2:] == ["83.00%", "83.00%"]


# --- Chinese report conventions -------------------------------------------------------

def _east_asian(rpr) -> str | None:
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


@pytest.mark.parametrize("name", ["xishan", "wuhua"])
def test_tables_repeat_their_header_rows(reports, name):
    _, document, path = reports[name]
    doc = open_docx(str(path))
    model_tables = [b for b in document.blocks if isinstance(b, Table)]
    assert len(doc.tables) == len(model_tables) >= 5
    for table, model in zip(doc.tables, model_tables):
        flags = [row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None for row in table.rows]
        assert flags == [True] * len(model.header) + [False] * len(model.body)


def test_labels_merged_down_the_rows_are_written_in_every_row(reports):
    """A 一级/二级 label the 评分表 merges down its rows is in every row of the docx table (a vertically
    merged cell prints once, so a page break inside the group left the next page without it): the
    first row in black, the repeats in grey, no border between the rows of the group in that column."""
    scored, _, path = reports["xishan"]
    unit = scored.evaluation.units[0]
    doc = open_docx(str(path))
    table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:3] == ["一级指标", "二级指标", "三级指标"]
                 and "得分" in [c.text for c in t.rows[0].cells])  # the 评分表, not the 绩效指标 table
    rows = table.rows[1:1 + len(unit.indicators)]
    weight1 = {l.name: l.weight for l in unit.level1}
    weight2 = {(parent, l.name): l.weight for parent, l in unit.level2}
    for k, (row, s) in enumerate(zip(rows, unit.indicators)):
        cells = row._tr.tc_lst
        assert cells[0].tcPr.find(qn("w:vMerge")) is None and cells[1].tcPr.find(qn("w:vMerge")) is None
        label1, label2 = (_Cell(cells[0], table).text, _Cell(cells[1], table).text)
        assert label1 == f"{s.level1}\n（{int(weight1[s.level1])}分）", k
        assert label2 == f"{s.level2}\n（{int(weight2[(s.level1, s.level2)])}分）", k
        first = k == 0 or unit.indicators[k - 1].level1 != s.level1
        colour = cells[0].find(".//" + qn("w:color"))
        assert (colour is None) if first else (colour.get(qn("w:val")) == "999999"), k
        top = cells[0].tcPr.find(qn("w:tcBorders") + "/" + qn("w:top"))
        assert (top is None) if first else (top.get(qn("w:val")) == "nil"), k
    # 投入 (5 indicators) then 过程: the 6th row repeats nothing of the 5th
    assert [s.level1 for s in unit.indicators[:6]] == ["投入"] * 5 + ["过程"]
    assert _Cell(rows[4]._tr.tc_lst[0], table).text == "投入\n（10分）"
    # header rows still merge down (they repeat on every page anyway): 一级指标 … is one header row here
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_fonts_page_size_and_page_numbers(reports):
    _, _, path = reports["wuhua"]
    doc = open_docx(str(path))
    assert _east_asian(doc.styles["Normal"].element.rPr) == "仿宋_GB2312"
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        fonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == "黑体"
        assert fonts.get(qn("w:asciiTheme")) is None and fonts.get(qn("w:eastAsiaTheme")) is None
    for table in doc.tables[:3]:
        for cell in table._cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    assert _east_asian(run._r.rPr) == "宋体"
    portrait = landscape = 0
    for section in doc.sections:
        size = sorted([section.page_width, section.page_height])
        assert abs(size[0] - Mm(210)) < Mm(1) and abs(size[1] - Mm(297)) < Mm(1)
        landscape += section.page_width > section.page_height
        portrait += section.page_width < section.page_height
    assert portrait >= 1 and landscape >= 10  # the body, then one landscape section per 评分表
    footer = doc.sections[0].footer._element.xml
    assert "PAGE" in footer and 'w:fldCharType="begin"' in footer


def test_numbers_are_right_aligned_in_the_level1_table(reports):
    _, _, path = reports["xishan"]
    table = find_table(open_docx(str(path)), LEVEL1_HEADER)
    for row in table.rows[1:]:
        for cell in row.cells[1:]:
            assert cell.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_format_value_follows_the_plan_styles():
    from decimal import Decimal as D

    assert format_value(D("0.26555"), "percent") == "26.56%"
    assert format_value(D("175312.565"), "money") == "175,312.57"
    assert format_value(D("4.955"), "score") == "4.96"
    assert format_value(2162, "integer") == "2,162"
    assert format_value(D("2.0"), "center") == "2"
    assert format_value(None, "money") == ""


# --- charts -------------------------------------------------------------------------

def test_charts_are_pictures_or_say_why_not(reports):
    font = charts.find_cjk_font()
    # 一级得分率, satisfaction (+ unit totals and each unit's 一级 rates)
    for name, expected in (("xishan", 2), ("wuhua", 4)):
        _, document, path = reports[name]
        figures = [b for b in document.blocks if isinstance(b, Figure)]
        assert len(figures) == expected
        doc = open_docx(str(path))
        pictures = doc.inline_shapes
        if font is not None:
            assert len(pictures) == expected
        else:
            assert len(pictures) == 0 and "未找到中文字体" in body_text(path)
    _, document, _ = reports["wuhua"]
    totals = next(f for f in document.blocks if isinstance(f, Figure) and "各单位总分" in f.caption)
    assert totals.chart.categories[:2] == ("西翥", "普吉")
    assert [fmt_score(v) for v in totals.chart.series[0].values] == [fmt_score(u.total) for u in reports["wuhua"][0].evaluation.units]


def test_the_chosen_font_draws_chinese():
    font = charts.find_cjk_font()
    if font is None:
        pytest.skip("no CJK font on this machine (the draft then says so instead of showing charts)")
    from PIL import ImageFont

    face = ImageFont.truetype(font.path, 40, index=font.index)
    assert charts._glyph(face, "评") != charts._glyph(face, "\U000f0000")
    assert charts._glyph(face, "评") != charts._glyph(face, "价")


def test_a_font_without_chinese_is_refused():
    candidates = [p for p in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                              "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf") if Path(p).exists()]
    if not candidates:
        pytest.skip("no Latin-only TrueType font on this machine to try")
    assert charts._draws_cjk(candidates[0], 0) is None


def test_without_a_cjk_font_the_draft_has_the_chart_data_instead(monkeypatch, tmp_path):
    monkeypatch.setattr(docx_writer, "find_cjk_font", lambda: None)
    scored = score_snapshot(read_snapshot(XISHAN))
    document = build_document(scored.evaluation, scored.plan, scored.findings)
    path = docx_writer.write_docx(document, tmp_path / "r.docx")
    assert document.notices and "PERFEVAL_CJK_FONT" in document.notices[0]
    text = body_text(path)
    assert "本机未找到中文字体" in text and "投入 87.60%" in text
    assert len(open_docx(str(path)).inline_shapes) == 0


# --- the review is its own document ------------------------------------------------------------

def test_the_draft_has_no_review_annex_and_no_tool_line(reports):
    for name in ("xishan", "wuhua"):
        _, document, path = reports[name]
        text = body_text(path)
        assert "复核意见" not in text and "perfeval" not in text and "单元格" not in document.text()


# --- the command ------------------------------------------------------------------

def test_report_command_default_path_and_no_overwrite(xishan, capsys):
    before = xishan.read_bytes()
    assert main(["report", str(xishan)]) == 0
    target = xishan.with_name("西山区社区党组织服务群众专项经费2024_报告.docx")
    assert target.exists() and "已写入" in capsys.readouterr().out
    assert xishan.read_bytes() == before
    assert main(["report", str(xishan)]) == 2
    assert "已存在" in capsys.readouterr().err
    assert main(["report", str(xishan), "--force"]) == 0
    assert main(["report", str(xishan), "-o", str(xishan.with_name("x.pdf"))]) == 2
    assert ".docx" in capsys.readouterr().err
    assert not list(xishan.parent.glob(".~perfeval-*"))


def test_report_command_unreadable_and_not_a_template(tmp_path, capsys):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_text("不是工作簿")
    assert main(["report", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "Traceback" not in err
    from openpyxl import Workbook

    empty = tmp_path / "空白.xlsx"
    Workbook().save(empty)
    assert main(["report", str(empty)]) == 2
    assert "错误：" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.docx"))


def test_report_command_exit_1_with_error_findings(xishan, capsys):
    workbook = load_workbook(xishan)
    workbook["指标体系"]["H3"] = 3  # A1 分值 2 → 3: the weights no longer add up to 100
    workbook.save(xishan)
    assert main(["report", str(xishan)]) == 1
    assert "错误" in capsys.readouterr().out
    text = body_text(xishan.with_name(xishan.stem + "_报告.docx"))
    assert "校验有" in text and "项错误" in text


@pytest.mark.libreoffice
@pytest.mark.libreoffice(poppler=True)
def test_libreoffice_prints_the_wuhua_draft_without_blank_pages(reports, tmp_path):
    """五华's draft (ten 评分表 annexes, 问卷明细 annexes) converted by LibreOffice: no blank page (a table that
    filled the page of 附件2 pushed the section break onto a page of its own), each annex page headed with the
    annex it belongs to, the 问卷明细 annexes compact (they took 21 pages)."""
    _, _, path = reports["wuhua"]
    profile = tmp_path / "profile"
    proc = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile.as_posix()}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                          capture_output=True, text=True, timeout=600)
    pdf = tmp_path / (path.stem + ".pdf")
    if not pdf.exists():
        pytest.skip(f"LibreOffice could not convert the draft here: {proc.stderr[-300:]}")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    pages = [[line.strip() for line in page.splitlines() if line.strip()] for page in text.split("\f")]
    pages = pages[:-1] if pages and not pages[-1] else pages  # the form feed after the last page
    assert len(pages) >= 20 and "90.77" in text and "综合评价情况及评价结论" in text
    heading = re.compile(r"附件\s*\d+(-\d+)?\s+\S")  # the page header of an annex section
    blank = [i + 1 for i, lines in enumerate(pages)
             if all(re.fullmatch(r"第\s*\d+\s*页", l) or (k == 0 and heading.match(l)) for k, l in enumerate(lines))]
    assert blank == []
    # every page of the annexes starts with its header: 附件1-1 … 附件1-10, 附件2 …
    first = next(i for i, lines in enumerate(pages) if lines and re.match(r"附件\s*1-1\s", lines[0]))
    assert all(lines and heading.match(lines[0]) for lines in pages[first:])
    detail = [i for i, lines in enumerate(pages) if lines and re.match(r"附件\s*\d+\s+调查问卷结果汇总表（", lines[0])]
    assert 3 <= len(detail) <= 12  # three classes of questionnaire, each a few pages (they took 21)


def test_report_data_slips_go_into_the_review_document(xishan, capsys):
    # the sample carries the seed report's printed figures in 报告数据, some of which do not follow its rules
    workbook = load_workbook(xishan)
    sheet = workbook["报告数据"]
    sheet.delete_rows(3, sheet.max_row)  # the sample's own printed figures out: just these two rows
    # the seed report printed A4 as 2 and the total as 88.51; the rule gives 1.88 (2×(1−14.688×0.4%))
    for row, values in enumerate(([None, "A4", "得分", "2", "报告表3", None],
                                  [None, None, "总分", "88.51", "报告第二部分", None]), start=3):
        for col, value in enumerate(values, start=1):
            sheet.cell(row, col, value)
    workbook.save(xishan)
    assert main(["report", str(xishan)]) == 0
    out = capsys.readouterr().out
    assert "复核发现 1 个印出的数字与复算不一致" in out and "review --docx" in out
    assert "复核意见" not in body_text(xishan.with_name(xishan.stem + "_报告.docx"))
    assert main(["review", str(xishan), "--docx"]) == 1  # a slip: exit 1 as review always did
    path = xishan.with_name(xishan.stem + "_复核意见.docx")
    assert f"已写入：{path}" in capsys.readouterr().out
    doc = open_docx(str(path))
    assert doc.core_properties.title == "2024年社区党组织服务群众专项经费复核意见"
    rows = table_rows(find_table(doc, ["序号", "工作表", "单元格"]))
    assert len(rows) == 2 and rows[1][1:3] == ["报告数据", "D3"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["对象"], row["报告值"], row["复算值"]) == ("A4 资金到位率 得分", "2", "1.88")
    # 7 figures of the pasted 报告表2 and the 2 typed in 报告数据
    assert "共核对报告印出的数字 9 个，一致 8 个，不一致（差错）1 个" in body_text(path)


def test_wuhua_review_document_carries_the_slips_of_its_pasted_tables(tmp_path, capsys):
    book = tmp_path / WUHUA.name
    book.write_bytes(WUHUA.read_bytes())
    main(["review", str(book), "--docx"])
    doc = open_docx(str(book.with_name(book.stem + "_复核意见.docx")))
    slips = table_rows(find_table(doc, ["序号", "工作表", "单元格"]))
    # 附件6-1 H14 prints 20 as the 合计 of 文明和谐先锋; 20+11+24+11+11+10+13+15+16+10 = 141
    named = [dict(zip(slips[0], r)) for r in slips[1:]]
    assert any((r["工作表"], r["单元格"], r["报告值"], r["复算值"]) == ("附件6-1", "H14", "20", "141") for r in named)


def test_render_tool_keeps_only_the_output_sheets(xishan, tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("render_outputs", ROOT / "tools" / "render_outputs.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert main(["score", str(xishan), "-o", str(tmp_path / "scored.xlsx")]) == 0
    only = tool.output_sheets_only(tmp_path / "scored.xlsx", tmp_path / "only.xlsx")
    names = load_workbook(only).sheetnames
    assert names[0] == "得分汇总" and "评分表" in names and "项目信息" not in names and "指标体系" not in names


def test_a_small_evaluation_without_survey_has_parts_numbered_without_gaps(tmp_path):
    from snapshots import snapshot

    book = snapshot({"项目名称": "测试", "评价形态": "整体评价", "金额单位": "万元"}, {
        "单位名单": [{"单位全称": "甲镇人民政府", "单位简称": "甲镇"}],
        "资金情况": [{"预算数": "100", "实际到位": "97.23", "实际支出": "97.23"}],
        "指标体系": [{"编码": "A1", "一级指标": "投入", "一级分值": 100, "二级指标": "资金", "二级分值": 100,
                  "三级指标": "资金到位率", "分值": 100, "评分方法": "比率", "取值来源": "资金到位率"}]})
    scored = score_snapshot(book)
    document = build_document(scored.evaluation, scored.plan, scored.findings)
    parts = [b.text for b in document.blocks if getattr(b, "level", None) == 1]
    assert parts == ["一、基本情况", "二、绩效评价工作开展情况", "三、综合评价情况及评价结论", "四、绩效评价指标分析",
                     "五、主要经验及做法、存在的问题及原因分析", "六、有关建议", "七、其他需要说明的问题"]
    text = document.text()
    assert "综合得分 97.23 分，评价等级为“优”" in text  # 100 × 97.23%
    assert "资金到位率指标满分 100 分，资金到位率为 97.23%，得 97.23 分，扣 2.77 分" in text
    docx_writer.write_docx(document, tmp_path / "small.docx")
    assert find_table(open_docx(str(tmp_path / "small.docx")), LEVEL1_HEADER)


def test_properties_cover_contents_and_placeholders(reports):
    import datetime as dt
    import zipfile

    scored, document, path = reports["xishan"]
    doc = open_docx(str(path))
    props = doc.core_properties
    # the builder's date is today's; the 评价机构 of 项目信息 is the author; the tool is named only here
    assert props.created.date() == dt.date.today() and props.modified.date() == dt.date.today()
    assert props.author == "云南谛祥会计师事务所" and props.title == "2024年社区党组织服务群众专项经费绩效评价报告"
    assert "perfeval-xl" in props.comments
    names = zipfile.ZipFile(path).namelist()
    assert not any("thumbnail" in n for n in names)
    app = zipfile.ZipFile(path).read("docProps/app.xml").decode()
    assert "perfeval-xl" in app and "Macintosh" not in app
    text = body_text(path)
    for line in ("项目名称：2024年社区党组织服务群众专项经费", "委托单位：昆明市西山区财政局", "评价机构：云南谛祥会计师事务所",
                 f"报告日期：{dt.date.today().year}年", "报告摘要", "目录"):
        assert line in text
    xml = doc.element.xml
    assert 'TOC \\o "1-3"' in xml and "w:updateFields" in doc.settings.element.xml
    # the outline's sections in the published order, each judgement left to a person marked 【请补充：…】
    order = ["报告摘要", "一、基本情况", "（一）项目概况", "（二）项目绩效目标", "二、绩效评价工作开展情况",
             "三、综合评价情况及评价结论", "四、绩效评价指标分析", "（一）项目投入情况", "（四）项目效果情况",
             "五、主要经验及做法、存在的问题及原因分析", "（二）存在的问题及原因分析", "六、有关建议", "七、其他需要说明的问题"]
    where = [text.index(t) for t in order]
    assert where == sorted(where)
    assert text.count("【请补充：") >= 10
    # 西山 lost points on 10 indicators (A2 A3 A4 A5 B5 C1 C2 D1 D2 D3): ten problems, ten linked suggestions
    assert "（10）群众满意度（满意度）扣 0.70 分（满分 7 分，得 6.30 分）" in text
    assert "（十）针对问题（10）群众满意度" in text and "（十一）" not in text


def test_a_missing_client_is_a_placeholder_on_the_cover():
    snapshot = read_snapshot(XISHAN)
    rows = [list(r) for r in snapshot["项目信息"]]
    for row in rows:
        if row and row[0] == "委托单位":
            row[1] = None
    snapshot["项目信息"] = rows
    scored = score_snapshot(snapshot)
    text = build_document(scored.evaluation, scored.plan, scored.findings).text()
    assert "委托单位：【请补充：委托单位】" in text and "接受" not in text.split("目录")[0]


@pytest.mark.slow
@pytest.mark.parametrize("char", ["\x0b", "\x01", "\x1b", "\x85", "\u2028", "\u202e"])
def test_control_characters_in_user_text_do_not_stop_the_report(char, tmp_path, monkeypatch, capsys):
    """Issue 20 item 2: a vertical tab (Excel's _x000B_ of a pasted soft line break), other C0 controls, NEL,
    LINE SEPARATOR and a bidi override in 项目名称, a unit's names, 扣分原因 and 出处 are cleaned in one place
    (model.printable) instead of a traceback from python-docx or the chart layout."""
    import perfeval_xl.io.snapshot as snapshots

    snapshot = read_snapshot(WUHUA)
    for name in list(snapshot.keys()):  # the unit 西翥 in every sheet that names it (its short name and full name)
        snapshot[name] = [[c.replace("西翥", f"西{char}翥") if isinstance(c, str) else c for c in row]
                          for row in snapshot[name]]
    snapshot["项目信息"][1][1] = f"测试{char}项目"
    for row in snapshot["评分录入"][2:]:
        row[5] = f"扣分{char}原因"
    for row in snapshot["报告数据"][2:4]:
        row[4] = f"出处{char}"
    real = snapshots.read_snapshot
    monkeypatch.setattr(snapshots, "read_snapshot", lambda source, **kw: real(source, **kw) if kw else snapshot)
    book = tmp_path / "book.xlsx"
    book.write_bytes(WUHUA.read_bytes())
    assert main(["report", str(book), "-o", str(tmp_path / "r.docx")]) == 0, capsys.readouterr().err
    text = body_text(tmp_path / "r.docx")
    assert "测试项目" in text or "测试\n项目" in text
    assert char not in text and "西翥" in text.replace("\n", "")


#: a four-year programme made of the 西山 sample: 2021–2023 added in front of its 2024 rows (project level)
EARLIER_YEARS = [(2021, 150000), (2022, 160000), (2023, 170000)]


def multi_year_book(path: Path) -> Path:
    """The 西山 sample as a 2021-2024 programme: 资金情况 rows carry a 年度 (the 资金使用情况表 then ends in 总计)."""
    workbook = load_workbook(XISHAN)
    info = workbook["项目信息"]
    for row in info.iter_rows():
        if row[0].value == "评价年度":
            row[1].value = "2021-2024"
    funds = workbook["资金情况"]
    header = [c.value for c in funds[2]]
    year_col = header.index("年度") + 1
    for r in range(3, funds.max_row + 1):
        if any(funds.cell(r, c).value not in (None, "") for c in range(1, year_col)):
            funds.cell(r, year_col, 2024)
    funds.insert_rows(3, len(EARLIER_YEARS))
    for i, (year, amount) in enumerate(EARLIER_YEARS):
        for name in ("预算数", "实际到位", "及时到位", "应到位", "实际支出"):
            funds.cell(3 + i, header.index(name) + 1, amount)
        funds.cell(3 + i, year_col, year)
    workbook.save(path)
    return path


def test_a_multi_year_draft_keeps_its_funds(tmp_path):
    """The multi-year 资金使用情况表 ends in 总计 (not 合计): the draft dropped 资金投入和使用情况 silently."""
    book = multi_year_book(tmp_path / "多年度.xlsx")
    scored = score_snapshot(read_snapshot(book))
    grid = scored.plan.sheet("资金使用情况表").grid()
    assert any(row and row[0] == "总计" for row in grid) and not any(row and row[0] == "合计" for row in grid)
    text = build_document(scored.evaluation, scored.plan, scored.findings).text()
    # 预算 150,000 + 160,000 + 170,000 + 660,000 = 1,140,000.00; 到位 150,000 + 160,000 + 170,000 + 175,312.57
    # = 655,312.57; 到位率 655,312.57 / 1,140,000 = 57.48%; 已使用 = 到位, 执行率 100.00%
    assert ("2021年至2024年，项目预算（下达）资金 1,140,000.00 元，到位资金 655,312.57 元，已使用资金 655,312.57 元，"
            "资金到位率 57.48%，预算执行率 100.00%") in text
    assert "资金投入和使用情况" in text and "请补充：项目资金的预算" not in text
