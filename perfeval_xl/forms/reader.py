"""Finding self-evaluation forms (绩效自评表) on any sheet by their headers.

A form is anchored on its funds header row — 年初预算(数) with 全年预算数 / 调整后预算数 and
全年执行数 / 预算执行数 — wherever it stands; the project and unit are read from the rows above
it, the funds rows below it, then the indicator header (三级指标 … 得分) and the indicator rows
down to the 总分 / 合计 row.  Two layouts are known: 财预〔2020〕10号 附1 and the provincial
layout with 预算执行情况（10分）.  Nothing here knows an Excel library: rows are lists of cell
values as python-calamine gives them (a merged cell's value only in its top-left cell, or filled
down by the file adapter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping, Sequence

from perfeval_xl.core.findings import Finding, Ref

from .values import blank, norm

LAYOUT_CENTRAL = "附1"
LAYOUT_PROVINCIAL = "省级"

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

    @property
    def total_row(self) -> FundRow | None:
        return next((f for f in self.funds if f.kind == "total"), None)

    @property
    def parts(self) -> tuple[FundRow, ...]:
        return tuple(f for f in self.funds if f.kind == "part")


# --- header matching -----------------------------------------------------------

def _fund_column(text: str) -> str | None:
    if not text:
        return None
    if "执行率" in text:
        return "rate"
    if "年初预算" in text:
        return "initial"
    if "全年预算" in text or "调整后预算" in text or "调整预算" in text:
        return "budget"
    if "全年执行" in text or "预算执行数" in text or text.startswith("执行数") or text.startswith("实际执行"):
        return "spent"
    if text.startswith("分值") or text.startswith("权重"):
        return "weight"
    if text.startswith("得分"):
        return "score"
    if "原因" in text or text.startswith("说明"):
        return "reason"
    return None


def _indicator_column(text: str) -> str | None:
    if not text:
        return None
    if text.startswith("一级指标"):
        return "level1"
    if text.startswith("二级指标"):
        return "level2"
    if text.startswith("三级指标"):
        return "name"
    if text.startswith("指标性质"):
        return "nature"
    if "完成值" in text or "全年实际值" in text or "实际值" in text:
        return "actual"
    if "指标值" in text:
        return "target"
    if "度量单位" in text or "计量单位" in text:
        return "unit"
    if text.startswith("分值") or text.startswith("权重"):
        return "weight"
    if text.startswith("得分"):
        return "score"
    if "原因" in text or "改进措施" in text:
        return "reason"
    return None


def _columns(row: Sequence[object], classify) -> dict[str, int]:
    found: dict[str, int] = {}
    for col, value in enumerate(row):
        kind = classify(norm(value))
        if kind and kind not in found:
            found[kind] = col
    return found


def _is_fund_header(row: Sequence[object]) -> dict[str, int] | None:
    cols = _columns(row, _fund_column)
    if {"initial", "budget", "spent"} <= cols.keys():
        return cols
    return None


def _is_indicator_header(row: Sequence[object]) -> dict[str, int] | None:
    cols = _columns(row, _indicator_column)
    if {"name", "score"} <= cols.keys() and ("target" in cols or "actual" in cols):
        return cols
    return None


_TOTAL_LABELS = ("年度资金总额", "资金总额", "总额", "合计")
_PART_LABELS = ("其中", "当年财政拨款", "本年财政拨款", "财政拨款", "上年结转", "其他资金", "财政资金",
                "财政专户管理资金", "单位资金", "自有资金", "社会资金", "专项资金")
#: texts in the label columns that frame a block rather than name a row (merged down by the adapter)
_FRAMES = ("项目资金", "预算执行情况", "年度预算数", "资金情况", "绩效指标", "年度总体目标")
_POINTS_RE = re.compile(r"[(（]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]")


def _label(row: Sequence[object], before: int) -> tuple[str, int | None]:
    """The row's label: the text cells left of column ``before`` that do not frame the block."""
    parts, first = [], None
    for col in range(min(before, len(row))):
        text = norm(row[col])
        if not text or any(text.startswith(f) for f in _FRAMES):
            continue
        parts.append(text)
        first = col if first is None else first
    return "".join(parts), first


def _fund_kind(label: str) -> str | None:
    text = label.rstrip("：:")
    if text.startswith("其中"):
        return "part"
    if any(text.startswith(t) for t in _TOTAL_LABELS):
        return "total"
    if any(p in text for p in _PART_LABELS):
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


