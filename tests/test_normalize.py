"""Input normalisation: numbers, amounts, rates, dates and choices as people type them,
and the reader's findings (sheet, cell, accepted form) instead of crashes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from perfeval_xl.core import schema
from perfeval_xl.pipeline import run, stages_until
from perfeval_xl.core.normalize import (
    CellValueError,
    ExcelErrorValue,
    UncachedFormula,
    is_blank,
    parse_amount,
    parse_cell,
    parse_date,
    parse_integer,
    parse_number,
    parse_rate,
)


@pytest.mark.parametrize("text, number, suffix", [
    ("660,000.00", "660000.00", ""),
    ("660000", "660000", ""),
    ("１２３", "123", ""),
    (" 12 ", "12", ""),
    ("\u300012\u3000", "12", ""),
    ("26.56%", "0.2656", "%"),
    ("26.56 %", "0.2656", "%"),
    ("２６.５６％", "0.2656", "%"),
    ("12元", "12", "元"),
    ("1.2万", "1.2", "万"),
    ("1.2万元", "1.2", "万"),
    ("3亿元", "3", "亿"),
    ("¥660,000.00", "660000.00", ""),
    ("￥660,000.00", "660000.00", ""),
    ("(1,000)", "-1000", ""),
    ("−5", "-5", ""),
    ("6.6e5", "6.6E+5", ""),
    (12, "12", ""),
    (0.1, "0.1", ""),
    (2.675, "2.675", ""),
])
def test_numbers_typed_as_text(text, number, suffix):
    assert parse_number(text) == (D(number), suffix)


@pytest.mark.parametrize("value, phrase", [
    ("abc", "不是数字"),
    ("12.3.4", "不是数字"),
    ("1,2,3", "千位分隔符"),
    ("6,60000", "千位分隔符"),
    ("-", "含义不明"),
    ("—", "含义不明"),
    ("无", "含义不明"),
    ("N/A", "含义不明"),
    ("#DIV/0!", "Excel 错误值"),
    ("#N/A", "Excel 错误值"),
    (ExcelErrorValue("#REF!"), "Excel 错误值"),
    (UncachedFormula("=SUM(A1:A3)"), "没有保存计算结果"),
    (True, "逻辑值"),
    ("1e999", "数值过大"),
    (1e300, "数值过大"),
    (float("nan"), "有限的数字"),
    (float("inf"), "有限的数字"),
    (dt.date(2024, 5, 31), "日期"),
    ("约12", "不是数字"),
    ("%", "不是数字"),
])
def test_not_numbers_say_why(value, phrase):
    with pytest.raises(CellValueError) as info:
        parse_number(value)
    assert phrase in str(info.value)


def test_uncached_formula_says_how_to_fix():
    with pytest.raises(CellValueError) as info:
        parse_cell("amount", UncachedFormula("=B3*2"))
    message = str(info.value)
    assert "=B3*2" in message and "Excel 或 WPS" in message and "LibreOffice" in message


@pytest.mark.parametrize("kind", ["text", "amount", "number", "integer", "percent", "date", "choice"])
def test_special_values_are_never_read_as_blank_or_text(kind):
    for value in (UncachedFormula("=A1"), ExcelErrorValue("#VALUE!")):
        assert not is_blank(value)
        with pytest.raises(CellValueError):
            parse_cell(kind, value, choices=("是", "否"))


def test_amounts_convert_explicitly_between_units():
    assert parse_amount("660000", "元") == D("660000")
    assert parse_amount("66万", "元") == D("660000")
    assert parse_amount("0.0066亿元", "元") == D("660000")
    assert parse_amount("79.78", "万元") == D("79.78")
    assert parse_amount("797800元", "万元") == D("79.78")
    assert parse_amount("79.78万", "万元") == D("79.78")
    with pytest.raises(CellValueError, match="百分比"):
        parse_amount("12%", "元")


def test_rates():
    assert parse_rate("90%") == D("0.9")
    assert parse_rate(0.9) == D("0.9")
    assert parse_rate("1") == D("1")
    with pytest.raises(CellValueError, match="含义不明"):
        parse_rate("90")
    with pytest.raises(CellValueError, match="金额"):
        parse_rate("12元")


@pytest.mark.parametrize("value", ["2024-05-31", "2024/5/31", "2024.5.31", "2024年5月31日", "20240531", 45443, 45443.75,
                                   "45443", "2024-05-31 00:00:00", "2024-05-31T08:30", dt.datetime(2024, 5, 31, 8, 0),
                                   dt.date(2024, 5, 31), "２０２４-０５-３１"])
def test_dates_as_text_or_serials(value):
    assert parse_date(value) == dt.date(2024, 5, 31)


@pytest.mark.parametrize("value, phrase", [
    ("2024-02-30", "没有这一天"), ("31/05/2024", "不是日期"), ("昨天", "不是日期"), (2024, "不在 1990–2100"),
    ("1900-01-01", "不在 1990–2100"), (-5, "超出范围"), (True, "逻辑值"), ("#VALUE!", "Excel 错误值"),
])
def test_bad_dates(value, phrase):
    with pytest.raises(CellValueError, match=phrase):
        parse_date(value)


def test_counts_accept_measure_words_integers_refuse_fractions():
    assert parse_cell("number", "12个") == D("12")
    assert parse_cell("integer", "40人") == D("40")
    assert parse_cell("integer", "1.2万") == D("12000")
    with pytest.raises(CellValueError, match="整数"):
        parse_integer("2.5")


def test_empty_is_not_zero():
    assert parse_cell("amount", None) is None
    assert parse_cell("amount", "  ") is None
    assert parse_cell("amount", "\u3000") is None
    assert parse_cell("amount", 0) == 0
    assert parse_cell("amount", "0") == 0
    with pytest.raises(CellValueError, match="数值为零请填 0，没有数据请留空"):
        parse_cell("amount", "-")


# --- the reader: findings name sheet and cell and show the accepted form -------------------

def _snapshot(**tables):
    """A minimal template snapshot: one unit, one indicator, plus the given table rows."""
    info = [["项目", "内容"], ["项目名称", "测试项目"], ["评价形态", "整体评价"], ["金额单位", tables.pop("unit", "元")]]
    snap = {
        "项目信息": info,
        "单位名单": [["说明"], ["序号", "单位全称", "单位简称"], [1, "甲单位全称", "甲"]],
        "指标体系": [["说明"], ["编码", "一级指标", "二级指标", "三级指标", "分值", "评分方法", "取值来源"],
                 ["A1", "产出", "数量", "资金到位率", 100, "比率", "资金到位率"]],
    }
    header = {"资金情况": ["单位简称", "预算数", "实际到位", "实际支出"],
              "满意度": ["单位简称", "类别代码", "有效问卷数", "满意度"],
              "产出情况": ["单位简称", "产出名称", "计划数", "实际数", "质量达标数"],
              "问卷类别": ["类别代码", "类别名称", "权重"]}
    for name, rows in tables.items():
        snap[name] = [["说明"], header[name], *rows]
    return snap


def _findings(snapshot):
    done = run(snapshot, stages_until("check"))
    return {(f.sheet, f.cell): (f.severity, f.message) for f in done.findings}


def test_reader_reports_cell_and_accepted_form():
    found = _findings(_snapshot(资金情况=[[None, "abc", "1.2万", "-"]]))
    severity, message = found[("资金情况", "B3")]
    assert severity == "error" and "“预算数”" in message and "abc" in message and "660,000.00" in message
    assert "数值为零请填 0" in found[("资金情况", "D3")][1]
    assert ("资金情况", "C3") not in found  # 1.2万 is a fine amount


def test_reader_reports_uncached_formula_and_error_values():
    found = _findings(_snapshot(资金情况=[[None, UncachedFormula("=SUM(X1:X9)"), ExcelErrorValue("#DIV/0!"), 5]]))
    assert "没有保存计算结果" in found[("资金情况", "B3")][1]
    assert "#DIV/0!" in found[("资金情况", "C3")][1]


@pytest.mark.parametrize("row, cell, phrase", [
    ([None, 100, 120, 50], "C3", "实际到位资金不应超过预算数"),
    ([None, 100, 80, 90], "D3", "实际支出不应超过实际到位资金"),
    ([None, -100, None, None], "B3", "不能为负数"),
    ([None, 100, None, -1], "D3", "不能为负数"),
])
def test_impossible_funds(row, cell, phrase):
    found = _findings(_snapshot(资金情况=[row]))
    severity, message = found[("资金情况", cell)]
    assert severity == "error" and phrase in message


def test_impossible_totals_over_split_rows():
    # project row holds budget and arrival, unit rows the spending (seed 000's layout)
    found = _findings(_snapshot(资金情况=[[None, 100, 80, None], ["甲", None, None, 60], ["甲", None, None, 30]]))
    assert "合计" in found[("资金情况", "D4")][1]


def test_rates_above_100_percent_and_counts():
    found = _findings(_snapshot(满意度=[[None, "A", 40, "120%"]], 问卷类别=[["A", "群众", "150%"]],
                                产出情况=[[None, "社区", 10, 6, 7]]))
    assert "0%–100%" in found[("满意度", "D3")][1]
    assert "0%–100%" in found[("问卷类别", "C3")][1]
    assert "质量达标数不应超过实际数" in found[("产出情况", "E3")][1]


def test_magnitude_contradicts_declared_unit():
    wan = _findings(_snapshot(unit="万元", 资金情况=[[None, 6600000, 6600000, None]]))
    severity, message = wan[("资金情况", "B3")]
    assert severity == "warning" and "万元" in message and "660" in message
    yuan = _findings(_snapshot(资金情况=[[None, 66, 66, None]]))
    severity, message = yuan[("资金情况", "B3")]
    assert severity == "warning" and "万元" in message and "660000" in message


def test_duplicate_and_unknown_units():
    snap = _snapshot(资金情况=[["乙", 100, 50, 10]])
    snap["单位名单"].append([2, "丙单位全称", "甲"])
    found = _findings(snap)
    assert "重复" in found[("单位名单", "C4")][1]
    assert "不在单位名单中" in found[("资金情况", "A3")][1]


def test_unknown_rule_kind_and_bad_params_are_findings():
    snap = _snapshot(资金情况=[[None, 100, 50, 10]])
    snap["指标体系"][1] += ["规则参数"]
    snap["指标体系"][2] = ["A1", "产出", "数量", "资金到位率", 50, "打分", "资金到位率", ""]
    snap["指标体系"].append(["A2", "产出", "数量", "到位", 50, "阶梯扣分", "资金到位率", "满分线=abc"])
    done = run(snap, stages_until("evaluate"))
    found = {(f.sheet, f.cell): f.message for f in done.findings}
    assert "不认识的评分方法" in found[("指标体系", "F3")] or "应为以下之一" in found[("指标体系", "F3")]
    assert "满分线" in found[("指标体系", "H4")]


def test_hidden_rows_and_merges_from_the_file(tmp_path):
    """The file adapter fills merged text down and warns about hidden rows with data."""
    from openpyxl import load_workbook

    from perfeval_xl.io.snapshot import read_snapshot
    from conftest import XISHAN

    wb = load_workbook(XISHAN)
    ws = wb["产出情况"]
    ws["B4"] = None
    ws.merge_cells("B3:B4")
    wb["资金情况"].row_dimensions[4].hidden = True
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    snap = read_snapshot(path)
    assert snap["产出情况"][3][1] == "服务社区"
    assert any(f[1] == "资金情况" and f[2] == "A4" and "隐藏" in f[3] for f in snap.findings)
    book = run(snap, stages_until("normalise")).last
    assert [r.get("item") for r in book.rows(schema.OUTPUTS)] == ["服务社区", "服务社区"]


def test_a_choice_is_matched_after_folding_and_the_first_of_two_alike_wins():
    """Full-width letters and spaces fold (NFKC, spaces dropped): " Ａ 类" is the choice "A类"; of two
    choices that fold alike the first listed is returned; a list of choices works as a tuple does."""
    from perfeval_xl.core.normalize import CellValueError, parse_choice

    assert parse_choice(" Ａ 类", ("B类", "A类")) == "A类"
    assert parse_choice("A类", ("A 类", "A类")) == "A 类"
    assert parse_choice("否", ["是", "否"]) == "否"
    with pytest.raises(CellValueError, match="应为以下之一：是、否"):
        parse_choice("也许", ("是", "否"))
