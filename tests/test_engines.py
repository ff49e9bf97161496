"""The writer engines (perfeval_xl.writers; the protocol in perfeval_xl.io.engines): one map, one protocol, each engine writing a plan
given as input in the test."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest
from openpyxl import load_workbook

from dataclasses import replace
from decimal import Decimal

from perfeval_xl.core.writeplan import Chart, ChartPlan, ChartSeries, SheetBuilder, WritePlan
from perfeval_xl.io.engines import Output
from perfeval_xl.writers import ENGINES, write, writer
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


def test_naming_an_engine_imports_no_writer_library():
    # the map holds names: importing it (and reading it) loads neither xlwings nor python-docx, nor the
    # modules above io that hold those writers; asking for one loads its module only
    probe = ("import json, sys\nfrom perfeval_xl import writers\nassert writers.ENGINES['docx']\n"
             "before = sorted(m for m in sys.modules if m.split('.')[0] in ('xlwings', 'docx') "
             "or m in ('perfeval_xl.excel', 'perfeval_xl.wordreport.docx_writer'))\n"
             "writers.writer('new')\n"
             "print(json.dumps([before, 'perfeval_xl.io.new_workbook' in sys.modules, 'docx' in sys.modules]))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(out.stdout) == [[], True, False]
