"""Scoring time against the number of units: the 五华 sample's ten street offices cloned to
200, 1,000 and 2,000 units, scored end to end (read, score, write) and stage by stage.

    .venv/bin/python bench/bench_units.py [--units 200 1000 2000]

Prints, for each unit count, the seconds of reading the input (``read_snapshot``), of each stage
of the pipeline, of writing the scored copy (``splice``) and of ``score_file`` end to end; then
each figure as a multiple of the same figure for the smallest count.  Linear time grows as the
units do (2,000/200 = 10×); the goal is ≤ 11× end to end and for every stage.  No pass/fail.
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
sys.path.insert(0, str(ROOT / "sample_workbooks"))


#: 问卷计数 has one column per unit and the reader refuses sheets wider than 1,000 columns, so
#: beyond this many units the clones have no questionnaire counts: their satisfaction is typed into
#: the 满意度 sheet instead (the rate and count their original's counts give), so that every unit is
#: scored and the content of the outputs grows as the units do (without it the 1,010 units past the
#: limit each report missing data: 2,000 units then have 13,700 findings where 200 have 40)
SURVEY_COLUMNS = 990


def typed_satisfaction(data) -> dict[str, list[dict]]:
    """Each original unit's 满意度 rows (类别代码, 有效问卷数, 满意度) as its questionnaire counts give them."""
    from perfeval_xl.io.template import write_workbook
    from perfeval_xl.pipeline import score_file

    with tempfile.TemporaryDirectory() as tmp:
        book = write_workbook(Path(tmp) / "original.xlsx", data.INFO, data.TABLES, guide=False)
        evaluation = score_file(book, Path(tmp) / "original_out.xlsx").evaluation
    codes = [row["类别代码"] for row in data.TABLES["问卷类别"]]
    return {u["单位简称"]: [{"类别代码": code,
                          "有效问卷数": int(evaluation.scope(u["单位简称"]).resolve(f"有效问卷数({code})").amount),
                          "满意度": evaluation.scope(u["单位简称"]).resolve(f"满意度({code})").amount}
                         for code in codes] for u in data.UNITS}


def clone_units(data, count: int, typed: dict[str, list[dict]] | None = None) -> tuple[dict, dict]:
    """The 五华 data with ``count`` units: unit k is a copy of original unit k mod 10; with ``typed``
    (:func:`typed_satisfaction`), the clones past :data:`SURVEY_COLUMNS` have their satisfaction typed."""
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
    if typed and count > SURVEY_COLUMNS:
        tables["满意度"] = [{"单位简称": clone, **row} for clone, original in list(names.items())[SURVEY_COLUMNS:]
                          for row in typed[original]]
    return dict(data.INFO), tables


def timed(func):
    t0 = time.process_time()
    result = func()
    return result, time.process_time() - t0


def cold() -> None:
    """Empty perfeval's memo caches (text layouts …), so each measurement starts as a fresh process
    would (a count small enough for them to hold every text would otherwise be measured warm)."""
    for name, module in list(sys.modules.items()):
        if name.startswith("perfeval_xl"):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def measure(book: Path, out: Path) -> dict[str, float]:
    """CPU seconds of each part of scoring ``book``, then of ``score_file`` end to end, each from
    empty caches."""
    from perfeval_xl import extensions
    from perfeval_xl.core.environment import Env
    from perfeval_xl.core.findings import Findings
    from perfeval_xl.gcpause import gc_paused
    from perfeval_xl.io.snapshot import read_snapshot
    from perfeval_xl.io.xlsx_splice import splice
    from perfeval_xl.pipeline import STAGES, score_file

    seconds: dict[str, float] = {}
    source = book.read_bytes()
    gc.collect()
    cold()
    with gc_paused():  # as score_file runs them
        data, seconds["read_snapshot"] = timed(lambda: read_snapshot(book))
        found = Findings()
        for stage in STAGES:
            (data, new), seconds[stage.name] = timed(lambda: stage.run(data, Env(extensions.DEFAULT, found.frozen())))
            found.extend(new)
        _, seconds["splice"] = timed(lambda: splice(source, data))
    del data
    gc.collect()
    cold()
    _, seconds["end to end"] = timed(lambda: score_file(book, out))
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, nargs="+", default=[200, 1000, 2000])
    args = parser.parse_args()
    from build import load

    from perfeval_xl.io.template import write_workbook

    data = load("wuhua_2023")
    typed = typed_satisfaction(data)
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.units:
            info, tables = clone_units(data, count, typed)
            book = write_workbook(Path(tmp) / f"units{count}.xlsx", info, tables, guide=False)
            results[count] = measure(book, Path(tmp) / f"units{count}_out.xlsx")
            print(f"{count} units measured", file=sys.stderr, flush=True)
    counts = list(results)
    labels = list(results[counts[0]])
    print(f"{'CPU seconds by part':<22}" + "".join(f"{c:>10,}" for c in counts)
          + "".join(f"{f'{c}/{counts[0]}':>11}" for c in counts[1:]))
    for label in labels:
        first = results[counts[0]][label]
        line = f"{label:<22}" + "".join(f"{results[c][label]:>10.2f}" for c in counts)
        line += "".join(f"{results[c][label] / first:>10.1f}×" if first > 0.005 else f"{'—':>11}" for c in counts[1:])
        print(line)
    if len(counts) > 1:
        worst = max((results[counts[-1]][label] / results[counts[0]][label], label) for label in labels
                    if results[counts[0]][label] > 0.005)
        units = counts[-1] / counts[0]
        print(f"{counts[-1]}/{counts[0]} units = {units:.0f}×: end to end "
              f"{results[counts[-1]]['end to end'] / results[counts[0]]['end to end']:.1f}×, "
              f"worst part {worst[1]} {worst[0]:.1f}× (goal ≤ {1.1 * units:.0f}×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
