"""``perfeval survey import``: a survey-platform export → the book's 问卷计数 (and 问卷答卷) sheet.

    perfeval survey import 导出.xlsx --class A --into 评价.xlsx [--unit-column 列名] [--sheet 表名]
                                   [--no-answers] [--dry-run]

The class's questions and options are read from the book (问卷题目 / 问卷选项); every answer that
matches no option is listed with its sheet, cell and row, and not counted.  The book is written in
place, atomically, after a backup copy ``<名>_备份_<时间>.xlsx`` beside it; only the rows of that
class in 问卷计数 / 问卷答卷 change.

Exit status: 0 imported; 1 imported, but some answers or rows could not be counted (listed);
2 the export or the book could not be read, or the class is not defined in the book.
"""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..core.findings import TemplateError

if TYPE_CHECKING:
    from .importer import ImportResult
    from .model import Tally

# the command's own dependencies (openpyxl through .workbook) are imported when it runs, not when the
# command line registers it

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2


class ImportFailed(Exception):
    """The import cannot run; message in Chinese."""


def register_cli(subparsers) -> None:
    survey = subparsers.add_parser("survey", help="问卷：导入问卷平台导出文件",
                                   description="问卷数据：把问卷星等平台的导出文件统计为“问卷计数”。")
    sub = survey.add_subparsers(dest="survey_command", title="命令", metavar="命令", parser_class=type(survey))
    imp = sub.add_parser("import", help="导入导出文件（每行一份答卷）", description=(
        "读取问卷平台的导出文件（每行一份答卷、每题一列），按工作簿中该类问卷的题目和选项统计人数，\n"
        "写入工作簿的“问卷计数”（并把逐份答卷写入“问卷答卷”）。先在原文件旁保存备份，再写回原文件；\n"
        "其他工作表不变。与任何选项都不匹配的答案逐个列出（含行号），不计入。\n\n"
        "退出状态：0 导入完成；1 导入完成，但有未计入的答案或答卷（已列出）；2 无法读取文件或类别未定义。"))
    imp.add_argument("export", metavar="导出文件", help="问卷平台导出的 .xlsx / .xls / .csv 文件")
    imp.add_argument("--class", dest="class_code", metavar="类别代码", required=True, help="问卷类别代码，如 A")
    imp.add_argument("--into", dest="book", metavar="工作簿", required=True, help="要写入的评价工作簿（.xlsx / .xlsm）")
    imp.add_argument("--unit-column", metavar="列名", help="填写单位的列的表头（默认找“单位”“所在单位”等列）")
    imp.add_argument("--sheet", metavar="表名", help="导出文件中的工作表（默认第一张）")
    imp.add_argument("--no-answers", action="store_true", help="只写“问卷计数”，不写逐份答卷（“问卷答卷”）")
    imp.add_argument("--dry-run", action="store_true", help="只检查并列出结果，不写工作簿")
    imp.set_defaults(handler=cmd_import)
    survey.set_defaults(handler=lambda args: _usage(survey))


def _usage(parser) -> int:
    parser.print_help()
    return EXIT_UNREADABLE


def _where(sheet: str, cell: str) -> str:
    """The location before a message: 工作表!单元格：, or the sheet (a file) alone when there is no cell."""
    if sheet and cell:
        return f"{sheet}!{cell}："
    return f"“{sheet}”：" if sheet else ""


