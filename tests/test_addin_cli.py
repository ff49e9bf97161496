"""``perfeval addin build [-o PATH]`` and ``perfeval addin install``."""

from __future__ import annotations

import sys
import zipfile

import pytest

from perfeval_xl import addin, cli


def test_build_writes_the_addin(tmp_path, capsys):
    assert cli.main(["addin", "build", "-o", str(tmp_path)]) == 0
    path = tmp_path / "perfeval_xl.xlam"
    assert zipfile.is_zipfile(path)
    assert f"已生成加载项：{path}" in capsys.readouterr().out


def test_build_to_a_full_path_and_to_the_current_folder(tmp_path, monkeypatch):
    target = tmp_path / "sub" / "perfeval_xl.xlam"
    assert cli.main(["addin", "build", "--output", str(target)]) == 0
    assert target.is_file()
    monkeypatch.chdir(tmp_path)
    assert cli.main(["addin", "build"]) == 0
    assert (tmp_path / "perfeval_xl.xlam").is_file()


def test_build_with_a_wrong_name_explains_in_chinese(tmp_path, capsys):
    assert cli.main(["addin", "build", "-o", str(tmp_path / "评分.xlam")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：加载项文件必须命名为 perfeval_xl.xlam")
    assert not (tmp_path / "评分.xlam").exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the no-Excel answer is for Linux")
def test_install_on_linux_says_there_is_no_excel(capsys):
    assert cli.main(["addin", "install"]) == 1
    captured = capsys.readouterr()
    assert "没有 Microsoft Excel" in captured.err and captured.out == ""


def test_install_reports_where_it_installed(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(addin, "install_addin",
                        lambda: addin.InstallResult(True, tmp_path / "perfeval_xl.xlam", "已安装加载项：X"))
    assert cli.main(["addin", "install"]) == 0
    assert "已安装加载项：X" in capsys.readouterr().out


def test_addin_without_a_command_shows_help(capsys):
    assert cli.main(["addin"]) == 2
    out = capsys.readouterr().out
    assert out.startswith("用法：perfeval addin") and "build" in out and "install" in out


def test_help_is_chinese(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["addin", "build", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：perfeval addin build [-h] [-o 路径]")
    assert "保存到的文件夹" in out
