"""Cyclic garbage collection paused while one workbook is read and scored.

Reading a long table builds hundreds of thousands of objects that all live until the run
ends (rows, records, parsed values).  CPython's cyclic collector, triggered by the count of
allocations, would traverse all of them again and again (a 100,000-row 支出明细 spent a
third of its scoring time in it) although none of them is garbage.  The pipeline creates
no reference cycles that must be reclaimed before it returns, so collection waits until the
run is over: the collector is switched back on (if it was on) when the block exits, and
reclaims then whatever cycles there are.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def gc_paused() -> Iterator[None]:
    """Within the block the cyclic collector does not run; its previous state is restored after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
