"""docs/errors.md covers every message the code can emit.

The messages are found in the source with ``ast``: the text of every exception
raised with a Chinese message, every finding (``.error`` / ``.warning`` / ``.add`` /
``problems.append((severity, where, message))``) and every command-line error.  An
f-string counts by its fixed parts: its longest fixed Chinese phrase must appear in
docs/errors.md verbatim (there the variable parts are written as ``{…}``).

    python tests/test_errors_doc.py     # list the messages that docs/errors.md lacks
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "perfeval_xl"
DOC = ROOT / "docs" / "errors.md"

CJK = re.compile(r"[\u4e00-\u9fff]")
#: positional index of the message in constructors whose message is not the first argument
MESSAGE_ARG = {"TemplateError": 2, "WriteFailed": 1, "_fail": 3}
FINDING_METHODS = {"error": 1, "warning": 1, "add": 2}


@dataclass(frozen=True)
class Message:
    file: str
    line: int
    template: str  # fixed text with {…} for the variable parts
    key: str  # the longest fixed phrase

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.template}"


def _template(node: ast.AST) -> str | None:
    """The message's text with {…} for variable parts; None when it is not built from literals."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        out = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                out.append(str(value.value))
            else:
                out.append("{…}")
        return "".join(out)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _template(node.left), _template(node.right)
        if left is None and right is None:
            return None
        return (left or "{…}") + (right or "{…}")
    if isinstance(node, ast.IfExp):
        a, b = _template(node.body), _template(node.orelse)
        return a or b
    return None


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_exception_name(name: str) -> bool:
    return bool(name) and name[0].isupper() and name.endswith(("Error", "Exception", "File", "Failed"))


def _message_nodes(call: ast.Call):
    name = _name(call.func)
    if _is_exception_name(name) or name == "_fail":
        index = MESSAGE_ARG.get(name, 0)
        if len(call.args) > index:
            yield call.args[index]
        for keyword in call.keywords:
            if keyword.arg == "message":
                yield keyword.value
    elif isinstance(call.func, ast.Attribute) and name in FINDING_METHODS:
        index = FINDING_METHODS[name]
        if len(call.args) > index:
            yield call.args[index]
    elif name == "append" and call.args and isinstance(call.args[0], ast.Tuple):
        elts = call.args[0].elts
        if elts and isinstance(elts[0], ast.Constant) and elts[0].value in ("error", "warning"):
            yield elts[-1]
    elif name == "print" and any(k.arg == "file" for k in call.keywords):
        for arg in call.args:
            yield arg


def _key(template: str) -> str:
    parts = [p.strip(" ：:；;，,。") for p in template.split("{…}")]
    parts = [p for p in parts if len(CJK.findall(p)) >= 2]
    return max(parts, key=len) if parts else ""


def messages() -> list[Message]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for arg in _message_nodes(node):
                template = _template(arg)
                if template is None or not CJK.search(template):
                    continue
                if _name(node.func) == "print" and "错误" not in template:
                    continue  # the score summary, not a message
                key = _key(template)
                if key:
                    found.append(Message(str(path.relative_to(ROOT)), node.lineno, template, key))
    return found


def missing() -> list[Message]:
    doc = DOC.read_text(encoding="utf-8")
    return [m for m in messages() if m.key not in doc]


def test_there_are_messages_to_document():
    assert len(messages()) > 100


def test_every_message_is_in_docs_errors_md():
    lacking = missing()
    assert not lacking, "docs/errors.md lacks:\n" + "\n".join(map(str, lacking))


def test_errors_doc_is_chinese_and_says_how_to_fix():
    doc = DOC.read_text(encoding="utf-8")
    assert doc.startswith("# ")
    assert doc.count("|") > 300
    for heading in ("含义", "处理"):
        assert heading in doc


if __name__ == "__main__":  # pragma: no cover
    for message in (missing() if DOC.exists() else messages()):
        print(message)
    sys.exit(0)
