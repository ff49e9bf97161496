"""Input files as the operating system gives them: any byte name, only regular files, a size limit.

* A file name need not be UTF-8: ``unzip`` of a zip made on Chinese Windows leaves GBK bytes,
  which Python carries as lone surrogates (``\\udcc6``).  Such a name is read and written like
  any other; :func:`display_name` / :func:`display_path` show it with the undecodable bytes
  escaped (``\\xc6\\xc0.xlsx``), and only those forms reach messages and output files.
* Only a regular file is read: a named pipe would block the reader forever, a device
  (``/dev/zero``, also behind a symbolic link) would be read without end.  :func:`check_input_file`
  looks with ``stat`` before anything opens the file, then opens it without blocking and checks
  the open file again (``fstat``), so a file swapped in between is caught too.
* A file larger than :data:`MAX_FILE_BYTES` is refused before it is read (docs/errors.md).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from perfeval_xl.core.normalize import xml_safe

#: refuse input files larger than this (an evaluation workbook is a few MB; docs/errors.md states it)
MAX_FILE_BYTES = 100 * 1024 * 1024


class InputFileError(Exception):
    """The input cannot be read as a file; message in Chinese."""


class HostileFile(Exception):
    """The file's content is refused before any parser reads it (:mod:`perfeval_xl.io.guard`,
    :mod:`perfeval_xl.io.sheet_scan`); message in Chinese, sheet/cell when known."""

    def __init__(self, message: str, sheet: str = "", cell: str = ""):
        super().__init__(message)
        self.message = message
        self.sheet = sheet
        self.cell = cell


def display_path(path: str | os.PathLike) -> str:
    """A path as text a message or a cell can hold: bytes that are not UTF-8 shown as ``\\xNN``."""
    return xml_safe(os.fspath(path) if not isinstance(path, bytes) else os.fsdecode(path))


def display_name(path: str | os.PathLike) -> str:
    """The file's name (last part of the path), as :func:`display_path` shows it."""
    return display_path(Path(os.fspath(path)).name)


def _size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "命名管道"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    if stat.S_ISSOCK(mode):
        return "套接字"
    if stat.S_ISDIR(mode):
        return "文件夹"
    return "特殊文件"


def _refuse_special(path: Path, mode: int) -> InputFileError:
    return InputFileError(f"“{display_name(path)}”不是普通文件（是{_kind(mode)}），perfeval 只读取普通的工作簿文件；"
                          "请给出 .xlsx 文件本身")


def check_input_file(path: str | os.PathLike) -> int:
    """Refuse anything but a regular file of at most :data:`MAX_FILE_BYTES`; its size.  Never blocks."""
    path = Path(path)
    try:
        info = os.stat(path)  # follows a symbolic link: the file behind it is what would be read
    except FileNotFoundError:
        raise InputFileError(f"找不到文件“{display_path(path)}”") from None
    except OSError as exc:
        raise InputFileError(_os_reason(path, exc)) from exc
    if stat.S_ISDIR(info.st_mode):
        raise InputFileError(f"“{display_path(path)}”是文件夹，不是 Excel 工作簿")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse_special(path, info.st_mode)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise InputFileError(_os_reason(path, exc)) from exc
    try:
        info = os.fstat(fd)
    finally:
        os.close(fd)
    if not stat.S_ISREG(info.st_mode):
        raise _refuse_special(path, info.st_mode)
    if info.st_size > MAX_FILE_BYTES:
        raise InputFileError(f"“{display_name(path)}”有 {_size_text(info.st_size)}，超过上限 "
                             f"{_size_text(MAX_FILE_BYTES)}；评价工作簿不应这么大")
    return info.st_size


def _os_reason(path: Path, exc: OSError) -> str:
    import errno

    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"没有读取权限：无法打开“{display_name(path)}”；请检查文件权限（或请文件所有者开放读取）后再试"
    from perfeval_xl.io.atomic import describe_os_error

    return describe_os_error(exc)


def describe_failure(exc: BaseException, verb: str) -> str:
    """The one place an unexpected exception becomes a Chinese message (never a class name)."""
    if isinstance(exc, MemoryError):
        return f"内存不足：未能{verb}（文件过大，或本机可用内存不够），原文件未被修改；请关闭其他程序后重试"
    if isinstance(exc, RecursionError):
        return f"文件结构嵌套过深，未能{verb}，原文件未被修改；请在 Excel 或 WPS 中打开并另存后再试"
    if isinstance(exc, OSError):
        from perfeval_xl.io.atomic import describe_os_error

        return describe_os_error(exc)
    return f"内部错误：未能{verb}，原文件未被修改；请把工作簿和这条信息发给维护人员"
