"""The Excel add-in ``perfeval_xl.xlam``: a 绩效评价 ribbon tab with one 评分 button.

The add-in is built from the ribbon add-in template that ships inside the installed
xlwings (``xlwings/quickstart_addin_ribbon.xlam``), so the VBA it carries always
declares the xlwings DLL of exactly the installed xlwings version. Only three
things of the template are changed, all outside the VBA project:

* ``customUI/customUI.xml``: the ribbon. The button keeps the template's callback
  ``RibbonMyAddin.RunMain``, whose VBA is
  ``RunPython "import " & <file stem> & ";" & <file stem> & ".main()"`` — the file
  must therefore be called ``perfeval_xl.xlam`` so that the button runs
  ``import perfeval_xl; perfeval_xl.main()``.
* the config sheet: the template's inactive ``_myaddin.conf`` sheet is renamed to
  ``myaddin.conf`` (the VBA constant ``PROJECT_NAME`` is ``"myaddin"`` and is part of
  the VBA, which stays untouched) and holds ``UDF Modules = perfeval_xl.udfs`` and,
  when known, the interpreter path.
* ``xl/sharedStrings.xml``: the strings of that sheet.

``xl/vbaProject.bin`` is copied byte for byte. See ``docs/dev-xlwings.md``.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

# registered with the command line on every start: zip, file and copy modules are imported where they are used

ADDIN_STEM = "perfeval_xl"
ADDIN_FILENAME = ADDIN_STEM + ".xlam"
UDF_MODULE = "perfeval_xl.udfs"
TEMPLATE_NAME = "quickstart_addin_ribbon.xlam"

#: VBA constant PROJECT_NAME in the template's ``xlwings`` module; the config sheet
#: and the user config file (``%USERPROFILE%\.myaddin\myaddin.conf``) are named after it.
VBA_PROJECT_NAME = "myaddin"
CONFIG_SHEET = VBA_PROJECT_NAME + ".conf"
TEMPLATE_CONFIG_SHEET = "_" + CONFIG_SHEET
#: The template's ribbon callback (VBA module RibbonMyAddin, Sub RunMain(control)).
RIBBON_CALLBACK = "RibbonMyAddin.RunMain"

TAB_LABEL = "绩效评价"
BUTTON_LABEL = "评分"

_CUSTOMUI_NS_2006 = "http://schemas.microsoft.com/office/2006/01/customui"
_CUSTOMUI_NS_2009 = "http://schemas.microsoft.com/office/2009/07/customui"

_CONFIG_PARTS = ("xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml")
_SPREADSHEETML_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


class AddinError(Exception):
    """The add-in cannot be built or installed; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class InstallResult:
    installed: bool
    path: Path | None
    message: str


def template_path() -> Path:
    """The ribbon add-in template inside the installed xlwings package."""
    import xlwings

    path = Path(xlwings.__file__).resolve().parent / TEMPLATE_NAME
    if not path.is_file():
        raise AddinError(
            f"在已安装的 xlwings {xlwings.__version__} 中找不到加载项模板 {TEMPLATE_NAME}，"
            "请重新安装 xlwings（pip install --force-reinstall xlwings）"
        )
    return path


