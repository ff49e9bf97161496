"""``perfeval survey import`` round trip: a generated export → the book's 问卷计数 / 问卷答卷 → exact tallies."""

from __future__ import annotations

import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from perfeval_xl.cli import main
from perfeval_xl.io.snapshot import read_snapshot
from perfeval_xl.pipeline import run, stages_until
from perfeval_xl.survey.book import WHOLE
from perfeval_xl.io.template import write_workbook
from perfeval_xl.survey.workbook import write_class_rows
from perfeval_xl.core import schema

sys.path.insert(0, str(Path(__file__).parent))
from test_survey import EXPORT_CLASS, UNITS_FULL, generated_export, nonzero, spoil  # noqa: E402

UNIT_COLUMN = "您所在的街道办事处"


def class_rows(cls):
    questions = [{"类别代码": cls.code, "题号": q.number, "题目": q.text,
                  "计入满意度": "是" if q.counts_toward_satisfaction else "否"} for q in cls.questions]
    options = [{"类别代码": cls.code, "题号": q.number, "选项": o.label, "选项内容": o.text, "得分率": o.rate}
               for q in cls.questions for o in q.options]
    return questions, options


def make_book(path: Path, shape: str = "分单位评价") -> Path:
    questions, options = class_rows(EXPORT_CLASS)
    shorts = list(UNITS_FULL.values())
    tables = {
        "单位名单": [{"单位全称": full, "单位简称": short} for full, short in UNITS_FULL.items()],
        "问卷类别": [{"类别代码": "A", "类别名称": "奖励对象", "权重": "60%"},
                  {"类别代码": "B", "类别名称": "职员", "权重": "40%"}],
        "问卷题目": questions + [{"类别代码": "B", "题号": 1, "题目": "您满意吗？"}],
        "问卷选项": options + [{"类别代码": "B", "选项": "A", "选项内容": "满意", "得分率": "100%"},
                           {"类别代码": "B", "选项": "B", "选项内容": "不满意", "得分率": "0%"}],
        # class B was typed by hand (paper questionnaires); the import of class A must leave it alone
        "问卷计数": [{"类别代码": "B", "选项": "有效问卷数", **{u: 2 for u in shorts}},
                  {"类别代码": "B", "题号": 1, "选项": "A", **{u: 2 for u in shorts}},
                  {"类别代码": "B", "题号": 1, "选项": "B", **{u: 0 for u in shorts}}],
        "指标体系": [{"编码": "A1", "一级指标": "效果", "二级指标": "满意度", "三级指标": "综合满意度", "分值": 100,
                  "评分方法": "比率", "取值来源": "综合满意度", "目标值": "100%"}],
    }
    info = {"项目名称": "问卷导入测试", "评价形态": shape}
    return write_workbook(path, info, tables)


def write_export(path: Path, rows) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def book_data(path: Path):
    snapshot = read_snapshot(path)
    done = run(snapshot, stages_until("attach questionnaires"))
    return done, done.last.survey, snapshot


