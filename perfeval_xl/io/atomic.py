"""Atomic file writes: a temp file beside the target, fsync, then os.replace.

A crash, a full disk or a killed process leaves the previous file as it was."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class FileLockedError(OSError):
    """The target file is open in another program (Excel / WPS)."""


def _lock_file_for(path: Path) -> Path:
    return path.with_name("~$" + path.name)


def check_not_locked(path: Path) -> None:
    """Excel and WPS keep a ``~$name`` owner file beside an open workbook."""
    if _lock_file_for(path).exists():
        raise FileLockedError(f"文件“{path.name}”正被 Excel 或 WPS 打开，请先关闭后再试")


def write_bytes_atomic(path: Path, write) -> Path:
    """Call ``write(fileobj)`` into a temp file in the target folder, then replace."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".~perfeval-", suffix=path.suffix, dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.replace(tmp, path)
        except PermissionError as exc:
            raise FileLockedError(f"无法写入“{path.name}”：文件可能正被 Excel 或 WPS 打开，请关闭后再试") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def save_workbook_atomic(workbook, path: Path) -> Path:
    return write_bytes_atomic(Path(path), workbook.save)
