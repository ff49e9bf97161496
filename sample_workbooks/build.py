"""Rebuild every generated file of the repository: the sample workbooks from the data modules in
sample_workbooks/source/, the blank template (templates/绩效评价模板.xlsx, as ``perfeval new`` writes
it) and docs/template.md (from the schema, as ``python -m perfeval_xl.docgen`` writes it).

    python sample_workbooks/build.py

The committed files are what this writes; tests check they have not drifted.  Run it after changing
the schema, a rule kind (the template's 规则写法 sheet) or a sample's data.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

# the same XML whether or not lxml is installed (openpyxl with lxml declares namespaces per element)
os.environ.setdefault("OPENPYXL_LXML", "False")

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
    from perfeval_xl.io.template import build_workbook, save_workbook_atomic

    wb = build_workbook(module.INFO, module.TABLES)
    for title, rows in getattr(module, "PASTED", {}).items():
        paste(wb, title, rows)
    wb.active = 0
    return save_workbook_atomic(wb, folder / module.FILE_NAME)


def paste(wb, title: str, rows) -> None:
    """A report table as a reviewer pastes it into a sheet of its own: every cell the text the report
    prints (so "58.30" and "99.18%" keep their printed precision), blank cells left empty."""
    if title in wb.sheetnames:
        raise KeyError(f"pasted table {title!r} would replace a template sheet")
    ws = wb.create_sheet(title)
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row, start=1):
            if text not in ("", None):
                cell = ws.cell(row=r, column=c, value=str(text))
                cell.number_format = "@"
    for c in range(1, ws.max_column + 1):
        longest = max((len(str(ws.cell(row=r, column=c).value or "")) for r in range(2, ws.max_row + 1)), default=0)
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = max(8, min(40, 2 * longest + 2))


def main() -> int:
    from perfeval_xl import docgen
    from perfeval_xl.io.template import write_template

    for name in SOURCES:
        if (HERE / "source" / f"{name}.py").exists():
            print(build(name))
    template = HERE.parent / "templates" / "绩效评价模板.xlsx"
    write_template(template)  # replaced atomically, as `perfeval new --force` does
    print(template)
    return docgen.main()


if __name__ == "__main__":
    sys.exit(main())
