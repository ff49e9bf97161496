"""Write the evaluation template (and workbooks filled from data) from the schema.

``perfeval new`` calls :func:`write_template`; the sample workbooks are built with
:func:`write_workbook` from plain data, so both always follow :mod:`perfeval_xl.core.schema`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Mapping, Sequence

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from perfeval_xl.core import schema
from perfeval_xl.core.rules import KINDS
from perfeval_xl.core.styles import KIND_STYLE, STYLES, StyleName
from perfeval_xl.core.writeplan import needed_height, wrapped_lines
from perfeval_xl.io.atomic import save_workbook_atomic
from perfeval_xl.io.xlsx_style import apply_style

GUIDE_SHEET = schema.GUIDE_SHEET
RULES_SHEET = schema.RULES_SHEET
MAX_VALIDATION_ROW = 5000
#: widest sheet (sum of column widths, Excel character units) that prints portrait on A4 at a readable scale
PORTRAIT_MAX_WIDTH = 100
FOOTER = "第 &P 页，共 &N 页"


def _page_setup(ws, total_width: float, title_rows: str | None) -> None:
    """A4, landscape where the sheet is wide, fitted to one page wide, header rows repeated, page numbers."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if total_width > PORTRAIT_MAX_WIDTH else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = FOOTER


def _fit_height(ws, row: int, texts_widths, style: str = "text") -> None:
    """Row height for wrapped text: the tallest any (text, width) of the row needs in the style."""
    need = max((needed_height(str(text), width, style) for text, width in texts_widths if text), default=0)
    ws.row_dimensions[row].height = min(max(need, 18), 409)


def cell_value(value):
    if isinstance(value, Decimal):
        # store exactly what was given: integers as int, others via str → float only for Excel
        return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else float(value)
    if isinstance(value, str):
        from perfeval_xl.core.normalize import xml_safe

        return xml_safe(value)  # a control character (a pasted soft line break) would make the cell unwritable
    return value


def _write_info(ws, info: Mapping[str, object]) -> None:
    sheet = schema.PROJECT_INFO
    ws.append(["项目", "内容", "说明"])
    for cell in ws[1]:
        apply_style(cell, "header")
    for r, fld in enumerate(sheet.fields, start=2):
        value = info.get(fld.label, info.get(fld.key, fld.default))
        ws.cell(r, 1, fld.label)
        apply_style(ws.cell(r, 1), "text")
        cell = ws.cell(r, 2, cell_value(value))
        cell.data_type = "s" if isinstance(value, str) else cell.data_type
        apply_style(cell, "center" if fld.kind == "choice" else "text")
        ws.cell(r, 3, ("（必填）" if fld.required else "") + fld.help)
        apply_style(ws.cell(r, 3), "note")
        if fld.choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(fld.choices) + '"', allow_blank=not fld.required,
                                showErrorMessage=True, errorTitle="输入有误", error="请从下拉列表中选择")
            ws.add_data_validation(dv)
            dv.add(f"B{r}")
        elif fld.kind in ("number", "integer"):
            dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100000",
                                showErrorMessage=True, errorTitle="输入有误", error="请输入数字")
            ws.add_data_validation(dv)
            dv.add(f"B{r}")
        _fit_height(ws, r, ((fld.label, 18), (("（必填）" if fld.required else "") + fld.help, 70)))
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 70
    ws.freeze_panes = "A2"
    _page_setup(ws, 18 + 40 + 70, "1:1")


def _validation(column: schema.Column) -> DataValidation | None:
    if column.choices:
        return DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True,
                              showErrorMessage=True, errorTitle="输入有误",
                              error=f"“{column.header}”请从下拉列表中选择")
    if column.kind == "amount":
        return DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                              showErrorMessage=True, errorTitle="输入有误", error=f"“{column.header}”应为不小于 0 的金额")
    if column.kind == "percent":
        return DataValidation(type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True,
                              showErrorMessage=True, errorTitle="输入有误",
                              error=f"“{column.header}”应为 0%–100% 之间的百分比")
    if column.kind == "integer":
        return DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                              showErrorMessage=True, errorTitle="输入有误", error=f"“{column.header}”应为整数")
    if column.kind == "date":
        return DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                              showErrorMessage=True, errorTitle="输入有误", error=f"“{column.header}”应为日期")
    return None


