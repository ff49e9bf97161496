"""``perfeval addin lite``: the ``main.py`` and ``requirements.txt`` an xlwings Lite user pastes in.

xlwings Lite (Microsoft 365 / Excel 2021+ on Windows and macOS, Excel on the web) runs Python in
Pyodide inside the add-in and keeps the code in the workbook: one ``main.py`` and one
``requirements.txt``.  The ``main.py`` written here holds no logic of its own:

* two scripts, 评分 and 复核, that run :func:`perfeval_xl.excel.score_book` and
  :func:`perfeval_xl.excel.review_book` on the open workbook (the remote-engine ``xw.Book`` Lite hands a
  script).  Both ask Lite for every sheet, no ``include``/``exclude``: the client sends the names scoped
  to a sheet only for the sheets it loads (``getBookData`` of xlwings Server, which Lite is built on), and
  the ownership marks of perfeval's output sheets (:mod:`perfeval_xl.io.ownership`) are such names; a
  script that left out the output sheets would take them for the user's on its next run and stop;
* the custom functions of :mod:`perfeval_xl.udfs`, imported into ``main.py`` so that Lite registers
  them (Lite imports xlwings with its Office.js decorators, so ``xw.func`` in :mod:`perfeval_xl.udfs`
  is already Lite's ``func``).  ``INDICATOR_SCORE`` is left out: it reads the calling workbook, which a
  Lite custom function cannot.

``requirements.txt`` pins xlwings to the version the tests run and names this package, by default as
``perfeval-xl==<version>`` (from PyPI, or from the index Lite is configured with) or, with
``--wheel-url``, as the URL of the project's wheel (served with CORS).  See docs/excel.md, 第十一节.
"""

from __future__ import annotations

import sys
from pathlib import Path

from perfeval_xl import __version__

# registered with the command line on every start: the rest is imported when the command runs

#: the xlwings version the scripts are tested against (pyproject.toml pins the same)
XLWINGS_VERSION = "0.37.8"
PACKAGE = "perfeval-xl"
MAIN_PY, REQUIREMENTS = "main.py", "requirements.txt"
def lite_udfs() -> tuple[str, ...]:
    """The UDFs of :mod:`perfeval_xl.udfs` that work in xlwings Lite: all but those that need the
    calling workbook (:data:`perfeval_xl.udfs.WORKBOOK_UDFS`).  Read from the module itself, so a
    new UDF reaches the Lite script with nothing else to edit."""
    from perfeval_xl import udfs

    return tuple(name for name in udfs.__all__ if name not in udfs.WORKBOOK_UDFS)


def _listed(items: list[str], per_line: int) -> str:
    """Names for a Python import, ``per_line`` to a line, indented."""
    pieces = [f"{item}," for item in items]
    return "\n".join("    " + " ".join(pieces[i:i + per_line]) for i in range(0, len(pieces), per_line))


def main_py() -> str:
    """The text of ``main.py``."""
    return f'''"""perfeval-xl {__version__}：项目支出绩效评价（xlwings Lite 脚本和自定义函数）。

由 `perfeval addin lite` 生成。把本文件全部内容粘贴到 xlwings Lite 的 main.py，把同时生成的
requirements.txt 的内容粘贴到 requirements.txt，按提示重启 xlwings Lite。
脚本“评分”“复核”在 xlwings Lite 窗格中选中后点运行；结果写入本工作簿的输出工作表，输入工作表不变。
自定义函数（ARRIVAL_RATE、SCORE_STEP 等）可直接在单元格中使用，说明见 docs/excel.md。
"""

import xlwings as xw
from xlwings import script

from perfeval_xl.excel import review_book, score_book
from perfeval_xl.udfs import (  # noqa: F401  xlwings Lite registers the custom functions it finds here
{_listed(list(lite_udfs()), 5)}
)


@script(name="评分")
def perfeval_score(book: xw.Book):
    """为当前工作簿评分：写出得分汇总、评分表、附表和校验结果（输入工作表不改动）。"""
    score_book(book)


@script(name="复核")
def perfeval_review(book: xw.Book):
    """复核：复算并核对报告数据、粘贴的报告表格和绩效自评表，写出评分表和复核意见。"""
    review_book(book)
'''


def requirements_txt(wheel_url: str | None = None) -> str:
    """The text of ``requirements.txt``: xlwings pinned, and this package (by version or by URL)."""
    package = wheel_url or f"{PACKAGE}=={__version__}"
    return f"xlwings=={XLWINGS_VERSION}\n{package}\n"


def write_lite(out_dir: str | Path | None = None, wheel_url: str | None = None) -> list[Path]:
    """Write ``main.py`` and ``requirements.txt`` into ``out_dir`` (default: the current folder),
    each atomically; returns their paths."""
    from perfeval_xl.io.atomic import write_bytes_atomic

    folder = Path(out_dir) if out_dir is not None else Path.cwd()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in ((MAIN_PY, main_py()), (REQUIREMENTS, requirements_txt(wheel_url))):
        data = text.encode("utf-8")
        written.append(write_bytes_atomic(folder / name, lambda handle, data=data: handle.write(data)))
    return written


def register_cli(commands) -> None:
    """``perfeval addin lite [-o 文件夹] [--wheel-url URL]`` under ``perfeval addin``."""
    lite = commands.add_parser(
        "lite", help="生成 xlwings Lite 用的 main.py 和 requirements.txt",
        description="生成 xlwings Lite（Microsoft 365 / Excel 2021 及以上、网页版 Excel 中免安装的 Python 加载项）"
                    "用的 main.py 和 requirements.txt：脚本“评分”“复核”和自定义函数。把两个文件的内容分别粘贴到 "
                    "xlwings Lite 编辑器的同名标签页中即可。详见 docs/excel.md。",
    )
    lite.add_argument("-o", "--output", metavar="文件夹", default=None, help="保存到的文件夹（默认：当前文件夹）")
    lite.add_argument("--wheel-url", metavar="URL", default=None,
                      help="requirements.txt 中改用本工具安装包（.whl）的网址，而不是 PyPI 上的 perfeval-xl")
    lite.set_defaults(handler=_cli_lite)


def _cli_lite(args) -> int:
    from perfeval_xl.io.atomic import describe_os_error

    if args.output and Path(args.output).exists() and not Path(args.output).is_dir():
        print(f"错误：“{args.output}”已存在且不是文件夹；-o 应给出保存 main.py 和 requirements.txt 的文件夹",
              file=sys.stderr)
        return 2
    try:
        paths = write_lite(args.output, args.wheel_url)
    except OSError as exc:  # FileLockedError included
        print(f"错误：{describe_os_error(exc)}", file=sys.stderr)
        return 2
    for path in paths:
        print(f"已写入：{path}")
    print("把 main.py 和 requirements.txt 的内容分别粘贴到 xlwings Lite 编辑器的同名标签页，按提示重启 xlwings Lite。")
    return 0
