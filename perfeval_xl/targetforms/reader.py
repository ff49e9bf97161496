"""Finding 绩效目标申报表 on any sheet by their headers.

A target form is anchored on its indicator header row — 一级指标 / 二级指标, 三级指标 and 指标值
(目标值) — with no 完成值 or 得分 column (those make a 自评表, :mod:`perfeval_xl.forms`).  The header
fields (项目名称, 实施单位, 本年度项目金额 …) are found by their labels in the rows above it, the
value in the cell right of the label (or after the label in the same cell for the goals).  A form
of the 郑州 layout has two groups of indicator columns, 实施期 and 年度.  Budget systems export one
form per sheet; several forms one under another on a sheet are read too.  Nothing here knows an
Excel library: rows are lists of cell values (a merged label filled down or only in its first cell).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence, overload

from perfeval_xl.core.findings import Ref
from perfeval_xl.forms.reader import Field
from perfeval_xl.forms.values import blank, norm, not_applicable, shown

from .layouts import Layout, field_of, inline_field_of, is_part_label, label_of, layout_of

PERIOD_YEAR = "年度"
PERIOD_TERM = "实施期"
#: rows above an indicator header searched for the form's header fields
_HEAD_ROWS = 30
#: blank rows that end an indicator table
_MAX_GAP = 3
_END_WORDS = ("备注", "注:", "注：", "填表说明", "说明:", "说明：", "审核意见")


@dataclass(frozen=True)
class TargetIndicator:
    period: str
    #: 一级 as the form prints it and folded to 产出 / 效益 / 满意度 / 成本 ("" when unknown)
    level1_text: str
    level1: str
    level2: str
    name: Field
    value: Field
    #: 指标解释 (指标值说明 on the 河南 layout); None when the layout has no such column
    explanation: Field | None
    row: int
    #: 指标性质 and 度量单位 cells, on forms that give them columns of their own
    nature: Field | None = None
    unit: Field | None = None

    def value_text(self) -> str:
        """The value as one text, with the sign and unit of their own columns: ``≥`` ``500`` ``人次`` → ``≥500人次``."""
        text = shown(self.value.value)
        nature = shown(self.nature.value) if self.nature is not None else ""
        sign = {"正向": "≥", "正向指标": "≥", "反向": "≤", "反向指标": "≤"}.get(nature, nature)
        if sign and sign in ("≥", "≤", "=", ">", "<", ">=", "<=") and not text.startswith(sign):
            text = sign + text
        unit = shown(self.unit.value) if self.unit is not None else ""
        if unit and not text.endswith(unit):
            text += unit
        return text

    @property
    def empty(self) -> bool:
        cells = [self.name, self.value] + ([self.explanation] if self.explanation is not None else [])
        return all(c.is_blank or placeholder(c.value) for c in cells)

    @property
    def real(self) -> bool:
        """A stated indicator: a name and a value, neither 不适用."""
        return (not self.name.is_blank and not placeholder(self.name.value) and not not_applicable(self.name.value)
                and not self.value.is_blank and not not_applicable(self.value.value))

    @property
    def is_cost(self) -> bool:
        return self.level1 == "成本" or "成本" in self.level2

    def kind(self) -> str:
        """数量 / 质量 / 时效 / 成本 / the 效益 and 满意度 二级 as printed."""
        for word in ("数量", "质量", "时效", "成本"):
            if word in self.level2:
                return word
        return self.level2.removesuffix("指标")


@dataclass(frozen=True)
class FundBlock:
    """年度资金总额 (or 实施期资金总额) and the rows below it that split it by source."""

    total: Field
    parts: tuple[tuple[str, Field], ...]


@dataclass(frozen=True)
class TargetForm:
    sheet: str
    layout: Layout
    #: header field key → the cell holding its value (the cell to fill when blank)
    fields: Mapping[str, Field]
    #: header field key → the label's cell
    labels: Mapping[str, Ref]
    #: header field key → the label as the form prints it (``申请单位``), colons and spaces dropped
    label_texts: Mapping[str, str]
    funds: tuple[FundBlock, ...]
    amount_unit: str
    indicators: tuple[TargetIndicator, ...]
    #: the 一级指标 header cell (where a missing 一级 / 二级 is reported)
    header: Ref
    #: 1 or 2 groups of indicator columns; the periods they hold
    periods: tuple[str, ...]
    has_explanation: bool
    first_row: int
    last_row: int

    def text(self, key: str) -> str:
        field = self.fields.get(key)
        return shown(field.value) if field is not None and not field.is_blank else ""

    @property
    def project(self) -> str:
        return self.text("name")

    @property
    def unit(self) -> str:
        return self.text("unit") or self.text("dept")

    @property
    def top(self) -> Ref:
        return Ref(self.sheet, self.first_row, 0)

    def period_indicators(self, period: str) -> tuple[TargetIndicator, ...]:
        return tuple(i for i in self.indicators if i.period == period)


def placeholder(value: object) -> bool:
    """The blank form's own text in an indicator cell: ``指标1：``, ``……``."""
    text = norm(value)
    bare = re.sub(r"[.…、,，;；]", "", text)
    return bool(text) and (not bare or re.fullmatch(r"(指标\d+)+", bare) is not None)


