"""Issue 10 item 7: the 评分表 prints what a report's annex table prints — 指标解释 and 评价意见 from the
indicator sheet — in the columns the evaluator chooses (项目信息!评分表列); the default is the common layout."""

from decimal import Decimal as D

import pytest

from perfeval_xl.core import schema
from perfeval_xl.core.score_sheets import parse_score_columns
from perfeval_xl.pipeline import score_snapshot
from snapshots import snapshot

UNITS = [{"单位全称": "甲镇人民政府", "单位简称": "甲镇"}]
ROWS = [
    {"编码": "A1", "一级指标": "决策", "二级指标": "立项", "三级指标": "立项依据充分性", "分值": 40, "评分方法": "人工",
     "指标解释": "项目立项是否符合政策", "评价意见": "依据充分"},
    {"编码": "A2", "一级指标": "决策", "二级指标": "立项", "三级指标": "资金到位率", "分值": 60, "评分方法": "比率",
     "取值来源": "资金到位率"},
]
MANUAL = [{"指标编码": "A1", "得分": 30, "扣分原因": "缺少可行性论证"}]
FUNDS = [{"预算数": 100, "实际到位": 90}]


def plan(columns=None, rows=ROWS):
    info = {"项目名称": "测试项目", "评价形态": "整体评价", "金额单位": "万元"}
    if columns is not None:
        info["评分表列"] = columns
    return score_snapshot(snapshot(info, {"单位名单": UNITS, "资金情况": FUNDS, "指标体系": rows, "评分录入": MANUAL}))


def table(scored):
    grid = scored.plan.sheet("评分表").grid()
    start = next(i for i, row in enumerate(grid) if row[0] == "一级指标")
    return grid[start:start + 4]


def test_seed_000_layout_standard_and_reason():
    header, a1, a2, total = table(plan("评分标准、扣分原因"))
    assert header == ["一级指标", "二级指标", "三级指标", "分值", "评分标准", "得分", "扣分原因"]
    assert a1 == ["决策\n（100分）", "立项\n（100分）", "立项依据充分性", D(40), "由评价人员对照评价要点评分，满分40分", D("30.00"),
                  "缺少可行性论证"]
    # 60 × 90.00% = 54.00
    assert a2[5] == D("54.00") and total[:4] == ["合计", "", "", D(100)] and total[5:] == [D("84.00"), "评价等级：良"]


def test_seed_004_layout_explanation_and_standard():
    header, a1, _, total = table(plan("指标解释、评分标准"))
    assert header == ["一级指标", "二级指标", "三级指标", "分值", "指标解释", "评分标准", "得分"]
    assert a1[4] == "项目立项是否符合政策"
    # no column after 得分: the grade goes with the label
    assert total[0] == "合计（评价等级：良）" and total[3] == D(100) and total[6] == D("84.00")


def test_opinion_and_order_as_written():
    header, a1, a2, _ = table(plan("评价意见，得分，分值"))
    assert header == ["一级指标", "二级指标", "三级指标", "评价意见", "得分", "分值"]
    assert (a1[3], a1[4], a1[5]) == ("依据充分", D("30.00"), D(40))
    assert a2[3] == ""


def test_default_is_the_common_layout_with_what_is_filled():
    header, a1, a2, _ = table(plan())
    # the indicator codes first, as published 附件1 tables print them (issue 19)
    assert header == ["一级指标", "二级指标", "三级指标", "编码", "分值", "指标解释", "评分标准", "计算过程", "得分", "扣分原因",
                      "评价意见"]
    assert (a1[3], a2[3]) == ("A1", "A2")
    bare = [{k: v for k, v in r.items() if k not in ("指标解释", "评价意见")} for r in ROWS]
    header, *_ = table(plan(rows=bare))
    assert header == ["一级指标", "二级指标", "三级指标", "编码", "分值", "评分标准", "计算过程", "得分", "扣分原因"]


def test_scores_do_not_depend_on_the_columns():
    assert {plan(c).evaluation.total for c in (None, "评分标准、扣分原因", "指标解释、评分标准")} == {D("84.00")}


@pytest.mark.parametrize("text, message", [
    ("评分标准、备注", "评分表列“备注”不认识；可用：编码、分值、指标解释、评分标准、计算过程、得分、扣分原因、评价意见，用顿号分隔；"
                    "评分表按默认的列印出"),
    ("评分标准、评分标准", "评分表列“评分标准”写了两次；评分表按默认的列印出"),
])
def test_a_bad_list_is_an_error_at_its_cell_and_the_default_is_printed(text, message):
    scored = plan(text)
    errors = [(f.sheet, f.cell, f.message) for f in scored.findings.errors]
    row = 2 + [f.key for f in schema.PROJECT_INFO.fields].index("score_columns")  # B column, below the header row
    assert errors == [("项目信息", f"B{row}", message)]
    header, *_ = table(scored)
    assert header[3:] == ["编码", "分值", "指标解释", "评分标准", "计算过程", "得分", "扣分原因", "评价意见"]


def test_parse_places_weight_and_score_when_not_named():
    assert parse_score_columns("指标解释、评分标准、扣分原因、评价意见") == (
        ["分值", "指标解释", "评分标准", "得分", "扣分原因", "评价意见"], "")
    assert parse_score_columns("计算过程") == (["分值", "计算过程", "得分"], "")
    assert parse_score_columns("编码、评分标准") == (["编码", "分值", "评分标准", "得分"], "")  # 分值 after the code
