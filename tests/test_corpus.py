"""The malformed-input corpus (tests/corpus_gen.py) through the command line.

For every variant: no traceback, the declared exit status (2 refused; 1 scored with
an error finding; 0 benign), a message naming the sheet and cell (or, for a file
that is not a workbook at all, the file), and the input file byte-identical
afterwards.  The variants run in-process (``perfeval_xl.cli.main``), spread over the
machine's cores; a handful also run through a real ``perfeval`` subprocess.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

import corpus_gen
from corpus_gen import Variant, all_variants, write_variant

#: the corpus is generated once per run (about half a minute): left out of the fast loop
pytestmark = pytest.mark.slow

VARIANTS = all_variants()
BY_ID = {v.id: v for v in VARIANTS}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(source: str, output: str) -> dict:
    """``perfeval score SOURCE -o OUTPUT --json`` in this process; never raises."""
    from perfeval_xl.cli import main

    out, err = io.StringIO(), io.StringIO()
    before = _digest(Path(source)) if Path(source).is_file() else None
    crash = None
    code = None
    with pytest.MonkeyPatch.context() as patch:  # restored afterwards: other tests see the environment they had
        patch.setenv("PERFEVAL_DEBUG", "1")  # an unexpected exception must surface, not become a message
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["score", source, "-o", output, "--json"])
        except SystemExit as exc:  # argparse
            code = exc.code
        except BaseException:  # noqa: BLE001 - reported by the test
            crash = traceback.format_exc()
    after = _digest(Path(source)) if Path(source).is_file() else None
    return {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue(), "crash": crash,
            "unchanged": before == after}


def _run_one(args: tuple[str, str]) -> dict:
    return run_cli(*args)


@pytest.fixture(scope="session")
def baseline(tmp_path_factory) -> dict[str, float]:
    """The samples' totals, as perfeval scores them."""
    folder = tmp_path_factory.mktemp("baseline")
    totals = {}
    for sample, path in corpus_gen.SAMPLE_PATHS.items():
        copy = folder / path.name
        copy.write_bytes(path.read_bytes())
        result = run_cli(str(copy), str(folder / f"{sample}_out.xlsx"))
        assert result["code"] == 0, result
        totals[sample] = json.loads(result["stdout"])["total"]
    return totals


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict[str, tuple[Path, corpus_gen.Built, dict]]:
    """Every variant written to disk and scored once (in parallel); results by variant id."""
    folder = tmp_path_factory.mktemp("corpus")
    jobs, built = [], {}
    for variant in VARIANTS:
        path, b = write_variant(variant, folder)
        built[variant.id] = (path, b)
        jobs.append((str(path), str(folder / f"{variant.id}_out.xlsx")))
    workers = max(1, min(4, os.cpu_count() or 1))
    if workers > 1:
        import multiprocessing

        context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            results = list(pool.map(_run_one, jobs, chunksize=4))
    else:  # pragma: no cover - single core
        results = [_run_one(job) for job in jobs]
    return {v.id: (built[v.id][0], built[v.id][1], r) for v, r in zip(VARIANTS, results, strict=True)}


#: what the corpus holds, per sample and expected exit status: a variant that silently stopped being built
#: (or a sample that went missing) changes these counts
COUNTS = {("xishan", 0): 64, ("xishan", 1): 147, ("xishan", 2): 78, ("wuhua", 0): 11, ("wuhua", 1): 41, ("wuhua", 2): 1}

