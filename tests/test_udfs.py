"""The UDFs of perfeval_xl.udfs: values, ranges in/out and errors (direct calls), their
registration and calls through xlwings Server's own code (``custom_functions_meta`` /
``custom_functions_call``, ``XLWINGS_ON_SERVER=true`` for these tests only), and the
VBA that desktop xlwings generates for them (snapshot; pywin32 stubbed).

Set ``UPDATE_SNAPSHOTS=1`` to rewrite tests/snapshots/udfs_vba.txt after a deliberate change (the only way
it is written: a missing snapshot fails the test).
"""

from __future__ import annotations

import copy
import inspect
import io
import os
from pathlib import Path

import pytest
import xlwings_harness as harness
from xlwings_replay import book_payload

from perfeval_xl import udfs

ROOT = Path(__file__).resolve().parent.parent
XISHAN = ROOT / "sample_workbooks" / "西山区社区党组织服务群众专项经费2024.xlsx"
WUHUA = ROOT / "sample_workbooks" / "五华区五个先锋奖励经费2023.xlsx"
SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "udfs_vba.txt"
MODULE = "perfeval_xl.udfs"
NAMES = sorted(udfs.__all__)

STEP_SAT = "满分线=90%；每降=1%；扣=0.1"
STEP_FUNDS = "满分线=100%；每降=5%；扣=0.4%权重；计法=按比例"
CHECKLIST = "①a:0.5；②b:0.5；③c:0.5；④d:0.5"


def col(*values):
    return [[v] for v in values]


# --- values, straight through the functions ------------------------------------------


def test_rates_are_the_core_measures_rounded_to_a_hundredth_of_a_percent():
    assert udfs.ARRIVAL_RATE([[175312.57]], [[660000]]) == [[0.2656]]
    assert udfs.TIMELY_ARRIVAL_RATE([[175312.57]], [[660000]]) == [[0.2656]]
    assert udfs.EXECUTION_RATE([[58.3]], [[58.78]]) == [[0.9918]]
    assert udfs.COMPLETION_RATE([[6]], [[12]]) == [[0.5]]
    assert udfs.QUALITY_RATE([[6]], [[6]]) == [[1.0]]
    assert udfs.COST_SAVING_RATE([[175312.57]], [[660000]]) == [[0.7344]]
    assert udfs.COST_SAVING_RATE([[110]], [[100]]) == [[-0.1]]  # overspent
    assert udfs.TIMELINESS_RATE([[5]], [[6]]) == [[0.8333]]
    assert udfs.TIMELINESS_RATE([[5]], [[6]], [[0]]) == [[0.8333]]
    assert udfs.TIMELINESS_RATE([[396]], [[365]], [[1]]) == [[-0.0849]]
    assert udfs.TIMELINESS_RATE([[334]], [[365]], [["用时"]]) == [[0.0849]]


def test_a_column_in_gives_a_column_out_with_per_cell_errors():
    actual = col(175312.57, 5, "1,000", None, "#N/A", "x", -1, True, 3)
    budget = col(660000, 0, 4000, 3, 1, 1, 2, 1, "#REF!")
    assert udfs.ARRIVAL_RATE(actual, budget) == col(
        0.2656, "#DIV/0!", 0.25, "", "#N/A", "#VALUE!", "#NUM!", "#VALUE!", "#REF!")


def test_a_single_cell_broadcasts_against_a_column():
    assert udfs.ARRIVAL_RATE(col(1, 2, 3), [[4]]) == col(0.25, 0.5, 0.75)
    assert udfs.SCORE_STEP(col(0.83, 0.95, 0.2), [[7]], [[STEP_SAT]]) == col(6.3, 7.0, 0.0)


def test_shapes_that_do_not_fit_are_a_chinese_message():
    message = udfs.ARRIVAL_RATE(col(1, 2), col(1, 2, 3))
    assert isinstance(message, str) and message.startswith("参数错误") and "2×1" in message and "3×1" in message


def test_empty_optional_arguments_arrive_as_none_or_empty_cells():
    assert udfs.GRADE([[85]], None) == udfs.GRADE([[85]], [[None]]) == [["良"]]
    assert udfs.TIMELINESS_RATE([[5]], [[6]], None) == [[0.8333]]
    assert udfs.ARRIVAL_RATE(None, [[1]]) == [[""]]


