"""A new evaluation template's 指标体系 from a target form: what was declared is where a 自评 starts.

Every stated 年度 indicator becomes a row with its 一级 / 二级 / 三级 names as the form prints them,
its 目标值 and its 指标解释.  What the form cannot give — 分值, 评分方法, 规则参数, 取值来源, the 一级 and
二级 分值 — is left blank and said in the notes (a template with blank 分值 is refused by ``score``
at those cells until the evaluator fills them), never a made-up default.  Codes are only names:
A1, A2 … for the first 一级, B1 … for the next, as the sample workbooks number them.
"""

from __future__ import annotations

from perfeval_xl.core import schema
from perfeval_xl.forms.values import shown

from .reader import PERIOD_TERM, PERIOD_YEAR, TargetForm


def template_from_form(form: TargetForm) -> tuple[dict, dict, list[str]]:
    """(项目信息 values, {sheet name: rows}, notes for the evaluator) of a template from ``form``."""
    rows: list[dict] = []
    letters: dict[str, str] = {}
    counts: dict[str, int] = {}
    last: tuple[str | None, str | None] = (None, None)
    skipped = 0
    for ind in form.period_indicators(PERIOD_YEAR):
        if not ind.real:
            skipped += 0 if ind.empty else 1
            continue
        level1 = ind.level1_text or ind.level1
        letter = letters.setdefault(level1, chr(ord("A") + len(letters)))
        counts[letter] = counts.get(letter, 0) + 1
        row = {"编码": f"{letter}{counts[letter]}", "三级指标": shown(ind.name.value), "目标值": ind.value_text()}
        if (level1, ind.level2) != last:  # 一级 / 二级 written on the first row of each group, as the template asks
            if level1 != last[0]:
                row["一级指标"] = level1
            row["二级指标"] = ind.level2
            last = (level1, ind.level2)
        if ind.explanation is not None and not ind.explanation.is_blank:
            row["指标解释"] = shown(ind.explanation.value)
        rows.append(row)
    info = {"项目名称": form.project} if form.project else {}
    notes = []
    if rows:
        notes.append(f"“{schema.INDICATORS.name}”的分值、评分方法、规则参数、取值来源和一级、二级分值目标表中没有，已留空"
                     f"（共 {len(rows)} 个指标，编码 {rows[0]['编码']}–{rows[-1]['编码']}），请评价人员填写后再评分")
        notes.append("指标编码按一级指标的顺序编为 A1、A2……，可以改")
    else:
        notes.append(f"目标表“{form.sheet}”没有填写任何年度指标，“{schema.INDICATORS.name}”为空")
    if skipped:
        notes.append(f"目标表中填“不适用”或缺名称、指标值的 {skipped} 行未列入指标体系")
    term = [i for i in form.period_indicators(PERIOD_TERM) if i.real]
    if term:
        notes.append(f"目标表的实施期指标（{len(term)} 个）未列入：指标体系取年度指标")
    notes.append("单位名单、资金情况等其他各表目标表中没有，请按评价需要填写")
    if not form.project:
        notes.append("目标表的项目名称为空，“项目信息”的项目名称请自行填写")
    return info, {schema.INDICATORS.name: rows}, notes
