"""The registry of 自评表 layouts (perfeval_xl/forms/layouts.py): each layout built from its description
(tests/form_builder.py) and reconciled with hand-computed scores; the 自评表 semantics of issue 20 item 9
(negative amounts, a bare 完成值 in the unit the form declares)."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from openpyxl import Workbook

from form_builder import central_form, hubei_form
from perfeval_xl.forms import LAYOUTS, find_forms, review_form, review_forms
from perfeval_xl.io.snapshot import read_snapshot

ROOT = Path(__file__).resolve().parent.parent

# 湖北 项目支出绩效自评表 as the published blank of 湖北工程学院's 学生资助项目 prints it
# (https://m.777doc.com/doc-4336759.html: 预算执行情况（万元）（ 分）, 预算数（ ）, 执行数（ ）, 执行率（ ）,
# 得分（ 分*执行率）, 年度财政资金总额; 一级/二级/三级指标, 年初目标值, 实际完成值, 得分); the points, 20 for
# 预算执行 scored 20×执行率 and 80 for the indicators, as issue 18 describes Hubei's form.  Figures are ours.
HUBEI = {
    "title": "项目支出绩效自评表（2023年度）", "project": "学生资助项目", "dept": "湖北省教育厅", "unit": "某高校",
    "funds": [("年度财政资金总额", 200, 180, "90.00%", 18)],
    "indicators": [
        ("产出指标", "数量指标", "资助学生人数", "≥1000人", "950人", 40, 38, "部分学生毕业离校"),
        ("产出指标", "时效指标", "资金发放及时率", "=100%", "100%", 10, 10, None),
        ("效益指标", "社会效益指标", "困难生完成学业率", "≥95%", "96%", 20, 20, None),
        ("满意度指标", "服务对象满意度指标", "学生满意度", "≥90%", "93%", 10, 10, None),
    ],
    "total": (100, 96),
}


def _read(wb: Workbook, tmp_path):
    path = tmp_path / "forms.xlsx"
    wb.save(path)
    return read_snapshot(path, sheets=set(wb.sheetnames))


def _one_sheet(tmp_path, build, form):
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    build(ws, 1, form)
    reviews, findings = review_forms(_read(wb, tmp_path))
    assert findings == []
    (review,) = reviews
    return review


def _slips(review):
    return {(s.cell, s.object): (s.printed, s.expected) for s in review.slips}


def test_hubei_form_scores_budget_execution_out_of_20(tmp_path):
    review = _one_sheet(tmp_path, hubei_form, HUBEI)
    assert (review.layout, review.project, review.unit) == ("湖北", "学生资助项目", "某高校")
    # 执行率 180 / 200 = 90.00 %; 得分 20 × 90.00 % = 18.00 (the header's 20 points, not 附1's 10)
    assert review.execution_rate == D("0.9") and review.execution_score == D("18")
    # 资助学生人数 40 × 950 / 1000 = 38.00; 总分 18 + 38 + 10 + 20 + 10 = 96.00, 优; 分值 20 + 80 = 100
    assert {i.name: i.score for i in review.indicators} == {
        "资助学生人数": D("38"), "资金发放及时率": D("10"), "困难生完成学业率": D("20"), "学生满意度": D("10")}
    assert review.slips == () and review.findings == ()
    assert (review.total, review.grade) == (D("96"), "优")
    # compared: 执行率 and 得分 of the funds row, 4 indicator scores, 总分 分值 100, 总分
    assert review.checked == 2 + 4 + 1 + 1


def test_hubei_form_scored_as_if_it_were_10_points(tmp_path):
    form = dict(HUBEI, funds=[("年度财政资金总额", 200, 180, "90.00%", 9)], total=(100, 87))
    review = _one_sheet(tmp_path, hubei_form, form)
    assert _slips(review) == {("F5", "年度财政资金总额 得分"): ("9", "18.00"), ("G11", "总分"): ("87", "96.00")}
    assert review.slips[0].message == "执行率=180/200×100%=90.00%；得分=20×90.00%=18.00"


def test_hubei_points_that_do_not_total_100(tmp_path):
    # the indicators printed as 附1's 90 points: 20 + 90 = 110
    indicators = list(HUBEI["indicators"])
    indicators[0] = ("产出指标", "数量指标", "资助学生人数", "≥1000人", "950人", 50, 47.5, "部分学生毕业离校")
    review = _one_sheet(tmp_path, hubei_form, dict(HUBEI, indicators=indicators, total=(100, 105.5)))
    errors = [(f.cell, f.message) for f in review.findings if f.severity == "error"]
    assert errors == [("F11", "分值合计为 110（预算执行 20 + 绩效指标 90），应为 100")]


# 附1 with a note fixing its weights, the printed weights contradicting it (产出 60, 效益 20).
NOTE = "注：产出指标50分、效益指标30分、满意度指标10分，预算执行10分。"
NOTED = {
    "title": "项目支出绩效自评表", "year": "（2023年度）", "project": "技能培训项目", "dept": "某局", "unit": "某中心",
    "funds": [("年度资金总额", 100, 100, 100, 10, "100.00%", 10),
              ("其中：本年财政拨款", 100, 100, 100, None, None, None)],
    "goal": ("完成培训 500 人次", "完成培训 500 人次"),
    "indicators": [
        ("产出指标", "数量指标", "培训人次", "≥500人次", 500, 30, 30, None),
        ("产出指标", "质量指标", "结业率", "≥95%", "96%", 30, 30, None),
        ("效益指标", "社会效益指标", "就业率", "≥80%", "85%", 20, 20, None),
        ("满意度指标", "满意度指标", "学员满意度", "≥90%", "95%", 10, 10, None),
    ],
    "total": (100, 100), "note": NOTE,
}


def test_note_stating_weights_that_the_printed_weights_contradict(tmp_path):
    review = _one_sheet(tmp_path, central_form, NOTED)
    assert review.layout == "附1（表注定权重）"
    said = "表注（A16）写明 产出50分、效益30分、满意度10分、预算执行10分"
    # 10 + 60 + 20 + 10 = 100, so only the note says something is wrong: 产出 60 ≠ 50, 效益 20 ≠ 30
    assert [(f.severity, f.cell, f.message) for f in review.findings] == [
        ("error", "G11", f"产出指标下各三级指标分值之和为 30+30=60，与{said}不符（产出应为 50 分）"),
        ("error", "G13", f"效益指标下各三级指标分值之和为 20，与{said}不符（效益应为 30 分）")]
    assert review.slips == () and review.total == D("100")


def test_note_stating_weights_that_agree(tmp_path):
    indicators = [("产出指标", "数量指标", "培训人次", "≥500人次", 500, 25, 25, None),
                  ("产出指标", "质量指标", "结业率", "≥95%", "96%", 25, 25, None),
                  ("效益指标", "社会效益指标", "就业率", "≥80%", "85%", 30, 30, None),
                  ("满意度指标", "满意度指标", "学员满意度", "≥90%", "95%", 10, 10, None)]
    review = _one_sheet(tmp_path, central_form, dict(NOTED, indicators=indicators))
    assert review.layout == "附1（表注定权重）" and review.findings == () and review.slips == ()


def test_note_whose_own_weights_do_not_total_100_and_a_fund_weight_against_it(tmp_path):
    # the note gives 预算执行 20 (50 + 30 + 10 + 20 = 110) while the form prints 10
    review = _one_sheet(tmp_path, central_form, dict(NOTED, note="注：产出50/效益30/满意度10/预算执行20"))
    said = "表注（A16）写明 产出50分、效益30分、满意度10分、预算执行20分"
    found = [(f.cell, f.message) for f in review.findings]
    assert found[:2] == [("A16", f"{said}，合计 110 分，应为 100 分"),
                         ("G6", f"预算执行的分值为 10，与{said}不符（预算执行应为 20 分）")]


def test_a_form_without_the_note_is_plain_central():
    review = review_form(_rows_form([["年度资金总额", 10, 10, 10, 10, "100%", 10]],
                                    [["产出指标", "数量指标", "场次", "≥4场", "4场", 90, 90, None]], (100, 100)))
    assert review.layout == "附1" and review.findings == ()


def test_every_layout_is_documented():
    doc = (ROOT / "docs" / "forms.md").read_text(encoding="utf-8")
    for layout in LAYOUTS:
        row = next((line for line in doc.splitlines() if line.startswith(f"| {layout.name} |")), None)
        assert row is not None, layout.name
        assert f"预算执行 {layout.fund_points} 分" in row or f"预算执行 **{layout.fund_points} 分**" in row or \
            layout.note_states_weights, row  # the row states the layout's points
    assert len({layout.name for layout in LAYOUTS}) == len(LAYOUTS)


# --- 自评表 semantics (issue 20 item 9) -------------------------------------------------------

def _rows_form(funds, indicators, total, money="项目资金（万元）"):
    """A 附1 form as calamine gives it: row 4 the funds header, the funds rows from row 5, a blank
    row, the indicator header, the indicators, 总分."""
    rows = [["项目支出绩效自评表"], ["项目名称", None, "培训项目"], ["主管部门", None, "某局", None, None, "实施单位", "某中心"],
            [money, None, None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]]
    rows += [[None, None, *f] for f in funds]
    rows.append([])
    rows.append(["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"])
    rows += [[None, *ind] for ind in indicators]
    rows.append(["总分", None, None, None, None, None, *total])
    forms, findings = find_forms({"表": rows})
    assert findings == []
    (form,) = forms
    return form


def test_negative_amounts_and_completion_values_are_errors_not_negative_scores():
    # landed: 执行率 −50 / 100 = −50 %, 得分 10 × −50 % = −5; 培训人次 90 × −30 / 1000 = −2.70: 总分 −7.70
    review = review_form(_rows_form([["年度资金总额", 100, 100, -50, 10, "-50.00%", -5]],
                                    [["产出指标", "数量指标", "培训人次", "≥1000人次", -30, 90, -2.7, "统计有误"]],
                                    (100, -7.7)))
    assert [(f.severity, f.cell, f.message.split("：")[0].split("，")[0]) for f in review.findings] == [
        ("error", "F5", "年度资金总额的全年执行数为负数（-50）"),
        ("error", "H8", "三级指标“培训人次”的得分为负数（-2.7）"),
        ("error", "F8", "三级指标“培训人次”的完成值为负数（-30）")]
    # no score from a negative figure: 预算执行 not scored, 培训人次 its printed −2.7 kept within 0–90 → 0
    assert review.execution_score is None and review.total == D("0") and review.total >= 0
    assert {i.name: i.score for i in review.indicators} == {"培训人次": D("0")}


def test_a_bare_completion_value_is_read_in_the_unit_the_form_declares():
    # 项目资金（元）: 899740 is 899,740 元 = 89.974 万元 ≤ 90 万元: full 90; 执行率 899740/900000 = 99.97 %
    funds = [["年度资金总额", 900000, 900000, 899740, 10, "99.97%", 10]]
    cost = [["产出指标", "成本指标", "项目总成本", "≤90万元", 899740, 90, 90, None]]
    review = review_form(_rows_form(funds, cost, (100, 100), money="项目资金（元）"))
    assert review.slips == () and review.findings == () and review.total == D("100")
    assert review.indicators[0].process == ("年度指标值≤90万元，完成值899740元（未写单位，按表头声明的元）；"
                                            "完成值不高于指标值，得满分90，得90.00")


def test_an_implausible_magnitude_is_a_warning():
    funds = [["年度资金总额", 90, 90, 90, 10, "100%", 10]]
    # 项目资金（万元）: 899740 read as 899,740 万元 against ≤90 万元, 9997 times over: 90 × 90/899740 → 0.01
    wrong = review_form(_rows_form(funds, [["产出指标", "成本指标", "项目总成本", "≤90万元", 899740, 90, 90, "/"]],
                                   (100, 100)))
    warning = next(f for f in wrong.findings if f.cell == "F8")
    assert warning.severity == "warning"
    assert warning.message == ("三级指标“项目总成本”的完成值 899740 读作 899740万元，与年度指标值 ≤90万元 相差 9997 倍，"
                               "金额的单位可能填错；请核对")
    assert _slips(wrong)[("H8", "三级指标 项目总成本 得分")] == ("90", "0.01")
    # 项目资金（元）: a bare 90 is 90 元 against 90 万元, 10000 times under: full marks, and the warning
    small = review_form(_rows_form([["年度资金总额", 900000, 900000, 900000, 10, "100%", 10]],
                                   [["产出指标", "成本指标", "项目总成本", "≤90万元", 90, 90, 90, None]], (100, 100),
                                   money="项目资金（元）"))
    assert [(f.severity, f.cell, f.message) for f in small.findings] == [
        ("warning", "F8", "三级指标“项目总成本”的完成值 90 按表头声明的金额单位（元）读作 90元，与年度指标值 ≤90万元 "
                          "相差 10000 倍，金额的单位可能填错；请核对")]
    assert small.total == D("100")


def test_negative_weights_are_errors():
    # 分值 −10 on the funds row: 10 points by 附1 (10 × 100 % = 10.00); −90 on the indicator: not scored,
    # its printed 90 kept within 0…(no 分值) → total 10 + 90 = 100 with the errors at their cells
    review = review_form(_rows_form([["年度资金总额", 10, 10, 10, -10, "100%", 10]],
                                    [["产出指标", "数量指标", "场次", "≥4场", "4场", -90, 90, None]], (100, 100)))
    assert [(f.cell, f.message) for f in review.findings if f.severity == "error"] == [
        ("G5", "年度资金总额的分值为负数（-10）：分值不能为负，按财预〔2020〕10号的 10 分复核"),
        ("G8", "三级指标“场次”的分值为负数（-90）：分值不能为负，未按它复算")]
    assert review.execution_score == D("10") and review.total >= 0


def test_a_funds_header_is_recognised_however_its_words_are_typed():
    """A row is folded cell by cell only when, folded as one text, it holds the characters a layout's
    header words share: a header typed with spaces, line breaks and colons inside its words, full-width
    brackets and the compatibility forms an input method gives (⾏ U+2F8F for 行, 年 U+F98E for 年) is
    still the 附1 header, its columns where they are (by hand: 年初预算数 B, 全年预算数 C, 全年执行数 D,
    分值 E, 执行率 F, 得分 G); a row of figures and a line of instructions are no header."""
    from perfeval_xl.forms.layouts import recognise

    columns = {"initial": 1, "budget": 2, "spent": 3, "weight": 4, "rate": 5, "score": 6}
    plain = ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    # 年 and 行 only in their compatibility forms: the row holds them once folded
    typed = ["项目资金 (万元)", "\uf98e初\n预算数", "全\uf98e 预算数", "全\uf98e执\u2f8f：数", "分\u3000值", "执\u2f8f率", "得 分"]
    for row in (plain, typed):
        assert [(layout.name, cols) for layout, cols in recognise(row)] == [("附1（表注定权重）", columns),
                                                                           ("附1", columns)]
    assert recognise(["合计", 100, "95.00%", None]) == []
    assert recognise(["预算执行率=全年执行数/全年预算数"]) == []
    assert recognise([]) == [] and recognise([None, 3.5]) == []
