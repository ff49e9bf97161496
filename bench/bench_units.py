"""Scoring time against the number of units: the 五华 sample's ten street offices cloned to
20, 200 and 2,000 units, scored end to end (read, score, write) and in the core alone.

    .venv/bin/python bench/bench_units.py [--units 20 200 2000]

Prints seconds and seconds per unit side by side; time should grow linearly with the units
(a constant per-unit figure).  No pass/fail.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "sample_workbooks"))


#: 问卷计数 has one column per unit and the reader refuses sheets wider than 1,000 columns, so
#: beyond this many units the clones have no questionnaire counts (their satisfaction
#: indicators report missing data: the "errors" column of the output counts those findings)
SURVEY_COLUMNS = 990


def clone_units(data, count: int) -> tuple[dict, dict]:
    """The 五华 data with ``count`` units: unit k is a copy of original unit k mod 10."""
    originals = [u["单位简称"] for u in data.UNITS]
    names = {}  # clone → original
    for k in range(count):
        original = originals[k % len(originals)]
        names[f"{original}{k + 1:04d}"] = original
    tables = {}
    for sheet, rows in data.TABLES.items():
        if sheet == "单位名单":
            tables[sheet] = [{"序号": n, "单位全称": f"{clone}街道办事处", "单位简称": clone}
                             for n, clone in enumerate(names, start=1)]
        elif sheet == "问卷计数":  # one count column per unit, up to the reader's column limit
            counted = dict(list(names.items())[:SURVEY_COLUMNS])
            tables[sheet] = [{**{k: v for k, v in row.items() if k not in originals and k != "合计"},
                              **{clone: row.get(original) for clone, original in counted.items()}} for row in rows]
        elif rows and isinstance(rows[0], dict):
            cloned = []
            for row in rows:
                key = next((k for k in ("单位简称", "适用单位") if row.get(k) in originals), None)
                if key is None:
                    cloned.append(row)
                    continue
                cloned.extend({**row, key: clone} for clone, original in names.items() if original == row[key])
            tables[sheet] = cloned
        else:
            tables[sheet] = rows
    return dict(data.INFO), tables


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, nargs="+", default=[20, 200, 2000])
    args = parser.parse_args()
    from build import load

    from perfeval_xl.io.snapshot import read_snapshot
    from perfeval_xl.io.template import write_workbook
    from perfeval_xl.pipeline import score_file, score_snapshot

    data = load("wuhua_2023")
    print(f"{'units':>6} {'core s':>9} {'end to end s':>13} {'ms/unit (e2e)':>14} {'errors':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.units:
            info, tables = clone_units(data, count)
            book = write_workbook(Path(tmp) / f"units{count}.xlsx", info, tables, guide=False)
            snapshot = read_snapshot(book)
            t0 = time.perf_counter()
            scored = score_snapshot(snapshot)
            core = time.perf_counter() - t0
            t0 = time.perf_counter()
            score_file(book, Path(tmp) / f"units{count}_out.xlsx")
            e2e = time.perf_counter() - t0
            errors = len(scored.evaluation.findings.errors)
            print(f"{count:>6} {core:>9.2f} {e2e:>13.2f} {1000 * e2e / count:>14.1f} {errors:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
