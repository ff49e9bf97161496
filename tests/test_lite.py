"""``perfeval addin lite``: the generated ``main.py`` run the way xlwings Lite runs it.

xlwings is imported with ``XLWINGS_ON_SERVER=true`` (what Lite does; ``XLWINGS_LICENSE_KEY=noncommercial``
for these tests only), the generated ``main.py`` is imported from the output folder, its scripts are called
through ``xlwings.server.custom_scripts_call`` on ``xw.Book(json=...)`` — each sample as the xlwings client
sends it (only the sheets the script's ``include``/``exclude`` asks for loaded, only names of type range)
— and the queued
Office.js actions are replayed (tests/xlwings_replay.py, the desktop path's replay).  Totals are the seed
reports' (西山 88.51 良, 五华 90.77 优) and every output sheet equals the command line's plan.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import importlib.util
import sys
from pathlib import Path

import pytest
import xlwings_harness as harness
from hypothesis import given
from hypothesis import strategies as st
from xlwings_replay import Replay, book_payload, lite_payload

from perfeval_xl import excel, lite
from perfeval_xl.cli import main as cli_main
from perfeval_xl.io.ownership import mark_name, mark_reference
from perfeval_xl.pipeline import score_file
from perfeval_xl.review import review_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {
    "五华区五个先锋奖励经费2023.xlsx": ("90.77", "优"),
    "西山区社区党组织服务群众专项经费2024.xlsx": ("88.51", "良"),
}


@contextlib.contextmanager
def lite_main(folder: Path):
    """(main module, xlwings, xlwings.server) as xlwings Lite has them after loading ``folder/main.py``."""
    with harness.fresh_xlwings(harness.SERVER_ENV) as xw:
        server = importlib.import_module("xlwings.server")
        harness._purge("perfeval_xl.udfs")  # decorated afresh by Lite's xw.func
        spec = importlib.util.spec_from_file_location("main", folder / "main.py")
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
            yield module, xw, server
        finally:
            harness._purge("perfeval_xl.udfs")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lite")
    assert cli_main(["addin", "lite", "-o", str(folder)]) == 0
    return folder


def run_script(xw, server, module, name: str, payload: dict):
    book = xw.Book(json=copy.deepcopy(payload))
    asyncio.run(server.custom_scripts_call(module, name, typehint_to_value={xw.Book: book}))
    return book.json()["actions"]


def test_requirements_pin_xlwings_and_name_the_package(generated):
    lines = (generated / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert lines == ["xlwings==0.37.8", "perfeval-xl==0.1.0"]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"xlwings==0.37.8"' in pyproject  # the version the desktop add-in pins too


def test_wheel_url_replaces_the_package_name(tmp_path):
    url = "https://example.org/wheels/perfeval_xl-0.1.0-py3-none-any.whl"
    assert cli_main(["addin", "lite", "-o", str(tmp_path), "--wheel-url", url]) == 0
    assert (tmp_path / "requirements.txt").read_text(encoding="utf-8") == f"xlwings==0.37.8\n{url}\n"


def test_an_unwritable_folder_is_a_chinese_message(tmp_path, capsys):
    blocker = tmp_path / "不是文件夹"
    blocker.write_text("x", encoding="utf-8")
    assert cli_main(["addin", "lite", "-o", str(blocker)]) == 2
    err = capsys.readouterr().err
    assert err == f"错误：“{blocker}”已存在且不是文件夹；-o 应给出保存 main.py 和 requirements.txt 的文件夹\n"
    assert blocker.read_text(encoding="utf-8") == "x"


def test_scripts_and_custom_functions_are_registered(generated):
    with lite_main(generated) as (module, _xw, server):
        scripts = {s["name"]: s for s in server.custom_scripts_meta(module)}
        functions = {f["name"]: f for f in server.custom_functions_meta(module)["functions"]}
    assert sorted(scripts) == ["复核", "评分"]
    # every sheet loaded: the client sends a sheet's own names (the ownership marks) only with the sheet
    assert all(not scripts[name].get("include") and not scripts[name].get("exclude") for name in scripts)
    assert sorted(functions) == sorted(lite.lite_udfs())
    # the 19 UDFs of docs/excel.md §8 but INDICATOR_SCORE, which reads the calling workbook
    assert len(functions) == 18 and "INDICATOR_SCORE" not in functions and "SCORE_FORMULA" in functions
    assert functions["ARRIVAL_RATE"]["description"].startswith("资金到位率")


def test_a_custom_function_answers_as_in_the_desktop_add_in(generated):
    with lite_main(generated) as (module, _xw, server):
        # 西山's 资金到位率: 175,312.57 / 660,000.00 = 26.56% (the seed report's figure, rounded half up)
        assert harness.call_server(server, module, "ARRIVAL_RATE", [[[175312.57]], [[660000]]]) == [[0.2656]]
        assert harness.call_server(server, module, "GRADE", [[[88.51]], [[""]]]) == [["良"]]


@pytest.mark.slow
@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_score_script_scores_the_open_workbook(generated, sample, tmp_path):
    path = ROOT / "sample_workbooks" / sample
    file_scored = score_file(path, tmp_path / "scored.xlsx")
    total, grade = SAMPLES[sample]
    assert (f"{file_scored.evaluation.total:.2f}", file_scored.evaluation.grade) == (total, grade)
    with lite_main(generated) as (module, xw, server):
        meta = {s["name"]: s for s in server.custom_scripts_meta(module)}["评分"]
        payload = lite_payload(book_payload(path, xw.__version__), meta)
        actions = run_script(xw, server, module, meta["function_name"], payload)
    replay = Replay(payload).run(actions)
    prompt = replay.alerts[-1][0]
    assert f"得分 {total} 分，等级“{grade}”" in prompt
    inputs = [s["name"] for s in payload["sheets"]]
    assert replay.names == inputs + file_scored.plan.names
    assert not any(replay.sheet(name).touched for name in inputs)
    for plan in file_scored.plan.sheets:  # every output sheet holds what the command line writes
        got = replay.sheet(plan.name)
        expected = {(r, c): v for r, c, v, _style in plan.cells if v not in (None, "")}
        values = {cell: value for cell, value in got.values.items()}
        assert values == {cell: (float(v) if hasattr(v, "as_tuple") else v) for cell, v in expected.items()}, plan.name



def _run(generated, script: str, payload_of):
    """Run ``script`` of the generated main.py on the payload ``payload_of(xw, meta)`` builds, as the
    client sends it to that script; (payload, replay of its actions)."""
    with lite_main(generated) as (module, xw, server):
        meta = {s["name"]: s for s in server.custom_scripts_meta(module)}[script]
        payload = lite_payload(payload_of(xw), meta)
        actions = run_script(xw, server, module, meta["function_name"], payload)
    return payload, Replay(payload).run(actions)


@pytest.mark.slow
@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_score_script_run_again_replaces_its_sheets_and_keeps_a_renamed_one(generated, sample, tmp_path):
    """The second 评分 in Lite, on the book the first left: the client sends only range names (never
    the definition of one, never a name whose value is a constant).  The script must see its own
    sheets by their marks and replace them, and keep the sheet the user renamed to keep it."""
    path = ROOT / "sample_workbooks" / sample
    file_scored = score_file(path, tmp_path / "scored.xlsx")
    total, grade = SAMPLES[sample]
    renamed = file_scored.plan.names[1]  # 西山's 评分表, 五华's 评分表-西翥
    kept = renamed + "（上次）"
    first, replay = _run(generated, "评分", lambda xw: book_payload(path, xw.__version__))
    replay.rename(renamed, kept)  # what the user does to keep last time's sheet
    second, again = _run(generated, "评分", lambda xw: replay.payload(xw.__version__))
    assert any(n["name"] == mark_name(renamed) and n["scope_sheet_name"] == kept for n in second["names"])
    assert f"得分 {total} 分，等级“{grade}”" in again.alerts[-1][0]
    inputs = [s["name"] for s in first["sheets"]]
    assert again.names == inputs + [kept] + file_scored.plan.names  # ours replaced, after the kept one
    assert again.counts["sheetDelete"] == len(file_scored.plan.names) - 1
    assert not again.sheet(kept).touched and again.sheet(kept).values == replay.sheet(kept).values
    assert not any(again.sheet(name).touched for name in inputs)
    for plan in file_scored.plan.sheets:
        got = again.sheet(plan.name)
        expected = {(r, c): v for r, c, v, _style in plan.cells if v not in (None, "")}
        assert got.values == {cell: (float(v) if hasattr(v, "as_tuple") else v) for cell, v in expected.items()}
        assert got.defined == {mark_name(plan.name): "=" + mark_reference(plan.name)}
    # and a third run sees the second's sheets as ours too: nothing is in the way, nothing is left twice
    third, last = _run(generated, "评分", lambda xw: again.payload(xw.__version__))
    assert last.names == inputs + [kept] + file_scored.plan.names
    assert f"得分 {total} 分" in last.alerts[-1][0]


@pytest.mark.slow
@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_review_script_finds_the_slips_the_command_line_finds(generated, sample, tmp_path):
    path = ROOT / "sample_workbooks" / sample
    file_reviewed = review_file(path, tmp_path / "reviewed.xlsx")
    with lite_main(generated) as (module, xw, server):
        meta = {s["name"]: s for s in server.custom_scripts_meta(module)}["复核"]
        payload = lite_payload(book_payload(path, xw.__version__), meta)
        actions = run_script(xw, server, module, meta["function_name"], payload)
    replay = Replay(payload).run(actions)
    result = file_reviewed.result
    prompt = replay.alerts[-1][0]
    assert f"核对报告印出的数字 {result.checked} 个，一致 {result.agreed} 个，差错 {len(result.slips)} 个" in prompt
    assert f"复算得分 {SAMPLES[sample][0]} 分" in prompt
    review_sheet = next(p for p in file_reviewed.plan.sheets if p.name == "复核意见")
    got = replay.sheet("复核意见").values
    assert {(r, c): v for r, c, v, _s in review_sheet.cells if v not in (None, "")} == got



@pytest.mark.slow
def test_review_script_after_score_and_again_reads_and_replaces_only_its_sheets(generated, tmp_path):
    """评分, then 复核 twice, on the book each run leaves (西山): 复核 skips the output sheets by their marks
    (it finds what it finds on the bare sample) and replaces its own sheets instead of refusing them."""
    path = ROOT / "sample_workbooks" / "西山区社区党组织服务群众专项经费2024.xlsx"
    file_reviewed = review_file(path, tmp_path / "reviewed.xlsx")
    result = file_reviewed.result
    expected = f"核对报告印出的数字 {result.checked} 个，一致 {result.agreed} 个，差错 {len(result.slips)} 个"
    first, scored = _run(generated, "评分", lambda xw: book_payload(path, xw.__version__))
    _second, reviewed = _run(generated, "复核", lambda xw: scored.payload(xw.__version__))
    _third, again = _run(generated, "复核", lambda xw: reviewed.payload(xw.__version__))
    for run in (reviewed, again):
        assert expected in run.alerts[-1][0] and "没有本工具写出的标记" not in run.alerts[-1][0]
    inputs = [s["name"] for s in first["sheets"]]
    assert reviewed.names == again.names == inputs + file_reviewed.plan.names
    scored_outputs = len(scored.names) - len(inputs)  # every one of ours goes, written again or not
    assert reviewed.counts["sheetDelete"] == scored_outputs
    assert again.counts["sheetDelete"] == len(reviewed.names) - len(inputs)
    assert again.sheet("复核意见").values == reviewed.sheet("复核意见").values

# --- fewer Office.js actions -----------------------------------------------------------------------------

def apply_strokes(strokes):
    sizes = {}
    for size, first, last in strokes:
        for index in range(first, last + 1):
            sizes[index] = size
    return sizes


def test_a_size_common_to_a_stretch_is_set_once_and_the_others_over_it():
    # rows 0..4 alternate 10/20: one stroke of 10 over all five, then 20 on rows 1 and 3 (3 instead of 5 runs)
    strokes = excel.size_strokes({0: 10, 1: 20, 2: 10, 3: 20, 4: 10})
    assert strokes == [(10, 0, 4), (20, 1, 1), (20, 3, 3)]
    # a row without a planned height is never painted over: 0 and 2 stay two strokes
    assert excel.size_strokes({0: 10, 2: 10}) == [(10, 0, 0), (10, 2, 2)]


@given(st.dictionaries(st.integers(0, 40), st.sampled_from([15.0, 18.75, 30.0, 48.75]), max_size=40))
def test_size_strokes_leave_every_size_and_touch_nothing_else(sizes):
    strokes = excel.size_strokes(sizes)
    assert apply_strokes(strokes) == sizes
    runs = sum(len(r) for _, r in excel.size_groups(sizes))
    assert len(strokes) <= runs  # never more calls than one per run of equal sizes


@pytest.mark.parametrize("sample, before", [("五华区五个先锋奖励经费2023.xlsx", 2250),
                                            ("西山区社区党组织服务群众专项经费2024.xlsx", 813)])
def test_a_run_queues_fewer_actions_than_before(sample, before):
    """At commit 0b2fa3c a 评分 queued 2,250 actions for 五华 and 813 for 西山 (bench/bench_lite_actions.py);
    the formats are still exactly the plan's (tests/test_excel_remote.py replays them cell by cell)."""
    with harness.fresh_xlwings({"XLWINGS_LICENSE_KEY": "noncommercial"}) as xw:
        book = xw.Book(json=book_payload(ROOT / "sample_workbooks" / sample, xw.__version__))
        assert excel.score_book(book) is not None
        count = len(book.json()["actions"])
    assert count < before * 0.95
