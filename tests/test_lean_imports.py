"""The commands a browser or xlwings Lite runs import only what installs under Pyodide (issue 17 item 3), and
the command line imports a subcommand's dependencies only when that subcommand runs (issue 22 item 5).

Each command runs in a fresh interpreter (``cli.main`` in a subprocess), once as on a desktop and once with the
packages Pyodide cannot install made unimportable (python-docx and Pillow, and lxml under them, have no wasm wheel
on PyPI); ``sys.modules`` is inspected afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from perfeval_xl.io.xlsx_package import escape, quoteattr

# each case starts a fresh Python process: the full suite, not the fast loop
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_workbooks"
XISHAN = SAMPLES / "西山区社区党组织服务群众专项经费2024.xlsx"

#: what no command of the page may import: the Word draft's packages, Excel's, the progress bar (batch draws it on
#: a terminal only), and the network stack that ``xml.sax.saxutils`` used to drag in
NEVER = ("docx", "PIL", "lxml", "xlwings", "tqdm", "urllib.request", "http", "email", "ssl")
#: packages Pyodide cannot install: made unimportable in the second run
NOT_IN_PYODIDE = ("docx", "PIL", "lxml")

PROBE = """
import json, sys
blocked = json.loads(sys.argv[1])
for name in blocked:
    sys.modules[name] = None  # `import name` now raises ImportError, as where the package is not installed
from perfeval_xl import cli
try:
    code = cli.main(json.loads(sys.argv[2]))
except SystemExit as exc:
    code = exc.code
loaded = sorted(name for name, module in sys.modules.items() if module is not None)
print(json.dumps({"code": code, "modules": loaded}), file=sys.__stderr__)
"""


def run_cli(argv: list[str], blocked: tuple[str, ...], cwd: Path) -> tuple[int, set[str]]:
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(list(blocked)), json.dumps(argv)],
                          capture_output=True, text=True, encoding="utf-8", cwd=cwd, timeout=300)
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


def imported(modules: set[str], package: str) -> list[str]:
    return sorted(m for m in modules if m == package or m.startswith(package + "."))


COMMANDS = {
    # command → (arguments after copying the sample into tmp_path, exit status, may it import openpyxl)
    "version": (["--version"], 0, False),
    "score": (["score", XISHAN.name, "-o", "评分.xlsx"], 0, False),
    # the sample's 报告数据 prints 资金到位率 25.56% where the data give 26.56%: slips, exit 1
    "review": (["review", XISHAN.name, "-o", "复核.xlsx"], 1, False),
    "batch": (["batch", XISHAN.name, "-o", "汇总.xlsx", "--jobs", "1"], 1, False),
    "new": (["new", "-o", "模板.xlsx"], 0, True),  # the template is built with openpyxl (pure Python, in the page)
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("pyodide_like", [False, True], ids=["desktop", "without-docx-pillow-lxml"])
def test_command_imports_only_what_it_needs(command, pyodide_like, tmp_path):
    argv, status, openpyxl_allowed = COMMANDS[command]
    (tmp_path / XISHAN.name).write_bytes(XISHAN.read_bytes())
    code, modules = run_cli(argv, NOT_IN_PYODIDE if pyodide_like else (), tmp_path)
    assert code == status
    never = NEVER
    if openpyxl_allowed and not pyodide_like:  # openpyxl itself imports Pillow and lxml when they are installed
        never = tuple(p for p in NEVER if p not in ("PIL", "lxml"))
    unwanted = [m for package in never for m in imported(modules, package)]
    if not openpyxl_allowed:
        unwanted += imported(modules, "openpyxl")
    assert unwanted == []
    written = {"score": "评分.xlsx", "review": "复核.xlsx", "batch": "汇总.xlsx", "new": "模板.xlsx"}.get(command)
    if written:
        assert zipfile.is_zipfile(tmp_path / written)


@pytest.mark.slow
def test_template_without_pillow_and_lxml_has_the_same_sheets(tmp_path):
    """openpyxl uses Pillow and lxml only when they are there: the template written without them (as in the
    page) holds the same sheets with the same cell values as the desktop's."""
    from python_calamine import CalamineWorkbook

    sheets = []
    for blocked, folder in (((), "desktop"), (NOT_IN_PYODIDE, "pyodide")):
        (tmp_path / folder).mkdir()
        code, _ = run_cli(["new", "-o", "模板.xlsx"], blocked, tmp_path / folder)
        assert code == 0
        book = CalamineWorkbook.from_path(str(tmp_path / folder / "模板.xlsx"))
        sheets.append({name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names})
    assert sheets[0] == sheets[1]
    assert "指标体系" in sheets[0]


@pytest.mark.parametrize("text", [
    "", "plain", "a&b<c>d", "&amp;", "say \"hi\"", "it's", "both \" and '", "tab\tnew\nline\rcr",
    "评分表-西山区", "=SUM(A1:A2)", "<![CDATA[x]]>", "\x7f\u2028",
])
def test_xml_escapes_are_the_standard_librarys(text):
    """escape/quoteattr replace xml.sax.saxutils' (which imports urllib.request, http, email and ssl) and must
    write the very same bytes, or every output file would change."""
    from xml.sax import saxutils

    assert escape(text) == saxutils.escape(text)
    assert quoteattr(text) == saxutils.quoteattr(text)
