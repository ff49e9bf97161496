"""Finding self-evaluation forms (绩效自评表) on any sheet by their headers.

A form is anchored on its funds header row — 年初预算(数) with 全年预算数 / 调整后预算数 and
全年执行数 / 预算执行数 — wherever it stands; the project and unit are read from the rows above
it, the funds rows below it, then the indicator header (三级指标 … 得分) and the indicator rows
down to the 总分 / 合计 row.  Which layout a header is, and which words name which column, is the
registry's (:mod:`perfeval_xl.forms.layouts`); this module only walks the rows.  Nothing here knows an Excel library: rows are lists of cell
values as python-calamine gives them (a merged cell's value only in its top-left cell, or filled
down by the file adapter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping, Sequence

from perfeval_xl.core.findings import Finding, Ref

from .layouts import (CENTRAL, NOTE_WORDS, SICHUAN, STOP_TITLE, STOP_WORDS, TOTAL_ROW_NAMES, TOTAL_ROWS, Layout, declared_unit,
                      note_weights, recognise)
from .values import blank, norm

LAYOUT_CENTRAL = CENTRAL.name
LAYOUT_PROVINCIAL = SICHUAN.name

#: rows searched above a funds header for 项目名称 / 实施单位
_HEAD_ROWS = 12
#: blank rows that end a form when no 总分 / 合计 row came
_MAX_GAP = 6


@dataclass(frozen=True)
class Field:
    """One cell of a form: its raw value and where it is."""

    value: object
    ref: Ref

    @property
    def cell(self) -> str:
        return self.ref.cell

    @property
    def is_blank(self) -> bool:
        return blank(self.value)


@dataclass(frozen=True)
class FundRow:
    label: str
    #: "total" for 年度资金总额 / 总额, "part" for an 其中 row
    kind: str
    initial: Field | None
    budget: Field | None
    spent: Field | None
    weight: Field | None
    rate: Field | None
    score: Field | None
    reason: Field | None


@dataclass(frozen=True)
class Indicator:
    level1: str
    level2: str
    name: str
    nature: Field | None
    target: Field | None
    unit: Field | None
    actual: Field | None
    weight: Field | None
    score: Field | None
    reason: Field | None
    row: int


@dataclass(frozen=True)
class Level1:
    """A 一级指标 label that states its points, ``产出指标(50分)``."""

    label: str
    points: Decimal
    ref: Ref


@dataclass(frozen=True)
class Form:
    sheet: str
    layout: str
    project: str
    unit: str
    #: the column titles the form uses for its three amounts (年初预算数 / 全年预算数 / 全年执行数 …)
    initial_title: str
    budget_title: str
    spent_title: str
    funds: tuple[FundRow, ...]
    #: points a header states for 预算执行 (``预算执行情况（10分）``)
    fund_points: Decimal | None
    indicators: tuple[Indicator, ...]
    level1: tuple[Level1, ...]
    #: the 总分 / 合计 row: its 分值/权重 cell and its 得分 cell
    total_weight: Field | None
    total_score: Field | None
    #: zero-based first (funds header) and last row of the form
    first_row: int
    last_row: int
    #: the layout's registry entry (its fields and scoring convention)
    spec: Layout = CENTRAL
    #: the amount unit the funds header declares (元 / 万元), "" when none
    amount_unit: str = ""
    #: the note under the form (``注：…``) and the points it states per part (产出 → 50 …)
    note: Field | None = None
    note_weights: tuple[tuple[str, Decimal], ...] = ()

    @property
    def total_row(self) -> FundRow | None:
        return next((f for f in self.funds if f.kind == "total"), None)

    @property
    def parts(self) -> tuple[FundRow, ...]:
        return tuple(f for f in self.funds if f.kind == "part")


_POINTS_RE = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")
#: ``得分（20分*执行率）``: the points a score header states
_RULE_POINTS_RE = re.compile(r"(\d+(?:\.\d+)?)分[*×xX]执行率")
#: rows searched below a form's total row for its note
_NOTE_ROWS = 6


def _label(row: Sequence[object], before: int, frames: Sequence[str]) -> tuple[str, int | None]:
    """The row's label: the text cells left of column ``before`` that do not frame the block."""
    parts, first = [], None
    for col in range(min(before, len(row))):
        text = norm(row[col])
        if not text or any(text.startswith(f) for f in frames):
            continue
        parts.append(text)
        first = col if first is None else first
    return "".join(parts), first


