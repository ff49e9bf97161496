"""Which sheets of a workbook perfeval wrote, whatever run wrote them.

Every output sheet carries a **sheet-scoped hidden defined name** that refers to the sheet
itself and whose *name* records the name perfeval gave the sheet: ``_perfeval_输出表_`` and
the hex of that name's UTF-8 bytes (得分汇总 → ``_perfeval_输出表_e5be97e58886e6b187e680bb``,
referring to ``'得分汇总'!$1:$1048576``).  A name scoped to a sheet belongs to that sheet:
Excel, WPS and LibreOffice keep it when the workbook is saved again, move it with the sheet,
and delete it with the sheet (LibreOffice keeps it but writes it as not hidden; checked by
converting a scored copy with ``soffice --headless --convert-to xlsx``).  It is a *range*
name on purpose: xlwings' remote clients (the Office Scripts client ``xlwings.ts``, the
Office.js client of xlwings Server that xlwings Lite is built on) send a script only the
names of type range, so a mark whose value is a constant never reaches a Lite script.  Its
reference is the whole sheet, so deleting rows or columns of the sheet cannot turn it into
``#REF!`` (which is no longer a range).  Hex keeps the name valid whatever the sheet is
called (spaces and brackets are not allowed in a name), and short enough: a sheet name has
at most 31 UTF-16 units of at most 3 UTF-8 bytes each, so the name has at most
13 + 2 × 93 = 199 characters (Excel allows 255).

The mark of versions before the range name, ``_perfeval_输出表`` whose value is the string
constant ``="得分汇总"``, is still read (files and desktop Excel see every name), never
written: a file scored by such a version and scored again gets the new marks.

A sheet is **ours** — removed before writing, whether or not this run writes it again —
when its mark is present and still names it: a user who renames our 评分表 to
"评分表（旧）" keeps it, and so does a copy made with Excel's "移动或复制" (the copy
carries the mark but under another name).  A sheet without the mark is never replaced:
if it carries the name of a sheet this run writes it is **in the way** and scoring
stops with a message, whatever its A1 says.

Outputs of perfeval versions before the mark: a file never saved again by Excel still has
the part names only perfeval's writer uses (``xl/worksheets/perfeval<N>.xml``), so its
output-named sheets there are recognised as ours; once another program has re-saved it,
those sheets are indistinguishable from hand-made ones and scoring stops, asking the
user to delete (or rename) the old result sheets.

Both writers use :func:`mark_name` / :func:`mark_reference` and :func:`sort_out`: the file path
(:mod:`perfeval_xl.io.xlsx_splice`) and the live workbook (:mod:`perfeval_xl.excel`); both readers
go through :func:`existing_sheet`.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from perfeval_xl.core.findings import TemplateError
from perfeval_xl.io.xlsx_package import Package, sheet_name_ref

#: the name of the mark before the range name (value ``="得分汇总"``): read, never written
OWNER_MARK = "_perfeval_输出表"
#: the mark: this prefix and the hex of the UTF-8 bytes of the name perfeval gave the sheet
MARK_PREFIX = OWNER_MARK + "_"
#: what the mark refers to: the whole sheet (no deletion of rows or columns breaks it)
_WHOLE_SHEET = "$1:$1048576"
_LEGACY_PART = re.compile(r"^xl/worksheets/perfeval\d+\.xml$")
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")


def mark_name(sheet_name: str) -> str:
    """The defined name that marks the sheet perfeval names ``sheet_name`` (scoped to that sheet)."""
    return MARK_PREFIX + sheet_name.encode("utf-8").hex()


def mark_reference(sheet_name: str) -> str:
    """What the mark refers to, without the ``=``: the whole sheet, ``'得分汇总'!$1:$1048576``."""
    return f"{sheet_name_ref(sheet_name)}!{_WHOLE_SHEET}"


def marked_name(value: str | None) -> str | None:
    """The sheet name the old mark's value records (``="得分汇总"`` or ``"得分汇总"`` → 得分汇总)."""
    if value is None:
        return None
    text = value.strip()
    if text.startswith("="):
        text = text[1:].strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return None


