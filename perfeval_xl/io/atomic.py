"""Atomic file writes: a temp file beside the target, fsync, then os.replace.

A crash, a full disk or a killed process leaves the previous file as it was, and
no temp file behind — except a process killed outright (``kill -9``, power loss) inside
its write window: the next write into that folder removes such a temp file once it is
stale (:func:`remove_stale_temps`; only ours, only unlocked, only after a quarter hour).  The replaced file keeps the permissions of the file it
replaces.  A workbook open in Excel or WPS is detected (its ``~$`` owner file, or
the refusal to replace it) and reported in Chinese."""

from __future__ import annotations

import errno
import io
import os
import re
import stat
import tempfile
import time
from pathlib import Path

TEMP_PREFIX = ".~perfeval-"
#: our temp files: the prefix, mkstemp's eight random characters, the target's extension
_OUR_TEMP = re.compile(r"^\.~perfeval-[a-z0-9_]{8}(\.[A-Za-z0-9]{1,8})?$")
#: a temp file of ours untouched this long was left by a process killed in its write window
STALE_SECONDS = 15 * 60


class FileLockedError(OSError):
    """The target file is open in another program (Excel / WPS)."""

    def __init__(self, message: str):
        super().__init__(errno.EACCES, message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class WriteFailed(OSError):
    """Writing failed (disk full, read-only folder…); ``strerror`` is Chinese."""


_ERRNO_TEXT = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "目标位置是只读的",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EDQUOT: "磁盘配额已满",
}

_ERRNO_TEXT_ANY = {
    **_ERRNO_TEXT,
    errno.EISDIR: "这是文件夹，不是文件",
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EBUSY: "文件正被占用",
    errno.EIO: "磁盘读写出错",
}


def describe_os_error(exc: OSError) -> str:
    """An operating-system error in Chinese, naming the file it concerns (never the OS's English)."""
    if isinstance(exc, (FileLockedError, WriteFailed)) and exc.strerror:
        return str(exc.strerror)
    reason = _ERRNO_TEXT_ANY.get(exc.errno or 0, f"系统错误（错误号 {exc.errno}）")
    if exc.errno in (errno.EACCES, errno.EPERM) and exc.filename and os.path.exists(exc.filename) \
            and not os.access(exc.filename, os.R_OK):
        reason = "没有读取权限"  # a file that cannot be read (mode 000) is not a write problem
    from perfeval_xl.io.files import display_name

    name = display_name(exc.filename) if exc.filename else ""
    return f"文件读写失败：“{name}”{reason}" if name else f"文件读写失败：{reason}"


def lock_files_for(path: Path) -> list[Path]:
    """Owner files Excel / WPS keep beside an open workbook: ``~$name`` (Excel, WPS);
    Office shortens long names by their first two characters (``~$ok1.xlsx``)."""
    path = Path(path)
    candidates = [path.with_name("~$" + path.name)]
    if len(path.stem) > 7:
        candidates.append(path.with_name("~$" + path.name[2:]))
    return candidates


def check_not_locked(path: Path) -> None:
    """Refuse to write a workbook that Excel or WPS has open."""
    for lock in lock_files_for(Path(path)):
        if lock.exists():
            raise FileLockedError(
                f"文件“{Path(path).name}”正被 Excel 或 WPS 打开（存在锁定文件“{lock.name}”），请先关闭后再试；"
                f"如文件并未打开，可删除隐藏文件“{lock.name}”后重试")


def _target_mode(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows: directories cannot be opened; nothing to do
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _lock(fd: int, *, wait: bool) -> bool:
    """An exclusive lock on an open file (POSIX); True where locks do not exist."""
    try:
        import fcntl
    except ImportError:  # Windows: a file open in another process cannot be deleted anyway
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        return True
    except OSError:
        return False


def remove_stale_temps(folder: Path, now: float | None = None) -> list[Path]:
    """Remove the temp files a killed perfeval left in ``folder``: only files named like ours,
    regular files of this user, untouched for :data:`STALE_SECONDS`, and not locked by a
    writer still at work.  Anything unexpected is left alone."""
    removed: list[Path] = []
    now = time.time() if now is None else now
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIX) or not _OUR_TEMP.match(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or now - info.st_mtime < STALE_SECONDS:
                continue
            if hasattr(os, "getuid") and info.st_uid != os.getuid():
                continue
            fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            try:
                if _lock(fd, wait=False):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
            finally:
                os.close(fd)
        except OSError:
            continue
    return removed


def write_bytes_atomic(path: Path, write) -> Path:
    """Call ``write(fileobj)`` into a temp file in the target folder, then replace.  The temp
    file is locked while it is written; stale ones of killed runs are removed first."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(path.parent)
        fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=path.parent)
        _lock(fd, wait=True)
    except OSError as exc:  # name the folder the user chose, not our hidden temp file
        reason = _ERRNO_TEXT.get(exc.errno or 0, "无法在此处创建文件")  # 0: no errno, no such key
        raise WriteFailed(exc.errno, f"无法写入“{path.name}”：文件夹“{path.parent}”{reason}；原文件保持不变") from exc
    mode = _target_mode(path)
    tmp = Path(tmp_name)
    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, mode)
        except OSError as exc:
            if isinstance(exc, FileLockedError) or exc.errno not in _ERRNO_TEXT:
                raise
            raise WriteFailed(exc.errno, f"无法写入“{path.name}”：{_ERRNO_TEXT[exc.errno]}；原文件保持不变") from exc
        try:
            os.replace(tmp, path)
        except PermissionError as exc:
            raise FileLockedError(f"无法写入“{path.name}”：文件可能正被 Excel 或 WPS 打开，或没有写入权限；"
                                  "请关闭文件后再试（原文件保持不变）") from exc
        _fsync_dir(path.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def save_workbook_atomic(workbook, path: Path) -> Path:
    """Save an openpyxl workbook atomically and reproducibly: the same workbook gives the same bytes
    (see :func:`perfeval_xl.io.xlsx_package.reproducible`), so the template and the samples rebuild
    byte-identically and ``perfeval new`` writes the same file everywhere."""
    from perfeval_xl.io.xlsx_package import reproducible

    buffer = io.BytesIO()
    workbook.save(buffer)
    data = reproducible(buffer.getvalue())
    return write_bytes_atomic(Path(path), lambda handle: handle.write(data))