# --- the indicator header ----------------------------------------------------

def _column_kind(text: str) -> str | None:
    if not text:
        return None
    if text.startswith("一级指标"):
        return "level1"
    if text.startswith("二级指标"):
        return "level2"
    if text.startswith("三级指标") or text in ("指标名称", "末级指标"):
        return "name"
    if "完成值" in text or "实际值" in text or text.startswith("得分"):
        return "actual"
    if text.startswith("指标值说明"):
        return "value_note"
    if text.startswith("指标解释"):
        return "explanation"
    if text.startswith("指标性质"):
        return "nature"
    if "度量单位" in text or "计量单位" in text:
        return "unit"
    if "指标值" in text or text.startswith("目标值"):
        return "value"
    for prefix, kind in (("指标来源", "source"), ("设定依据", "basis"), ("取值方式", "method"), ("完成值取值", "method"),
                         ("数据来源", "data"), ("赋分规则", "rule"), ("评分规则", "rule"), ("分值", "weight"),
                         ("权重", "weight"), ("佐证资料", "evidence")):
        if text.startswith(prefix):
            return kind
    return None


@dataclass(frozen=True)
class _Group:
    """One group of indicator columns (郑州 has two: 实施期, 年度): the column of each."""

    period: str
    level2: int | None
    name: int
    value: int
    #: 指标解释 or 指标值说明
    note: int | None
    #: 指标性质 (≥ / ≤ / 正向 …) and 度量单位, where the form gives them columns of their own
    nature: int | None
    unit: int | None


@dataclass(frozen=True)
class _Header:
    row: int
    level1: int
    groups: tuple[_Group, ...]
    kinds: frozenset[str]


#: an indicator header row has a cell holding one of these (tested first: most rows have none)
_HEADER_WORDS = ("三级", "指标名称", "末级指标")


def _may_hold_header(rows: Sequence[Sequence[object]]) -> bool:
    """Whether some row of a sheet can be an indicator header (:func:`_header`'s first test), tested on the
    sheet's texts joined by line breaks (no word holds one, so no word spans two cells): most pasted
    report tables have none, and their rows are then not tried one by one."""
    text = "\n".join([v for row in rows for v in row if isinstance(v, str)])
    return any(word in text for word in _HEADER_WORDS)


