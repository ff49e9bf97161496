"""The output sheet 自评表 (财预〔2020〕10号 附1 layout) of an evaluation of type 绩效自评, and
that it reads back through the form reviewer without a slip."""

from __future__ import annotations

from decimal import Decimal as D

from test_self_eval import FUNDS, INDICATORS, INFO, UNITS

from perfeval_xl.forms import find_forms, review_form
from perfeval_xl.forms.sheet import SHEET_NAME, selfeval_sheets
from perfeval_xl.pipeline import score_snapshot
from snapshots import snapshot


def _evaluation(info=INFO, indicators=INDICATORS):
    return score_snapshot(snapshot(info, {"单位名单": UNITS, "资金情况": FUNDS, "指标体系": indicators})).evaluation


def _cells(plan):
    return {(r, c): v for r, c, v, _ in plan.cells if v not in (None, "")}


def test_self_evaluation_gets_the_form_sheet():
    (plan,) = selfeval_sheets(_evaluation())
    assert plan.name == SHEET_NAME
    grid = plan.grid()
    assert grid[0][0] == "自评示例项目支出绩效自评表"
    assert grid[2][2] == "自评示例" and grid[3][6] == "某街道办事处"
    assert grid[4][:9] == ["项目资金（万元）", "", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    # 资金情况 57.69 / 53.41; 预算执行率 53.41 ÷ 57.69 = 92.58 %, 10 × 92.58 % = 9.26
    assert grid[5][2:9] == ["年度资金总额", None, D("57.69"), D("53.41"), D("10"), D("0.9258"), D("9.26")]
    # the indicator table: every indicator but 预算执行率, 一级指标 with its points, merged over its rows
    assert [row[1:8] for row in grid[12:17]] == [
        ["产出指标（50分）", "数量指标", "奖励发放人数", "149人", "130", D("20"), D("17.45")],
        ["", "质量指标", "获补对象准确率", "≥90%", "100.00%", D("15"), D("15")],
        ["", "时效指标", "发放及时率", "≥95%", "92.57%", D("15"), D("14.62")],
        ["效益指标（30分）", "社会效益指标", "政策知晓率", "≥96%", "97.00%", D("30"), D("30")],
        ["满意度指标（10分）", "服务对象满意度", "受益对象满意度", "≥97%", "96.50%", D("10"), D("9.95")],
    ]
    assert (12, 1, 14, 1) in plan.merges and grid[11][0] == "绩效指标"
    assert grid[13][8] == "" and grid[14][8].endswith("扣0.38分")  # 偏差原因 only where a score falls short
    total = next(row for row in grid if row[0] == "总分")
    assert total[6:9] == [D("100"), D("96.28"), "自评等级：优"]


def test_the_form_sheet_reads_back_without_a_slip():
    (plan,) = selfeval_sheets(_evaluation())
    forms, findings = find_forms({SHEET_NAME: plan.grid()})
    assert findings == []
    (form,) = forms
    review = review_form(form)
    assert review.project == "自评示例" and review.unit == "某街道办事处"
    # the form's 执行率 and every indicator recomputed by the form rules agree with the evaluation's scores
    assert review.slips == ()
    assert review.total == D("96.28") and review.printed_total == D("96.28") and review.grade == "优"
    assert review.execution_rate == D("0.9258") and review.execution_score == D("9.26")
    # 奖励发放人数 and 发放及时率 fall short and their 偏差原因 are the evaluation's 扣分原因
    assert review.findings == ()


def test_other_evaluation_types_get_no_form_sheet():
    assert selfeval_sheets(_evaluation(dict(INFO, 评价类型="重点绩效评价"))) == []


def test_units_scored_each_on_its_own_give_one_form_each():
    info = dict(INFO, 评价形态="分单位评价")
    units = UNITS + [{"单位全称": "另一街道办事处", "单位简称": "另一街道"}]
    funds = FUNDS + [{"单位简称": "另一街道", "预算数": "40", "实际到位": "40", "实际支出": "30"}]
    ev = score_snapshot(snapshot(info, {"单位名单": units, "资金情况": funds, "指标体系": INDICATORS})).evaluation
    (plan,) = selfeval_sheets(ev)
    forms, findings = find_forms({SHEET_NAME: plan.grid()})
    assert findings == [] and [f.unit for f in forms] == ["某街道办事处", "另一街道办事处"]
    reviews = [review_form(f) for f in forms]
    assert all(r.slips == () for r in reviews)
    # 另一街道: 30 ÷ 40 = 75.00 %, 10 × 75 % = 7.50; the other indicators take the same typed values
    assert reviews[1].execution_rate == D("0.75") and reviews[1].execution_score == D("7.5")
    assert [r.total for r in reviews] == [u.total for u in ev.units]


def test_scored_file_of_type_self_evaluation_carries_the_form(xishan, tmp_path):
    """The 西山 sample marked 绩效自评: 自评表 is written beside the other output sheets, and the
    reviewer reads it back as a form with the evaluation's total (no 预算执行率 indicator: 分值 0)."""
    import openpyxl

    from perfeval_xl.forms import review_forms
    from perfeval_xl.io.snapshot import read_snapshot
    from perfeval_xl.pipeline import score_file

    wb = openpyxl.load_workbook(xishan)
    info = wb["项目信息"]
    (row,) = [r for r in info.iter_rows() if r[0].value == "评价类型"]
    row[1].value = "绩效自评"
    wb.save(xishan)
    out = tmp_path / "out.xlsx"
    scored = score_file(xishan, out)
    assert scored.evaluation.total == D("88.51")
    names = openpyxl.load_workbook(out, read_only=True).sheetnames
    assert SHEET_NAME in names and names.index(SHEET_NAME) < names.index("校验结果")
    reviews, findings = review_forms(read_snapshot(out, sheets={SHEET_NAME}))
    assert findings == []
    (review,) = reviews
    assert review.project == "2024年社区党组织服务群众专项经费"
    assert review.printed_total == D("88.51") and review.total == D("88.51") and review.grade == "良"
    assert review.slips == () and review.findings == ()
    # 分值 0 for 预算执行; the rate shown for information: 175,312.57 ÷ 660,000.00 = 26.56 %
    assert review.execution_rate == D("0.2656") and review.execution_score == D("0")
