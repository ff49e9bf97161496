"""``perfeval report 五华`` timed in stages: read + score + review, the document model, the .docx.

    python bench/bench_report.py [工作簿.xlsx] [--repeat N]

Prints each stage's best wall time over N runs and the .docx stage's share (issue 22 item 5: the
tables used to be built cell by cell through python-docx, ~70% of the command; they are now one
XML string per table, parsed once).  Not a timed test: a figure to read, on a quiet machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("book", nargs="?", default=str(ROOT / "sample_workbooks" / "五华区五个先锋奖励经费2023.xlsx"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from perfeval_xl.io.snapshot import read_snapshot
    from perfeval_xl.io.targets import source_path
    from perfeval_xl.wordreport.cli import review_of
    from perfeval_xl.wordreport.content import build_document
    from perfeval_xl.wordreport.docx_writer import render_docx

    best = {"读取、评分、复核": 1e9, "报告内容": 1e9, "写 docx": 1e9}
    tables = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        source = source_path(args.book)
        reviewed, plan = review_of(source, read_snapshot(source))
        t1 = time.perf_counter()
        document = build_document(reviewed.evaluation, plan)
        t2 = time.perf_counter()
        render_docx(document)
        t3 = time.perf_counter()
        tables = sum(1 for b in document.blocks if type(b).__name__ == "Table")
        for key, value in zip(best, (t1 - t0, t2 - t1, t3 - t2)):
            best[key] = min(best[key], value)
    total = sum(best.values())
    print(f"{Path(args.book).name}：{tables} 张表，最好的一次（共 {args.repeat} 次）")
    for key, value in best.items():
        print(f"  {key:<10} {value:6.2f} s  {value / total:6.1%}")
    print(f"  合计       {total:6.2f} s")


if __name__ == "__main__":
    main()
