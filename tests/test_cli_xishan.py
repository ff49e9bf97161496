"""Seed 000 end to end through the command line: 88.51 良, every indicator as the report."""

import io
import json
import subprocess
import sys
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from perfeval_xl.cli import main

# the indicator table of seed 000 (names and weights as printed; the sample's .md lists them by code)
INDICATORS = [
    ("A1", "项目立项规范性", 2), ("A2", "绩效目标合理性", 2), ("A3", "绩效指标明确性", 2), ("A4", "资金到位率", 2),
    ("A5", "到位及时率", 2), ("B1", "管理制度健全性", 5), ("B2", "制度执行有效性", 6), ("B3", "项目质量可控性", 5),
    ("B4", "财务管理制度健全性", 6), ("B5", "资金使用合规性", 6), ("B6", "财务监控有效性", 6), ("C1", "实际完成率", 9),
    ("C2", "完成及时率", 9), ("C3", "质量达标率", 8), ("C4", "成本节约率", 8), ("D1", "社会效益", 9),
    ("D2", "可持续影响", 6), ("D3", "群众满意度", 7),
]
# indicator scores by the report's stated rules (computed by hand, see the sample's .md)
EXPECTED = {
    "A1": "2", "A2": "1.5", "A3": "1.5", "A4": "1.88", "A5": "1.88",
    "B1": "5", "B2": "6", "B3": "5", "B4": "6", "B5": "4.73", "B6": "6",
    "C1": "4", "C2": "7.22", "C3": "8", "C4": "8",
    "D1": "8", "D2": "5.5", "D3": "6.3",
}


def run_json(capsys, *args):
    code = main(["score", *args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_xishan_json(xishan, capsys):
    code, data = run_json(capsys, str(xishan))
    assert code == 0
    assert data["project"] == "2024年社区党组织服务群众专项经费"
    assert data["total"] == 88.51 and data["grade"] == "良"
    assert data["findings"] == []
    (unit,) = data["units"]
    assert (unit["name"], unit["total"], unit["grade"]) == ("2024年社区党组织服务群众专项经费", 88.51, "良")
    assert [(i["code"], i["name"], i["weight"]) for i in unit["indicators"]] == [(c, n, float(w)) for c, n, w in INDICATORS]
    got = {i["code"]: D(str(i["score"])) for i in unit["indicators"]}
    assert got == {k: D(v) for k, v in EXPECTED.items()}
    # the report's table 2: 投入 8.76, 过程 32.73, 产出 27.22, 效果 19.80, together 88.51
    by_level1 = {}
    for code, score in got.items():
        by_level1[code[0]] = by_level1.get(code[0], D(0)) + score
    assert by_level1 == {"A": D("8.76"), "B": D("32.73"), "C": D("27.22"), "D": D("19.80")}
    assert sum(by_level1.values()) == D("88.51")
    a4 = next(i for i in unit["indicators"] if i["code"] == "A4")
    assert a4 == {"code": "A4", "name": "资金到位率", "weight": 2.0, "score": 1.88, "value": 0.2656,
                  "reason": "资金到位率26.56%，低于100%（差73.44个百分点），按每低5个百分点扣2×0.4%分（按比例计），扣0.12分"}
    assert (xishan.parent / "西山区社区党组织服务群众专项经费2024_评分.xlsx").exists()


def test_json_shape(xishan, capsys):
    _, data = run_json(capsys, str(xishan))
    assert set(data) == {"project", "total", "grade", "units", "findings"}
    for unit in data["units"]:
        assert set(unit) == {"name", "total", "grade", "indicators"}
        for ind in unit["indicators"]:
            assert set(ind) == {"code", "name", "weight", "score", "value", "reason"}
            assert isinstance(ind["score"], float) and isinstance(ind["reason"], str)
            assert ind["value"] is None or isinstance(ind["value"], float)


def test_level1_table_matches_report_table2(xishan, capsys):
    main(["score", str(xishan), "-o", str(xishan.parent / "out.xlsx")])
    wb = load_workbook(xishan.parent / "out.xlsx", data_only=True)
    ws = wb["一级指标得分表"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_row=7)]
    assert rows == [
        ["投入", 10, 8.76, 0.876], ["过程", 34, 32.73, 0.9626], ["产出", 34, 27.22, 0.8006],
        ["效果", 22, 19.8, 0.9], ["合计", 100, 88.51, 0.8851],
    ]
    for name in ("得分汇总", "评分表", "资金使用情况表", "满意度情况表", "校验结果"):
        assert name in wb.sheetnames
    sheet = wb["评分表"]
    header = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "一级指标")
    # the default columns (项目信息!评分表列 blank): the sample fills 指标解释, so it is printed
    assert header == ("一级指标", "二级指标", "三级指标", "编码", "分值", "指标解释", "评分标准", "计算过程", "得分", "扣分原因")
    texts = [c.value for c in sheet["H"] if isinstance(c.value, str)]  # 计算过程, after 编码
    assert any("资金到位率=175,312.57/660,000.00×100%=26.56%" in t for t in texts)
    funds = wb["资金使用情况表"]
    total_row = [c.value for c in funds[funds.max_row - 1]]
    assert total_row[:5] == ["合计", None, 660000, 175312.57, 175312.57]


