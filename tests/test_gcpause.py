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


@pytest.mark.parametrize("name", ["五华区五个先锋奖励经费2023", "西山区社区党组织服务群众专项经费2024"])
def test_a_review_leaves_nothing_for_the_collector(name):
    """Reviewing a sample (scoring, 报告数据, pasted tables) frees everything by reference counting: no
    object of the run is left in a reference cycle (a book's scopes hold it weakly; formulas recurse
    without self-calling closures), so a batch worker's collector has nothing to do between files."""
    from conftest import SAMPLES
    from perfeval_xl.review import read_for_review, review_snapshot

    read = read_for_review(SAMPLES / f"{name}.xlsx")
    gc.collect()
    gc.disable()
    try:
        reviewed = review_snapshot(*read, with_plan=False)
        assert reviewed.result.checked > 0
        del reviewed
        assert gc.collect() == 0  # objects found unreachable only by the cyclic collector
    finally:
        gc.enable()