@pytest.mark.slow
def test_import_round_trip(tmp_path, capsys):
    rows, expected, valid, choices = generated_export(5, 360)
    spoil(rows, expected, choices, 137, 3, "差不多吧")
    export = write_export(tmp_path / "问卷星导出.xlsx", rows)
    book_path = make_book(tmp_path / "评价.xlsx")
    _, _, before = book_data(book_path)

    code = main(["survey", "import", str(export), "--class", "A", "--into", str(book_path), "--unit-column", UNIT_COLUMN])
    out = capsys.readouterr().out
    assert code == 1  # one answer matched no option: listed with its row, not counted
    assert "共 360 份答卷" in out
    assert f"Sheet1!J138：第138行（{choices[136][0]}）第3题的答案“差不多吧”与任何选项都不匹配" in out
    backups = list(tmp_path.glob("评价_备份_*.xlsx"))
    assert len(backups) == 1

    book, data, after = book_data(book_path)
    tally = data.tallies["A"]
    assert nonzero(tally.counts) == nonzero(expected)
    assert tally.valid == valid
    assert len(data.responses["A"]) == 360
    # class B (typed by hand) and every other input sheet are as they were
    assert data.tallies["B"].count(1, "A") == 8
    for name in before:
        if name not in ("问卷计数", "问卷答卷"):
            assert after[name] == before[name], name
    assert after["问卷计数"][:5] == before["问卷计数"][:5]
    # the only problem left is the spoiled answer's question, one short in its unit
    assert [f.message for f in book.findings] == [
        f"A类（奖励对象）第3题 {choices[136][0]}：各选项人数合计 "
        + "+".join(str(tally.count(3, o.label, choices[136][0])) for o in EXPORT_CLASS.question(3).options)
        + f"={valid[choices[136][0]] - 1}，与有效问卷数 {valid[choices[136][0]]} 不一致（少 1，可能有 1 份答卷未作答此题）"]

    # importing again replaces the class's rows in place: same tallies, same number of rows
    n_rows = len(after["问卷计数"])
    assert main(["survey", "import", str(export), "--class", "A", "--into", str(book_path),
                 "--unit-column", UNIT_COLUMN]) == 1
    capsys.readouterr()
    book2, data2, again = book_data(book_path)
    assert len(again["问卷计数"]) == n_rows
    assert nonzero(data2.tallies["A"].counts) == nonzero(expected)

    # and the book scores, with the annex tables
    assert main(["score", str(book_path), "-o", str(tmp_path / "out.xlsx")]) == 0
    capsys.readouterr()
    wb = load_workbook(tmp_path / "out.xlsx", read_only=True)
    assert {"调查问卷结果汇总表", "问卷明细-A", "问卷明细-B", "满意度情况表"} <= set(wb.sheetnames)


def test_import_by_answers_only_and_dry_run(tmp_path, capsys):
    rows, expected, valid, _ = generated_export(8, 120)
    export = write_export(tmp_path / "e.xlsx", rows)
    book_path = make_book(tmp_path / "b.xlsx")
    stamp = book_path.stat().st_mtime_ns
    assert main(["survey", "import", str(export), "--class", "A", "--into", str(book_path),
                 "--unit-column", UNIT_COLUMN, "--dry-run"]) == 0
    assert "未写入" in capsys.readouterr().out
    assert book_path.stat().st_mtime_ns == stamp and not list(tmp_path.glob("b_备份_*"))
    assert main(["survey", "import", str(export), "--class", "A", "--into", str(book_path),
                 "--unit-column", UNIT_COLUMN, "--no-answers"]) == 0
    capsys.readouterr()
    _, data, snapshot = book_data(book_path)
    assert nonzero(data.tallies["A"].counts) == nonzero(expected)
    assert "A" not in data.responses
    assert len(snapshot["问卷答卷"]) <= 2


def test_whole_book_without_unit_column(tmp_path, capsys):
    rows, expected, valid, _ = generated_export(9, 80)
    rows = [r[:6] + r[7:] for r in rows]  # drop the unit column
    export = write_export(tmp_path / "e.xlsx", rows)
    book_path = make_book(tmp_path / "b.xlsx", shape="整体评价")
    assert main(["survey", "import", str(export), "--class", "A", "--into", str(book_path)]) == 0
    capsys.readouterr()
    _, data, snapshot = book_data(book_path)
    tally = data.tallies["A"]
    assert tally.units == [WHOLE] and tally.valid == {WHOLE: 80}
    totals = {}
    for (n, label, _), c in expected.items():
        totals[(n, label, WHOLE)] = totals.get((n, label, WHOLE), 0) + c
    assert nonzero(tally.counts) == nonzero(totals)


@pytest.mark.parametrize("args, message", [
    (["--class", "Z"], "没有类别“Z”"),
    (["--class", "A", "--sheet", "不存在"], "导出文件中没有工作表“不存在”"),
    (["--class", "A", "--unit-column", "单位名"], "找不到单位列“单位名”"),
])
def test_import_failures_exit_2(tmp_path, capsys, args, message):
    rows, *_ = generated_export(3, 10)
    export = write_export(tmp_path / "e.xlsx", rows)
    book_path = make_book(tmp_path / "b.xlsx")
    assert main(["survey", "import", str(export), "--into", str(book_path), *args]) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.glob("b_备份_*"))


