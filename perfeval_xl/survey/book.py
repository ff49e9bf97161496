"""The questionnaire sheets of an evaluation workbook, read into classes, tallies and answers.

Sheets (declared in :mod:`perfeval_xl.core.schema`): 问卷类别 (classes and weights), 问卷题目
(questions), 问卷选项 (options and score rates), 问卷计数 (counts, annex 5-1 layout: one row per
question × option, one column per unit) and 问卷答卷 (one row per respondent, one column per
question).  The typed rates of the 满意度 sheet are cross-checked against the counts.

问卷计数 and 问卷答卷 have columns the schema cannot declare (one per unit, one per question):
the reader keeps every header text and each record's raw row, and :func:`read_survey` reads those
columns from them, matching each header to a unit of 单位名单 (short or full name) or to a question
number (``第1题``, ``1``, ``Q1``).  :func:`attach` is the pipeline stage that puts the result on the
book (:attr:`~perfeval_xl.core.book.Book.survey`).

Every problem becomes a finding with its sheet and cell; nothing raises.  A class whose
definition is unusable (an option without a score rate, say) is marked *broken*: its
satisfaction then fails with that message instead of being computed from a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Mapping, Sequence

from ..core import schema
from ..core.book import Book, Record
from ..core.environment import Env
from ..core.findings import Findings, Ref
from ..core.measures import MeasureError
from ..core.normalize import CellValueError, KIND_HINTS, clean_text, is_blank, parse_cell
from ..core.numbers import fmt_percent, round_rate
from .importer import OptionMatcher, fold
from .model import PER_ANSWER, PER_RESPONDENT, Option, Question, Response, SurveyClass, Tally, tally_responses
from .tally import SKIP, ZERO_SCORE, RateResult, check_classes, check_tally, class_rate
from .tally import composite_rate as _composite_rate
from .tally import question_rate as _question_rate

#: the tally "unit" of counts not split by unit (the 合计 column when no unit column exists)
WHOLE = "项目整体"
#: the 选项 value of the row that holds each unit's valid questionnaires
VALID_LABEL = "有效问卷数"
#: 项目信息 未作答题目 → the tally policy
UNANSWERED = {"不计入": SKIP, "按0分计入": ZERO_SCORE}
#: headers of 问卷计数 that are neither declared columns nor units, and are ignored silently
#: (a pasted annex 5-1 brings 序号 / 问题 / 总计 / 占比)
IGNORED_HEADERS = frozenset(fold(h) for h in ("序号", "问题", "总计", "占比", "备注", "得分率"))
_QUESTION_HEADER = re.compile(r"^(?:第|Q|q)?(\d+)(?:题)?$")
#: rates that differ by more than this are reported (0.01 %)
TOLERANCE = Decimal("0.0001")


@dataclass
class SurveyData:
    """What the questionnaire sheets hold, and the measures over it."""

    classes: dict[str, SurveyClass] = field(default_factory=dict)
    tallies: dict[str, Tally] = field(default_factory=dict)
    responses: dict[str, list[Response]] = field(default_factory=dict)
    method: str = PER_ANSWER
    unanswered: str = SKIP
    #: class code → (why its data cannot be used, where)
    broken: dict[str, tuple[str, Ref | None]] = field(default_factory=dict)

    # -- what is there -------------------------------------------------------
    def has_data(self, code: str, unit: str | None = None) -> bool:
        """Counts (or answers) of class ``code`` for ``unit`` (None: any unit)."""
        tally = self.tallies.get(code)
        if tally is None:
            return False
        return unit is None or unit in tally.units

    @property
    def codes(self) -> list[str]:
        """Classes with counts, in 问卷类别 order."""
        return [c for c in self.classes if c in self.tallies]

    def units(self) -> list[str]:
        """Every unit that has counts in some class (column order)."""
        seen: list[str] = []
        for code in self.codes:
            for unit in self.tallies[code].units:
                if unit not in seen:
                    seen.append(unit)
        return seen

    @property
    def method_text(self) -> str:
        return self.method + ("，未作答按0分计入" if self.unanswered == ZERO_SCORE else "")

    # -- measures ------------------------------------------------------------
    def _usable(self, code: str) -> SurveyClass:
        if code not in self.classes:
            raise MeasureError(f"问卷类别中没有“{code}”")
        if code in self.broken:
            raise MeasureError(self.broken[code][0])
        return self.classes[code]

    def rate(self, code: str, unit: str | None = None) -> RateResult:
        """Class ``code`` satisfaction in ``unit`` (None: over all units), by the book's method."""
        survey_class = self._usable(code)
        tally = self.tallies.get(code)
        if tally is None:
            raise MeasureError(f"{survey_class.title}没有问卷计数")
        if unit is not None and unit not in tally.units:
            raise MeasureError(f"{survey_class.title}的问卷计数中没有{unit}")
        return class_rate(survey_class, tally, unit, method=self.method,
                          responses=self.responses.get(code), unanswered=self.unanswered)

    def question_rate(self, code: str, number: int, unit: str | None = None) -> RateResult:
        survey_class = self._usable(code)
        tally = self.tallies.get(code)
        if tally is None:
            raise MeasureError(f"{survey_class.title}没有问卷计数")
        try:
            survey_class.question(number)
        except KeyError:
            raise MeasureError(f"{survey_class.title}没有第{number}题") from None
        if unit is not None and unit not in tally.units:
            raise MeasureError(f"{survey_class.title}的问卷计数中没有{unit}")
        return _question_rate(survey_class, tally, number, unit)

    def composite(self, unit: str | None = None) -> RateResult:
        parts = [(self.classes[c], self.rate(c, unit)) for c in self.classes]
        if not parts:
            raise MeasureError("综合满意度无法计算：没有问卷类别")
        return _composite_rate(parts)

    def valid(self, code: str, unit: str | None = None) -> int | None:
        tally = self.tallies.get(code)
        if tally is None or (unit is not None and unit not in tally.units):
            return None
        return tally.valid_count(unit)


