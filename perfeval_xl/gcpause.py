"""Cyclic garbage collection kept out of the way while one workbook is read and scored.

Reading a long table builds hundreds of thousands of objects that all live until the run
ends (rows, records, parsed values).  CPython's cyclic collector, triggered by the count of
allocations, would traverse all of them again and again (a 100,000-row 支出明细 spent a
third of its scoring time in it) although none of them is garbage, and once more when it
is switched back on.  So, in :func:`gc_paused`:

* the collector is off within the block (the pipeline creates no reference cycles that must
  be reclaimed before it returns);
* when the outermost block ends normally after a large run (more than :data:`FREEZE_AFTER`
  objects the collector would have to look at), the objects alive then (the run's result)
  are moved out of the collector's sight (``gc.freeze``) before it is switched back on —
  most of them are freed by reference counting as soon as the caller drops the result;
* the next block hands whatever is left of them back to the collector (``gc.unfreeze``), so
  a long-lived process (a batch worker, the Excel add-in) keeps nothing for good.  A block
  left by an exception (whose traceback makes cycles) or a small run does not freeze: the
  collector simply runs again as usual.

A process that froze objects itself is left alone: the block then only switches the
collector off and on again.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

#: a run that leaves more new objects than this for the collector freezes them instead
FREEZE_AFTER = 50_000
#: whether the objects in the permanent generation were put there by this module
_frozen_here = [False]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Within the block the cyclic collector does not run; its previous state is restored after."""
    was_enabled = gc.isenabled()
    if was_enabled and _frozen_here[0]:
        gc.unfreeze()  # the previous run's survivors go back to the collector
        _frozen_here[0] = False
    gc.disable()
    try:
        yield
    except BaseException:
        if was_enabled:
            gc.enable()
        raise
    if was_enabled:
        if gc.get_count()[0] > FREEZE_AFTER and gc.get_freeze_count() == 0:
            gc.freeze()
            _frozen_here[0] = True
        gc.enable()
