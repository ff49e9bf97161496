"""Read a workbook file into the core's snapshot (sheet name → rows of values).

The file is first inspected by :mod:`perfeval_xl.io.guard` (zip bombs, XML entity
attacks, absurd sheet sizes) so no parser ever sees a hostile file.  python-calamine
then reads the values fast (cached results of formulas included); only the input
sheets the core knows are read.  What calamine cannot show is put back from the
guard's scan:

* a formula cell saved without a calculated value becomes an
  :class:`~perfeval_xl.core.normalize.UncachedFormula` (calamine reads it as empty),
  and a cell holding an Excel error an :class:`~perfeval_xl.core.normalize.ExcelErrorValue`,
  so the reader reports them with their sheet and cell;
* a text merged over several rows (a unit name merged down a column, as in printed
  reports) is repeated on every row of the merge; numbers are not (a merged amount
  counts once);
* hidden rows that hold data give a warning.

Those warnings travel with the snapshot (:attr:`FileSnapshot.findings`) and the
reader adds them to the book's findings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Collection, cast

from python_calamine import CalamineWorkbook

from perfeval_xl.core import schema
from perfeval_xl.gcpause import gc_paused
from perfeval_xl.core.grid import fill_merged_text, get_cell, put_cell
from perfeval_xl.core.book import TakenSnapshot
from perfeval_xl.core.findings import TemplateError
from perfeval_xl.core.normalize import ExcelErrorValue, UncachedFormula, is_blank
from perfeval_xl.io.files import InputFileError, check_input_file, display_name
from perfeval_xl.io.parser_copy import PiecesReader
from perfeval_xl.io.guard import HostileFile, Inspection, Selector, inspect_workbook
from perfeval_xl.io.sheet_scan import SheetScan, ref_name

#: the formats perfeval can both read and write back
SUPPORTED_SUFFIXES = (".xlsx", ".xlsm")


class UnreadableFile(Exception):
    """The file cannot be opened as a workbook; message in Chinese (sheet/cell when known)."""

    def __init__(self, message: str, sheet: str = "", cell: str = ""):
        super().__init__(message)
        self.sheet = sheet
        self.cell = cell


class FileSnapshot(TakenSnapshot):
    """The core's snapshot (sheets and the adapter's findings) plus the file's inspection."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.inspection: Inspection | None = None


def read_snapshot(path: str | Path, sheets: set[str] | Selector | None = None, *,
                  keep_parts: bool = False) -> FileSnapshot:
    """The input sheets of a workbook file (``sheets``: these sheets instead), after the guard.
    ``sheets`` may be a function choosing them from the open package (see
    :func:`~perfeval_xl.io.guard.inspect_workbook`): one guard and one parse serve it.  With
    ``keep_parts`` the guard's inflated sheets and styles part stay in ``inspection.data``."""
    with gc_paused():
        return _read_snapshot(Path(path), sheets, keep_parts)


