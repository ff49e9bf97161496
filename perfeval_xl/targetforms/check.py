"""Checking every target form of a workbook by :data:`~perfeval_xl.targetforms.rules.RULES`.

``check_target_forms(snapshot)`` → ``(results, findings)``: one :class:`TargetResult` per form found
(its sheet, project, unit, layout and its own findings) and every finding, each at its sheet and
cell, its message ending with the rule and the clause it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from perfeval_xl.core.findings import Finding

from .reader import TargetForm, find_target_forms
from .rules import RULES, Hits, RuleFinding

#: the status a target form gets in the batch summary
STATUS_OK = "通过"
STATUS_WARNINGS = "有提示"
STATUS_ERRORS = "有错误"


@dataclass(frozen=True)
class TargetResult:
    form: TargetForm
    findings: tuple[RuleFinding, ...]

    @property
    def sheet(self) -> str:
        return self.form.sheet

    @property
    def project(self) -> str:
        return self.form.project

    @property
    def unit(self) -> str:
        return self.form.unit

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def status(self) -> str:
        return STATUS_ERRORS if self.errors else STATUS_WARNINGS if self.warnings else STATUS_OK

    def as_json(self) -> dict:
        return {"sheet": self.sheet, "project": self.project, "unit": self.unit, "layout": self.form.layout.id,
                "indicators": sum(1 for i in self.form.indicators if i.real),
                "errors": self.errors, "warnings": self.warnings, "status": self.status,
                "findings": [{"rule": f.rule, "severity": f.severity, "sheet": f.sheet, "cell": f.cell,
                              "message": f.message} for f in self.findings]}


def check_forms(forms: Sequence[TargetForm]) -> tuple[list[TargetResult], list[Finding]]:
    """Every rule over ``forms`` (the forms of one workbook)."""
    per_form: dict[int, list[RuleFinding]] = {id(f): [] for f in forms}
    by_sheet_row = {(f.sheet, f.first_row, f.last_row): f for f in forms}
    for rule in RULES:
        if rule.scope == "form":
            for form in forms:
                hits = Hits()
                rule.check(form, hits)
                per_form[id(form)] += _findings(rule, hits)
        else:
            hits = Hits()
            rule.check(forms, hits)
            for found in _findings(rule, hits):
                owner = next((f for (sheet, first, last), f in by_sheet_row.items()
                              if sheet == found.sheet and first <= _row(found.cell) <= last), forms[0])
                per_form[id(owner)].append(found)
    results = [TargetResult(f, tuple(per_form[id(f)])) for f in forms]
    return results, [x.finding() for r in results for x in r.findings]


def _row(cell: str) -> int:
    digits = "".join(ch for ch in cell if ch.isdigit())
    return int(digits) - 1 if digits else 0


def _findings(rule, hits: Hits) -> list[RuleFinding]:
    return [RuleFinding(rule.id, severity, ref.sheet, ref.cell, message + rule.cite())
            for severity, ref, message in hits.found]


def check_target_forms(snapshot: Mapping[str, Sequence[Sequence[object]]]) -> tuple[list[TargetResult], list[Finding]]:
    """Find and check every target form of a workbook's sheets."""
    forms = find_target_forms(snapshot)
    if not forms:
        return [], []
    return check_forms(forms)