def _list_validation(column: schema.Column) -> DataValidation | None:
    """A drop-down of another sheet's column (单位简称, 指标编码), or of suggested values that accepts others."""
    if column.list_from is not None:
        name, key = column.list_from
        source = next(s for s in schema.TABLE_SHEETS if s.name == name)
        letter = get_column_letter(source.columns.index(source.column(key)) + 1)
        first = schema.HEADER_ROW + 2
        return DataValidation(type="list", formula1=f"'{name}'!${letter}${first}:${letter}${MAX_VALIDATION_ROW}",
                              allow_blank=True, showErrorMessage=True, errorTitle="输入有误",
                              error=f"“{column.header}”请从下拉列表中选择（取自“{name}”的“{source.column(key).header}”列）")
    if column.suggest:
        return DataValidation(type="list", formula1='"' + ",".join(column.suggest) + '"', allow_blank=True,
                              showErrorMessage=True, errorStyle="information", errorTitle="请核对",
                              error=f"“{column.header}”通常填：{'、'.join(column.suggest)}；定性指标填规则参数中写的等级名称")
    return None


def _write_table(ws, sheet: schema.TableSheet, rows: Sequence[Mapping[str, object]]) -> None:
    ncols = len(sheet.columns)
    ws.cell(1, 1, sheet.help)
    apply_style(ws.cell(1, 1), "help")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    total_width = sum(c.width for c in sheet.columns)
    _fit_height(ws, 1, ((sheet.help, total_width),), "help")
    header_row = schema.HEADER_ROW + 1
    for c, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(header_row, c, column.header)
        apply_style(cell, "header")
        tips = []
        if column.required:
            tips.append("必填。")
        if column.help:
            tips.append(column.help)
        if column.choices:
            tips.append("可选：" + "、".join(column.choices))
        if tips:
            cell.comment = Comment("".join(tips), "perfeval")
        ws.column_dimensions[get_column_letter(c)].width = column.width
        if STYLES[KIND_STYLE[column.kind]].number_format == "@":  # text as typed, also in rows not yet filled
            ws.column_dimensions[get_column_letter(c)].number_format = "@"
        dv = _validation(column) or _list_validation(column)
        if dv is not None:
            ws.add_data_validation(dv)
            letter = get_column_letter(c)
            dv.add(f"{letter}{header_row + 1}:{letter}{MAX_VALIDATION_ROW}")
    extra = sheet.extra_keys(rows)  # dynamic columns (e.g. one per unit in 问卷计数)
    for c, key in enumerate(extra, start=ncols + 1):
        apply_style(ws.cell(header_row, c, key), "header")
        ws.column_dimensions[get_column_letter(c)].width = 9
    for r, row in enumerate(rows, start=header_row + 1):
        for c, column in enumerate(sheet.columns, start=1):
            value = row.get(column.header, row.get(column.key))
            style = KIND_STYLE[column.kind]
            if column.kind == "number" and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                style = StyleName.NUMBER
            _put(ws, r, c, value, style)
        wrapped = [(value, column.width, style) for column, value, style in
                   ((column, row.get(column.header, row.get(column.key)), KIND_STYLE[column.kind]) for column in sheet.columns)
                   if isinstance(value, str) and value and STYLES[style].wrap]
        if any(wrapped_lines(value, width, style) > 1 for value, width, style in wrapped):
            # a long 规则参数 or 指标解释 shown whole (a user's later edits keep the height set here)
            ws.row_dimensions[r].height = min(max(needed_height(v, w, s) for v, w, s in wrapped), 409)
        for c, key in enumerate(extra, start=ncols + 1):
            value = row.get(key)
            numeric = isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
            _put(ws, r, c, value, "integer" if numeric else "center")
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    _page_setup(ws, total_width + 9 * len(extra), f"{header_row}:{header_row}")


def _put(ws, row: int, col: int, value, style: str) -> None:
    cell = ws.cell(row, col, cell_value(value))
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text, even when it starts with '='
    apply_style(cell, style)


