"""Import a survey-platform export (问卷星 and the like): one row per respondent.

The core, :func:`import_rows`, is a pure function over the sheet's rows (what python-calamine
or openpyxl return); :func:`read_export` / :func:`import_file` only read the file.

What is matched, and how
------------------------
* **Header row** (first row by default).  Metadata columns (序号, 提交答卷时间, 所用时间, 来源,
  来源详情, 来自IP) are ignored.  A question column is titled ``1、您对…？``, ``1.您对…``,
  ``1．…``, ``1:…``, ``Q1…`` or ``第1题…``.  It is matched to the class's question whose text is
  the same after normalisation (NFKC, white space removed, trailing ``?:.。`` dropped),
  whatever its number; a header that is only a number (``1``, ``Q1``) is matched by number.
  A numbered header whose text differs from that question is **not** matched (a finding
  says so); pass ``columns={number: header or column index}`` to map it explicitly.
* **Unit column**: ``unit_column`` (header text, with or without its number, or a zero-based
  column index); by default a column headed 单位 / 单位简称 / 单位名称 / 所在单位 / 所属单位.
  With ``units`` (short names, or a mapping of every accepted spelling → short name, e.g.
  full names from 单位名单) a value matching none of them is reported and the row left out.
* **Answers**: an option's text, its label (``A``) or its number (``1`` for the first option).
  Still matched after normalisation: spaces anywhere, full-width characters (NFKC: ``Ａ．``,
  ``（A）``), and a leading ``A.`` / ``A、`` / ``A．`` / ``(A)`` / ``A `` (or ``1、`` …) before
  the option text — the letter or number must then be that option's.  Nothing else is
  guessed: every other answer is reported with its sheet and cell and not counted.
  A blank answer is reported as a warning (the question's counts then fall short of the
  unit's questionnaires, which :func:`~perfeval_xl.survey.tally.check_tally` reports too).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

from ..core.findings import Findings, Ref, TemplateError, cell_name, column_letter
from ..core.normalize import RECALC_HINT, ExcelErrorValue, UncachedFormula, clean_text
from .model import Question, Response, SurveyClass, Tally, tally_responses

METADATA_HEADERS = ("序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP")
UNIT_HEADERS = ("单位", "单位简称", "单位名称", "所在单位", "所属单位", "街道", "所在街道", "乡镇", "所在乡镇",
                "社区", "所在社区")
#: what survey platforms write for a question the respondent skipped (by logic or by choice)
SKIPPED_MARKERS = ("(跳过)", "（跳过）", "跳过", "(空)", "（空）")

_HEADER_RE = re.compile(r"^(?:Q|q|第)?(\d+)(?:题)?(?:[、.:)]+(.*))?$")
_MARKER_RE = re.compile(r"^(?:\(([A-Za-z]|\d+)\)|([A-Za-z]|\d+)[.、])(.*)$")
_SPACED_MARKER_RE = re.compile(r"^([A-Za-z]|\d+)\s+(\S.*)$")
_TRAILING = "?:.。!"


#: an answer is quoted in a message up to this many characters (a pasted essay is not echoed whole)
SHOWN_CHARS = 60


def shown(text: str) -> str:
    """Text quoted in a message: cut after :data:`SHOWN_CHARS` characters, saying how long it was."""
    return text if len(text) <= SHOWN_CHARS else f"{text[:SHOWN_CHARS]}……（共 {len(text):,} 个字符）"


def fold(value: object) -> str:
    """NFKC, white space removed: the form in which texts are compared."""
    if type(value) is str:
        return _fold_text(value)
    text = unicodedata.normalize("NFKC", clean_text(value))
    return "".join(text.split())


@lru_cache(maxsize=8192)
def _fold_text(value: str) -> str:
    """:func:`fold` of a text, remembered: labels, headers and options are folded again and again."""
    return "".join(unicodedata.normalize("NFKC", clean_text(value)).split())


def _question_key(text: str) -> str:
    return fold(text).rstrip(_TRAILING)


@dataclass
class ImportResult:
    survey_class: SurveyClass
    sheet: str
    responses: list[Response]
    tally: Tally
    findings: Findings
    #: question number → zero-based column of the export
    columns: dict[int, int] = field(default_factory=dict)
    unit_column: int | None = None


class OptionMatcher:
    """Maps an answer as written to an option label of one question, or None."""

    def __init__(self, question: Question) -> None:
        self.question = question
        self.by_text: dict[str, str] = {}
        self.by_mark: dict[str, str] = {}
        for pos, opt in enumerate(question.options, 1):
            self.by_text.setdefault(fold(opt.text), opt.label)
            self.by_mark.setdefault(fold(opt.label), opt.label)
            self.by_mark.setdefault(str(pos), opt.label)

    def match(self, value: object) -> str | None:
        raw = unicodedata.normalize("NFKC", clean_text(value)).strip()
        text = fold(raw)
        if text in self.by_text:
            return self.by_text[text]
        if text in self.by_mark:
            return self.by_mark[text]
        for mark, rest in self._split(raw, text):
            if not rest:
                return self.by_mark.get(mark)
            label = self.by_text.get(rest)
            if label is not None and self.by_mark.get(mark) == label:
                return label
        return None

    @staticmethod
    def _split(raw: str, text: str):
        m = _MARKER_RE.match(text)
        if m:
            yield (m.group(1) or m.group(2)), m.group(3)
        m = _SPACED_MARKER_RE.match(raw)
        if m:
            yield m.group(1), fold(m.group(2))

    def describe(self) -> str:
        return "、".join(f"{o.label} {o.text}".strip() for o in self.question.options)


def _find_unit_column(headers: list[str], unit_column: str | int | None, sheet: str, header_row: int) -> int:
    if isinstance(unit_column, int):
        if not 0 <= unit_column < len(headers):
            raise TemplateError(sheet, cell_name(header_row, 0), f"单位列的列号 {unit_column} 超出表头范围")
        return unit_column
    wanted = [_question_key(unit_column)] if unit_column else [fold(h) for h in UNIT_HEADERS]
    for col, header in enumerate(headers):
        key = _question_key(header)
        m = _HEADER_RE.match(key)
        bare = _question_key(m.group(2) or "") if m else None
        if key in wanted or (bare and bare in wanted):
            return col
    if not unit_column:  # a question asking for the unit: 您所在的乡镇 / 您所在的街道办事处是？
        for col, header in enumerate(headers):
            if re.search(r"(所在|所属)的?(单位|街道|乡镇|社区)", header):
                return col
    what = f"“{unit_column}”" if unit_column else "（" + " / ".join(UNIT_HEADERS) + "）"
    raise TemplateError(sheet, cell_name(header_row, 0), f"导出文件表头中找不到单位列{what}；请用 --unit-column 指定填写单位的列（写表头文字）")


def _unit_lookup(units: Mapping[str, str] | Sequence[str] | None) -> tuple[dict[str, str] | None, list[str]]:
    if units is None:
        return None, []
    pairs = list(units.items()) if isinstance(units, Mapping) else [(u, u) for u in units]
    lookup: dict[str, str] = {}
    order: list[str] = []
    for spelling, short in pairs:
        lookup[fold(spelling)] = short
        lookup.setdefault(fold(short), short)
        if short not in order:
            order.append(short)
    return lookup, order


def import_rows(
    rows: Sequence[Sequence[object]],
    survey_class: SurveyClass,
    *,
    sheet: str = "Sheet1",
    unit_column: str | int | None = None,
    units: Mapping[str, str] | Sequence[str] | None = None,
    columns: Mapping[int, str | int] | None = None,
    header_row: int = 0,
    default_unit: str | None = None,
) -> ImportResult:
    """Match an export's rows to ``survey_class`` and count them; see the module docstring.

    ``default_unit``: when the export has no unit column (and none is named), every
    respondent is counted under this name (an evaluation scored as a whole).
    """
    findings = Findings()
    if len(rows) <= header_row:
        raise TemplateError(sheet, cell_name(header_row, 0), "导出文件没有表头行")
    headers = [clean_text(v) for v in rows[header_row]]
    try:
        unit_col: int | None = _find_unit_column(headers, unit_column, sheet, header_row)
    except TemplateError:
        if default_unit is None or unit_column is not None:
            raise
        unit_col = None
    title = survey_class.title

    # -- question columns
    matched: dict[int, int] = {}
    by_key: dict[str, int] = {}
    for q in survey_class.questions:
        by_key.setdefault(_question_key(q.text), q.number)
    numbers = {q.number for q in survey_class.questions}
    explicit_cols: set[int] = set()
    for number, spec in (columns or {}).items():
        if number not in numbers:
            raise TemplateError(sheet, "", f"{title}没有第{number}题，无法指定其列")
        if isinstance(spec, int):
            col = spec
        else:
            hits = [c for c, h in enumerate(headers) if fold(h) == fold(spec)]
            if not hits:
                raise TemplateError(sheet, cell_name(header_row, 0), f"导出文件表头中找不到“{spec}”（第{number}题）")
            col = hits[0]
        matched[number] = col
        explicit_cols.add(col)
    metadata = {fold(h) for h in METADATA_HEADERS}
    for col, header in enumerate(headers):
        if col == unit_col or col in explicit_cols or not header:
            continue
        key = _question_key(header)
        if key in metadata:
            continue
        where = Ref(sheet, header_row, col)
        m = _HEADER_RE.match(key)
        number_in_header = int(m.group(1)) if m else None
        text_key = _question_key(m.group(2) or "") if m else key
        target = by_key.get(text_key) if text_key else None
        if target is None and m and not text_key and number_in_header in numbers:
            target = number_in_header
        if target is None:
            if m and number_in_header in numbers:
                q = survey_class.question(number_in_header)
                findings.error(where, f"列“{header}”的题目文字与{title}第{q.number}题“{q.text}”不同，未导入；"
                                      f"如确为该题，请指定列对应关系")
            else:
                findings.warning(where, f"列“{header}”不是{title}的题目，也不是问卷平台的信息列，已忽略")
            continue
        if target in matched:
            findings.error(where, f"列“{header}”与 {column_letter(matched[target])} 列都对应{title}第{target}题，"
                                  f"只导入 {column_letter(matched[target])} 列")
            continue
        matched[target] = col
    for q in survey_class.questions:
        if q.number not in matched:
            findings.error((sheet, cell_name(header_row, 0)), f"导出文件中没有{title}第{q.number}题“{q.text}”的列")
    if not matched:
        raise TemplateError(sheet, cell_name(header_row, 0), f"导出文件中没有任何一列能对应{title}的题目")

    # -- respondents
    lookup, order = _unit_lookup(units)
    if unit_col is None:
        lookup, order = None, []
    matchers = {n: OptionMatcher(survey_class.question(n)) for n in matched}
    responses: list[Response] = []
    serial_col = next((c for c, h in enumerate(headers) if fold(h) == "序号"), None)
    seen_serials: dict[str, int] = {}
    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        if all(clean_text(v) == "" for v in row):
            continue

        def cell(col: int) -> object:
            return row[col] if col < len(row) else None

        if serial_col is not None and clean_text(cell(serial_col)):
            serial = clean_text(cell(serial_col))
            if serial in seen_serials:  # the same export appended twice, or rows copied: never counted twice
                findings.error(Ref(sheet, r, serial_col),
                               f"第{r + 1}行的序号“{shown(serial)}”与第{seen_serials[serial] + 1}行重复（同一份答卷出现两次，"
                               "可能是同一导出文件被合并了两次），该行未计入；请核对导出文件")
                continue
            seen_serials[serial] = r

        if unit_col is None:
            assert default_unit is not None, "no unit column is accepted only with a default unit (above)"
            unit = default_unit
            if unit not in order:
                order.append(unit)
        else:
            unit_value = clean_text(cell(unit_col))
            unit_ref = Ref(sheet, r, unit_col)
            if not unit_value:
                findings.error(unit_ref, f"第{r + 1}行没有填写单位，该份答卷未计入")
                continue
            if lookup is not None:
                listed = lookup.get(fold(unit_value))
                if listed is None:
                    findings.error(unit_ref, f"第{r + 1}行的单位“{shown(unit_value)}”不在单位名单中，该份答卷未计入")
                    continue
                unit = listed
            else:
                unit = unit_value
                if unit not in order:
                    order.append(unit)
        answers: dict[int, str] = {}
        for number, col in sorted(matched.items()):
            value = cell(col)
            where = Ref(sheet, r, col)
            if isinstance(value, UncachedFormula):
                findings.error(where, f"第{r + 1}行（{unit}）第{number}题的答案是公式（{shown(str(value))}），"
                                      f"文件中没有保存计算结果，未计入；{RECALC_HINT}")
                continue
            if isinstance(value, ExcelErrorValue):
                findings.error(where, f"第{r + 1}行（{unit}）第{number}题的答案是 Excel 错误值 {value}，未计入")
                continue
            if clean_text(value) == "" or clean_text(value).replace(" ", "") in SKIPPED_MARKERS:
                findings.warning(where, f"第{r + 1}行（{unit}）第{number}题未作答")
                continue
            label = matchers[number].match(value)
            if label is None:
                findings.error(where, f"第{r + 1}行（{unit}）第{number}题的答案“{shown(clean_text(value))}”与任何选项都不匹配"
                                      f"（选项：{matchers[number].describe()}），未计入")
                continue
            answers[number] = label
        responses.append(Response(unit, answers, r, sheet))

    tally = tally_responses(survey_class, responses, order, sheet=sheet)
    return ImportResult(survey_class, sheet, responses, tally, findings, dict(sorted(matched.items())), unit_col)


def read_export(path: str | Path, sheet: str | None = None) -> tuple[str, list[list[object]]]:
    """The rows of an export file (.xlsx / .xls / .ods via python-calamine, or .csv); first sheet by default.
    A formula cell saved without its result, or holding an Excel error, arrives as
    :class:`~perfeval_xl.core.normalize.UncachedFormula` / :class:`~perfeval_xl.core.normalize.ExcelErrorValue`."""
    from ..io.files import InputFileError, check_input_file, display_name

    path = Path(path)
    try:
        check_input_file(path)  # a regular file within the size limit: never a pipe or a device
    except InputFileError as exc:
        raise TemplateError("", "", str(exc)) from exc  # the message names the file
    if path.suffix.lower() == ".csv":
        return path.stem, _csv_rows(path.read_bytes(), display_name(path))
    from ..io.guard import HostileFile, inspect_workbook
    from ..io.snapshot import _mark_special_cells, _open_calamine

    try:  # a file from outside: zip bombs, XML entity attacks and absurd sheets are refused first
        inspection = inspect_workbook(path, {sheet} if sheet else None)
    except HostileFile as exc:
        raise TemplateError(exc.sheet, exc.cell, exc.message) from exc  # the message names the file
    try:
        book = _open_calamine(path)
        names = book.sheet_names
    except Exception as exc:  # calamine raises several error types for unreadable files
        raise TemplateError(display_name(path), "", "无法读取导出文件：文件已损坏，或不是 Excel、WPS 或 CSV 文件；"
                            "请在问卷平台重新导出后再试") from exc
    if not names:
        raise TemplateError(display_name(path), "", "导出文件没有工作表")
    name = sheet or names[0]
    if name not in names:
        raise TemplateError(display_name(path), "", f"导出文件中没有工作表“{name}”；有：{'、'.join(names)}")
    # skip_empty_area=False keeps row and column numbers equal to the sheet's, so cells are named right
    try:
        rows: list[list[object]] = [list(r) for r in book.get_sheet_by_name(name).to_python(skip_empty_area=False)]
    except Exception as exc:
        raise TemplateError(name, "A1", "无法读取导出文件的这张工作表：文件已损坏；请在问卷平台重新导出后再试") from exc
    scan = inspection.sheets.get(name)
    if scan is not None:
        _mark_special_cells(rows, scan)
    return name, rows


def _csv_rows(raw: bytes, name: str) -> list[list[object]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise TemplateError(name, "", "无法识别 CSV 文件的编码")
    import io

    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))  # a long answer is one field, however long (the file is bounded)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return [list(r) for r in reader]
    except csv.Error as exc:
        raise TemplateError(name, "", f"CSV 文件格式有误（第 {reader.line_num} 行附近）；"
                            "请在问卷平台重新导出后再试") from exc
    finally:
        csv.field_size_limit(limit)


def import_file(path: str | Path, survey_class: SurveyClass, *, sheet: str | None = None, **kwargs) -> ImportResult:
    """:func:`read_export` then :func:`import_rows`."""
    name, rows = read_export(path, sheet)
    return import_rows(rows, survey_class, sheet=name, **kwargs)