def customui_xml(namespace: str = _CUSTOMUI_NS_2006) -> str:
    """The ribbon: tab 绩效评价, group 评分, button 评分 → ``RibbonMyAddin.RunMain``."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<customUI xmlns="{namespace}">\n'
        "  <ribbon>\n"
        "    <tabs>\n"
        f'      <tab id="perfevalTab" label="{TAB_LABEL}">\n'
        '        <group id="perfevalScoreGroup" label="评分">\n'
        f'          <button id="perfevalScoreButton" label="{BUTTON_LABEL}" size="large"'
        f' onAction="{RIBBON_CALLBACK}" imageMso="MacroPlay"'
        ' screentip="对当前工作簿评分"'
        ' supertip="读取当前工作簿的评价模板，计算各指标得分，'
        '重写“得分汇总”“评分表”“校验结果”及附表；输入工作表不会被修改。" />\n'
        "        </group>\n"
        "      </tab>\n"
        "    </tabs>\n"
        "  </ribbon>\n"
        "</customUI>\n"
    )


def config_rows(
    *,
    interpreter_win: str | None = None,
    interpreter_mac: str | None = None,
    pythonpath: str | None = None,
) -> list[tuple[str, str]]:
    """Key/value rows of the add-in's ``myaddin.conf`` sheet.

    Only keys with a value are written: the VBA (``GetConfig``) takes a key that is
    present in the sheet even when its value is empty, which would hide the user's
    ``%USERPROFILE%\\.myaddin\\myaddin.conf`` file for that key.
    """
    rows = [("UDF Modules", UDF_MODULE)]
    if interpreter_win:
        rows.append(("Interpreter_Win", interpreter_win))
    if interpreter_mac:
        rows.append(("Interpreter_Mac", interpreter_mac))
    if pythonpath:
        rows.append(("PYTHONPATH", pythonpath))
    return rows


def _shared_strings_xml(strings: list[str]) -> bytes:
    from perfeval_xl.io.xlsx_package import escape

    items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<sst xmlns="{_SPREADSHEETML_NS}" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">{items}</sst>'
    ).encode("utf-8")


def _config_sheet_xml(template: str, rows: list[tuple[str, str]]) -> str:
    """Replace the template sheet's data with ``rows`` (A = key, B = value)."""
    cells = []
    for index, _row in enumerate(rows):
        r = index + 1
        cells.append(
            f'<row r="{r}" spans="1:2"><c r="A{r}" s="1" t="s"><v>{2 * index}</v></c>'
            f'<c r="B{r}" s="1" t="s"><v>{2 * index + 1}</v></c></row>'
        )
    data = "<sheetData>" + "".join(cells) + "</sheetData>"
    sheet, count = re.subn(r"<sheetData>.*?</sheetData>|<sheetData\s*/>", data, template, flags=re.S)
    if count != 1:
        raise AddinError("xlwings 加载项模板的配置工作表格式与预期不符，无法写入配置")
    sheet = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:B{len(rows)}" />', sheet)
    return sheet


def _workbook_xml(template: str) -> str:
    old = f'name="{TEMPLATE_CONFIG_SHEET}"'
    if old not in template:
        if f'name="{CONFIG_SHEET}"' in template:
            return template
        raise AddinError(f"xlwings 加载项模板中没有配置工作表 {TEMPLATE_CONFIG_SHEET}")
    return template.replace(old, f'name="{CONFIG_SHEET}"', 1)


def _resolve_out_path(out_path: str | os.PathLike[str] | None) -> Path:
    path = Path.cwd() if out_path is None else Path(out_path)
    if path.is_dir() or path.suffix.lower() != ".xlam":  # a folder, existing or not
        path = path / ADDIN_FILENAME
    if path.name != ADDIN_FILENAME:
        raise AddinError(
            f"加载项文件必须命名为 {ADDIN_FILENAME}（“评分”按钮按文件名运行 "
            f"import {ADDIN_STEM}; {ADDIN_STEM}.main()），不能是 {path.name}"
        )
    return path


