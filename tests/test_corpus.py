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
import subprocess
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

import corpus_gen
from corpus_gen import Variant, all_variants, write_variant

VARIANTS = all_variants()
BY_ID = {v.id: v for v in VARIANTS}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(source: str, output: str) -> dict:
    """``perfeval score SOURCE -o OUTPUT --json`` in this process; never raises."""
    from perfeval_xl.cli import main

    os.environ["PERFEVAL_DEBUG"] = "1"  # an unexpected exception must surface, not become a message
    out, err = io.StringIO(), io.StringIO()
    before = _digest(Path(source)) if Path(source).is_file() else None
    crash = None
    code = None
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
        if path is None:
            continue
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
    return {v.id: (built[v.id][0], built[v.id][1], r) for v, r in zip(VARIANTS, results)}


def test_corpus_is_large_enough():
    assert len(VARIANTS) >= 200
    kinds = {v.expect for v in VARIANTS}
    assert kinds == {0, 1, 2}


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
        else:  # refused as a whole: the message names the file, or a sheet and cell
            assert path.name in message or (finding["sheet"] and finding["cell"]), message
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
