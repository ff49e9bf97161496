"""End-to-end scoring of a workbook with a 100,000-row 支出明细 against python-calamine
reading all of its sheets, measured side by side in one run; prints the ratio.

    .venv/bin/python bench/bench_ledger_ratio.py [--rows 100000] [--repeat 5]

Each round times python-calamine reading every sheet of the file, then ``score_file`` scoring
it end to end (guard, read, every stage, writing the scored copy); each figure is the best of
``--repeat`` rounds, in wall-clock time and in CPU time of this process (on a busy machine the
CPU-time ratio is the steadier one).  Then, in rounds of their own and each as a multiple of
the calamine read, where the time goes: the guard alone, ``read_snapshot`` (guard and
calamine on the input sheets), each stage of the core pipeline run afresh every round with
the cyclic collector paused as ``score_file`` pauses it, and writing the copy (their sum can
differ from the end-to-end figure by what the allocator happens to reuse).
"""

from __future__ import annotations

import argparse
import gc
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from bench_scoring import make_ledger_book

    from perfeval_xl import extensions
    from perfeval_xl.core.extension import Env
    from perfeval_xl.core.findings import Findings
    from perfeval_xl.gcpause import gc_paused
    from perfeval_xl.io.guard import inspect_workbook
    from perfeval_xl.io.snapshot import read_snapshot
    from perfeval_xl.io.xlsx_splice import splice
    from perfeval_xl.pipeline import STAGES, score_file

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        book = make_ledger_book(tmp / "ledger.xlsx", args.rows)
        size = book.stat().st_size
        print(f"workbook: {args.rows:,}-row 支出明细, {size / 2**20:.1f} MiB; best of {args.repeat} rounds")
        source = book.read_bytes()
        best = Best()
        for _ in range(args.repeat):  # the ratio: calamine and score_file, nothing else in between
            gc.collect()
            best.time("calamine", lambda: calamine_all_sheets(book))
            gc.collect()
            best.time("total", lambda: score_file(book, tmp / "ledger_out.xlsx"))
        for _ in range(args.repeat):  # the breakdown, in rounds of its own
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
                ("splice (the scored copy's bytes)", "splice"), ("perfeval score end to end", "total")]
        wall, cpu = best.wall, best.cpu
        print(f"{'':<48} {'wall':>9} {'':6} {'CPU':>9}")
        for label, key in rows:
            print(f"{label:<48} {wall[key]:7.2f} s {wall[key] / wall['calamine']:5.1f}× "
                  f"{cpu[key]:7.2f} s {cpu[key] / cpu['calamine']:5.1f}×")
        print(f"ratio end to end / calamine: {wall['total'] / wall['calamine']:.1f}× wall-clock, "
              f"{cpu['total'] / cpu['calamine']:.1f}× CPU time (goal ≤ 3×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
