"""Time the pasted-table review (perfeval_xl.core.table_audit) as a table grows: it must be linear.

    .venv/bin/python bench/bench_table_audit.py [--rows 2000]

Audits one pasted table of N and of 4·N rows (序号, 单位, 预算数, 支出数, 执行率, 占比, a 合计 row and a
合计 column) and prints the CPU seconds of each and their ratio: about 4 when linear (16 when
quadratic, as before issue 20 item 7: 1.7 s for 2,000 rows, 26 s for 8,000).  No pass/fail.
"""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from perfeval_xl.core.table_audit import audit_sheet  # noqa: E402


def table(rows: int) -> list[list[object]]:
    out: list[list[object]] = [["表1 预算执行情况"], ["序号", "单位", "预算数", "支出数", "合计", "执行率", "占比"]]
    budgets = [Decimal(1000 + (i * 37) % 900) for i in range(rows)]
    whole = sum(budgets)
    for i, budget in enumerate(budgets, start=1):
        spent = budget - i % 7
        out.append([i, f"单位{i}", f"{budget:.2f}", f"{spent:.2f}", f"{budget + spent:.2f}",
                    f"{spent / budget * 100:.2f}%", f"{budget / whole * 100:.2f}%"])
    spent_total = sum(b - i % 7 for i, b in enumerate(budgets, start=1))
    out.append(["合计", "", f"{whole:.2f}", f"{spent_total:.2f}", f"{whole + spent_total:.2f}",
                f"{spent_total / whole * 100:.2f}%", "100.00%"])
    return out


def seconds(rows: int) -> tuple[float, int]:
    grid = table(rows)
    start = time.process_time()
    audit = audit_sheet("报告表1", grid)
    return time.process_time() - start, audit.checked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000)
    n = parser.parse_args().rows
    small, checked_small = seconds(n)
    large, checked_large = seconds(4 * n)
    print(f"{n:>7,} 行：{small:6.2f} s CPU，核对 {checked_small:,} 个数")
    print(f"{4 * n:>7,} 行：{large:6.2f} s CPU，核对 {checked_large:,} 个数")
    print(f"比值 {4 * n:,}/{n:,} 行：{large / max(small, 1e-9):.1f}（线性约为 4）")


if __name__ == "__main__":
    main()
