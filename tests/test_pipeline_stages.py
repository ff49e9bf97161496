"""score and review as stage lists of the one pipeline: the plan is frozen after the plan stage,
the run's findings are the one channel, the run's caches are shared by the stages."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

from perfeval_xl.core import schema
from perfeval_xl.io.snapshot import read_snapshot
from perfeval_xl.pipeline import STAGES, run, score_snapshot
from perfeval_xl.core.summary import summary
from perfeval_xl.review import REVIEW_STAGES, read_for_review, review_json, review_snapshot

from conftest import XISHAN, SAMPLES
from snapshots import snapshot

WUHUA = SAMPLES / "五华区五个先锋奖励经费2023.xlsx"


def test_the_plan_is_final_after_the_plan_stage():
    scored = score_snapshot(read_snapshot(XISHAN))
    assert isinstance(scored.plan.sheets, tuple)
    with pytest.raises(FrozenInstanceError):
        scored.plan.sheets[0].landscape = not scored.plan.sheets[0].landscape
    with pytest.raises(FrozenInstanceError):
        scored.plan.sheets = ()


#: a workbook with a finding from four stages: read (B3 not a number), normalise (a unit not in the
#: list), evaluate (the weights add up to 90, not 100), reconcile (报告数据 names a grade that is none)
FOUR_STAGES = snapshot(
    {"项目名称": "测试项目", "评价形态": "分单位评价", "金额单位": "万元"},
    {"单位名单": [{"单位全称": "甲街道办事处", "单位简称": "甲"}],
     "资金情况": [{"单位简称": "甲", "预算数": "abc", "实际到位": "1"}, {"单位简称": "丁", "预算数": "1"}],
     "指标体系": [{"编码": "A1", "一级指标": "决策", "二级指标": "资金", "三级指标": "制度", "分值": 90,
                 "评分方法": "人工"}],
     "评分录入": [{"指标编码": "A1", "得分": 90}],
     "报告数据": [{"单位简称": "", "内容": "等级", "报告值": "甲"}]})


def _findings_sheet_rows(plan) -> list[tuple]:
    """(级别, 工作表, 单元格, 说明) of each row listed in 校验结果 (title, count line, header above them)."""
    cells = {(r, c): v for r, c, v, _ in plan.sheet(schema.OUTPUT_FINDINGS).cells}
    rows = max(r for r, _ in cells) + 1
    return [tuple(cells.get((r, c)) for c in range(1, 5)) for r in range(3, rows)]


def test_score_findings_are_the_runs_findings():
    done = run(FOUR_STAGES)
    scored = score_snapshot(FOUR_STAGES)
    assert list(scored.findings) == list(done.findings)
    assert [s.name for s in STAGES][-1] == "plan"
    # no stage's result carries findings: the run's list is the only channel
    assert not any(hasattr(result, "findings") for result in done.results.values())
    where = {name: [(f.sheet, f.cell) for f in found] for name, found in done.stage_findings.items() if found}
    assert where == {"read": [("资金情况", "B3")], "normalise": [("资金情况", "A4")],
                     "evaluate": [("指标体系", "H3")], "reconcile": [("报告数据", "D3")]}
    # the run's list is the stages' lists one after the other …
    assert [f for stage in STAGES for f in done.stage_findings[stage.name]] == list(done.findings)
    # … and the same list is what 校验结果, the JSON and the exit status say
    assert _findings_sheet_rows(scored.plan) == [(f.level, f.sheet, f.cell, f.message) for f in scored.findings]
    assert summary(scored.evaluation, scored.findings)["findings"] == [f.as_json() for f in done.findings]
    assert len(scored.findings.errors) == 4  # cli: exit status 1


def test_review_lists_the_scorings_findings_in_its_findings_sheet():
    # 五华's review: scoring finds two warnings (问卷计数 P59, 指标体系 H33); reviewing its pasted 附件5
    # finds a 尾差 (D8).  校验结果 lists the scoring's, as score does; the JSON and exit status all three
    snapshot_, others = read_for_review(WUHUA)
    reviewed = review_snapshot(snapshot_, others)
    assert [(f.sheet, f.cell) for f in reviewed.scoring_findings] == [("问卷计数", "P59"), ("指标体系", "H33")]
    assert [(f.sheet, f.cell) for f in reviewed.findings] == [("问卷计数", "P59"), ("指标体系", "H33"), ("附件5", "D8")]
    assert [row[1:3] for row in _findings_sheet_rows(reviewed.plan)] == [("问卷计数", "P59"), ("指标体系", "H33")]
    assert review_json(reviewed)["findings"] == [f.as_json() for f in reviewed.findings]


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
    own = list(reviewed.scoring_findings)
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