# ---------------------------------------------------------------------------
# attaching to a book


def attach(book: Book, env: Env | None = None) -> tuple[Book, Findings]:
    """Stage 3: the questionnaire sheets read into :class:`SurveyData`, kept on the book."""
    findings = Findings()
    data = read_survey(book, findings)
    return replace(book, survey=data), findings


def attach_survey(book: Book) -> tuple[Book, SurveyData, Findings]:
    """:func:`attach` for callers that want the data itself (``perfeval survey import``)."""
    attached, findings = attach(book)
    return attached, attached.survey, findings


def survey_of(book: Book) -> SurveyData | None:
    """The questionnaire data attached by :func:`attach`, or None (typed rates only)."""
    return book.survey


#: counts below this are read without the general parser (far below the magnitude limit parse_cell checks)
_PLAIN_COUNT = 10 ** 15


def _rows_of(book: Book, sheet: schema.TableSheet) -> tuple[int, list[str], dict[int, Sequence[object]]]:
    """The header row, header texts and raw data rows (by row index) of ``sheet`` as read."""
    table = book.table(sheet)
    return table.header_row, list(table.headers), {rec.row: rec.raw for rec in table.records}


def _cell(rows: Mapping[int, Sequence[object]], r: int, c: int) -> object:
    row = rows.get(r, ())
    return row[c] if c < len(row) else None


def _text(record: Record, key: str) -> str:
    value = record.values.get(key)
    if type(value) is str:  # what clean_text gives for a text, without the call
        return value.replace("\u3000", " ").strip()
    return "" if value is None else clean_text(value)


def _number(record: Record, key: str) -> int | None:
    value = record.get(key)
    return None if value is None else int(value)


@dataclass
class _CountRow:
    code: str
    number: int
    label: str
    question: str
    text: str
    counts: dict[str, int]
    refs: dict[str, Ref]
    record: Record


def read_survey(book: Book, findings: Findings | None = None) -> SurveyData:
    """The questionnaire sheets of ``book``; problems go to ``findings``."""
    findings = findings if findings is not None else Findings()
    reader = _Reader(book, findings)
    return reader.read()


