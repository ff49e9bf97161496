"""The closing sheets of a scored evaluation: 取数底稿 (the working paper behind every score: value,
calculation and the cells it came from) and 校验结果 (every finding of the run, from the one
findings channel).  Listed in :data:`perfeval_xl.core.output_sheets.CLOSING_SHEETS`.
"""

from __future__ import annotations

from decimal import Decimal

from . import schema
from .findings import FindingList, format_refs
from .scoring import Evaluation
from .styles import SEVERITY_STYLE
from .writeplan import SheetBuilder, SheetPlan


def trace_sheet(ev: Evaluation) -> SheetPlan:
    """The working paper behind every score: value, calculation and the cells it came from."""
    headers = ["单位", "编码", "三级指标", "子项", "分值", "指标值", "计算过程", "得分", "取数单元格"]
    b = SheetBuilder(schema.OUTPUT_TRACE, [14, 7, 18, 14, 7, 11, 56, 8, 40])
    b.title(f"{ev.book.name}取数底稿", len(headers))
    b.line("每个指标（子项）的取值、计算过程和所用单元格（指标体系中的指标行、数据表中的数据、评分录入中的行），供复核。",
           len(headers))
    b.header(headers)
    memo: dict = {}  # a unit's ledger total, read by several of its indicators, spelt once
    for unit in ev.units:
        name = unit.name
        for s in unit.indicators:
            for leaf in (s.children or [s]):
                value: Decimal | str | None = leaf.value.amount if leaf.value is not None else None
                style = "percent" if leaf.value is not None and leaf.value.is_rate else "number"
                if leaf.value is not None and leaf.value.unit:  # a quotient: printed with its unit, 4.30万元/人
                    value, style = leaf.value.show(), "text"
                r = b.values([name, s.code, s.level3, leaf.name if s.children else "", leaf.weight, value,
                              leaf.process, leaf.score, format_refs(leaf.inputs, memo=memo)],
                             ["text", "center", "text", "text", "center", style, "text", "score", "text"])
                b.fit_height(r)
    return b.plan


def findings_sheet(ev: Evaluation, found: FindingList) -> SheetPlan:
    """校验结果: every finding the run gathered before the plan stage (the one channel), in order."""
    headers = ["序号", "级别", "工作表", "单元格", "说明"]
    b = SheetBuilder(schema.OUTPUT_FINDINGS, [6, 8, 14, 10, 100])
    b.title(f"{ev.book.name}校验结果", len(headers))
    findings = list(found)
    errors = sum(1 for f in findings if f.severity == "error")
    b.line(f"错误 {errors} 项，提示 {len(findings) - errors} 项。错误须更正后重新评分；提示请核实。", len(headers))
    b.header(headers)
    if not findings:
        b.values(["", "", "", "", "未发现问题。"], "text")
    for n, f in enumerate(findings, start=1):
        level = f.level
        r = b.values([n, level, f.sheet, f.cell, f.message],
                     ["center", SEVERITY_STYLE[f.severity], "center", "center", "text"])
        b.fit_height(r)
    return b.plan
