"""Pasted report tables audited: totals, averages, rates and shares, on the seed reports' real tables."""

from decimal import Decimal

from perfeval_xl.core.printed import parse_printed
from perfeval_xl.core.table_audit import audit_sheet, audit_tables

from data import seed_tables as seeds


def audit(name):
    return audit_sheet(name, seeds.rows(getattr(seeds, name)))


def slips(result):
    return [(s.cell, s.printed, s.expected) for s in result.slips]


def test_headcount_total_row_copies_the_first_row_in_three_columns():
    # seed 004 表7 / 附件6-1: the 合计 row prints 西翥's 109, 20, 28 for three pioneer types
    for name, row in (("TABLE7_HEADCOUNT", 12), ("ANNEX6_1_HEADCOUNT", 20)):
        result = audit(name)
        assert slips(result) == [(f"E{row}", "109", "505"), (f"H{row}", "20", "141"), (f"I{row}", "28", "136")]
        first = result.slips[0]
        assert first.object == "合计 基层党建先锋发放人数"
        assert first.message == "基层党建先锋发放人数合计=109+91+73+47+49+34+24+33+22+23=505，表中印为109"
        # 1180, 1161 and 287, 92 agree; the 完成比例 column is 实际发放总人数 ÷ 目标人数 on all 11 rows
        assert result.checked == 18
        assert result.unchecked == []
    assert audit("ANNEX6_1_HEADCOUNT").slips[0].source == "附件6-1：各街道办事处奖励发放人数情况"


def test_level1_table_total_is_not_the_sum_of_its_rows():
    # seed 004 表4: 12.60+13.00+39.69+25.42 = 90.71, printed 90.69; the 得分率 column agrees on every row
    result = audit("TABLE4_LEVEL1")
    assert slips(result) == [("C9", "90.69", "90.71")]
    assert result.slips[0].message == "评价得分合计=12.60+13.00+39.69+25.42=90.71，表中印为90.69"
    assert result.checked == 7  # 2 totals (分值, 得分) + 5 得分率


def test_average_row_of_the_score_summary():
    # seed 004 附件2: the mean of the ten printed unit totals is 90.701 → 90.70, printed 90.69;
    # the 22 indicator columns' 合计 and 平均分 rows agree
    result = audit("ANNEX2_SUMMARY")
    assert slips(result) == [("Z19", "90.69", "90.70")]
    assert result.slips[0].message.startswith("合计平均分=(91.00+90.23+88.46+90.00+93.00+90.53+91.00+91.00+90.86+90.93)/10=90.70")
    # indicator names such as 预算执行率 are score columns (no %), summed, never taken for rates;
    # 22 合计 + 23 平均分 + 2 得分 … + each unit's 合计 column against its 23 scores (10 rows, all agree)
    assert result.checked == 57
    assert result.unchecked == []


def test_payout_table_agrees():
    # seed 004 表8: 58.30/58.78 = 99.18 %, 53.41/57.69 = 92.58 %, totals 435.27 and 430.07
    result = audit("TABLE8_PAYOUT")
    assert result.slips == [] and result.checked == 13 and result.unchecked == []


def test_dashes_are_not_numbers():
    # seed 004 附件3: 结余 and 结转 columns hold “-”; only the three money columns are totalled
    result = audit("ANNEX3_FUNDS")
    assert result.slips == [] and result.checked == 3 and result.unchecked == []


def test_share_column_with_rounding_residue_is_a_warning():
    # seed 004 附件5: 794/2162, 452/2162, 916/2162 are 36.73 %, 20.91 %, 42.37 % (each right),
    # which sum to 100.01 %: a 尾差, not a slip
    result = audit("ANNEX5_SURVEY")
    assert result.slips == []
    warnings = [(f.sheet, f.cell) for f in result.findings]
    assert warnings == [("ANNEX5_SURVEY", "D11")]
    # the A/B/C 占比 columns are shares of a row, with no total to divide by: listed, not passed
    reasons = {u.range: u.reason for u in result.unchecked}
    assert "F9:F11" in reasons and "分母" in reasons["F9:F11"]
    assert "B9:B12" in reasons  # 得分 (a satisfaction rate) cannot be recomputed from the table


def test_table_with_nothing_to_check_is_listed():
    result = audit("ANNEX5_4_SATISFACTION")
    assert result.checked == 0 and result.slips == []
    assert [u.range for u in result.unchecked] == ["C8:C17", "D8:D17", "E8:E17", "F8:F17"]


def test_seed000_tables():
    assert audit("SEED000_LEVEL1").slips == [] and audit("SEED000_LEVEL1").checked == 7
    result = audit("SEED000_FUNDS")  # the report prints 25.56 % for 175,312.57/660,000.00
    assert slips(result) == [("D13", "25.56%", "26.56%")]
    assert result.slips[0].message == "资金到位率=实际到位资金/预算资金=175,312.57/660,000.00×100%=26.56%，表中印为25.56%"
    assert result.checked == 2


