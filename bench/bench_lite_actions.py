"""How many Office.js actions one 评分 queues in xlwings Lite, for both samples.

    .venv/bin/python bench/bench_lite_actions.py

Each sample is turned into the json the xlwings JavaScript client sends (``xw.Book(json=...)``, the
remote engine Lite uses; ``XLWINGS_LICENSE_KEY=noncommercial`` for this bench only), scored by
``perfeval_xl.excel.score_book``, and the queued actions are counted by kind.  Every action is one
Office.js call on one rectangle, and about two Excel round trips in xlwings' client.  The ``复核``
script is counted too.  At commit 0b2fa3c a 评分 queued 2,250 actions for 五华 and 813 for 西山.
"""

from __future__ import annotations

import collections
import copy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

SAMPLES = {"五华": "五华区五个先锋奖励经费2023.xlsx", "西山": "西山区社区党组织服务群众专项经费2024.xlsx"}
BASELINE = {"五华": 2250, "西山": 813}  # 评分 at commit 0b2fa3c


def main() -> int:
    import xlwings_harness as harness
    from xlwings_replay import book_payload

    from perfeval_xl import excel

    with harness.fresh_xlwings({"XLWINGS_LICENSE_KEY": "noncommercial"}) as xw:
        print(f"{'sample':<6}{'script':<6}{'actions':>9}{'at 0b2fa3c':>12}  by kind")
        for label, name in SAMPLES.items():
            payload = book_payload(ROOT / "sample_workbooks" / name, xw.__version__)
            for script, run in (("评分", excel.score_book), ("复核", excel.review_book)):
                book = xw.Book(json=copy.deepcopy(payload))
                if run(book) is None:
                    raise SystemExit(f"{label} {script} failed: {book.json()['actions'][-1]}")
                actions = book.json()["actions"]
                kinds = collections.Counter(a["func"] for a in actions)
                before = f"{BASELINE[label]:,}" if script == "评分" else "-"
                print(f"{label:<6}{script:<6}{len(actions):>9,}{before:>12}  "
                      + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
