"""The one list of extensions: assembled in perfeval_xl.extensions, nothing registered by an import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from perfeval_xl import extensions
from perfeval_xl.core import schema


def _fresh(code: str) -> str:
    """Run ``code`` in a new interpreter (no module imported before it) and return what it prints."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_output_sheets_known_without_importing_their_builders_first():
    # before: 调查问卷结果汇总表 counted as ours only once the sheet builders had imported survey.annex
    assert _fresh("from perfeval_xl.extensions import is_output_sheet as o; "
                  "print(o('调查问卷结果汇总表'), o('问卷明细-A'), o('评分表-普吉'), o('满意度情况表'), o('满意度'), o('备注'))") \
        == "True True True True False False"


def test_importing_survey_sources_changes_nothing_in_the_core():
    assert _fresh("from perfeval_xl.core import sources as c; before = list(c.CORE_SOURCES); "
                  "import perfeval_xl.survey.sources, perfeval_xl.survey.annex, perfeval_xl.extensions; "
                  "print(list(c.CORE_SOURCES) == before, '满意度' in c.CORE_SOURCES)") == "True False"


def test_each_source_name_has_exactly_one_implementation():
    from perfeval_xl.core.sources import CORE_SOURCES
    from perfeval_xl.survey.sources import SURVEY_SOURCES

    assert not set(CORE_SOURCES) & set(SURVEY_SOURCES)
    assert extensions.SOURCES["满意度"].func.__module__ == "perfeval_xl.survey.sources"
    assert extensions.SOURCES["综合满意度"].func.__module__ == "perfeval_xl.survey.sources"
    assert len(extensions.SOURCES) == len(CORE_SOURCES) + len(SURVEY_SOURCES)


def test_sheet_list_names_every_sheet_a_sample_writes():
    from conftest import SAMPLES
    from perfeval_xl.io.snapshot import read_snapshot
    from perfeval_xl.pipeline import score_snapshot

    plan = score_snapshot(read_snapshot(SAMPLES / "五华区五个先锋奖励经费2023.xlsx")).plan
    assert plan.names[0] == schema.OUTPUT_SUMMARY and plan.names[-2:] == [schema.OUTPUT_TRACE, schema.OUTPUT_FINDINGS]
    assert all(extensions.is_output_sheet(name) for name in plan.names)
    assert not any(extensions.is_output_sheet(name) for name in schema.INPUT_SHEET_NAMES)


def test_a_broken_command_module_fails_loudly(monkeypatch):
    from perfeval_xl import addin, cli

    def broken(sub):
        raise ImportError("no module named something_addin_needs")

    monkeypatch.setattr(addin, "register_cli", broken)
    with pytest.raises(ImportError, match="something_addin_needs"):
        cli.build_parser()