def test_import_into_a_missing_book_exits_2(tmp_path, capsys):
    rows, *_ = generated_export(3, 10)
    export = write_export(tmp_path / "e.xlsx", rows)
    assert main(["survey", "import", str(export), "--class", "A", "--into", str(tmp_path / "无.xlsx")]) == 2
    assert "找不到文件" in capsys.readouterr().err


def test_write_class_rows_in_place_and_new_unit_column(tmp_path):
    book_path = make_book(tmp_path / "b.xlsx")
    wb = load_workbook(book_path)
    new = [{"类别代码": "B", "选项": "有效问卷数", "护国": 3, "新单位": 1},
           {"类别代码": "B", "题号": 1, "选项": "A", "护国": 3, "新单位": 1},
           {"类别代码": "B", "题号": 1, "选项": "B", "护国": 0, "新单位": 0}]
    first, last = write_class_rows(wb, schema.SURVEY_COUNTS, "B", new, lambda h: h)
    assert (first, last) == (3, 5)
    ws = wb["问卷计数"]
    headers = [c.value for c in ws[2]]
    assert headers[-1] == "新单位"
    assert ws.cell(3, headers.index("护国") + 1).value == 3
    assert ws.cell(3, headers.index("华山") + 1).value is None   # the class's old cells are cleared
    assert ws.cell(4, len(headers)).value == 1
    # more rows than before: appended after the last row, the old ones cleared
    more = new + [{"类别代码": "B", "题号": 2, "选项": "A", "护国": 1}]
    first, last = write_class_rows(wb, schema.SURVEY_COUNTS, "B", more, lambda h: h)
    assert (first, last) == (6, 9)
    assert all(ws.cell(r, 1).value is None for r in (3, 4, 5))
    assert D(ws.cell(9, headers.index("护国") + 1).value) == 1


def test_import_keeps_every_other_part_of_the_book(tmp_path, capsys):
    """Only 问卷计数 / 问卷答卷 change: parts openpyxl would drop (here a custom XML part and a
    picture-like media file) and every other sheet stay byte for byte."""
    import zipfile

    rows, expected, valid, choices = generated_export(5, 60)
    export = write_export(tmp_path / "问卷星导出.xlsx", rows)
    book_path = make_book(tmp_path / "评价.xlsx")
    with zipfile.ZipFile(book_path, "a") as z:  # parts no openpyxl model knows about
        z.writestr("customXml/item1.xml", "<root>评价机构的自定义数据</root>")
        z.writestr("xl/media/logo.png", b"\x89PNG\r\n\x1a\nnot really")
    with zipfile.ZipFile(book_path) as z:
        before = {n: z.read(n) for n in z.namelist()}
    assert main(["survey", "import", str(export), "--class", "A", "--into", str(book_path),
                 "--unit-column", UNIT_COLUMN]) == 0
    assert "丢失" not in capsys.readouterr().out
    with zipfile.ZipFile(book_path) as z:
        after = {n: z.read(n) for n in z.namelist()}
    changed = {n for n in before if after.get(n) != before[n]}
    # the two questionnaire sheets (问卷答卷 is new or replaced), the styles they add, and the
    # package index where a sheet was added
    assert changed <= {"xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
                       *[n for n in before if n.startswith("xl/worksheets/sheet")]}
    assert after["customXml/item1.xml"] == before["customXml/item1.xml"]
    assert after["xl/media/logo.png"] == before["xl/media/logo.png"]
    sheet_parts_changed = [n for n in changed if n.startswith("xl/worksheets/")]
    assert 1 <= len(sheet_parts_changed) <= 2
    book, data, _ = book_data(book_path)
    assert nonzero(data.tallies["A"].counts) == nonzero(expected)
    assert main(["score", str(book_path), "-o", str(tmp_path / "out.xlsx")]) == 0