def grid(text):
    return [line.split("|") if line else [] for line in text.splitlines()]


def test_subtotals_and_grand_total_either_reading():
    rows = grid("类别|项目|金额\n"
                "城市|甲|1.10\n城市|乙|2.20\n小计||3.30\n"
                "农村|丙|4.00\n农村|丁|5.00\n小计||9.10\n"
                "合计||12.30")
    result = audit_sheet("表", rows)
    # the second 小计 is wrong (9.00); 合计 12.30 is the sum of the data rows: only the 小计 is a slip
    assert slips(result) == [("C7", "9.10", "9.00")]
    assert result.checked == 3
    rows[7][2] = "12.40"  # = the two 小计 as printed: agrees with that reading
    assert slips(audit_sheet("表", rows)) == [("C7", "9.10", "9.00")]
    rows[7][2] = "12.50"
    assert slips(audit_sheet("表", rows))[-1] == ("C8", "12.50", "12.30")


def test_text_in_a_totalled_column_is_listed_not_guessed():
    rows = grid("单位|金额\n甲|1,234.56\n乙|-\n合计|1,234.56")
    result = audit_sheet("表", rows)
    assert result.checked == 0 and result.slips == []
    assert [(u.range, "“-”" in u.reason) for u in result.unchecked] == [("B4", True)]


def test_printed_integer_in_a_column_of_two_decimals():
    # in a column printed with two decimals a “5” is 5.00: 2.49 + 2.50 = 4.99 against it is a slip
    rows = grid("单位|得分\n甲|2.49\n乙|2.50\n合计|5")
    assert slips(audit_sheet("表", rows)) == [("B4", "5", "4.99")]
    rows = grid("单位|得分\n甲|2.49\n乙|2.50\n平均分|2.5")  # 2.495 → 2.50: agrees
    assert audit_sheet("表", rows).slips == []


def test_numbers_as_cells_and_as_text_mix():
    rows = [["单位", "预算数", "支出数", "执行率"], ["甲", 100.0, 98.0, "98.00%"], ["乙", "1,000.00", 900, 0.9],
            ["合计", 1100, "998.00", "90.73%"]]
    result = audit_sheet("表", rows)
    # the 0.9 among percents: the column is listed as not checked, never summed
    assert result.slips == [] and [u.range for u in result.unchecked] == ["D2:D4"]
    rows[1][3], rows[2][3] = "98.00%", "90.00%"
    result = audit_sheet("表", rows)  # 998/1100 = 90.727… → 90.73 %
    assert result.slips == [] and result.checked == 5
    rows[3][3] = "90.72%"
    assert slips(audit_sheet("表", rows)) == [("D4", "90.72%", "90.73%")]


def test_share_column_far_from_100_is_a_slip():
    rows = grid("类别|人数|占比\nA|30|30.00%\nB|70|60.00%\n合计|100|")
    result = audit_sheet("表", rows)
    assert slips(result) == [("C3", "60.00%", "70.00%"), ("C3", "90.00%", "100%")]


def test_block_without_header_is_listed():
    result = audit_sheet("表", grid("1|2|3\n4|5|6"))
    assert [u.range for u in result.unchecked] == ["A1:C2"] and result.checked == 0


def test_audit_tables_adds_up_sheets():
    result = audit_tables({"表7": seeds.rows(seeds.TABLE7_HEADCOUNT), "表8": seeds.rows(seeds.TABLE8_PAYOUT)})
    assert result.checked == 31 and len(result.slips) == 3 and result.agreed == 28
    assert {s.sheet for s in result.slips} == {"表7"}


def test_printed_precision():
    assert parse_printed("99.18%").agrees(Decimal("0.991836"))
    assert not parse_printed("5").at(2).agrees(Decimal("4.99"))
    assert parse_printed("5").agrees(Decimal("4.99"))  # read alone, an integer has precision 1
    assert parse_printed("53.41万元").unit == "万"
    assert parse_printed("-") is None and parse_printed("优") is None and parse_printed("") is None


def test_total_column_is_the_sum_of_its_row():
    rows = grid("单位|中央资金|省级资金|合计\n甲|1.00|2.00|3.00\n乙|4.00|5.00|9.10\n丙|1|1|2")
    result = audit_sheet("表", rows)
    assert slips(result) == [("D3", "9.10", "9.00")]
    assert result.slips[0].message == "乙合计=4.00+5.00=9.00，表中印为9.10"
    # a 合计 column that most rows contradict totals something else: listed, not a slip per row
    rows = grid("选项|A|B|合计\n甲|10|5|40\n乙|20|5|60\n丙|1|1|2")
    result = audit_sheet("表", rows)
    assert result.slips == [] and [u.range for u in result.unchecked] == ["D2:D4"]
