"""The scored copy is the input package plus our sheets: every input part byte for byte."""

import io
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from perfeval_xl.cli import main
from perfeval_xl.io.xlsx_splice import EDITED_PARTS

def parts(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_input_parts_are_copied_byte_for_byte(xishan, capsys):
    out = xishan.parent / "out.xlsx"
    assert main(["score", str(xishan), "-o", str(out)]) == 0
    before, after = parts(xishan), parts(out)
    for name, data in before.items():
        if name in EDITED_PARTS:
            continue
        assert after[name] == data, name
    added = set(after) - set(before)
    assert added and all(n.startswith(("xl/worksheets/perfeval", "xl/worksheets/_rels/perfeval", "xl/drawings/",
                                       "xl/charts/")) for n in added)  # our sheets and the 图表 sheet's charts
    with zipfile.ZipFile(out) as z:  # unchanged parts are copied compressed: every CRC still holds
        assert z.testzip() is None


@pytest.mark.slow
def test_rescoring_removes_old_output_sheets_and_keeps_names(xishan, capsys):
    out = xishan.parent / "out.xlsx"
    main(["score", str(xishan), "-o", str(out)])
    first = load_workbook(out).sheetnames
    main(["score", str(out), "--in-place"])
    again = load_workbook(out)
    assert again.sheetnames == first
    assert len([n for n in parts(out) if n.startswith("xl/worksheets/perfeval")]) == len(first) - len(load_workbook(xishan).sheetnames)
    # print titles point at our header rows; the first output sheet is active
    assert again["评分表"].print_title_rows == "$2:$2"
    assert again.active.title == "得分汇总"


def test_output_values_and_styles(xishan, capsys):
    out = xishan.parent / "out.xlsx"
    main(["score", str(xishan), "-o", str(out)])
    wb = load_workbook(out)
    ws = wb["一级指标得分表"]
    assert ws["C7"].value == 88.51 and ws["C7"].number_format == "0.00"
    assert ws["D3"].number_format == "0.00%" and ws["A2"].font.b
    assert ws.freeze_panes == "A3"
    assert "A1:D1" in {str(r) for r in ws.merged_cells.ranges}
    values = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("评分表").to_python()
    header = next(row for row in values if row[0] == "一级指标")
    assert values[-2][header.index("得分")] == 88.51  # the 合计 row


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    from decimal import Decimal

    from perfeval_xl.core.writeplan import SheetPlan, WritePlan
    from perfeval_xl.io.template import write_template
    from perfeval_xl.io.xlsx_splice import splice

    book = write_template(tmp_path / "t.xlsx")
    plan = WritePlan([SheetPlan("校验结果", cells=[(0, 0, "=1+1", "text"), (0, 1, "@SUM(A1)", "text"),
                                                 (0, 2, Decimal("1.005"), "score"), (0, 3, "a\x01b<&>", "text")])])
    data = splice(book.read_bytes(), plan)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/perfeval1.xml").decode()
    assert "<f>" not in sheet and "=1+1" in sheet and "<v>1.005</v>" in sheet and "a b" not in sheet
    ws = load_workbook(io.BytesIO(data))["校验结果"]
    assert ws["A1"].value == "=1+1" and ws["A1"].data_type == "s"
    assert ws["D1"].value == "ab<&>"


@pytest.mark.libreoffice
def test_libreoffice_opens_and_renders_the_scored_copy(xishan, capsys, tmp_path):
    out = xishan.parent / "out.xlsx"
    main(["score", str(xishan), "-o", str(out)])
    proc = subprocess.run(["soffice", "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                           "--outdir", str(tmp_path), str(out)], capture_output=True, timeout=240)
    assert proc.returncode == 0
    csvs = {p.name for p in tmp_path.glob("*.csv")}
    assert any("一级指标得分表" in n for n in csvs), csvs
    text = next(p for p in tmp_path.glob("*.csv") if "一级指标得分表" in p.name).read_text(encoding="utf-8")
    assert "88.51" in text


@pytest.mark.libreoffice
def test_a_package_written_by_another_program_takes_our_sheets(xishan, capsys, tmp_path):
    """LibreOffice writes a different package (shared strings, its own styles and names)."""
    resaved = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(resaved), str(xishan)],
                   capture_output=True, timeout=240, check=True)
    source = resaved / xishan.name
    out = tmp_path / "scored.xlsx"
    assert main(["score", str(source), "-o", str(out), "--json"]) == 0
    assert '"total": 88.51' in capsys.readouterr().out
    before, after = parts(source), parts(out)
    assert all(after[n] == d for n, d in before.items() if n not in EDITED_PARTS and not n.startswith("xl/worksheets/"))
    wb = load_workbook(out, data_only=True)
    assert wb["一级指标得分表"]["C7"].value == 88.51


def test_a_hand_made_sheet_with_an_output_name_is_never_overwritten(xishan, capsys):
    from openpyxl import load_workbook as load

    wb = load(xishan)
    ws = wb.create_sheet("评分表")
    ws["A1"] = "我自己做的评分表"
    ws["B2"] = 42
    wb.save(xishan)
    before = xishan.read_bytes()
    out = xishan.parent / "out.xlsx"
    assert main(["score", str(xishan), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "评分表!A1" in err and "改名" in err
    assert not out.exists() and xishan.read_bytes() == before
    # our own output sheets are recognised by their titles and replaced on the next run
    ws.title = "评分表（手工）"
    wb.save(xishan)
    assert main(["score", str(xishan), "-o", str(out)]) == 0
    assert main(["score", str(out), "--in-place"]) == 0
    assert load(out)["评分表（手工）"]["B2"].value == 42


def test_an_input_saved_by_libreoffice_keeps_one_selected_sheet(tmp_path, capsys):
    """Issue 9 item 2: LibreOffice writes tabSelected="true"; only "1" was cleared, so the
    output had two selected (grouped) sheets."""
    import corpus_gen as cg

    lay = cg.layout("xishan")
    source = tmp_path / "lo.xlsx"
    source.write_bytes(cg._tab_selected_true(lay))
    with zipfile.ZipFile(source) as z:
        assert b'tabSelected="true"' in z.read(lay.parts["资金情况"])
    out = tmp_path / "out.xlsx"
    assert main(["score", str(source), "-o", str(out)]) == 0
    wb = load_workbook(out)
    selected = [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected]
    assert selected == ["得分汇总"] and wb.active.title == "得分汇总"
    before, after = parts(source), parts(out)
    assert after[lay.parts["资金情况"]] == before[lay.parts["资金情况"]].replace(b' tabSelected="true"', b"", 1)


@pytest.mark.slow
def test_every_output_sheet_prints_page_numbers(tmp_path, capsys):
    from conftest import SAMPLES, XISHAN
    from perfeval_xl.core.writeplan import PAGE_FOOTER
    from perfeval_xl.extensions import is_output_sheet

    for book in (XISHAN, SAMPLES / "五华区五个先锋奖励经费2023.xlsx"):
        out = tmp_path / f"{book.stem}_页码.xlsx"
        assert main(["score", str(book), "-o", str(out)]) == 0
        wb = load_workbook(out)
        outputs = [ws for ws in wb.worksheets if is_output_sheet(ws.title)]
        assert len(outputs) >= 5
        for ws in outputs:
            assert ws.oddFooter.center.text == PAGE_FOOTER == "第 &P 页，共 &N 页", (book.name, ws.title)


def _plan_with_breaks():
    from perfeval_xl.core.writeplan import SheetBuilder, WritePlan

    b = SheetBuilder("分页示例", [12, 12])
    b.header(["单位", "得分"])
    for n in range(12):
        b.values([f"单位{n + 1}", n], ["text", "number"])
    b.plan.row_breaks = [5, 9, 0]  # row 0 never takes a break; rows 5 and 9 start pages 2 and 3
    return WritePlan([b.plan])


def test_row_breaks_are_written_after_the_footer_by_both_file_writers(xishan, tmp_path):
    """SheetPlan.row_breaks: the splice and new-package engines put <rowBreaks> where the schema wants
    it (after headerFooter); both read back as manual breaks after (1-based) rows 5 and 9."""
    import re

    from perfeval_xl.io.new_workbook import write_plain_workbook
    from perfeval_xl.io.xlsx_splice import write_scored_copy

    spliced = write_scored_copy(xishan, tmp_path / "spliced.xlsx", _plan_with_breaks())
    plain = write_plain_workbook(_plan_with_breaks(), tmp_path / "plain.xlsx")
    with zipfile.ZipFile(spliced) as z:
        part = next(n for n in z.namelist() if n.startswith("xl/worksheets/perfeval"))
        xml = z.read(part).decode()
    tags = re.findall(r"<(\w+)[ >/]", xml)
    order = [t for t in ("mergeCells", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks")
             if t in tags]
    assert order == sorted(order, key=tags.index) and order[-2:] == ["headerFooter", "rowBreaks"]
    for path in (spliced, plain):
        ws = load_workbook(path)["分页示例"]
        assert [(b.id, b.man) for b in ws.row_breaks.brk] == [(5, True), (9, True)], path.name


def test_characters_xml_cannot_hold_are_left_out_of_cells(tmp_path):
    """A message copied from a report may carry control characters (vertical tab, NUL); XML 1.0 cannot
    hold them, so they are dropped from the cell text and the part stays well-formed."""
    from xml.etree import ElementTree

    from perfeval_xl.core.writeplan import SheetBuilder, WritePlan
    from perfeval_xl.io.new_workbook import write_plain_workbook
    from perfeval_xl.io.xlsx_splice import sheet_xml

    b = SheetBuilder("控制字符", [10, 40])
    b.values(["甲\x0b乙", "a\x00b\x1fc<&>\ufffe"], "text")
    xml = sheet_xml(b.plan, {name: 1 for name in ("text",)}, selected=True)
    texts = [t.text for t in ElementTree.fromstring(xml).iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}t")]
    assert texts == ["甲乙", "abc<&>"]
    ws = load_workbook(write_plain_workbook(WritePlan([b.plan]), tmp_path / "c.xlsx"))["控制字符"]
    assert (ws["A1"].value, ws["B1"].value) == ("甲乙", "abc<&>")
