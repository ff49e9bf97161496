"""Issue 18, "Done when": a folder mixing target forms (every layout of tests/target_builder.py), 自评表
of every layout (附1, 省级/Sichuan, 湖北, 附1 whose note fixes its weights), an evaluation workbook, an
evaluation workbook that cannot be scored but holds pasted tables, and files that cannot be read or are
not workbooks → one ``perfeval batch`` → 汇总 accounts for every file, each once; and a target form whose
indicators and goal were copied into another project's form in another file is reported (rule R28
across the files of a batch)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

import form_data
import target_builder as tb
from conftest import XISHAN
from data import seed_tables as seeds
from form_builder import central_form, hubei_form, provincial_form
from perfeval_xl.batchstore import MemoryStore, SqliteStore
from perfeval_xl.cli import main
from perfeval_xl.targetforms import RULES
from test_form_layouts import HUBEI, NOTED
from test_review_cli import _blank_shape, prepare
from test_target_forms_cli import SHEETS, _workbook

#: the form copied: its goal and its 6 year indicators (the 7 of tb.INDICATORS less 不适用, which R28
#: leaves out; 带动就业人数 changed so that it is not the set of a目标表's 就业培训)
COPIED = tb.with_indicator(tb.project(name="2024年社区助餐项目", goal="建成社区食堂3个，为800名老人提供助餐"),
                           "带动就业人数", value="≥120人")
#: the same goal and indicators under another project's name, in another file and another layout
COPY = dict(COPIED, name="2024年老年活动中心运营项目", unit="宝安区另一街道办事处")


def _save(path: Path, sheets: list[tuple[str, object]]) -> None:
    """A workbook of the given sheets, each ``(name, build(ws))``."""
    book = Workbook()
    book.remove(book.active)
    for name, build in sheets:
        build(book.create_sheet(name))
    book.save(path)


def _folder(root: Path) -> tuple[Path, dict]:
    folder = root / "收件"
    folder.mkdir()
    grids = {}
    # target forms: the four layouts in one workbook, one slip each (tests/test_target_forms_cli.py)
    grids["a"] = _workbook(folder / "a目标表四种格式.xlsx")
    # a form (郑州 layout) and its copy under another project (河南 layout) in two other files
    grids["b"] = _workbook(folder / "b目标表甲.xlsx", [("助餐", "郑州", COPIED)])
    grids["c"] = _workbook(folder / "c目标表乙.xlsx", [("活动中心", "河南", COPY)])
    # 自评表 of each layout
    _save(folder / "d自评表附1.xlsx", [("池州", lambda ws: central_form(ws, 1, form_data.CHIZHOU_ENTRUSTED))])
    _save(folder / "e自评表省级.xlsx", [("青神", lambda ws: provincial_form(ws, 1, form_data.QINGSHEN_WAGES))])
    _save(folder / "f自评表湖北.xlsx", [("湖北", lambda ws: hubei_form(ws, 1, HUBEI))])
    _save(folder / "g自评表表注.xlsx", [("表注", lambda ws: central_form(ws, 1, NOTED))])
    # an evaluation workbook, one whose printed figures are gone (nothing to compare: 未核对), and one that
    # cannot be scored with a pasted table
    shutil.copyfile(XISHAN, folder / "h西山评价.xlsx")
    work = root / "work"
    work.mkdir()
    # (under another project's name: the same 项目+单位 twice would be a duplicate submission)
    book = prepare(work)
    wb = load_workbook(book)
    name = next(row[1] for row in wb["项目信息"].iter_rows() if row[0].value == "项目名称")
    name.value = "2024年另一个专项经费"
    wb.save(book)
    shutil.move(book, folder / "h2西山无报告数据.xlsx")
    book = prepare(work, reported=[["", "", "总分", "88.51", "", ""]], pasted={"表3": seeds.rows(seeds.SEED000_LEVEL1)})
    _blank_shape(book)
    shutil.move(book, folder / "i无法评分.xlsx")
    # what cannot be read
    for name in ("j旧格式.xls", "k金山.et", "l开放格式.ods", "m金山文字.wps"):  # each its own bytes: no duplicates
        (folder / name).write_bytes(b"\xd0\xcf\x11\xe0 " + name.encode("utf-8"))
    (folder / "n损坏.xlsx").write_bytes(b"PK\x03\x04 cut short")
    (folder / "o说明.docx").write_bytes(b"PK\x03\x04 a Word file")
    return folder, grids


R28 = next(r for r in RULES if r.id == "R28")

#: file → [(sheet, project, 核对数, 一致数, 差错数, 错误数, 状态)], one per 汇总 row, in the files' order
EXPECTED_ROWS = {
    # the four layouts, one slip each (as in tests/test_target_forms_cli.py): 宝安 R19 (元 labelled 万元) one
    # error; 郑州 R05 (no 质量) in its 实施期 and its 年度 group, two; 河南 R14 (105 %) one; 101 R09 (≥500
    # without unit) a warning only: 通过.  Target forms compare no printed figure: 核对数 not applicable.
    "a目标表四种格式.xlsx": [("就业培训", "2024年就业技能培训经费", None, None, 0, 1, "有错误"),
                             ("郑州表", "2024年社区养老服务经费", None, None, 0, 2, "有错误"),
                             ("河南表", "2024年创业补贴", None, None, 0, 1, "有错误"),
                             ("一零一", "2024年技能竞赛", None, None, 0, 0, "通过")],
    "b目标表甲.xlsx": [("助餐", "2024年社区助餐项目", None, None, 0, 0, "通过")],
    # R28 is a warning (提示): the copy's row stays 通过; the warning is in 问题清单
    "c目标表乙.xlsx": [("活动中心", "2024年老年活动中心运营项目", None, None, 0, 0, "通过")],
    # tests/test_forms.py: 3 amounts + 执行率 + 得分 of 年度资金总额, 10 indicator scores, 分值 100, the 3 一级
    # weights, 总分 = 20 compared; its 6 slips (年度资金总额 printed 0 / 0 / 0, 0 %, 0; 总分 90 for 100)
    "d自评表附1.xlsx": [("池州", "委托业务项目", 20, 14, 6, 0, "有差错")],
    # 总额's 3 amounts (= 财政资金 + 0.00 + 0.00), 总额's 执行率 and 财政资金's (251.89 / 251.89; the 0.00 rows
    # have no base), 分值 100 (10 + 60 + 30) = 6 compared, all agreeing; blank scores: 5 errors at H7, H13,
    # J13, H14, J14 and 总分 blank at J15 = 6 errors (tests/test_forms.py lists them)
    "e自评表省级.xlsx": [("青神", "51000021R000000019951-工资性支出", 6, 6, 0, 6, "有错误")],
    # tests/test_form_layouts.py: 执行率 and 得分 of the funds row, 4 indicator scores, 分值 100, 总分 = 8
    "f自评表湖北.xlsx": [("湖北", "学生资助项目", 8, 8, 0, 0, "通过")],
    # 3 amounts against 其中, 执行率, 得分, 4 indicator scores, 分值 100, 总分 = 11 (no weights printed in
    # the 一级 labels); 2 errors: 产出 60 and 效益 20 against the note's 50 and 30 (tests/test_form_layouts.py)
    "g自评表表注.xlsx": [("表注", "技能培训项目", 11, 11, 0, 2, "有错误")],
    # tests/test_review_samples.py: the seed report's 66 rows of 报告数据 + 7 figures of its 报告表2 = 73; its 6
    # slips (资金到位率 / 到位及时率 printed 25.56 % for 26.56 %) are those of the seed's report
    "h西山评价.xlsx": [("", "2024年社区党组织服务群众专项经费", 73, 67, 6, 0, "有差错")],
    # the same evaluation scored (88.51, 良) with 报告数据 emptied and no pasted table: nothing compared
    "h2西山无报告数据.xlsx": [("", "2024年另一个专项经费", 0, 0, 0, 0, "未核对")],
    # tests/test_review_cli.py: 表3 only (2 totals and 5 得分率) = 7 compared; the blank 评价形态 one error
    "i无法评分.xlsx": [("", "", 7, 7, 0, 1, "有错误")],
    "j旧格式.xls": [("", "", None, None, 0, 1, "格式不支持")],
    "k金山.et": [("", "", None, None, 0, 1, "格式不支持")],
    "l开放格式.ods": [("", "", None, None, 0, 1, "格式不支持")],
    "m金山文字.wps": [("", "", None, None, 0, 1, "格式不支持")],
    "n损坏.xlsx": [("", "", None, None, 0, 1, "无法读取")],
    "o说明.docx": [("", "", None, None, 0, 1, "格式不支持")],
}


def _copy_warnings(grids: dict) -> list[tuple]:
    """The two R28 warnings of the copy (c), each naming the file and sheet it copies, quoting R28."""
    copy, original = grids["c"]["活动中心"], "文件“b目标表甲.xlsx”的工作表“助餐”"
    return [("c目标表乙.xlsx", "活动中心", copy.where["goal"], "提示",
             f"年度目标与“2024年社区助餐项目”（{original}）的一字不差" + R28.cite()),
            ("c目标表乙.xlsx", "活动中心", copy.where["header"], "提示",
             f"全部 6 个年度指标（名称和指标值）与“2024年社区助餐项目”（{original}）的相同，是照抄的" + R28.cite())]


@pytest.mark.slow
@pytest.mark.parametrize("store", ["sqlite", "memory"])
def test_one_batch_accounts_for_every_file_of_a_mixed_folder(store, tmp_path, capsys):
    folder, grids = _folder(tmp_path)
    out = tmp_path / "汇总.xlsx"
    args = ["batch", str(folder), "-o", str(out), "--jobs", "1", "--json"]
    if store == "memory":  # the offline page's store: through the batch core as the page runs it
        from perfeval_xl.batch import discover, run_batch, write_summary

        memory = MemoryStore()
        found, _ = discover([folder])
        run_batch(found, memory, jobs=1, root=folder)
        write_summary(memory, out)
        rows = [dict(r.__dict__) for r, _ in memory.summary()]
        issues = [dict(i.__dict__) for i in memory.issues()]
        files = len(found)
    else:
        assert main(args) == 1
        data = json.loads(capsys.readouterr().out)
        rows, issues, files = data["rows"], data["issues"], data["files"]
    assert files == len(EXPECTED_ROWS) == 16
    got: dict[str, list] = {}
    for r in rows:
        got.setdefault(r["file"], []).append((r["sheet"], r["project"], r["checked"], r["agreed"], r["slips"],
                                              r["errors"], r["status"]))
    assert got == EXPECTED_ROWS
    assert list(got) == sorted(EXPECTED_ROWS)  # in the files' order
    assert len(rows) == 19  # 4 + 1 + 1 target forms + 4 自评表 + 3 evaluations + 6 unread
    # nothing twice: no row, no 问题清单 entry repeated, no file listed as a duplicate submission
    assert len({tuple(r.values()) for r in rows}) == len(rows)
    keyed = [(i["file"], i["sheet"], i["cell"], i["kind"], i["message"]) for i in issues]
    assert len(set(keyed)) == len(keyed)
    assert not [r for r in rows if r.get("duplicate")] and not [i for i in issues if i["kind"] == "重复"]
    # R28 across files: the copy is warned, naming the file and sheet it repeats; the original is not
    copied = [k for k in keyed if "R28" in k[4]]
    assert copied == _copy_warnings(grids)
    # every file that is not a target form without findings has its reasons in 问题清单; each unread one once
    by_file = {}
    for i in issues:
        by_file.setdefault(i["file"], []).append(i)
    # a: 1 + 2 + 1 errors and the R09 warning; c: the two R28 warnings; d: 6 slips; e: 6 errors + 1 warning
    # (the blank scores counted as 0); g: 2 errors; h: 6 slips; i: the error and 1 报告数据 row not checked
    counts = {name: len(found) for name, found in by_file.items()}
    assert counts == {"a目标表四种格式.xlsx": 5, "c目标表乙.xlsx": 2, "d自评表附1.xlsx": 6, "e自评表省级.xlsx": 7,
                      "g自评表表注.xlsx": 2, "h西山评价.xlsx": 6, "i无法评分.xlsx": 2,
                      **{name: 1 for name in EXPECTED_ROWS if name[0] in "jklmno"}}
    # 汇总.xlsx holds what the store holds: 19 rows, each file, and the counts line with the R28 warnings
    sheet = load_workbook(out)["汇总"]
    listed = [row for row in sheet.iter_rows(min_row=4, values_only=True) if isinstance(row[0], int)]
    assert [row[1] for row in listed] == [r["file"] for r in rows]
    # problem files: a, d, e, g, h, h2, i and the six unread = 13 (b, c, f pass); issues 5+2+6+7+2+6+2+6 = 36
    # (h2 has none in 问题清单: the terminal says why it is 未核对)
    line = sheet.cell(2, 1).value
    assert line.startswith("共 16 个文件、19 份评价或自评表；其中 13 个文件有差错、错误、未核对或无法读取，问题共 36 条")
    found = load_workbook(out)["问题清单"]
    assert sum(1 for row in found.iter_rows(values_only=True) if isinstance(row[0], int)) == 36


def test_copies_across_files_in_both_stores_and_after_a_resume(tmp_path):
    """R28 across files, store by store: a copy under another project is warned (once, at the later file,
    naming the first file that has it); the first project again is not a copy (compared, as within a
    workbook, with the first form that has the text, not with the copy); a goal copied alone gives
    the goal warning only; a resumed run (every file reused from the store) gives the same warnings."""
    from perfeval_xl.batch import discover, run_batch

    folder = tmp_path / "收件"
    folder.mkdir()
    _workbook(folder / "1甲.xlsx", [("助餐", "郑州", COPIED)])
    _workbook(folder / "2乙.xlsx", [("活动中心", "河南", COPY)])
    # the first project again (another unit, so not a duplicate submission): not a copy
    _workbook(folder / "3甲续.xlsx", [("助餐", "宝安", dict(COPIED, unit="另一单位"))])
    # the goal copied, the indicators not (培训人次 ≥600): only the goal's warning
    goal_only = tb.with_indicator(dict(COPIED, name="2024年第三个项目"), "培训人次", value="≥600人次")
    grids = _workbook(folder / "4丙.xlsx", [("丙", "101", goal_only)])
    files, _ = discover([folder])
    original = "文件“1甲.xlsx”的工作表“助餐”"
    expected = [("2乙.xlsx", "活动中心", "年度目标"), ("2乙.xlsx", "活动中心", "全部 6 个年度指标（名称和指标值）"),
                ("4丙.xlsx", "丙", "年度目标")]
    stores = [MemoryStore(), SqliteStore(tmp_path / "结果.sqlite")]
    for store in stores:
        for reused in (0, 4):
            assert run_batch(files, store, jobs=1, root=folder).reused == reused
            copies = [i for i in store.issues() if "R28" in i.message]
            assert [(i.file, i.sheet, i.message.split("与")[0]) for i in copies] == expected
            assert all(original in i.message and i.kind == "提示" for i in copies)
            assert copies[2].cell == grids["丙"].where["goal"]
            # counted in the head line's issues: 3 warnings, no other finding in these clean forms
            assert store.totals().issues == 3 and store.totals().problem_files == 0
    assert list(stores[0].issues()) == list(stores[1].issues())
    stores[1].close()
