"""What a person waits for at the command line: process times of ``perfeval --version`` and
``perfeval score <西山 sample>`` against a bare ``python -c pass``, measured side by side in one run.

    .venv/bin/python bench/bench_startup.py [--repeat 9]

Each command runs ``--repeat`` times as its own process, the three interleaved round by round so
that a busy machine slows them alike; each figure is the median wall-clock time and the median CPU
time of the child (user + system, from ``os.wait4``), then its ratio to ``python -c pass`` (the CPU
ratio is the steadier one on a shared machine).  The scored copy goes into a temporary folder.
``perfeval`` is run as ``python -m perfeval_xl.cli`` with this interpreter, as the console script
would run it, from compiled ``.pyc`` files as an installed package runs (``PYTHONDONTWRITEBYTECODE``
is dropped and the cache goes to a temporary ``PYTHONPYCACHEPREFIX``; the first round fills it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
XISHAN = ROOT / "sample_workbooks" / "西山区社区党组织服务群众专项经费2024.xlsx"


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and child CPU seconds of one run of ``argv`` (output discarded; a failure stops the bench)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    error = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {error}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        # as an installed package runs: from compiled .pyc files (kept under tmp, never in the checkout)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        commands = {
            "python -c pass": [python, "-c", "pass"],
            "perfeval --version": [python, "-m", "perfeval_xl.cli", "--version"],
            "perfeval score 西山 -o tmp": [python, "-m", "perfeval_xl.cli", "score", str(XISHAN),
                                          "-o", str(Path(tmp) / "西山_评分.xlsx")],
        }
        times: dict[str, list[tuple[float, float]]] = {label: [] for label in commands}
        for argv in commands.values():  # warm the file cache and the .pyc files once
            run(argv, env)
        for _ in range(args.repeat):
            for label, argv in commands.items():
                times[label].append(run(argv, env))
    base_wall = statistics.median(w for w, _ in times["python -c pass"])
    base_cpu = statistics.median(c for _, c in times["python -c pass"])
    print(f"median of {args.repeat} runs each, interleaved; ratio = against python -c pass in this run")
    print(f"{'command':<28}{'wall ms':>9}{'ratio':>7}{'cpu ms':>9}{'ratio':>7}")
    for label, samples in times.items():
        wall = statistics.median(w for w, _ in samples)
        cpu = statistics.median(c for _, c in samples)
        print(f"{label:<28}{wall * 1000:>9.1f}{wall / base_wall:>7.2f}{cpu * 1000:>9.1f}{cpu / base_cpu:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