def build_addin_bytes(
    *,
    interpreter_win: str | None = None,
    interpreter_mac: str | None = None,
    pythonpath: str | None = None,
    template: Path | None = None,
) -> bytes:
    """The add-in file as bytes (deterministic for the same template and settings)."""
    import io
    import zipfile

    template = template or template_path()
    rows = config_rows(
        interpreter_win=interpreter_win, interpreter_mac=interpreter_mac, pythonpath=pythonpath
    )
    out = io.BytesIO()
    seen_customui = False
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(out, "w") as dst:
        names = set(src.namelist())
        missing = [part for part in _CONFIG_PARTS if part not in names]
        if missing:
            raise AddinError(f"xlwings 加载项模板缺少部件：{', '.join(missing)}")
        for info in src.infolist():
            data = src.read(info)
            name = info.filename
            if name.startswith("customUI/") and name.endswith(".xml") and "/_rels/" not in name:
                namespace = _CUSTOMUI_NS_2009 if "customUI14" in name else _CUSTOMUI_NS_2006
                data = customui_xml(namespace).encode("utf-8")
                seen_customui = True
            elif name == "xl/workbook.xml":
                data = _workbook_xml(data.decode("utf-8")).encode("utf-8")
            elif name == "xl/worksheets/sheet1.xml":
                data = _config_sheet_xml(data.decode("utf-8"), rows).encode("utf-8")
            elif name == "xl/sharedStrings.xml":
                data = _shared_strings_xml([s for row in rows for s in row])
            new_info = zipfile.ZipInfo(name, date_time=info.date_time)
            new_info.compress_type = info.compress_type
            new_info.external_attr = info.external_attr
            new_info.create_system = info.create_system
            dst.writestr(new_info, data)
    if not seen_customui:
        raise AddinError("xlwings 加载项模板中没有功能区定义 customUI/customUI.xml")
    return out.getvalue()


def build_addin(
    out_path: str | os.PathLike[str] | None = None,
    *,
    interpreter_win: str | None = None,
    interpreter_mac: str | None = None,
    pythonpath: str | None = None,
) -> Path:
    """Build ``perfeval_xl.xlam`` at ``out_path`` (a folder or a path ending in that name).

    Written atomically: a temp file in the target folder, then ``os.replace``.
    """
    from perfeval_xl.io.atomic import write_bytes_atomic

    path = _resolve_out_path(out_path)
    data = build_addin_bytes(
        interpreter_win=interpreter_win, interpreter_mac=interpreter_mac, pythonpath=pythonpath
    )
    return write_bytes_atomic(path, lambda handle: handle.write(data))


# --- installing ---------------------------------------------------------------------


def addin_dir(platform: str | None = None, env: Mapping[str, str] | None = None, home: Path | None = None) -> Path | None:
    """Folder from which Excel opens files at start-up (XLSTART), or None without Excel."""
    platform = sys.platform if platform is None else platform
    variables = os.environ if env is None else env
    home = Path.home() if home is None else home
    if platform.startswith("win"):
        appdata = variables.get("APPDATA") or str(home / "AppData" / "Roaming")
        return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"
    if platform == "darwin":
        return (
            home / "Library" / "Group Containers" / "UBF8T346G9.Office"
            / "User Content.localized" / "Startup.localized" / "Excel"
        )
    return None


def no_excel_message(platform: str | None = None) -> str:
    platform = sys.platform if platform is None else platform
    return (
        f"本机（{platform}）没有 Microsoft Excel，无法安装加载项。"
        "请在装有 Excel 的 Windows 或 macOS 电脑上运行 perfeval addin install；"
        "如只需生成加载项文件，请运行 perfeval addin build；"
        "用 WPS 或没有 Excel 时，请用命令行评分：perfeval score 工作簿.xlsx"
    )


