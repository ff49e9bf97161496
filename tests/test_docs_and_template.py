"""The template, the reader and the docs come from one schema: check they have not drifted."""

from pathlib import Path

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


def test_committed_samples_equal_their_sources(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("sample_build", ROOT / "sample_workbooks" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    for name in build.SOURCES:
        if not (ROOT / "sample_workbooks" / "source" / f"{name}.py").exists():
            continue
        fresh = build.build(name, tmp_path)
        committed = CalamineWorkbook.from_path(str(ROOT / "sample_workbooks" / fresh.name))
        rebuilt = CalamineWorkbook.from_path(str(fresh))
        assert committed.sheet_names == rebuilt.sheet_names, name
        for sheet in committed.sheet_names:
            assert committed.get_sheet_by_name(sheet).to_python() == rebuilt.get_sheet_by_name(sheet).to_python(), (name, sheet)