def recorded_name(name: str, value: "str | Callable[[], str | None] | None" = None) -> str | None:
    """The sheet name an ownership mark records, or None if ``name`` (bare, or ``表名!名称`` as
    xlwings gives a sheet-scoped one) is no mark.  ``value`` is needed only for the old mark
    (its definition, or a function that reads it: a live workbook reads it only then)."""
    bare = name.rsplit("!", 1)[-1]
    if bare == OWNER_MARK:
        return marked_name(value() if callable(value) else value)
    if bare[:len(MARK_PREFIX)].casefold() == MARK_PREFIX.casefold() and _HEX.fullmatch(bare[len(MARK_PREFIX):]):
        try:
            return bytes.fromhex(bare[len(MARK_PREFIX):]).decode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


@dataclass(frozen=True)
class ExistingSheet:
    name: str
    #: the sheet name its ownership mark records, if it has one
    mark: str | None = None
    #: the package part it lives in, when known (file path only)
    part: str | None = None

    def ours(self, is_output_sheet: "Callable[[str], bool] | None" = None) -> bool:
        """Marked with its own name; or, unmarked, in a part only perfeval's writer names and called
        as an output sheet of the run (``is_output_sheet``, the run's extensions; without it,
        only the mark counts)."""
        if self.mark is not None:
            return self.mark == self.name
        return bool(is_output_sheet and self.part and _LEGACY_PART.match(self.part) and is_output_sheet(self.name))


def existing_sheet(name: str, recorded: Iterable[str | None], part: str | None = None) -> ExistingSheet:
    """A sheet with the names its marks record (:func:`recorded_name` of each of its names, None
    for those that are no mark): the one that names it if any, else the first."""
    marks = [r for r in recorded if r is not None]
    return ExistingSheet(name, name if name in marks else next(iter(marks), None), part)


@dataclass(frozen=True)
class Ownership:
    #: our sheets from an earlier run: removed before this run's sheets are written
    replace: tuple[str, ...]
    #: sheets that are not ours but carry the name of a sheet this run writes
    foreign: tuple[str, ...]


def sort_out(existing: Iterable[ExistingSheet], writing: Iterable[str],
             is_output_sheet: Callable[[str], bool] | None = None) -> Ownership:
    """Which existing sheets are ours to replace, and which stand in the way of ``writing``
    (sheet names are compared as Excel does, ignoring case).  ``is_output_sheet`` (the run's
    extensions) recognises the outputs of versions before the mark (see the module's doc); a live
    workbook, whose parts are unknown, needs none."""
    wanted = {name.casefold() for name in writing}
    replace, foreign = [], []
    for sheet in existing:
        if sheet.ours(is_output_sheet):
            replace.append(sheet.name)
        elif sheet.name.casefold() in wanted:
            foreign.append(sheet.name)
    return Ownership(tuple(replace), tuple(foreign))


def foreign_sheet_error(names: Iterable[str]) -> TemplateError:
    """The message when sheets not written by perfeval carry the names of our output sheets."""
    names = list(names)
    listed = "、".join(f"“{n}”" for n in names)
    return TemplateError(names[0], "A1", (
        f"工作簿中已有工作表{listed}，名称与本次要写出的评分结果表相同，但没有本工具写出的标记，"
        "不能确定是本工具写出的；为免覆盖，请先把这些工作表改名（如“得分汇总（手工）”）后再评分。"
        "如它们是旧版本写出、又经 Excel/WPS 另存过的评分结果，删除这些工作表后再评分即可"))


def existing_sheets(package: Package) -> list[ExistingSheet]:
    """The sheets of a package with their marks and parts."""
    recorded: dict[int, list[str | None]] = {}
    for d in package.defined_names:
        if d.local_sheet is not None:
            recorded.setdefault(d.local_sheet, []).append(recorded_name(d.name, d.value))
    return [existing_sheet(s.name, recorded.get(s.index, ()), s.part) for s in package.sheets]


def file_ownership(path: Path, writing: Iterable[str], is_output_sheet: Callable[[str], bool] | None) -> Ownership:
    """:func:`sort_out` for a workbook file (one that passed the guard)."""
    with zipfile.ZipFile(path) as zf:
        return sort_out(existing_sheets(Package(zf)), writing, is_output_sheet)
