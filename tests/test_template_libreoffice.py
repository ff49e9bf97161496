"""The template's drop-downs on 评分录入 take their lists from other sheets (单位名单 单位简称, 指标体系 编码).
LibreOffice must understand those cross-sheet references: after it opens and saves the template, the
same lists, from the same source ranges, are still on the same columns (issue 13 item 5)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfeval_xl.cli import main

pytestmark = pytest.mark.libreoffice


def _lists(path: Path) -> dict[str, tuple[str, int, int]]:
    """Column letter → (list source without quotes, first row, last row) of each list drop-down on 评分录入."""
    out = {}
    for dv in load_workbook(path)["评分录入"].data_validations.dataValidation:
        if dv.type != "list":
            continue
        for rng in str(dv.sqref).split():
            m = re.fullmatch(r"([A-Z]+)(\d+):\1(\d+)", rng)
            assert m, rng
            out[m.group(1)] = (dv.formula1.replace("'", ""), int(m.group(2)), int(m.group(3)))
    return out


def test_libreoffice_keeps_the_cross_sheet_drop_downs(tmp_path, capsys):
    template = tmp_path / "模板.xlsx"
    assert main(["new", "-o", str(template)]) == 0
    capsys.readouterr()
    ours = _lists(template)
    assert ours == {
        "A": ("单位名单!$C$3:$C$5000", 3, 5000),
        "B": ("指标体系!$A$3:$A$5000", 3, 5000),
        "D": ('"是,否,√,×,达成,部分达成,未达成"', 3, 5000),
    }
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(tmp_path / "lo"), str(template)], capture_output=True, timeout=240, check=True)
    theirs = _lists(tmp_path / "lo" / template.name)
    # LibreOffice keeps every list and its source; on saving it trims each range to 1,000 rows
    assert {col: source for col, (source, _, _) in theirs.items()} == {col: s for col, (s, _, _) in ours.items()}
    assert {col: (first, last) for col, (_, first, last) in theirs.items()} == {col: (3, 1002) for col in "ABD"}
