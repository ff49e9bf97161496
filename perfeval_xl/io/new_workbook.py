"""The ``new`` engine (:mod:`perfeval_xl.writers`): a write plan as a new package holding
only the plan's sheets, for output that has no input package to splice into.

:func:`new_package` assembles the package directly from the splice writer's parts
(:func:`~perfeval_xl.io.xlsx_splice.sheet_xml`, :func:`~perfeval_xl.io.xlsx_splice.add_styles`),
so the sheets look exactly like the output sheets of a scored copy.  It draws no charts (the
splice engine does).  The sheets are not marked as perfeval's output (such a file is one of its
own, recognised by its sheet names)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from perfeval_xl.core.writeplan import WritePlan
from perfeval_xl.io.atomic import write_bytes_atomic
from perfeval_xl.io.engines import Output
from perfeval_xl.io.xlsx_package import (
    CONTENT_TYPES, NEW_PACKAGE_RELS, NEW_STYLES, PART_STAMP, ROOT_RELS, STYLES_PART, WORKBOOK, WORKBOOK_RELS,
    new_content_types, new_workbook_rels, new_workbook_xml,
)
from perfeval_xl.io.xlsx_splice import add_styles, sheet_xml


def new_package(plan: WritePlan) -> bytes:
    """The bytes of an .xlsx holding exactly the plan's sheets (the first one selected); charts
    are not written (see :func:`write_plain_workbook`)."""
    styles, index = add_styles(NEW_STYLES)
    count = len(plan.sheets)
    parts = {CONTENT_TYPES: new_content_types(count), ROOT_RELS: NEW_PACKAGE_RELS,
             WORKBOOK: new_workbook_xml([(sheet.name, sheet.title_rows) for sheet in plan.sheets]),
             WORKBOOK_RELS: new_workbook_rels(count), STYLES_PART: styles}
    for n, sheet in enumerate(plan.sheets, start=1):
        parts[f"xl/worksheets/sheet{n}.xml"] = sheet_xml(sheet, index, selected=(n == 1))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for name, text in parts.items():
            zout.writestr(zipfile.ZipInfo(name, date_time=PART_STAMP), text.encode("utf-8"),
                          compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return out.getvalue()


def write_plain_workbook(plan: WritePlan, path: Path) -> Path:
    """Create ``path`` (atomically) holding exactly the plan's sheets (:func:`new_package`)."""
    if any(sheet.charts for sheet in plan.sheets):
        raise ValueError("the new-package engine draws no charts; a plan with charts goes through the splice engine")
    data = new_package(plan)
    return write_bytes_atomic(Path(path), lambda handle: handle.write(data))


def write_plan(plan: WritePlan, output: Output) -> Path:
    """The ``new`` engine: :func:`write_plain_workbook` to ``output.target``."""
    return write_plain_workbook(plan, output.target)
