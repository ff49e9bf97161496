"""Per-unit look-ups through indexes built once (linear in the units) give exactly what a scan of
every row per unit gives: checked on a small hand-made workbook of three units whose rows are
interleaved, against straightforward scans written here, and against figures computed by hand."""

from __future__ import annotations

from decimal import Decimal as D

from perfeval_xl.core import schema
from perfeval_xl.core.book import normalise, read
from perfeval_xl.core.checks import roster_within_budget
from perfeval_xl.core.fund_sheets import headcount_sheet
from perfeval_xl.core.score_sheets import score_columns
from perfeval_xl.core.scoring import _budget, _entries_for
from perfeval_xl.pipeline import score_snapshot
from snapshots import snapshot

INFO = {"项目名称": "测试项目", "评价形态": "分单位评价", "金额单位": "万元"}
UNITS = [{"单位全称": "甲街道办事处", "单位简称": "甲"}, {"单位全称": "乙街道办事处", "单位简称": "乙"},
         {"单位全称": "丙街道办事处", "单位简称": "丙"}]
FUNDS = [{"单位简称": "乙", "预算数": "2", "实际到位": "2", "实际支出": "2"},
         {"单位简称": "甲", "预算数": "1", "实际到位": "1", "实际支出": "1"},
         {"单位简称": "丙", "预算数": "0.5", "实际到位": "0.5", "实际支出": "0.5"},
         {"单位简称": "甲", "预算数": "0.1"}]
# the units' rows interleaved, 丙 named first: the order of the findings follows the roster
ROSTER = [{"单位简称": "丙", "类别": "书记", "人数": 1, "月标准（元）": 500, "月数": 12, "是否发放": "是"},
          {"单位简称": "甲", "类别": "书记", "人数": 2, "月标准（元）": 500, "月数": 12, "是否发放": "是"},
          {"单位简称": "乙", "类别": "委员", "人数": 3, "月标准（元）": 300, "月数": 12, "是否发放": "否"},
          {"单位简称": "甲", "类别": "委员", "人数": 1, "月标准（元）": 300, "月数": 12, "是否发放": "是"},
          {"单位简称": "丙", "类别": "委员", "人数": 2, "月标准（元）": 300, "月数": 6}]
INDICATORS = [
    {"编码": "A1", "一级指标": "决策", "一级分值": 50, "二级指标": "资金", "二级分值": 50, "三级指标": "制度", "分值": 50,
     "评分方法": "人工"},
    {"编码": "B1", "一级指标": "效益", "一级分值": 50, "二级指标": "管理", "二级分值": 50, "三级指标": "管理", "分值": 50,
     "评分方法": "人工"},
]
MANUAL = [{"指标编码": "A1", "得分": 50}, {"单位简称": "乙", "指标编码": "B1", "得分": 40, "扣分原因": "粗略"},
          {"指标编码": "B1", "得分": 45}, {"单位简称": "甲", "指标编码": "A1", "得分": 30, "扣分原因": "缺失"},
          {"单位简称": "乙", "指标编码": "A1", "得分": 35, "扣分原因": "不全"}]
TABLES = {"单位名单": UNITS, "资金情况": FUNDS, "人员名册": ROSTER, "指标体系": INDICATORS, "评分录入": MANUAL}


def _book():
    book, _ = read(snapshot(INFO, TABLES))
    return normalise(book)[0]


def _entries_by_scan(book, unit, code):
    """评分录入 rows of an indicator for a unit as the scan over every row gives them: the unit's own
    rows, after the generic rows whose 要点 the unit does not give itself."""
    rows = [r for r in book.rows(schema.MANUAL) if r.get("code") == code]
    own = [r for r in rows if unit and r.get("unit") == unit]
    generic = [r for r in rows if r.get("unit") is None]
    own_items = {r.get("item") or "" for r in own}
    return [r for r in generic if (r.get("item") or "") not in own_items] + own


def test_grouped_by_two_columns_is_the_scan():
    table = _book().table(schema.MANUAL)
    index = _book().grouped(schema.MANUAL, ("code", "unit"))
    pairs = {(r.get("code"), r.get("unit")) for r in table.records}
    assert set(index) == pairs == {("A1", None), ("B1", "乙"), ("B1", None), ("A1", "甲"), ("A1", "乙")}
    for code, unit in pairs:
        assert index[(code, unit)] == tuple(r for r in table.records
                                            if r.get("code") == code and r.get("unit") == unit)


