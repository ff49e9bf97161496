"""Which sheets of a workbook perfeval wrote, whatever run wrote them.

Every output sheet carries a **sheet-scoped hidden defined name** ``_perfeval_输出表``
whose value is the name perfeval gave the sheet (``="得分汇总"``).  A name scoped to a
sheet belongs to that sheet: Excel, WPS and LibreOffice keep it when the workbook is
saved again, move it with the sheet, and delete it with the sheet (LibreOffice keeps
the name and its value but writes it as not hidden; checked by converting a scored copy
with ``soffice --headless --convert-to xlsx``).

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

Both writers use :func:`sort_out`: the file path (:mod:`perfeval_xl.pipeline`, the
splice writer) and the live workbook (:mod:`perfeval_xl.excel`).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from perfeval_xl.core.findings import TemplateError
from perfeval_xl.io.xlsx_package import Package

OWNER_MARK = "_perfeval_输出表"
_LEGACY_PART = re.compile(r"^xl/worksheets/perfeval\d+\.xml$")


def mark_formula(sheet_name: str) -> str:
    """The mark's value for a sheet we name ``sheet_name``: a string constant formula."""
    return '="' + sheet_name.replace('"', '""') + '"'


def marked_name(value: str | None) -> str | None:
    """The sheet name a mark's value records (``="得分汇总"`` or ``"得分汇总"`` → 得分汇总)."""
    if value is None:
        return None
    text = value.strip()
    if text.startswith("="):
        text = text[1:].strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return None


@dataclass(frozen=True)
class ExistingSheet:
    name: str
    #: the value of the sheet's own ``_perfeval_输出表`` name, if it has one
    mark: str | None = None
    #: the package part it lives in, when known (file path only)
    part: str | None = None

    def ours(self, is_output_sheet: "Callable[[str], bool] | None" = None) -> bool:
        """Marked with its own name; or, unmarked, in a part only perfeval's writer names and called
        as an output sheet of the run (``is_output_sheet``, the run's extensions; without it,
        only the mark counts)."""
        if self.mark is not None:
            return marked_name(self.mark) == self.name
        return bool(is_output_sheet and self.part and _LEGACY_PART.match(self.part) and is_output_sheet(self.name))


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
    marks = {d.local_sheet: d.value for d in package.defined_names
             if d.name == OWNER_MARK and d.local_sheet is not None}
    return [ExistingSheet(s.name, marks.get(s.index), s.part) for s in package.sheets]


def file_ownership(path: Path, writing: Iterable[str], is_output_sheet: Callable[[str], bool] | None) -> Ownership:
    """:func:`sort_out` for a workbook file (one that passed the guard)."""
    with zipfile.ZipFile(path) as zf:
        return sort_out(existing_sheets(Package(zf)), writing, is_output_sheet)