def _header(rows: Sequence[Sequence[object]], r: int) -> _Header | None:
    row = rows[r]
    # cheap test first: a cell holding one of _HEADER_WORDS (spelt out: no generator made per cell)
    if not any(isinstance(v, str) and ("三级" in v or "指标名称" in v or "末级指标" in v) for v in row):
        return None
    kinds = [(c, _column_kind(norm(v))) for c, v in enumerate(row)]
    found = {k for _, k in kinds if k}
    if "actual" in found or "name" not in found or "value" not in found or not ({"level1", "level2"} & found):
        return None
    level1 = next((c for c, k in kinds if k == "level1"), None)
    names = [c for c, k in kinds if k == "name"]
    groups = []
    for i, name in enumerate(names):
        stop = names[i + 1] if i + 1 < len(names) else len(row)
        start = names[i - 1] + 1 if i else 0
        level2 = next((c for c, k in reversed(kinds[start:name]) if k == "level2"), None)
        value = next((c for c, k in kinds[name:stop] if k == "value"), None)
        note = next((c for c, k in kinds[name:stop] if k in ("explanation", "value_note")), None)
        nature = next((c for c, k in kinds[name:stop] if k == "nature"), None)
        unit = next((c for c, k in kinds[name:stop] if k == "unit"), None)
        if value is None:
            continue
        groups.append((level2, name, value, note, nature, unit))
    if not groups:
        return None
    periods = _periods(rows, r, [g[0] if g[0] is not None else g[1] for g in groups])
    kinds_set = set(found)
    if len(groups) > 1:
        kinds_set.add("period_groups")
    return _Header(r, level1 if level1 is not None else (groups[0][0] or 0),
                   tuple(_Group(p, *g) for p, g in zip(periods, groups)), frozenset(kinds_set))


def _periods(rows, r: int, starts: list[int]) -> list[str]:
    """Which group is 年度 and which 实施期: from the row above (``实施期指标`` / ``年度指标``), else by
    order (one group: 年度; two: 实施期 then 年度, as 郑州 附件2-1 prints them)."""
    default = [PERIOD_YEAR] if len(starts) == 1 else [PERIOD_TERM] + [PERIOD_YEAR] * (len(starts) - 1)
    if len(starts) == 1 or r == 0:
        return default
    above = rows[r - 1]
    out = []
    for i, start in enumerate(starts):
        stop = starts[i + 1] if i + 1 < len(starts) else len(above)
        words = "".join(norm(v) for v in above[start:stop])
        out.append(PERIOD_TERM if any(w in words for w in ("实施期", "中期", "长期")) else
                   PERIOD_YEAR if "年度" in words else default[i])
    return out if len(set(out)) == len(out) else default


# --- the header fields -------------------------------------------------------

def _cell(rows, r: int, c: int) -> object:
    row = rows[r] if r < len(rows) else ()
    return row[c] if c < len(row) else None


def _fields(sheet: str, rows, first: int, stop: int):
    fields: dict[str, Field] = {}
    labels: dict[str, Ref] = {}
    texts: dict[str, str] = {}
    funds: list[FundBlock] = []
    wan = False
    for r in range(first, stop):
        row = rows[r]
        for c, value in enumerate(row):
            text = norm(value)
            if not text:
                continue
            if "万元" in text:
                wan = True
            key = field_of(text)
            if key is None:
                key = inline_field_of(text)
                if key is not None and key not in fields:
                    raw = shown(value)
                    rest = raw.split("：", 1)[-1] if "：" in raw else raw.split(":", 1)[-1]
                    fields[key] = Field(rest.strip() or None, Ref(sheet, r, c))
                    labels[key] = Ref(sheet, r, c)
                    texts[key] = label_of(key)
                continue
            if key in fields:
                continue
            labels[key] = Ref(sheet, r, c)
            texts[key] = shown(value).replace(" ", "").rstrip("：:")
            fields[key] = _value_right(sheet, rows, r, c)
            if key in ("total", "amount"):
                funds.append(FundBlock(fields[key], _parts(sheet, rows, r, c, stop)))
    return fields, labels, texts, tuple(funds), wan


def _is_label(value: object) -> bool:
    text = norm(value)
    return bool(text) and (field_of(text) is not None or is_part_label(text))