#: variants that cannot point at one cell (the file as a whole is refused, or a change shows up elsewhere):
#: the phrase their message must carry, by id (a regular expression over the id)
WHOLE_FILE = {
    r"xishan-(empty-file|text-file|random-bytes|truncated-[0-9.]+)": "不是有效的 .xlsx 文件（文件已损坏、未下载完整",
    r"xishan-ole-encrypted": "设置了打开密码（已加密）",
    r"xishan-xls-suffix": "是 .xls 格式，perfeval 只能读写 .xlsx 和 .xlsm",
    r"xishan-ods-suffix": "是 .ods 格式，perfeval 只能读写 .xlsx 和 .xlsm",
    r"xishan-txt-suffix": "不是 Excel 工作簿（应为 .xlsx 或 .xlsm）",
    r"xishan-corrupt-(sheet|indicator)-bytes": "已损坏，无法读取",
    r"xishan-no-workbook-part": "缺少 workbook.xml 部件",
    r"xishan-no-sheet-part": "资金情况!A1：无法评分：无法读取工作表“资金情况”",
    r"xishan-no-content-types": "缺少部件 [Content_Types].xml",
    r"xishan-no-root-rels": "缺少部件 _rels/.rels",
    r"xishan-no-styles-part": "工作簿缺少样式表 xl/styles.xml，无法写入评分结果",
    r"xishan-(billion-laughs|xxe-file|xxe-http|param-entity|doctype-only|utf16-doctype)-in-sheet":
        "的工作表“资金情况”含有 DOCTYPE/ENTITY 声明",
    r"xishan-(billion-laughs|xxe-file|param-entity)-in-workbook": "的工作簿目录（部件 xl/workbook.xml）含有 DOCTYPE/ENTITY 声明",
    r"xishan-(billion-laughs|xxe-file|param-entity)-in-styles": "的样式表（部件 xl/styles.xml）含有 DOCTYPE/ENTITY 声明",
    r"xishan-(billion-laughs|xxe-file|param-entity)-in-content-types":
        "的部件类型表（部件 [Content_Types].xml）含有 DOCTYPE/ENTITY 声明",
    r"xishan-(billion-laughs|xxe-file|param-entity)-in-root-rels": "的部件关系表（部件 _rels/.rels）含有 DOCTYPE/ENTITY 声明",
    r"xishan-(billion-laughs|xxe-file|param-entity)-in-workbook-rels":
        "的部件关系表（部件 xl/_rels/workbook.xml.rels）含有 DOCTYPE/ENTITY 声明",
    r"xishan-(billion-laughs|xxe-file|param-entity)-in-core-props": "的文档属性（部件 docProps/core.xml）含有 DOCTYPE/ENTITY 声明",
    r"xishan-billion-laughs-in-shared-strings": "的共享字符串表（部件 xl/sharedStrings.xml）含有 DOCTYPE/ENTITY 声明",
    r"wuhua-wuhua-billion-laughs": "的工作表“人员名册”含有 DOCTYPE/ENTITY 声明",
    r"xishan-zip-bomb-part": "的图片等附件（部件 xl/media/bomb.bin）压缩比超过 100 倍",
    r"xishan-zip-bomb-sheet": "的工作表“资金情况”压缩比超过 100 倍",
    r"xishan-too-many-parts": "个部件，超过上限 5000，不像正常的工作簿，已拒绝打开",
    r"xishan-duplicate-part": "中的工作表“资金情况”出现了两次",
    r"xishan-encrypted-entry": "中的工作表“资金情况”已加密，无法读取",
    r"xishan-strict-open-xml": "是以“Strict Open XML 电子表格”格式保存的，perfeval 不能读写这种格式",
    r"wuhua-injection-unit-short-name": "=1+1：指标 B1预算执行率：“资金情况”中没有=1+1的数据",
    # round three (issue 20): parts an output cannot carry, other formats
    **{rf"xishan-{name}": phrase for name, (_, phrase) in corpus_gen.CARRIED.items()},
}


def _whole_file_phrase(variant_id: str) -> str:
    (phrase,) = [p for pattern, p in WHOLE_FILE.items() if re.fullmatch(pattern, variant_id)]
    return phrase


def test_corpus_counts():
    assert len(VARIANTS) == sum(COUNTS.values()) == 342
    assert Counter((v.sample, v.expect) for v in VARIANTS) == COUNTS


def test_every_variant_without_a_cell_has_its_own_expected_message():
    whole = [v.id for v in VARIANTS if v.expect and v.build(corpus_gen.layout(v.sample)).where is None]
    assert len(whole) == 63
    for variant_id in whole:
        assert _whole_file_phrase(variant_id)
    # every pattern is used: none describes a variant that no longer exists
    for pattern in WHOLE_FILE:
        assert any(re.fullmatch(pattern, i) for i in whole), pattern


@pytest.mark.parametrize("variant_id", [v.id for v in VARIANTS])
def test_variant(variant_id, corpus, baseline):
    variant: Variant = BY_ID[variant_id]
    path, built, result = corpus[variant_id]
    assert result["crash"] is None, result["crash"]
    assert "Traceback" not in result["stderr"] + result["stdout"]
    assert "内部错误" not in result["stderr"]
    assert result["unchanged"], "the input file was modified"
    assert result["code"] == variant.expect, (result["code"], result["stderr"][-2000:], result["stdout"][-3000:])
    summary = json.loads(result["stdout"])
    findings = summary["findings"]
    if variant.expect == 2:
        (finding,) = findings
        message = result["stderr"]
        assert message.startswith("错误：") and finding["message"] in message
        if built.where is not None:
            sheet, cell = built.where
            assert (finding["sheet"], finding["cell"]) == (sheet, cell), finding
            assert f"{sheet}!{cell}" in message
        else:  # refused as a whole: the message names the file (or the sheet and cell) and says why
            assert _whole_file_phrase(variant_id) in message, message
            if variant_id == "xishan-no-sheet-part":
                assert (finding["sheet"], finding["cell"]) == ("资金情况", "A1"), finding
            else:
                assert f"“{path.name}”" in message, message
        assert not Path(str(path.parent / f"{variant.id}_out.xlsx")).exists()
        return
    errors = [f for f in findings if f["severity"] == "error"]
    assert all(f["sheet"] and f["cell"] for f in findings), findings
    if variant.expect == 1:
        assert errors
        if built.where is not None:
            sheet, cell = built.where
            assert any((f["sheet"], f["cell"]) == (sheet, cell) for f in errors), (built.where, errors)
        else:
            phrase = _whole_file_phrase(variant_id)
            assert any(phrase in f["message"] for f in errors), (phrase, errors)
    else:
        assert not errors, errors
    if variant.same_total:
        assert summary["total"] == baseline[variant.sample]
    if variant.injection:
        _assert_no_formula_in_output(path.parent / f"{variant.id}_out.xlsx")


