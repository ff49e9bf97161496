from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import settings

# the tests call perfeval_xl.cli.main in this process: openpyxl must serialise as the command line makes it
# (without lxml, see cli.main), whichever test imports it first
os.environ.setdefault("OPENPYXL_LXML", "False")
from hypothesis.configuration import set_hypothesis_home_dir

#: hypothesis keeps its files (example database, caches naming this machine's absolute paths) in a
#: temporary folder removed after the run, not in .hypothesis/ of the checkout
_HYPOTHESIS_HOME = tempfile.TemporaryDirectory(prefix="perfeval-hypothesis-")
set_hypothesis_home_dir(_HYPOTHESIS_HOME.name)
settings.register_profile("perfeval", database=None)
settings.load_profile("perfeval")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_workbooks"
XISHAN = SAMPLES / "西山区社区党组织服务群众专项经费2024.xlsx"

#: folders of the checkout that tools, not tests, write to (virtual environment, caches, git itself)
_NOT_WATCHED = {".git", ".venv", "venv", "__pycache__", ".pytest_cache", "build", "dist"}


def _repo_files() -> dict[str, tuple[int, int]]:
    """Every file of the checkout outside the tools' folders, with its size and modification time."""
    found = {}
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in _NOT_WATCHED and not d.endswith(".egg-info")]
        for name in files:
            path = Path(folder) / name
            stat = path.stat()
            found[str(path.relative_to(ROOT))] = (stat.st_size, stat.st_mtime_ns)
    return found


@pytest.fixture(scope="session", autouse=True)
def _tests_write_nothing_into_the_checkout():
    """Tests write into tmp_path only: a file created, changed or deleted in the checkout during the run
    fails it (a scored copy left in sample_workbooks/ would be picked up by the next run).  The one
    exception is the VBA snapshot, rewritten on purpose with UPDATE_SNAPSHOTS=1 (see test_udfs.py)."""
    before = _repo_files()
    yield
    after = _repo_files()
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        changed = [p for p in changed if Path(p).parts[:2] != ("tests", "snapshots")]
    assert not changed, f"the tests wrote into the checkout: {changed}"


#: the poppler tools that tests reading a PDF back use
POPPLER = ("pdftotext", "pdftocairo")


@functools.lru_cache(maxsize=None)
def libreoffice_problem(poppler: bool = False) -> str | None:
    """Why LibreOffice cannot be used by the tests here, or None: the programs are looked up and one
    trial conversion (a one-cell workbook to PDF, in a private profile) must succeed, so that a broken
    installation skips these tests with its reason instead of failing the run."""
    missing = [p for p in ("soffice", *(POPPLER if poppler else ())) if shutil.which(p) is None]
    if missing:
        return f"LibreOffice / poppler-utils not installed ({', '.join(missing)} not found)"
    from openpyxl import Workbook

    with tempfile.TemporaryDirectory(prefix="perfeval-lo-trial-") as folder:
        trial = Path(folder) / "trial.xlsx"
        wb = Workbook()
        wb.active["A1"] = "试算"
        wb.save(trial)
        try:
            proc = subprocess.run(["soffice", f"-env:UserInstallation={(Path(folder) / 'profile').as_uri()}",
                                   "--headless", "--convert-to", "pdf", "--outdir", folder, str(trial)],
                                  capture_output=True, text=True, timeout=180)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"LibreOffice trial conversion failed: {exc}"
        if not (Path(folder) / "trial.pdf").is_file():
            said = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
            return f"LibreOffice trial conversion wrote no PDF ({said[0]})"
    return None


def pytest_collection_modifyitems(config, items):
    """LibreOffice and browser tests are slow ones too: ``pytest -m "not slow"`` leaves them out."""
    for item in items:
        if item.get_closest_marker("libreoffice") or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


def pytest_runtest_setup(item):
    marker = item.get_closest_marker("libreoffice")
    if marker is not None:
        problem = libreoffice_problem(bool(marker.kwargs.get("poppler", False)))
        if problem:
            pytest.skip(problem)


def D(x) -> Decimal:
    return Decimal(str(x))


@pytest.fixture
def xishan(tmp_path) -> Path:
    """A private copy of the seed-000 sample."""
    target = tmp_path / XISHAN.name
    target.write_bytes(XISHAN.read_bytes())
    return target