def test_entries_and_budgets_by_index_are_the_scan():
    book = _book()
    for unit in ("甲", "乙", "丙", None):
        for code in ("A1", "B1", "C9"):
            assert _entries_for(book, unit, code) == _entries_by_scan(book, unit, code), (unit, code)
        by_scan = [r.get("budget") for r in book.rows(schema.FUNDS) if unit is None or r.get("unit") == unit]
        assert _budget(book, unit) == sum(by_scan, D(0))
    # by hand: 甲 1 + 0.1, 乙 2, 丙 0.5, the project 3.6 (万元)
    assert [_budget(book, u) for u in ("甲", "乙", "丙", None)] == [D("1.1"), D("2"), D("0.5"), D("3.6")]
    # 甲's own A1 row stands in for the generic one (the same 要点, none); 丙 has none of its own
    assert [r.get("score") for r in _entries_for(book, "甲", "A1")] == [D(30)]
    assert [r.get("score") for r in _entries_for(book, "丙", "A1")] == [D(50)]
    assert [book.unit(u).full_name for u in ("甲", "乙", "丙")] == ["甲街道办事处", "乙街道办事处", "丙街道办事处"]
    assert book.unit("丁") is None


def test_roster_over_budget_in_roster_order():
    found = list(roster_within_budget(_book()))
    # by hand (元 → 万元 ÷ 10000): 丙 1×500×12 + 2×300×6 = 9,600 元 = 0.96 > 0.5;
    # 甲 2×500×12 + 1×300×12 = 15,600 元 = 1.56 > 1.1; 乙 3×300×12 = 10,800 元 = 1.08 ≤ 2
    assert [(f.sheet, f.cell, f.message) for f in found] == [
        ("资金情况", "B5", "丙：按人员名册计算的应发金额 0.96 万元 超过预算数 0.50 万元"),
        ("资金情况", "B4", "甲：按人员名册计算的应发金额 1.56 万元 超过预算数 1.10 万元"),
    ]


def test_scores_and_tables_per_unit():
    scored = score_snapshot(snapshot(INFO, TABLES))
    ev = scored.evaluation
    # 甲: A1 its own 30, B1 the generic 45; 乙: its own 35 and 40; 丙: the generic 50 and 45
    assert [(u.name, u.total) for u in ev.units] == [("甲", D(75)), ("乙", D(75)), ("丙", D(95))]
    assert [ev.unit_named(n) for n in ("甲", "乙", "丙")] == list(ev.units)
    assert ev.unit_named("丁") is None
    assert score_columns(ev) == ["编码", "分值", "评分标准", "计算过程", "得分", "扣分原因"]  # 编码: on by default
    rows = [r[:6] for r in headcount_sheet(ev).grid()[3:7]]
    # by hand: 甲 3 people, 3 paid; 乙 3, none paid; 丙 3, 1 paid (是否发放 blank counts as not paid)
    assert rows == [["甲街道办事处", D("1.0000"), D(3), D(3), D(2), D(1)],
                    ["乙街道办事处", D(0), D(3), D(0), None, D(0)],
                    ["丙街道办事处", D("0.3333"), D(3), D(1), D(1), D(0)],
                    ["合计", D("0.4444"), D(9), D(4), D(3), D(1)]]


def _indicator_by_scan(evaluation, unit, target):
    """报告数据's look-up of an indicator as a scan of the unit's indicators for every row."""
    from perfeval_xl.core.reported import _plain_name

    scores = evaluation.unit_named(unit) if unit else None
    pool = scores.indicators if scores is not None else evaluation.units[0].indicators
    name = _plain_name(target)
    for match in (lambda s: s.code == target.strip(), lambda s: _plain_name(s.level3) == name):
        found = next((s for s in pool if match(s)), None)
        if found is not None:
            return found
    for s in pool:
        child = next((c for c in s.children if _plain_name(c.name) == name or f"{s.code}·{c.name}" == target), None)
        if child is not None:
            return child
    return None


def test_reported_indicator_index_is_the_scan():
    from conftest import SAMPLES

    from perfeval_xl.core.reported import _indicator
    from perfeval_xl.io.snapshot import read_snapshot

    ev = score_snapshot(read_snapshot(SAMPLES / "五华区五个先锋奖励经费2023.xlsx")).evaluation
    pool = ev.units[0].indicators
    targets = {" 无此指标 ", "A1·无此子项"}
    for s in pool:
        targets |= {s.code, f" {s.code} ", s.level3, f"{s.level3}（{s.weight}分）"}
        targets |= {c.name for c in s.children} | {f"{s.code}·{c.name}" for c in s.children}
    assert any(s.children for s in pool)  # the sample has 子项 (sub-items) to look up
    for unit in (None, ev.units[0].name, ev.units[-1].name):
        for target in sorted(targets):
            assert _indicator(ev, unit, target) is _indicator_by_scan(ev, unit, target), (unit, target)
    assert _indicator(ev, None, " 无此指标 ") is None