def test_terminal_summary_and_default_output(xishan, capsys):
    assert main(["score", str(xishan)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "项目：2024年社区党组织服务群众专项经费（整体评价）"
    assert lines[3].split() == ["2024年社区党组织服务群众专项经费", "88.51", "良"]
    assert lines[4] == "校验：错误 0 项，提示 0 项"
    default = xishan.parent / "西山区社区党组织服务群众专项经费2024_评分.xlsx"
    assert lines[5:] == [f"已写入：{default}"]
    assert default.is_file()


def test_input_file_untouched_and_input_sheets_equal(xishan, capsys):
    before = xishan.read_bytes()
    main(["score", str(xishan), "-o", str(xishan.parent / "out.xlsx")])
    assert xishan.read_bytes() == before
    src = load_workbook(xishan)
    out = load_workbook(xishan.parent / "out.xlsx")
    for name in src.sheetnames:
        a, b = src[name], out[name]
        assert [[c.value for c in r] for r in a.iter_rows()] == [[c.value for c in r] for r in b.iter_rows()]
        assert a.merged_cells.ranges == b.merged_cells.ranges or str(a.merged_cells) == str(b.merged_cells)


@pytest.mark.slow
def test_rescoring_replaces_output_sheets(xishan, capsys):
    out = xishan.parent / "out.xlsx"
    assert main(["score", str(xishan), "-o", str(out)]) == 0
    first = out.read_bytes()
    assert main(["score", str(out), "--in-place"]) == 0
    wb = load_workbook(out)
    assert wb.sheetnames.count("评分表") == 1
    assert wb.sheetnames == load_workbook(io.BytesIO(first)).sheetnames  # the same sheets, none doubled
    (backup,) = xishan.parent.glob("out_备份_*.xlsx")
    assert backup.read_bytes() == first  # the copy before --in-place, byte for byte


def test_not_a_template_exit_2(tmp_path, capsys):
    from openpyxl import Workbook

    path = tmp_path / "x.xlsx"
    Workbook().save(path)
    assert main(["score", str(path)]) == 2
    err = capsys.readouterr().err
    assert "项目信息" in err and "A1" in err


@pytest.mark.slow
def test_console_script_runs(xishan):
    proc = subprocess.run([sys.executable, "-m", "perfeval_xl.cli", "score", str(xishan), "--json"],
                          capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert (data["total"], data["grade"], data["findings"]) == (88.51, "良", [])
    assert {i["code"]: D(str(i["score"])) for i in data["units"][0]["indicators"]} == {k: D(v) for k, v in EXPECTED.items()}


def test_new_writes_template_readable_by_reader(tmp_path, capsys):
    path = tmp_path / "模板.xlsx"
    assert main(["new", "-o", str(path)]) == 0
    assert main(["new", "-o", str(path)]) == 2  # never overwrites without --force
    from perfeval_xl.core.book import read
    from perfeval_xl.io.snapshot import read_snapshot
    import pytest
    from perfeval_xl.core.findings import TemplateError
    with pytest.raises(TemplateError, match="项目名称.*未填写"):
        read(read_snapshot(path))


def test_trace_sheet_names_the_cells_behind_each_score(xishan, capsys):
    from python_calamine import CalamineWorkbook

    out = xishan.parent / "out.xlsx"
    main(["score", str(xishan), "-o", str(out)])
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("取数底稿").to_python()
    by_code = {(r[1], r[3]): r for r in rows[3:]}
    # 资金到位率: the indicator row and 资金情况 budget/arrived of the project row (row 3)
    assert by_code[("A4", "")][8] == "指标体系!H6；资金情况!B3、C3"
    assert by_code[("A4", "")][5] == 0.2656 and by_code[("A4", "")][7] == 1.88
    # 群众满意度 from the three option counts of 问卷计数
    assert by_code[("D3", "")][8] == "指标体系!H25；问卷计数!F4:F6"


def test_format_refs_compresses_columns():
    from perfeval_xl.core.findings import Ref, format_refs

    refs = [Ref("资金情况", 2, 1), Ref("资金情况", 2, 3)] + [Ref("支出明细", r, 4) for r in range(2, 100002)]
    assert format_refs(refs) == "资金情况!B3、D3；支出明细!E3:E100002"
    many = [Ref("评分录入", r, 4) for r in range(2, 40, 2)]
    assert format_refs(many, limit=3) == "评分录入!E3、E5、E7 等 19 处"