def install_addin(
    *,
    platform: str | None = None,
    target_dir: str | os.PathLike[str] | None = None,
    interpreter: str | None = None,
) -> InstallResult:
    """Build the add-in straight into Excel's start-up folder.

    The add-in records this Python (``sys.executable``) as its interpreter, so the
    button and the UDFs run the Python into which perfeval-xl is installed. On a
    system without Excel nothing is written and the result says so in Chinese.
    """
    from perfeval_xl.io.atomic import FileLockedError

    platform = sys.platform if platform is None else platform
    directory = Path(target_dir) if target_dir is not None else addin_dir(platform)
    if directory is None:
        return InstallResult(False, None, no_excel_message(platform))
    interpreter = interpreter or sys.executable
    kwargs = {"interpreter_mac": interpreter} if platform == "darwin" else {"interpreter_win": interpreter}
    try:
        path = build_addin(directory / ADDIN_FILENAME, **kwargs)
    except (FileLockedError, PermissionError) as exc:
        return InstallResult(
            False, None, f"无法写入 {directory / ADDIN_FILENAME}：请先完全退出 Excel 再安装（{exc}）"
        )
    notes = [f"已安装加载项：{path}", "请重新启动 Excel，功能区上会出现“绩效评价”选项卡。"]
    if platform == "darwin":
        notes.append(_install_mac_runpython())
        notes.append("注意：macOS 上的 Excel 不支持 xlwings 自定义函数（UDF），“评分”按钮可用。")
    else:
        notes.append(
            "首次使用自定义函数前，请按 docs/excel.md“导入自定义函数”一节导入一次函数。"
        )
    return InstallResult(True, path, "\n".join(notes))


def _install_mac_runpython() -> str:
    """RunPython on macOS needs xlwings' AppleScript in Excel's script folder."""
    import shutil

    import xlwings

    source = Path(xlwings.__file__).resolve().parent / f"xlwings-{xlwings.__version__}.applescript"
    target_dir = Path.home() / "Library" / "Application Scripts" / "com.microsoft.Excel"
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target_dir / source.name)
    except OSError as exc:
        return f"未能复制 {source.name} 到 {target_dir}（{exc}），“评分”按钮可能无法运行"
    return f"已复制 {source.name} 到 {target_dir}"


# --- command line -------------------------------------------------------------------


def register_cli(subparsers) -> None:
    """``perfeval addin build [-o PATH]`` and ``perfeval addin install``.

    Called by :func:`perfeval_xl.cli._register_extra_commands`; each command sets
    ``handler``, whose return value is the exit status.
    """
    parser = subparsers.add_parser(
        "addin", help="生成或安装 Excel 加载项（“绩效评价”选项卡）",
        description="生成或安装 Excel 加载项 perfeval_xl.xlam：功能区“绩效评价”选项卡上的“评分”按钮，"
                    "以及单元格中可用的自定义函数。详见 docs/excel.md。",
    )
    commands = parser.add_subparsers(dest="addin_command", title="命令", metavar="命令",
                                     parser_class=type(parser))
    parser.set_defaults(handler=lambda args: _cli_help(parser))

    build = commands.add_parser(
        "build", help="生成 perfeval_xl.xlam 文件",
        description=f"用本机安装的 xlwings 自带的模板生成加载项 {ADDIN_FILENAME}（文件名不能改）。",
    )
    build.add_argument("-o", "--output", metavar="路径", default=None,
                       help=f"保存到的文件夹，或以 {ADDIN_FILENAME} 结尾的路径（默认：当前文件夹）")
    build.set_defaults(handler=_cli_build)

    install = commands.add_parser(
        "install", help="把加载项安装到 Excel 的启动文件夹",
        description="生成加载项并放进 Excel 的启动文件夹（Windows：%%APPDATA%%\\Microsoft\\Excel\\XLSTART），"
                    "并记录本机 Python 的位置。请先完全退出 Excel。",
    )
    install.set_defaults(handler=_cli_install)

    from perfeval_xl import lite  # light: its own dependencies are imported when it runs

    lite.register_cli(commands)


def _cli_help(parser) -> int:
    parser.print_help()
    return 2


def _cli_build(args) -> int:
    from perfeval_xl.io.atomic import FileLockedError

    try:
        path = build_addin(args.output)
    except (AddinError, FileLockedError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"错误：无法写入加载项文件（{exc.strerror or exc}）", file=sys.stderr)
        return 2
    print(f"已生成加载项：{path}")
    return 0


def _cli_install(args) -> int:
    try:
        result = install_addin()
    except AddinError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    stream = sys.stdout if result.installed else sys.stderr
    print(result.message, file=stream)
    return 0 if result.installed else 1