def _write_guide(ws) -> None:
    ws.append(["工作表", "列", "类型", "说明"])
    for cell in ws[1]:
        apply_style(cell, "header")
    kinds = {"text": "文字", "literal": "文本", "amount": "金额", "number": "数字", "integer": "整数", "percent": "百分比",
             "date": "日期", "choice": "下拉选择"}
    ws.append([schema.PROJECT_INFO.name, "", "", schema.PROJECT_INFO.help])
    for sheet in schema.TABLE_SHEETS:
        ws.append([sheet.name, "", "", sheet.help])
        for column in sheet.columns:
            ws.append(["", column.header, kinds[column.kind],
                       ("必填。" if column.required else "") + column.help])
    ws.append(["", "", "", f"评分方法与规则参数的写法见“{RULES_SHEET}”表（详见 docs/rules.md）；"
                           "运行 perfeval score 工作簿.xlsx 评分。"])
    widths = (14, 16, 10, 90)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            apply_style(cell, "text")
        _fit_height(ws, row[0].row, ((cell.value, w) for cell, w in zip(row, widths)))
    for letter, width in zip("ABCD", widths):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    _page_setup(ws, sum(widths), "1:1")


RULES_HEADERS = ("评分方法", "规则参数的写法", "例（规则参数）", "例的分值", "例的结果")
RULES_WIDTHS = (10, 48, 40, 8, 40)


def rules_rows() -> list[tuple[str, str, str, str, str]]:
    """The 规则写法 sheet's rows, one per rule kind of :data:`perfeval_xl.core.rules.KINDS`."""
    return [(k.name, k.syntax, k.example, k.example_weight, k.example_result) for k in KINDS]


def _write_rules(ws) -> None:
    ws.append(list(RULES_HEADERS))
    for cell in ws[1]:
        apply_style(cell, "header")
    for r, values in enumerate(rules_rows(), start=2):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c, value)
            cell.data_type = "s"  # a formula example stays text
            apply_style(cell, "center" if c in (1, 4) else "text")
        _fit_height(ws, r, zip(values, RULES_WIDTHS))
    last = len(KINDS) + 2
    ws.cell(last, 1, "说明")
    ws.cell(last, 2, "多个条件之间用分号（；或 ;）或换行分隔，条件与分数之间用冒号；百分比写作 90%；"
                     "分数可写 0.5、满分、0.4%权重、1/3权重。参数写错时该指标记 0 分，“校验结果”中指出单元格和正确写法。")
    ws.merge_cells(start_row=last, start_column=2, end_row=last, end_column=len(RULES_HEADERS))
    for c in range(1, len(RULES_HEADERS) + 1):
        apply_style(ws.cell(last, c), "center" if c == 1 else "text")
    _fit_height(ws, last, ((ws.cell(last, 2).value, sum(RULES_WIDTHS[1:])),))
    for c, width in enumerate(RULES_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "B2"
    _page_setup(ws, sum(RULES_WIDTHS), "1:1")


def build_workbook(info: Mapping[str, object] | None = None,
                   tables: Mapping[str, Sequence[Mapping[str, object]]] | None = None,
                   *, guide: bool = True) -> Workbook:
    """An evaluation workbook: the template's sheets, filled with ``tables`` rows.

    ``info`` maps 项目信息 labels (or field keys) to values; ``tables`` maps a sheet
    name to rows, each row a mapping from column header (or key) to value.
    """
    info = info or {}
    tables = tables or {}
    unknown = set(tables) - {s.name for s in schema.TABLE_SHEETS}
    if unknown:
        raise KeyError(f"not template sheets: {sorted(unknown)}")
    wb = Workbook()
    ws = wb.active
    if guide:  # the first tab an evaluator sees
        ws.title = GUIDE_SHEET
        _write_guide(ws)
        ws = wb.create_sheet(schema.PROJECT_INFO.name)
    else:
        ws.title = schema.PROJECT_INFO.name
    _write_info(ws, info)
    for sheet in schema.TABLE_SHEETS:
        _write_table(wb.create_sheet(sheet.name), sheet, tables.get(sheet.name, ()))
        if guide and sheet is schema.INDICATORS:  # the rule syntax next to the sheet where rules are written
            _write_rules(wb.create_sheet(RULES_SHEET))
    wb.active = 0
    return wb


def write_workbook(path: str | Path, info=None, tables=None, *, guide: bool = True) -> Path:
    wb = build_workbook(info, tables, guide=guide)
    return save_workbook_atomic(wb, Path(path))


def write_template(path: str | Path) -> Path:
    """The blank evaluation template."""
    return write_workbook(path, {}, {})
