"""绩效目标申报表 through the commands: ``perfeval review`` and ``perfeval batch`` find them in any
workbook (issue 18 item 3), ``perfeval new --from`` starts a template from one (item 4).

The forms are those of tests/target_builder.py written to .xlsx files with their merges, so the
file path (calamine, merged labels filled down) is exercised; the expected findings are the ones the
same forms give read from their plain rows.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

import corpus_gen as cg
import target_builder as tb
from perfeval_xl.cli import main
from perfeval_xl.targetforms import check_target_forms

#: one slip per layout: (sheet, layout, spec) — 宝安 in 元, 郑州 without 质量, 河南 a rate above 100%,
#: 101 a value without unit
SHEETS = [
    ("就业培训", "宝安", tb.project(amount=500000, total=1500000)),
    ("郑州表", "郑州", dict(tb.project(name="2024年社区养老服务经费", goal="为辖区老人提供助餐服务"),
                         indicators=[i for i in tb.INDICATORS if "质量" not in i[1]])),
    ("河南表", "河南", tb.with_indicator(tb.project(name="2024年创业补贴", goal="补贴创业实体"), "培训合格率", value="≥105%")),
    ("一零一", "101", tb.with_indicator(tb.project(name="2024年技能竞赛", goal="举办技能竞赛"), "培训人次", value="≥500")),
]


def _workbook(path: Path, sheets=SHEETS) -> dict:
    book = Workbook()
    book.remove(book.active)
    grids = {}
    for name, layout, spec in sheets:
        grids[name] = tb.BUILDERS[layout](spec)
        grids[name].write(book.create_sheet(name))
    book.save(path)
    return grids


def test_review_lists_every_target_form_and_its_findings(tmp_path, capsys):
    path = tmp_path / "目标表.xlsx"
    grids = _workbook(path)
    before = path.read_bytes()
    code = main(["review", str(path), "--json", "-o", str(tmp_path / "复核.xlsx")])
    data = json.loads(capsys.readouterr().out)
    assert code == 1  # errors: the 元 amount, the missing 质量, the rate above 100%
    assert path.read_bytes() == before
    forms = data["target_forms"]
    assert [(f["sheet"], f["layout"]) for f in forms] == [(name, layout) for name, layout, _ in SHEETS]
    # the file gives what the plain rows give (merged labels filled down or not)
    results, _ = check_target_forms({name: g.rows() for name, g in grids.items()})
    assert [[(x["rule"], x["cell"]) for x in f["findings"]] for f in forms] == [
        [(x.rule, x.cell) for x in r.findings] for r in results]
    by_sheet = {f["sheet"]: {(x["rule"], x["cell"]) for x in f["findings"]} for f in forms}
    assert by_sheet == {"就业培训": {("R19", "E6")}, "郑州表": {("R05", grids["郑州表"].where["header"])},
                        "河南表": {("R14", grids["河南表"].where[("年度", "培训合格率", "value")])},
                        "一零一": {("R09", grids["一零一"].where[("年度", "培训人次", "value")])}}
    assert [f["status"] for f in forms] == ["有错误", "有错误", "有错误", "有提示"]
    assert data["project"] == "2024年就业技能培训经费"
    assert data["not_checked"] == [] and data["slips"] == []  # not read as pasted report tables
    assert {(f["sheet"], f["cell"]) for f in data["findings"]} == {
        (name, cell) for name, cells in by_sheet.items() for _, cell in cells}
    # 复核意见 lists the forms under the findings
    sheet = load_workbook(tmp_path / "复核.xlsx")["复核意见"]
    texts = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    at = next(i for i, row in enumerate(texts) if row and str(row[0]).startswith("找到的绩效目标申报表"))
    assert texts[at + 1][:8] == ["序号", "工作表", "格式", "项目", "错误数", "提示数", "结论", "单位"]
    assert [row[1] for row in texts[at + 2: at + 6]] == [name for name, _, _ in SHEETS]
    assert texts[at + 2][2:8] == ["宝安", "2024年就业技能培训经费", 1, 0, "有错误", "宝安区某街道办事处"]


def test_batch_accounts_for_every_file_of_a_mixed_folder(tmp_path, capsys):
    """Target forms, an evaluation workbook, a 自评表 and an unreadable file: one 汇总 row for each
    target form, each evaluation, each 自评表 and the unreadable file (through the batch of this branch)."""
    from form_builder import central_form
    from form_data import CHIZHOU_ENTRUSTED

    folder = tmp_path / "收件"
    folder.mkdir()
    _workbook(folder / "a目标表.xlsx", SHEETS[:2])
    shutil.copyfile(cg.XISHAN, folder / "b西山评价.xlsx")
    book = Workbook()
    central_form(book.active, 1, CHIZHOU_ENTRUSTED)
    book.active.title = "池州"
    book.save(folder / "c自评表.xlsx")
    (folder / "d损坏.xlsx").write_bytes(b"not a zip at all")
    out = tmp_path / "汇总.xlsx"
    code = main(["batch", str(folder), "-o", str(out), "--jobs", "1", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and data["files"] == 4
    rows = data["rows"]
    assert {r["file"] for r in rows} == {"a目标表.xlsx", "b西山评价.xlsx", "c自评表.xlsx", "d损坏.xlsx"}
    targets = [(r["sheet"], r["project"], r["errors"], r["status"]) for r in rows if r["file"] == "a目标表.xlsx"]
    # 就业培训: R19 (元) one error; 郑州表: R05 (no 质量) in its 实施期 and its 年度 group, two errors
    assert targets == [("就业培训", "2024年就业技能培训经费", 1, "有错误"), ("郑州表", "2024年社区养老服务经费", 2, "有错误")]
    assert [r["status"] for r in rows if r["file"] == "d损坏.xlsx"] == ["无法读取"]
    assert [r["sheet"] for r in rows if r["file"] == "c自评表.xlsx"] == ["池州"]
    issues = {(i["sheet"], i["cell"], i["kind"]) for i in data["issues"] if i["file"] == "a目标表.xlsx"}
    # 郑州: title, year, 项目名称, 主管部门, 3 funds rows, 绩效目标, the 实施期/年度 row: the header is row 10
    assert issues == {("就业培训", "E6", "错误"), ("郑州表", "B10", "错误")}
    summary = load_workbook(out)["汇总"]
    files = {row[1] for row in summary.iter_rows(min_row=2, values_only=True) if row[1]}
    assert {"a目标表.xlsx", "b西山评价.xlsx", "c自评表.xlsx", "d损坏.xlsx"} <= files


# --- perfeval new --from ---------------------------------------------------------------------------------

def _template_indicators(path: Path) -> list[tuple]:
    """指标体系 read back by its headers (a template with blank 分值 cannot be scored, so not through the
    scorer), 一级 / 二级 filled down as the template's help says they are."""
    from perfeval_xl.core import schema

    sheet = load_workbook(path)[schema.INDICATORS.name]
    rows = list(sheet.iter_rows(min_row=schema.HEADER_ROW + 1, values_only=True))
    col = {title: i for i, title in enumerate(rows[0])}
    out, level1, level2 = [], None, None
    for row in rows[1:]:
        level1 = row[col["一级指标"]] or level1
        level2 = row[col["二级指标"]] or level2
        out.append((row[col["编码"]], level1, level2, row[col["三级指标"]], row[col["目标值"]], row[col["指标解释"]],
                    row[col["分值"]], row[col["评分方法"]]))
    return out


