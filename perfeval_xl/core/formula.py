"""A small, safe arithmetic language for the 公式 rule kind.

No ``eval``: a tokenizer and a recursive-descent parser build a tree of a handful of
node types, evaluated with Decimals.  Allowed: numbers (``0.4``, ``40%``), names of
measures (``资金到位率``, ``实际完成率(城市社区)``, ``值``, ``分值``, ``目标``),
``+ - * / ^ × ÷``, parentheses, comparisons and the functions
``min max abs round floor ceil if``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, DivisionByZero, InvalidOperation
from typing import Callable

from .numbers import HUNDRED, ONE, ZERO, round_half_up

MAX_LENGTH = 500
MAX_DEPTH = 40


class FormulaError(ValueError):
    """The formula cannot be parsed or evaluated; message in Chinese."""


FUNCTIONS = {"min": (1, 99), "max": (1, 99), "abs": (1, 1), "round": (1, 2), "floor": (1, 1),
             "ceil": (1, 1), "if": (3, 3)}

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?%?|\.\d+%?)|(?P<op><=|>=|<>|!=|==|[-+*/^(),<>=×÷])|(?P<name>[^\W\d][\w.]*))",
    re.UNICODE,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"公式过长（超过 {MAX_LENGTH} 个字符）")
    tokens: list[Token] = []
    pos = 0
    text = text.replace("（", "(").replace("）", ")").replace("，", ",")
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise FormulaError(f"公式第 {pos + 1} 个字符“{text[pos]}”无法识别")
        kind = match.lastgroup or ""
        value = match.group(kind).strip()
        start = match.start(kind)
        if kind == "name" and match.end() < len(text) and text[match.end()] == "(" and value.lower() not in FUNCTIONS:
            # a measure with an argument: 实际完成率(城市社区) — take the raw text up to ')'
            close = text.find(")", match.end())
            if close < 0:
                raise FormulaError(f"“{value}(”缺少右括号")
            value = f"{value}({text[match.end() + 1:close].strip()})"
            tokens.append(Token("name", value, start))
            pos = close + 1
            continue
        tokens.append(Token(kind, value, start))
        pos = match.end()
    return tokens


# --- tree -----------------------------------------------------------------

@dataclass(frozen=True)
class Num:
    value: Decimal
    text: str


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Unary:
    op: str
    operand: object


@dataclass(frozen=True)
class Binary:
    op: str
    left: object
    right: object


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, text: str | None = None) -> Token:
        tok = self.peek()
        if tok is None:
            raise FormulaError("公式不完整" + (f"：缺少“{text}”" if text else ""))
        if text is not None and tok.text != text:
            raise FormulaError(f"公式第 {tok.pos + 1} 个字符处应为“{text}”，实际是“{tok.text}”")
        self.i += 1
        return tok

    def parse(self):
        node = self.comparison()
        tok = self.peek()
        if tok is not None:
            raise FormulaError(f"公式第 {tok.pos + 1} 个字符处多出“{tok.text}”")
        return node

    def _enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError("公式嵌套过深")

    def comparison(self):
        node = self.additive()
        tok = self.peek()
        if tok and tok.text in ("<", "<=", ">", ">=", "=", "==", "<>", "!="):
            self.take()
            node = Binary(tok.text, node, self.additive())
        return node

    def additive(self):
        node = self.term()
        while (tok := self.peek()) and tok.text in ("+", "-"):
            self.take()
            node = Binary(tok.text, node, self.term())
        return node

    def term(self):
        node = self.power()
        while (tok := self.peek()) and tok.text in ("*", "/", "×", "÷"):
            self.take()
            op = {"×": "*", "÷": "/"}.get(tok.text, tok.text)
            node = Binary(op, node, self.power())
        return node

    def power(self):
        node = self.unary()
        if (tok := self.peek()) and tok.text == "^":
            self.take()
            node = Binary("^", node, self.unary())
        return node

    def unary(self):
        tok = self.peek()
        if tok and tok.text in ("-", "+"):
            self.take()
            self._enter()
            node = Unary(tok.text, self.unary())
            self.depth -= 1
            return node
        return self.atom()

    def atom(self):
        tok = self.take()
        if tok.kind == "num":
            text = tok.text
            value = Decimal(text.rstrip("%"))
            if text.endswith("%"):
                value = value / HUNDRED
            return Num(value, text)
        if tok.text == "(":
            self._enter()
            node = self.comparison()
            self.take(")")
            self.depth -= 1
            return node
        if tok.kind == "name":
            func = tok.text.lower()
            if func in FUNCTIONS and (nxt := self.peek()) is not None and nxt.text == "(":
                self.take("(")
                self._enter()
                args = [self.comparison()]
                while (nxt := self.peek()) and nxt.text == ",":
                    self.take()
                    args.append(self.comparison())
                self.take(")")
                self.depth -= 1
                low, high = FUNCTIONS[func]
                if not low <= len(args) <= high:
                    raise FormulaError(f"函数 {func} 的参数个数不对")
                return Call(func, tuple(args))
            return Name(tok.text)
        raise FormulaError(f"公式第 {tok.pos + 1} 个字符处不应出现“{tok.text}”")


def parse(text: str):
    """Parse a formula into a tree; raises FormulaError with a Chinese message."""
    if not text or not text.strip():
        raise FormulaError("公式为空")
    return _Parser(tokenize(text)).parse()


def names(node) -> list[str]:
    """The measure names a formula uses, in order of appearance."""
    found: list[str] = []
    _collect_names(node, found)
    return found


def _collect_names(n, found: list[str]) -> None:
    # a module function, not a closure that calls itself: such a closure is a reference cycle
    # (left for the garbage collector) at every call
    if isinstance(n, Name) and n.name not in found:
        found.append(n.name)
    elif isinstance(n, Unary):
        _collect_names(n.operand, found)
    elif isinstance(n, Binary):
        _collect_names(n.left, found)
        _collect_names(n.right, found)
    elif isinstance(n, Call):
        for a in n.args:
            _collect_names(a, found)


Resolver = Callable[[str], Decimal]


def evaluate(node, resolve: Resolver) -> Decimal:
    try:
        return _eval(node, resolve)
    except (DivisionByZero, InvalidOperation, ZeroDivisionError) as exc:
        raise FormulaError("公式计算出错：除数为 0 或结果无效") from exc


def _truth(value: Decimal) -> bool:
    return value != ZERO


def _eval(node, resolve: Resolver) -> Decimal:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        return resolve(node.name)
    if isinstance(node, Unary):
        value = _eval(node.operand, resolve)
        return -value if node.op == "-" else value
    if isinstance(node, Binary):
        left = _eval(node.left, resolve)
        right = _eval(node.right, resolve)
        op = node.op
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        if op == "/":
            if right == ZERO:
                raise FormulaError("公式计算出错：除数为 0")
            return left / right
        if op == "^":
            if right != right.to_integral_value() or abs(right) > 10:
                raise FormulaError("乘方的指数只能是 -10 到 10 之间的整数")
            return left ** int(right)
        comparisons = {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right,
                       "=": left == right, "==": left == right, "<>": left != right, "!=": left != right}
        return ONE if comparisons[op] else ZERO
    if isinstance(node, Call):
        if node.func == "if":
            cond = _eval(node.args[0], resolve)
            return _eval(node.args[1] if _truth(cond) else node.args[2], resolve)
        args = [_eval(a, resolve) for a in node.args]
        if node.func == "min":
            return min(args)
        if node.func == "max":
            return max(args)
        if node.func == "abs":
            return abs(args[0])
        if node.func == "round":
            places = int(args[1]) if len(args) > 1 else 0
            return round_half_up(args[0], places)
        if node.func == "floor":
            return args[0].to_integral_value(rounding=ROUND_FLOOR)
        if node.func == "ceil":
            return args[0].to_integral_value(rounding=ROUND_CEILING)
    raise FormulaError("公式无法计算")  # pragma: no cover


_PRECEDENCE = {"<": 0, "<=": 0, ">": 0, ">=": 0, "=": 0, "==": 0, "<>": 0, "!=": 0,
               "+": 1, "-": 1, "*": 2, "/": 2, "^": 3}
_SHOW = {"*": "×", "/": "÷"}


def render(node, show: Callable[[str], str] | None = None, parent: int = -1) -> str:
    """Print a formula; with ``show`` names are replaced by their values."""
    if isinstance(node, Num):
        return node.text
    if isinstance(node, Name):
        return show(node.name) if show else node.name
    if isinstance(node, Unary):
        return node.op + render(node.operand, show, 4)
    if isinstance(node, Binary):
        prec = _PRECEDENCE[node.op]
        text = (render(node.left, show, prec) + _SHOW.get(node.op, node.op)
                + render(node.right, show, prec + (0 if node.op in "+*" else 1)))
        return f"({text})" if prec < parent else text
    if isinstance(node, Call):
        return f"{node.func}(" + ",".join(render(a, show) for a in node.args) + ")"
    raise TypeError(node)  # pragma: no cover


# --- report prose -----------------------------------------------------------

_CMP_SHOW = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "=": "=", "==": "=", "<>": "≠", "!=": "≠"}
_CMP_WORDS = {  # (holds, fails)
    ">=": ("不低于", "低于"), ">": ("高于", "不高于"), "<=": ("不高于", "高于"), "<": ("低于", "不低于"),
    "=": ("等于", "不等于"), "==": ("等于", "不等于"), "<>": ("不等于", "等于"), "!=": ("不等于", "等于"),
}


def plain_number(value: Decimal) -> str:
    """An intermediate result: exact when short, else four decimals (0.9598, 4.02, ≈1.3367)."""
    rounded = round_half_up(value, 4)
    text = format(rounded.normalize(), "f") if rounded != rounded.to_integral_value() else str(rounded.quantize(ONE))
    return text if rounded == value else "≈" + text


def explain(node, resolve: Resolver, show: Callable[[str], str], word: Callable[[str], str]) -> tuple[str, list[str]]:
    """The formula as report prose: (the arithmetic with values substituted, the steps in words).

    ``show(name)`` prints a name's value inside arithmetic (``95.98%``); ``word(name)`` prints it
    in a sentence (``实际完成率95.98%``).  ``if`` keeps only the branch taken, with the condition
    as a step (“实际完成率95.98%低于100%”); comparisons, ``round`` / ``min`` / ``max`` / ``abs`` /
    ``floor`` / ``ceil`` become steps in words and enter the arithmetic as their result, so that
    the printed text never contains raw function calls or ``(430.11%<=221.19%)``."""
    explaining = _Explaining(resolve, show, word)
    try:
        text = explaining.arith(node, -1)
    except (DivisionByZero, InvalidOperation, ZeroDivisionError) as exc:
        raise FormulaError("公式计算出错：除数为 0 或结果无效") from exc
    return text, explaining.steps


class _Explaining:
    """:func:`explain` of one formula: its mutually recursive steps as methods (closures that call
    each other would be a reference cycle at every call); ``steps`` collects the steps in words."""

    def __init__(self, resolve: Resolver, show: Callable[[str], str], word: Callable[[str], str]):
        self.resolve, self.show, self.word = resolve, show, word
        self.steps: list[str] = []

    def sentence(self, n) -> str:
        if isinstance(n, Name):
            return self.word(n.name)
        return self.arith(n, -1)

    def condition(self, n) -> tuple[bool, str]:
        if isinstance(n, Binary) and n.op in _CMP_WORDS:
            holds = _truth(_eval(n, self.resolve))
            verb = _CMP_WORDS[n.op][0 if holds else 1]
            return holds, f"{self.sentence(n.left)}{verb}{self.sentence(n.right)}"
        holds = _truth(_eval(n, self.resolve))
        return holds, f"{self.arith(n, -1)}{'不为0' if holds else '为0'}"

    def arith(self, n, parent: int) -> str:
        if isinstance(n, Num):
            return n.text
        if isinstance(n, Name):
            return self.show(n.name)
        if isinstance(n, Unary):
            return n.op + self.arith(n.operand, 4)
        if isinstance(n, Binary) and n.op in _CMP_WORDS:
            holds, text = self.condition(n)
            self.steps.append(f"{text}，记为{1 if holds else 0}")
            return "1" if holds else "0"
        if isinstance(n, Binary):
            prec = _PRECEDENCE[n.op]
            text = (self.arith(n.left, prec) + _SHOW.get(n.op, n.op)
                    + self.arith(n.right, prec + (0 if n.op in "+*" else 1)))
            return f"({text})" if prec < parent else text
        if isinstance(n, Call):
            if n.func == "if":
                holds, text = self.condition(n.args[0])
                self.steps.append(text)
                return self.arith(n.args[1] if holds else n.args[2], parent)
            result = _eval(n, self.resolve)
            inner = [self.arith(a, -1) for a in n.args]
            values = [plain_number(_eval(a, self.resolve)) for a in n.args]
            shown = [i if i == v else (f"{i}{v}" if v.startswith("≈") else f"{i}={v}") for i, v in zip(inner, values)]
            if n.func == "round":
                places = int(_eval(n.args[1], self.resolve)) if len(n.args) > 1 else 0
                self.steps.append(f"{shown[0]}，四舍五入保留{places}位小数为{plain_number(result)}")
            elif n.func in ("min", "max"):
                pick = "较小" if n.func == "min" else "较大"
                self.steps.append(f"{'与'.join(shown)}取{pick}值{plain_number(result)}")
            else:
                how = {"abs": "的绝对值为", "floor": "向下取整为", "ceil": "向上取整为"}[n.func]
                self.steps.append(f"{shown[0]}{how}{plain_number(result)}")
            return plain_number(result).lstrip("≈")
        raise TypeError(n)  # pragma: no cover


# --- the 评分标准 in words ----------------------------------------------------------

_CALL_WORDS = {"abs": "{0}的绝对值", "floor": "{0}向下取整", "ceil": "{0}向上取整"}
_SOURCE_CALL = re.compile(r"^(.+?)\((.+)\)$")


def name_words(name: str, label: str) -> str:
    """A name of a formula as a reader says it: 值 → the indicator's measure, 目标 → 目标值,
    数据(优良路率) → 优良路率, 发放人数(基层党建先锋) → 发放人数（基层党建先锋）."""
    if name == "值":
        return label
    if name == "目标":
        return "目标值"
    if name == "权重":
        return "分值"
    match = _SOURCE_CALL.match(name)
    if not match:
        return name
    source, argument = match.groups()
    return argument if source == "数据" else f"{source}（{argument}）"


def describe(node, weight: Decimal, label: str) -> str:
    """The 评分标准 of a formula in words, never its syntax: ``分值*(数据(甲)<=数据(乙))`` reads
    “甲不高于乙时得满分，否则得0分”; ``if(值>=目标,分值,分值-1)`` reads “…不低于目标值时得满分，
    否则得4分”; other formulas “得分=…” with the functions in words (与…中的较小者)."""
    describing = _Describing(weight, label)
    if isinstance(node, Call) and node.func == "if":
        return (f"{describing.condition(node.args[0])}时{describing.points(node.args[1])}，"
                f"否则{describing.points(node.args[2])}")
    found = describing.flag(node)
    if found is not None:
        cmp_, other = found
        return f"{describing.condition(cmp_)}时{describing.points(other)}，否则得0分"
    return "得分=" + describing.expr(node, -1).removeprefix("（").removesuffix("）") if isinstance(node, Call) else \
        "得分=" + describing.expr(node, -1)


class _Describing:
    """:func:`describe` of one formula: its mutually recursive parts as methods (closures that call
    each other would be a reference cycle at every call)."""

    def __init__(self, weight: Decimal, label: str):
        self.weight, self.label = weight, label

    def constant(self, n) -> Decimal | None:
        if all(x in ("分值", "权重") for x in names(n)):
            try:
                return _eval(n, lambda _: self.weight)
            except (FormulaError, DivisionByZero, InvalidOperation, ZeroDivisionError):
                return None
        return None

    def condition(self, n) -> str:
        if isinstance(n, Binary) and n.op in _CMP_WORDS:
            return f"{self.expr(n.left, -1)}{_CMP_WORDS[n.op][0]}{self.expr(n.right, -1)}"
        return f"{self.expr(n, -1)}不为0"

    def points(self, n) -> str:
        if isinstance(n, Name) and n.name in ("分值", "权重"):
            return "得满分"
        value = self.constant(n)
        if value is not None:
            return f"得{plain_number(value).lstrip('≈')}分"
        return f"得{self.expr(n, -1)}分"

    def expr(self, n, parent: int) -> str:
        if isinstance(n, Num):
            return n.text
        if isinstance(n, Name):
            return name_words(n.name, self.label)
        if isinstance(n, Unary):
            return n.op + self.expr(n.operand, 4)
        if isinstance(n, Binary) and n.op in _CMP_WORDS:
            return f"（{self.condition(n)}时为1，否则为0）"
        if isinstance(n, Binary):
            prec = _PRECEDENCE[n.op]
            text = (self.expr(n.left, prec) + _SHOW.get(n.op, n.op)
                    + self.expr(n.right, prec + (0 if n.op in "+*" else 1)))
            return f"({text})" if prec < parent else text
        if isinstance(n, Call):
            args = [self.expr(a, -1) for a in n.args]
            if n.func == "if":
                return f"（{self.condition(n.args[0])}时取{args[1]}，否则取{args[2]}）"
            if n.func in ("min", "max"):
                return f"（{'与'.join(args)}中的{'较小' if n.func == 'min' else '较大'}者）"
            if n.func == "round":
                places = args[1] if len(args) > 1 else "0"
                return f"（{args[0]}四舍五入保留{places}位小数）"
            return "（" + _CALL_WORDS[n.func].format(args[0]) + "）"
        raise TypeError(n)  # pragma: no cover

    def flag(self, n) -> tuple[object, object] | None:
        """``分值 × (comparison)`` in either order: (comparison, the points)."""
        if isinstance(n, Binary) and n.op == "*":
            for cmp_, other in ((n.right, n.left), (n.left, n.right)):
                if isinstance(cmp_, Binary) and cmp_.op in _CMP_WORDS and self.constant(other) is not None:
                    return cmp_, other
        return None
