"""The core knows nothing above it: no perfeval_xl.io / survey / cli / excel / udfs / pipeline /
extensions, no Excel library.  Read from the source (every import statement of every file), so a
lazy import inside a function counts too."""

from __future__ import annotations

import ast
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
