"""Keep the calculated values of formulas when openpyxl rewrites a whole workbook.

The scored and reviewed copies are not written by openpyxl: the splice writer
(:mod:`perfeval_xl.io.xlsx_splice`) adds the output sheets to the input package and keeps
every input part as it was.  openpyxl still rewrites a whole workbook in one place: the
questionnaire import (:mod:`perfeval_xl.survey.cli`) when its two sheets cannot be
transplanted into the original package (and :func:`perfeval_xl.io.atomic.save_workbook_atomic`
given ``source``).  openpyxl keeps every formula but writes it without its cached result
(``<f>A1*2</f><v/>``).  Excel and WPS recalculate on opening, but any program that reads
values without calculating (python-calamine, previewers, the next ``perfeval score``) would
see those cells as empty.  So :func:`restore_cached_values` puts each formula's value from
the source file back into the same cell of the same sheet.

Only cells openpyxl wrote as a formula without a value are touched, and only when
the source had a value for exactly that sheet and cell; sheets the source marks as
perfeval's own output (:mod:`perfeval_xl.io.ownership`) hold no formulas and are not read.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from perfeval_xl.core.findings import parse_cell_name
from perfeval_xl.io.guard import cached_formula_values, sheet_parts
from perfeval_xl.io.ownership import file_ownership
from perfeval_xl.io.xlsx_package import escape

# openpyxl's own output: <c r="B1" s="3"><f>A1*2</f><v /></c>  (or <v></v>, or no <v>)
_FORMULA_CELL = re.compile(
    rb'<c r="(?P<ref>[A-Z]{1,3}\d{1,7})"(?P<attrs>[^>]*?)>(?P<f><f(?:\s[^>]*)?/>|<f(?:\s[^>]*)?>[^<]*</f>)'
    rb'(?:<v\s*/>|<v></v>)?</c>')
_TYPES = {"str": b"str", "b": b"b", "e": b"e", "n": None, "": None}


def _key(ref: bytes) -> tuple[int, int] | None:
    return parse_cell_name(ref.decode("ascii"))


def _patch_sheet(xml: bytes, cached: dict[tuple[int, int], tuple[str, str]]) -> tuple[bytes, int]:
    count = 0

    def replace(match: re.Match) -> bytes:
        nonlocal count
        key = _key(match.group("ref"))
        found = cached.get(key) if key is not None else None
        if found is None or b" t=" in match.group("attrs"):
            return match.group(0)
        ctype, value = found
        if ctype not in _TYPES:
            return match.group(0)
        count += 1
        typed = _TYPES[ctype]
        type_attr = b' t="' + typed + b'"' if typed else b""
        return (b'<c r="' + match.group("ref") + b'"' + match.group("attrs") + type_attr + b">" + match.group("f")
                + b"<v>" + escape(value).encode("utf-8") + b"</v></c>")

    return _FORMULA_CELL.sub(replace, xml), count


def restore_cached_values(source: str | Path, written: bytes) -> bytes:
    """The workbook ``written`` (bytes of an .xlsx/.xlsm saved by openpyxl from ``source``)
    with the formula values of ``source`` put back.  Returns ``written`` unchanged
    when there is nothing to restore."""
    ours = set(file_ownership(Path(source), (), None).replace)  # by the mark the file carries
    cached = cached_formula_values(source, skip=ours.__contains__)
    if not cached:
        return written
    with zipfile.ZipFile(io.BytesIO(written)) as zin:
        parts = sheet_parts(zin)
        patched: dict[str, bytes] = {}
        for sheet_name, values in cached.items():
            part = parts.get(sheet_name)
            if part is None:
                continue
            new, count = _patch_sheet(zin.read(part), values)
            if count:
                patched[part] = new
        if not patched:
            return written
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = patched.get(info.filename)
                zout.writestr(info, data if data is not None else zin.read(info.filename))
    return out.getvalue()
