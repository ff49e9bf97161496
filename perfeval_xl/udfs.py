"""Excel 自定义函数（UDF）：核心度量与评分规则的薄包装。

Every function here is a thin wrapper over the core function the scoring itself uses
(:mod:`perfeval_xl.core.measures`, :func:`perfeval_xl.core.rules.make_rule`,
:func:`perfeval_xl.core.scoring.grade_of`, :func:`perfeval_xl.core.numbers.round_half_up`),
so a number in a cell and the number on the 评分表 come from the same code.

Conventions (see docs/dev-xlwings.md §2–§5):

* decorators are looked up as ``xw.func`` / ``xw.arg`` at import time, so the same
  module serves desktop Excel (COM), xlwings Server / Office.js and, on Linux, the
  tests that swap the decorators;
* every range-capable parameter is ``ndim=2, err_to_str=True``: it arrives as rows ×
  columns, an error cell as its error text;
* a single cell or a whole column goes in, the same shape comes out (a 1×1 argument
  is broadcast), as a list of lists of ``float`` / ``str`` / ``""``;
* nothing raises: a bad cell gives an Excel error literal (``#VALUE!``, ``#DIV/0!``,
  ``#NUM!``, ``#N/A``, or the error it received), a misused call a short Chinese
  message.
"""

from __future__ import annotations

import hashlib
import logging
import time
from decimal import Decimal
from functools import lru_cache

import xlwings as xw

from perfeval_xl.core import measures
from perfeval_xl.core.findings import TemplateError
from perfeval_xl.core.formula import FormulaError
from perfeval_xl.core.measures import MeasureError
from perfeval_xl.core.normalize import EXCEL_ERRORS, CellValueError, clean_text, parse_number
from perfeval_xl.core.numbers import NotANumber, round_half_up, to_decimal
from perfeval_xl.core.rules import Context, Entry, RuleError, Threshold, Value, make_rule, parse_threshold
from perfeval_xl.core.scoring import grade_of

logger = logging.getLogger(__name__)

CATEGORY = "绩效评价"
#: converter options of every parameter: always rows × columns, error cells as text
RANGE = {"ndim": 2, "err_to_str": True}

DIV0, VALUE, NUM, NA = "#DIV/0!", "#VALUE!", "#NUM!", "#N/A"

#: the label a rule prints for the value it scores (only used in texts we discard)
VALUE_LABEL = "指标值"


# --- plumbing ------------------------------------------------------------------------


class _CellError(Exception):
    """One cell's result is an Excel error literal (or a short Chinese message)."""

    def __init__(self, result: str):
        super().__init__(result)
        self.result = result


class _CallError(Exception):
    """The whole call is misused; the message (Chinese) is the result."""


def _guard(func, *args):
    """Run a UDF body: whole-call problems become a Chinese message, anything
    unexpected ``#VALUE!`` — never an exception (it would land in the cell as text)."""
    try:
        return func(*args)
    except _CallError as exc:
        return str(exc)
    except Exception:  # noqa: BLE001 - a UDF must never raise
        logger.exception("perfeval UDF %s failed", getattr(func, "__name__", func))
        return VALUE


def _grid(arg) -> list[list]:
    """Any argument as rows × columns (server: an empty optional arrives as None)."""
    if arg is None:
        return [[None]]
    if isinstance(arg, (list, tuple)):
        if not arg:
            return [[None]]
        if all(isinstance(row, (list, tuple)) for row in arg):
            return [list(row) if row else [None] for row in arg]
        return [list(arg)]
    return [[arg]]


def _shape(grid: list[list]) -> tuple[int, int]:
    return len(grid), max(len(row) for row in grid)


def _at(grid: list[list], row: int, col: int):
    if len(grid) == 1 and len(grid[0]) == 1:
        return grid[0][0]
    line = grid[row]
    return line[col] if col < len(line) else None


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _error_text(value) -> str | None:
    if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
        return value.strip()
    return None