def test_satisfaction_vectors_and_rows():
    assert udfs.SATISFACTION([[12, 22, 6]], col(1, 0.8, 0.6)) == [[0.83]]
    assert udfs.SATISFACTION(col(12, 22, 6), col("100%", "80%", "60%")) == [[0.83]]
    rows = [[12, 22, 6], [0, 0, 0], [40, None, None], [None, None, None], [1, 1, -1]]
    assert udfs.SATISFACTION(rows, [[1, 0.8, 0.6]]) == [[0.83], ["#DIV/0!"], [1.0], [""], ["满意度无法计算：人数不能为负数"]]
    assert udfs.SATISFACTION([[1, 2]], [[1, 0.8, 0.6]]).startswith("参数错误")
    assert udfs.SATISFACTION([[1, 2], [3, 4]], [[1, 0.8, 0.6]]).startswith("参数错误")


def test_composite_satisfaction():
    assert udfs.COMPOSITE_SATISFACTION(col(0.99, 0.997, 0.989), col(0.4, 0.3, 0.3)) == [[0.9918]]
    by_unit = [[0.99, 0.997, 0.989], [0.9808, 0.9694, 0.978]]
    assert udfs.COMPOSITE_SATISFACTION(by_unit, [[0.4, 0.3, 0.3]]) == [[0.9918], [0.9765]]
    assert udfs.COMPOSITE_SATISFACTION(col(0.9, 0.8), col(0.5, 0.4)) == [["综合满意度无法计算：权重合计为 90.0%，应为 100%"]]


def test_grade_and_rounding():
    assert udfs.GRADE(col(88.51, 90, 80, 79.99, 60, 59.99, None)) == col("良", "优", "良", "中", "中", "差", "")
    assert udfs.GRADE([[85]], col(85, 75, 60)) == [["优"]]
    assert udfs.GRADE([[85]], col(85, 75)).startswith("参数错误")
    assert udfs.GRADE([[85]], col(60, 75, 85)).startswith("参数错误")
    assert udfs.ROUND_HALF_UP([[2.675]], [[2]]) == [[2.68]]
    assert udfs.ROUND_HALF_UP(col(1.005, 0.125, 1234.5, -2.5), col(2, 2, -2, 0)) == col(1.01, 0.13, 1200.0, -3.0)
    assert udfs.ROUND_HALF_UP([[1]], [[1.5]]) == [["#NUM!"]]


def test_rule_helpers_score_like_the_rules():
    assert udfs.SCORE_RATIO([[0.9918]], [[5]]) == [[4.96]]
    assert udfs.SCORE_RATIO([[0.81]], [[5]], [["90%"]]) == [[4.5]]
    assert udfs.SCORE_RATIO([[0.81]], [[5]], [[0.9]]) == [[4.5]]
    assert udfs.SCORE_RATIO([[1.2]], [[5]], None, [["反向"]]) == [[4.17]]
    assert udfs.SCORE_RATIO([[1]], [[5]], None, [["斜向"]])[0][0].startswith("规则参数有误")
    assert udfs.SCORE_STEP([[0.83]], [[7]], [[STEP_SAT]]) == [[6.3]]
    assert udfs.SCORE_STEP([[0.2656]], [[2]], [[STEP_FUNDS]]) == [[1.88]]
    assert udfs.SCORE_STEP([[0.5]], [[9]], [["满分线=100%；每降=10%；扣=1；零分线=50%"]]) == [[4.0]]
    assert udfs.SCORE_STEP([[0.5]], [[9]], [["满分线=100%"]])[0][0].startswith("规则参数有误：阶梯扣分缺少参数")
    bands = "≥90%:10；≥85%:8；≥80%:6；≥75%:4；≥70%:2；其他:0"
    assert udfs.SCORE_BANDS(col(0.9918, 0.86, 0.5), [[10]], [[bands]]) == col(10.0, 8.0, 0.0)
    assert udfs.SCORE_TIERS([[0.85]], [[2]], [["≥100%:2；≥90%:1；其下每降1%扣0.1"]]) == [[0.5]]
    assert udfs.SCORE_FORMULA([["分值*(1-(1-值)*100/5*0.4%)"]], [[2]], [[0.2656]]) == [[1.88]]
    assert udfs.SCORE_FORMULA([["分值*min(值/目标,1)"]], [[5]], [[0.45]], [["50%"]]) == [[4.5]]
    assert udfs.SCORE_FORMULA([["分值*资金到位率"]], [[2]]) == [["无法取得“资金到位率”"]]
    assert udfs.SCORE_FORMULA([["1/0"]], [[2]])[0][0] != "#VALUE!"  # the core's own message


