"""Proves, with a throwaway UDF module, that xlwings 0.37.8's UDF machinery runs here.

Server path: ``xlwings.server.custom_functions_meta`` / ``custom_functions_call``
(``XLWINGS_ON_SERVER=true``, licence key set for these tests only). Desktop path:
``xlwings.udfs.generate_vba_wrapper`` and ``import_udfs`` with pywin32 stubbed and a
fake COM workbook. The real UDFs (perfeval_xl.udfs) are tested the same way.
"""

from __future__ import annotations

import io
import os
import sys
import textwrap
import uuid

import pytest
import xlwings_harness as harness

PROBE_SOURCE = '''
from typing import Annotated

import xlwings as xw


def _ratio(a, b):
    if a is None or b is None:
        return ""
    if isinstance(a, str) or isinstance(b, str):
        return "#VALUE!"
    if b == 0:
        return "#DIV/0!"
    return a / b


@xw.func(category="绩效评价")
@xw.arg("actual", ndim=2, doc="实际到位资金：单元格或一列")
@xw.arg("planned", ndim=2, doc="计划投入资金：与 actual 同形")
def PROBE_RATE(actual, planned):
    """资金到位率＝实际到位资金÷计划投入资金"""
    if len(actual) != len(planned) or len(actual[0]) != len(planned[0]):
        return "参数错误：两个区域的行列数必须相同"
    return [[_ratio(a, p) for a, p in zip(ra, rp)] for ra, rp in zip(actual, planned)]


@xw.func
def PROBE_ROUND(x: Annotated[float, {"doc": "数值"}], n: Annotated[int, {"doc": "小数位数"}] = 2):
    """四舍五入"""
    return round(x, n)


@xw.func
def PROBE_FAIL(x):
    """总是出错"""
    return 1 / 0
'''


@pytest.fixture
def probe_module(tmp_path, monkeypatch):
    name = f"probe_udfs_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(PROBE_SOURCE), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


# --- server path ----------------------------------------------------------------------


def test_server_meta_carries_names_descriptions_and_parameter_help(probe_module):
    with harness.server_mode(probe_module) as (module, server):
        meta = server.custom_functions_meta(module)
    functions = {f["name"]: f for f in meta["functions"]}
    assert set(functions) == {"PROBE_RATE", "PROBE_ROUND", "PROBE_FAIL"}
    rate = functions["PROBE_RATE"]
    assert rate["description"] == "资金到位率＝实际到位资金÷计划投入资金"
    assert [(p["name"], p["description"]) for p in rate["parameters"]] == [
        ("actual", "实际到位资金：单元格或一列"),
        ("planned", "计划投入资金：与 actual 同形"),
    ]
    assert all(p["dimensionality"] == "matrix" for p in rate["parameters"])
    rounding = functions["PROBE_ROUND"]["parameters"]
    assert [p["description"] for p in rounding] == ["数值", "小数位数"]
    assert rounding[1]["optional"] is True
    assert meta["allowErrorForDataTypeAny"] is True


def test_server_call_column_in_column_out_with_error_cells(probe_module):
    with harness.server_mode(probe_module) as (module, server):
        column = harness.call_server(
            server, module, "PROBE_RATE", [[[175312.57], [5], [1]], [[660000], [0], ["x"]]]
        )
        single = harness.call_server(server, module, "PROBE_RATE", [[[1]], [[4]]])
        old_runtime = harness.call_server(server, module, "PROBE_RATE", [[[1]], [[0]]], runtime="1.3")
        message = harness.call_server(server, module, "PROBE_RATE", [[[1], [2]], [[4]]])
    assert column[0][0] == pytest.approx(0.265625106)
    assert column[1:] == [
        [{"type": "Error", "errorType": "Div0"}],
        [{"type": "Error", "errorType": "Value"}],
    ]
    assert single == [[0.25]]  # one cell arrives as [[v]] thanks to ndim=2
    assert old_runtime == [["#DIV/0!"]]  # before API 1.4 the error stays a string
    assert message == [["参数错误：两个区域的行列数必须相同"]]


