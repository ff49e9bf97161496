"""Self-evaluation forms (绩效自评表) found by their headers and reconciled, on forms as published
(tests/form_data.py names each source) laid out as they circulate (tests/form_builder.py)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from openpyxl import Workbook

import form_data as data
from form_builder import central_form, provincial_form
from perfeval_xl.forms import find_forms, review_form, review_forms
from perfeval_xl.forms.values import agrees, read_number, read_rate, read_target, tier_of
from perfeval_xl.io.snapshot import read_snapshot


def _read(wb: Workbook, tmp_path):
    path = tmp_path / "forms.xlsx"
    wb.save(path)
    return read_snapshot(path, sheets=set(wb.sheetnames))


@pytest.fixture(scope="module")
def chizhou(tmp_path_factory):
    """Both 池州 forms one under another on one sheet, the second with headers broken over lines."""
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    nxt = central_form(ws, 1, data.CHIZHOU_ENTRUSTED)
    central_form(ws, nxt + 2, data.CHIZHOU_VILLAGE, header_breaks=True)
    reviews, findings = review_forms(_read(wb, tmp_path_factory.mktemp("chizhou")))
    assert findings == []
    return reviews


@pytest.fixture(scope="module")
def sichuan(tmp_path_factory):
    """One provincial form per sheet in a workbook that also holds sheets without forms."""
    wb = Workbook()
    wb.active.title = "说明"
    wb["说明"]["A1"] = "本工作簿为各项目绩效自评表"
    for name, form in (("青神-工资性支出", data.QINGSHEN_WAGES), ("大英-安可替代", data.DAYING_ANKE),
                       ("大英-成本控制", data.DAYING_COST)):
        provincial_form(wb.create_sheet(name), 1, form)
    wb.create_sheet("空表")
    reviews, findings = review_forms(_read(wb, tmp_path_factory.mktemp("sichuan")))
    assert findings == []
    return {r.sheet: r for r in reviews}


def _slips(review):
    return {(s.cell, s.object): (s.printed, s.expected) for s in review.slips}


def test_two_central_forms_on_one_sheet_are_found_with_their_heads(chizhou):
    first, second = chizhou
    assert (first.sheet, first.project, first.layout) == ("自评表", "委托业务项目", "附1")
    assert first.unit == "219001-池州市贵池区棠溪镇人民政府"
    assert second.project == "村级补助及运转经费"
    assert first.last_row < second.first_row
    assert len(first.indicators) == 10 and len(second.indicators) == 10


def test_zero_total_row_against_its_part_row(chizhou):
    first = chizhou[0]
    # 年度资金总额 printed 0 / 0 / 0, 执行率 0, 得分 0; 其中：本年财政拨款 90 / 89.974 / 89.974.
    # 执行率 on 全年预算数: 89.974 / 89.974 = 100.00 %; 得分 10 × 100 % = 10.00
    assert _slips(first) == {
        ("D6", "年度资金总额 年初预算数"): ("0", "90"),
        ("E6", "年度资金总额 全年预算数"): ("0", "89.974"),
        ("F6", "年度资金总额 全年执行数"): ("0", "89.974"),
        ("H6", "年度资金总额 执行率"): ("0%", "100.00%"),
        ("I6", "年度资金总额 得分"): ("0", "10.00"),
        # 总分 as the form would print it (Σ of its printed scores, 0 + 90; see form_data.filled_in)
        ("H23", "总分"): ("90", "100.00"),
    }
    slip = next(s for s in first.slips if s.object == "年度资金总额 得分")
    assert slip.message == "执行率=89.974/89.974×100%=100.00%；得分=10×100.00%=10.00"
    assert slip.sheet == "自评表" and slip.source == "委托业务项目"
    assert first.execution_rate == D("1") and first.execution_score == D("10")
    assert first.total == D("100") and first.grade == "优"
    assert first.findings == ()
    # compared: 3 amounts, 执行率, 得分 of 年度资金总额; 10 indicator scores (4 by ratio, 6 by tier);
    # 总分 row 分值 100; 产出 50 / 效益 30 / 满意度 10 in the 一级 labels; 总分
    assert first.checked == 3 + 2 + 10 + 1 + 3 + 1


def test_indicators_recomputed_by_their_targets(chizhou):
    scores = {i.name: (i.kind, i.score) for i in chizhou[0].indicators}
    assert scores["基建工程委托业务项目数量"] == ("定量", D("8"))  # ≥50个, 完成 50
    assert scores["委托业务报告合格率"] == ("定量", D("8"))  # ≥100百分比, 完成 100
    assert scores["项目总成本"] == ("定量", D("8"))  # ≤90万元, 完成 90
    assert scores["经费支出合规性"] == ("定性", D("8"))  # 达成预期指标, within 6.40–8.00
    process = next(i.process for i in chizhou[0].indicators if i.name == "项目总成本")
    assert process == "年度指标值≤90万元，完成值90万元；完成值不高于指标值，得满分8，得8.00"


def test_budget_cut_by_a_third_without_reason(chizhou):
    second = chizhou[1]
    # 全年预算数 132.912 against 年初预算数 202.64: 69.728 less, 69.728 / 202.64 = 34.41 %
    assert [(f.severity, f.cell) for f in second.findings] == [("warning", "E31")]
    assert "全年预算数 132.912 比年初预算数 202.64 减少 69.728（34.41%，超过 20%），表中未说明调整原因" in \
        second.findings[0].message
    assert _slips(second)[("D31", "年度资金总额 年初预算数")] == ("0", "202.64")
    assert _slips(second)[("H31", "年度资金总额 执行率")] == ("0%", "100.00%")


def test_provincial_form_with_blank_completion_and_scores(sichuan):
    form = sichuan["青神-工资性支出"]
    assert (form.layout, form.project, form.unit) == ("省级", "51000021R000000019951-工资性支出", "青神县发展和改革局")
    assert form.slips == ()  # 总额 238.93 / 251.89 / 251.89 = 财政资金 + 0.00 + 0.00; 100.00 % as printed
    found = [(f.severity, f.cell, f.message.split("，")[0]) for f in form.findings]
    assert found == [
        ("error", "H7", "总额的得分为空"),
        ("error", "H13", "三级指标“发放(缴纳)覆盖率”的完成值为空"),
        ("error", "J13", "三级指标“发放(缴纳)覆盖率”的得分为空"),
        ("error", "H14", "三级指标“足额保障率(参保率)”的完成值为空"),
        ("error", "J14", "三级指标“足额保障率(参保率)”的得分为空"),
        ("warning", "J15", "以下指标没有得分也无法复算"),
        ("error", "J15", "总分为空"),
    ]
    assert form.findings[0].message == "总额的得分为空，应为 10.00（执行率=251.89/251.89×100%=100.00%；得分=10×100.00%=10.00）"
    # only 预算执行 can be recomputed: 10.00, 差
    assert form.printed_total is None and form.total == D("10") and form.grade == "差"


def test_text_completion_on_a_quantitative_target(sichuan):
    form = sichuan["大英-成本控制"]
    warning = next(f for f in form.findings if f.cell == "H13")
    assert warning.severity == "warning"
    assert warning.message.startswith("三级指标“成本控制数”是定量指标（年度指标值 ≤30万元），完成值却填的是文字“完成”")
    (indicator,) = form.indicators
    assert indicator.score == D("90") and indicator.process == "完成值为文字，未复算，按表中得分"


def test_budget_added_during_the_year_with_only_the_printed_instructions(sichuan):
    form = sichuan["大英-安可替代"]
    assert [(f.severity, f.cell) for f in form.findings] == [("warning", "D7")]
    assert form.findings[0].message.startswith("年初预算为 0，调整后预算数 3.36 全部为年中追加，表中未说明理由")
    assert form.slips == () and form.total == D("100") and form.printed_total == D("100")
    assert form.as_json() == {"sheet": "大英-安可替代", "project": "51092324T000010263357-2023年全县安可替代补助资金项目",
                              "unit": "大英县司法局", "printed_total": 100.0, "total": 100.0, "grade": "优"}


def test_sheets_without_forms_are_skipped(sichuan):
    assert set(sichuan) == {"青神-工资性支出", "大英-安可替代", "大英-成本控制"}


# --- recomputation rules on a form built in memory (cells hand-computed) ---------------------

def _form_rows(funds, indicators, total=(100, None), header=None):
    """A 附1 form as calamine gives it without filled merges: merged labels only in their first cell."""
    rows = [["项目支出绩效自评表"], ["项目名称", None, "培训项目"], ["主管部门", None, "某局", None, None, "实施单位", "某中心"]]
    rows.append(header or ["项目资金（万元）", None, None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    for f in funds:
        rows.append([None, None, *f])
    rows.append([])  # a blank separator row
    rows.append(["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"])
    for ind in indicators:
        rows.append([None, *ind])
    rows.append(["总分", None, None, None, None, None, *total])
    return rows


def _one(rows):
    forms, findings = find_forms({"表": rows})
    assert findings == []
    (form,) = forms
    return review_form(form)


def test_rate_compared_at_printed_precision_and_score_at_two_decimals():
    # 89.974 / 90 = 99.971 % → 99.97 %; 10 × 99.97 % = 9.997 → 10.00: both printed figures agree
    ok = _one(_form_rows([["年度资金总额", 90, 90, 89.974, 10, "99.97%", 10],
                          ["其中：当年财政拨款", 90, 90, 89.974, None, None, None]],
                         [["产出指标", "数量指标", "培训人次", "≥1000人次", "1000人次", 90, 90, None]], (100, 100)))
    assert ok.slips == () and ok.findings == () and ok.total == D("100")
    # 89.9 / 90 = 99.89 %; 10 × 99.89 % = 9.989 → 9.99: a printed 10 is a slip, a printed 99.89% is not
    off = _one(_form_rows([["年度资金总额", 90, 90, 89.9, 10, 0.9989, 10],
                           ["其中：当年财政拨款", 90, 90, 89.9, None, None, None]],
                          [["产出指标", "数量指标", "培训人次", "≥1000人次", "1000人次", 90, 90, None]], (100, 100)))
    assert _slips(off) == {("I5", "年度资金总额 得分"): ("10", "9.99"), ("H10", "总分"): ("100", "99.99")}
    assert off.slips[0].message == "执行率=89.9/90×100%=99.89%；得分=10×99.89%=9.99"


def test_positive_reverse_and_equal_targets_with_missing_reasons():
    review = _one(_form_rows(
        [["年度资金总额", 100, 100, 100, 10, "100%", 10]],
        [["产出指标(50分)", "数量指标", "培训人次", "≥1000人次", "873人次", 30, 30, None],
         [None, "成本指标", "培训成本", "≤30万元", "36万元", 20, 20, "超支系场地涨价"],
         ["效益指标(40分)", "社会效益指标", "结业率", "=100%", "98%", 40, 39.2, "2人未结业"]],
        (100, 98)))
    # 培训人次: 30 × min(873 ÷ 1000, 1) = 30 × 87.30 % = 26.19 (printed 30); no 偏差原因 → error
    # 培训成本: 20 × min(30 ÷ 36, 1) = 20 × 83.33 % = 16.666… → 16.67 (printed 20)
    # 结业率: 40 × min(98 ÷ 100, 100 ÷ 98) = 40 × 98.00 % = 39.20 (agrees)
    # 总分: 10 + 26.19 + 16.67 + 39.20 = 92.06 (printed 98); 一级 效益指标(40分) = 40 ✓, 产出指标(50分) = 30 + 20 ✓
    assert {i.name: i.score for i in review.indicators} == {"培训人次": D("26.19"), "培训成本": D("16.67"),
                                                          "结业率": D("39.20")}
    assert _slips(review) == {("H8", "三级指标 培训人次 得分"): ("30", "26.19"),
                              ("H9", "三级指标 培训成本 得分"): ("20", "16.67"),
                              ("H11", "总分"): ("98", "92.06")}
    assert review.slips[1].message == "年度指标值≤30万元，完成值36万元；20×min(30万元÷36万元,1)=20×83.33%，得16.67"
    assert [(f.severity, f.cell) for f in review.findings] == [("error", "I8")]
    assert review.findings[0].message == ("三级指标“培训人次”未达到年度指标值（完成值 873人次，指标值 ≥1000人次），"
                                          "应填写偏差原因分析及改进措施")
    assert review.grade == "优"


def test_qualitative_score_outside_its_tier_and_weights_not_adding_up():
    review = _one(_form_rows(
        [["年度资金总额", 50, 50, 40, 10, "80%", 8]],
        [["产出指标(50分)", "质量指标", "验收合格", "合格", "部分达成", 45, 40, "部分设备待整改"],
         ["满意度指标(10分)", "满意度指标", "满意度", "≥90%", "92%", 10, 10, None]],
        (100, 58)))
    # 执行率 40 / 50 = 80.00 %, 10 × 80 % = 8.00 ✓; 部分达成 band 60–80 % of 45 = 27.00–36.00 (36 not included):
    # printed 40 is a slip and counts 35.99; 产出指标(50分) holds 45; 分值 10 + 45 + 10 = 65 ≠ 100
    # 总分 8 + 35.99 + 10 = 53.99 (printed 58) → 差
    assert _slips(review) == {("H8", "三级指标 验收合格 得分"): ("40", "27.00～36.00（不含）"),
                              ("B8", "产出指标 分值"): ("50", "45"),
                              ("H10", "总分"): ("58", "53.99")}
    assert [(f.severity, f.cell, f.message) for f in review.findings] == [
        ("error", "G10", "分值合计为 65（预算执行 10 + 绩效指标 55），应为 100")]
    assert review.total == D("53.99") and review.grade == "差"


def test_headers_found_whatever_their_spacing_and_brackets():
    header = [" 项目资金\n(万元) ", None, None, "年初 预算数", "全年预算数（A）", "全年执行数（B）", "分 值", "执行率\n(B/A)", "得  分"]
    review = _one(_form_rows([["年度资金总额：", 20, 20, 15, 10, 0.75, 7.5],
                              ["其中：本年财政拨款", 20, 20, 15, None, None, None]],
                             [["产出指标", "数量指标", "场次", "≥4场", "3场", 90, 67.5, "疫情停办一场"]], (100, 75),
                             header=header))
    # 15 / 20 = 75 %, 10 × 75 % = 7.50; 90 × 3 ÷ 4 = 67.50; 总分 75.00, 中
    assert review.slips == () and review.findings == ()
    assert review.total == D("75") and review.grade == "中"


def test_value_readers():
    assert read_rate("99.97%").places == 4 and agrees(read_rate("99.97%"), D("0.99971"), 4, 6)
    assert not agrees(read_rate("100%"), D("0.9997"), 4, 6)
    assert read_rate(99.97).value == D("0.9997")
    assert read_number("8分").value == D("8") and read_number("８.５０分").places == 2
    target = read_target("不超过30万元")
    assert (target.sign, target.quantity.value, target.quantity.unit) == ("≤", D("30"), "万元")
    assert read_target("100", "＝", "%").show() == "=100%"
    assert read_target("效果明显") is None and read_target("在项目计划完成时间内完成") is None
    assert tier_of("达成预期指标") == "达成" and tier_of("部分达成") == "部分达成" and tier_of("未完成") == "未达成"
    assert tier_of("有偏差") is None


def test_forms_package_is_core_level():
    """perfeval_xl.forms imports the standard library, perfeval_xl.core and itself only."""
    import ast
    import pathlib
    import sys

    import perfeval_xl.forms as package

    for path in pathlib.Path(package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [] if node.level else [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert name.startswith("perfeval_xl.core") or top in sys.stdlib_module_names or top == "__future__", \
                    f"{path.name} imports {name}"


def test_formula_without_value_in_a_completion_cell():
    from perfeval_xl.core.normalize import UncachedFormula

    review = _one(_form_rows([["年度资金总额", 10, 10, 10, 10, "100%", 10]],
                             [["产出指标", "数量指标", "场次", "≥4场", UncachedFormula("=F20*2"), 90, 90, None]], (100, 100)))
    assert [(f.severity, f.cell) for f in review.findings] == [("error", "F8")]
    assert review.findings[0].message.startswith("三级指标“场次”的完成值是公式（=F20*2），但文件中没有保存计算结果")
    assert review.total == D("100")  # the printed 90 is kept, unverified


def test_odd_cells_never_raise():
    """Random cell values under both layouts' headers: findings, never an exception."""
    import datetime as dt
    import random

    from perfeval_xl.core.normalize import ExcelErrorValue, UncachedFormula

    pool = [None, "", 0, 1, 0.5, 90, -3, -0.5, 899740, 1e20, float("nan"), True, "完成", "≥95%", "≤30万元", "=8个", "/", "abc",
            "99.97%", "1,000", "12,34", dt.date(2024, 1, 1), UncachedFormula("=A1"), ExcelErrorValue("#DIV/0!"),
            "年度资金总额", "其中：财政资金", "总分", "合计", "三级指标", "部分达成", "≥", "≥abc%"]
    heads = ([["项目资金（万元）", None, None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
              ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]],
             [["预算执行情况（10分）", "年度预算数（万元）", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分", "原因"],
              ["绩效指标", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分", "未完成原因分析"]],
             [["预算执行情况（万元）（20分）", "年度财政资金总额", "预算数（A）", "执行数（B）", "执行率（B/A）", "得分（20分*执行率）"],
              ["一级指标", "二级指标", "三级指标", "年初目标值（A）", "实际完成值（B）", "分值", "得分", "未完成原因分析"]])
    rnd = random.Random(12)
    reviewed = 0
    for _ in range(300):
        funds_head, indicator_head = rnd.choice(heads)
        rows = [[rnd.choice(pool) for _ in range(rnd.randint(0, 9))] for _ in range(rnd.randint(0, 2))]
        rows.append(list(funds_head))
        rows += [[None, rnd.choice(["总额", "其中：本年财政拨款", "其他资金"])] + [rnd.choice(pool) for _ in range(8)]
                 for _ in range(rnd.randint(0, 4))]
        rows.append(list(indicator_head))
        rows += [[rnd.choice(pool) for _ in range(rnd.randint(0, 11))] for _ in range(rnd.randint(0, 6))]
        if rnd.random() < 0.3:  # a note that states weights, or does not quite
            rows.append([rnd.choice(["注：产出指标50分、效益指标30分、满意度指标10分，预算执行10分", "注：产出50/效益x",
                                     "说明：产出60/效益30/预算执行20", "注"])])
        reviews, _ = review_forms({"表": rows})
        reviewed += len(reviews)
        # whatever the cells, never a negative recomputed score (issue 20 item 9)
        assert all(r.total >= 0 and all(i.score is None or i.score >= 0 for i in r.indicators) for r in reviews)
    assert reviewed == 300
