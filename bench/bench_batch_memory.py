"""Peak memory of ``perfeval batch`` as the number of files grows (issue 22 item 2).

    .venv/bin/python bench/bench_batch_memory.py                      # 250 and 1,000 files (short)
    .venv/bin/python bench/bench_batch_memory.py --sizes 1000 4000    # the issue's sizes
    .venv/bin/python bench/bench_batch_memory.py --sample 五华          # the larger sample (117 slips a file)

Each size runs in a fresh process: copies of one sample, each made distinct by a zip comment
(so no result is reused and every file is hashed and processed), batched with ``--jobs 2`` into a
new store.  Printed: the peak RSS of the batch process (discovery, hashing, the store, 汇总.xlsx
written from the store) and of its largest worker, the size of the store and of 汇总.xlsx per
1,000 files, and the ratio of the peaks between the largest and the smallest size.
Goal: the largest size's peak within 1.5× of the smallest's.  No pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {"西山": "西山区社区党组织服务群众专项经费2024.xlsx", "五华": "五华区五个先锋奖励经费2023.xlsx"}

MEASURE = """
import io, json, resource, sys, contextlib
from perfeval_xl.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "parent_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "worker_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def distinct_copy(data: bytes, target: Path, n: int) -> None:
    """The workbook with a zip comment of its own (valid, other bytes, same content)."""
    assert data[-2:] == b"\0\0", "the sample already has a zip comment"
    comment = f"copy {n}".encode()
    target.write_bytes(data[:-2] + struct.pack("<H", len(comment)) + comment)


def run(size: int, sample: str, tmp: Path, jobs: int) -> dict:
    folder = tmp / f"books{size}"
    data = (ROOT / "sample_workbooks" / SAMPLES[sample]).read_bytes()
    for i in range(size):
        sub = folder / f"{i // 500:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        distinct_copy(data, sub / f"评价{i:05d}.xlsx", i)
    output = tmp / f"汇总{size}.xlsx"
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURE, "batch", str(folder), "-o", str(output), "--jobs", str(jobs)],
                          capture_output=True, text=True, cwd=tmp, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    got = json.loads(done.stdout.strip().splitlines()[-1])
    got["wall"] = time.perf_counter() - t0
    got["db_bytes"] = output.with_suffix(".sqlite").stat().st_size
    got["xlsx_bytes"] = output.stat().st_size
    return got


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 1000])
    parser.add_argument("--sample", choices=sorted(SAMPLES), default="西山")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            got = results[size] = run(size, args.sample, Path(tmp), args.jobs)
            print(f"{size:6d} files ({args.sample}): batch process peak {got['parent_kb'] / 1024:7.1f} MB, "
                  f"largest worker {got['worker_kb'] / 1024:6.1f} MB; store {got['db_bytes'] / size * 1000 / 2**20:6.2f} MB "
                  f"and 汇总.xlsx {got['xlsx_bytes'] / size * 1000 / 2**20:5.2f} MB per 1,000 files; "
                  f"wall {got['wall']:.1f} s", flush=True)
    small, large = min(results), max(results)
    ratio = results[large]["parent_kb"] / results[small]["parent_kb"]
    print(f"peak RSS of the batch process, {large} files ÷ {small} files: {ratio:.2f}× (goal ≤ 1.5×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
