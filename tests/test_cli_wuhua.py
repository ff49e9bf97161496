"""Seed 004 end to end: ten units, each by the report's stated rules (hand computation in the sample's .md)."""

import json

import pytest
from openpyxl import load_workbook

from conftest import SAMPLES
from perfeval_xl.cli import main

WUHUA = SAMPLES / "五华区五个先锋奖励经费2023.xlsx"

# unit totals by the stated rules: the printed total −0.50 (争取上级资金情况 item ② is 0 at 0 % 上级资金),
# 普吉/丰宁/大观 satisfaction 10 by the bands (printed 9.77/9.53/9.86), 龙翔 5×99.76% = 4.99 (printed 5),
# 黑林铺 人数 3.34×93.59% + 3.33×70.21% + 3.33×100% = 3.13 + 2.34 + 3.33 = 8.80 (printed 8.83)
UNIT_TOTALS = {
    "西翥": ("90.50", "优"), "普吉": ("89.96", "良"), "黑林铺": ("87.93", "良"), "莲华": ("89.50", "良"),
    "华山": ("92.50", "优"), "丰宁": ("90.50", "优"), "护国": ("90.50", "优"), "龙翔": ("90.49", "优"),
    "大观": ("90.50", "优"), "红云": ("90.43", "优"),
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
    # (90.50+89.96+87.93+89.50+92.50+90.50+90.50+90.49+90.50+90.43) / 10 = 902.81 / 10 = 90.281 → 90.28
    assert data["total"] == 90.28 and data["grade"] == "优"
    # one warning, a slip of the report itself: 附件5-2 question 9 has 20 answers for 丰宁's 30 questionnaires
    (finding,) = data["findings"]
    assert finding["severity"] == "warning" and finding["sheet"] == "问卷计数" and "丰宁" in finding["message"]
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
    assert units["黑林铺"]["奖励发放人数情况"]["score"] == 8.8
    assert units["普吉"]["政策宣传完成率"]["score"] == 4.5
    # composites from the annex 5-1…5-3 counts (A = 100 %, B = 70 %, C = 0 %, unanswered counted as 0):
    # 西翥 A 4743/48 answers … 98.81 %, B 99.70 %, C 99.08 %: 98.81×40% + 99.70×30% + 99.08×30% = 99.158 → 99.16 %
    # (附件5-4 prints 99.00 / 99.70 / 98.90 → 99.18 %)
    assert units["西翥"]["综合满意度"]["value"] == 0.9916
    # 黑林铺 99.88×40% + 99.94×30% + 98.55×30% = 99.499 → 99.50 % (附件5-4 prints B/C copied from 普吉)
    assert units["黑林铺"]["综合满意度"]["value"] == 0.995
    # 丰宁 98.21×40% + 86.70×30% + 99.18×30% = 95.048 → 95.05 % (B counts the 10 missing answers as 0)
    assert units["丰宁"]["综合满意度"]["value"] == 0.9505
    for unit in units.values():
        assert unit["争取上级资金情况"]["score"] == 0.0


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
    assert rows["合计"][:2] == (100, 90.28)
    assert sum(rows[k][1] for k in ("决策", "过程", "产出", "效益")) == pytest.approx(90.28)
