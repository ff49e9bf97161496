"""``perfeval review`` end to end: 报告数据, pasted tables, the 复核意见 sheet, JSON and exit status."""

import hashlib
import json

from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

import form_data
from conftest import XISHAN
from form_builder import provincial_form
from data import seed_tables as seeds
from perfeval_xl.cli import main
from perfeval_xl.core import schema

KEEP = {s.name for s in schema.INPUT_SHEETS} | {"使用说明"}


def prepare(folder, reported=(), pasted=None):
    """A copy of the 西山 sample (seed 000) with only our rows in 报告数据 and only our pasted sheets."""
    book = folder / "西山.xlsx"
    wb = load_workbook(XISHAN)
    for name in list(wb.sheetnames):
        if name not in KEEP:
            del wb[name]
    ws = wb[schema.REPORTED.name]
    ws.delete_rows(schema.HEADER_ROW + 2, ws.max_row)
    for row in reported:
        ws.append(list(row))
    for name, rows in (pasted or {}).items():
        sheet = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if isinstance(value, tuple):  # (number, number format): a number as Excel keeps a pasted figure
                    cell = sheet.cell(r, c, value[0])
                    cell.number_format = value[1]
                elif value not in (None, ""):
                    sheet.cell(r, c, value)
    wb.save(book)
    return book


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


FUNDS_AS_EXCEL_KEEPS_THEM = [
    ["项目", "预算资金", "实际到位资金", "资金到位率"],
    ["2024年社区党组织服务群众专项经费", (660000, "#,##0.00"), (175312.57, "#,##0.00"), (0.2556, "0.00%")],
]


