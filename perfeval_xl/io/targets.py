"""Where a command writes its result: the one place that decides and checks the target file.

``score``, ``review`` and ``report`` all write a file derived from the input: by default
``<原名>_评分.xlsx`` (``_复核``, ``_报告``…) beside it, or what ``-o`` names, or the input
itself with ``--in-place``.  Every refusal is a :class:`TargetError` with a Chinese message
that names the file the user typed, never a temp file or the operating system's English.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass
from pathlib import Path

#: most file systems limit one name to 255 bytes (UTF-8 on Linux/macOS; Windows counts
#: UTF-16 units, and 255 bytes of UTF-8 is never more than 255 of those)
MAX_NAME_BYTES = 255


class TargetError(ValueError):
    """The output file cannot be used; the message says why, in Chinese."""


@dataclass(frozen=True)
class Target:
    path: Path
    #: things the user should be told (an extension added…), printed after the result
    notes: tuple[str, ...] = ()


def source_path(raw: str | os.PathLike) -> Path:
    """The input path as given; an empty argument is refused (it would mean the current folder)."""
    if not str(raw).strip():
        raise TargetError("没有给出工作簿文件名；请写出要处理的 .xlsx 或 .xlsm 文件，如 perfeval score 评价.xlsx")
    return Path(raw)


def plan_target(source: Path, output: str | os.PathLike | None, *, tag: str,
                in_place: bool = False, suffix: str | None = None) -> Target:
    """The file to write for ``source``.

    ``tag`` makes the default name (``_评分`` → ``<原名>_评分.xlsx``); ``suffix`` is the
    extension the output must have (default: the input's, so an .xlsm keeps its macros
    in a file Excel will open).
    """
    suffix = (suffix or source.suffix).lower()
    if in_place:
        if output:
            raise TargetError("--in-place 与 -o 不能同时使用：--in-place 写回原文件，-o 写到另一个文件，请只选一个")
        return Target(_writable_in_place(source))
    if not output:
        return Target(_not_read_only(source.with_name(f"{source.stem}{tag}{suffix}")))
    target, notes = Path(output), []
    if len(target.name.encode("utf-8")) > MAX_NAME_BYTES:
        raise TargetError(f"输出文件名过长（{len(target.name)} 个字符）；请用短一些的文件名")
    if str(output).endswith((os.sep, "/")) or target.is_dir():
        raise TargetError(f"-o 给出的“{output}”是文件夹；请写出文件名，如 {Path(output) / (source.stem + tag + suffix)}")
    if not target.suffix:
        target = target.with_name(target.name + suffix)
        notes.append(f"输出文件名没有扩展名，已加上 {suffix}：{target}")
    elif target.suffix.lower() != suffix:
        raise TargetError(f"输出文件“{target.name}”的扩展名是 {target.suffix}，应为 {suffix}"
                          + ("（与原文件相同，宏才能保留）" if suffix == ".xlsm" else "") + "；请改用 " + suffix)
    if _same_file(target, source):
        raise TargetError("输出文件与输入文件相同；如确要覆盖原文件，请使用 --in-place（会先保存备份）")
    return Target(_not_read_only(target), tuple(notes))


def _read_only(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False  # not there yet (or unreadable: writing will say so)
    return stat.S_ISREG(mode) and (not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK))


def _not_read_only(target: Path) -> Path:
    """One policy for every output (score, review, report, --in-place): a read-only file is never replaced."""
    if _read_only(target):
        from perfeval_xl.io.files import display_name

        raise TargetError(f"“{display_name(target)}”是只读文件，不能覆盖（--force 也不覆盖只读文件）；"
                          "请先取消只读属性，或用 -o 另选文件名")
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _writable_in_place(source: Path) -> Path:
    """The real file behind ``source`` (a symbolic link is followed, so the link stays a link
    and its target is the file scored), refused when it is read-only."""
    real = source.resolve()
    try:
        real.stat()
    except OSError:
        return real  # reading the input will report the missing file in its own words
    if _read_only(real):
        raise TargetError(f"“{source.name}”是只读文件，--in-place 不能写回；请先取消只读属性，或不加 --in-place 写到新文件")
    return real


#: the sheets of a batch summary; an existing file with exactly these may be replaced
BATCH_SHEETS = ("汇总", "问题清单")


def batch_summary_target(output: str | os.PathLike) -> tuple[Path, Path | None]:
    """The batch summary file and, when it must be kept, where to back it up first.

    A new file, or a summary this tool wrote that nobody changed since (its parts still hash to
    what it states, :func:`~perfeval_xl.io.xlsx_stream.written_unchanged`), is replaced without a
    backup; a summary that was edited (or written by an older version) is backed up as
    ``<名>_备份_<时间>.xlsx`` first; any other workbook is never replaced."""
    target = Path(output)
    if not str(output).strip():
        raise TargetError("-o 没有给出汇总表的文件名")
    if len(target.name.encode("utf-8")) > MAX_NAME_BYTES:
        raise TargetError(f"输出文件名过长（{len(target.name)} 个字符）；请用短一些的文件名")
    if target.is_dir():
        raise TargetError(f"-o 给出的“{output}”是文件夹；请写出文件名，如 {target / '汇总.xlsx'}")
    if target.suffix.lower() != ".xlsx":
        raise TargetError(f"汇总表“{target.name}”应为 .xlsx 文件")
    if not target.exists():
        return target, None
    from perfeval_xl.io.xlsx_stream import written_unchanged

    if written_unchanged(target):
        return target, None
    try:
        from python_calamine import CalamineWorkbook

        names = tuple(CalamineWorkbook.from_path(str(target)).sheet_names)
    except Exception:
        names = ()
    if not (names[:1] == BATCH_SHEETS[:1] and BATCH_SHEETS[1] in names):
        raise TargetError(f"“{target.name}”已存在，且不是批量处理写出的汇总表；为免覆盖，请用 -o 另选文件名")
    return target, backup_path(target)


def backup_path(source: Path, now: dt.datetime | None = None) -> Path:
    """Where ``--in-place`` (and the questionnaire import) keeps the file as it was: beside it, stamped."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate, n = source.with_name(f"{source.stem}_备份_{stamp}{source.suffix}"), 2
    while candidate.exists():  # two runs in one second must not overwrite the first backup
        candidate, n = source.with_name(f"{source.stem}_备份_{stamp}_{n}{source.suffix}"), n + 1
    return candidate
