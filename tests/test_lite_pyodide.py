"""``perfeval addin lite`` inside Pyodide, as xlwings Lite runs it: the project's wheel installed by micropip
(its environment markers leave python-docx and Pillow out), the generated ``main.py``'s scripts run on both samples
with xlwings' Pyodide wheel, and the queued Office.js actions compared with the native run's.

Needs Node and the npm package ``pyodide`` 314.0.8: ``PERFEVAL_PYODIDE`` names its folder
(``…/node_modules/pyodide``), else the project's npm folder ``tools/web/node_modules/pyodide`` is used; and PyPI
for the Pyodide builds of python-calamine and xlwings.  Skipped, saying why, when one is missing.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import xlwings_harness as harness

from perfeval_xl.cli import main as cli_main

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
PYODIDE_VERSION = "314.0.8"
SAMPLES = {
    "五华区五个先锋奖励经费2023.xlsx": ("90.77", "优"),
    "西山区社区党组织服务群众专项经费2024.xlsx": ("88.51", "良"),
}
#: (requirement, Pyodide build?) — what main.py needs besides the project's own wheel
WHEELS = [("xlwings==0.37.8", True), ("python-calamine==0.9.1", True), ("defusedxml==0.7.1", False),
          ("openpyxl==3.1.5", False), ("et-xmlfile", False), ("tqdm", False), ("micropip", False),
          ("packaging", False)]


def _pyodide_dir() -> Path:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    folder = Path(os.environ.get("PERFEVAL_PYODIDE") or ROOT / "tools" / "web" / "node_modules" / "pyodide")
    package = folder / "package.json"
    if not package.is_file():
        pytest.skip(f"the npm package pyodide is not installed (looked in {folder}; set PERFEVAL_PYODIDE)")
    version = json.loads(package.read_text(encoding="utf-8")).get("version")
    if version != PYODIDE_VERSION:
        pytest.skip(f"pyodide {version} in {folder}; these tests need {PYODIDE_VERSION}")
    return folder


def _pip(*args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        pytest.skip(f"pip {args[0]} failed (no PyPI?): {proc.stderr.strip().splitlines()[-1:]}")


@pytest.fixture(scope="module")
def pyodide() -> Path:
    return _pyodide_dir()


@pytest.fixture(scope="module")
def wheels(pyodide, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheels")
    for requirement, wasm in WHEELS:
        target = ["--platform", "pyemscripten_2026_0_wasm32"] if wasm else []
        _pip("download", "--only-binary=:all:", "--no-deps", "--python-version", "3.14", *target,
             "-d", str(folder), requirement)
    source = tmp_path_factory.mktemp("source")  # built from a copy: a build writes next to its sources
    shutil.copytree(ROOT / "perfeval_xl", source / "perfeval_xl", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    _pip("wheel", "--no-deps", "-q", "-w", str(folder), str(source))
    return folder


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("work")
    assert cli_main(["addin", "lite", "-o", str(folder)]) == 0
    for helper in ("xlwings_replay.py", "lite_in_pyodide.py"):
        shutil.copy(TESTS / helper, folder / helper)
    return folder


@pytest.fixture(scope="module")
def in_pyodide(pyodide, wheels, work) -> dict:
    samples = [str(ROOT / "sample_workbooks" / name) for name in SAMPLES]
    proc = subprocess.run(["node", str(TESTS / "lite_pyodide.mjs"), str(pyodide), str(wheels), str(work), *samples],
                          capture_output=True, text=True, encoding="utf-8", timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def native(work) -> dict:
    import lite_in_pyodide

    with harness.fresh_xlwings(harness.SERVER_ENV):
        harness._purge("perfeval_xl.udfs")  # decorated afresh by the server's xw.func
        try:
            samples = [str(ROOT / "sample_workbooks" / name) for name in SAMPLES]
            return json.loads(asyncio.run(lite_in_pyodide.run(str(work / "main.py"), samples)))
        finally:
            harness._purge("perfeval_xl.udfs")


def test_the_wheel_installs_in_pyodide_without_the_word_report_packages(in_pyodide):
    assert in_pyodide["platform"] == ["emscripten", "Emscripten"]  # what the markers test: sys_platform
    installed = set(in_pyodide["installed"])
    assert {"perfeval-xl", "xlwings", "python-calamine", "openpyxl", "defusedxml"} <= installed
    assert not installed & {"python-docx", "pillow", "lxml"}


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_scripts_in_pyodide_queue_the_native_actions(in_pyodide, native, sample):
    total, grade = SAMPLES[sample]
    got, expected = in_pyodide["result"][sample], native[sample]
    assert sorted(got) == ["复核", "评分"]
    assert f"得分 {total} 分，等级“{grade}”" in got["评分"]["alert"]
    assert f"复算得分 {total} 分" in got["复核"]["alert"]
    for script in ("评分", "复核"):
        assert got[script]["alert"] == expected[script]["alert"]
        assert got[script]["actions"] == expected[script]["actions"], script  # same Office.js actions, in order
    print(sample, {script: len(got[script]["actions"]) for script in got})
