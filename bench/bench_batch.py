"""``perfeval batch`` over many seed-size workbooks (copies of the two samples).

    .venv/bin/python bench/bench_batch.py [--files 200] [--jobs N] [--only 五华]

Prints, measured side by side in one run: python-calamine reading every sheet of the same files
in one process (the anchor: CPU per file), one process reviewing them with ``process_file``
(the per-file work), and ``perfeval batch`` over the folder (parent and workers: discovery,
hashing, the store, the worker processes, 汇总.xlsx), each as CPU per file and as a ratio to
calamine.  Goal (issue 22 item 4): batch CPU ≤ 4× calamine.  No pass/fail.

Copies of one file share every text, so the text-keyed caches (``lru_cache``) help every file after the
first; the one-process pass is run again with those caches emptied before each file, and the batch's
ratio for files that share no text is printed beside it (the bound a real batch lies between).

The CPU time of the batch's processes (the parent and its workers) is printed too: on a
machine other work keeps busy the wall time says little, while CPU time ÷ cores is what the
batch would take on the same machine idle (if its work divides evenly).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLES = ["西山区社区党组织服务群众专项经费2024.xlsx", "五华区五个先锋奖励经费2023.xlsx"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--only", choices=["五华", "西山"], default=None, help="copies of one sample only")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--serial-sample", type=int, default=50, help="files scored in one process for the comparison")
    args = parser.parse_args()
    from perfeval_xl.batch import process_file

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "books"
        for i in range(args.files):
            sub = folder / f"{i // 100:02d}"
            sub.mkdir(parents=True, exist_ok=True)
            samples = [s for s in SAMPLES if args.only is None or s.startswith(args.only)]
            shutil.copyfile(ROOT / "sample_workbooks" / samples[i % len(samples)], sub / f"评价{i:04d}.xlsx")
        every = sorted(folder.rglob("*.xlsx"))
        from python_calamine import CalamineWorkbook

        c0 = time.process_time()
        for f in every:
            book = CalamineWorkbook.from_path(str(f))
            for name in book.sheet_names:
                book.get_sheet_by_name(name).to_python()
        calamine_cpu = (time.process_time() - c0) / len(every)
        files = every[: args.serial_sample]
        process_file(str(files[0]))  # imports and first-call work, as a worker does once
        t0, c0 = time.perf_counter(), time.process_time()
        for f in files:
            process_file(str(f))
        serial = (time.perf_counter() - t0) / len(files)
        serial_cpu = (time.process_time() - c0) / len(files)
        # the same files again, every text cache emptied before each: what files sharing no text would cost
        caches = _text_caches()
        c0 = time.process_time()
        for f in files:
            for cache in caches:
                cache.cache_clear()
            process_file(str(f))
        cold_cpu = (time.process_time() - c0) / len(files)
        command = [sys.executable, "-m", "perfeval_xl.cli", "batch", str(folder), "-o", str(Path(tmp) / "汇总.xlsx"),
                   "--json"]
        if args.jobs:
            command += ["--jobs", str(args.jobs)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run(command, capture_output=True, cwd=tmp, env={**os.environ, "PYTHONPATH": str(ROOT)})
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        cores = os.cpu_count() or 1
        print(f"calamine reads every sheet, CPU per file:   {calamine_cpu * 1000:8.1f} ms")
        print(f"one process, per file (mean of {len(files)}):     {serial * 1000:8.1f} ms  (CPU {serial_cpu * 1000:.1f} ms, "
              f"{serial_cpu / calamine_cpu:.1f}× calamine)")
        print(f"perfeval batch, {args.files} files, {cores} cores: {wall:8.2f} s "
              f"({wall / args.files * 1000:.1f} ms per file; exit {done.returncode})")
        print(f"speed-up over one process:                  {serial * args.files / wall:8.2f}×")
        print(f"CPU of the batch's processes:               {cpu:8.2f} s ({cpu / args.files * 1000:.1f} ms per file; "
              f"÷ {cores} cores = {cpu / cores:.2f} s)")
        print(f"batch CPU per file ÷ calamine CPU per file:  {cpu / args.files / calamine_cpu:8.2f}×  (goal ≤ 4×)")
        print(f"batch's own cost per file (batch CPU − one process's review CPU): "
              f"{(cpu / args.files - serial_cpu) * 1000:.1f} ms")
        cold_batch = cpu / args.files + cold_cpu - serial_cpu
        print(f"one process, {len(caches)} text caches emptied before each file: CPU {cold_cpu * 1000:.1f} ms "
              f"({cold_cpu / calamine_cpu:.1f}× calamine); a batch of files sharing no text ≈ "
              f"{cold_batch / calamine_cpu:.2f}× calamine")
    return 0


def _text_caches() -> list:
    """Every ``lru_cache`` of perfeval_xl's loaded modules but the parse of a rule's text (template
    configuration, which every file of a real batch shares).  Copies of one file hit the others on every
    file after the first, as files of a real batch hit them only for the texts they share (headers,
    indicator names): emptied before each file they give the other bound, files sharing no text."""
    from perfeval_xl.core import rules

    found = {id(value): value for name, module in list(sys.modules.items())
             if name.startswith("perfeval_xl") and module is not None
             for value in vars(module).values() if hasattr(value, "cache_clear") and hasattr(value, "cache_info")}
    found.pop(id(rules._made), None)
    return list(found.values())


if __name__ == "__main__":
    sys.exit(main())
