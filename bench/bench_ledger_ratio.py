"""End-to-end scoring of a workbook with a 100,000-row 支出明细 against python-calamine
reading all of its sheets, measured side by side in one run; prints the ratio.

    .venv/bin/python bench/bench_ledger_ratio.py [--rows 100000] [--repeat 3]

Each figure is the best of ``--repeat`` runs.  Also printed, each as a multiple of the
calamine read, to show where the time goes: the guard alone, ``read_snapshot`` (guard and
calamine on the input sheets), each stage of the core pipeline, and writing the copy.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def best(repeat: int, func) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return min(times)


def calamine_all_sheets(path: Path) -> None:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    for name in workbook.sheet_names:
        workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from bench_scoring import make_ledger_book

    from perfeval_xl import extensions
    from perfeval_xl.core.extension import Env
    from perfeval_xl.core.findings import Findings
    from perfeval_xl.io.guard import inspect_workbook
    from perfeval_xl.io.snapshot import read_snapshot
    from perfeval_xl.io.xlsx_splice import splice
    from perfeval_xl.pipeline import STAGES, score_file

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        book = make_ledger_book(tmp / "ledger.xlsx", args.rows)
        size = book.stat().st_size
        print(f"workbook: {args.rows:,}-row 支出明细, {size / 2**20:.1f} MiB; best of {args.repeat}")
        base = best(args.repeat, lambda: calamine_all_sheets(book))
        guard = best(args.repeat, lambda: inspect_workbook(book, None))
        snapshot = read_snapshot(book)
        snap = best(args.repeat, lambda: read_snapshot(book))
        stage_rows, data = [], snapshot
        for stage in STAGES:
            env = Env(extensions.DEFAULT, Findings().frozen())
            stage_rows.append((f"  stage {stage.name}", best(args.repeat, lambda: stage.run(data, env))))
            data, _ = stage.run(data, env)
        source = book.read_bytes()
        write = best(args.repeat, lambda: splice(source, data))
        total = best(args.repeat, lambda: score_file(book, tmp / "ledger_out.xlsx"))
        rows = [("python-calamine, all sheets", base), ("guard (inspect_workbook, all sheets)", guard),
                ("read_snapshot (guard + calamine, input sheets)", snap), *stage_rows,
                ("splice (the scored copy's bytes)", write), ("perfeval score end to end", total)]
        for label, seconds in rows:
            print(f"{label:<48} {seconds:7.2f} s  {seconds / base:5.1f}×")
        print(f"ratio end to end / calamine: {total / base:.1f}× (goal ≤ 3×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
