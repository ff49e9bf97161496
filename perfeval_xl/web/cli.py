"""``perfeval web build``: the command that writes the offline page (see :mod:`perfeval_xl.web.build`)."""

from __future__ import annotations

import sys

EXIT_OK, EXIT_UNREADABLE = 0, 2


def register_cli(subparsers) -> None:
    web = subparsers.add_parser("web", help="生成离线网页版（在浏览器中评分、复核，无需安装）",
                                description="离线网页版：在浏览器中评分、复核和批量复核，工作簿不上传，不需要安装 Python。")
    sub = web.add_subparsers(dest="web_command", title="命令", metavar="命令", parser_class=type(web))
    build = sub.add_parser("build", help="生成“绩效评价离线版”文件夹及其 zip", description=(
        "生成“绩效评价离线版”文件夹（双击其中的 index.html 即可使用）和同名 .zip。\n"
        "需要 Node.js 18 以上，并已在项目的 tools/web 文件夹中运行 npm ci（取得 Pyodide 运行时）；\n"
        "首次生成时用 pip 从 PyPI 下载 Pyodide 用的 wheel（之后取自缓存）。\n\n"
        "退出状态：0 已生成；2 缺少 Node.js、Pyodide 或 wheel，或无法写出。"))
    build.add_argument("-o", "--output", metavar="文件夹", default=".", help="在此文件夹中生成（默认：当前文件夹）")
    build.add_argument("--pyodide", metavar="文件夹", help="npm 包 pyodide 所在的文件夹（默认：tools/web/node_modules/pyodide）")
    build.set_defaults(handler=cmd_build)
    web.set_defaults(handler=lambda args: _usage(web))


def _usage(parser) -> int:
    parser.print_help()
    return EXIT_UNREADABLE


def cmd_build(args) -> int:
    from perfeval_xl.io.atomic import describe_os_error
    from perfeval_xl.web.build import FOLDER_NAME, WebBuildError, build

    try:
        built = build(args.output, pyodide=args.pyodide, log=lambda text: print(text, file=sys.stderr))
    except WebBuildError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except OSError as exc:
        print(f"错误：离线版未能写出：{describe_os_error(exc)}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(f"已生成：{built.folder}（双击其中的 index.html 打开）")
    print(f"已打包：{built.zip}（把它发给使用者，解压后打开 {FOLDER_NAME}/index.html）")
    return EXIT_OK
