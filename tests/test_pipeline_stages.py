"""score and review as stage lists of the one pipeline: the plan is frozen after the plan stage,
the run's findings are the one channel, the run's caches are shared by the stages."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

from perfeval_xl.core import schema
from perfeval_xl.io.snapshot import read_snapshot
from perfeval_xl.pipeline import STAGES, run, score_snapshot
from perfeval_xl.review import REVIEW_STAGES, read_for_review, review_snapshot

from conftest import XISHAN


def test_the_plan_is_final_after_the_plan_stage():
    scored = score_snapshot(read_snapshot(XISHAN))
    assert isinstance(scored.plan.sheets, tuple)
    with pytest.raises(FrozenInstanceError):
        scored.plan.sheets[0].landscape = not scored.plan.sheets[0].landscape
    with pytest.raises(FrozenInstanceError):
        scored.plan.sheets = ()


def test_score_findings_are_the_runs_findings():
    done = run(read_snapshot(XISHAN))
    scored = score_snapshot(read_snapshot(XISHAN))
    # the evaluation the sheets are built from carries exactly what every stage reported
    assert list(scored.findings) == list(done.findings) == list(done["reconcile"].findings)
    assert [s.name for s in STAGES][-1] == "plan"


def test_review_is_stages_and_builds_its_sheet_once(tmp_path):
    snapshot, others = read_for_review(XISHAN)
    reviewed = review_snapshot(snapshot, others)
    assert [s.name for s in REVIEW_STAGES] == ["evaluate workbook", "review others", "plan"]
    names = reviewed.plan.names
    # 复核意见 once, in the extensions' order: after the score sheets, before 取数底稿 and 校验结果
    assert names.count(schema.OUTPUT_REVIEW) == 1
    assert names.index(schema.OUTPUT_REVIEW) == names.index(schema.OUTPUT_TRACE) - 1
    assert names[-1] == schema.OUTPUT_FINDINGS
    # one channel: the scoring's findings first, then the review's own, nothing twice from 报告数据
    own = list(reviewed.evaluation.findings)
    assert list(reviewed.findings)[:len(own)] == own
    assert len(reviewed.findings) == len(own) + len(reviewed.result.findings) - len(reviewed.evaluation.reported.findings)


def test_the_stages_share_the_runs_caches():
    done = run(read_snapshot(XISHAN))
    evaluated, reconciled = done["evaluate"], done["reconcile"]
    # the reconcile stage's evaluation is a new object over the same caches: nothing summed twice
    assert reconciled is not evaluated and reconciled.caches is evaluated.caches
    assert reconciled.scope(None) is evaluated.scope(None)
    assert run(read_snapshot(XISHAN))["reconcile"].caches is not reconciled.caches  # one per run


def test_what_any_stage_reports_reaches_the_findings_sheet():
    # a stage between reconcile and plan reports a warning: the one channel carries it to 校验结果
    from perfeval_xl.core.findings import Findings
    from perfeval_xl.pipeline import Stage, stages_until

    def remark(evaluation, env):
        found = Findings()
        found.warning((schema.PROJECT_INFO.name, "B2"), "由插入的阶段报告的提示")
        return evaluation, found

    stages = (*stages_until("reconcile"), Stage("remark", remark), STAGES[-1])
    done = run(read_snapshot(XISHAN), stages)
    assert done.findings[-1].message == "由插入的阶段报告的提示"
    listed = [v for _, _, v, _ in done["plan"].sheet(schema.OUTPUT_FINDINGS).cells]
    assert "由插入的阶段报告的提示" in listed
    # and the score sheets were not recomputed for it: the same run caches
    assert done["reconcile"].caches is done["evaluate"].caches


def test_tables_hold_no_cache_the_run_does():
    done = run(read_snapshot(XISHAN))
    book = done["check"]
    # the normalised, attached and checked books and the evaluation share the run's one caches object
    assert done["read"].caches is book.caches is done["reconcile"].caches
    ledger = book.table(schema.LEDGER)
    assert "_indexes" not in vars(ledger)
    by_unit = book.grouped(schema.LEDGER, "unit")
    assert book.grouped(schema.LEDGER, "unit") is by_unit  # built once per run
    assert sum(map(len, by_unit.values())) == len(ledger.records)