def _head(rows, start: int, stop: int) -> tuple[str, str]:
    """项目名称 and 实施单位 (or 主管部门) from the rows above a funds header."""
    project = unit = dept = ""
    for r in range(start - 1, max(stop, start - _HEAD_ROWS) - 1, -1):
        for c, value in enumerate(rows[r]):
            text = norm(value)
            if not text:
                continue
            if text.startswith("项目名称") and not project:
                project = text[4:] if len(text) > 4 else _right_of(rows, r, c)
            elif text.startswith("实施单位") and not unit:
                rest = re.sub(r"^实施单位(\(盖章\))?", "", text)
                unit = rest or _right_of(rows, r, c)
            elif text.startswith("主管部门") and not dept:
                dept = text[4:] if len(text) > 4 else _right_of(rows, r, c)
    return project, unit or dept


def _stop_row(text: str) -> bool:
    return any(text.startswith(w) for w in ("评价结论", "存在问题", "改进措施", "项目负责人", "填表人", "联系电话")) or \
        "绩效自评表" in text


def find_forms(snapshot: Mapping[str, Sequence[Sequence[object]]]) -> tuple[list[Form], list[Finding]]:
    """Every self-evaluation form on every sheet, in sheet order and top to bottom."""
    forms: list[Form] = []
    findings: list[Finding] = []
    for sheet, raw in snapshot.items():
        rows = [list(r) if r is not None else [] for r in raw]
        anchors = [(r, cols) for r, row in enumerate(rows) if (cols := _is_fund_header(row))]
        for i, (start, cols) in enumerate(anchors):
            limit = anchors[i + 1][0] if i + 1 < len(anchors) else len(rows)
            previous_end = forms[-1].last_row + 1 if forms and forms[-1].sheet == sheet else 0
            form, problems = _read_form(sheet, rows, start, limit, previous_end, cols)
            findings.extend(problems)
            if form is not None:
                forms.append(form)
    return forms, findings


def _read_form(sheet: str, rows, start: int, limit: int, head_stop: int, cols: dict[str, int]):
    problems: list[Finding] = []
    header = rows[start]
    provincial = "reason" in cols or any("调整后预算" in norm(v) for v in header)
    first_data = min(cols[k] for k in ("initial", "budget", "spent"))
    project, unit = _head(rows, start, head_stop)
    fund_points = None
    for value in header:
        match = _POINTS_RE.search(norm(value))
        if match and "预算执行" in norm(value):
            fund_points = Decimal(match.group(1))
    funds: list[FundRow] = []
    r = start + 1
    while r < limit:
        row = rows[r]
        if _row_blank(row):
            r += 1
            continue
        label, _ = _label(row, first_data)
        kind = _fund_kind(label)
        if kind is None:
            break
        funds.append(FundRow(re.sub(r"^其中", "", label.rstrip("：:")), kind, *(_field(rows, sheet, r, cols.get(k)) for k in
                                                            ("initial", "budget", "spent", "weight", "rate", "score",
                                                             "reason"))))
        r += 1
    # the indicator table
    ind_cols = None
    while r < limit:
        ind_cols = _is_indicator_header(rows[r])
        if ind_cols:
            break
        for value in rows[r]:
            text = norm(value)
            match = _POINTS_RE.search(text)
            if match and "预算执行" in text and fund_points is None:
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
            if lead.startswith("总分") or lead.startswith("合计") or lead in ("总计", "自评总分", "综合得分"):
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
                indicators.append(Indicator(
                    re.sub(r"[(（].*$", "", level1).strip(), level2, name,
                    *(_field(rows, sheet, r, ind_cols.get(k)) for k in
                      ("nature", "target", "unit", "actual", "weight", "score", "reason")), row=r))
            last = r
            r += 1
    else:
        problems.append(Finding("warning", sheet, Ref(sheet, start, 0).cell,
                                "此处的预算执行表头下方没有找到绩效指标表（应有 三级指标 … 得分 等列），"
                                "只复核了资金部分"))
        last = max(start, r - 1) if funds else start
    if funds:
        last = max(last, start + len(funds))
    layout = LAYOUT_PROVINCIAL if provincial else LAYOUT_CENTRAL
    titles = {k: str(header[cols[k]]).replace("\n", "").strip() for k in ("initial", "budget", "spent")}
    if not funds:
        problems.append(Finding("error", sheet, Ref(sheet, start + 1, 0).cell,
                                "自评表的资金表头下没有“年度资金总额/总额”或“其中”行，无法复核预算执行率"))
    form = Form(sheet, layout, project, unit, _title(titles["initial"]), _title(titles["budget"]),
                _title(titles["spent"]), tuple(funds), fund_points, tuple(indicators), tuple(level1s),
                total_weight, total_score, start, last)
    return form, problems


def _title(text: str) -> str:
    """``全年预算数（A）`` → ``全年预算数``."""
    text = re.sub(r"\s+", "", text)
    return re.sub(r"[(（][A-Za-z/]+[)）]$", "", text)


def _cell_text(row: Sequence[object], col: int | None) -> str:
    if col is None or col >= len(row) or blank(row[col]):
        return ""
    value = row[col]
    return re.sub(r"\s+", "", str(value)) if isinstance(value, str) else str(value)
