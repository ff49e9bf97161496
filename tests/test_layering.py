"""Every package imports only below itself (:data:`LAYERS`), and the core knows no Excel library.

Read from the source (every import statement of every file), so a lazy import inside a function
counts too, and so does a module named in a string ("perfeval_xl.excel:write_plan" for
``import_module``), which is an import made later.  Each top-level module or package of perfeval_xl has a rank in :data:`LAYERS`; a module
may import its own package and any of strictly lower rank, nothing of its rank or above.  A new
package (``perfeval_xl/web/`` …) fails :func:`test_every_package_has_a_layer` until it is placed
in the table."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import perfeval_xl.core

CORE = Path(perfeval_xl.core.__file__).parent
#: what the core may import from the package: itself
ALLOWED_PACKAGE = "perfeval_xl.core"
#: libraries that would tie the core to Excel files or to Excel itself
EXCEL_LIBRARIES = {"openpyxl", "python_calamine", "xlwings", "xlrd", "xlsxwriter", "pywintypes", "win32com"}


def imported_modules(path: Path, root: Path = CORE) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path`` (relative imports resolved)."""
    package = "perfeval_xl.core" + "".join("." + p for p in path.relative_to(root).parent.parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
    return found


PACKAGE = CORE.parent
#: rank of each top-level module or package: the lowest knows nothing of the others
LAYERS = {
    "core": 0, "gcpause": 0,          # pure evaluation over frozen data; the GC switch
    "io": 1,                          # files: guard and sheet scan, snapshot, splice writer, targets, ownership
    "forms": 2, "survey": 2,          # 自评表 forms; questionnaires (their sources, sheets, import command)
    "targetforms": 3,                 # 绩效目标申报表 (reads forms' layouts)
    "extensions": 4,                  # the one list of extensions (sources, sheets, checks)
    "pipeline": 5, "docgen": 5,       # the score stages; generated docs
    "review": 6,                      # the review stages
    "batchstore": 7,                  # the batch's results (SQLite or in memory)
    "batch": 8, "new_from": 7, "wordreport": 7,
    "analysis": 9, "excel": 8,
    "udfs": 9,
    "writers": 9,                     # the writer engines by name: io's, excel's (xlwings) and wordreport's (docx)
    "lite": 10,                       # xlwings Lite's main.py (scripts over excel, custom functions over udfs)
    "web": 10,                        # the offline page's builder (perfeval web build)
    "addin": 11,                      # perfeval addin build | install | lite
    "cli": 12,
    "web.api": 13,                    # the Python the offline page runs: the command line's own commands
    "__init__": 14,                   # the package's entry points (lazy)
}
#: names of the package root any module may import (data, no import side effect)
ROOT_NAMES = {"__version__"}


def _unit(path: Path, root: Path = PACKAGE) -> str:
    """The layer ``path`` belongs to: its top-level package or module, or ``package.module`` where
    :data:`LAYERS` ranks that module on its own."""
    rel = path.relative_to(root)
    if len(rel.parts) == 2 and f"{rel.parts[0]}.{rel.stem}" in LAYERS:
        return f"{rel.parts[0]}.{rel.stem}"
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported_units(path: Path, root: Path = PACKAGE) -> list[tuple[int, str]]:
    """(line, top-level module of perfeval_xl) of every import of the package in ``path``;
    ``from perfeval_xl import extensions`` names ``extensions``."""
    package = "perfeval_xl" + "".join("." + p for p in path.relative_to(root).parent.parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                module = base + ("." + node.module if node.module else "")
            else:
                module = node.module or ""
            modules = [module + "." + a.name for a in node.names] if module == "perfeval_xl" else [module]
        for module in modules:
            parts = module.split(".")
            if parts[0] == "perfeval_xl" and len(parts) > 1 and parts[1] not in ROOT_NAMES:
                found.append((node.lineno, parts[1]))
    return found


#: a string that is a module of the package, as ``import_module`` or an engine map names it
#: ("perfeval_xl.excel", "perfeval_xl.wordreport.docx_writer:write_plan")
MODULE_NAME = re.compile(r"perfeval_xl((?:\.[A-Za-z_]\w*)+)(?::[A-Za-z_]\w*)?")


def named_units(path: Path) -> list[tuple[int, str]]:
    """(line, top-level module of perfeval_xl) of every string in ``path`` that is a module name of
    the package (docstrings, which may cite any module, left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            match = MODULE_NAME.fullmatch(node.value)
            if match and match.group(1).split(".")[1] not in ROOT_NAMES:
                found.append((node.lineno, match.group(1).split(".")[1]))
    return found


def layer_violations(root: Path = PACKAGE, layers: dict[str, int] = LAYERS) -> list[str]:
    bad = []
    for path in sorted(root.rglob("*.py")):
        unit = _unit(path, root)
        for (line, other), how in ([(found, "imports") for found in imported_units(path, root)]
                                   + [(found, "names") for found in named_units(path)]):
            if other != unit and not layers[other] < layers[unit]:
                bad.append(f"{path.relative_to(root)}:{line} ({unit}, layer {layers[unit]}) {how} {other} "
                           f"(layer {layers[other]})")
    return bad


def test_every_package_has_a_layer():
    units = {_unit(p) for p in PACKAGE.rglob("*.py")}
    assert sorted(units - set(LAYERS)) == []


def test_each_layer_imports_only_below_itself():
    assert layer_violations() == []


def test_the_layer_walk_sees_each_kind_of_import(tmp_path):
    # the checker must catch an import upward or sideways, absolute, relative or lazy, and only those
    (tmp_path / "io").mkdir()
    (tmp_path / "survey").mkdir()
    (tmp_path / "io" / "probe.py").write_text(
        "from perfeval_xl import extensions\nfrom ..core import schema\nfrom . import atomic\n"
        "def f():\n    from ..survey import book\nfrom perfeval_xl import __version__\n", encoding="utf-8")
    (tmp_path / "survey" / "cli.py").write_text("from ..pipeline import backup_path\nfrom ..forms import reader\n"
                                                "import perfeval_xl.io.targets\n", encoding="utf-8")
    assert layer_violations(tmp_path) == [
        "io/probe.py:1 (io, layer 1) imports extensions (layer 4)", "io/probe.py:5 (io, layer 1) imports survey (layer 2)",
        "survey/cli.py:1 (survey, layer 2) imports pipeline (layer 5)",
        "survey/cli.py:2 (survey, layer 2) imports forms (layer 2)"]


def test_the_layer_walk_sees_a_module_named_in_a_string(tmp_path):
    # io naming a writer above it for a lazy import_module is an import upward; a docstring citing the
    # module, a string of the layer itself or below, or prose mentioning the package, is not
    (tmp_path / "io").mkdir()
    (tmp_path / "io" / "engines.py").write_text(
        '"""The engines; the xlwings one is perfeval_xl.excel:write_plan."""\n'
        'ENGINES = {"splice": "perfeval_xl.io.xlsx_splice:write_plan", "xlwings": "perfeval_xl.excel:write_plan",\n'
        '           "docx": "perfeval_xl.wordreport.docx_writer:write_plan", "core": "perfeval_xl.core.writeplan"}\n'
        'def load():\n    """Loads perfeval_xl.cli."""\n    return import_module("perfeval_xl.survey")\n'
        'NOTE = "see perfeval_xl.excel for the button"\n', encoding="utf-8")
    assert layer_violations(tmp_path) == [
        "io/engines.py:2 (io, layer 1) names excel (layer 8)", "io/engines.py:3 (io, layer 1) names wordreport (layer 7)",
        "io/engines.py:6 (io, layer 1) names survey (layer 2)"]


def core_violations(root: Path = CORE) -> list[str]:
    bad = []
    for path in sorted(root.rglob("*.py")):
        for line, module in imported_modules(path, root):
            top = module.split(".")[0]
            inside = module == ALLOWED_PACKAGE or module.startswith(ALLOWED_PACKAGE + ".")
            if (top == "perfeval_xl" and not inside) or top in EXCEL_LIBRARIES:
                bad.append(f"{path.relative_to(root)}:{line} imports {module}")
    return bad


def test_core_imports_nothing_above_it():
    assert core_violations() == []


def test_the_walk_sees_relative_lazy_and_library_imports(tmp_path):
    # the checker itself must catch each kind of import it is there to catch, and only those
    (tmp_path / "sub").mkdir()
    (tmp_path / "probe.py").write_text(
        "from ..survey import book\n"
        "def f():\n    import openpyxl\n    from perfeval_xl.io import atomic\n"
        "from . import schema\nfrom .findings import Ref\nimport decimal\n", encoding="utf-8")
    (tmp_path / "sub" / "deep.py").write_text("from ...cli import main\nfrom .. import numbers\n", encoding="utf-8")
    assert core_violations(tmp_path) == [
        "probe.py:1 imports perfeval_xl.survey", "probe.py:3 imports openpyxl", "probe.py:4 imports perfeval_xl.io",
        "sub/deep.py:1 imports perfeval_xl.cli"]
