"""The template, the reader and the docs come from one schema: check they have not drifted."""

import subprocess
import sys
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from perfeval_xl.core import schema
from perfeval_xl.extensions import SOURCES
from perfeval_xl.docgen import template_markdown
from perfeval_xl.io.template import write_template

ROOT = Path(__file__).resolve().parent.parent


def test_docs_template_md_is_generated():
    assert (ROOT / "docs" / "template.md").read_text(encoding="utf-8") == template_markdown()


def test_committed_template_equals_generated(tmp_path):
    fresh = write_template(tmp_path / "t.xlsx")
    a = CalamineWorkbook.from_path(str(ROOT / "templates" / "绩效评价模板.xlsx"))
    b = CalamineWorkbook.from_path(str(fresh))
    assert a.sheet_names == b.sheet_names
    for name in a.sheet_names:
        assert a.get_sheet_by_name(name).to_python() == b.get_sheet_by_name(name).to_python()


def test_template_has_every_schema_sheet_and_header(tmp_path):
    wb = CalamineWorkbook.from_path(str(write_template(tmp_path / "t.xlsx")))
    for sheet in schema.TABLE_SHEETS:
        rows = wb.get_sheet_by_name(sheet.name).to_python()
        assert rows[schema.HEADER_ROW][:len(sheet.columns)] == [c.header for c in sheet.columns]


def test_rules_doc_covers_every_rule_kind_and_source():
    rules = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for kind in schema.RULE_KINDS:
        assert f"## {kind}" in rules, kind
    template = (ROOT / "docs" / "template.md").read_text(encoding="utf-8")
    for name in SOURCES:
        assert f"| {name} |" in template


@pytest.mark.slow
def test_committed_samples_and_template_rebuild_byte_identically(tmp_path):
    """The committed samples and template are what their sources give, byte for byte (fixed time stamps,
    one XML serialisation): rebuilding them on an unchanged tree changes no file.  Built in a fresh
    process, as `python sample_workbooks/build.py` and `perfeval new` run."""
    script = ("import sys, importlib.util\n"
              "spec = importlib.util.spec_from_file_location('sample_build', sys.argv[1])\n"
              "build = importlib.util.module_from_spec(spec); spec.loader.exec_module(build)\n"
              "for name in build.SOURCES: print(build.build(name, __import__('pathlib').Path(sys.argv[2])).name)\n")
    built = subprocess.run([sys.executable, "-c", script, str(ROOT / "sample_workbooks" / "build.py"), str(tmp_path)],
                           check=True, capture_output=True, text=True, encoding="utf-8").stdout.split()
    assert len(built) == 3
    for name in built:
        assert (tmp_path / name).read_bytes() == (ROOT / "sample_workbooks" / name).read_bytes(), name
    template = tmp_path / "模板.xlsx"
    subprocess.run([sys.executable, "-m", "perfeval_xl.cli", "new", "-o", str(template)], check=True,
                   capture_output=True)
    assert template.read_bytes() == (ROOT / "templates" / "绩效评价模板.xlsx").read_bytes()


def test_guide_is_the_first_tab_and_rule_syntax_comes_from_the_rule_kinds(tmp_path):
    from decimal import Decimal

    from openpyxl import load_workbook

    from perfeval_xl.core.rules import KINDS, make_rule

    wb = load_workbook(write_template(tmp_path / "t.xlsx"))
    assert wb.sheetnames[0] == "使用说明" and wb.active.title == "使用说明"
    assert wb.sheetnames[wb.sheetnames.index("指标体系") + 1] == "规则写法"
    rows = [[c.value for c in row] for row in wb["规则写法"].iter_rows(min_row=2, max_row=len(KINDS) + 1)]
    assert [r[0] for r in rows] == list(schema.RULE_KINDS)
    for row, kind in zip(rows, KINDS):
        assert row[1] == kind.syntax and row[2] == (kind.example or None) and row[4] == kind.example_result
        assert kind.syntax and kind.example_result, kind.name
        if kind.rule is not None:  # the example is what the rule itself accepts
            make_rule(kind.name, kind.example, Decimal(kind.example_weight))
    # the evaluator's guide points at it, and 评审 does not mistake it for a pasted report table
    assert any("规则写法" in str(c.value) for row in wb["使用说明"].iter_rows() for c in row)
    assert {"使用说明", "规则写法"} <= schema.GUIDE_SHEETS


def test_manual_entries_have_drop_downs_from_the_units_and_the_indicators(tmp_path):
    from openpyxl import load_workbook

    ws = load_workbook(write_template(tmp_path / "t.xlsx"))["评分录入"]
    by_range = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    unit, code, result = by_range["A3:A5000"], by_range["B3:B5000"], by_range["D3:D5000"]
    assert unit.type == "list" and unit.formula1 == "'单位名单'!$C$3:$C$5000"  # 单位简称 is 单位名单's column C
    assert code.type == "list" and code.formula1 == "'指标体系'!$A$3:$A$5000"  # 编码 is 指标体系's column A
    assert result.type == "list" and result.formula1 == '"是,否,√,×,达成,部分达成,未达成"'
    assert result.errorStyle == "information"  # a qualitative level of the evaluator's own is still accepted


def test_input_sheets_print_on_a4_with_page_numbers(tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(write_template(tmp_path / "t.xlsx"))
    for ws in wb.worksheets:
        assert ws.page_setup.paperSize == 9, ws.title  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页", ws.title
        assert ws.print_title_rows, ws.title
    assert wb["指标体系"].print_title_rows == "$2:$2"  # the header row, below the help row
    assert wb["指标体系"].page_setup.orientation == "landscape"  # 14 columns, 226 characters wide
    assert wb["单位名单"].page_setup.orientation == "portrait"  # 86 characters wide
