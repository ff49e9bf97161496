"""Where results are written: --in-place, -o and the messages for unusable targets (issue 9 items 4 and 6).

Each case reproduced a problem first: a read-only file overwritten by --in-place, a symbolic link replaced
by a file, -o ignored beside --in-place, the OS's English for a folder or an over-long name, the hidden temp
file named instead of the target, argparse's English, and an xlsx package written under a .csv name.
"""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import pytest

import corpus_gen as cg
from perfeval_xl.cli import main, translate_argparse


@pytest.fixture()
def source(tmp_path) -> Path:
    path = tmp_path / "评价.xlsx"
    path.write_bytes(cg.XISHAN.read_bytes())
    return path


def _err(capsys) -> str:
    return capsys.readouterr().err


def test_in_place_refuses_a_read_only_file(source, capsys):
    original = source.read_bytes()
    source.chmod(0o444)
    try:
        assert main(["score", str(source), "--in-place"]) == 2
    finally:
        source.chmod(0o644)
    err = _err(capsys)
    assert "“评价.xlsx”是只读文件" in err and "--in-place" in err
    assert source.read_bytes() == original
    assert not list(source.parent.glob("评价_备份_*"))


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_in_place_through_a_symlink_scores_the_target_and_keeps_the_link(tmp_path, capsys):
    real_folder = tmp_path / "data"
    real_folder.mkdir()
    real = real_folder / "评价.xlsx"
    real.write_bytes(cg.XISHAN.read_bytes())
    link = tmp_path / "链接.xlsx"
    link.symlink_to(real)
    assert main(["score", str(link), "--in-place"]) == 0, _err(capsys)
    assert link.is_symlink() and link.resolve() == real.resolve()
    with zipfile.ZipFile(real) as package:
        assert "得分汇总" in package.read("xl/workbook.xml").decode("utf-8")
    # the backup lies beside the file that was changed
    assert len(list(real_folder.glob("评价_备份_*.xlsx"))) == 1


def test_in_place_with_output_is_refused(source, tmp_path, capsys):
    original = source.read_bytes()
    assert main(["score", str(source), "--in-place", "-o", str(tmp_path / "别处.xlsx")]) == 2
    assert "--in-place 与 -o 不能同时使用" in _err(capsys)
    assert source.read_bytes() == original and not (tmp_path / "别处.xlsx").exists()


def test_output_a_folder_is_named_in_chinese(source, tmp_path, capsys):
    folder = tmp_path / "输出"
    folder.mkdir()
    assert main(["score", str(source), "-o", str(folder)]) == 2
    err = _err(capsys)
    assert "是文件夹" in err and "Is a directory" not in err and "评价_评分.xlsx" in err


def test_output_name_too_long_is_named_in_chinese(source, tmp_path, capsys):
    assert main(["score", str(source), "-o", str(tmp_path / ("长" * 120 + ".xlsx"))]) == 2
    err = _err(capsys)
    assert "输出文件名过长（125 个字符）" in err and "too long" not in err


def test_read_only_folder_names_the_target_not_the_temp_file(source, tmp_path, capsys, monkeypatch):
    if os.geteuid() == 0:  # root writes anywhere: simulate the refusal where the temp file is made
        import tempfile

        def refuse(*args, **kwargs):
            raise PermissionError(13, "Permission denied", str(tmp_path / "ro" / ".~perfeval-abc.xlsx"))

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        assert main(["score", str(source), "-o", str(folder / "结果.xlsx")]) == 2
    finally:
        folder.chmod(0o755)
    err = _err(capsys)
    assert "无法写入“结果.xlsx”" in err and "没有写入权限" in err and ".~perfeval" not in err


def test_empty_book_argument(capsys):
    assert main(["score", ""]) == 2
    err = _err(capsys)
    assert "没有给出工作簿文件名" in err and "“.”" not in err


@pytest.mark.parametrize("name", ["结果.csv", "结果.xls"])
def test_output_with_another_extension_is_refused(source, tmp_path, capsys, name):
    assert main(["score", str(source), "-o", str(tmp_path / name)]) == 2
    assert f"扩展名是 {Path(name).suffix}，应为 .xlsx" in _err(capsys)
    assert not (tmp_path / name).exists()


def test_output_without_extension_gets_xlsx_and_says_so(source, tmp_path, capsys):
    assert main(["score", str(source), "-o", str(tmp_path / "结果")]) == 0
    out = capsys.readouterr().out
    assert "已加上 .xlsx" in out
    assert (tmp_path / "结果.xlsx").is_file() and not (tmp_path / "结果").exists()


def test_xlsm_output_must_stay_xlsm(tmp_path, capsys):
    source = tmp_path / "评价.xlsm"
    source.write_bytes(cg.XISHAN.read_bytes())
    assert main(["score", str(source), "-o", str(tmp_path / "结果.xlsx")]) == 2
    assert "应为 .xlsm（与原文件相同，宏才能保留）" in _err(capsys)


@pytest.mark.parametrize("argv, expected", [
    (["score"], "缺少必需的参数：工作簿"),
    (["score", "x.xlsx", "-o"], "选项 -o/--output 后面需要一个值"),
    (["scor"], "“scor”不是可用的命令；可选："),
    (["score", "x.xlsx", "--bogus"], "无法识别的参数：--bogus"),
])
def test_argparse_speaks_chinese(argv, expected, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = _err(capsys)
    assert expected in err
    for english in ("argument", "choose from", "expected", "required", "unrecognized", "invalid choice"):
        assert english not in err


def test_translate_argparse_wordings_of_several_pythons():
    assert translate_argparse("argument 命令: invalid choice: 'x' (choose from 'new', 'score')") == \
        "“x”不是可用的命令；可选：new、score"
    assert translate_argparse("argument 命令: invalid choice: 'x' (choose from new, score)") == \
        "“x”不是可用的命令；可选：new、score"
    assert translate_argparse("argument --jobs: invalid int value: 'a'") == "选项 --jobs 的值 'a' 无效"