def test_review_lists_slips_of_reported_figures_and_pasted_tables(tmp_path, capsys):
    book = prepare(tmp_path, reported=[
        ["", "", "总分", "88.51", "报告二、评价结论", ""],
        ["", "", "等级", "良", "", ""],
        ["", "资金到位率", "取值", "25.56%", "评分表 资金到位率", "报告第 265 行印为 25.56%"],
        ["", "投入", "得分", "8.76", "表3", ""],
    ], pasted={"资金表": FUNDS_AS_EXCEL_KEEPS_THEM, "表3": seeds.rows(seeds.SEED000_LEVEL1)})
    before = digest(book)
    assert main(["review", str(book), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert digest(book) == before
    out = tmp_path / "西山_复核.xlsx"
    assert out.exists()
    assert data["total"] == 88.51 and data["grade"] == "良"
    slips = [(s["sheet"], s["cell"], s["printed"], s["expected"]) for s in data["slips"]]
    assert slips == [("报告数据", "D5", "25.56%", "26.56%"), ("资金表", "D2", "25.56%", "26.56%")]
    assert data["slips"][0]["message"] == "资金到位率=175,312.57/660,000.00×100%=26.56%"
    assert data["slips"][0]["source"] == "评分表 资金到位率"
    # 4 rows of 报告数据 + the funds rate + 表3 (2 totals and 5 得分率)
    assert data["checked"] == 4 + 1 + 7
    assert data["forms"] == [] and data["not_checked"] == []
    wb = CalamineWorkbook.from_path(str(out))
    assert "复核意见" in wb.sheet_names and "评分表" in wb.sheet_names and "资金表" in wb.sheet_names
    rows = wb.get_sheet_by_name("复核意见").to_python()
    assert rows[1][0] == "共核对报告印出的数字 12 个，一致 10 个，不一致（差错）2 个。"
    assert rows[2][:9] == ["序号", "工作表", "单元格", "对象", "报告值", "复算值", "差额", "说明", "出处"]
    assert rows[3][1:7] == ["报告数据", "D5", "资金到位率", "25.56%", "26.56%", "-1.00%"]


def test_review_without_slips_exits_0(tmp_path, capsys):
    book = prepare(tmp_path, reported=[["", "", "总分", "88.51", "", ""], ["", "", "等级", "良", "", ""]],
                   pasted={"表3": seeds.rows(seeds.SEED000_LEVEL1)})
    assert main(["review", str(book)]) == 0
    text = capsys.readouterr().out
    assert "复核：核对报告印出的数字 9 个，一致 9 个，差错 0 个" in text


def test_score_writes_review_sheet_and_reports_bad_rows(tmp_path, capsys):
    book = prepare(tmp_path, reported=[["", "Z9", "得分", "3", "", ""], ["", "", "总分", "88.51", "", ""]])
    out = tmp_path / "评分.xlsx"
    assert main(["score", str(book), "-o", str(out), "--json"]) == 1  # the unknown 对象 is an error
    data = json.loads(capsys.readouterr().out)
    mine = [(f["severity"], f["cell"]) for f in data["findings"] if f["sheet"] == "报告数据"]
    assert mine == [("error", "B3")]
    names = CalamineWorkbook.from_path(str(out)).sheet_names
    assert "复核意见" in names and "校验结果" in names
    # without rows in 报告数据, score writes no 复核意见
    (tmp_path / "b").mkdir()
    plain = prepare(tmp_path / "b")
    assert main(["score", str(plain), "-o", str(tmp_path / "p.xlsx")]) == 0
    assert "复核意见" not in CalamineWorkbook.from_path(str(tmp_path / "p.xlsx")).sheet_names


def test_workbook_of_pasted_tables_only_is_reviewable(tmp_path, capsys):
    book = tmp_path / "报告附表.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "附件6-1"
    for row in seeds.rows(seeds.ANNEX6_1_HEADCOUNT):
        ws.append([int(v) if v.isdigit() else (v or None) for v in row] if row else [])
    wb.save(book)
    assert main(["review", str(book), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["project"] == "" and data["total"] is None and data["units"] == []
    assert [(s["cell"], s["printed"], s["expected"]) for s in data["slips"]] == [
        ("E20", "109", "505"), ("H20", "20", "141"), ("I20", "28", "136")]
    assert data["checked"] == 18
    names = CalamineWorkbook.from_path(str(tmp_path / "报告附表_复核.xlsx")).sheet_names
    assert names == ["附件6-1", "复核意见"]


def test_workbook_with_nothing_to_review_is_exit_2(tmp_path, capsys):
    book = tmp_path / "随笔.xlsx"
    wb = Workbook()
    wb.active.append(["这里只有一句话"])
    wb.save(book)
    assert main(["review", str(book)]) == 2
    err = capsys.readouterr().err
    assert "没有找到绩效自评表或可核对的报告表格" in err
    assert not (tmp_path / "随笔_复核.xlsx").exists()


def test_workbook_of_forms_only_is_reviewable(tmp_path, capsys):
    book = tmp_path / "自评表.xlsx"
    wb = Workbook()
    wb.active.title = "说明"
    wb["说明"]["A1"] = "本工作簿为各项目绩效自评表"  # one line of words: a note, not a table
    provincial_form(wb.create_sheet("自评表"), 1, form_data.DAYING_ANKE)  # the name of an output sheet, not ours
    wb.save(book)
    code = main(["review", str(book), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert data["forms"] == [{"sheet": "自评表", "project": "51092324T000010263357-2023年全县安可替代补助资金项目",
                              "unit": "大英县司法局", "printed_total": 100.0, "total": 100.0, "grade": "优"}]
    assert data["not_checked"] == [] and data["total"] is None
    # the form agrees; its budget added during the year is a warning.  Compared: 总额's three amounts
    # against 财政资金 + 0.00 + 0.00, its 执行率 and 得分, 财政资金's 执行率 (the 0.00 rows have no base),
    # the indicator's 得分, 合计's 权重 and 得分
    assert code == 0 and data["slips"] == [] and data["checked"] == 9
    assert [(f["severity"], f["sheet"], f["cell"]) for f in data["findings"]] == [("warning", "自评表", "D7")]
    rows = CalamineWorkbook.from_path(str(tmp_path / "自评表_复核.xlsx")).get_sheet_by_name("复核意见").to_python()
    assert ["找到的绩效自评表："] == [r[0] for r in rows if r and r[0] == "找到的绩效自评表："]


def test_number_formats_are_read_as_shown():
    from perfeval_xl.io.displayed import shown

    assert shown(0.991836, "0.00%") == "99.18%"
    assert shown(0.2556, "0.0%") == "25.6%"
    assert shown(175312.57, "#,##0.00") == "175,312.57"
    assert shown(4.5, "0.00") == "4.50"
    assert shown(2.675, "0.00") == "2.68"  # half up, from the shortest text of the float
    assert shown(1180, "#,##0") == "1,180"
    assert shown(4.99, "General") is None
    assert shown(45443, "yyyy-mm-dd") is None
    assert shown(-3.5, '0.00_);[Red](0.00)') == "-3.50"


def test_pasted_table_with_merged_header_and_total_cells(tmp_path, capsys):
    book = tmp_path / "表.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "资金表"
    for row in (["单位", "资金（万元）", None, "执行率"], [None, "预算数", "支出数", None],
                ["甲", 100, 98, "98.00%"], ["乙", 50, 45, "90.00%"], ["合计", None, 144, "95.33%"]):
        ws.append(row)
    ws["B5"] = 150
    for rng in ("A1:A2", "B1:C1", "D1:D2"):
        ws.merge_cells(rng)
    wb.save(book)
    assert main(["review", str(book), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    # 98+45 = 143, printed 144; and the printed 95.33 % is not 144/150 = 96.00 %
    assert [(s["cell"], s["printed"], s["expected"], s["message"]) for s in data["slips"]] == [
        ("C5", "144", "143", "支出数合计=98+45=143，表中印为144"),
        ("D5", "95.33%", "96.00%", "执行率=支出数/预算数=144/150×100%=96.00%，表中印为95.33%")]
    assert data["checked"] == 5


def _blank_shape(book):
    """项目信息 评价形态 (B7 of the sample) emptied: ``score`` refuses the workbook."""
    wb = load_workbook(book)
    ws = wb[schema.PROJECT_INFO.name]
    cell = next(row[1] for row in ws.iter_rows() if row[0].value == "评价形态")
    assert cell.coordinate == "B7"
    cell.value = None
    wb.save(book)


def test_unscorable_evaluation_alone_is_refused_as_score_refuses_it(tmp_path, capsys):
    book = prepare(tmp_path, reported=[["", "", "总分", "88.51", "", ""]])
    _blank_shape(book)
    assert main(["score", str(book), "-o", str(tmp_path / "s.xlsx")]) == 2
    refused = capsys.readouterr().err
    assert refused.startswith("错误：项目信息!B7：无法评分：“评价形态”未填写")
    assert main(["review", str(book)]) == 2
    err = capsys.readouterr().err
    # the same message as score (after the verb), not the "nothing to review" of a foreign workbook
    assert err == refused.replace("无法评分", "无法复核")
    assert not (tmp_path / "西山_复核.xlsx").exists()


def test_unscorable_evaluation_with_tables_says_it_was_not_checked(tmp_path, capsys):
    book = prepare(tmp_path, reported=[
        ["", "", "总分", "88.51", "", ""], ["", "", "等级", "良", "", ""],
        [],  # a blank row: two runs of rows, each listed
        ["", "投入", "得分", "8.76", "表3", ""]], pasted={"表3": seeds.rows(seeds.SEED000_LEVEL1)})
    _blank_shape(book)
    assert main(["review", str(book), "--json"]) == 1  # was 0: the 报告数据 rows silently skipped
    data = json.loads(capsys.readouterr().out)
    message = "评价无法评分，评分和“报告数据”均未核对：“评价形态”未填写：这是必填项，请在 B 列填写（可选：整体评价、分单位评价）"
    assert data["evaluation_error"] == {"sheet": "项目信息", "cell": "B7", "message": message}
    assert [(f["severity"], f["sheet"], f["cell"]) for f in data["findings"]] == [("error", "项目信息", "B7")]
    why = "评价无法评分（项目信息!B7：“评价形态”未填写：这是必填项，请在 B 列填写（可选：整体评价、分单位评价））"
    assert data["not_checked"] == [{"sheet": "报告数据", "range": "A3:F4", "reason": f"2 行报告数据未核对：{why}"},
                                   {"sheet": "报告数据", "range": "A6:F6", "reason": f"1 行报告数据未核对：{why}"}]
    assert data["total"] is None and data["checked"] == 7  # 表3 only: 2 totals and 5 得分率
    rows = CalamineWorkbook.from_path(str(tmp_path / "西山_复核.xlsx")).get_sheet_by_name("复核意见").to_python()
    assert rows[2][0].startswith("这个工作簿的评价无法评分，评分和“报告数据”都没有核对（上面的个数不含它们）。原因："
                                 "项目信息!B7：“评价形态”未填写")
    listed = [r[1:4] for r in rows if r and r[1] == "报告数据"]
    assert listed == [["报告数据", "A3:F4", f"2 行报告数据未核对：{why}"], ["报告数据", "A6:F6", f"1 行报告数据未核对：{why}"]]


def test_batch_lists_an_unscorable_evaluation_as_an_error(tmp_path):
    from perfeval_xl.batch import process_file

    book = prepare(tmp_path, reported=[["", "", "总分", "88.51", "", ""]], pasted={"表3": seeds.rows(seeds.SEED000_LEVEL1)})
    _blank_shape(book)
    result = process_file(str(book))
    assert [(r.errors, r.status) for r in result.rows] == [(1, "有错误")]  # was 0, 通过
    assert [(i.sheet, i.cell, i.kind) for i in result.issues if i.kind != "提示"] == [("项目信息", "B7", "错误")]
    assert [(i.sheet, i.cell, i.object) for i in result.issues if i.kind == "提示"] == [("报告数据", "A3:F3", "未核对")]
