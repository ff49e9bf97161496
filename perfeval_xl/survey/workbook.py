"""Questionnaire rows in the evaluation workbook: tallies → 问卷计数 / 问卷答卷 rows, and writing them.

* :func:`count_rows` / :func:`answer_rows` turn a tally (and the respondents of an export) into
  row dicts in the style of the sample workbooks' ``TABLES`` (header → value; unit short names
  and ``第1题`` … as extra keys);
* :func:`write_class_rows` replaces one class's rows of an existing 问卷计数 / 问卷答卷 sheet
  (openpyxl), leaving every other row where and as it was (formulas included);
* new workbooks with these rows are written by :func:`perfeval_xl.io.template.write_workbook`,
  which writes keys the schema does not declare (one per unit, one per question) as extra columns.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, Mapping, Sequence

from ..core import schema
from ..core.normalize import clean_text
from ..core.styles import KIND_STYLE, StyleName
from .book import VALID_LABEL, WHOLE
from .importer import fold
from .model import Response, SurveyClass, Tally
from ..io.template import cell_value

#: the sheets whose rows may carry extra (dynamic) columns
_QUESTION_HEADER = re.compile(r"^(?:第|Q|q)?(\d+)(?:题)?$")

Row = dict[str, object]


def question_header(number: int) -> str:
    return f"第{number}题"


def count_rows(survey_class: SurveyClass, tally: Tally) -> list[Row]:
    """问卷计数 rows of one class: the 有效问卷数 row, then one row per question × option."""
    units = [u for u in tally.units if u != WHOLE]
    code = survey_class.code
    rows: list[Row] = []
    valid: Row = {"类别代码": code, "选项": VALID_LABEL}
    total_valid = tally.valid_count()
    if total_valid is not None:
        valid["合计"] = total_valid
    for unit in units:
        if unit in tally.valid:
            valid[unit] = tally.valid[unit]
    rows.append(valid)
    for question in survey_class.questions:
        for opt in question.options:
            row: Row = {"类别代码": code, "题号": question.number, "题目": question.text,
                        "选项": opt.label, "选项内容": opt.text, "合计": tally.count(question.number, opt.label)}
            for unit in units:
                row[unit] = tally.count(question.number, opt.label, unit)
            rows.append(row)
    return rows


def answer_rows(survey_class: SurveyClass, responses: Iterable[Response]) -> list[Row]:
    """问卷答卷 rows of one class: one per respondent, answers as option labels."""
    rows: list[Row] = []
    for n, resp in enumerate(responses, start=1):
        row: Row = {"类别代码": survey_class.code, "单位简称": None if resp.unit == WHOLE else resp.unit,
                    "答卷编号": resp.row + 1 if resp.row is not None else n}
        for question in survey_class.questions:
            row[question_header(question.number)] = resp.answers.get(question.number)
        rows.append(row)
    return rows


def snapshot_rows(sheet: schema.TableSheet, rows: Sequence[Mapping[str, object]]) -> list[list[object]]:
    """A table sheet as a snapshot would hold it (help row, header row, data) — for tests and tools."""
    extra = sheet.extra_keys(rows)
    headers = [c.header for c in sheet.columns] + extra
    out: list[list[object]] = [[sheet.help, *[None] * (len(headers) - 1)], [*headers]]
    for row in rows:
        values = [row.get(c.header, row.get(c.key)) for c in sheet.columns] + [row.get(k) for k in extra]
        out.append([cell_value(v) for v in values])
    return out


# ---------------------------------------------------------------------------
# openpyxl


def _style(cell, name: str) -> None:
    from perfeval_xl.io.xlsx_style import apply_style

    apply_style(cell, name)


def _extra_style(sheet: schema.TableSheet) -> StyleName:
    return StyleName.INTEGER if sheet is schema.SURVEY_COUNTS else StyleName.CENTER


def _find_header(ws, sheet: schema.TableSheet) -> int | None:
    """1-based header row: the one among the first ten holding most declared headers."""
    declared = {c.header for c in sheet.columns}
    best, hits = None, 0
    for r in range(1, min(ws.max_row, 10) + 1):
        found = {clean_text(ws.cell(r, c).value).replace("\n", "") for c in range(1, ws.max_column + 1)} & declared
        if len(found) > hits:
            best, hits = r, len(found)
    return best


def write_class_rows(wb, sheet: schema.TableSheet, code: str, rows: Sequence[Mapping[str, object]],
                     header_key: Callable[[str], str | None] | None = None, *, before: str | None = None) -> tuple[int, int]:
    """Replace the rows of class ``code`` in ``sheet`` of an openpyxl workbook by ``rows``.

    Other rows keep their place and content.  The class's new rows go where its old rows
    were when they fit there (contiguous, as many or more rows), else after the last row;
    old rows not reused are cleared.  Extra keys of ``rows`` (units, questions) go to the
    column whose header maps to the same key (``header_key``, e.g. a unit's full name →
    its short name), or to a new column after the last one.  The sheet is created (as the
    template writes it, before the sheet named ``before``) when missing.

    Returns the first and last (1-based) rows written.
    """
    from openpyxl.utils import get_column_letter

    key_of = header_key or (lambda text: text)
    if sheet.name not in wb.sheetnames:
        from perfeval_xl.io.template import _write_table

        index = wb.sheetnames.index(before) if before in wb.sheetnames else len(wb.sheetnames)
        _write_table(wb.create_sheet(sheet.name, index), sheet, ())
    ws = wb[sheet.name]
    header_row = _find_header(ws, sheet)
    if header_row is None:
        raise ValueError(f"“{sheet.name}”找不到表头行（应有：{'、'.join(c.header for c in sheet.columns)}）")
    columns: dict[str, int] = {}
    for c in range(1, ws.max_column + 1):
        text = clean_text(ws.cell(header_row, c).value).replace("\n", "")
        if not text:
            continue
        declared = next((col.header for col in sheet.columns if col.header == text), None)
        key = declared or key_of(text)
        if key and key not in columns:
            columns[key] = c
    code_col = columns.get(sheet.columns[0].header)
    last_col = max([ws.max_column] + list(columns.values()))
    for key in sheet.extra_keys(rows):
        if key not in columns:
            last_col += 1
            columns[key] = last_col
            _style(ws.cell(header_row, last_col, cell_value(key)), "header")
            ws.column_dimensions[get_column_letter(last_col)].width = 9
    # the class's old rows (类别代码 fills down)
    mine: list[int] = []
    last_data = header_row
    carried = None
    for r in range(header_row + 1, ws.max_row + 1):
        values = [ws.cell(r, c).value for c in range(1, last_col + 1)]
        if all(clean_text(v) == "" for v in values):
            continue
        last_data = r
        own = clean_text(ws.cell(r, code_col).value) if code_col else ""
        if own:
            carried = own
        if carried == code:
            mine.append(r)
    contiguous = bool(mine) and mine[-1] - mine[0] + 1 == len(mine)
    start = mine[0] if contiguous and len(mine) >= len(rows) else last_data + 1
    _unmerge(ws, mine + list(range(start, start + len(rows))))
    for r in mine:
        for c in range(1, last_col + 1):
            ws.cell(r, c).value = None
    kinds = {c.header: c.kind for c in sheet.columns}
    for i, row in enumerate(rows):
        r = start + i
        for key, col in columns.items():
            if key in kinds:
                value = row.get(key)
                style = KIND_STYLE[kinds[key]]
            elif key in row:
                value = row.get(key)
                style = _extra_style(sheet)
            else:
                continue
            cell = ws.cell(r, col, cell_value(value))
            if isinstance(value, str):
                cell.data_type = "s"
            _style(cell, style)
    return start, start + len(rows) - 1


def _unmerge(ws, rows: Iterable[int]) -> None:
    rows = set(rows)
    for merged in list(ws.merged_cells.ranges):
        if any(merged.min_row <= r <= merged.max_row for r in rows):
            ws.unmerge_cells(str(merged))


def unit_header_key(units: Mapping[str, str]) -> Callable[[str], str | None]:
    """Header → unit short name, for 问卷计数 (``units``: every spelling → short name)."""
    lookup = {fold(k): v for k, v in units.items()}
    return lambda text: lookup.get(fold(text))


def question_header_key(text: str) -> str | None:
    m = _QUESTION_HEADER.match(fold(text))
    return question_header(int(m.group(1))) if m else None
