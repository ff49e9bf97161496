"""绩效目标申报表 审核 (issue 18 item 3): forms of each layout of the research notes, built by
tests/target_builder.py, filled with each kind of slip; every slip is found at its cell by the rule
that names it, and a clean form gives no finding.

The expected cells are the builder's own (``grid.where``): e.g. 深圳宝安's 本年度项目金额 is E6, as the
research notes (target_layouts.md §6) place it.  The clean project: 50 万元 a year for 3 years
(项目总金额 150 = 50 × 3), 测算依据 "按每人次1000元标准，培训500人次，共计50万元".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import target_builder as tb
from perfeval_xl.targetforms import LAYOUTS, RULES, check_target_forms, find_target_forms

LAYOUT_IDS = list(tb.BUILDERS)


def _check(*grids, names=None):
    names = names or [f"表{i + 1}" for i in range(len(grids))]
    return check_target_forms({name: g.rows() for name, g in zip(names, grids)})


def _found(results) -> set[tuple[str, str, str]]:
    return {(f.rule, f.severity, f.cell) for r in results for f in r.findings}


@pytest.mark.parametrize("layout", LAYOUT_IDS)
def test_each_layout_is_recognised_and_a_clean_form_gives_no_finding(layout):
    grid = tb.BUILDERS[layout](tb.project())
    results, findings = _check(grid)
    assert [r.form.layout.id for r in results] == [layout]
    form = results[0].form
    assert form.project == "2024年就业技能培训经费" and form.unit == "宝安区某街道办事处"
    # the 年度 indicators as stated (不适用 rows are not stated indicators)
    stated = [(i.name.value, i.value.value) for i in form.period_indicators("年度") if i.real]
    expected = [(n, v) for _, l2, n, v, _ in tb.INDICATORS if v != "不适用"]
    assert sorted(stated) == sorted(expected)
    assert findings == [] and results[0].status == "通过"


def test_the_zhengzhou_form_reads_its_two_groups_of_indicators():
    form = find_target_forms({"表1": tb.zhengzhou(tb.project()).rows()})[0]
    assert form.periods == ("实施期", "年度")
    term = {i.name.value: i.value.value for i in form.period_indicators("实施期") if i.real}
    assert term["培训人次"] == "≥1500人次"  # 3 × 500, the builder's 实施期 value
    assert form.fields["total"].value == 150 and form.fields["total"].cell == "C5"
    assert form.fields["long_goal"].value == "三年培训1500人次，提升辖区劳动者就业技能"  # after the label, same cell


def _without(spec, *level2_words):
    spec = dict(spec)
    spec["indicators"] = [i for i in spec["indicators"] if not any(w in i[1] for w in level2_words)]
    return spec


#: slip → (spec change, [(rule, severity, where key)]) ; the layouts a slip cannot occur on are skipped
SLIPS = {
    "项目名称空": (lambda s: tb.project(name=""), [("R01", "error", "name")]),
    "没有质量指标": (lambda s: _without(s, "质量"), [("R05", "error", "header")]),
    "没有效益指标": (lambda s: _without(s, "效益"), [("R04", "error", "header")]),
    "工程项目没有成本指标": (lambda s: _without(tb.project(name="2024年培训中心修缮工程"), "成本"),
                   [("R06", "error", "header")]),
    "一般项目没有成本指标": (lambda s: _without(s, "成本"), [("R06", "warning", "header")]),
    "指标值空": (lambda s: tb.with_indicator(s, "培训人次", value=None),
              [("R03", "error", ("年度", "培训人次", "value"))]),
    "指标解释空": (lambda s: tb.with_indicator(s, "培训合格率", explanation=None),
               [("R03", "error", ("年度", "培训合格率", "explanation"))]),
    "没有计量单位": (lambda s: tb.with_indicator(s, "培训人次", value="≥500"),
               [("R09", "warning", ("年度", "培训人次", "value"))]),
    "没有方向": (lambda s: tb.with_indicator(s, "培训人次", value="500人次"),
              [("R10", "warning", ("年度", "培训人次", "value"))]),
    "产出数量写成上限": (lambda s: tb.with_indicator(s, "培训人次", value="不超过500人次"),
                  [("R10", "warning", ("年度", "培训人次", "value"))]),
    "含糊的定性指标值": (lambda s: tb.with_indicator(s, "带动就业人数", value="就业状况得到改善"),
                  [("R11", "warning", ("年度", "带动就业人数", "value"))]),
    "比率超过100%": (lambda s: tb.with_indicator(s, "培训合格率", value="≥105%"),
                 [("R14", "error", ("年度", "培训合格率", "value"))]),
    "满意度不是百分比": (lambda s: tb.with_indicator(s, "学员满意度", value="基本满意"),
                  [("R11", "warning", ("年度", "学员满意度", "value")),
                   ("R13", "warning", ("年度", "学员满意度", "value"))]),
    "成本指标超过预算": (lambda s: tb.with_indicator(s, "人均培训成本", value="≤60万元"),
                  [("R23", "error", ("年度", "人均培训成本", "value"))]),
    "数量指标写成比率": (lambda s: tb.with_indicator(s, "培训人次", value="≥95%"),
                  [("R12", "warning", ("年度", "培训人次", "value"))]),
    "成本指标不是金额": (lambda s: tb.with_indicator(s, "人均培训成本", value="≥500人次"),
                  [("R12", "warning", ("年度", "人均培训成本", "value"))]),
    # the 效益 row comes after the 产出 row of the same name: ``where`` names the 效益 row's cell
    "效益照搬产出": (lambda s: tb.with_indicator(s, "带动就业人数", name="培训人次"),
               [("R27", "warning", ("年度", "培训人次", "name"))]),
    "预算执行率指标": (lambda s: tb.with_indicator(s, "培训合格率", name="预算执行率"),
                 [("R26", "warning", ("年度", "预算执行率", "name"))]),
}


def _expected(grid, keys):
    return {(rule, severity, grid.where[key]) for rule, severity, key in keys}


@pytest.mark.parametrize("layout", LAYOUT_IDS)
@pytest.mark.parametrize("slip", list(SLIPS))
def test_each_slip_is_found_at_its_cell(layout, slip):
    change, keys = SLIPS[slip]
    if slip == "指标解释空" and layout == "郑州":
        pytest.skip("郑州 附件2-1 has no 指标解释 column")
    grid = tb.BUILDERS[layout](change(tb.project()))
    results, findings = _check(grid)
    assert _found(results) == _expected(grid, keys)
    # every finding quotes its rule and the clause it comes from
    for f in findings:
        rule = next(r for r in RULES if f"（{r.id} " in f.message)
        assert rule.source in f.message and rule.quote in f.message


# --- amounts -------------------------------------------------------------------------------------------

def test_amounts_of_the_shenzhen_form():
    # 项目总金额 120 ≠ 50 × 3 = 150: a warning at B6
    grid = tb.shenzhen(tb.project(total=120))
    assert _found(_check(grid)[0]) == {("R20", "warning", "B6")}
    # 项目总金额 40 < 本年度 50: an error
    grid = tb.shenzhen(tb.project(total=40))
    assert _found(_check(grid)[0]) == {("R20", "error", "B6")}
    # 3 years yet 总金额 = 本年度
    grid = tb.shenzhen(tb.project(total=50))
    assert _found(_check(grid)[0]) == {("R20", "warning", "B6")}


def test_an_amount_labelled_wan_yuan_that_its_own_basis_shows_is_in_yuan():
    # 本年度 500000 "万元" while 测算依据 says 共计50万元 = 500000 元: E6 is in 元 (an error at E6);
    # 项目总金额 1500000 = 500000 × 3, so R20 has nothing to say
    grid = tb.shenzhen(tb.project(amount=500000, total=1500000))
    results, _ = _check(grid)
    assert _found(results) == {("R19", "error", "E6")}
    # the 成本 target is checked against the corrected budget (500000 元), not 500000 万元
    grid = tb.shenzhen(tb.with_indicator(tb.project(amount=500000, total=1500000), "人均培训成本", value="≤60万元"))
    assert _found(_check(grid)[0]) == {("R19", "error", "E6"), ("R23", "error", "D15")}


@pytest.mark.parametrize("layout", ["郑州", "河南", "101"])
def test_a_huge_amount_without_evidence_is_a_warning(layout):
    spec = tb.project(amount=500000, total=1500000, parts=[("其中：财政拨款", 500000), ("其他资金", 0)],
                      term_parts=[("其中：财政拨款", 1500000), ("其他资金", 0)])
    grid = tb.BUILDERS[layout](spec)
    assert _found(_check(grid)[0]) == {("R19", "warning", grid.where["amount"])}


def test_one_finding_when_every_form_of_the_workbook_is_in_yuan():
    spec = tb.project(amount=500000, total=1500000)
    grids = [tb.shenzhen(spec), tb.shenzhen(dict(spec, name="2024年创业培训经费", goal="举办创业培训"))]
    results, findings = _check(*grids, names=["项目1", "项目2"])
    r19 = [f for f in findings if "（R19 " in f.message]
    assert len(r19) == 1 and r19[0].sheet == "项目1" and r19[0].cell == "E6"
    assert "全部 2 张目标表（项目1、项目2）" in r19[0].message


@pytest.mark.parametrize("layout", ["郑州", "河南"])
def test_the_year_total_must_be_the_sum_of_its_sources(layout):
    parts = [("其中：财政拨款", 45), ("其他资金", 0)]
    spec = tb.project(parts=parts, hn_parts=[("其中：政府预算资金", 45), ("财政专户管理资金", 0), ("单位资金", 0)])
    grid = tb.BUILDERS[layout](spec)
    assert _found(_check(grid)[0]) == {("R21", "error", grid.where["amount"])}


def test_zhengzhou_term_total_below_the_year_total():
    spec = tb.project(total=40, term_parts=[("其中：财政拨款", 40), ("其他资金", 0)])
    grid = tb.zhengzhou(spec)
    assert _found(_check(grid)[0]) == {("R20", "error", "C5")}


def test_a_multi_year_project_needs_its_long_term_goal():
    grid = tb.shenzhen(tb.project(long_goal=None))
    assert _found(_check(grid)[0]) == {("R02", "error", "B10")}
    grid = tb.shenzhen(tb.project(long_goal=tb.PROJECT["goal"]))
    assert _found(_check(grid)[0]) == {("R02", "warning", "B10")}


def test_a_blank_indicator_row_is_an_error_and_not_applicable_must_be_whole():
    spec = tb.with_indicator(tb.project(), "不适用", name=None, value=None, explanation=None)
    grid = tb.shenzhen(spec)
    # row 17 (可持续影响) left blank: the template was not filled
    assert _found(_check(grid)[0]) == {("R03", "error", "C17")}
    spec = tb.with_indicator(tb.project(), "不适用", name="持续带动就业")
    grid = tb.shenzhen(spec)
    assert _found(_check(grid)[0]) == {("R03", "error", "C17")}


# --- copies between projects ---------------------------------------------------------------------------

@pytest.mark.parametrize("layout", LAYOUT_IDS)
def test_targets_copied_from_another_project(layout):
    build = tb.BUILDERS[layout]
    first, second = build(tb.project()), build(tb.project(name="2024年社区养老服务经费"))
    results, _ = _check(first, second, names=["就业", "养老"])
    found = {(f.rule, f.sheet, f.cell) for r in results for f in r.findings}
    assert found == {("R28", "养老", second.where["goal"]), ("R28", "养老", second.where["header"])}
    # the same project on two sheets (a resubmission) is not a copy between projects
    results, _ = _check(first, build(tb.project()), names=["就业", "就业2"])
    assert _found(results) == set()


# --- the rules as data, and their documentation ----------------------------------------------------------

def test_every_rule_has_its_source_and_a_quote_and_the_docs_list_them():
    doc = (Path(__file__).resolve().parent.parent / "docs" / "forms.md").read_text(encoding="utf-8")
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.source and rule.title and rule.level in ("错误", "提示", "错误/提示")
        assert rule.quote or "推定" in rule.source  # a rule no text states says so
        row = next((line for line in doc.splitlines() if line.startswith(f"| {rule.id} |")), None)
        assert row is not None, f"docs/forms.md lists no row for {rule.id}"
        assert rule.source in row and rule.title in row
    for layout in LAYOUTS:
        assert re.search(rf"\| {re.escape(layout.id)} \|", doc), f"docs/forms.md lists no row for layout {layout.id}"


# --- where forms are found -------------------------------------------------------------------------------

def test_two_forms_one_under_another_on_one_sheet():
    first, second = tb.shenzhen(tb.project()), tb.shenzhen(tb.project(name="2024年社区养老服务经费"))
    gap = 2
    rows = first.rows() + [[None] * 5] * gap + second.rows()
    results, _ = check_target_forms({"全部": rows})
    assert [r.project for r in results] == ["2024年就业技能培训经费", "2024年社区养老服务经费"]
    offset = len(first.rows()) + gap  # the second form's cells, moved down by the first form and the gap

    def moved(cell: str) -> str:
        letters = cell.rstrip("0123456789")
        return f"{letters}{int(cell[len(letters):]) + offset}"

    assert results[1].form.fields["amount"].cell == moved("E6") == "E27"
    # a copy between the two projects, reported at the second form's cells
    assert _found(results) == {("R28", "warning", moved(second.where["goal"])),
                               ("R28", "warning", moved(second.where["header"]))}


def test_a_form_of_another_layout_is_checked_by_the_general_rules():
    rows = [["项目绩效目标表"], ["项目名称", "2024年道路修缮工程"], ["年度资金总额（万元）", 80],
            ["年度目标", "修缮道路3公里"], ["一级指标", "二级指标", "三级指标", "指标值"],
            ["产出指标", "数量指标", "修缮道路长度", "≥3公里"],
            [None, "质量指标", "验收合格率", "100%"],
            ["效益指标", "社会效益指标", "通行条件", "明显改善"]]
    results, _ = check_target_forms({"道路": rows})
    assert [r.form.layout.id for r in results] == ["通用"]
    # a 修缮工程 without 成本 (error at the 一级指标 header A5), 100% without a direction (D7),
    # "明显改善" vague (D8)
    assert _found(results) == {("R06", "error", "A5"), ("R10", "warning", "D7"), ("R11", "warning", "D8")}


def test_a_self_evaluation_form_is_not_a_target_form():
    rows = [["项目支出绩效自评表"], ["项目名称", "某项目"],
            ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
            ["产出指标", "数量指标", "培训人次", "≥500人次", "520人次", 20, 20]]
    assert check_target_forms({"自评": rows}) == ([], [])


def test_sign_and_unit_in_columns_of_their_own():
    """Some systems export 指标性质 and 度量单位 as columns: the value 500 with ≥ and 人次 is a full target."""
    rows = [["项目名称", "2024年就业技能培训经费"], ["年度资金总额（万元）", 50], ["年度目标", "培训500人次"],
            ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位"],
            ["产出指标", "数量指标", "培训人次", "≥", 500, "人次"],
            [None, "质量指标", "培训合格率", "正向", 105, "%"],
            [None, "成本指标", "人均培训成本", "≤", 1000, "元/人次"],
            ["效益指标", "社会效益指标", "带动就业人数", "≥", 100, ""]]
    results, _ = check_target_forms({"表": rows})
    form = results[0].form
    assert [i.value_text() for i in form.indicators] == ["≥500人次", "≥105%", "≤1000元/人次", "≥100"]
    # 105% (error at E6) and 100 without a unit (warning at E8); the signs and units of their columns count
    assert _found(results) == {("R14", "error", "E6"), ("R09", "warning", "E8")}


@pytest.mark.parametrize("text, number, unit, sign", [
    ("≥95%", "95", "%", "≥"), ("95%以上", "95", "%", "≥"), ("不超过30万元", "30", "万元", "≤"),
    ("≤12个月", "12", "个月", "≤"), ("3个月", "3", "个月", None), ("≥1次/年", "1", "次/年", "≥"), ("500", "500", "", None),
    # dates and deadlines are 时效 words, not numbers with a unit (no R09 / R10 on them)
    ("12月底前完成", None, "", None), ("6月30日", None, "", None), ("2024年12月31日前", None, "", None),
    ("效果明显", None, "", None),
])
def test_reading_an_indicator_value(text, number, unit, sign):
    from decimal import Decimal

    from perfeval_xl.targetforms.rules import read_value

    value = read_value(text)
    assert (value.number, value.unit, value.sign) == (Decimal(number) if number else None, unit, sign)


def test_the_blank_published_form_is_reported_row_by_row():
    """郑州 附件2-1 as published: ``指标1： 指标2： ……`` in the name cells and nothing else filled."""
    blank = [(l1, l2, "指标1： 指标2： ……", None, None) for l1, l2, _, _, _ in tb.INDICATORS]
    grid = tb.shenzhen(tb.project(name=None, indicators=blank))
    results, _ = _check(grid)
    found = _found(results)
    rows = {grid.where[("年度", "指标1： 指标2： ……", "name")]}  # the builder keeps the last row's cell per name
    assert ("R01", "error", "E2") in found and ("R04", "error", "A11") in found and ("R05", "error", "A11") in found
    r03 = {cell for rule, _, cell in found if rule == "R03"}
    assert r03 == {f"C{12 + k}" for k in range(len(blank))} and rows <= r03
