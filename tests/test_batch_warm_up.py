"""A batch's parent imports, before it forks its workers, everything a worker's review of a usual workbook
imports (issue 22: each module a worker imports for itself is imported once per worker instead of once)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_workbooks"

PROBE = """
import json, sys
from perfeval_xl import batch
batch._warm_up()
before = set(sys.modules)
for path in sys.argv[1:]:
    batch.process_file(path)
print(json.dumps(sorted(set(sys.modules) - before)))
"""


@pytest.mark.slow  # a fresh interpreter reviewing two workbooks
def test_a_review_after_the_warm_up_imports_nothing_more(tmp_path):
    books = []
    for sample in ("五华区五个先锋奖励经费2023.xlsx", "西山区社区党组织服务群众专项经费2024.xlsx"):
        (tmp_path / sample).write_bytes((SAMPLES / sample).read_bytes())
        books.append(str(tmp_path / sample))
    proc = subprocess.run([sys.executable, "-c", PROBE, *books], capture_output=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert json.loads(proc.stdout) == []


def test_the_warm_up_leaves_the_collector_as_it_found_it():
    """The collector waits during the warm-up's imports and is on again before any worker is forked (a worker
    that inherited it off would never collect), off again if it was off."""
    import gc

    from perfeval_xl import batch

    assert gc.isenabled()
    batch._warm_up()
    assert gc.isenabled()
    gc.disable()
    try:
        batch._warm_up()
        assert not gc.isenabled()
    finally:
        gc.enable()