def _fund_kind(label: str, layout: Layout) -> str | None:
    text = label.rstrip("：:")
    if text.startswith("其中"):
        return "part"
    if any(text.startswith(t) for t in layout.total_labels):
        return "total"
    if any(p in text for p in layout.part_labels):
        return "part"
    return None


def _field(rows: Sequence[Sequence[object]], sheet: str, row: int, col: int | None) -> Field | None:
    if col is None:
        return None
    line = rows[row]
    value = line[col] if col < len(line) else None
    return Field(value, Ref(sheet, row, col))


def _row_blank(row: Sequence[object]) -> bool:
    return all(blank(v) for v in row)


def _right_of(rows, r: int, col: int) -> str:
    line = rows[r]
    for c in range(col + 1, len(line)):
        if not blank(line[c]):
            text = str(line[c]).strip()
            return re.sub(r"\s+", " ", text)
    return ""


def _head(rows, start: int, stop: int, layout: Layout) -> tuple[str, str]:
    """项目名称 and 实施单位 (or 主管部门) from the rows above a funds header."""
    project = unit = dept = ""
    for r in range(start - 1, max(stop, start - _HEAD_ROWS) - 1, -1):
        for c, value in enumerate(rows[r]):
            text = norm(value)
            if not text:
                continue
            named = next((w for w in layout.project_labels if text.startswith(w)), None)
            label = next((w for w in layout.unit_labels if text.startswith(w)), None)
            dept_label = next((w for w in layout.dept_labels if text.startswith(w)), None)
            if named is not None and not project:
                project = text[len(named):] or _right_of(rows, r, c)
            elif label is not None and not unit:
                rest = re.sub(r"^\(盖章\)", "", text[len(label):])
                unit = rest or _right_of(rows, r, c)
            elif dept_label is not None and not dept:
                dept = text[len(dept_label):] or _right_of(rows, r, c)
    return project, unit or dept


def _stop_row(text: str) -> bool:
    return any(text.startswith(w) for w in STOP_WORDS) or STOP_TITLE in text


def find_forms(snapshot: Mapping[str, Sequence[Sequence[object]]]) -> tuple[list[Form], list[Finding]]:
    """Every self-evaluation form on every sheet, in sheet order and top to bottom."""
    forms: list[Form] = []
    findings: list[Finding] = []
    for sheet, raw in snapshot.items():
        rows = [list(r) if r is not None else [] for r in raw]
        anchors = [(r, found) for r, row in enumerate(rows) if (found := recognise(row))]
        for i, (start, candidates) in enumerate(anchors):
            limit = anchors[i + 1][0] if i + 1 < len(anchors) else len(rows)
            previous_end = forms[-1].last_row + 1 if forms and forms[-1].sheet == sheet else 0
            form, problems = _read_recognised(sheet, rows, start, limit, previous_end, candidates)
            findings.extend(problems)
            forms.append(form)
    return forms, findings


def _read_recognised(sheet: str, rows, start: int, limit: int, head_stop: int, candidates):
    """The form read by the first layout its header matches whose note (when the layout needs
    one) states the weights."""
    for n, (layout, cols) in enumerate(candidates):
        form, problems = _read_form(sheet, rows, start, limit, head_stop, layout, cols)
        if not layout.note_states_weights or form.note_weights or n == len(candidates) - 1:
            return form, problems
    raise AssertionError("unreachable: the last candidate is always taken")


