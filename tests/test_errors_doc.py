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
#: the functions through which the commands print their errors
COMMAND_ERRORS = {"_fail", "_error"}


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
    if _is_exception_name(name) or name in COMMAND_ERRORS:
        # every command's error printer: score/review (_fail(args, sheet, cell, message)), report (_fail(message)),
        # survey import (_error(message)), the CLI's boundary (describe_failure)
        index = MESSAGE_ARG.get(name, 0) if len(call.args) > 1 else 0
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
                if _name(node.func) == "print" and not ("错误" in template or "已中断" in template):
                    continue  # the score summary, not a message
                key = _key(template)
                if key:
                    found.append(Message(str(path.relative_to(ROOT)), node.lineno, template, key))
    return found


# --- the correspondence ------------------------------------------------------------------------------------
#
# A message and a doc entry correspond when one text could be both: the code's variable parts ({…}) and the
# doc's “…” each stand for any text (two patterns with wildcards that have a common instance), and the code's
# longest fixed phrase is written out in the entry.

STAR = "\0"


def _pattern(text: str) -> str:
    return text.replace("{…}", STAR).replace("…", STAR)


def unify(p: str, q: str) -> bool:
    """Some text matches both patterns (STAR: any text, possibly empty)."""
    m = len(q)
    prev = [True] + [False] * m
    for j in range(1, m + 1):
        prev[j] = prev[j - 1] and q[j - 1] == STAR
    for a in p:
        cur = [prev[0] and a == STAR] + [False] * m
        for j in range(1, m + 1):
            b = q[j - 1]
            if a == STAR or b == STAR:
                cur[j] = prev[j] or cur[j - 1] or (a == b and prev[j - 1])
            else:
                cur[j] = a == b and prev[j - 1]
        prev = cur
    return prev[m]


def doc_entries() -> list[str]:
    """The messages docs/errors.md lists: the `…` spans of the first column of its tables."""
    entries = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            entries += re.findall(r"`([^`]+)`", line.split(" | ")[0])
    return entries


def templates() -> set[str]:
    """Every Chinese text in the package, with {…} for its variable parts (the pieces messages are made of)."""
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, (ast.Constant, ast.JoinedStr, ast.BinOp, ast.IfExp)):
                template = _template(node)
                if template and CJK.search(template):
                    found.add(template)
    return found


#: entries for messages put together from several pieces of code (a label, a reason and a hint; a prefix added
#: by the command line): the pieces, each of which must still be in the code
COMPOSED = {
    "“评价形态”应为以下之一：…；应填写下拉列表中的一项": ("“{…}”{…}；应填写{…}", "应为以下之一：", "下拉列表中的一项"),
    "等级“…”的范围是 …–… 分，得分填写了 …": ("等级“{…}”{…}，得分填写了 {…}", "的范围是 {…}–{…} 分"),
    "逐项扣分不认识参数“…”；可用：…": ("{…}不认识参数“{…}”；可用：{…}", "逐项扣分"),
    "注意：跳过了 … 个本工具写出的文件（文件名以 _评分、_复核 结尾或含 _备份_）":
        ("注意：{…}", "跳过了 {…} 个本工具写出的文件（文件名以 _评分、_复核 结尾或含 _备份_）"),
    "对象“…”不是三级指标（编码或名称）、子项、二级或一级指标；指标体系中的编码如 … 等":
        ("对象“{…}”不是{…}；指标体系中的编码如 {…} 等", "三级指标（编码或名称）、子项", "、二级或一级指标"),
    "指标“…”没有指标值：它按子项评分，请在“对象”写子项名称":
        ("指标“{…}”没有指标值：它{…}", "按子项评分，请在“对象”写子项名称"),
}


def missing() -> list[Message]:
    """Messages of the code that no entry of docs/errors.md corresponds to."""
    entries = [(e, _pattern(e)) for e in doc_entries()]
    return [m for m in messages() if not any(m.key in raw and unify(_pattern(m.template), e) for raw, e in entries)]


def stale() -> list[str]:
    """Entries of docs/errors.md for messages the code no longer gives."""
    code = templates()
    patterns = [(_pattern(t), _key(t)) for t in code]
    found = []
    for entry in doc_entries():
        if entry in COMPOSED:
            if not all(piece in code or any(piece in t for t in code) for piece in COMPOSED[entry]):
                found.append(entry)
            continue
        e = _pattern(entry)
        if not any(key and key in entry and unify(p, e) for p, key in patterns):
            found.append(entry)
    return found


def test_the_scanner_finds_every_kind_of_message():
    """messages() sees exceptions, findings (.error/.warning), rule problems and command-line errors."""
    found = {(m.file.replace("\\", "/"), m.template) for m in messages()}
    for where, template in [
        ("perfeval_xl/core/formula.py", "公式为空"),  # an exception
        ("perfeval_xl/core/rules/checklist.py", "得分低于分值，但没有填写扣分原因"),  # Problem.warning
        ("perfeval_xl/core/rules/checklist.py", "定性评价须填写等级或得分"),  # Problem.error
        ("perfeval_xl/core/book.py", "“{…}”{…}；应填写{…}，已按默认值“{…}”处理"),  # findings.error
    ]:
        assert (where, template) in found, (where, template)
    assert any(f.startswith("perfeval_xl/cli") and t.startswith("错误：") for f, t in found)  # print(…, file=…)


def test_every_message_is_in_docs_errors_md():
    lacking = missing()
    assert not lacking, "docs/errors.md lacks:\n" + "\n".join(map(str, lacking))


def test_docs_errors_md_lists_no_message_the_code_no_longer_gives():
    gone = stale()
    assert not gone, "docs/errors.md lists messages the code no longer gives:\n" + "\n".join(gone)


def test_the_correspondence_is_strict():
    """The matching itself: wildcards stand for text, fixed text must agree."""
    assert unify(_pattern("找不到文件“{…}”"), _pattern("找不到文件“…”"))
    assert unify(_pattern("{…}不认识参数“{…}”"), _pattern("逐项扣分不认识参数“…”"))
    assert not unify(_pattern("找不到文件“{…}”"), _pattern("找不到工作表“…”"))
    assert not unify(_pattern("公式为空"), _pattern("公式为空…，请填写"[:-4] + "x"))
    doc = DOC.read_text(encoding="utf-8")
    assert "`找不到文件“…”`" in doc and not [e for e in doc_entries() if e == "公式为空x"]


def test_errors_doc_is_chinese_and_says_how_to_fix():
    doc = DOC.read_text(encoding="utf-8")
    assert doc.startswith("# ")
    rows = [line for line in doc.splitlines() if line.startswith("| `")]
    assert len(rows) == len(set(rows)), "an entry is listed twice"
    width = 0
    for line in doc.splitlines():
        if line in ("| 消息 | 含义 | 处理 |", "| 说明 | 含义 |"):
            width = line.count(" | ") + 1
        elif line.startswith("| `"):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            assert width and len(cells) == width, line  # 消息 | 含义 | 处理 (or 说明 | 含义)
            assert all(CJK.search(c) for c in cells[1:]), line  # every entry explained (and how to fix it)
    assert doc.count("| 消息 | 含义 | 处理 |") >= 17  # one table per section (sections only get added)


if __name__ == "__main__":  # pragma: no cover
    for message in (missing() if DOC.exists() else messages()):
        print(message)
    for entry in (stale() if DOC.exists() else []):
        print("stale:", entry)
    sys.exit(0)