def _error(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return EXIT_UNREADABLE


def cmd_import(args) -> int:
    from ..io.atomic import FileLockedError

    try:
        return run_import(args)
    except ImportFailed as exc:
        return _error(str(exc))
    except TemplateError as exc:
        return _error(f"{_where(exc.sheet, exc.cell)}{exc.message}")
    except FileLockedError as exc:
        return _error(str(exc))
    except OSError as exc:
        from ..io.atomic import describe_os_error

        return _error(describe_os_error(exc))


def run_import(args) -> int:
    from ..core import schema
    from ..core.book import normalise, read
    from ..io.snapshot import UnreadableFile, read_snapshot
    from .book import WHOLE, attach_survey
    from .importer import import_rows, read_export

    book_path = Path(args.book)
    try:
        snapshot = read_snapshot(book_path)
    except UnreadableFile as exc:
        raise ImportFailed(f"{_where(exc.sheet, exc.cell)}{exc}") from exc
    book, _ = normalise(read(snapshot)[0])
    book, data, _ = attach_survey(book)
    code = args.class_code.strip()
    survey_class = data.classes.get(code)
    if survey_class is None:
        known = "、".join(data.classes) or "（无）"
        raise ImportFailed(f"工作簿的“问卷类别”中没有类别“{code}”；已有：{known}")
    if not survey_class.questions:
        raise ImportFailed(f"工作簿的“问卷题目”中没有{survey_class.title}的题目；请先填写题目和选项")
    if code in data.broken:
        message, ref = data.broken[code]
        raise ImportFailed(f"{_where(ref.sheet, ref.cell)}{message}" if ref else message)

    export_path = Path(args.export)
    if not export_path.exists():
        from ..io.files import display_path

        raise ImportFailed(f"找不到导出文件“{display_path(export_path)}”")
    sheet, rows = read_export(export_path, args.sheet)
    units: dict[str, str] = {}
    for unit in book.units:
        units[unit.full_name] = unit.short_name
        units[unit.short_name] = unit.short_name
    whole = book.shape == schema.SHAPE_WHOLE
    result = import_rows(rows, survey_class, sheet=sheet, unit_column=args.unit_column, units=units,
                         default_unit=WHOLE if whole else None)
    _report(result, export_path)
    silent = [u for u in result.tally.units if not result.tally.valid.get(u)]
    if silent:
        print(f"  没有答卷的单位（不写入其列）：{'、'.join(silent)}")
    if not result.responses:
        raise ImportFailed("导出文件中没有可计入的答卷，工作簿未修改")
    if args.dry_run:
        print("（--dry-run：未写入工作簿）")
        return EXIT_FINDINGS if result.findings.errors else EXIT_OK
    inspection = getattr(snapshot, "inspection", None)
    drawings = list(getattr(inspection, "drawings", None) or [])
    _write(book_path, result, write_answers=not args.no_answers, units=units, drawings=drawings)
    return EXIT_FINDINGS if result.findings.errors else EXIT_OK


def _report(result: ImportResult, export_path: Path) -> None:
    tally = result.tally
    cls = result.survey_class
    print(f"导入：{export_path.name}（工作表“{result.sheet}”）→ {cls.title}，共 {len(result.responses)} 份答卷")
    per_unit = "、".join(f"{u} {tally.valid.get(u, 0)}" for u in tally.units)
    print(f"  各单位答卷数：{per_unit}")
    _print_findings("未计入的答案和答卷", result.findings.errors)
    _print_findings("提示", result.findings.warnings)


def _print_findings(title: str, items) -> None:
    items = list(items)
    if not items:
        return
    print(f"{title} {len(items)} 项：")
    for f in items:
        print(f"  {_where(f.sheet, f.cell)}{f.message}")


def _answered(tally: Tally) -> Tally:
    """The tally without the units that have no respondent (their columns stay blank, not 0)."""
    from .model import Tally

    keep = [u for u in tally.units if tally.valid.get(u)]
    wanted = set(keep)
    return Tally(tally.class_code, units=keep, sheet=tally.sheet,
                 counts={k: v for k, v in tally.counts.items() if k[2] in wanted},
                 valid={u: tally.valid[u] for u in keep})


def _write(book_path: Path, result: ImportResult, *, write_answers: bool, units: dict[str, str],
           drawings: Sequence[str] = ()) -> None:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    from ..core import schema
    from ..io.atomic import check_not_locked, write_bytes_atomic
    from ..io.preserve import restore_cached_values
    from ..io.xlsx_transplant import SpliceError, transplant
    from ..io.targets import backup_path
    from .workbook import answer_rows, count_rows, question_header_key, unit_header_key, write_class_rows

    check_not_locked(book_path)
    cls = result.survey_class
    written = []
    try:  # a workbook the reader accepted but openpyxl cannot edit: said in Chinese, nothing written
        workbook = load_workbook(book_path, keep_vba=book_path.suffix.lower() == ".xlsm", rich_text=True)
        first, last = write_class_rows(workbook, schema.SURVEY_COUNTS, cls.code,
                                       count_rows(cls, _answered(result.tally)), unit_header_key(units),
                                       before=schema.SATISFACTION.name)
        written.append(f"“{schema.SURVEY_COUNTS.name}”第 {first}–{last} 行")
        if write_answers:
            first, last = write_class_rows(workbook, schema.SURVEY_ANSWERS, cls.code,
                                           answer_rows(cls, result.responses), question_header_key,
                                           before=schema.SATISFACTION.name)
            written.append(f"“{schema.SURVEY_ANSWERS.name}”第 {first}–{last} 行")
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, zipfile.BadZipFile, InvalidFileException) as exc:
        from ..io.files import display_name

        raise ImportFailed(f"无法写入工作簿“{display_name(book_path)}”：其结构异常（文件已损坏，或由其他程序生成），"
                           "工作簿未修改；请在 Excel 或 WPS 中打开并另存后再导入") from exc
    backup = backup_path(book_path)
    n = 1
    while backup.exists():  # two imports within one second: keep the earlier backup
        n += 1
        backup = backup.with_name(f"{backup_path(book_path).stem}-{n}{book_path.suffix}")
    shutil.copy2(book_path, backup)
    buffer = io.BytesIO()
    workbook.save(buffer)
    try:  # only the two questionnaire sheets change; every other part of the file stays as it was
        data = transplant(backup.read_bytes(), buffer.getvalue(), [schema.SURVEY_COUNTS.name, schema.SURVEY_ANSWERS.name])
    except SpliceError:
        data = restore_cached_values(backup, buffer.getvalue())
        if drawings:
            print(f"注意：工作表{'、'.join(f'“{d}”' for d in drawings)}含有图片、图表或形状，写回工作簿时这些对象已丢失；"
                  "原文件的备份中仍保留")
    write_bytes_atomic(book_path, lambda handle: handle.write(data))
    print(f"已写入 {book_path.name}：{cls.title}，{'；'.join(written)}")
    print(f"原文件已备份为：{backup.name}")