def _read_snapshot(path: Path, sheets: set[str] | Selector | None, keep_parts: bool = False) -> FileSnapshot:
    try:
        check_input_file(path)  # a regular file within the size limit: never a pipe or a device
    except InputFileError as exc:
        raise UnreadableFile(str(exc)) from exc
    suffix = path.suffix.lower()
    if suffix in (".xls", ".xlsb", ".ods", ".et", ".csv"):
        raise UnreadableFile(f"“{display_name(path)}”是 {suffix} 格式，perfeval 只能读写 .xlsx 和 .xlsm；"
                             "请在 Excel 或 WPS 中“另存为” .xlsx 后再试")
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableFile(f"“{display_name(path)}”不是 Excel 工作簿（应为 .xlsx 或 .xlsm）")
    wanted = sheets if sheets is not None else set(schema.INPUT_SHEET_NAMES)
    try:
        inspection = inspect_workbook(path, wanted, keep_parts=keep_parts, parser_copy=True)
    except HostileFile as exc:
        raise UnreadableFile(exc.message, exc.sheet, exc.cell) from exc
    selected: Collection[str] = (inspection.selected or frozenset()) if callable(wanted) else wanted
    # python-calamine reads a file object whole as it opens it: the guard's copy is dropped at once
    parser_copy, inspection.parser_copy = inspection.parser_copy, None
    try:
        workbook = _open_calamine(path, parser_copy)
    except Exception as exc:  # calamine raises its own error types for broken files
        raise UnreadableFile(f"无法打开“{display_name(path)}”：文件已损坏或不是 Excel 工作簿") from exc
    del parser_copy
    snapshot = FileSnapshot()
    snapshot.inspection = inspection
    try:
        names = list(workbook.sheet_names)
    except Exception as exc:  # pragma: no cover - calamine read the names when opening
        raise UnreadableFile(f"无法读取“{display_name(path)}”的工作表列表：文件已损坏") from exc
    for name in names:
        if name.strip() not in selected:
            continue
        try:
            sheet = workbook.get_sheet_by_name(name)
            cells = sheet.to_python(skip_empty_area=False)
            merges = inspection_merges(inspection, name) or _calamine_merges(sheet)
        except Exception as exc:
            raise TemplateError(name, "A1", f"无法读取工作表“{name}”：文件可能已损坏；"
                                "请在 Excel 或 WPS 中打开并另存后再试") from exc
        # calamine gives fresh lists: ours to mark special cells and fill merged text in
        rows = cast("list[list[object]]", cells if type(cells) is list and set(map(type, cells)) <= {list}
                    else [row if type(row) is list else list(row) for row in cells])  # each row checked in C
        scan = inspection.sheets.get(name)
        if scan is not None:
            _mark_special_cells(rows, scan)
            _hidden_rows_warning(snapshot, scan)
        fill_merged_text(rows, merges)
        snapshot[name] = rows
    return snapshot


def _open_calamine(path: Path, parser_copy: list[bytes | memoryview] | None = None) -> CalamineWorkbook:
    """python-calamine over the guard's copy of a small package (its parts calamine reads stored as the
    guard inflated them: see :mod:`perfeval_xl.io.parser_copy`), else over the file; a name that is not
    UTF-8 (calamine cannot take one) through an open file."""
    if parser_copy is not None:
        return CalamineWorkbook.from_filelike(PiecesReader(parser_copy))
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8 (GBK from a Chinese Windows zip)
        with open(path, "rb") as handle:
            return CalamineWorkbook.from_filelike(handle)
    return CalamineWorkbook.from_path(text)


def inspection_merges(inspection: Inspection, name: str) -> list[tuple[int, int, int, int]]:
    scan = inspection.sheets.get(name)
    return list(scan.merges) if scan is not None else []


def _calamine_merges(sheet) -> list[tuple[int, int, int, int]]:
    try:
        ranges = sheet.merged_cell_ranges or []
    except Exception:  # pragma: no cover - older calamine
        return []
    return [(a[0], a[1], b[0], b[1]) for a, b in ranges]


def _mark_special_cells(rows: list[list[object]], scan: SheetScan) -> None:
    for (row, col), formula in scan.uncached.items():
        if is_blank(get_cell(rows, row, col)):
            put_cell(rows, row, col, UncachedFormula(formula))
    for (row, col), error in scan.errors.items():
        put_cell(rows, row, col, ExcelErrorValue(error))


def _hidden_rows_warning(snapshot: FileSnapshot, scan: SheetScan) -> None:
    if not scan.hidden_rows:
        return
    shown = "、".join(str(r) for r in scan.hidden_rows[:10]) + ("等" if len(scan.hidden_rows) > 10 else "")
    snapshot.findings.append((
        "warning", scan.name, ref_name(scan.hidden_rows[0], 1),
        f"第 {shown} 行是隐藏行，其中的数据照常参与计算（与 Excel 求和一致）；如这些行不应计入，请删除这些行"))