def test_server_call_scalars_optional_and_exceptions(probe_module):
    with harness.server_mode(probe_module) as (module, server):
        assert harness.call_server(server, module, "PROBE_ROUND", [[[2.345]], [[None]]]) == [[2.35]]
        assert harness.call_server(server, module, "PROBE_ROUND", [[[2.3456]], [[3]]]) == [[2.346]]
        with pytest.raises(ZeroDivisionError):
            harness.call_server(server, module, "PROBE_FAIL", [[[1]]])


def test_server_mode_leaves_no_trace(probe_module):
    import xlwings

    modules_before = {name for name in sys.modules if name.split(".")[0] == "xlwings"}
    with harness.server_mode(probe_module):
        assert os.environ["XLWINGS_ON_SERVER"] == "true"
        assert sys.modules["xlwings"] is not xlwings
    assert sys.modules["xlwings"] is xlwings
    assert {name for name in sys.modules if name.split(".")[0] == "xlwings"} == modules_before
    assert os.environ.get("XLWINGS_ON_SERVER") != "true"


# --- desktop path ---------------------------------------------------------------------


def test_desktop_vba_wrapper(probe_module):
    with harness.desktop_mode(probe_module) as (module, udfs):
        buffer = io.StringIO()
        udfs.generate_vba_wrapper(probe_module, module, buffer, harness.FakeComWorkbook())
        info = module.PROBE_RATE.__xlfunc__
    vba = buffer.getvalue()
    assert "Function PROBE_RATE(actual, planned)" in vba
    assert "Function PROBE_ROUND(x, Optional n)" in vba
    # an add-in (.xlam) hands the active workbook to Python, not itself
    assert (
        f'PROBE_RATE = XLPy.CallUDF("{probe_module}", "PROBE_RATE", Array(actual, planned), '
        "ActiveWorkbook, Application.Caller)"
    ) in vba
    # what an exception becomes on the desktop: the error text in the cell
    assert "PROBE_FAIL = Err.Description" in vba
    assert info["category"] == "绩效评价"
    assert info["args"][0]["options"] == {"ndim": 2}


def test_desktop_import_udfs_sets_descriptions(probe_module):
    book = harness.FakeComWorkbook()
    with harness.desktop_mode(probe_module) as (module, udfs):
        udfs.import_udfs(probe_module, book)
        assert harness.vba_problems(module) == []
    assert len(book.imported_vba) == 1
    assert book.imported_vba[0].startswith('Attribute VB_Name = "xlwings_udfs"')
    rate = book.macro_options["PROBE_RATE"]
    assert rate["Description"] == "资金到位率＝实际到位资金÷计划投入资金"
    assert rate["ArgumentDescriptions"] == ["实际到位资金：单元格或一列", "计划投入资金：与 actual 同形"]
    assert rate["Category"] == "绩效评价"
    assert book.macro_options["PROBE_ROUND"]["Category"] == "xlwings"  # the default
    assert book.macro_options["PROBE_ROUND"]["ArgumentDescriptions"] == ["数值", "小数位数"]


def test_desktop_mode_restores_modules(probe_module):
    import xlwings

    func_before = xlwings.func
    with harness.desktop_mode(probe_module):
        assert "pythoncom" in sys.modules
    assert xlwings.func is func_before
    assert "xlwings.udfs" not in sys.modules
    if not sys.platform.startswith("win"):
        assert "pythoncom" not in sys.modules


def test_plain_linux_import_registers_nothing(probe_module):
    """Without server mode or pywin32, xw.func is a no-op: a UDF test must pick a mode."""
    if sys.platform.startswith("win"):
        pytest.skip("on Windows xw.func is the COM decorator")
    import importlib

    module = importlib.import_module(probe_module)
    assert not hasattr(module.PROBE_RATE, "__xlfunc__")


def test_vba_problems_flags_reserved_names():
    import types

    module = types.ModuleType("m")

    def SCORE_STEP(value, step):  # noqa: N802
        return value

    SCORE_STEP.__xlfunc__ = {
        "name": "SCORE_STEP",
        "args": [{"name": "value", "doc": ""}, {"name": "step", "doc": "x" * 300}],
        "ret": {"doc": "ok"},
    }
    module.SCORE_STEP = SCORE_STEP
    problems = harness.vba_problems(module)
    assert "SCORE_STEP: 'step' is reserved in VBA" in problems
    assert "SCORE_STEP: description over 255 characters" in problems
