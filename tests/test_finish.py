"""finish(): a sheet's plan laid out for print once and frozen; finishing a finished plan changes nothing."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError, fields

import pytest

from perfeval_xl.core import schema
from perfeval_xl.core.review_result import SCORE_REVIEW_SCOPE, reported_result, review_sheet
from perfeval_xl.core.writeplan import SheetBuilder, SheetPlan, finish, lay_out
from perfeval_xl.io.snapshot import read_snapshot
from perfeval_xl.pipeline import score_snapshot
from perfeval_xl.review import read_for_review, review_snapshot

from conftest import SAMPLES

WUHUA = SAMPLES / "五华区五个先锋奖励经费2023.xlsx"


def _values(plan: SheetPlan) -> dict:
    """Every field of the plan as plain lists and dicts (what a writer reads)."""
    return {f.name: copy.deepcopy(getattr(plan, f.name)) for f in fields(plan) if f.compare}


def _draft() -> SheetPlan:
    # a header "产出数量（10分）" in a column 6 wide breaks mid-word ("产出数量（10分" / "）"): laying
    # out gives it a line of its own for its bracket group or widens its column; a note merged over
    # the two columns is longer than they are wide: it is broken into lines
    b = SheetBuilder("测试", [6, 30])
    b.header(["产出数量（10分）", "说明"])
    b.line("注：" + "本表的得分按四舍五入保留两位小数，合计等于所列各行之和。" * 3, 2, "note")
    return b.plan


def test_finishing_a_finished_plan_changes_nothing():
    plan = finish(_draft())
    before = _values(plan)
    assert finish(plan) is plan and finish(finish(plan)) is plan
    assert _values(plan) == before
    # what finishing did, once: the label's bracket group on a line of its own, the note cut into lines
    assert plan.cells[0][2] == "产出数量\n（10分）" or plan.widths[0] > 6
    assert "\n" in plan.cells[2][2] and plan.unbroken[(1, 0)].startswith("注：")


def test_a_finished_plan_cannot_be_changed():
    plan = finish(_draft())
    assert plan.finished and not _draft().finished
    with pytest.raises(FrozenInstanceError):
        plan.landscape = False
    changes = [lambda: plan.cells.append((9, 0, "x", "text")), lambda: plan.cells.__setitem__(0, None),
               lambda: plan.merges.__setitem__(slice(None), []), lambda: plan.row_breaks.append(5),
               lambda: plan.charts.extend([]), lambda: plan.widths.__setitem__(0, 40.0),
               lambda: plan.heights.update({0: 50.0}), lambda: plan.heights.pop(0),
               lambda: plan.unbroken.clear(), lambda: plan.cells.sort()]
    for change in changes:
        with pytest.raises(FrozenInstanceError):
            change()
    with pytest.raises(FrozenInstanceError):  # and no pass can lay it out again
        lay_out(plan)
    # read like any list and dict, and copied or pickled (a worker process) whole and still frozen
    assert plan.row_breaks == [] and plan.widths[1] == 30
    for again in (copy.deepcopy(plan), pickle.loads(pickle.dumps(plan))):
        assert _values(again) == _values(plan)
        with pytest.raises(FrozenInstanceError):
            again.cells.append((9, 0, "x", "text"))


def test_a_draft_is_changed_until_it_is_finished():
    draft = _draft()
    lay_out(draft)  # a builder placing its page breaks by the final heights
    draft.row_breaks.append(2)
    assert finish(draft).row_breaks == [2]


def test_the_plan_stage_does_not_lay_out_a_finished_sheet_again():
    # score's plan stage used to finish 复核意见 (built finished) a second time, widening its 对象 and 出处
    # columns again (D 30 → 34, I 26 → 29 on 五华): now the sheet is written as its builder finished it
    scored = score_snapshot(read_snapshot(WUHUA))
    built = review_sheet(scored.evaluation.book.name, reported_result(scored.evaluation), SCORE_REVIEW_SCOPE)
    written = scored.plan.sheet(schema.OUTPUT_REVIEW)
    assert _values(written) == _values(built)
    assert (written.widths[3], written.widths[8]) == (30, 26)
    reviewed = review_snapshot(*read_for_review(WUHUA))
    for sheet in scored.plan.sheets + reviewed.plan.sheets:
        assert sheet.finished and finish(sheet) is sheet
