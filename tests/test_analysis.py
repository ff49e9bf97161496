"""perfeval_xl.batch_frame: the batch result as tables (files, evaluations, forms, findings), on a folder of
two years of 自评表 (tests/form_data.py, published forms) and a file that cannot be read."""

from __future__ import annotations

import sys

import pytest
from openpyxl import Workbook

import form_data as data
from form_builder import central_form, provincial_form
from perfeval_xl.analysis import MISSING_PANDAS, PandasMissing, batch_results, indicator_of, records, year_of
from perfeval_xl.batch import discover


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """2023/池州.xlsx: both 池州 附1 forms (6 slips each and a warning on the second);
    2024/大英.xlsx: the 大英 安可 form (a warning, no slip); 损坏.xlsx: not a workbook."""
    root = tmp_path_factory.mktemp("报送")
    (root / "2023").mkdir()
    (root / "2024").mkdir()
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    central_form(ws, central_form(ws, 1, data.CHIZHOU_ENTRUSTED) + 2, data.CHIZHOU_VILLAGE)
    wb.save(root / "2023" / "池州.xlsx")
    wb = Workbook()
    provincial_form(wb.active, 1, data.DAYING_ANKE)
    wb.active.title = "安可"
    wb.save(root / "2024" / "大英.xlsx")
    (root / "损坏.xlsx").write_bytes(b"not a zip")
    return root


@pytest.fixture(scope="module")
def tables(folder):
    files, _ = discover([folder])
    return records(batch_results(files, jobs=1, root=folder))


def test_every_file_is_a_row_of_files(tables):
    files = {f["文件"]: f for f in tables["files"]}
    assert set(files) == {"2023/池州.xlsx", "2024/大英.xlsx", "损坏.xlsx"}
    chizhou = files["2023/池州.xlsx"]
    # 池州: on each form 年度资金总额 printed 0 / 0 / 0 with 执行率 0 and 得分 0, and 总分 90 for 100: 6 slips
    # (test_forms.test_zero_total_row_against_its_part_row); the second's budget cut is a warning
    assert (chizhou["年度"], chizhou["状态"], chizhou["自评表数"], chizhou["差错数"], chizhou["提示数"]) == \
        (2023, "有差错", 2, 12, 1)
    daying = files["2024/大英.xlsx"]
    assert (daying["年度"], daying["状态"], daying["差错数"], daying["提示数"]) == (2024, "通过", 0, 1)
    assert files["损坏.xlsx"]["无法读取"] is True and files["损坏.xlsx"]["状态"] == "无法读取"
    assert files["损坏.xlsx"]["年度"] is None


def test_forms_with_printed_and_recomputed_totals(tables):
    forms = [(f["文件"], f["项目"], f["报告总分"], f["复算总分"], f["差额"], f["等级"]) for f in tables["forms"]]
    # 委托业务项目: printed 90 (0 + 90), recomputed 10 + 90 = 100; 村级补助: the same; 大英: 100 = 100
    assert forms == [("2023/池州.xlsx", "委托业务项目", 90.0, 100.0, -10.0, "优"),
                     ("2023/池州.xlsx", "村级补助及运转经费", 90.0, 100.0, -10.0, "优"),
                     ("2024/大英.xlsx", "51092324T000010263357-2023年全县安可替代补助资金项目", 100.0, 100.0, 0.0, "优")]
    assert tables["evaluations"] == []


def test_findings_carry_their_unit_and_indicator(tables):
    slips = [f for f in tables["findings"] if f["类别"] == "差错"]
    assert len(slips) == 12 and {f["单位"] for f in slips} == {"219001-池州市贵池区棠溪镇人民政府"}
    unreadable = [f for f in tables["findings"] if f["文件"] == "损坏.xlsx"]
    assert [f["类别"] for f in unreadable] == ["错误"]


def test_year_and_indicator_readers():
    assert year_of("报送/2023/甲.xlsx", "项目2024") == 2023
    assert year_of("甲.xlsx", "五华区五个先锋奖励经费2023") == 2023
    assert year_of("编号120234.xlsx", "") is None  # a longer number is no year
    assert indicator_of("三级指标 培训人次 得分") == "培训人次"
    assert indicator_of("普吉 C5 奖励金发放完成率 得分") == "奖励金发放完成率"
    assert indicator_of("年度资金总额 执行率") == ""


def test_batch_frame_returns_dataframes(folder):
    pd = pytest.importorskip("pandas")
    import perfeval_xl

    files, evaluations, forms, findings = perfeval_xl.batch_frame(folder)
    assert all(isinstance(df, pd.DataFrame) for df in (files, evaluations, forms, findings))
    assert len(files) == 3 and len(forms) == 3 and evaluations.empty
    by_year = files.groupby("年度")["差错数"].sum().to_dict()
    assert by_year == {2023: 12, 2024: 0}
    assert forms["复算总分"].sum() == 300.0


def test_without_pandas_a_chinese_message(folder, monkeypatch):
    import perfeval_xl

    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(PandasMissing) as caught:
        perfeval_xl.batch_frame(folder)
    assert str(caught.value) == MISSING_PANDAS
    assert "pip install 'perfeval-xl[analysis]'" in MISSING_PANDAS
