"""End-to-end scoring of a workbook with a 100,000-row 支出明细 against python-calamine
reading all of its sheets, measured side by side in one run; prints the ratios.

    .venv/bin/python bench/bench_ledger_ratio.py [--rows 100000] [--repeat 3] [--breakdown]

The ratio is process to process: each round runs ``perfeval score <file>`` in a fresh Python
process and, in another, python-calamine opening the file and reading every sheet, and compares
the CPU time of the two child processes (start-up and imports included, as a user waits for
them); each figure is the best of ``--repeat`` rounds.  Two workbooks: the bench's file (the
西山 sample, scored as a whole, five units in its ledger) and a ten-unit variant (the 五华
sample, scored unit by unit, the same ledger spread over its ten units).  Goal ≤ 2×.

With ``--breakdown``, then, in this process and each as a multiple of the calamine read, where the
time goes: the guard alone, ``read_snapshot`` (guard and calamine on the input sheets), each stage
of the core pipeline run afresh every round with the cyclic collector paused as ``score_file``
pauses it, and writing the copy (their sum can differ from the end-to-end figure by what the
allocator happens to reuse).
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


class Best:
    """The best wall-clock and CPU time seen for each label."""

    def __init__(self):
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def time(self, label: str, func):
        w0, c0 = time.perf_counter(), time.process_time()
        result = func()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        self.wall[label] = min(self.wall.get(label, wall), wall)
        self.cpu[label] = min(self.cpu.get(label, cpu), cpu)
        return result


def calamine_all_sheets(path: Path) -> None:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    for name in workbook.sheet_names:
        workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)


CALAMINE_SCRIPT = """
import sys
from python_calamine import CalamineWorkbook
workbook = CalamineWorkbook.from_path(sys.argv[1])
for name in workbook.sheet_names:
    workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
"""
#: the ``perfeval`` console script's way in (it ends the process once the scored copy is written)
SCORE_SCRIPT = "import sys; from perfeval_xl.cli import console_main; sys.exit(console_main())"


def child_cpu(args: list[str]) -> float:
    """CPU seconds (user + system) of a child process running ``args``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: scored, with error findings
        raise SystemExit(f"{args[2:]} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-500:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def process_ratio(book: Path, out: Path, repeat: int) -> tuple[float, float]:
    """Best CPU seconds of calamine reading every sheet and of ``perfeval score``, each in its own process."""
    calamine = score = float("inf")
    for _ in range(repeat):
        calamine = min(calamine, child_cpu([sys.executable, "-c", CALAMINE_SCRIPT, str(book)]))
        score = min(score, child_cpu([sys.executable, "-c", SCORE_SCRIPT, "score", str(book), "-o", str(out)]))
    return calamine, score


def breakdown(book: Path, tmp: Path, repeat: int) -> None:
    from perfeval_xl import extensions
    from perfeval_xl.core.environment import Env
    from perfeval_xl.core.findings import Findings
    from perfeval_xl.gcpause import gc_paused
    from perfeval_xl.io.guard import inspect_workbook
    from perfeval_xl.io.snapshot import read_snapshot
    from perfeval_xl.io.xlsx_splice import splice
    from perfeval_xl.pipeline import STAGES, score_file

    source = book.read_bytes()
    best = Best()
    for _ in range(repeat):  # calamine and score_file, nothing else in between
        gc.collect()
        best.time("calamine", lambda: calamine_all_sheets(book))
        gc.collect()
        best.time("total", lambda: score_file(book, tmp / "ledger_out.xlsx"))
    for _ in range(repeat):  # the breakdown, in rounds of its own
        gc.collect()
        with gc_paused():  # as score_file runs them
            best.time("guard", lambda: inspect_workbook(book, None))
            data = best.time("snapshot", lambda: read_snapshot(book))
            found = Findings()
            for stage in STAGES:
                data, new = best.time(stage.name, lambda: stage.run(data, Env(extensions.DEFAULT, found.frozen())))
                found.extend(new)
            best.time("splice", lambda: splice(source, data))
            del data
    rows = [("python-calamine, all sheets", "calamine"), ("guard (inspect_workbook, all sheets)", "guard"),
            ("read_snapshot (guard + calamine, input sheets)", "snapshot"),
            *((f"  stage {stage.name}", stage.name) for stage in STAGES),
            ("splice (the scored copy's bytes)", "splice"), ("score_file end to end", "total")]
    wall, cpu = best.wall, best.cpu
    print(f"  in one process: {'':<32} {'wall':>9} {'':6} {'CPU':>9}")
    for label, key in rows:
        print(f"  {label:<48} {wall[key]:7.2f} s {wall[key] / wall['calamine']:5.1f}× "
              f"{cpu[key]:7.2f} s {cpu[key] / cpu['calamine']:5.1f}×")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--breakdown", action="store_true", help="also where the time goes, in this process")
    args = parser.parse_args()
    from bench_scoring import make_ledger_book

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for label, sample in (("the bench's file (西山, whole project, 5 units)", "xishan_2024"),
                              ("ten-unit variant (五华, unit by unit)", "wuhua_2023")):
            book = make_ledger_book(tmp / f"ledger_{sample}.xlsx", args.rows, sample)
            calamine, score = process_ratio(book, tmp / f"ledger_{sample}_out.xlsx", args.repeat)
            print(f"{label}: {args.rows:,}-row 支出明细, {book.stat().st_size / 2**20:.1f} MiB; best of {args.repeat}")
            print(f"  calamine process {calamine:.2f} s CPU, perfeval score process {score:.2f} s CPU: "
                  f"{score / calamine:.2f}× (goal ≤ 2×)", flush=True)
            if args.breakdown:
                breakdown(book, tmp, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
