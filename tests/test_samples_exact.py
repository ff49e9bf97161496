"""Both samples score exactly as they did before the core became a pipeline of stages.

The expected JSON in tests/data/expected/ is ``perfeval score --json`` of each sample as the code
gave it before the refactor; its totals are the ones the sample .md files justify from the seed
reports (西山 88.51 良, 五华 90.77 优).  Any change to a score, value, reason or finding fails here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perfeval_xl.cli import main
from perfeval_xl.io.snapshot import read_snapshot
from perfeval_xl.pipeline import score_snapshot
from perfeval_xl.core.summary import summary

from conftest import SAMPLES

EXPECTED = Path(__file__).parent / "data" / "expected"
CASES = [("西山区社区党组织服务群众专项经费2024", 88.51, "良", 18), ("五华区五个先锋奖励经费2023", 90.77, "优", 23)]


def _indicators(result: dict) -> list[tuple]:
    return [(u["name"], i["code"], i["score"], i["value"], i["reason"]) for u in result["units"] for i in u["indicators"]]


@pytest.mark.parametrize("stem, total, grade, indicators", CASES)
def test_sample_scores_exactly_as_expected(stem, total, grade, indicators):
    expected = json.loads((EXPECTED / f"{stem}.json").read_text(encoding="utf-8"))
    scored = score_snapshot(read_snapshot(SAMPLES / f"{stem}.xlsx"))
    got = json.loads(json.dumps(summary(scored.evaluation, scored.findings), ensure_ascii=False))
    # the figures the sample's .md file justifies, then everything else, piece by piece
    assert (expected["total"], expected["grade"]) == (total, grade)
    assert len({i["code"] for u in expected["units"] for i in u["indicators"]}) == indicators
    assert (got["total"], got["grade"]) == (total, grade)
    assert [(u["name"], u["total"], u["grade"]) for u in got["units"]] == \
        [(u["name"], u["total"], u["grade"]) for u in expected["units"]]
    assert _indicators(got) == _indicators(expected)
    assert got["findings"] == expected["findings"]
    assert got == expected


def test_cli_json_is_the_expected_json(tmp_path, capsys):
    stem = CASES[0][0]
    assert main(["score", str(SAMPLES / f"{stem}.xlsx"), "-o", str(tmp_path / "out.xlsx"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads((EXPECTED / f"{stem}.json").read_text(encoding="utf-8"))
