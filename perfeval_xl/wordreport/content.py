"""The report draft's content, built from the evaluation and its write plan.

The draft follows the reference outline of 财预〔2020〕10号 附3 (项目支出绩效评价报告 参考提纲):
a cover page, 报告摘要, 目录, 一 基本情况, 二 绩效评价工作开展情况, 三 综合评价情况及评价结论,
四 绩效评价指标分析, 五 主要经验及做法、存在的问题及原因分析, 六 有关建议, 七 其他需要说明的问题,
then the annexes.  Every figure comes from the scored evaluation (scores, 得分率, values, 扣分原因)
or from the output sheets of the write plan (the annex tables), never typed: the Word draft and
the scored workbook cannot disagree.  What only the evaluator knows (background, 经验, causes,
suggestions) is a marked placeholder 【请补充：…】 saying what belongs there; nothing is invented.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

from ..core import schema
from ..core.charts import CHART_SHEET, level1_chart, satisfaction_chart, unit_level1_chart, unit_totals_chart
from ..core.findings import FindingList
from ..core.numbers import ZERO, fmt_amount, fmt_percent, fmt_plain, fmt_score, round_rate, to_decimal
from ..core.satisfaction import satisfaction_table
from ..core.scoring import Evaluation, IndicatorScore, UnitScore
from ..core.writeplan import Chart, SheetPlan, WritePlan
from .model import Cell, Document, Figure, Heading, PageBreak, Paragraph, Section, Table, Toc
from .tables import sheet_table, sheet_tables

#: output sheets that are not printed as annexes (the body has their content, or they are working papers)
NOT_ANNEXED = {schema.OUTPUT_SUMMARY, schema.OUTPUT_LEVEL1, schema.OUTPUT_TRACE, schema.OUTPUT_FINDINGS, CHART_SHEET}
#: the review's sheet of slips: a work paper, written by ``perfeval review --docx``, never in the report
REVIEW_SHEET = "复核意见"
#: the lead of a paragraph the evaluator must write
TO_FILL = "【请补充："

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


def placeholder(what: str) -> str:
    """A paragraph the evaluator writes: what belongs there, clearly marked."""
    return f"{TO_FILL}{what}】"


def cn_date(day: _dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class _Counter:
    def __init__(self, prefix: str):
        self.prefix, self.n = prefix, 0

    def next(self, text: str) -> str:
        self.n += 1
        return f"{self.prefix}{self.n} {text}"


def build_document(scored_evaluation: Evaluation, plan: WritePlan, findings: FindingList, *,
                   today: _dt.date | None = None) -> Document:
    """The report draft as a :class:`Document` (``findings``: the run's findings of scoring the workbook,
    whose errors the draft warns of; ``today``: the date on the cover, default today).

    The plan's 复核意见 sheet, when there is one, is left out: it is a work paper
    (``perfeval review --docx`` writes it as a document of its own)."""
    return _Builder(scored_evaluation, plan, findings, today or _dt.date.today()).build()


def review_document(name: str, author: str, plan: WritePlan, *, today: _dt.date | None = None) -> Document | None:
    """The 复核意见 sheet of a review plan as a document of its own (None without one): a work
    paper for the evaluator, kept out of the report draft."""
    from dataclasses import replace

    review = next((s for s in plan.sheets if s.name == REVIEW_SHEET), None)
    if review is None:
        return None
    day = today or _dt.date.today()
    doc = Document(f"{name}复核意见", author=author, date=day)
    doc.add(Heading(doc.title, 0), Paragraph(cn_date(day), "center"))
    tables = sheet_tables(review, compact=True)
    if tables:
        first, *rest = tables
        doc.add(Section(landscape=True), replace(first, caption=""), *rest)
    return doc


class _Builder:
    def __init__(self, ev: Evaluation, plan: WritePlan, findings: FindingList, today: _dt.date):
        self.ev, self.plan, self.today = ev, plan, today
        self.errors = len(findings.errors)
        self.info = ev.book.info
        self.doc = Document(f"{ev.book.name}绩效评价报告", author=self.text_info("evaluator"), date=today)
        self.tables = _Counter("表")
        self.figures = _Counter("图")
        self.short = {u.full_name: u.short_name for u in ev.book.units}
        self.parts = 0
        self.codes: list[str] = []
        for unit in ev.units:
            self.codes += [s.code for s in unit.indicators if s.code not in self.codes]
        self.by_code = {code: [(u, s) for u in ev.units for s in u.indicators if s.code == code]
                        for code in self.codes}
        self.means = ev.indicator_means()[0] if not ev.whole else {}
        #: the problems of 五（二）, numbered, each (title, level1) for 六 有关建议
        self.problems: list[str] = []

    # --- helpers ---------------------------------------------------------
    def text_info(self, key: str) -> str:
        value = self.info.get(key)
        if value in (None, ""):
            return ""
        return fmt_plain(value) if isinstance(value, Decimal) else str(value)

    def p(self, text: str, style: str = "body") -> None:
        self.doc.add(Paragraph(text, style))

    def fill(self, what: str) -> None:
        self.doc.add(Paragraph(placeholder(what), "fill"))

    def h(self, text: str, level: int) -> None:
        self.doc.add(Heading(text, level))

    def part(self, title: str) -> None:
        """A numbered part of the report (一、二、…), numbered as written so none is skipped."""
        self.parts += 1
        self.h(f"{cn_number(self.parts)}、{title}", 1)

    def table(self, table: Table, caption: str | None = None) -> None:
        from dataclasses import replace

        self.doc.add(replace(table, caption=self.tables.next(caption or table.caption)))

    def chart(self, chart: Chart | None) -> None:
        if chart is not None:
            self.doc.add(Figure(self.figures.next(chart.title), chart, chart.alt))

    def sheet(self, name: str) -> SheetPlan | None:
        try:
            return self.plan.sheet(name)
        except KeyError:
            return None

    def score_of(self, code: str) -> Decimal:
        """The project-level score of a 三级 indicator (the unit mean in a by-unit evaluation)."""
        if self.ev.whole:
            return self.by_code[code][0][1].score
        return self.means.get(code, ZERO)

    def deducted(self, code: str) -> list[tuple[UnitScore, IndicatorScore]]:
        return [(u, s) for u, s in self.by_code[code] if s.score < s.weight]

    # --- the report --------------------------------------------------------
    def build(self) -> Document:
        self.cover()
        self.abstract()
        self.contents()
        self.opening()
        self.basics()
        self.work()
        self.conclusion()
        self.analysis()
        self.lessons_and_problems()
        self.suggestions()
        self.other()
        self.annexes()
        return self.doc

    def cover(self) -> None:
        ev = self.ev
        self.h(self.doc.title, 0)
        self.p("（初稿）", "center")
        lines = [("项目名称", ev.book.name)]
        for label, key in (("委托单位", "client"), ("评价机构", "evaluator")):
            lines.append((label, self.text_info(key) or placeholder(label)))
        for label, key in (("评价类型", "eval_type"), ("评价年度", "year")):
            if self.text_info(key):
                lines.append((label, self.text_info(key)))
        lines.append(("报告日期", cn_date(self.today)))
        for label, value in lines:
            self.p(f"{label}：{value}", "meta")
        errors = self.errors
        if errors:
            self.p(f"注意：评价工作簿的校验有 {errors} 项错误（见评分结果的“校验结果”工作表），相关指标的得分可能不完整；"
                   "请先更正工作簿并重新评分，再以本稿为准。", "note")
        self.p("本稿的得分、得分率、指标值、扣分原因和附件表格由评价工作簿计算生成；标有“【请补充：…】”的段落需评价人员"
               "根据掌握的情况撰写，定稿前删去本说明。", "note")
        self.doc.add(PageBreak())

    def abstract(self) -> None:
        ev = self.ev
        self.h("报告摘要", 5)
        self.p(f"{self.who()}对“{ev.book.name}”开展绩效评价。{self.verdict()}")
        lost = [(code, self.by_code[code][0][1]) for code in self.codes if self.deducted(code)]
        if lost:
            names = "、".join(s.level3 for _, s in lost)
            self.p(f"评价发现，{len(lost)} 个三级指标有扣分：{names}，主要问题及原因见第五部分，有关建议见第六部分。")
        else:
            self.p("各三级指标均得满分。")
        self.fill("用一两段话概括项目的主要成效、存在的主要问题和核心建议")
        self.doc.add(PageBreak())

    def contents(self) -> None:
        self.h("目录", 5)
        self.doc.add(Toc())
        self.doc.add(PageBreak())

    def who(self) -> str:
        client, evaluator = self.text_info("client"), self.text_info("evaluator")
        if client and evaluator:
            return f"{evaluator}接受{client}委托，"
        if evaluator:
            return f"{evaluator}"
        return f"{placeholder('评价机构')}接受{placeholder('委托单位')}委托，"

    def verdict(self) -> str:
        ev = self.ev
        parts = "；".join(f"{l.name}指标满分 {fmt_plain(l.weight)} 分，得 {fmt_score(l.score)} 分，得分率 "
                         f"{fmt_percent(round_rate(l.rate))}" for l in ev.level1)
        if ev.whole:
            return f"经评价，{ev.book.name}综合得分 {fmt_score(ev.total)} 分，评价等级为“{ev.grade}”。其中，{parts}。"
        how = "按预算数加权平均" if ev.fund_weighted else "算术平均"
        return (f"经评价，{ev.book.name}各单位得分的{how}为 {fmt_score(ev.total)} 分，评价等级为“{ev.grade}”。"
                f"项目层面各一级指标得分（各单位{how}）：{parts}。")

    def opening(self) -> None:
        year = self.text_info("year")
        when = f"{year}年度" if year else ""
        self.fill("评价工作的依据文件（如财政部门开展重点绩效评价的通知）和评价工作起止时间")
        self.p(f"{self.who()}对“{self.ev.book.name}”{when}项目支出开展绩效评价。现将评价情况报告如下：")

    # --- 一 基本情况 --------------------------------------------------------
    def basics(self) -> None:
        ev = self.ev
        self.part("基本情况")
        self.h("（一）项目概况", 2)
        self.h("1.项目背景和主要内容", 3)
        self.fill("项目的立项背景和依据、主要内容、资金的支出范围")
        self.h("2.实施情况", 3)
        units = ev.book.units
        if units:
            names = "、".join(u.full_name for u in units)
            self.p(f"项目由 {len(units)} 个单位实施：{names}。")
        self.fill("各单位项目的实施内容和完成情况")
        self.h("3.资金投入和使用情况", 3)
        funds = self.funds_sentence()
        if funds:
            self.p(funds)
        else:
            self.fill("项目资金的预算、到位和使用情况（工作簿未填写“资金情况”）")
        self.h("（二）项目绩效目标", 2)
        self.fill("项目的总体绩效目标和年度（阶段性）目标，可摘自绩效目标申报表")
        table = self.targets_table()
        if table is not None:
            self.p("评价中有指标值的三级指标、其目标值和评价时的实际值如下表：")
            self.table(table, "绩效指标及实现情况")

    def funds_sentence(self) -> str:
        sheet = self.sheet(schema.OUTPUT_FUNDS)
        if sheet is None:
            return ""
        grid = sheet.grid()
        header = next((row for row in grid if "预算（下达）资金" in row), None)
        # one year: the 合计 row; several years: the 总计 of the units' 小计
        total = next((row for row in grid if row and row[0] in ("合计", "总计")), None)
        if header is None or total is None:
            return ""
        unit = self.ev.book.amount_unit

        def value(name: str) -> Decimal | None:
            cell = total[header.index(name)] if name in header else None
            return None if cell is None else to_decimal(cell)

        said = []
        for name in ("预算（下达）资金", "到位资金", "已使用资金"):
            amount = value(name)
            if amount is not None:
                said.append(f"{name} {fmt_amount(amount)} {unit}")
        for name in ("资金到位率", "预算执行率"):
            rate = value(name)
            if rate is not None:
                said.append(f"{name} {fmt_percent(rate)}")
        if not said:
            return ""
        years = ""
        if "年度" in header:
            column = header.index("年度")
            found = sorted({cell for row in grid if row is not header and isinstance(cell := row[column], str)
                            and cell.endswith("年") and cell[:-1].isdigit()})
            if len(found) > 1:
                years = f"{found[0]}至{found[-1]}，"
        return f"{years}项目{'，'.join(said)}（各单位明细见附件中的资金使用情况表）。"

    def targets_table(self) -> Table | None:
        """The indicators with a measured value: 目标值 (the 目标值 column, or the rule's
        full-mark line) and the value the evaluation found."""
        rows = []
        for code in self.codes:
            pairs = self.by_code[code]
            s = pairs[0][1]
            values = [x.value for _, x in pairs if x.value is not None]
            if not values:
                continue
            target = self.target_text(code)
            if len(values) == 1:
                actual = values[0].show()
            else:
                low = min(values, key=lambda v: v.amount)
                high = max(values, key=lambda v: v.amount)
                actual = low.show() if low.amount == high.amount else f"{low.show()}～{high.show()}"
            met = sum(1 for _, x in pairs if x.score >= x.weight)
            if self.ev.whole:
                state = "达到" if met else "未达到"
            else:
                state = f"{met}/{len(pairs)} 个单位达到"
            rows.append((Cell(s.level1, "center"), Cell(s.level2, "center"), Cell(s.level3), Cell(target, "center"),
                         Cell(actual, "right"), Cell(state, "center")))
        if not rows:
            return None
        header = (tuple(Cell(t, "center", True, True) for t in
                        ("一级指标", "二级指标", "三级指标", "目标值", "实际值" if self.ev.whole else "各单位实际值", "是否达到")),)
        return Table("", header, tuple(rows), widths=(10, 12, 26, 14, 16, 14),
                     notes=("目标值取自指标体系的“目标值”列；未填写时为评分标准中得满分的界限。“达到”指该指标得满分。",),
                     compact=True)

    def target_text(self, code: str) -> str:
        d = next((d for d in self.ev.system.generic if d.code == code), None)
        if d is None:
            return "—"
        if d.target:
            return d.target
        rule = d.rule
        if rule is not None:
            for what, threshold in rule.thresholds():
                if what in ("满分线", "界限"):
                    prefix = "≤" if getattr(rule, "reverse", False) else "≥"
                    return threshold.show() if threshold.show()[:1] in "≥≤<>=" else prefix + threshold.show()
        return "—"

    # --- 二 评价工作开展情况 --------------------------------------------------
    def work(self) -> None:
        ev = self.ev
        self.part("绩效评价工作开展情况")
        self.h("（一）绩效评价目的、对象和范围", 2)
        self.fill("本次评价的目的")
        if ev.whole:
            self.p(f"评价对象为“{ev.book.name}”，按项目整体评分。")
        else:
            how = "各单位总分按预算数加权平均" if ev.fund_weighted else "各单位总分的算术平均"
            names = "、".join(u.full_name for u in ev.units)
            self.p(f"评价对象为“{ev.book.name}”涉及的 {len(ev.units)} 个单位：{names}。各单位分别评分，项目得分为{how}。")
        year = self.text_info("year")
        if year:
            self.p(f"评价范围为{year}年度项目资金的安排、使用和项目实施情况。")
        else:
            self.fill("评价范围（年度、资金和实施内容）")
        self.h("（二）绩效评价原则、评价指标体系、评价方法和评价标准", 2)
        self.h("1.评价原则", 3)
        self.fill("本次评价遵循的原则")
        self.h("2.评价指标体系", 3)
        system = ev.units[0]
        level2_names: dict[str, list[str]] = {}
        level3_count: dict[str, int] = {}
        for s in system.indicators:
            level2_names.setdefault(s.level1, [])
            if s.level2 not in level2_names[s.level1]:
                level2_names[s.level1].append(s.level2)
            level3_count[s.level1] = level3_count.get(s.level1, 0) + 1
        weights = "、".join(f"{l.name}{_points(l.weight)}" for l in ev.level1)
        self.p(f"评价指标体系设一级指标 {len(ev.level1)} 个、二级指标 {len(system.level2)} 个、三级指标 "
               f"{len(system.indicators)} 个，满分 100 分，各一级指标分值为：{weights}。")
        for level in ev.level1:
            level2_of = level2_names.get(level.name, [])
            self.p(f"“{level.name}”指标下设{'、'.join(level2_of)} {len(level2_of)} 个二级指标、{level3_count.get(level.name, 0)} "
                   "个三级指标。", "item")
        self.p("指标体系及各指标的评分标准见附件1评分表。")
        self.h("3.评价方法", 3)
        self.p(self.methods_sentence())
        survey = self.survey_sentence()
        if survey:
            self.p(survey)
        self.fill("资料审阅、实地核查、座谈访谈等评价方式和抽样情况")
        self.h("4.评价标准", 3)
        excellent, good, fair = (fmt_plain(to_decimal(self.info.get(k))) for k in
                                 ("grade_excellent", "grade_good", "grade_fair"))
        self.p(f"各三级指标按评分标准计分，综合得分按以下标准划分等级：{excellent} 分（含）以上为“优”，{good} 分（含）至 "
               f"{excellent} 分为“良”，{fair} 分（含）至 {good} 分为“中”，{fair} 分以下为“差”。")
        self.h("（三）绩效评价工作过程", 2)
        kind = self.text_info("eval_type")
        if kind:
            self.p(f"本次评价为{kind}。")
        self.fill("前期准备、组织实施（资料收集、现场核查、问卷调查）、分析评价和撰写报告各阶段的时间和主要工作")

    def methods_sentence(self) -> str:
        kinds: dict[str, int] = {}
        for s in self.ev.units[0].indicators:
            kinds[s.kind] = kinds.get(s.kind, 0) + 1
        groups = (("按工作簿中的数据计算指标值、再按评分标准计分", ("比率", "区间", "阶梯扣分", "分档", "公式", "趋势")),
                  ("对照评价要点逐项核查计分", ("要点", "逐项扣分")),
                  ("按定性等级计分", ("定性",)),
                  ("由评价人员依据核查资料评分", ("人工",)))
        parts = []
        counted = 0
        for words, members in groups:
            n = sum(kinds.get(k, 0) for k in members)
            counted += n
            if n:
                parts.append(f"{n} 个{words}")
        rest = sum(kinds.values()) - counted
        if rest:
            parts.append(f"{rest} 个由分项合计")
        return f"{len(self.ev.units[0].indicators)} 个三级指标中，" + "，".join(parts) + "。"

    def survey_sentence(self) -> str:
        table = satisfaction_table(self.ev) if self.sheet(schema.OUTPUT_SATISFACTION) is not None else None
        if table is None or not table.codes:
            return ""
        from ..core.satisfaction import _safe

        counts = []
        for code, header in zip(table.codes, table.headers):
            value = _safe(self.ev.scope(None), f"有效问卷数({code})")
            name = header.removesuffix("满意度")
            counts.append(f"{name}{'有效问卷 ' + fmt_plain(value.amount) + ' 份' if value else ''}")
        return f"满意度采用问卷调查，调查对象为{'、'.join(counts)}。"

    # --- 三 综合评价情况及评价结论 ----------------------------------------------
    def conclusion(self) -> None:
        ev = self.ev
        self.part("综合评价情况及评价结论")
        self.p(self.verdict())
        if not ev.whole:
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
        self.p("各指标的评分情况详见附件1评分表。")
        self.fill("对项目决策、过程、产出和效益的总体评价")

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

    # --- 四 绩效评价指标分析 ----------------------------------------------------
    def analysis(self) -> None:
        ev = self.ev
        self.part("绩效评价指标分析")
        for n1, level in enumerate(ev.level1, start=1):
            self.h(f"（{cn_number(n1)}）项目{level.name}情况", 2)
            level2s: list[str] = []
            for code in self.codes:
                s = self.by_code[code][0][1]
                if s.level1 == level.name and s.level2 not in level2s:
                    level2s.append(s.level2)
            self.p(f"{level.name}指标包括{'、'.join(level2s)} {len(level2s)} 个方面，满分 {fmt_plain(level.weight)} 分，"
                   f"{'各单位平均' if not ev.whole else ''}得 {fmt_score(level.score)} 分，得分率 "
                   f"{fmt_percent(round_rate(level.rate))}。")
            for n2, name in enumerate(level2s, start=1):
                codes = [c for c in self.codes if self.by_code[c][0][1].level1 == level.name
                         and self.by_code[c][0][1].level2 == name]
                self.h(f"{n2}.{name}", 3)
                self.level2_prose(name, codes)
            if self.is_satisfaction_level(level.name):
                self.satisfaction()

    def is_satisfaction_level(self, level1: str) -> bool:
        """The satisfaction chart goes under the 一级指标 holding the 满意度 二级指标 (the last one otherwise)."""
        holding = [s.level1 for c in self.codes for s in [self.by_code[c][0][1]] if "满意" in s.level2]
        return level1 == (holding[0] if holding else self.ev.level1[-1].name)

    def level2_prose(self, name: str, codes: list[str]) -> None:
        ev = self.ev
        samples = [self.by_code[c][0][1] for c in codes]
        weight = sum((s.weight for s in samples), ZERO)
        score = sum((self.score_of(c) for c in codes), ZERO)
        names = "、".join(s.level3 for s in samples)
        self.p(f"{name}指标满分 {fmt_plain(weight)} 分，从{names}{'等' if len(samples) > 2 else ''}方面评价，"
               f"{'各单位平均' if not ev.whole else ''}得 {fmt_score(score)} 分，得分率 {rate_text(score, weight)}。")
        full = [c for c in codes if not self.deducted(c)]
        short = [c for c in codes if self.deducted(c)]
        if full:
            said = []
            for c in full:
                s = self.by_code[c][0][1]
                if ev.whole and s.value is not None:
                    said.append(f"{s.level3} {s.value.show()}" if s.value.label == s.level3
                                else f"{s.level3}（{s.value.label} {s.value.show()}）")
                else:
                    said.append(s.level3)
            every = "各单位" if not ev.whole else ""
            self.p(f"{'、'.join(said)}{every}{'均' if len(full) > 1 or every else ''}得满分。")
        for c in short:
            s = self.by_code[c][0][1]
            if ev.whole:
                value = f"{s.value.label}为 {s.value.show()}，" if s.value is not None else ""
                reason = s.reason.rstrip("。") if s.reason else "工作簿未填写扣分原因"
                self.p(f"{s.level3}指标满分 {fmt_plain(s.weight)} 分，{value}得 {fmt_score(s.score)} 分，"
                       f"扣 {fmt_score(s.weight - s.score)} 分。扣分原因：{reason}。")
            else:
                self.units_prose(s, self.by_code[c], self.means.get(c, ZERO))

    def units_prose(self, s: IndicatorScore, pairs: list[tuple[UnitScore, IndicatorScore]], mean: Decimal) -> None:
        short = [(u, x) for u, x in pairs if x.score < x.weight]
        full = len(pairs) - len(short)
        lead = f"{full} 个单位得满分，" if full else ""
        self.p(f"{s.level3}指标满分 {fmt_plain(s.weight)} 分，各单位平均得 {fmt_score(mean)} 分（得分率 "
               f"{rate_text(mean, s.weight)}）；{lead}{len(short)} 个单位扣分：")
        standards = {x.standard for _, x in pairs}
        # units with the same score and reason are named together
        groups: dict[tuple, list[tuple[UnitScore, IndicatorScore]]] = {}
        for unit, x in short:
            groups.setdefault((x.score, x.weight, x.reason, x.standard), []).append((unit, x))
        for (score, unit_weight, reason, standard), members in groups.items():
            names = "、".join(u.name for u, _ in members)
            own = "" if len(standards) == 1 else f"（评分标准：{standard}）"
            each = "各" if len(members) > 1 else ""
            values = [x.value for _, x in members if x.value is not None]
            value = ""
            if len(values) == 1:
                value = f"{values[0].label} {values[0].show()}，"
            why = (reason or "工作簿未填写扣分原因").rstrip("。")
            self.p(f"{names}：{value}{each}得 {fmt_score(score)} 分{own}。扣分原因：{why}。", "item")

    # --- satisfaction (under the 一级指标 holding 满意度) -------------------------
    def satisfaction(self) -> None:
        if self.sheet(schema.OUTPUT_SATISFACTION) is None:
            return
        table = satisfaction_table(self.ev)
        names = table.all_headers
        rows = [(row, table.values(row)) for row in table.rows]
        if not rows or not names:
            return
        if self.ev.whole:
            _, values = rows[0]
            said = "，".join(f"{n} {fmt_percent(v)}" for n, v in zip(names, values) if v is not None)
            self.p(f"问卷调查结果：{said}。问卷统计表和满意度情况表见附件。")
        else:
            last = [(self.short.get(row.full_name, row.full_name), values[-1]) for row, values in rows
                    if values[-1] is not None]
            if last:
                high = max(last, key=lambda x: x[1])
                low = min(last, key=lambda x: x[1])
                self.p(f"各单位{names[-1]}在 {fmt_percent(low[1])}（{low[0]}）至 {fmt_percent(high[1])}（{high[0]}）之间。"
                       "各类对象分单位的满意度见下图和附件中的满意度情况表。")
        self.chart(satisfaction_chart(self.ev))

    # --- 五 经验、问题 / 六 建议 -------------------------------------------------
    def lessons_and_problems(self) -> None:
        ev = self.ev
        self.part("主要经验及做法、存在的问题及原因分析")
        self.h("（一）主要经验及做法", 2)
        self.fill("项目实施中行之有效的做法和可推广的经验；没有则写“无”")
        self.h("（二）存在的问题及原因分析", 2)
        any_problem = False
        n = 0
        for level in ev.level1:
            codes = [c for c in self.codes if self.by_code[c][0][1].level1 == level.name and self.deducted(c)]
            if not codes:
                continue
            any_problem = True
            n += 1
            self.h(f"{n}.{level.name}方面", 3)
            for c in codes:
                s = self.by_code[c][0][1]
                self.problems.append(s.level3)
                k = len(self.problems)
                if ev.whole:
                    why = (s.reason or "工作簿未填写扣分原因").rstrip("。")
                    self.p(f"（{k}）{s.level3}（{s.level2}）扣 {fmt_score(s.weight - s.score)} 分（满分 "
                           f"{fmt_plain(s.weight)} 分，得 {fmt_score(s.score)} 分）。扣分原因：{why}。")
                else:
                    pairs = self.deducted(c)
                    lost = s.weight - self.means.get(c, s.weight)
                    reasons = list(dict.fromkeys((x.reason or "工作簿未填写扣分原因").rstrip("。") for _, x in pairs))
                    who = "、".join(u.name for u, _ in pairs)
                    shown = "；".join(reasons[:3]) + ("等" if len(reasons) > 3 else "")
                    self.p(f"（{k}）{s.level3}（{s.level2}）：{len(pairs)} 个单位扣分（{who}），项目层面（各单位平均）扣 "
                           f"{fmt_score(lost)} 分。扣分原因：{shown}。")
                self.fill(f"“{s.level3}”扣分反映的问题及其原因")
        if not any_problem:
            self.p("各指标均得满分，评分未发现扣分事项。")
            self.fill("评价中发现的其他问题及原因；没有则写“无”")

    def suggestions(self) -> None:
        self.part("有关建议")
        if not self.problems:
            self.fill("对项目今后安排和管理的建议；没有则写“无”")
            return
        for k, name in enumerate(self.problems, start=1):
            self.h(f"（{cn_number(k)}）针对问题（{k}）{name}", 2)
            self.fill(f"针对“{name}”扣分所反映问题的改进建议（见第五部分问题（{k}））")

    def other(self) -> None:
        self.part("其他需要说明的问题")
        self.p("得分和比率均按四舍五入保留两位小数；表格的合计行等于所列各行之和，舍入造成的尾差按表下注明的办法处理。")
        errors = self.errors
        if errors:
            self.p(f"评分时的校验有错误 {errors} 项，相关指标的得分可能不完整。", "note")
        self.fill("评价工作的局限、数据来源的限制或其他需要说明的事项；没有则写“无”")

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

    def annex(self, label: str, title: str, table: Table, landscape: bool) -> None:
        from dataclasses import replace

        self.doc.add(Section(landscape=landscape, header=f"{label} {title}"))
        self.p(label, "annex")
        self.h(title, 4)
        self.doc.add(replace(table, caption=""))  # the annex title is the table's title
