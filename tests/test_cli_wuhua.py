"""Seed 004 end to end: ten units, each by the report's stated rules (hand computation in the sample's .md)."""

import json

import pytest
from openpyxl import load_workbook

from conftest import SAMPLES
from perfeval_xl.cli import main

WUHUA = SAMPLES / "五华区五个先锋奖励经费2023.xlsx"

# unit totals by the stated rules (hand computation in the sample's .md, section 5):
# 争取上级资金情况 1 − 0.5 = 0.5 as printed (the district allocated each street office's whole budget, so
# 上级资金 is 100 % of it and item ② gets 0.5); 普吉/丰宁/大观 satisfaction 10 by the bands (printed
# 9.77/9.53/9.86); 龙翔 5×99.76% = 4.99 (printed 5); 黑林铺 人数 by the printed rule, 3.3 points per type:
# 3.3×93.59% + 3.3×70.21% + 3.3×100% = 3.09 + 2.32 + 3.30 = 8.71 (printed 8.83)
UNIT_TOTALS = {
    "西翥": ("91.00", "优"), "普吉": ("90.46", "优"), "黑林铺": ("88.34", "良"), "莲华": ("90.00", "优"),
    "华山": ("93.00", "优"), "丰宁": ("91.00", "优"), "护国": ("91.00", "优"), "龙翔": ("90.99", "优"),
    "大观": ("91.00", "优"), "红云": ("90.93", "优"),
}


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wuhua")
    book = folder / WUHUA.name
    book.write_bytes(WUHUA.read_bytes())
    out = folder / "out.xlsx"
    return book, out


def test_unit_and_project_totals(scored, capsys):
    book, out = scored
    assert main(["score", str(book), "-o", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    got = {u["name"]: (f"{u['total']:.2f}", u["grade"]) for u in data["units"]}
    assert got == UNIT_TOTALS
    # (91.00+90.46+88.34+90.00+93.00+91.00+91.00+90.99+91.00+90.93) / 10 = 907.72 / 10 = 90.772 → 90.77
    assert data["total"] == 90.77 and data["grade"] == "优"
    # two warnings, both slips of the report itself, each at its cell
    assert [(f["severity"], f["sheet"], f["cell"]) for f in data["findings"]] == [
        ("warning", "问卷计数", "P59"), ("warning", "指标体系", "H33")]
    # 附件5-2 question 9 has 20 answers for 丰宁's 30 questionnaires
    assert "丰宁" in data["findings"][0]["message"]
    # the items of 黑林铺's 奖励发放人数情况 (3.3 points per pioneer type, three types) sum to 9.9 of its 10 points
    assert data["findings"][1]["message"] == (
        "指标 C1奖励发放人数情况（适用单位 黑林铺）分值 10 分，各子项分值合计 9.9 分，两者应相等；"
        "按子项计分，该指标最多只能得 9.9 分")
    assert all(len(u["indicators"]) == 23 for u in data["units"])


def test_indicator_values_from_the_report(scored, capsys):
    book, out = scored
    main(["score", str(book), "-o", str(out), "--json"])
    units = {u["name"]: {i["name"]: i for i in u["indicators"]} for u in json.loads(capsys.readouterr().out)["units"]}
    assert units["普吉"]["奖励金发放完成率"]["score"] == 4.96 and units["普吉"]["奖励金发放完成率"]["value"] == 0.9918
    assert units["黑林铺"]["奖励金发放完成率"]["score"] == 4.63
    assert units["红云"]["奖励金发放完成率"]["score"] == 4.93
    assert units["龙翔"]["奖励金发放完成率"]["score"] == 4.99
    assert units["黑林铺"]["完成及时率"]["score"] == 4.0
    # 3.3×73/78 = 3.3×93.59% = 3.09, 3.3×33/47 = 3.3×70.21% = 2.32, 3.3×24/24 = 3.30 → 8.71
    assert units["黑林铺"]["奖励发放人数情况"]["score"] == 8.71
    assert units["普吉"]["政策宣传完成率"]["score"] == 4.5
    # composites from the annex 5-1…5-3 counts (A = 100 %, B = 70 %, C = 0 %, unanswered counted as 0):
    # 西翥 A 4743/48 answers … 98.81 %, B 99.70 %, C 99.08 %: 98.81×40% + 99.70×30% + 99.08×30% = 99.158 → 99.16 %
    # (附件5-4 prints 99.00 / 99.70 / 98.90 → 99.18 %)
    assert units["西翥"]["综合满意度"]["value"] == 0.9916
    # 黑林铺 99.88×40% + 99.94×30% + 98.55×30% = 99.499 → 99.50 % (附件5-4 prints B/C copied from 普吉)
    assert units["黑林铺"]["综合满意度"]["value"] == 0.995
    # 丰宁 98.21×40% + 86.70×30% + 99.18×30% = 95.048 → 95.05 % (B counts the 10 missing answers as 0)
    assert units["丰宁"]["综合满意度"]["value"] == 0.9505
    # item ① not met (−0.5); item ②: 上级资金 = the whole budget, 100 % ≥ 10 % → 0.5
    for unit in units.values():
        assert unit["争取上级资金情况"]["score"] == 0.5


@pytest.mark.slow
def test_sheets_and_annex_tables(scored, capsys):
    book, out = scored
    main(["score", str(book), "-o", str(out)])
    wb = load_workbook(out, data_only=True)
    for name in ["得分汇总", "一级指标得分表", "资金使用情况表", "奖励发放人数情况", "发放完成率", "满意度情况表",
                 "调查问卷结果汇总表", "问卷明细-A", "问卷明细-B", "问卷明细-C", "校验结果"]:
        assert name in wb.sheetnames
    assert sum(1 for n in wb.sheetnames if n.startswith("评分表-")) == 10
    funds = wb["资金使用情况表"]
    total = next(r for r in funds.iter_rows(values_only=True) if r[0] == "合计")
    assert total[2:5] == (435.27, 430.07, 430.07)
    heads = wb["奖励发放人数情况"]
    total = next(r for r in heads.iter_rows(values_only=True) if r[0] == "合计")
    # target 1180, paid 1161, 98.39 %: the report's own 合计 row copies 西翥's per-type figures
    assert total[1:4] == (0.9839, 1180, 1161)
    level1 = wb["一级指标得分表"]
    rows = {r[0]: r[1:] for r in level1.iter_rows(min_row=3, values_only=True) if r[0]}
    # 决策 12.60 (126.0÷10), 过程 13.00, 产出 39.67 (396.72÷10 = 39.672), 效益 25.50 → 90.77
    assert rows["合计"][:2] == (100, 90.77)
    assert [rows[k][1] for k in ("决策", "过程", "产出", "效益")] == [12.6, 13.0, 39.67, 25.5]
