"""The writers of a write plan, by name: one map over every layer's writers (pandas' ``ExcelWriter``
engines are the model).

Every writer implements :class:`perfeval_xl.io.engines.Writer`: it is given the
:class:`~perfeval_xl.core.writeplan.WritePlan` the stages built and an
:class:`~perfeval_xl.io.engines.Output` saying where (and into what) to write it::

    write("splice", plan, Output(target, source=source, is_output_sheet=ext.is_output_sheet))

=========  ===========================================================  ==========================
engine     writes                                                       ``Output.target``
=========  ===========================================================  ==========================
splice     the plan's sheets added into a copy of the input package     the new file (a path)
           (``Output.source``), every input part kept byte for byte
new        a new package holding only the plan's sheets (no charts)     the new file (a path)
xlwings    the plan's sheets into the workbook open in Excel            an ``xlwings.Book``
docx       the plan's 复核意见 sheet as Word tables (``review --docx``)  the new .docx (a path)
=========  ===========================================================  ==========================

The map lives here, above io, :mod:`perfeval_xl.excel` and :mod:`perfeval_xl.wordreport`, because it
names all of their writers; a module below calls the writer of its own layer directly (``score`` and
``review`` io's splice writer, ``review --docx`` the Word one, the Excel button the xlwings one).

The batch summary 汇总.xlsx is not a plan writer: its rows stream from the result store as they
are written (:mod:`perfeval_xl.io.xlsx_stream`), so no plan of it is ever held in memory.

The map holds ``"module:function"`` names, imported when an engine is first asked for: naming an
engine costs no import (xlwings and python-docx load only for the commands that use them), and
importing this module registers nothing.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from perfeval_xl.core.writeplan import WritePlan
from perfeval_xl.io.engines import Output, Writer

__all__ = ["ENGINES", "write", "writer"]

#: engine name → "module:function" implementing :class:`~perfeval_xl.io.engines.Writer`
ENGINES: dict[str, str] = {
    "splice": "perfeval_xl.io.xlsx_splice:write_plan",
    "new": "perfeval_xl.io.new_workbook:write_plan",
    "xlwings": "perfeval_xl.excel:write_plan",
    "docx": "perfeval_xl.wordreport.docx_writer:write_plan",
}


def writer(engine: str) -> Writer:
    """The writer registered as ``engine`` (KeyError naming the known ones otherwise)."""
    try:
        module, function = ENGINES[engine].split(":")
    except KeyError:
        raise KeyError(f"unknown writer engine {engine!r}; known: {', '.join(ENGINES)}") from None
    return getattr(import_module(module), function)


def write(engine: str, plan: WritePlan, output: Output) -> Any:
    """Write ``plan`` to ``output`` with the named engine."""
    return writer(engine)(plan, output)