@pytest.mark.parametrize("layout", list(tb.BUILDERS))
def test_new_from_a_target_form_fills_the_indicators_and_leaves_weights_blank(layout, tmp_path, capsys):
    source = tmp_path / "目标表.xlsx"
    grids = _workbook(source, [("表1", layout, tb.project())])
    before = source.read_bytes()
    out = tmp_path / "模板.xlsx"
    assert main(["new", "--from", str(source), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "分值、评分方法" in printed and "已留空" in printed
    assert source.read_bytes() == before
    form = check_target_forms({"表1": grids["表1"].rows()})[0][0].form
    stated = [i for i in form.period_indicators("年度") if i.real]
    got = _template_indicators(out)
    # every stated 年度 indicator, in order, with its 一级/二级/三级 names, 目标值 and 指标解释; 分值 and 评分方法 blank
    assert [(g[1], g[2], g[3], g[4], g[5]) for g in got] == [
        (i.level1_text, i.level2, i.name.value, i.value_text(), i.explanation.value if i.explanation else None)
        for i in stated]
    assert all(g[6] is None and g[7] is None for g in got)
    letters = {}
    for g in got:  # A1, A2 … for the first 一级, B1 … for the next
        letters.setdefault(g[1], chr(ord("A") + len(letters)))
        assert g[0].startswith(letters[g[1]])
    assert len(got) == 6  # 7 rows, 可持续影响 不适用 left out (河南, 101: no such row)


def test_new_from_a_workbook_of_several_forms_asks_which(tmp_path, capsys):
    source = tmp_path / "目标表.xlsx"
    _workbook(source)
    out = tmp_path / "模板.xlsx"
    assert main(["new", "--from", str(source), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "有 4 张绩效目标申报表（工作表：就业培训、郑州表、河南表、一零一），请用 --sheet 指定" in err
    assert not out.exists()
    assert main(["new", "--from", str(source), "-o", str(out), "--sheet", "不存在"]) == 2
    assert "工作表“不存在”上没有绩效目标申报表" in capsys.readouterr().err
    assert main(["new", "--from", str(source), "-o", str(out), "--sheet", "河南表"]) == 0
    got = _template_indicators(out)
    assert got[0][1:5] == ("成本指标", "经济成本指标", "人均培训成本", "≤1000元/人次")  # 河南: 成本 is a 一级
    assert main(["new", "--from", str(source), "-o", str(source), "--force", "--sheet", "河南表"]) == 2
    assert "模板不能写到目标表" in capsys.readouterr().err
