"""Scoring rules: each kind parses the parameters an evaluator types into the
指标体系 sheet, scores a value, and prints its own 评分标准 and 计算过程, so the
printed text and the score can never disagree.

Rounding policy (one place, :func:`finish`; documented in docs/rules.md):
* a measured rate enters a rule already rounded to 0.01 % (as printed);
* everything after that is exact: shares such as 1/3 of a weight are fractions, steps and
  deductions are not rounded on the way;
* the score is rounded once, half up to 0.01, and kept within 0 … 分值 — so 公式 and
  阶梯扣分 give the same score for the same rule.

One module per concern: :mod:`.base` (values, thresholds, entries, parameter parsing, rounding, the
:class:`Rule` base), :mod:`.ratio` (比率), :mod:`.bands` (区间, 阶梯扣分, 分档), :mod:`.checklist`
(要点, 定性, 人工), :mod:`.formula_rule` (公式), :mod:`.counting` (逐项扣分, 趋势).  This module lists
them (:data:`KINDS`, the one list) and makes a rule (:func:`make_rule`).  A new rule kind is a module
here and one entry of :data:`KINDS` (with its section in docs/rules.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from .base import (Context, Entry, Outcome, Problem, Rule, RuleError, Threshold, Value, is_quotient_unit, parse_points,
                   parse_threshold, rate_mismatch, show_amount)
from .bands import BandsRule, StepRule, TiersRule
from .checklist import ChecklistRule, ManualRule, QualitativeRule
from .counting import CountRule, TrendRule
from .formula_rule import FormulaRule
from .ratio import RatioRule

#: what the rest of the package uses: the rule kinds and their registry, and the values a rule is given
__all__ = ["KINDS", "KIND_NAMES", "RULES", "SUB_ITEMS", "BandsRule", "ChecklistRule", "Context", "CountRule", "Entry",
           "FormulaRule", "ManualRule", "Outcome", "Problem", "QualitativeRule", "RatioRule", "Rule", "RuleError",
           "RuleKind", "StepRule", "Threshold", "TiersRule", "TrendRule", "Value", "is_quotient_unit", "make_rule",
           "parse_points", "parse_threshold", "rate_mismatch", "show_amount"]


#: the kind of an indicator scored as the sum of its items (子项), which has no rule of its own
SUB_ITEMS = "子项合计"


@dataclass(frozen=True)
class RuleKind:
    """One scoring method an evaluator can choose in 指标体系!评分方法, with how its 规则参数 are written
    (the template's 规则写法 sheet is generated from these, and a test parses every example)."""

    name: str
    #: the rule class, None for 子项合计 (its items carry the rules)
    rule: type[Rule] | None
    #: how 规则参数 are written, in one or two sentences
    syntax: str = ""
    #: a 规则参数 written that way (parsed by the rule in the tests, with ``example_weight``)
    example: str = ""
    example_weight: str = "5"
    #: what the example gives, for a value (or entries) an evaluator would have
    example_result: str = ""


#: every rule kind, in the order of the template's drop-down.  The one list: the drop-down
#: (schema.RULE_KINDS), :data:`RULES`, the template's 规则写法 sheet, the messages and the docs check all come from it.
KINDS: tuple[RuleKind, ...] = (
    RuleKind("比率", RatioRule,
             "空白或“正向”：得分＝分值×min(实际值÷目标值, 1)；“反向”（越低越好）：得分＝分值×min(目标值÷实际值, 1)。"
             "“目标值”列填目标，空白为 100%。",
             "正向", "5", "分值 5 分，发放完成率 99.18%、目标值 100%：5×99.18%＝4.96 分"),
    RuleKind("区间", BandsRule,
             "条件:分数；条件:分数；…；其他:分数。从上往下取第一个满足的条件，条件可用 ≥ > ≤ < =；不写“其他”时为 0 分。",
             "≥90%:10；≥85%:8；≥80%:6；≥75%:4；≥70%:2；其他:0", "10", "分值 10 分，综合满意度 87% 得 8 分"),
    RuleKind("阶梯扣分", StepRule,
             "满分线=值；每降=一档的幅度（越低越好时写“每升”）；扣=每档扣的分数；可加 零分线=值、计法=整档 或 按比例、"
             "方向=正向 或 反向。扣完为止。",
             "满分线=90%；每降=1%；扣=0.1", "7", "分值 7 分，满意度 83%：差 7 档扣 0.7 分，得 6.30 分"),
    RuleKind("分档", TiersRule,
             "先按区间写各档（条件:分数；…），最后写“其下每降 幅度 扣 分数”，从最后一档的分数往下按整档扣。",
             "≥100%:2；≥90%:1；其下每降1%扣0.1", "2", "分值 2 分，预算执行率 85%：1−5×0.1＝0.50 分"),
    RuleKind("要点", ChecklistRule,
             "①要点:分数；②要点:分数；…，各要点分数之和等于分值（每项几分之一写 1/3权重）；可加 否决:情形。"
             "达成与否在“评分录入”中填写。",
             "①符合法律法规、发展规划和相关政策:0.5；②与部门职责相符:0.5；③属于公共财政支持范围:0.5；④未与同类项目重复:0.5",
             "2", "“评分录入”中要点填“全部”、达成情况填“是”，再为未达成的要点填一行（如 ③、否、扣分原因）：得 1.50 分"),
    RuleKind("定性", QualitativeRule,
             "等级:分数范围；…（空白即第十六条三档：达成:80%-100%；部分达成:60%-80%；未达成:0%-60%），也可写固定分数。"
             "“评分录入”中填等级名称，等级是范围时在“得分”列填分数。",
             "健全:4；粗略:2；未制定:0", "4", "“评分录入”中达成情况填“粗略”：得 2.00 分"),
    RuleKind("人工", ManualRule,
             "填评分标准的文字（原样印在评分表上）；得分和扣分原因在“评分录入”中填写。",
             "按时完成得满分，每延误一项扣1分", "9", "“评分录入”中得分填 7.22、扣分原因写明延误事项：得 7.22 分"),
    RuleKind("公式", FormulaRule,
             "算式：数字、百分比、+ - * / ^、括号、比较、min max abs round floor ceil if(条件,是,否)，"
             "名称 值（取值来源的值）、分值、目标，以及任何取值来源。结果限制在 0 到分值之间。",
             "分值*(1-(1-资金到位率)*100/5*0.4%)", "2", "分值 2 分，资金到位率 26.56%：2×(1−73.44%×100÷5×0.4%)≈1.88 分"),
    RuleKind("逐项扣分", CountRule,
             "①评价项；②评价项；…（可不列）；每项扣=分数；可加 n项及以上不得分。不满足的项在“评分录入”中填“否”。",
             "①基层党组织凝聚力和战斗力；②基层治理成效；③对社会稳定和发展的促进；每项扣=1；3项及以上不得分",
             "5", "“评分录入”中 ② 填“否”：得 4.00 分；①②③ 都填“否”：得 0 分"),
    RuleKind("趋势", TrendRule,
             "年份=取值来源；年份=取值来源；…（逐年连续，从早到晚）；要求=逐年提升、连续N年提升、逐年下降 或 连续N年下降；"
             "可加 每少一年扣=分数。“取值来源”列不填。",
             "2022=数据(培训覆盖率2022)；2023=数据(培训覆盖率2023)；2024=数据(培训覆盖率2024)；要求=逐年提升",
             "5", "30%、35%、40%：逐年提升，得 5.00 分；30%、35%、33%：未达到，得 0 分"),
    RuleKind(SUB_ITEMS, None,
             "规则参数留空。其下每个子项一行：编码与指标相同，“子项”列填子项名称，各自填分值、评分方法、规则参数和取值来源；"
             "指标得分为各子项得分之和。",
             "", "10", "五个子项各 2 分、各按“比率”评分：指标得分为五个子项得分之和"),
)
KIND_NAMES: tuple[str, ...] = tuple(kind.name for kind in KINDS)
RULES: dict[str, type[Rule]] = {kind.name: kind.rule for kind in KINDS if kind.rule is not None}


def make_rule(kind: str, params: str, weight: Decimal) -> Rule:
    """The rule of an indicator, its 评分参数 parsed (:class:`RuleError` when they are wrong).

    A rule is never changed once made, so the same (kind, 评分参数, 分值 as typed) gives the same
    rule: parsed once per process, not once per workbook of a batch (a wrong one is parsed again)."""
    if type(weight) is not Decimal:
        return _make_rule(kind, params, weight)
    return _made(kind, params or "", str(weight))


@lru_cache(maxsize=2048)
def _made(kind: str, params: str, weight: str) -> Rule:
    return _make_rule(kind, params, Decimal(weight))


def _make_rule(kind: str, params: str, weight: Decimal) -> Rule:
    cls = RULES.get(kind)
    if cls is None:
        raise RuleError(f"不认识的评分方法“{kind}”；可用：{'、'.join(KIND_NAMES)}")
    return cls(params or "", weight)