def _assert_no_formula_in_output(output: Path) -> None:
    from openpyxl import load_workbook

    from perfeval_xl.extensions import is_output_sheet

    wb = load_workbook(output)
    texts = 0
    for ws in wb.worksheets:
        if not is_output_sheet(ws.title):
            continue
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} became a formula: {cell.value!r}"
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    texts += 1
    assert texts, "the planted text should appear in the output, as text"


SUBPROCESS_SAMPLE = ("xishan-empty-file", "xishan-billion-laughs-in-sheet", "xishan-impossible-arrived-over-budget",
                     "xishan-hidden-row", "xishan-资金情况-预算数-uncached-formula", "xishan-far-cell-xfd")


@pytest.mark.parametrize("variant_id", SUBPROCESS_SAMPLE)
def test_variant_through_real_process(variant_id, tmp_path):
    variant = BY_ID[variant_id]
    path, built = write_variant(variant, tmp_path)
    before = _digest(path)
    proc = subprocess.run([sys.executable, "-m", "perfeval_xl.cli", "score", str(path), "-o", str(tmp_path / "out.xlsx")],
                          capture_output=True, text=True, encoding="utf-8", timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == variant.expect, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert _digest(path) == before
    if built.where is not None:
        assert f"{built.where[0]}!{built.where[1]}" in proc.stdout + proc.stderr


# --- round three (issue 20): the new kinds through every command ----------------------------------------

ROUND3 = [v.id for v in corpus_gen.round3_variants()]


def test_round_three_outputs_open(corpus):
    """The scored copies of the accepted round-three variants open (zip test, XML, openpyxl)."""
    from test_hardening import assert_opens

    for variant_id in ROUND3:
        path, built, result = corpus[variant_id]
        if BY_ID[variant_id].expect != 2:
            assert_opens(path.parent / f"{variant_id}_out.xlsx")


def _wuhua_export(folder: Path) -> Path:
    """A 问卷星-style export of class A for the 五华 sample: 序号, 单位 and every question, all answered A."""
    from openpyxl import Workbook

    from perfeval_xl.io.snapshot import read_snapshot

    snapshot = read_snapshot(corpus_gen.WUHUA)
    questions = [r for r in snapshot["问卷题目"][2:] if r and r[0] == "A"]
    units = [r[2] for r in snapshot["单位名单"][2:] if r and r[2]]
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "单位"] + [f"{int(q[1])}、{q[2]}" for q in questions])
    for i in range(12):
        ws.append([i + 1, units[i % len(units)]] + ["A"] * len(questions))
    path = folder / "问卷导出.xlsx"
    wb.save(path)
    return path


COMMANDS = ("review", "report", "batch", "survey")


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("variant_id", ROUND3)
def test_round_three_through_every_command(variant_id, command, tmp_path):
    """No traceback, every refusal a documented Chinese message, no output that does not open, the input
    unchanged (survey import writes into its --into workbook by design: the export is checked instead)."""
    from test_hardening import assert_documented, assert_opens, run

    variant = BY_ID[variant_id]
    path, built = write_variant(variant, tmp_path)
    before = _digest(path)
    refused = variant.expect == 2
    if command == "batch":
        summary = tmp_path / "汇总" / "汇总.xlsx"
        code, out, err = run(["batch", str(path), "-o", str(summary), "--jobs", "1"])
        assert code == (1 if refused else code) and code in (0, 1), err
        assert_opens(summary)
    elif command == "survey":
        export = _wuhua_export(tmp_path)  # the 西山 variants are refused for their damage before the class is looked up
        exported = _digest(export)
        code, out, err = run(["survey", "import", str(export), "--class", "A", "--into", str(path)])
        assert code == 2 if refused else code in (0, 1), err
        assert _digest(export) == exported
        if not refused:
            assert_opens(path)
    else:
        code, out, err = run([command, str(path)])
        assert code == 2 if refused else code in (0, 1), err  # 1: the 五华 sample's own slips and findings
        written = path.with_name(path.stem + {"review": "_复核.xlsx", "report": "_报告.docx"}[command])
        if refused:
            assert not written.exists()
        else:
            assert_opens(written)
    if command != "survey" or refused:
        assert _digest(path) == before
    if refused and command == "batch":  # the file is listed, with the reason, and the summary still written
        assert _whole_or_cell(variant_id, built).split("!")[-1] in out, out
    elif refused:
        assert err.startswith("错误：") and _whole_or_cell(variant_id, built) in err, err
        assert_documented(err)


def _whole_or_cell(variant_id: str, built) -> str:
    return f"{built.where[0]}!{built.where[1]}" if built.where else _whole_file_phrase(variant_id)
