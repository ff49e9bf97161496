"""Rebuild the sample workbooks from the data modules in sample_workbooks/source/.

    python sample_workbooks/build.py

The committed .xlsx files are what this writes; tests check they have not drifted.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = ("xishan_2024", "wuhua_2023", "calculator")


def load(name: str):
    if str(HERE / "source") not in sys.path:
        sys.path.insert(0, str(HERE / "source"))  # data modules may import their siblings
    path = HERE / "source" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"sample_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(name: str, folder: Path = HERE) -> Path:
    module = load(name)
    if hasattr(module, "build"):
        return module.build(folder)
    from perfeval_xl.io.template import write_workbook

    return write_workbook(folder / module.FILE_NAME, module.INFO, module.TABLES)


def main() -> int:
    for name in SOURCES:
        if (HERE / "source" / f"{name}.py").exists():
            print(build(name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
