"""An indicator that measures no value (要点, 定性, 人工, 逐项扣分) is scored once per evaluation for the
units that share its 评分录入 lines: the same score and the same findings, each finding named with its
own unit, as scoring every unit on its own gives.  Checked on a hand-made workbook of three units."""

from __future__ import annotations

from decimal import Decimal as D

from perfeval_xl.core.findings import Findings
from perfeval_xl.core.rules import RULES
from perfeval_xl.core.scoring import score_indicator
from perfeval_xl.pipeline import run, stages_until
from snapshots import snapshot

INFO = {"项目名称": "测试项目", "评价形态": "分单位评价", "金额单位": "万元"}
UNITS = [{"单位全称": "甲街道办事处", "单位简称": "甲"}, {"单位全称": "乙街道办事处", "单位简称": "乙"},
         {"单位全称": "丙街道办事处", "单位简称": "丙"}]
FUNDS = [{"单位简称": "甲", "预算数": "1", "实际到位": "1", "实际支出": "1"},
         {"单位简称": "乙", "预算数": "2", "实际到位": "1", "实际支出": "1"},
         {"单位简称": "丙", "预算数": "0.5", "实际到位": "0.5", "实际支出": "0.5"}]
INDICATORS = [
    {"编码": "A1", "一级指标": "决策", "一级分值": 40, "二级指标": "制度", "二级分值": 40, "三级指标": "制度", "分值": 40,
     "评分方法": "要点", "规则参数": "①制度健全:24；②执行有效:16"},
    {"编码": "B1", "一级指标": "过程", "一级分值": 30, "二级指标": "管理", "二级分值": 30, "三级指标": "管理", "分值": 30,
     "评分方法": "人工"},
    {"编码": "C1", "一级指标": "产出", "一级分值": 30, "二级指标": "资金", "二级分值": 30, "三级指标": "到位", "分值": 30,
     "评分方法": "比率", "取值来源": "资金到位率"},
]
MANUAL = [{"指标编码": "A1", "要点/子项": "全部", "达成情况": "是"},
          {"单位简称": "乙", "指标编码": "A1", "要点/子项": "②", "达成情况": "否", "扣分原因": "执行记录缺失"},
          {"单位简称": "甲", "指标编码": "B1", "得分": 25, "扣分原因": "记录不全"}]
TABLES = {"单位名单": UNITS, "资金情况": FUNDS, "指标体系": INDICATORS, "评分录入": MANUAL}


def _evaluated():
    done = run(snapshot(INFO, TABLES), stages_until("evaluate"))
    return done["evaluate"], done.stage_findings["evaluate"]


def test_the_kinds_that_measure_no_value_are_the_scope_free_ones():
    assert {kind for kind, rule in RULES.items() if rule.scope_free} == {"要点", "定性", "人工", "逐项扣分"}
    assert all(not rule.needs_value for rule in RULES.values() if rule.scope_free)


def test_units_sharing_their_lines_share_one_score():
    evaluation, _ = _evaluated()
    jia, yi, bing = evaluation.units
    # by hand: A1 全部=是 gives 24+16; 乙's own ② 否 loses 16.  B1 人工: 甲's 25, none for 乙 and 丙.
    # C1 资金到位率: 甲 1/1, 乙 1/2, 丙 0.5/0.5 → 30×100%, 30×50%, 30×100%
    assert [[s.score for s in u.indicators] for u in evaluation.units] == [
        [D("40.00"), D("25.00"), D("30.00")], [D("24.00"), D("0.00"), D("15.00")], [D("40.00"), D("0.00"), D("30.00")]]
    assert [u.total for u in evaluation.units] == [D("95.00"), D("39.00"), D("70.00")]
    assert yi.indicators[0].reason == "执行记录缺失"
    # 甲 and 丙 have no A1 line of their own: scored once; 乙 and 丙 have no B1 line: scored once
    assert jia.indicators[0] is bing.indicators[0] and yi.indicators[0] is not bing.indicators[0]
    assert yi.indicators[1] is bing.indicators[1] and jia.indicators[1] is not bing.indicators[1]
    # a measured value is every unit's own, even when it scores the same: its own cells of 资金情况
    assert jia.indicators[2].score == bing.indicators[2].score
    assert [r.row for r in jia.indicators[2].inputs[1:]] == [2, 2] and [r.row for r in bing.indicators[2].inputs[1:]] == [4, 4]


def test_the_shared_score_says_its_findings_for_each_unit():
    evaluation, findings = _evaluated()
    # B1's 评分方法 cell (I4), once for each unit without a score, in the order of the units
    said = "：指标 B1管理：未录入人工评分：请在“评分录入”中填写得分和扣分原因"
    assert [(f.severity, f.sheet, f.cell, f.message) for f in findings] == [
        ("error", "指标体系", "I4", "乙" + said), ("error", "指标体系", "I4", "丙" + said)]


def test_scored_alike_is_what_scoring_each_unit_alone_gives():
    evaluation, findings = _evaluated()
    alone = Findings()
    for unit in evaluation.units:
        scope = evaluation.scope(unit.name)
        for d, shared in zip(evaluation.system.for_unit(unit.name), unit.indicators):
            assert score_indicator(d, scope, alone) == shared
    assert list(alone) == list(findings) and len(alone) == 2


def test_a_rule_reading_only_its_value_is_applied_once_per_value(monkeypatch):
    from perfeval_xl.core.rules import RatioRule
    assert {kind for kind, rule in RULES.items() if rule.value_only} == {"比率", "区间", "阶梯扣分", "分档"}
    applied = []
    score = RatioRule.score
    monkeypatch.setattr(RatioRule, "score", lambda self, ctx: applied.append(ctx.value.amount) or score(self, ctx))
    evaluation, _ = _evaluated()
    jia, yi, bing = evaluation.units
    # C1 资金到位率: 甲 1/1 and 丙 0.5/0.5 are both 100%: one outcome for both; 乙 1/2 = 50% its own
    assert applied == [D("1.0000"), D("0.5000")]
    # the rule's part of the 计算过程 is shared; the value's derivation is each unit's own
    assert jia.indicators[2].process == "资金到位率=1.00/1.00×100%=100.00%；30×100.00%=30.00"
    assert bing.indicators[2].process == "资金到位率=0.50/0.50×100%=100.00%；30×100.00%=30.00"
    assert jia.indicators[2].inputs != bing.indicators[2].inputs  # each unit's own cells


def test_definitions_and_scores_made_at_once_are_what_their_classes_make():
    from dataclasses import fields, replace
    evaluation, _ = _evaluated()
    from perfeval_xl.core import schema
    from perfeval_xl.core.scoring import _entries_of
    lines = list(evaluation.book.rows(schema.MANUAL))
    entries = [e for d in evaluation.system.generic for e in _entries_of(d, lines)]
    assert len(entries) == 9  # every line for each of the three indicators (none has items)
    made = [d for d in evaluation.system.generic] + [s for u in evaluation.units for s in u.indicators] + entries
    for item in made:  # every field set, in order, and the same object as the class's __init__ makes
        assert list(vars(item)) == [f.name for f in fields(item)]
        assert replace(item) == item