def test_checklist_and_qualitative():
    assert udfs.SCORE_CHECKLIST(col("是", "是", "否", "是"), [[2]], [[CHECKLIST]]) == [[1.5]]
    assert udfs.SCORE_CHECKLIST([["是", "是", 0.25, "是"]], [[2]], [[CHECKLIST]]) == [[1.75]]
    rows = [["是", "是", "否", "是"], ["是", "是", "是", "是"], ["是", "也许", "否", "是"]]
    result = udfs.SCORE_CHECKLIST(rows, [[2]], [[CHECKLIST]])
    assert result[:2] == [[1.5], [2.0]] and "要点②的达成情况应填“是”或“否”" in result[2][0]
    assert udfs.SCORE_CHECKLIST(col("是", "是"), [[2]], [[CHECKLIST]]) == [["参数错误：要点有 4 项，达成情况有 2 个"]]
    assert udfs.SCORE_CHECKLIST(col("是"), [[3]], [[CHECKLIST]])[0][0].startswith("规则参数有误：各要点分数合计")
    assert udfs.SCORE_QUALITATIVE([["粗略"]], [[4]], [["健全:4；粗略:2；未制定:0"]]) == [[2.0]]
    assert udfs.SCORE_QUALITATIVE(col("达成", "部分达成"), [[4]], None, col(3.5, 3)) == col(3.5, 3.0)
    assert "请在得分列填写具体分数" in udfs.SCORE_QUALITATIVE([["部分达成"]], [[4]])[0][0]
    assert "等级“达成”的范围是 3.2–4 分，得分填写了 1" in udfs.SCORE_QUALITATIVE([["达成"]], [[4]], None, [[1]])[0][0]


def test_nothing_raises_whatever_comes_in():
    weird = [None, "", "x", "#DIV/0!", True, float("nan"), float("inf"), [[None]], [[]], [], [[1, "a"], [None]],
             (("是",),), -1e300, 1e300]
    for name in NAMES:
        func = getattr(udfs, name)
        nparams = len(inspect.signature(func).parameters)
        for value in weird:
            result = func(*([value] * nparams))
            assert isinstance(result, (str, list)), (name, value)
            if isinstance(result, list):
                assert all(isinstance(v, (float, str)) for row in result for v in row), (name, value, result)
                assert not any("Traceback" in v for row in result for v in row if isinstance(v, str))


def test_indicator_score_needs_a_calling_workbook():
    assert udfs.INDICATOR_SCORE([["A4"]]) == "INDICATOR_SCORE 只能在桌面 Excel 中由评价工作簿的单元格调用"


# --- xlwings Server: registration and calls ------------------------------------------


@pytest.fixture
def server():
    with harness.server_mode(MODULE) as (module, server_module):
        yield module, server_module


def test_server_meta_names_descriptions_and_parameter_help(server):
    module, server_module = server
    meta = server_module.custom_functions_meta(module)
    functions = {f["name"]: f for f in meta["functions"]}
    assert sorted(functions) == NAMES
    for name, function in functions.items():
        python = getattr(module, name)
        assert function["description"] == python.__doc__
        assert "\n" not in python.__doc__ and len(python.__doc__) <= 255
        params = inspect.signature(python).parameters
        assert [p["name"] for p in function["parameters"]] == list(params)
        for p in function["parameters"]:
            assert p["description"] and not p["description"].startswith("Positional"), (name, p["name"])
            assert p["dimensionality"] == "matrix"
            assert p.get("optional", False) == (params[p["name"]].default is not inspect.Parameter.empty)
    assert functions["INDICATOR_SCORE"]["options"].get("volatile") is True
    assert "volatile" not in functions["ARRIVAL_RATE"]["options"]


