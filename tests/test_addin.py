"""The ribbon add-in perfeval_xl.xlam, built from xlwings' own template."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from defusedxml import ElementTree
from python_calamine import CalamineWorkbook

from perfeval_xl import addin

CUSTOMUI_NS = "{http://schemas.microsoft.com/office/2006/01/customui}"
SSML_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture
def built(tmp_path) -> Path:
    return addin.build_addin(tmp_path)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_template_is_the_installed_xlwings_ribbon_addin():
    import xlwings

    path = addin.template_path()
    assert path.name == "quickstart_addin_ribbon.xlam"
    assert path.parent == Path(xlwings.__file__).resolve().parent


def test_built_file_is_a_zip_named_after_the_python_package(built):
    assert built.name == "perfeval_xl.xlam"
    assert zipfile.is_zipfile(built)
    template = _parts(addin.template_path())
    assert set(_parts(built)) == set(template)  # same parts, nothing dropped or added


def test_vba_project_is_byte_identical_to_the_template(built):
    assert _parts(built)["xl/vbaProject.bin"] == _parts(addin.template_path())["xl/vbaProject.bin"]


#: sha256 of xlwings 0.37.8's template vbaProject.bin, whose VBA was read with olevba:
#: module RibbonMyAddin has
#:     Sub RunMain(control As IRibbonControl)
#:         mymodule = Left(ThisWorkbook.Name, (InStrRev(ThisWorkbook.Name, ".", -1, vbTextCompare) - 1))
#:         RunPython "import " & mymodule & ";" & mymodule & ".main()"
#: and module xlwings has Public Const PROJECT_NAME As String = "myaddin", reads the
#: config sheet PROJECT_NAME & ".conf" and the UDF modules from GetConfig("UDF MODULES").
#: If xlwings is upgraded this fails: read the new VBA again before changing the hash.
INSPECTED_VBA_SHA256 = "9ded1310d3aae007bd3fdb483091626ae0550294a41188c15cb24ffe993117ac"


def test_template_vba_is_the_one_whose_behaviour_we_rely_on():
    import hashlib

    import xlwings

    vba = _parts(addin.template_path())["xl/vbaProject.bin"]
    assert hashlib.sha256(vba).hexdigest() == INSPECTED_VBA_SHA256
    assert b"RibbonMyAddin" in vba and b"RunMain" in vba
    # the same VBA ships as text beside the template
    bas = (Path(xlwings.__file__).parent / "xlwings_custom_addin.bas").read_text(encoding="latin-1")
    assert f'Public Const PROJECT_NAME As String = "{addin.VBA_PROJECT_NAME}"' in bas
    assert 'Set sht = wb.Sheets(PROJECT_NAME & ".conf")' in bas
    assert 'GetUdfModules = GetConfig("UDF MODULES")' in bas


def test_other_parts_unchanged(built):
    template = _parts(addin.template_path())
    changed = {"customUI/customUI.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"}
    for name, data in _parts(built).items():
        if name not in changed:
            assert data == template[name], name


def test_ribbon_has_the_tab_and_button_wired_to_run_main(built):
    root = ElementTree.fromstring(_parts(built)["customUI/customUI.xml"])
    assert root.tag == f"{CUSTOMUI_NS}customUI"
    tabs = root.findall(f"./{CUSTOMUI_NS}ribbon/{CUSTOMUI_NS}tabs/{CUSTOMUI_NS}tab")
    assert [tab.get("label") for tab in tabs] == ["绩效评价"]
    buttons = tabs[0].findall(f".//{CUSTOMUI_NS}button")
    assert [(b.get("label"), b.get("onAction")) for b in buttons] == [("评分", "RibbonMyAddin.RunMain")]
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids))


def test_workbook_xml_names_the_active_config_sheet(built):
    root = ElementTree.fromstring(_parts(built)["xl/workbook.xml"])
    names = [sheet.get("name") for sheet in root.iter(f"{SSML_NS}sheet")]
    assert names == ["myaddin.conf"]  # "_myaddin.conf" would be ignored by the VBA


def test_config_sheet_names_our_udf_module(built):
    book = CalamineWorkbook.from_filelike(io.BytesIO(built.read_bytes()))
    assert book.sheet_names == ["myaddin.conf"]
    rows = book.get_sheet_by_name("myaddin.conf").to_python()
    assert rows == [["UDF Modules", "perfeval_xl.udfs"]]


def test_config_keys_without_value_are_left_out_so_user_config_still_applies(tmp_path):
    path = addin.build_addin(
        tmp_path / "perfeval_xl.xlam",
        interpreter_win=r"C:\Users\张三\AppData\Local\Programs\Python\Python312\python.exe",
        pythonpath=r"%USERPROFILE%\perfeval & co",
    )
    rows = CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes())).get_sheet_by_name("myaddin.conf").to_python()
    assert rows == [
        ["UDF Modules", "perfeval_xl.udfs"],
        ["Interpreter_Win", r"C:\Users\张三\AppData\Local\Programs\Python\Python312\python.exe"],
        ["PYTHONPATH", r"%USERPROFILE%\perfeval & co"],
    ]
    for name in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"):
        ElementTree.fromstring(_parts(path)[name])  # well-formed after escaping


def test_sheet_xml_keeps_the_namespaces_mc_ignorable_needs(built):
    sheet = _parts(built)["xl/worksheets/sheet1.xml"].decode()
    assert 'mc:Ignorable="x14ac"' in sheet and 'xmlns:x14ac="' in sheet
    assert '<dimension ref="A1:B1" />' in sheet


def test_build_is_deterministic(tmp_path):
    first = addin.build_addin(tmp_path / "a" / "perfeval_xl.xlam").read_bytes()
    second = addin.build_addin(tmp_path / "b" / "perfeval_xl.xlam").read_bytes()
    assert first == second


def test_wrong_file_name_is_refused(tmp_path):
    with pytest.raises(addin.AddinError, match="perfeval_xl.xlam"):
        addin.build_addin(tmp_path / "评分工具.xlam")


def test_output_folder_is_created(tmp_path):
    assert addin.build_addin(tmp_path / "dist") == tmp_path / "dist" / "perfeval_xl.xlam"


def test_default_output_is_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert addin.build_addin() == tmp_path / "perfeval_xl.xlam"


def test_write_is_atomic_and_replaces_an_old_file(tmp_path, monkeypatch):
    target = tmp_path / "perfeval_xl.xlam"
    target.write_bytes(b"old")
    replaced = []
    real_replace = os.replace

    def spy(src, dst):
        replaced.append((Path(src).parent, Path(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    addin.build_addin(target)
    assert replaced == [(tmp_path, target)]
    assert zipfile.is_zipfile(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["perfeval_xl.xlam"]


def test_failed_build_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "perfeval_xl.xlam"
    target.write_bytes(b"old")
    monkeypatch.setattr(addin, "customui_xml", lambda *a: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError):
        addin.build_addin(target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["perfeval_xl.xlam"]


# --- install --------------------------------------------------------------------------


def test_install_on_linux_says_there_is_no_excel(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = addin.install_addin(platform="linux")
    assert result.installed is False and result.path is None
    assert "没有 Microsoft Excel" in result.message
    assert "perfeval addin build" in result.message
    assert list(tmp_path.iterdir()) == []


def test_addin_dir_per_platform(tmp_path):
    windows = addin.addin_dir("win32", env={"APPDATA": r"C:\Users\u\AppData\Roaming"}, home=tmp_path)
    assert windows == Path(r"C:\Users\u\AppData\Roaming") / "Microsoft" / "Excel" / "XLSTART"
    mac = addin.addin_dir("darwin", env={}, home=tmp_path)
    assert mac == tmp_path / "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"
    assert addin.addin_dir("linux", env={}, home=tmp_path) is None


def test_install_on_windows_writes_xlstart_with_this_interpreter(tmp_path):
    result = addin.install_addin(platform="win32", target_dir=tmp_path / "XLSTART", interpreter=r"C:\Py\python.exe")
    assert result.installed is True
    assert result.path == tmp_path / "XLSTART" / "perfeval_xl.xlam"
    rows = CalamineWorkbook.from_filelike(io.BytesIO(result.path.read_bytes())).get_sheet_by_name("myaddin.conf").to_python()
    assert ["Interpreter_Win", r"C:\Py\python.exe"] in rows
    assert "重新启动 Excel" in result.message


def test_install_reports_a_locked_file_in_chinese(tmp_path, monkeypatch):
    def locked(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    result = addin.install_addin(platform="win32", target_dir=tmp_path, interpreter="python")
    assert result.installed is False
    assert "退出 Excel" in result.message


def test_install_on_macos_also_enables_runpython(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    result = addin.install_addin(platform="darwin", interpreter="/usr/local/bin/python3")
    assert result.installed is True
    assert result.path.parent == addin.addin_dir("darwin", home=tmp_path)
    scripts = list((tmp_path / "Library/Application Scripts/com.microsoft.Excel").iterdir())
    assert [p.name for p in scripts] == [f"xlwings-{__import__('xlwings').__version__}.applescript"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(result.path.read_bytes())).get_sheet_by_name("myaddin.conf").to_python()
    assert ["Interpreter_Mac", "/usr/local/bin/python3"] in rows
    assert "UDF" in result.message
