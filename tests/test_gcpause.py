"""The collector is paused while a workbook is scored and restored after; what the pause froze
is handed back to the collector by the next run, and a freeze made by someone else is kept."""

from __future__ import annotations

import gc

import pytest

from perfeval_xl import gcpause
from perfeval_xl.gcpause import gc_paused


@pytest.fixture(autouse=True)
def nothing_frozen():
    """A scoring run of an earlier test may have left its survivors frozen: hand them back."""
    if gcpause._frozen_here[0]:
        gc.unfreeze()
        gcpause._frozen_here[0] = False
    assert gc.get_freeze_count() == 0
    yield


def test_paused_inside_restored_after_and_unfrozen_by_the_next_run():
    assert gc.isenabled() and gc.get_freeze_count() == 0
    try:
        with gc_paused():
            assert not gc.isenabled()
            with gc_paused():  # nested: still off, and the inner exit changes nothing
                assert not gc.isenabled()
                kept = [[i] for i in range(gcpause.FREEZE_AFTER + 1000)]  # a large run's result
            assert not gc.isenabled() and gc.get_freeze_count() == 0
        assert gc.isenabled() and gc.get_freeze_count() > 0 and len(kept) > gcpause.FREEZE_AFTER
        with gc_paused():
            assert gc.get_freeze_count() == 0 and not gc.isenabled()
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gcpause._frozen_here[0] = False
        gc.enable()


def test_an_outside_freeze_is_left_alone_and_a_disabled_collector_stays_off():
    try:
        gc.freeze()
        frozen = gc.get_freeze_count()
        with gc_paused():
            pass
        assert gc.isenabled() and gc.get_freeze_count() == frozen and not gcpause._frozen_here[0]
        gc.unfreeze()
        gc.disable()
        with gc_paused():
            pass
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
        gc.enable()


def test_cycles_made_during_a_run_are_collected_after_the_next_run_starts():
    import weakref

    class Node:
        pass

    try:
        with gc_paused():
            a, b = Node(), Node()
            a.other, b.other = b, a
            watch = weakref.ref(a)
            del a, b
            kept = [[i] for i in range(gcpause.FREEZE_AFTER + 1000)]
        assert gc.get_freeze_count() > 0
        del kept
        gc.collect()
        assert watch() is not None  # frozen with the run's survivors
        with gc_paused():
            pass
        gc.collect()
        assert watch() is None
    finally:
        gc.unfreeze()
        gcpause._frozen_here[0] = False
        gc.enable()


def test_a_small_run_or_an_exception_does_not_freeze():
    with gc_paused():
        small = [[i] for i in range(100)]
    assert gc.isenabled() and gc.get_freeze_count() == 0 and small
    with pytest.raises(ValueError):
        with gc_paused():
            kept = [[i] for i in range(gcpause.FREEZE_AFTER + 1000)]
            raise ValueError(len(kept))
    assert gc.isenabled() and gc.get_freeze_count() == 0
