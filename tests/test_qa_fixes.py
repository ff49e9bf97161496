"""Mistakes an evaluator makes that must be findings, not silently wrong scores (found in a QA pass)."""

from decimal import Decimal as D

import pytest

from perfeval_xl.core.findings import TemplateError
from perfeval_xl.core.rules import make_rule
from perfeval_xl.pipeline import score_snapshot
from snapshots import snapshot

INFO = {"项目名称": "测试", "评价形态": "整体评价", "金额单位": "万元"}
UNITS = [{"单位全称": "甲镇人民政府", "单位简称": "甲镇"}]
FUNDS = [{"预算数": "100", "实际到位": "97.23", "实际支出": "97.23"}]


def indicator(**row):
    base = {"编码": "A1", "一级指标": "投入", "一级分值": 100, "二级指标": "资金", "二级分值": 100,
            "三级指标": "资金到位率", "分值": 100, "取值来源": "资金到位率"}
    base.update(row)
    return [base]


def run(info=INFO, **tables):
    base = {"单位名单": UNITS, "资金情况": FUNDS}
    base.update(tables)
    scored = score_snapshot(snapshot(info, base))
    return scored.evaluation, scored.findings


@pytest.mark.parametrize("kind, params, target, cell", [
    ("区间", "≥95:100；≥90:80；其他:0", None, "J3"),             # 95 against 97.23 % would mean 9,500 %
    ("阶梯扣分", "满分线=100；每降=1；扣=2", None, "J3"),
    ("阶梯扣分", "满分线=100%；每降=1；扣=2", None, "J3"),         # a step of 1 = 100 percentage points
    ("比率", "", "100", "L3"),
])
def test_a_bare_number_against_a_rate_is_an_error(kind, params, target, cell):
    ev, findings = run(**{"指标体系": indicator(评分方法=kind, 规则参数=params, 目标值=target)})
    (error,) = findings.errors
    assert (error.sheet, error.cell) == ("指标体系", cell)
    assert "应写作百分比" in error.message
    assert ev.total == 0 and "未能评分" in ev.units[0].indicators[0].reason


def test_percentage_points_in_words():
    ev, findings = run(**{"指标体系": indicator(评分方法="阶梯扣分", 规则参数="满分线=100%；每降=1个百分点；扣=2")})
    # 100 − 97.23 = 2.77 points short → 2 whole steps × 2 = 4 → 96
    assert not findings.errors and ev.total == D("96")


def test_data_value_with_percent_unit():
    data = [{"名称": "优良路率", "数值": "82.5", "计量单位": "%"}]
    ev, findings = run(**{"其他数据": data, "指标体系": indicator(三级指标="优良路率", 取值来源="数据(优良路率)",
                                                       评分方法="比率", 目标值="100%")})
    # 82.5 with 计量单位 % is 82.5 %: 100 × 82.50 % = 82.50
    assert ev.units[0].indicators[0].value.amount == D("0.825") and ev.total == D("82.50")


def test_formula_text_keeps_the_word_fenzhi():
    rule = make_rule("公式", "if(值>=目标,分值,分值-1)", D(5))
    # the 评分标准 in words (issue 19): the branch 分值-1 of a 5-point indicator is 4 points
    assert rule.standard(D(5), "优良路率") == "优良路率不低于目标值时得满分，否则得4分"


@pytest.mark.parametrize("params, words", [
    # a comparison as a 0/1 factor printed as syntax before: 得分=分值×(数据(甲)<=数据(乙))
    ("分值*(数据(当年支出)<=数据(预算数))", "当年支出不高于预算数时得满分，否则得0分"),
    ("(值>=90%)*分值", "满意度不低于90%时得满分，否则得0分"),
    ("分值*min(发放人数(甲)/目标人数(甲),1)",
     "得分=分值×（发放人数（甲）÷目标人数（甲）与1中的较小者），最低0分，最高2分"),
])
def test_formula_standard_is_in_words(params, words):
    standard = make_rule("公式", params, D(2)).standard(D(2), "满意度")
    assert standard == words and "数据(" not in standard and "min(" not in standard and "<=" not in standard


@pytest.mark.parametrize("label, value", [("金额单位", "万"), ("评价形态", "分单位")])
def test_unrecognised_required_info_stops_scoring(label, value):
    with pytest.raises(TemplateError) as info:
        run({**INFO, label: value}, **{"指标体系": indicator(评分方法="比率", 目标值="100%")})
    assert info.value.sheet == "项目信息" and label in info.value.message


def test_manual_entry_for_an_unknown_code():
    manual = [{"指标编码": "B9", "得分": 3}]
    ev, findings = run(**{"指标体系": indicator(评分方法="比率", 目标值="100%"), "评分录入": manual})
    (error,) = findings.errors
    assert (error.sheet, error.cell) == ("评分录入", "B3") and "B9" in error.message


def test_survey_export_skipped_marker_and_unit_question():
    from perfeval_xl.survey import Option, Question, SurveyClass, import_rows

    options = (Option("A", "满意", D(1)), Option("B", "基本满意", D("0.7")), Option("C", "不满意", D(0)))
    cls = SurveyClass("A", "群众", D(1), (Question(1, "您对道路养护满意吗？", options),))
    rows = [["序号", "1、您所在的乡镇", "2、您对道路养护满意吗？"],
            [1, "甲镇", "满意"], [2, "甲镇", "(跳过)"], [3, "甲镇", "B"]]
    result = import_rows(rows, cls, sheet="Sheet1")
    assert result.unit_column == 1
    assert not result.findings.errors  # (跳过) is an unanswered question, not an unknown answer
    assert [f.cell for f in result.findings.warnings] == ["C3"]
    assert result.tally.counts[(1, "A", "甲镇")] == 1 and result.tally.counts[(1, "B", "甲镇")] == 1


def test_oversized_csv_export_is_refused(tmp_path, monkeypatch):
    from perfeval_xl.io import files
    from perfeval_xl.survey.importer import read_export

    path = tmp_path / "export.csv"
    path.write_text("序号,单位\n" + "1,甲镇\n" * 200, encoding="utf-8")
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1000)  # the one input-size limit of every command
    with pytest.raises(TemplateError, match="超过上限 1 KB"):
        read_export(path)
