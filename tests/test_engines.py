"""The writer engines (perfeval_xl.io.engines): one map, one protocol, each engine writing a plan
given as input in the test."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import load_workbook

from dataclasses import replace
from decimal import Decimal

from perfeval_xl.core.writeplan import Chart, ChartPlan, ChartSeries, SheetBuilder, WritePlan
from perfeval_xl.io.engines import ENGINES, Output, write, writer
from perfeval_xl.io.xlsx_splice import splice


def _plan() -> WritePlan:
    b = SheetBuilder("示例", [12, 10])
    b.values(["单位", "得分"], "header")
    b.values(["甲", 8], "text")
    return WritePlan([b.plan])


def test_every_engine_is_a_callable_of_its_module():
    assert set(ENGINES) == {"splice", "new", "xlwings", "docx"}
    for name, where in ENGINES.items():
        module, function = where.split(":")
        assert writer(name).__module__ == module and writer(name).__name__ == function
    with pytest.raises(KeyError, match="splice"):
        writer("openpyxl")


def test_splice_engine_writes_what_splice_returns(xishan, tmp_path):
    out = write("splice", _plan(), Output(tmp_path / "out.xlsx", source=xishan))
    assert out.read_bytes() == splice(xishan.read_bytes(), _plan())
    ws = load_workbook(out)["示例"]
    assert (ws["A2"].value, ws["B2"].value) == ("甲", 8)  # the row written above


def test_splice_engine_needs_the_input_package(tmp_path):
    with pytest.raises(ValueError, match="Output.source"):
        write("splice", _plan(), Output(tmp_path / "out.xlsx"))


def test_new_engine_writes_only_the_plan_sheets(tmp_path):
    out = write("new", _plan(), Output(tmp_path / "new.xlsx"))
    book = load_workbook(out)
    assert book.sheetnames == ["示例"]
    assert [[c.value for c in row] for row in book["示例"].iter_rows()] == [["单位", "得分"], ["甲", 8]]
    with zipfile.ZipFile(out) as z:
        assert not any(n.startswith("xl/charts/") for n in z.namelist())


def test_new_engine_refuses_a_plan_with_charts(tmp_path):
    chart = ChartPlan(Chart("得分", ("甲",), (ChartSeries("得分", (Decimal(8),)),)), table=(0, 0), anchor=(0, 3),
                      width=300, height=200, title="图1 得分")
    charted = WritePlan([replace(_plan().sheets[0], charts=[chart])])
    with pytest.raises(ValueError, match="splice"):
        write("new", charted, Output(tmp_path / "c.xlsx"))
    assert not (tmp_path / "c.xlsx").exists()


def test_docx_engine_writes_nothing_without_a_review_sheet(tmp_path):
    assert write("docx", _plan(), Output(tmp_path / "r.docx", title="项目")) is None
    assert not (tmp_path / "r.docx").exists()