def test_server_calls_column_in_column_out(server):
    module, server_module = server
    call = lambda name, *args: harness.call_server(server_module, module, name, list(args))  # noqa: E731
    div0 = {"type": "Error", "errorType": "Div0"}
    error_cell = {"type": "Error", "basicValue": "#REF!", "errorType": "Ref"}
    assert call("ARRIVAL_RATE", [[175312.57], [5], [None], [error_cell]], [[660000], [0], [1], [1]]) == [
        [0.2656], [div0], [""], [{"type": "Error", "errorType": "Ref"}]]
    assert call("ARRIVAL_RATE", [[1]], [[4]]) == [[0.25]]
    assert call("ARRIVAL_RATE", [[1], [2]], [[1], [2], [3]])[0][0].startswith("参数错误")
    assert call("GRADE", [[88.51], [95]], [[None]]) == [["良"], ["优"]]
    assert call("TIMELINESS_RATE", [[396]], [[365]], [[1]]) == [[-0.0849]]
    assert call("TIMELINESS_RATE", [[5]], [[6]], [[None]]) == [[0.8333]]
    assert call("SATISFACTION", [[12, 22, 6]], [[1, 0.8, 0.6]]) == [[0.83]]
    assert call("SCORE_STEP", [[0.83], [0.2]], [[7]], [[STEP_SAT]]) == [[6.3], [0.0]]
    assert call("ROUND_HALF_UP", [[2.675]], [[2]]) == [[2.68]]
    assert call("SCORE_QUALITATIVE", [["达成"]], [[4]], [[None]], [[3.5]]) == [[3.5]]


def _mock_book(path):
    import xlwings as xw  # the fresh, licensed xlwings of server_mode

    book = xw.Book(json=copy.deepcopy(book_payload(path, xw.__version__)))
    book.set_mock_caller()
    return xw, book


def test_indicator_score_scores_the_calling_workbook(server, monkeypatch):
    module, server_module = server
    module.clear_memo()
    xw, book = _mock_book(XISHAN)
    try:
        na = {"type": "Error", "errorType": "NotAvailable"}
        got = harness.call_server(server_module, module, "INDICATOR_SCORE",
                                  [[["A4"], ["D3"], ["C1"], ["总分"], ["ZZ"], [None]], [[None]]])
        assert got == [[1.88], [6.3], [4.0], [88.51], [na], [""]]
        assert harness.call_server(server_module, module, "INDICATOR_SCORE", [[["A4"]], [["永顺里"]]]) == [[na]]
    finally:
        del xw.Book._mock_caller
    assert book.json()["actions"] == []  # scoring a cell writes nothing


def test_indicator_score_per_unit(server):
    module, server_module = server
    module.clear_memo()
    xw, _book = _mock_book(WUHUA)
    try:
        from perfeval_xl.io.snapshot import read_snapshot
        from perfeval_xl.pipeline import score_snapshot

        evaluation = score_snapshot(read_snapshot(WUHUA)).evaluation
        unit = evaluation.units[1]
        expected = [[float(s.score)] for s in unit.indicators]
        codes = [[s.code] for s in unit.indicators]
        assert harness.call_server(server_module, module, "INDICATOR_SCORE", [codes, [[unit.name]]]) == expected
        assert harness.call_server(server_module, module, "INDICATOR_SCORE", [[["总分"]], [[None]]]) == [
            [float(evaluation.total)]]
        # no unit: the project's mean of the indicator, as in 得分汇总's 平均分 row
        # A3 绩效目标合理性: 1 for nine units and 2 for 华山 → 11 / 10 = 1.10
        assert harness.call_server(server_module, module, "INDICATOR_SCORE", [[["A3"]], [[None]]]) == [[1.1]]
        assert harness.call_server(server_module, module, "INDICATOR_SCORE", [[["Z9"]], [[None]]]) == [
            [{"type": "Error", "errorType": "NotAvailable"}]]
    finally:
        del xw.Book._mock_caller


