"""The 人员名册 value sources (人数完成率, 发放人数, 目标人数, 名册发放完成率): each unit's rows of a 类别 are
counted once per run and shared by the three sources that ask for them; the figures and cells are the rows'
own, computed by hand below."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from perfeval_xl.core.sources import SourceError
from perfeval_xl.pipeline import run, stages_until
from snapshots import snapshot

INFO = {"项目名称": "测试项目", "评价形态": "分单位评价", "金额单位": "元"}
UNITS = [{"单位全称": "甲街道办事处", "单位简称": "甲"}, {"单位全称": "乙街道办事处", "单位简称": "乙"}]
FUNDS = [{"单位简称": "甲", "预算数": "1", "实际到位": "1", "实际支出": "1"},
         {"单位简称": "乙", "预算数": "1", "实际到位": "1", "实际支出": "1"}]
INDICATORS = [
    {"编码": "A1", "一级指标": "产出", "一级分值": 100, "二级指标": "数量", "二级分值": 100, "三级指标": "党建先锋",
     "分值": 100, "评分方法": "比率", "取值来源": "人数完成率(党建)"},
]
ROSTER = [  # 甲: 党建 2+1 heads, 2 paid; 治理 1 head paid (人数 blank: 1); 乙: 党建 4 heads, none paid
    {"单位简称": "甲", "类别": "党建", "人数": 2, "月标准（元）": 500, "月数": 12, "是否发放": "是", "实发金额（元）": 12000},
    {"单位简称": "甲", "类别": "治理", "是否发放": "是"},
    {"单位简称": "甲", "类别": "党建", "人数": 1, "月标准（元）": 500, "月数": 12, "是否发放": "否", "实发金额（元）": 0},
    {"单位简称": "乙", "类别": "党建", "人数": 4, "是否发放": "否"},
]
TABLES = {"单位名单": UNITS, "资金情况": FUNDS, "指标体系": INDICATORS, "人员名册": ROSTER}


@pytest.fixture()
def evaluation():
    return run(snapshot(INFO, TABLES), stages_until("evaluate"))["evaluate"]


def test_a_categorys_heads_and_cells(evaluation):
    jia = evaluation.scope("甲")
    rate = jia.resolve("人数完成率(党建)")
    # 甲 党建: the 1st and 3rd data rows (sheet rows 3 and 5): 2 + 1 = 3 heads, the 1st's 2 paid → 2/3 = 66.67%
    assert (rate.amount, rate.text) == (D("0.6667"), "党建人数完成率=2/3×100%=66.67%")
    assert [(r.row, r.col) for r in rate.refs] == [(2, 8), (4, 8)]  # their 是否发放 cells, 0-based: I3, I5
    paid, target = jia.resolve("发放人数(党建)"), jia.resolve("目标人数(党建)")
    assert (paid.amount, paid.text, paid.refs) == (D(2), "党建发放人数=2人", rate.refs)
    assert (target.amount, target.text) == (D(3), "党建目标人数=3人")
    assert jia.resolve("人数完成率(治理)").text == "治理人数完成率=1/1×100%=100.00%"  # 人数 blank: 1
    # the project: every unit's rows of the 类别, in sheet order (3 + 4 heads, 2 paid)
    assert evaluation.scope(None).resolve("人数完成率(党建)").text == "党建人数完成率=2/7×100%=28.57%"
    # every 类别 of the unit, no argument: 4 heads, 3 paid
    assert jia.resolve("人数完成率").text == "人数完成率=3/4×100%=75.00%"


def test_a_category_without_rows_is_an_error(evaluation):
    with pytest.raises(SourceError, match="“人员名册”中没有乙类别“治理”的人员"):
        evaluation.scope("乙").resolve("人数完成率(治理)")


def test_the_roster_payout(evaluation):
    # 甲 党建: due 2×500×12 + 1×500×12 = 18,000 元, paid 12,000 + 0 → 66.67%
    value = evaluation.scope("甲").resolve("名册发放完成率(党建)")
    assert value.text == "名册发放完成率=12,000.00/18,000.00×100%=66.67%"
