"""What every writer of a write plan implements and is given: one protocol (:class:`Writer`) and one
description of where to write (:class:`Output`); pandas' ``ExcelWriter`` engines are the model.

The writers live in the layer that owns what they write: io's own are the splice writer
(:func:`perfeval_xl.io.xlsx_splice.write_plan`) and the new-package writer
(:func:`perfeval_xl.io.new_workbook.write_plan`); the xlwings writer is in :mod:`perfeval_xl.excel`,
the Word one in :mod:`perfeval_xl.wordreport.docx_writer`.  This module names none of them: a caller
calls the writer of its own layer or below, and the map of every engine by name is
:data:`perfeval_xl.writers.ENGINES`, in a layer above all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

from perfeval_xl.core.writeplan import WritePlan

__all__ = ["Output", "Writer"]


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
