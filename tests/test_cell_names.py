"""One conversion of cell references for the core, the file guard and the cached-value restore."""

from __future__ import annotations

import pytest

from perfeval_xl.core.findings import Finding, cell_name, column_index, column_letter, parse_cell_name
from perfeval_xl.io.sheet_scan import parse_ref, ref_name


@pytest.mark.parametrize("letters, index", [("A", 0), ("Z", 25), ("AA", 26), ("AZ", 51), ("BA", 52), ("XFD", 16383)])
def test_column_letters_both_ways(letters, index):
    assert column_letter(index) == letters
    assert column_index(letters) == index
    assert column_index(letters.lower()) == index


def test_cell_names_both_ways_and_one_based_views():
    assert cell_name(2, 1) == "B3"
    assert parse_cell_name("B3") == parse_cell_name("$B$3") == parse_cell_name(" b3 ") == (2, 1)
    assert parse_cell_name("XFD1048576") == (1048575, 16383)
    assert parse_cell_name("B") is None and parse_cell_name("3") is None and parse_cell_name("ABCD1") is None
    assert parse_ref("B3") == (3, 2) and ref_name(3, 2) == "B3"  # the guard counts from 1
    assert parse_ref("资金情况") is None


def test_the_severity_label_of_a_finding():
    assert Finding("error", "资金情况", "B3", "x").level == "错误"
    assert Finding("warning", "资金情况", "B3", "x").level == "提示"