def test_indicator_score_reads_the_workbook_once_per_burst(server, monkeypatch):
    module, server_module = server
    module.clear_memo()
    from perfeval_xl import excel

    from perfeval_xl import pipeline

    reads, scorings = [], []
    real_read, real_score = excel.read_book_snapshot, pipeline.score_snapshot
    monkeypatch.setattr(excel, "read_book_snapshot", lambda book: reads.append(book) or real_read(book))
    monkeypatch.setattr(pipeline, "score_snapshot", lambda snap: scorings.append(1) or real_score(snap))
    xw, _book = _mock_book(XISHAN)
    try:
        for code in ("A1", "A2", "A3", "A4"):
            harness.call_server(server_module, module, "INDICATOR_SCORE", [[[code]], [[None]]])
        assert (len(reads), len(scorings)) == (1, 1)
        monkeypatch.setattr(module, "MEMO_SECONDS", 0)  # the burst is over: read again, reuse the score
        harness.call_server(server_module, module, "INDICATOR_SCORE", [[["A1"]], [[None]]])
        assert (len(reads), len(scorings)) == (2, 1)
        # the evaluator changes a figure: the next read scores again
        payload = book_payload(XISHAN, xw.__version__)
        funds = next(s for s in payload["sheets"] if s["name"] == "资金情况")["values"]
        column = funds[1].index("实际到位")
        funds[2][column] = 660000
        xw.Book(json=payload).set_mock_caller()
        assert harness.call_server(server_module, module, "INDICATOR_SCORE", [[["A4"]], [[None]]]) == [[2.0]]
        assert (len(reads), len(scorings)) == (3, 2)
    finally:
        del xw.Book._mock_caller


def test_indicator_score_on_a_book_that_is_no_template(server, tmp_path):
    module, server_module = server
    module.clear_memo()
    from openpyxl import Workbook

    path = tmp_path / "other.xlsx"
    Workbook().save(path)
    xw, _book = _mock_book(path)
    try:
        got = harness.call_server(server_module, module, "INDICATOR_SCORE", [[["A1"]], [[None]]])
    finally:
        del xw.Book._mock_caller
    assert got[0][0].startswith("不是有效的评价模板：项目信息!A1")


# --- desktop: the VBA xlwings generates ----------------------------------------------


def vba_snapshot() -> str:
    with harness.desktop_mode(MODULE) as (module, xl_udfs):
        assert harness.vba_problems(module) == []
        buffer = io.StringIO()
        xl_udfs.generate_vba_wrapper(MODULE, module, buffer, harness.FakeComWorkbook())
        book = harness.FakeComWorkbook()
        xl_udfs.import_udfs(MODULE, book)
    lines = [buffer.getvalue().rstrip(), "", "' --- Application.MacroOptions ---"]
    for name in sorted(book.macro_options):
        options = book.macro_options[name]
        lines.append(f"' {name} [{options['Category']}]: {options['Description']}")
        lines += [f"'     {i + 1}. {text}" for i, text in enumerate(options["ArgumentDescriptions"])]
    return "\n".join(lines) + "\n"


def test_vba_wrappers_snapshot():
    """The generated VBA equals the committed snapshot.  A missing snapshot is a failure, never written
    silently: after a deliberate change regenerate it with
    ``UPDATE_SNAPSHOTS=1 python -m pytest tests/test_udfs.py -k snapshot`` and commit the file."""
    text = vba_snapshot()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert SNAPSHOT.is_file(), f"{SNAPSHOT.name} is missing: regenerate it with UPDATE_SNAPSHOTS=1 and commit it"
    assert text == SNAPSHOT.read_text(encoding="utf-8")


def test_vba_wrappers_have_every_function_with_its_signature():
    text = vba_snapshot()
    for name in NAMES:
        params = inspect.signature(getattr(udfs, name)).parameters.values()
        args = ", ".join(("Optional " if p.default is not inspect.Parameter.empty else "") + p.name for p in params)
        assert f"Function {name}({args})" in text
        assert f"' {name} [绩效评价]: " in text
    assert "Application.Volatile" in text.split("Function INDICATOR_SCORE")[1].split("End Function")[0]


def test_docs_list_every_function_with_its_real_signature():
    docs = (ROOT / "docs" / "excel.md").read_text(encoding="utf-8")
    for name in NAMES:
        params = inspect.signature(getattr(udfs, name)).parameters.values()
        required = [p.name for p in params if p.default is inspect.Parameter.empty]
        optional = [p.name for p in params if p.default is not inspect.Parameter.empty]
        signature = f"{name}({', '.join(required)}" + "".join(f"[, {p}]" for p in optional) + ")"
        assert f"`{signature}`" in docs, signature
