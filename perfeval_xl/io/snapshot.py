"""Read a workbook file into the core's snapshot (sheet name → rows of values).

python-calamine reads values fast (cached results of formulas included); only the
input sheets the core knows are read.
"""

from __future__ import annotations

from pathlib import Path

from python_calamine import CalamineWorkbook

from perfeval_xl.core import schema
from perfeval_xl.core.findings import TemplateError


class UnreadableFile(Exception):
    """The file cannot be opened as a workbook; message in Chinese."""


def read_snapshot(path: str | Path, sheets: set[str] | None = None) -> dict[str, list[list[object]]]:
    path = Path(path)
    if not path.exists():
        raise UnreadableFile(f"找不到文件“{path}”")
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        raise UnreadableFile(f"“{path.name}”不是 Excel 工作簿（应为 .xlsx 或 .xlsm）")
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken files
        raise UnreadableFile(f"无法打开“{path.name}”：文件已损坏或不是 Excel 工作簿（{type(exc).__name__}）") from exc
    wanted = sheets if sheets is not None else set(schema.INPUT_SHEET_NAMES) | schema.EXTRA_INPUT_SHEETS
    snapshot: dict[str, list[list[object]]] = {}
    for name in workbook.sheet_names:
        if name.strip() not in wanted:
            continue
        try:
            snapshot[name] = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise TemplateError(name, "A1", f"无法读取工作表“{name}”（{type(exc).__name__}）") from exc
    return snapshot
