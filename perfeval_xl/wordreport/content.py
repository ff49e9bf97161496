"""The report draft's content, built from the evaluation and its write plan.

Every figure comes from the scored evaluation (scores, 得分率, 计算过程, 扣分原因) or from
the output sheets of the write plan (the annex tables), never typed: the Word draft and
the scored workbook cannot disagree.  The sentences are ours; the evaluator edits the
draft (background, findings, suggestions) in Word.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from .. import __version__
from ..core import schema
from ..core.charts import (
    CHART_SHEET, BarChart, level1_chart, satisfaction_chart, unit_level1_chart, unit_totals_chart,
)
from ..core.numbers import ZERO, fmt_amount, fmt_percent, fmt_plain, fmt_score, round_rate
from ..core.satisfaction import satisfaction_table
from ..core.scoring import Evaluation, IndicatorScore, UnitScore
from ..core.slips import Slip
from ..core.writeplan import SheetPlan, WritePlan
from .model import Cell, Document, Figure, Heading, Paragraph, Section, Table
from .tables import sheet_table, sheet_tables

#: output sheets that are not printed as annexes (the body has their content, or they are working papers)
NOT_ANNEXED = {schema.OUTPUT_SUMMARY, schema.OUTPUT_LEVEL1, schema.OUTPUT_TRACE, schema.OUTPUT_FINDINGS, CHART_SHEET}
#: the review's sheet of slips (issue: 复核意见); printed as the last appendix when present
REVIEW_SHEET = "复核意见"

_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (section numbers)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def rate_text(score: Decimal, weight: Decimal) -> str:
    return fmt_percent(round_rate(score / weight)) if weight else "—"


def _points(value: Decimal) -> str:
    return f"{fmt_plain(value)}分"


class _Counter:
    def __init__(self, prefix: str):
        self.prefix, self.n = prefix, 0

    def next(self, text: str) -> str:
        self.n += 1
        return f"{self.prefix}{self.n} {text}"


def build_document(scored_evaluation: Evaluation, plan: WritePlan, *, slips: Sequence[Slip] = (),
                   checked: int | None = None) -> Document:
    """The report draft as a :class:`Document`.

    ``slips`` / ``checked``: what a review found (printed figures that do not follow from the data);
    printed as the 复核意见 appendix when there is any slip.  A plan that already carries a
    复核意见 sheet supplies that table instead."""
    return _Builder(scored_evaluation, plan, slips, checked).build()


class _Builder:
    def __init__(self, ev: Evaluation, plan: WritePlan, slips: Sequence[Slip], checked: int | None):
        self.ev, self.plan, self.slips, self.checked = ev, plan, list(slips), checked
        self.info = ev.book.info
        self.doc = Document(f"{ev.book.name}绩效评价报告")
        self.tables = _Counter("表")
        self.figures = _Counter("图")
        self.short = {u.full_name: u.short_name for u in ev.book.units}
        self.parts = 0

    # --- helpers ---------------------------------------------------------
    def p(self, text: str, style: str = "body") -> None:
        self.doc.add(Paragraph(text, style))

    def h(self, text: str, level: int) -> None:
        self.doc.add(Heading(text, level))

    def part(self, title: str) -> None:
        """A numbered part of the report (一、二、…), numbered as written so none is skipped."""
        self.parts += 1
        self.h(f"{cn_number(self.parts)}、{title}", 1)

    def table(self, table: Table, caption: str | None = None) -> None:
        from dataclasses import replace

        self.doc.add(replace(table, caption=self.tables.next(caption or table.caption)))

    def chart(self, chart: BarChart | None) -> None:
        if chart is not None:
            self.doc.add(Figure(self.figures.next(chart.title), chart, chart.alt))

    def sheet(self, name: str) -> SheetPlan | None:
        try:
            return self.plan.sheet(name)
        except KeyError:
            return None

    # --- the report --------------------------------------------------------
    def build(self) -> Document:
        self.cover()
        self.overview()
        self.conclusion()
        self.analysis()
        self.satisfaction()
        self.deductions()
        self.other()
        self.annexes()
        return self.doc

    def cover(self) -> None:
        ev = self.ev
        self.h(self.doc.title, 0)
        self.p("（初稿）", "center")
        for label, key in (("委托单位", "client"), ("评价机构", "evaluator"), ("评价类型", "eval_type"),
                           ("评价年度", "year")):
            value = self.info.get(key)
            if value not in (None, ""):
                self.p(f"{label}：{fmt_plain(value) if isinstance(value, Decimal) else value}", "meta")
        errors = len(ev.findings.errors)
        if errors:
            self.p(f"注意：评价工作簿的校验有 {errors} 项错误（见评分结果的“校验结果”工作表），相关指标的得分可能不完整；"
                   "请先更正工作簿并重新评分，再以本稿为准。", "note")
        self.p("本稿中的得分、得分率、计算过程、扣分原因和附件表格均由评价工作簿计算生成；项目背景、问题分析和建议等文字"
               "请评价人员补充修改。", "note")

    def overview(self) -> None:
        ev = self.ev
        self.part("项目及评价概况")
        self.h("（一）评价对象", 2)
        if ev.whole:
            self.p(f"本次评价以“{ev.book.name}”为对象，按项目整体评分。")
        else:
            names = "、".join(u.full_name for u in ev.units)
            how = "各单位总分按预算数加权平均" if ev.fund_weighted else "各单位总分的算术平均"
            self.p(f"本次评价涉及 {len(ev.units)} 个单位：{names}。各单位分别评分，项目得分为{how}。")
        funds = self.funds_sentence()
        if funds:
            self.h("（二）资金情况", 2)
            self.p(funds)
        self.h(f"（{cn_number(3 if funds else 2)}）评价指标体系和评分方法", 2)
        system = ev.units[0]
        n2 = len(system.level2)
        n3 = len(system.indicators)
        parts = "，".join(f"{l.name}{_points(l.weight)}" for l in ev.level1)
        self.p(f"评价指标体系设一级指标 {len(ev.level1)} 个、二级指标 {n2} 个、三级指标 {n3} 个，满分 100 分，其中{parts}。"
               "各三级指标按其评分标准计分，计算过程和扣分原因见第三部分及附件中的评分表。")
        excellent, good, fair = (fmt_plain(Decimal(self.info.get(k))) for k in
                                 ("grade_excellent", "grade_good", "grade_fair"))
        self.p(f"评价等级按总分划分：{excellent} 分（含）以上为“优”，{good} 分（含）至 {excellent} 分为“良”，"
               f"{fair} 分（含）至 {good} 分为“中”，{fair} 分以下为“差”。")

    def funds_sentence(self) -> str:
        sheet = self.sheet(schema.OUTPUT_FUNDS)
        if sheet is None:
            return ""
        grid = sheet.grid()
        header = next((row for row in grid if "预算（下达）资金" in row), None)
        total = next((row for row in grid if row and row[0] == "合计"), None)
        if header is None or total is None:
            return ""
        unit = self.ev.book.amount_unit

        def value(name: str) -> Decimal | None:
            return total[header.index(name)] if name in header else None

        said = []
        for name, label in (("预算（下达）资金", "预算（下达）资金"), ("到位资金", "到位资金"), ("已使用资金", "已使用资金")):
            amount = value(name)
            if amount is not None:
                said.append(f"{label} {fmt_amount(amount)} {unit}")
        for name in ("资金到位率", "预算执行率"):
            rate = value(name)
            if rate is not None:
                said.append(f"{name} {fmt_percent(rate)}")
        if not said:
            return ""
        return f"项目{'，'.join(said)}（各单位明细见附件中的资金使用情况表）。"

    def conclusion(self) -> None:
        ev = self.ev
        self.part("评价结论")
        parts = "；".join(f"{l.name}指标满分 {fmt_plain(l.weight)} 分，得 {fmt_score(l.score)} 分，得分率 "
                         f"{fmt_percent(round_rate(l.rate))}" for l in ev.level1)
        if ev.whole:
            self.p(f"经评价，{ev.book.name}综合得分 {fmt_score(ev.total)} 分，评价等级为“{ev.grade}”。其中，{parts}。")
        else:
            how = "按预算数加权平均" if ev.fund_weighted else "算术平均"
            self.p(f"经评价，{ev.book.name}各单位得分的{how}为 {fmt_score(ev.total)} 分，评价等级为“{ev.grade}”。"
                   f"项目层面各一级指标得分（各单位{how}）：{parts}。")
            self.p(self.units_sentence())
        if ev.total_note:
            self.p(ev.total_note, "note")
        level1 = self.sheet(schema.OUTPUT_LEVEL1)
        if level1 is not None:
            self.table(sheet_table(level1), "一级指标得分情况")
        self.chart(level1_chart(ev))
        if not ev.whole:
            self.table(self.units_table(), "各单位得分情况")
            self.chart(unit_totals_chart(ev))
            self.chart(unit_level1_chart(ev))

    def units_sentence(self) -> str:
        units = self.ev.units
        best = max(units, key=lambda u: u.total)
        worst = min(units, key=lambda u: u.total)
        counts = []
        for grade in ("优", "良", "中", "差"):
            n = sum(1 for u in units if u.grade == grade)
            if n:
                counts.append(f"“{grade}” {n} 个")
        return (f"{len(units)} 个单位中，评价等级为{'、'.join(counts)}；得分最高的是{best.name}（{fmt_score(best.total)} 分），"
                f"最低的是{worst.name}（{fmt_score(worst.total)} 分）。")

    def units_table(self) -> Table:
        ev = self.ev
        names = [l.name for l in ev.level1]
        weights = {l.name: l.weight for l in ev.level1}
        header = (tuple(Cell(t, "center", True, True) for t in
                        ["序号", "单位名称"] + [f"{n}\n（{_points(weights[n])}）" for n in names] + ["总分", "等级"]),)
        body = []
        for i, unit in enumerate(ev.units, start=1):
            scores = {l.name: l.score for l in unit.level1}
            body.append((Cell(str(i), "center"), Cell(unit.full_name))
                        + tuple(Cell(fmt_score(scores[n]) if n in scores else "", "right") for n in names)
                        + (Cell(fmt_score(unit.total), "right"), Cell(unit.grade, "center")))
        label = "加权平均" if ev.fund_weighted else "平均分"
        body.append((Cell("", "center", True, True), Cell(label, "center", True, True))
                    + tuple(Cell(fmt_score(l.score), "right", True, True) for l in ev.level1)
                    + (Cell(fmt_score(ev.total), "right", True, True), Cell(ev.grade, "center", True, True)))
        return Table("", header, tuple(body), widths=(6, 40) + (10,) * len(names) + (10, 7),
                     notes=("平均分一行为项目得分；各单位的评分表见附件。",), compact=True)

    # --- per-indicator analysis --------------------------------------------
    def analysis(self) -> None:
        ev = self.ev
        self.part("绩效分析")
        means = ev.indicator_means()[0] if not ev.whole else {}
        codes: list[str] = []
        for unit in ev.units:
            codes += [s.code for s in unit.indicators if s.code not in codes]
        by_code = {code: [(u, s) for u in ev.units for s in u.indicators if s.code == code] for code in codes}
        for n1, level in enumerate(ev.level1, start=1):
            self.h(f"（{cn_number(n1)}）{level.name}指标（{_points(level.weight)}，得 {fmt_score(level.score)} 分，"
                   f"得分率 {fmt_percent(round_rate(level.rate))}）", 2)
            number = 0
            for code in codes:
                pairs = by_code[code]
                sample = pairs[0][1]
                if sample.level1 != level.name:
                    continue
                number += 1
                self.h(f"{number}. {sample.level3}", 3)
                if ev.whole:
                    self.indicator_whole(sample)
                else:
                    self.indicator_units(sample, pairs, means.get(code, ZERO))

    def indicator_whole(self, s: IndicatorScore) -> None:
        self.p(f"二级指标“{s.level2}”下的三级指标，分值 {fmt_plain(s.weight)} 分，得分 {fmt_score(s.score)} 分，"
               f"得分率 {rate_text(s.score, s.weight)}。")
        if s.standard:
            self.p(f"评分标准：{s.standard}", "item")
        self.p(f"计算过程：{s.process}", "item")
        if s.score < s.weight:
            self.p(f"扣分原因：{s.reason or '（工作簿未填写扣分原因）'}", "item")
        else:
            self.p("该指标得满分，未扣分。", "item")

    def indicator_units(self, s: IndicatorScore, pairs: list[tuple[UnitScore, IndicatorScore]], mean: Decimal) -> None:
        weight = s.weight
        self.p(f"二级指标“{s.level2}”下的三级指标，分值 {fmt_plain(weight)} 分；各单位平均得分 {fmt_score(mean)} 分，"
               f"得分率 {rate_text(mean, weight)}。")
        standards = {x.standard for _, x in pairs}
        if len(standards) == 1 and s.standard:
            self.p(f"评分标准：{s.standard}", "item")
        short = [(u, x) for u, x in pairs if x.score < x.weight]
        missing = len(self.ev.units) - len(pairs)
        if not short:
            self.p(f"{'参评' if missing else '各'}单位均得满分。", "item")
            return
        full = len(pairs) - len(short)
        self.p(f"{full} 个单位得满分，{len(short)} 个单位扣分：" if full else f"{len(short)} 个单位均有扣分：", "item")
        # units with the same score, calculation and reason are named together
        groups: dict[tuple, list[UnitScore]] = {}
        for unit, x in short:
            groups.setdefault((x.score, x.weight, x.process, x.reason, x.standard), []).append(unit)
        for (score, unit_weight, process, reason, standard), units in groups.items():
            names = "、".join(u.name for u in units)
            own = "" if len(standards) == 1 else f"评分标准：{standard}。"
            each = "各" if len(units) > 1 else ""
            self.p(f"{names}：{each}得 {fmt_score(score)} 分（得分率 {rate_text(score, unit_weight)}）。{own}"
                   f"计算过程：{process}。扣分原因：{reason or '（工作簿未填写扣分原因）'}", "item")

    # --- satisfaction ----------------------------------------------------
    def satisfaction(self) -> None:
        if self.sheet(schema.OUTPUT_SATISFACTION) is None:
            return
        table = satisfaction_table(self.ev)
        names = table.all_headers
        rows = [(row, table.values(row)) for row in table.rows]
        if not rows or not names:
            return
        self.part("满意度调查情况")
        if self.ev.whole:
            _, values = rows[0]
            said = "，".join(f"{n} {fmt_percent(v)}" for n, v in zip(names, values) if v is not None)
            self.p(f"根据问卷调查结果，{said}。问卷统计表和满意度情况表见附件。")
        else:
            last = [(self.short.get(row.full_name, row.full_name), values[-1]) for row, values in rows
                    if values[-1] is not None]
            if last:
                high = max(last, key=lambda x: x[1])
                low = min(last, key=lambda x: x[1])
                self.p(f"各单位{names[-1]}在 {fmt_percent(low[1])}（{low[0]}）至 {fmt_percent(high[1])}（{high[0]}）之间。"
                       "各类对象分单位的满意度见下图和附件中的满意度情况表。")
        self.chart(satisfaction_chart(self.ev))

    # --- deductions and other notes ----------------------------------------
    def deductions(self) -> None:
        ev = self.ev
        items = []
        codes: list[str] = []
        for unit in ev.units:
            codes += [s.code for s in unit.indicators if s.code not in codes]
        means = ev.indicator_means()[0] if not ev.whole else {}
        for code in codes:
            pairs = [(u, s) for u in ev.units for s in u.indicators if s.code == code and s.score < s.weight]
            if not pairs:
                continue
            s = pairs[0][1]
            if ev.whole:
                items.append(f"{s.level3}：扣 {fmt_score(s.weight - s.score)} 分。{s.reason or '（工作簿未填写扣分原因）'}")
            else:
                who = "、".join(u.name for u, _ in pairs)
                lost = s.weight - means.get(code, s.weight)
                items.append(f"{s.level3}：{len(pairs)} 个单位扣分（{who}），项目层面（各单位平均）扣 {fmt_score(lost)} 分。")
        self.part("主要扣分事项")
        if not items:
            self.p("各指标均得满分，没有扣分事项。")
            return
        self.p("以下按指标列出扣分情况（分单位的扣分原因见第三部分），供撰写存在问题和建议时参考：")
        for i, text in enumerate(items, start=1):
            self.p(f"{i}. {text}", "item")

    def other(self) -> None:
        ev = self.ev
        self.part("其他说明")
        self.p("得分和比率的舍入办法见附件评分表下的说明。表格的合计行等于所列各行之和，四舍五入造成的尾差按表下注明的"
               "办法处理。")
        findings = list(ev.findings)
        errors = len(ev.findings.errors)
        if findings:
            self.p(f"评分时的校验共有错误 {errors} 项、提示 {len(findings) - errors} 项，逐项列于评分结果的“校验结果”工作表。")
        else:
            self.p("评分时的校验未发现问题。")
        if self.slips or self.sheet(REVIEW_SHEET) is not None:
            self.p("复核发现的数字差异见附件中的复核意见。")
        self.p(f"本稿由 perfeval-xl {__version__} 生成。", "note")

    # --- annexes -----------------------------------------------------------
    def annexes(self) -> None:
        ev = self.ev
        scoresheets = [s for s in self.plan.sheets
                       if s.name == schema.OUTPUT_SCORESHEET or s.name.startswith(schema.OUTPUT_SCORESHEET + "-")]
        others = [s for s in self.plan.sheets if s not in scoresheets and s.name not in NOT_ANNEXED
                  and s.name != REVIEW_SHEET]
        number = 0
        if scoresheets:
            number += 1
            for i, sheet in enumerate(scoresheets, start=1):
                label = f"附件{number}" if len(scoresheets) == 1 else f"附件{number}-{i}"
                unit = ev.units[i - 1] if i - 1 < len(ev.units) else None
                caption = "评分表" if ev.whole or unit is None else f"{unit.full_name}评分表"
                self.annex(label, caption, sheet_table(sheet, compact=True), landscape=True)
        for sheet in others:
            number += 1
            table = sheet_table(sheet)
            title = table.caption.removeprefix(ev.book.name) or sheet.name
            self.annex(f"附件{number}", title, table, landscape=table.n_cols > 6)
        review = self.sheet(REVIEW_SHEET)
        if review is not None:
            number += 1
            first, *rest = sheet_tables(review, compact=True)
            self.annex(f"附件{number}", "复核意见", first, landscape=True)
            self.doc.add(*rest)
        elif self.slips:
            number += 1
            self.annex(f"附件{number}", "复核意见", self.slips_table(), landscape=True)

    def annex(self, label: str, title: str, table: Table, landscape: bool) -> None:
        from dataclasses import replace

        self.doc.add(Section(landscape=landscape))
        self.p(label, "annex")
        self.h(title, 4)
        self.doc.add(replace(table, caption=""))  # the annex title is the table's title

    def slips_table(self) -> Table:
        headers = ["序号", "工作表", "单元格", "对象", "单位", "报告值", "复算值", "说明", "出处"]
        head = (tuple(Cell(h, "center", True, True) for h in headers),)
        body = tuple((Cell(str(i), "center"), Cell(s.sheet), Cell(s.cell, "center"), Cell(s.object), Cell(s.unit),
                      Cell(s.printed, "right"), Cell(s.expected, "right"), Cell(s.message), Cell(s.source))
                     for i, s in enumerate(self.slips, start=1))
        above = ()
        if self.checked is not None:
            agree = self.checked - len(self.slips)
            above = (f"共核对报告中印出的数字 {self.checked} 个，其中 {agree} 个与复算一致，{len(self.slips)} 个不一致。",)
        return Table("", head, body, widths=(5, 12, 8, 18, 10, 10, 10, 40, 16), above=above, compact=True)
