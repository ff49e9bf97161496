from __future__ import annotations

import os
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import settings
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


def D(x) -> Decimal:
    return Decimal(str(x))


@pytest.fixture
def xishan(tmp_path) -> Path:
    """A private copy of the seed-000 sample."""
    target = tmp_path / XISHAN.name
    target.write_bytes(XISHAN.read_bytes())
    return target