def _read_form(sheet: str, rows, start: int, limit: int, head_stop: int, layout: Layout, cols: dict[str, int]):
    problems: list[Finding] = []
    header = rows[start]
    first_data = min(cols[k] for k in ("initial", "budget", "spent") if k in cols)
    project, unit = _head(rows, start, head_stop, layout)
    fund_points = None
    for value in header:
        text = norm(value)
        match = _POINTS_RE.search(text)
        if match and any(w in text for w in layout.fund_point_words):
            fund_points = Decimal(match.group(1))
        rule = _RULE_POINTS_RE.search(text)
        if rule and fund_points is None:
            fund_points = Decimal(rule.group(1))
    funds: list[FundRow] = []
    r = start + 1
    while r < limit:
        row = rows[r]
        if _row_blank(row):
            r += 1
            continue
        label, _ = _label(row, first_data, layout.frames)
        kind = _fund_kind(label, layout)
        if kind is None:
            break
        funds.append(FundRow(re.sub(r"^其中", "", label.rstrip("：:")), kind, *(_field(rows, sheet, r, cols.get(k)) for k in
                                                            ("initial", "budget", "spent", "weight", "rate", "score",
                                                             "reason"))))
        r += 1
    # the indicator table
    ind_cols = None
    while r < limit:
        ind_cols = layout.indicator_header(rows[r])
        if ind_cols:
            break
        for value in rows[r]:
            text = norm(value)
            match = _POINTS_RE.search(text)
            if match and any(w in text for w in layout.fund_point_words) and fund_points is None:
                fund_points = Decimal(match.group(1))
        r += 1
    indicators: list[Indicator] = []
    level1s: list[Level1] = []
    total_weight = total_score = None
    last = r
    if ind_cols:
        r += 1
        first_col = min(ind_cols.values())
        level1 = level2 = ""
        gap = 0
        while r < limit:
            row = rows[r]
            if _row_blank(row):
                gap += 1
                if gap > _MAX_GAP:
                    break
                r += 1
                continue
            gap = 0
            texts = [norm(v) for v in row]
            lead = next((t for t in texts[:ind_cols.get("name", first_col) + 1] if t), "")
            if any(lead.startswith(w) for w in TOTAL_ROWS) or lead in TOTAL_ROW_NAMES:
                total_weight = _field(rows, sheet, r, ind_cols.get("weight"))
                total_score = _field(rows, sheet, r, ind_cols.get("score"))
                last = r
                r += 1
                break
            if any(_stop_row(t) for t in texts if t):
                break
            l1 = _cell_text(row, ind_cols.get("level1"))
            l2 = _cell_text(row, ind_cols.get("level2"))
            name = _cell_text(row, ind_cols.get("name"))
            if l1:
                if l1 != level1:
                    match = _POINTS_RE.search(norm(l1))
                    if match:
                        level1s.append(Level1(re.sub(r"[(（].*$", "", l1).strip(), Decimal(match.group(1)),
                                              Ref(sheet, r, ind_cols["level1"])))
                level1, level2 = l1, ""
            if l2:
                level2 = l2
            if name:
                nature_at, target_at, unit_at, actual_at, weight_at, score_at, reason_at = (
                    _field(rows, sheet, r, ind_cols.get(k))
                    for k in ("nature", "target", "unit", "actual", "weight", "score", "reason"))
                indicators.append(Indicator(re.sub(r"[(（].*$", "", level1).strip(), level2, name, nature_at,
                                            target_at, unit_at, actual_at, weight_at, score_at, reason_at, row=r))
            last = r
            r += 1
    else:
        problems.append(Finding("warning", sheet, Ref(sheet, start, 0).cell,
                                "此处的预算执行表头下方没有找到绩效指标表（应有 三级指标 … 得分 等列），"
                                "只复核了资金部分"))
        last = max(start, r - 1) if funds else start
    if funds:
        last = max(last, start + len(funds))
    titles = {k: str(header[cols[k]]).replace("\n", "").strip() if k in cols else "" for k in ("initial", "budget", "spent")}
    if not funds:
        problems.append(Finding("error", sheet, Ref(sheet, start + 1, 0).cell,
                                "自评表的资金表头下没有“年度资金总额/总额”或“其中”行，无法复核预算执行率"))
    note = _note(rows, sheet, last + 1, limit) if total_score is not None else None
    form = Form(sheet, layout.name, project, unit, _title(titles["initial"]), _title(titles["budget"]),
                _title(titles["spent"]), tuple(funds), fund_points, tuple(indicators), tuple(level1s),
                total_weight, total_score, start, last, spec=layout, amount_unit=declared_unit(header), note=note,
                note_weights=tuple(note_weights(str(note.value)).items()) if note is not None else ())
    return form, problems


def _note(rows, sheet: str, first: int, limit: int) -> Field | None:
    """The note under a form's total row (``注：…``), within a few rows and before the next form."""
    for r in range(first, min(limit, first + _NOTE_ROWS)):
        for c, value in enumerate(rows[r]):
            text = norm(value)
            if text and any(text.startswith(w) for w in NOTE_WORDS):
                return Field(value, Ref(sheet, r, c))
    return None


def _title(text: str) -> str:
    """``全年预算数（A）`` → ``全年预算数``."""
    text = re.sub(r"\s+", "", text)
    return re.sub(r"[(（][A-Za-z/]+[)）]$", "", text)


def _cell_text(row: Sequence[object], col: int | None) -> str:
    if col is None or col >= len(row) or blank(row[col]):
        return ""
    value = row[col]
    return re.sub(r"\s+", "", str(value)) if isinstance(value, str) else str(value)
