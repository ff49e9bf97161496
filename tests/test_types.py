"""The package type-checks: mypy (the version pinned in the ``test`` extra) over ``perfeval_xl`` with
the ``[tool.mypy]`` settings of pyproject.toml passes with no error (issue 21, item 5)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("mypy") is None,
                    reason="mypy is not installed (pip install -e '.[test]' installs the pinned version)")
def test_package_type_checks(tmp_path):
    # the cache goes to tmp_path: the tests write nothing into the checkout
    done = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                           "--cache-dir", str(tmp_path / "mypy_cache")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    shown = (done.stdout + done.stderr)[-6000:]
    assert done.returncode == 0, f"mypy found type errors:\n{shown}"
    assert "Success: no issues found" in done.stdout, shown