class _Reader:
    def __init__(self, book: Book, findings: Findings):
        self.book = book
        self.findings = findings
        self.data = SurveyData(
            method=str(book.info.get("survey_method") or PER_ANSWER),
            unanswered=UNANSWERED.get(str(book.info.get("survey_unanswered") or "不计入"), SKIP),
        )
        by_name: dict[str, str] = {}
        for unit in book.units:
            by_name[fold(unit.full_name)] = unit.short_name
            by_name[fold(unit.short_name)] = unit.short_name
        self.unit_names = by_name
        self.class_rows: dict[str, Record] = {}
        self.unknown_reported: set[tuple[str, str]] = set()

    # -- the pieces ------------------------------------------------------------
    def read(self) -> SurveyData:
        self._read_classes()
        questions = self._read_questions()
        options = self._read_options()
        counts, valid = self._read_counts()
        self._build_classes(questions, options, counts)
        self._build_tallies(counts, valid)
        self._read_answers()
        self._check()
        return self.data

    def _known(self, code: str, ref: Ref, sheet: str) -> bool:
        if code in self.class_rows:
            return True
        if (sheet, code) not in self.unknown_reported:
            self.unknown_reported.add((sheet, code))
            self.findings.error(ref, f"“{sheet}”中的类别代码“{code}”不在“问卷类别”中；请先在“问卷类别”填写该类别")
        return False

    def _read_classes(self) -> None:
        for rec in self.book.rows(schema.SURVEY_CLASSES):
            code = _text(rec, "code")
            if not code:
                continue
            if code in self.class_rows:
                self.findings.error(rec.ref("code"), f"问卷类别代码“{code}”重复（首次出现在 {self.class_rows[code].ref('code').cell}）")
                continue
            self.class_rows[code] = rec

    def _read_questions(self) -> dict[str, dict[int, tuple[str, bool, Ref]]]:
        out: dict[str, dict[int, tuple[str, bool, Ref]]] = {}
        for rec in self.book.rows(schema.SURVEY_QUESTIONS):
            code = _text(rec, "class_code")
            number = _number(rec, "number")
            if not code or code not in self.class_rows and not self._known(code, rec.ref("class_code"),
                                                                          schema.SURVEY_QUESTIONS.name):
                continue
            if number is None:
                self.findings.error(rec.ref("number"), f"{code}类的题目没有题号")
                continue
            own = out.setdefault(code, {})
            if number in own:
                self.findings.error(rec.ref("number"), f"{code}类第{number}题重复（首次出现在 {own[number][2].cell}）")
                continue
            own[number] = (_text(rec, "text"), rec.get("counted") != "否", rec.ref("number"))
        return out

    def _read_options(self) -> dict[str, dict[int | None, list[tuple[str, str, Decimal | None, Ref]]]]:
        out: dict[str, dict[int | None, list[tuple[str, str, Decimal | None, Ref]]]] = {}
        for rec in self.book.rows(schema.SURVEY_OPTIONS):
            code = _text(rec, "class_code")
            label = _text(rec, "label")
            if not code or code not in self.class_rows and not self._known(code, rec.ref("class_code"),
                                                                          schema.SURVEY_OPTIONS.name):
                continue
            number = _number(rec, "number")
            if not label:
                self.findings.error(rec.ref("label"), f"{code}类的选项没有填写选项代码（如 A）")
                continue
            group = out.setdefault(code, {}).setdefault(number, [])
            if any(fold(lab) == fold(label) for lab, *_ in group):
                where = f"第{number}题" if number is not None else "通用"
                self.findings.error(rec.ref("label"), f"{code}类{where}选项“{label}”重复")
                continue
            rate = rec.get("rate")
            ref = rec.ref("rate") if rate is not None else rec.ref("label")
            group.append((label, _text(rec, "text"), rate, ref))
        return out

    def _read_counts(self) -> tuple[list[_CountRow], dict[str, dict[str, tuple[int, Ref]]]]:
        sheet = schema.SURVEY_COUNTS
        records = self.book.rows(sheet)
        counts: list[_CountRow] = []
        valid: dict[str, dict[str, tuple[int, Ref]]] = {}
        if not records:
            return counts, valid
        header_row, headers, rows = _rows_of(self.book, sheet)
        unit_cols = self._unit_columns(rows, header_row, headers)
        sheet_name, new_tuple = sheet.name, tuple.__new__
        unit_items = list(unit_cols.items())
        # first pass: every row with its non-blank unit cells
        raw: list[tuple[str, int | None, str, Record, dict[str, int], dict[str, Ref]]] = []
        seen: dict[tuple[str, int, str], Ref] = {}
        last_code, last_number = None, None
        for rec in records:
            code = _text(rec, "class_code")
            if code != last_code:
                last_code, last_number = code, None
            if not code or code not in self.class_rows and not self._known(code, rec.ref("class_code"), sheet.name):
                continue
            label = _text(rec, "label")
            per_unit: dict[str, int] = {}
            refs: dict[str, Ref] = {}
            row = rec.raw  # rows[rec.row]
            width = len(row)
            r = rec.row
            for col, unit in unit_items:
                cell = row[col] if col < width else None
                if cell is None:  # a blank cell (what _count gives for it, without the call)
                    continue
                value: int | None
                kind = type(cell)
                if kind is int and 0 <= cell < _PLAIN_COUNT:
                    value = cell
                elif kind is float and cell.is_integer() and 0 <= cell < _PLAIN_COUNT:
                    value = int(cell)  # what _count gives for it, without the call
                else:
                    value = self._count(rows, r, col, unit)
                if value is not None:
                    per_unit[unit] = value
                    refs[unit] = new_tuple(Ref, (sheet_name, r, col))  # Ref(...) without its __new__ frame
            if fold(label) == VALID_LABEL:
                raw.append((code, None, label, rec, per_unit, refs))
                continue
            number = _number(rec, "number")
            if number is None:
                number = last_number
            if number is None:
                self.findings.error(rec.ref("number"), f"{code}类的计数行没有题号")
                continue
            last_number = number
            if not label:
                self.findings.error(rec.ref("label"), f"{code}类第{number}题的计数行没有填写选项")
                continue
            key = (code, number, fold(label))
            if key in seen:
                self.findings.error(rec.ref("label"), f"{code}类第{number}题选项“{label}”的计数重复"
                                                      f"（首次出现在 {seen[key].cell}），只计第一行")
                continue
            seen[key] = rec.ref("label")
            raw.append((code, number, label, rec, per_unit, refs))
        # second pass: a class's units are the unit columns it fills; a class that fills none
        # is counted in the 合计 column (the project as a whole)
        order = list(unit_cols.values())
        for code in dict.fromkeys(item[0] for item in raw):
            mine = [item for item in raw if item[0] == code]
            used = {u for item in mine for u in item[4]}
            units = [u for u in order if u in used]
            for _, number, label, rec, per_unit, refs in mine:
                total = rec.get("total")
                if total is not None and (total < 0 or total != total.to_integral_value()):
                    self.findings.error(rec.ref("total"), f"“合计”应为不小于 0 的整数，填写的是 {total}")
                    total = None
                if units:
                    if total is not None and int(total) != sum(per_unit.values()):
                        detail = "+".join(str(per_unit.get(u, 0)) for u in units)
                        self.findings.error(rec.ref("total"), f"“合计”{int(total)} 与各单位人数之和 {detail}="
                                                              f"{sum(per_unit.values())} 不一致")
                    if number is not None and len(per_unit) != len(units):
                        # every unit of the class, a blank cell counted 0 (a row filling them all has them
                        # already, in this order: both follow the columns)
                        per_unit = {u: per_unit.get(u, 0) for u in units}
                elif total is not None:
                    per_unit, refs = {WHOLE: int(total)}, {WHOLE: rec.ref("total")}
                elif number is not None:
                    per_unit, refs = {WHOLE: 0}, {}
                if number is None:  # the 有效问卷数 row: only the cells filled in
                    own = valid.setdefault(code, {})
                    for unit, n in per_unit.items():
                        own[unit] = (n, refs[unit])
                    continue
                counts.append(_CountRow(code, number, label, _text(rec, "question"), _text(rec, "text"),
                                        per_unit, refs, rec))
        return counts, valid

    def _unit_columns(self, rows, header_row: int, headers: list[str]) -> dict[int, str]:
        sheet = schema.SURVEY_COUNTS
        declared = {fold(c.header) for c in sheet.columns}
        unit_cols: dict[int, str] = {}
        first_of: dict[str, int] = {}  # each unit's column (the first): a unit given twice found without a scan
        for col, header in enumerate(headers):
            key = fold(header)
            if not key or key in declared:
                continue
            unit = self.unit_names.get(key)
            if unit is None:
                if key not in IGNORED_HEADERS and any(not is_blank(_cell(rows, r, col))
                                                      for r in rows):
                    self.findings.warning(Ref(sheet.name, header_row, col),
                                          f"列“{header}”不是“单位名单”中的单位简称或全称，该列人数未计入")
                continue
            if unit in first_of:
                first = first_of[unit]
                self.findings.error(Ref(sheet.name, header_row, col),
                                    f"单位“{unit}”有两列人数（另一列在 {Ref(sheet.name, header_row, first).cell}），只计第一列")
                continue
            unit_cols[col] = unit
            first_of[unit] = col
        return unit_cols

    def _count(self, rows, r: int, col: int, unit: str) -> int | None:
        raw = _cell(rows, r, col)
        # a whole number as a cell holds it: what parse_cell gives, without its other forms to try (not a bool)
        if type(raw) is int or (type(raw) is float and raw.is_integer()):
            if 0 <= raw < _PLAIN_COUNT:
                return int(raw)
        ref = Ref(schema.SURVEY_COUNTS.name, r, col)
        try:
            value = parse_cell("integer", raw)
        except CellValueError as exc:
            self.findings.error(ref, f"{unit}的人数{exc}；应填写{KIND_HINTS['integer']}")
            return None
        if value is None:
            return None
        if value < 0:
            self.findings.error(ref, f"{unit}的人数 {value} 为负数")
            return None
        return int(value)

    # -- classes -----------------------------------------------------------------
    def _build_classes(self, questions, options, counts: list[_CountRow]) -> None:
        inferred: dict[str, dict[int, tuple[str, bool, Ref]]] = {}
        for row in counts:
            if row.code not in questions:
                inferred.setdefault(row.code, {}).setdefault(row.number, (row.question, True, row.record.ref("number")))
        # the options the count rows name, by class and question: made only for a question that has no
        # options in 问卷选项 (its options are then taken from the counts)
        count_options: dict[tuple[str, int], list[tuple[str, str, Ref]]] = {}

        def options_counted(code: str, number: int) -> list[tuple[str, str, Ref]]:
            if not count_options:
                for row in counts:
                    count_options.setdefault((row.code, row.number), []).append(
                        (row.label, row.text, row.record.ref("label")))
            return count_options.get((code, number), [])

        for code, rec in self.class_rows.items():
            name = _text(rec, "name")
            qdefs = questions.get(code) or inferred.get(code) or {}
            own_options = options.get(code, {})
            general = {fold(label): (label, text, rate, ref) for label, text, rate, ref in own_options.get(None, [])}
            built = []
            for number in sorted(qdefs):
                text, counted, qref = qdefs[number]
                specific = own_options.get(number)
                if specific:
                    rows = specific
                elif general:
                    rows = list(general.values())
                else:
                    rows = [(label, text_, None, ref) for label, text_, ref in options_counted(code, number)]
                opts = []
                for label, otext, rate, ref in rows:
                    fallback = general.get(fold(label))
                    if rate is None and fallback is not None:
                        rate = fallback[2]
                    if not otext and fallback is not None:
                        otext = fallback[1]
                    if rate is None:
                        message = (f"{code}类第{number}题选项“{label}”没有得分率：请在“问卷选项”填写"
                                   f"（题号留空的行适用于该类全部题目）")
                        self.findings.error(ref, message)
                        self.data.broken.setdefault(code, (f"{code}类的问卷选项缺少得分率，满意度无法计算", ref))
                        continue
                    opts.append(Option(label, otext, rate, ref))
                if not opts:
                    self.data.broken.setdefault(code, (f"{code}类第{number}题没有选项，满意度无法计算", qref))
                built.append(Question(number, text, tuple(opts), counted, qref))
            if code in inferred and code not in questions:
                self.findings.warning(inferred[code][min(inferred[code])][2],
                                      f"“问卷题目”中没有{code}类的题目，题目取自“问卷计数”（全部计入满意度）")
            self.data.classes[code] = SurveyClass(code, name, rec.get("weight"), tuple(built),
                                                  rec.ref("code"), rec.ref("weight"))

    # -- tallies -------------------------------------------------------------------
    def _typed_valid(self, code: str) -> dict[str | None, tuple[int, Ref]]:
        out: dict[str | None, tuple[int, Ref]] = {}
        for rec in self.book.rows(schema.SATISFACTION):
            if _text(rec, "class_code") == code and rec.get("valid") is not None:
                out.setdefault(rec.get("unit"), (int(rec.get("valid")), rec.ref("valid")))
        return out

    def _build_tallies(self, counts: list[_CountRow], valid: dict[str, dict[str, tuple[int, Ref]]]) -> None:
        sheet = schema.SURVEY_COUNTS.name
        for code, survey_class in self.data.classes.items():
            rows = [r for r in counts if r.code == code]
            if not rows and code not in valid:
                continue
            tally = Tally(code, sheet=sheet)
            for row in rows:
                tally.set_counts(row.number, self._label(survey_class, row.number, row.label), row.counts, row.refs)
            typed = self._typed_valid(code)
            declared = valid.get(code, {})
            inferred = []
            for unit in list(tally.units) + [u for u in declared if u not in tally.units]:
                if unit in declared:
                    n, ref = declared[unit]
                    tally.set_valid(unit, n, ref)
                    other = typed.get(None if unit == WHOLE else unit)
                    if other is not None and other[0] != n:
                        self.findings.warning(other[1], f"{survey_class.title} {unit}：“满意度”表的有效问卷数 {other[0]} "
                                                        f"与“问卷计数”的 {n} 不一致")
                elif (None if unit == WHOLE else unit) in typed:
                    n, ref = typed[None if unit == WHOLE else unit]
                    tally.set_valid(unit, n, ref)
                else:
                    most = max((tally.answers(q.number, unit) for q in survey_class.questions), default=0)
                    tally.set_valid(unit, most)
                    inferred.append(f"{unit} {most}")
            if inferred:
                self.findings.warning(rows[0].record.ref("label") if rows else (sheet, ""),
                                      f"{survey_class.title}未填写有效问卷数（“问卷计数”中选项为“{VALID_LABEL}”的行，"
                                      f"或“满意度”表），按各题人数的最大值推定：{'、'.join(inferred)}")
            self.data.tallies[code] = tally

    @staticmethod
    def _label(survey_class: SurveyClass, number: int, label: str) -> str:
        """The option label as the class spells it (counts may write ``Ａ`` or ``a``)."""
        try:
            question = survey_class.question(number)
        except KeyError:
            return label
        folded = fold(label)
        for opt in question.options:
            own = fold(opt.label)
            if own == folded or own.upper() == folded.upper():
                return opt.label
        return label

    # -- respondent-level answers ---------------------------------------------------
    def _read_answers(self) -> None:
        sheet = schema.SURVEY_ANSWERS
        records = self.book.rows(sheet)
        if not records:
            return
        header_row, headers, rows = _rows_of(self.book, sheet)
        qcols: dict[int, int] = {}
        for col, header in enumerate(headers):
            m = _QUESTION_HEADER.match(fold(header))
            if m:
                qcols[col] = int(m.group(1))
        if not qcols:
            self.findings.error(Ref(sheet.name, header_row, len(sheet.columns)),
                                "“问卷答卷”没有题目列：在“答卷编号”右边每题一列，表头写“第1题”“第2题”……")
            return
        matchers: dict[tuple[str, int], OptionMatcher] = {}
        reported: set[tuple[str, int]] = set()
        by_class: dict[str, list[Response]] = {}
        for rec in records:
            code = _text(rec, "class_code")
            if not code or code not in self.class_rows and not self._known(code, rec.ref("class_code"), sheet.name):
                continue
            survey_class = self.data.classes[code]
            unit = rec.get("unit") or WHOLE
            answers: dict[int, str] = {}
            for col, number in qcols.items():
                raw = _cell(rows, rec.row, col)
                if is_blank(raw):
                    continue
                ref = Ref(sheet.name, rec.row, col)
                key = (code, number)
                if key not in matchers:
                    try:
                        matchers[key] = OptionMatcher(survey_class.question(number))
                    except KeyError:
                        if key not in reported:
                            reported.add(key)
                            self.findings.error(ref, f"{survey_class.title}没有第{number}题，该列答案未计入")
                        continue
                label = matchers[key].match(raw)
                if label is None:
                    self.findings.error(ref, f"{survey_class.title}第{number}题的答案“{clean_text(raw)}”与任何选项都不匹配"
                                             f"（选项：{matchers[key].describe()}），未计入")
                    continue
                answers[number] = label
            by_class.setdefault(code, []).append(Response(unit, answers, rec.row, sheet.name))
        for code, responses in by_class.items():
            survey_class = self.data.classes[code]
            self.data.responses[code] = responses
            units = list(dict.fromkeys(r.unit for r in responses))
            from_answers = tally_responses(survey_class, responses, units, sheet=sheet.name)
            counted = self.data.tallies.get(code)
            if counted is None:
                self.data.tallies[code] = from_answers
                continue
            self._compare(survey_class, counted, from_answers)

    def _compare(self, survey_class: SurveyClass, counted: Tally, answers: Tally) -> None:
        for unit in answers.units:
            if unit not in counted.units:
                self.findings.error((schema.SURVEY_ANSWERS.name, ""),
                                    f"{survey_class.title}：“问卷答卷”有{unit}的答卷，“问卷计数”中没有{unit}")
                return
        for question in survey_class.questions:
            for opt in question.options:
                for unit in counted.units:
                    a, b = counted.count(question.number, opt.label, unit), answers.count(question.number, opt.label, unit)
                    if a != b:
                        self.findings.error(counted.ref(question.number, opt.label, unit) or (counted.sheet, ""),
                                            f"{survey_class.title}第{question.number}题选项{opt.label} {unit}："
                                            f"“问卷计数”为 {a}，“问卷答卷”统计为 {b}，两者应一致")
                        return

    # -- checks --------------------------------------------------------------------
    def _check(self) -> None:
        data = self.data
        classes = list(data.classes.values())
        self.findings.extend(check_classes(classes, schema.SURVEY_CLASSES.name))
        for code in data.codes:
            if code not in data.broken:  # the missing option is reported once, not once per count
                self.findings.extend(check_tally(data.classes[code], data.tallies[code]))
        # typed rates outside 0–100 % are reported by core.plausibility (one place for that check)
        typed = [r for r in self.book.rows(schema.SATISFACTION) if r.get("rate") is not None]
        if data.method == PER_RESPONDENT:
            for code in data.codes:
                if code not in data.responses:
                    self.findings.error(self.class_rows[code].ref("code"),
                                        f"满意度计算方法为“{PER_RESPONDENT}”，但{data.classes[code].title}只有“问卷计数”，"
                                        "没有逐份答卷（“问卷答卷”，可由 perfeval survey import 导入）")
        for rec in typed:
            code = _text(rec, "class_code")
            unit = rec.get("unit")
            if not data.has_data(code, unit) or code in data.broken:
                continue
            if data.method == PER_RESPONDENT and code not in data.responses:
                continue
            try:
                computed = data.rate(code, unit)
            except MeasureError:
                continue
            typed_rate = round_rate(rec.get("rate"))
            if abs(computed.value - typed_rate) > TOLERANCE:
                who = unit or "全部单位"
                self.findings.warning(rec.ref("rate"),
                                      f"{who}{data.classes[code].title}满意度：按问卷计数计算为 {fmt_percent(computed.value)}"
                                      f"（{data.method_text}），“满意度”表填写为 {fmt_percent(typed_rate)}，"
                                      f"相差 {fmt_percent(abs(computed.value - typed_rate))}；评分采用按问卷计数计算的结果")

