"""sample_workbooks/UDF计算器.xlsx: every formula in it, evaluated by calling the UDF
functions with the cells it references, shows the value typed beside it — and that
value is the file path's number for seed 000 (perfeval score) to the cent."""

from __future__ import annotations

import importlib.util
import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from perfeval_xl import udfs
from perfeval_xl.io.snapshot import read_snapshot
from perfeval_xl.pipeline import score_snapshot

ROOT = Path(__file__).resolve().parent.parent
CALCULATOR = ROOT / "sample_workbooks" / "UDF计算器.xlsx"
XISHAN = ROOT / "sample_workbooks" / "西山区社区党组织服务群众专项经费2024.xlsx"

_TOKEN = re.compile(r'\s*(?:"((?:[^"]|"")*)"|(\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)|(-?\d+(?:\.\d+)?%?)|())\s*(?:,|$)')


def _source():
    spec = importlib.util.spec_from_file_location("sample_calculator", ROOT / "sample_workbooks" / "source" / "calculator.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Sheet:
    """Evaluates the calculator's formulas the way Excel would hand cells to the UDFs."""

    def __init__(self, ws):
        self.ws = ws
        self.cache: dict[str, object] = {}

    def value(self, ref: str):
        ref = ref.replace("$", "")
        if ref not in self.cache:
            raw = self.ws[ref].value
            self.cache[ref] = self.evaluate(raw)[0][0] if isinstance(raw, str) and raw.startswith("=") else raw
        return self.cache[ref]

    def grid(self, ref: str) -> list[list]:
        ref = ref.replace("$", "")
        if ":" not in ref:
            return [[self.value(ref)]]
        c1, r1, c2, r2 = range_boundaries(ref)
        return [[self.value(f"{chr(64 + c)}{r}") for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]

    def arguments(self, text: str) -> list:
        args, pos = [], 0
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            assert match and match.end() > pos, f"cannot parse {text[pos:]!r}"
            string, ref, number, empty = match.groups()
            if string is not None:
                args.append([[string.replace('""', '"')]])
            elif ref is not None:
                args.append(self.grid(ref))
            elif number is not None:
                value = float(number.rstrip("%")) / (100 if number.endswith("%") else 1)
                args.append([[value]])
            else:
                args.append(None)  # an omitted argument
            pos = match.end()
        return args

    def evaluate(self, formula: str):
        match = re.fullmatch(r"=([A-Z_]+)\((.*)\)", formula)
        assert match, formula
        name, inner = match.groups()
        assert name in udfs.__all__, name
        return getattr(udfs, name)(*self.arguments(inner))


@pytest.fixture(scope="module")
def calculator():
    workbook = load_workbook(CALCULATOR)
    source = _source()
    return Sheet(workbook[source.SHEET]), source


@pytest.fixture(scope="module")
def seed000():
    return score_snapshot(read_snapshot(XISHAN)).evaluation


def test_every_udf_has_an_example(calculator):
    sheet, source = calculator
    used = {re.match(r"=([A-Z_]+)\(", f).group(1) for _k, _l, f, *_ in source.ROWS}
    assert used == set(udfs.__all__) - {"INDICATOR_SCORE"}  # that one needs a template workbook


def test_formulas_show_the_expected_column(calculator):
    sheet, source = calculator
    rows = 0
    for key, label, _formula, expected, _format, _check in source.ROWS:
        row = source.FORMULA_ROW[key]
        formula = sheet.ws.cell(row, 2).value
        assert isinstance(formula, str) and formula.startswith("="), (label, formula)
        assert sheet.ws.cell(row, 5).value == formula  # the text copy shows the same formula
        typed = sheet.ws.cell(row, 3).value
        assert typed == expected, label
        result = sheet.evaluate(formula)
        assert isinstance(result, list) and len(result) == 1 and len(result[0]) == 1, (label, result)
        assert result[0][0] == typed, (label, formula, result, typed)
        rows += 1
    assert rows >= 20


def _cent(value) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def test_the_expected_values_are_the_file_paths_numbers_for_seed_000(calculator, seed000):
    sheet, source = calculator
    unit = seed000.units[0]
    by_code = {s.code: s for s in unit.indicators}
    checked = set()
    for key, label, _formula, expected, _format, check in source.ROWS:
        if check is None:
            continue
        seed, code, what = check
        assert seed == "000"
        typed = sheet.ws.cell(source.FORMULA_ROW[key], 3).value
        if code == "总分":
            assert _cent(typed) == seed000.total == Decimal("88.51")
        elif code == "等级":
            assert typed == seed000.grade == "良"
        elif what == "score":
            assert _cent(typed) == by_code[code].score, (label, code)
        else:
            assert _cent(typed) == by_code[code].value_number, (label, code)
        assert sheet.ws.cell(source.FORMULA_ROW[key], 4).value == source.check_text(check)
        checked.add(code)
    assert {"A3", "A4", "A5", "C1", "C3", "C4", "D3", "总分", "等级"} <= checked


def test_data_cells_are_the_seed_figures(calculator):
    """The inputs typed in the calculator are those of the seed-000 workbook."""
    sheet, source = calculator
    snapshot = read_snapshot(XISHAN)
    funds = snapshot["资金情况"]
    header = funds[1]
    project = funds[2]
    budget = float(project[header.index("预算数")])
    arrived = float(project[header.index("实际到位")])
    assert sheet.value(source.B("计划投入（预算）资金")) == budget
    assert sheet.value(source.B("实际到位资金")) == arrived
    assert sheet.value(source.B("项目总分")) == 88.51