def _is_vector(grid: list[list]) -> bool:
    rows, cols = _shape(grid)
    return rows == 1 or cols == 1


def _flat(grid: list[list]) -> list:
    return [value for row in grid for value in row]


def _number(value) -> Decimal:
    """A cell as a Decimal: numbers, or text such as ``660,000.00`` / ``83%``."""
    error = _error_text(value)
    if error:
        raise _CellError(error)  # pass an upstream error on
    if isinstance(value, bool):
        raise _CellError(VALUE)
    if isinstance(value, (int, float, Decimal)):
        try:
            return to_decimal(value)
        except NotANumber:
            raise _CellError(NUM) from None
    if isinstance(value, str):
        try:
            number, suffix = parse_number(value)
        except CellValueError:
            raise _CellError(VALUE) from None
        if suffix not in ("", "%"):
            raise _CellError(VALUE)  # 12万元 / 5元: the unit is declared in the template, not here
        return number
    raise _CellError(VALUE)  # dates and anything else


def _text(value) -> str:
    error = _error_text(value)
    if error:
        raise _CellError(error)
    return clean_text(value)


def _out(value):
    """A core result as Excel takes it: Decimal → float, None → empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    return value


def _cellwise(func, args: list, names: list[str]) -> list[list]:
    """Call ``func`` per cell over same-shaped grids (1×1 grids broadcast)."""
    grids = [_grid(arg) for arg in args]
    shapes = [_shape(grid) for grid in grids]
    big = [(shape, name) for shape, name in zip(shapes, names) if shape != (1, 1)]
    rows, cols = big[0][0] if big else (1, 1)
    for shape, name in big[1:]:
        if shape != (rows, cols):
            raise _CallError(
                f"参数错误：“{big[0][1]}”是 {rows}×{cols} 个单元格，“{name}”是 {shape[0]}×{shape[1]} 个，"
                "两者行列数应相同（或其一为单个单元格）"
            )
    result = []
    for r in range(rows):
        line = []
        for c in range(cols):
            try:
                line.append(_out(func(*(_at(grid, r, c) for grid in grids))))
            except _CellError as exc:
                line.append(exc.result)
        result.append(line)
    return result


def _measure_failed(exc: MeasureError, denominator: Decimal | None = None) -> _CellError:
    if (denominator is not None and denominator == 0) or exc.zero_denominator:
        return _CellError(DIV0)
    return _CellError(NUM)


def _rate(measure, numerator_first: bool = True):
    """Per-cell body of a ratio UDF: blank in → blank out; the core does the arithmetic."""

    def one(numerator, denominator):
        if _blank(numerator) or _blank(denominator):
            return ""
        a, b = _number(numerator), _number(denominator)
        try:
            return measure(a, b) if numerator_first else measure(b, a)
        except MeasureError as exc:
            raise _measure_failed(exc, b) from None

    return one


def _pairs(first, second, names: tuple[str, str]) -> list[tuple[list, list]]:
    """Two vectors → one pair; an N×K matrix with a 1×K (or N×K) one → N row pairs."""
    a, b = _grid(first), _grid(second)
    if _is_vector(a) and _is_vector(b):
        return [(_flat(a), _flat(b))]
    (ra, ca), (rb, cb) = _shape(a), _shape(b)
    if ca != cb or rb not in (1, ra):
        raise _CallError(
            f"参数错误：“{names[0]}”是 {ra}×{ca} 个单元格，“{names[1]}”是 {rb}×{cb} 个；"
            f"应为两列（或两行）等长的数，或“{names[0]}”每行一组、“{names[1]}”一行或同样多行"
        )
    return [(a[i], b[0 if rb == 1 else i]) for i in range(ra)]


def _vector_udf(func, first, second, names: tuple[str, str], skip_blank_first: bool) -> list[list]:
    result = []
    for xs, ys in _pairs(first, second, names):
        if len(xs) != len(ys):
            raise _CallError(f"参数错误：“{names[0]}”有 {len(xs)} 个数，“{names[1]}”有 {len(ys)} 个，个数应相同")
        try:
            left, right = [], []
            for x, y in zip(xs, ys):
                if _blank(x) and (skip_blank_first or _blank(y)):
                    continue
                if _blank(x) or _blank(y):
                    raise _CellError(VALUE)
                left.append(_number(x))
                right.append(_number(y))
            if not left:
                result.append([""])
                continue
            try:
                result.append([_out(func(left, right))])
            except MeasureError as exc:
                if exc.zero_denominator:
                    raise _CellError(DIV0) from None
                raise _CellError(str(exc)) from None
        except _CellError as exc:
            result.append([exc.result])
    return result


# --- measures ------------------------------------------------------------------------


@xw.func(category=CATEGORY)
@xw.arg("actual", doc="实际到位资金：一个单元格或一列", **RANGE)
@xw.arg("budget", doc="计划投入（预算）资金：单个单元格，或与实际到位资金行数相同的一列", **RANGE)
def ARRIVAL_RATE(actual, budget):
    """资金到位率＝实际到位资金÷计划投入（预算）资金，四舍五入到0.01%；返回小数（请设为百分比格式），可整列计算"""
    return _guard(_cellwise, _rate(measures.arrival_rate), [actual, budget], ["实际到位资金", "预算资金"])


@xw.func(category=CATEGORY)
@xw.arg("timely", doc="及时到位资金（截至规定时点实际到位）：一个单元格或一列", **RANGE)
@xw.arg("due", doc="应到位资金（截至规定时点应到位）：单个单元格或同样行数的一列", **RANGE)
def TIMELY_ARRIVAL_RATE(timely, due):
    """到位及时率＝及时到位资金÷应到位资金，四舍五入到0.01%；返回小数，可整列计算"""
    return _guard(_cellwise, _rate(measures.timely_arrival_rate), [timely, due], ["及时到位资金", "应到位资金"])


@xw.func(category=CATEGORY)
@xw.arg("spent", doc="实际支出资金：一个单元格或一列", **RANGE)
@xw.arg("base_amount", doc="基数：实际到位资金（或预算数，按评价口径）；单个单元格或同样行数的一列", **RANGE)
def EXECUTION_RATE(spent, base_amount):
    """预算执行率＝实际支出资金÷基数（实际到位资金或预算数），四舍五入到0.01%；返回小数，可整列计算"""
    return _guard(_cellwise, _rate(measures.execution_rate), [spent, base_amount], ["实际支出资金", "基数"])


@xw.func(category=CATEGORY)
@xw.arg("actual", doc="实际产出数（实际完成数）：一个单元格或一列", **RANGE)
@xw.arg("planned", doc="计划产出数：单个单元格或同样行数的一列", **RANGE)
def COMPLETION_RATE(actual, planned):
    """实际完成率＝实际产出数÷计划产出数，四舍五入到0.01%；返回小数，可整列计算"""
    return _guard(_cellwise, _rate(measures.completion_rate), [actual, planned], ["实际产出数", "计划产出数"])


@xw.func(category=CATEGORY)
@xw.arg("qualified", doc="质量达标产出数：一个单元格或一列", **RANGE)
@xw.arg("actual", doc="实际产出数：单个单元格或同样行数的一列", **RANGE)
def QUALITY_RATE(qualified, actual):
    """质量达标率＝质量达标产出数÷实际产出数，四舍五入到0.01%；返回小数，可整列计算"""
    return _guard(_cellwise, _rate(measures.quality_rate), [qualified, actual], ["质量达标产出数", "实际产出数"])


TIME_MODES = {"": False, "0": False, "按时": False, "按时占比": False, "占比": False,
              "1": True, "用时": True, "时间": True, "时长": True}


def _timeliness(actual, planned, mode):
    text = _text(mode).replace(" ", "")
    if text not in TIME_MODES:
        raise _CellError("参数错误：计算方式填 0（按时占比）或 1（用时）")
    if _blank(actual) or _blank(planned):
        return ""
    a, p = _number(actual), _number(planned)
    try:
        if TIME_MODES[text]:
            return measures.time_saving_rate(p, a)
        return measures.on_time_rate(a, p)
    except MeasureError as exc:
        raise _measure_failed(exc, p) from None


@xw.func(category=CATEGORY)
@xw.arg("actual", doc="按时完成数；计算方式为 1（用时）时填实际完成用时。一个单元格或一列", **RANGE)
@xw.arg("planned", doc="计划数；计算方式为 1（用时）时填计划完成用时（与实际用时同一单位）", **RANGE)
@xw.arg("mode", doc="可省略。0 或省略：按时完成数÷计划数；1：(计划用时−实际用时)÷计划用时，提前为正、超时为负", **RANGE)
def TIMELINESS_RATE(actual, planned, mode=None):
    """完成及时率：默认＝按时完成数÷计划数；计算方式填1时＝(计划用时−实际用时)÷计划用时。四舍五入到0.01%，返回小数"""
    return _guard(_cellwise, _timeliness, [actual, planned, mode], ["实际数", "计划数", "计算方式"])


@xw.func(category=CATEGORY)
@xw.arg("actual_cost", doc="实际成本：一个单元格或一列", **RANGE)
@xw.arg("planned_cost", doc="计划成本：单个单元格或同样行数的一列", **RANGE)
def COST_SAVING_RATE(actual_cost, planned_cost):
    """成本节约率＝(计划成本−实际成本)÷计划成本，四舍五入到0.01%，超支为负；返回小数，可整列计算"""
    return _guard(_cellwise, _rate(measures.cost_saving_rate, numerator_first=False), [actual_cost, planned_cost],
                  ["实际成本", "计划成本"])


@xw.func(category=CATEGORY)
@xw.arg("counts", doc="各选项人数：一行或一列（如 12、22、6）；多行时每行是一组（一个单位或一道题）", **RANGE)
@xw.arg("option_rates", doc="各选项得分率：与人数同样个数（如 100%、80%、60%）；多行人数时可只给一行", **RANGE)
def SATISFACTION(counts, option_rates):
    """满意度＝Σ(选项人数×选项得分率)÷有效答卷数，四舍五入到0.01%；人数多行时每行一个结果"""
    return _guard(_vector_udf, measures.satisfaction, counts, option_rates, ("人数", "选项得分率"), True)


@xw.func(category=CATEGORY)
@xw.arg("rates", doc="各类问卷的满意度：一行或一列；多行时每行是一个单位", **RANGE)
@xw.arg("weights", doc="各类问卷的权重（合计须为100%）：与满意度同样个数；多行满意度时可只给一行", **RANGE)
def COMPOSITE_SATISFACTION(rates, weights):
    """综合满意度＝Σ各类问卷满意度×权重（权重合计须为100%），四舍五入到0.01%；满意度多行时每行一个结果"""
    return _guard(_vector_udf, measures.composite_satisfaction, rates, weights, ("满意度", "权重"), False)


# --- grades and rounding -------------------------------------------------------------


def _grade_info(thresholds) -> dict:
    values = [v for v in _flat(_grid(thresholds)) if not _blank(v)]
    if not values:
        return {}
    if len(values) != 3:
        raise _CallError("参数错误：等级线应为 3 个数（优、良、中的最低分），如 90、80、60")
    try:
        numbers = [_number(v) for v in values]
    except _CellError:
        raise _CallError("参数错误：等级线应为数字，如 90、80、60") from None
    if not numbers[0] >= numbers[1] >= numbers[2]:
        raise _CallError("参数错误：等级线应从高到低排列（优≥良≥中），如 90、80、60")
    return {"grade_excellent": numbers[0], "grade_good": numbers[1], "grade_fair": numbers[2]}


def _grades(score, thresholds):
    info = _grade_info(thresholds)

    def one(value):
        if _blank(value):
            return ""
        return grade_of(_number(value), info)

    return _cellwise(one, [score], ["总分"])


@xw.func(category=CATEGORY)
@xw.arg("score", doc="总分：一个单元格或一列", **RANGE)
@xw.arg("thresholds", doc="可省略。优、良、中的最低分（3 个单元格），默认 90、80、60", **RANGE)
def GRADE(score, thresholds=None):
    """绩效等级：总分≥90为优、≥80为良、≥60为中，其余为差（等级线可另行指定）；可整列计算"""
    return _guard(_grades, score, thresholds)


def _round(x, places):
    if _blank(x):
        return ""
    number = _number(x)
    digits = _number(0 if _blank(places) else places)
    if digits != digits.to_integral_value() or abs(digits) > 15:
        raise _CellError(NUM)
    return round_half_up(number, int(digits))


@xw.func(category=CATEGORY)
@xw.arg("x", doc="要舍入的数：一个单元格或一列", **RANGE)
@xw.arg("n", doc="保留的小数位数，如 2（可为负数，如 -2 舍入到百位）", **RANGE)
def ROUND_HALF_UP(x, n):
    """四舍五入（逢五进一，不是“银行家舍入”）：ROUND_HALF_UP(2.675,2)=2.68；可整列计算"""
    return _guard(_cellwise, _round, [x, n], ["数值", "小数位数"])


# --- scoring rules -------------------------------------------------------------------


@lru_cache(maxsize=256)
def _rule(kind: str, params: str, weight: Decimal):
    try:
        return make_rule(kind, params, weight)
    except RuleError as exc:
        raise _CellError(f"规则参数有误：{exc}") from None


def _weight(value) -> Decimal:
    weight = _number(value)
    if weight < 0:
        raise _CellError(NUM)
    return weight


def _value(value) -> Value:
    return Value(_number(value), False, VALUE_LABEL)


def _score(rule, ctx: Context):
    """Score through the core rule; a problem the rule reports is the result."""
    try:
        outcome = rule.score(ctx)
    except (RuleError, FormulaError, MeasureError) as exc:
        raise _CellError(str(exc)) from None
    errors = [problem.message for problem in outcome.problems if problem.is_error]
    if errors:
        raise _CellError(errors[0])
    return outcome.score


def _value_rule(kind: str):
    def one(value, weight, params):
        if _blank(value) or _blank(weight):
            return ""
        w = _weight(weight)
        rule = _rule(kind, _text(params), w)
        return _score(rule, Context(w, VALUE_LABEL, _value(value)))

    return one


def _ratio(value, weight, target, direction):
    if _blank(value) or _blank(weight):
        return ""
    w = _weight(weight)
    rule = _rule("比率", _text(direction), w)
    threshold = None
    if not _blank(target):
        if isinstance(target, str) and not _error_text(target):
            try:
                threshold = parse_threshold(target, "目标值")
            except RuleError as exc:
                raise _CellError(str(exc)) from None
        else:
            number = _number(target)
            threshold = Threshold(number, clean_text(target), False)
    return _score(rule, Context(w, VALUE_LABEL, _value(value), threshold))


@xw.func(category=CATEGORY)
@xw.arg("value", doc="指标值（如完成率 99.18%）：一个单元格或一列", **RANGE)
@xw.arg("weight", doc="指标分值（满分），如 5", **RANGE)
@xw.arg("target", doc="可省略。目标值，默认 100%", **RANGE)
@xw.arg("direction", doc="可省略。“正向”（默认，越高越好）或“反向”（越低越好）", **RANGE)
def SCORE_RATIO(value, weight, target=None, direction=None):
    """评分方法“比率”：得分＝分值×min(指标值÷目标值,1)，四舍五入到0.01分；反向指标为分值×min(目标值÷指标值,1)"""
    return _guard(_cellwise, _ratio, [value, weight, target, direction], ["指标值", "分值", "目标值", "方向"])


@xw.func(category=CATEGORY)
@xw.arg("value", doc="指标值：一个单元格或一列", **RANGE)
@xw.arg("weight", doc="指标分值（满分）", **RANGE)
@xw.arg("params", doc="区间参数，如 ≥90%:10；≥85%:8；其他:0（写法同指标体系“规则参数”）", **RANGE)
def SCORE_BANDS(value, weight, params):
    """评分方法“区间”：按指标值所在区间给分，从上往下取第一个满足的条件"""
    return _guard(_cellwise, _value_rule("区间"), [value, weight, params], ["指标值", "分值", "规则参数"])


@xw.func(category=CATEGORY)
@xw.arg("value", doc="指标值：一个单元格或一列", **RANGE)
@xw.arg("weight", doc="指标分值（满分）", **RANGE)
@xw.arg("params", doc="阶梯扣分参数，如 满分线=90%；每降=1%；扣=0.1（可加 零分线、计法=按比例）", **RANGE)
def SCORE_STEP(value, weight, params):
    """评分方法“阶梯扣分”：达到满分线得满分，每差一档扣一定分数，扣完为止"""
    return _guard(_cellwise, _value_rule("阶梯扣分"), [value, weight, params], ["指标值", "分值", "规则参数"])


@xw.func(category=CATEGORY)
@xw.arg("value", doc="指标值：一个单元格或一列", **RANGE)
@xw.arg("weight", doc="指标分值（满分）", **RANGE)
@xw.arg("params", doc="分档参数，如 ≥100%:2；≥90%:1；其下每降1%扣0.1", **RANGE)
def SCORE_TIERS(value, weight, params):
    """评分方法“分档”：先按区间给分，最后一档以下再按每降一档扣分"""
    return _guard(_cellwise, _value_rule("分档"), [value, weight, params], ["指标值", "分值", "规则参数"])


def _checklist(results, weight, params):
    grid = _grid(results)
    rows = [_flat(grid)] if _is_vector(grid) else grid
    weights, texts = _grid(weight), _grid(params)
    if _shape(weights) != (1, 1) or _shape(texts) != (1, 1):
        raise _CallError("参数错误：分值和规则参数应各为一个单元格")
    out = []
    for row in rows:
        try:
            out.append([_out(_checklist_one(row, weights[0][0], texts[0][0]))])
        except _CellError as exc:
            out.append([exc.result])
    return out


def _checklist_one(row: list, weight, params):
    if _blank(weight) or all(_blank(v) for v in row):
        return ""
    w = _weight(weight)
    rule = _rule("要点", _text(params), w)
    if len(row) != len(rule.items):
        raise _CellError(f"参数错误：要点有 {len(rule.items)} 项，达成情况有 {len(row)} 个")
    entries = []
    for number, result in enumerate(row, start=1):
        if _blank(result):
            continue
        if isinstance(result, (int, float, Decimal)) and not isinstance(result, bool):
            entries.append(Entry(str(number), "", _number(result), "", None))
        else:
            entries.append(Entry(str(number), _text(result), None, "", None))
    return _score(rule, Context(w, VALUE_LABEL, entries=tuple(entries)))


@xw.func(category=CATEGORY)
@xw.arg("results", doc="各要点的达成情况：是/否，或该要点的得分；一行或一列，个数与要点相同；多行时每行一组", **RANGE)
@xw.arg("weight", doc="指标分值（满分），须等于各要点分数之和", **RANGE)
@xw.arg("params", doc="要点参数，如 ①符合政策:0.5；②与职责相符:0.5（可加 否决:情形）", **RANGE)
def SCORE_CHECKLIST(results, weight, params):
    """评分方法“要点”：达成的要点得该要点分数，未达成不得分，合计为指标得分"""
    return _guard(_checklist, results, weight, params)


def _qualitative(level, weight, params, points):
    if _blank(weight) or (_blank(level) and _blank(points)):
        return ""
    w = _weight(weight)
    rule = _rule("定性", "" if _blank(params) else _text(params), w)
    score = None if _blank(points) else _number(points)
    entry = Entry("", "" if _blank(level) else _text(level), score, "", None)
    return _score(rule, Context(w, VALUE_LABEL, entries=(entry,)))


@xw.func(category=CATEGORY)
@xw.arg("level", doc="评价等级名称，如 达成 / 部分达成 / 未达成：一个单元格或一列", **RANGE)
@xw.arg("weight", doc="指标分值（满分）", **RANGE)
@xw.arg("params", doc="可省略。等级参数，默认 达成:80%-100%；部分达成:60%-80%；未达成:0%-60%", **RANGE)
@xw.arg("points", doc="可省略。等级是分数范围时，在范围内给出的具体得分", **RANGE)
def SCORE_QUALITATIVE(level, weight, params=None, points=None):
    """评分方法“定性”：按评价等级给分；等级是分数范围时须给出范围内的具体得分"""
    return _guard(_cellwise, _qualitative, [level, weight, params, points], ["等级", "分值", "规则参数", "得分"])


def _formula(formula, weight, value, target):
    if _blank(formula) or _blank(weight):
        return ""
    w = _weight(weight)
    rule = _rule("公式", _text(formula), w)
    measured = None if _blank(value) else _value(value)
    if rule.needs_value and measured is None:
        return ""
    threshold = None
    if not _blank(target):
        if isinstance(target, str) and not _error_text(target):
            try:
                threshold = parse_threshold(target, "目标值")
            except RuleError as exc:
                raise _CellError(str(exc)) from None
        else:
            threshold = Threshold(_number(target), clean_text(target), False)
    return _score(rule, Context(w, VALUE_LABEL, measured, threshold))


@xw.func(category=CATEGORY)
@xw.arg("formula", doc="计分公式，如 分值*(1-(1-值)*100/5*0.4%)；可用 值、分值、目标 和 min max abs round if", **RANGE)
@xw.arg("weight", doc="指标分值（满分），结果限制在 0 到分值之间", **RANGE)
@xw.arg("value", doc="可省略。公式中“值”的取值：一个单元格或一列", **RANGE)
@xw.arg("target", doc="可省略。公式中“目标”的取值", **RANGE)
def SCORE_FORMULA(formula, weight, value=None, target=None):
    """评分方法“公式”：按公式计分（安全解析，不执行程序），四舍五入到0.01分并限制在0到分值之间"""
    return _guard(_cellwise, _formula, [formula, weight, value, target], ["公式", "分值", "指标值", "目标值"])


# --- scoring one indicator of the open workbook -------------------------------------

#: within this many seconds of the last read, INDICATOR_SCORE reuses it without
#: reading the workbook again (one recalculation of many cells reads it once)
MEMO_SECONDS = 1.0
_MEMO: dict[str, tuple[float, str, object]] = {}
TOTAL_CODES = ("总分", "合计", "TOTAL")


def clear_memo() -> None:
    _MEMO.clear()


def _fingerprint(snapshot) -> str:
    digest = hashlib.sha1()
    for name in sorted(snapshot):
        digest.update(repr((name, snapshot[name])).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _book_key(book) -> str:
    try:
        return f"{book.app.pid}|{book.fullname}"
    except Exception:  # noqa: BLE001 - engines without a pid
        return str(id(book))


def scored_book(book):
    """The scored workbook (memoised per recalculation burst); TemplateError → _CallError."""
    key = _book_key(book)
    now = time.monotonic()
    hit = _MEMO.get(key)
    if hit is not None and now - hit[0] < MEMO_SECONDS:
        result = hit[2]
    else:
        fingerprint, result = _score_fresh(book, hit)
        if len(_MEMO) > 8:
            _MEMO.clear()
        _MEMO[key] = (now, fingerprint, result)
    if isinstance(result, TemplateError):
        where = f"{result.sheet}!{result.cell}：" if result.sheet else ""
        raise _CallError(f"不是有效的评价模板：{where}{result.message}")
    return result


def _score_fresh(book, hit) -> tuple[str, object]:
    """Read the book; score it unless it is unchanged since the last read."""
    from perfeval_xl.excel import read_book_snapshot
    from perfeval_xl.pipeline import score_snapshot

    try:
        snapshot = read_book_snapshot(book)
    except TemplateError as exc:
        return "", exc
    fingerprint = _fingerprint(snapshot)
    if hit is not None and hit[1] == fingerprint:
        return fingerprint, hit[2]
    try:
        return fingerprint, score_snapshot(snapshot)
    except TemplateError as exc:
        return fingerprint, exc


def _indicator_scores(code, unit):
    try:
        book = xw.Book.caller()
    except Exception:  # noqa: BLE001 - no calling workbook (xlwings Server, or called from Python)
        raise _CallError("INDICATOR_SCORE 只能在桌面 Excel 中由评价工作簿的单元格调用") from None
    evaluation = scored_book(book).evaluation

    def one(code_cell, unit_cell):
        if _blank(code_cell):
            return ""
        wanted = _text(code_cell)
        short = "" if _blank(unit_cell) else _text(unit_cell)
        if evaluation.whole:
            if short:
                raise _CellError(NA)  # 整体评价 has no per-unit scores
            unit_score = evaluation.units[0]
        elif not short:  # 分单位评价, no unit: the project's (weighted) mean, as in 得分汇总
            if wanted.upper() in TOTAL_CODES:
                return evaluation.total
            means = evaluation.indicator_means()[0]
            if wanted in means:
                return means[wanted]
            raise _CellError(NA)
        else:
            unit_score = next((u for u in evaluation.units if u.name == short), None)
            if unit_score is None:
                unit_score = next((u for u in evaluation.units if u.full_name == short), None)
            if unit_score is None:
                raise _CellError(NA)
        if wanted.upper() in TOTAL_CODES:
            return unit_score.total
        for indicator in unit_score.indicators:
            if indicator.code == wanted:
                return indicator.score
        raise _CellError(NA)

    return _cellwise(one, [code, unit], ["指标编码", "单位简称"])


@xw.func(category=CATEGORY, volatile=True)
@xw.arg("code", doc="指标编码（如 A4；填“总分”得总分）：一个单元格或一列", **RANGE)
@xw.arg("unit", doc="可省略。单位简称；分单位评价时留空得项目平均分，整体评价时留空", **RANGE)
def INDICATOR_SCORE(code, unit=None):
    """按本工作簿“指标体系”中的编码，计算该指标的得分（与“评分”按钮结果相同）；找不到编码或单位时为#N/A"""
    return _guard(_indicator_scores, code, unit)


#: the UDFs that read the calling workbook (its 指标体系 …): xlwings Lite's custom functions cannot,
#: so ``perfeval addin lite`` leaves them out
WORKBOOK_UDFS = ("INDICATOR_SCORE",)

__all__ = [
    "ARRIVAL_RATE", "TIMELY_ARRIVAL_RATE", "EXECUTION_RATE", "COMPLETION_RATE", "QUALITY_RATE",
    "TIMELINESS_RATE", "COST_SAVING_RATE", "SATISFACTION", "COMPOSITE_SATISFACTION", "GRADE",
    "ROUND_HALF_UP", "SCORE_RATIO", "SCORE_BANDS", "SCORE_STEP", "SCORE_TIERS", "SCORE_CHECKLIST",
    "SCORE_QUALITATIVE", "SCORE_FORMULA", "INDICATOR_SCORE",
]
