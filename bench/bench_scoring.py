"""Time scoring the samples and a generated workbook with a 100,000-row disbursement ledger.

    .venv/bin/python bench/bench_scoring.py [--rows 100000]

Prints the figures (seconds, peak memory); no pass/fail.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_ledger_book(path: Path, rows: int, sample: str = "xishan_2024") -> Path:
    """A sample (西山 by default; ``wuhua_2023`` for ten units) plus a ledger of ``rows`` payments
    spread over its units."""
    sys.path.insert(0, str(ROOT / "sample_workbooks"))
    from build import load

    from perfeval_xl.io.template import write_workbook

    data = load(sample)
    rng = random.Random(7)
    units = [u["单位简称"] for u in data.UNITS]
    start = dt.date(2024, 1, 1)
    ledger = []
    for i in range(rows):
        day = start + dt.timedelta(days=rng.randrange(366))
        ledger.append({"单位简称": units[i % len(units)], "支付日期": day, "凭证号": f"记-{i + 1:06d}",
                       "摘要": "服务费", "金额": f"{rng.randrange(1, 500000) / 100:.2f}",
                       "应付日期": dt.date(2024, 12, 31)})
    tables = dict(data.TABLES)
    tables["支出明细"] = ledger
    return write_workbook(path, data.INFO, tables, guide=False)


TRACE_MEMORY = False


def timed(label: str, func):
    """Wall time of func(); with --python-memory also its peak Python allocation (tracemalloc
    slows allocation-heavy code several times, so times are taken without it by default)."""
    if TRACE_MEMORY:
        tracemalloc.start()
    t0 = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - t0
    memory = ""
    if TRACE_MEMORY:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        memory = f"   Python peak {peak / 2**20:7.1f} MiB"
    print(f"{label:<44} {elapsed:8.2f} s{memory}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--python-memory", action="store_true", help="also trace peak Python memory (slower)")
    args = parser.parse_args()
    global TRACE_MEMORY
    TRACE_MEMORY = args.python_memory
    from perfeval_xl.io.snapshot import read_snapshot
    from perfeval_xl.pipeline import score_file, score_snapshot

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        from perfeval_xl.core.findings import TemplateError

        for sample in sorted((ROOT / "sample_workbooks").glob("*.xlsx")):
            if sample.stem.endswith("_评分"):
                continue
            try:
                timed(f"score {sample.name}", lambda: score_file(sample, tmp / f"{sample.stem}_out.xlsx"))
            except TemplateError:
                print(f"{'score ' + sample.name:<44} (not an evaluation workbook: skipped)")
        book = timed(f"generate workbook, {args.rows:,}-row ledger", lambda: make_ledger_book(tmp / "ledger.xlsx", args.rows))
        snapshot = timed("read snapshot (calamine)", lambda: read_snapshot(book))
        timed("score snapshot (core)", lambda: score_snapshot(snapshot))
        timed("score file end to end (read, score, write)", lambda: score_file(book, tmp / "ledger_out.xlsx"))
    print(f"max resident set size: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