def _value_right(sheet: str, rows, r: int, c: int) -> Field:
    """The value of the label at (r, c): the first filled cell to its right unless that is the next
    label (then the value is blank, at the cell right of the label, or at the label's own cell when
    the next cell is a label: a goal written into the label's cell)."""
    row = rows[r]
    for col in range(c + 1, len(row)):
        value = row[col]
        if blank(value):
            continue
        if _is_label(value):
            break
        return Field(value, Ref(sheet, r, col))
    nxt = _cell(rows, r, c + 1)
    if _is_label(nxt):
        return Field(None, Ref(sheet, r, c))
    return Field(None, Ref(sheet, r, c + 1))


def _parts(sheet: str, rows, r: int, c: int, stop: int) -> tuple[tuple[str, Field], ...]:
    out = []
    for rr in range(r + 1, stop):
        text = norm(_cell(rows, rr, c))
        if not is_part_label(text):
            break
        out.append((shown(_cell(rows, rr, c)), _value_right(sheet, rows, rr, c)))
    return tuple(out)


# --- the indicator rows ------------------------------------------------------

def _level1(text: str) -> str:
    for word in ("满意度", "效益", "产出", "成本"):
        if word in text:
            return word
    return ""


def _ends(row: Sequence[object]) -> bool:
    first = next((norm(v) for v in row if not blank(v)), "")
    return first.startswith(_END_WORDS)


@overload
def _at(sheet: str, rows, r: int, c: int) -> Field: ...
@overload
def _at(sheet: str, rows, r: int, c: int | None) -> Field | None: ...


def _at(sheet: str, rows, r: int, c: int | None) -> Field | None:
    return Field(_cell(rows, r, c), Ref(sheet, r, c)) if c is not None else None


def _indicators(sheet: str, rows, head: _Header, stop: int) -> tuple[list[TargetIndicator], int]:
    out: list[TargetIndicator] = []
    level1_text = ""
    level2 = {i: "" for i in range(len(head.groups))}
    gap, last = 0, head.row
    for r in range(head.row + 1, stop):
        row = rows[r]
        if all(blank(v) for v in row):
            gap += 1
            if gap >= _MAX_GAP:
                break
            continue
        if _ends(row) or _header(rows, r) is not None:
            break
        gap, last = 0, r
        text = norm(_cell(rows, r, head.level1))
        if text and text != "绩效指标":
            level1_text = text
        for i, g in enumerate(head.groups):
            if g.level2 is not None and norm(_cell(rows, r, g.level2)):
                level2[i] = norm(_cell(rows, r, g.level2))
            out.append(TargetIndicator(
                g.period, level1_text, _level1(level1_text), level2[i], _at(sheet, rows, r, g.name),
                _at(sheet, rows, r, g.value), _at(sheet, rows, r, g.note), r,
                _at(sheet, rows, r, g.nature), _at(sheet, rows, r, g.unit)))
    return out, last


def find_target_forms(snapshot: Mapping[str, Sequence[Sequence[object]]]) -> list[TargetForm]:
    """Every target form of every sheet, in sheet order."""
    forms = []
    for sheet, rows in snapshot.items():
        if not _may_hold_header(rows):
            continue  # no indicator header on the sheet: no target form
        rows = [list(r) for r in rows]
        start = 0
        r = 0
        while r < len(rows):
            head = _header(rows, r)
            if head is None:
                r += 1
                continue
            first = max(start, r - _HEAD_ROWS)
            fields, labels, texts, funds, wan = _fields(sheet, rows, first, r)
            if "name" not in fields and "amount" not in fields:
                r += 1  # an indicator table without a form's header: not a target form
                continue
            indicators, last = _indicators(sheet, rows, head, len(rows))
            layout = layout_of(frozenset(fields), head.kinds)
            has_note = any(g.note is not None for g in head.groups)
            top = min([ref.row for ref in labels.values()] + [r])
            top = top - 1 if top > first and any(not blank(v) for v in rows[top - 1]) else top  # the title row
            forms.append(TargetForm(sheet, layout, fields, labels, texts, funds, "万元" if wan else "元",
                                    tuple(indicators), Ref(sheet, r, head.level1), tuple(g.period for g in head.groups),
                                    has_note, top, last))
            start = last + 1
            r = last + 1
    return forms
