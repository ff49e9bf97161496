from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_workbooks"
XISHAN = SAMPLES / "西山区社区党组织服务群众专项经费2024.xlsx"


def D(x) -> Decimal:
    return Decimal(str(x))


@pytest.fixture
def xishan(tmp_path) -> Path:
    """A private copy of the seed-000 sample."""
    target = tmp_path / XISHAN.name
    target.write_bytes(XISHAN.read_bytes())
    return target
