"""The writers of a write plan, by name: one map and one protocol (pandas' ``ExcelWriter``
engines are the model).

Every writer is given the same two things: the :class:`~perfeval_xl.core.writeplan.WritePlan`
the stages built, and an :class:`Output` saying where (and into what) to write it.  A call site
names its engine instead of importing a writer function of its own::

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

The batch summary 汇总.xlsx is not a plan writer: its rows stream from the result store as they
are written (:mod:`perfeval_xl.io.xlsx_stream`), so no plan of it is ever held in memory.

The map holds ``"module:function"`` names, imported when an engine is first asked for: naming an
engine costs no import (xlwings and python-docx load only for the commands that use them), and
importing this module registers nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any, Callable, Protocol

from perfeval_xl.core.writeplan import WritePlan

__all__ = ["ENGINES", "Output", "Writer", "write", "writer"]


@dataclass(frozen=True)
class Output:
    """Where a writer writes the plan, and what else it needs to."""

    target: Any  # a file path, or (xlwings) the open Book
    source: Path | None = None  # splice: the input package the sheets are added to
    is_output_sheet: Callable[[str], bool] | None = None  # splice: output sheets of versions before the mark
    title: str = ""  # docx: the project's name (the document is "<title>复核意见")
    author: str = ""  # docx: the evaluator


class Writer(Protocol):
    """Writes ``plan`` to ``output``; returns what it wrote (the path written, or None when the
    plan holds nothing for this engine to write)."""

    def __call__(self, plan: WritePlan, output: Output) -> Any: ...


#: engine name → "module:function" implementing :class:`Writer`
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
