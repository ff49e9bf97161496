"""``perfeval report``: the Word draft of the evaluation report.

* :mod:`.model` — the document as plain data (headings, paragraphs, tables, charts);
* :mod:`.tables` — an output sheet of the write plan as a document table (so the
  docx and the xlsx show the same figures, formatted the same way);
* :mod:`.content` — the report's text and tables built from the evaluation and the plan;
* :mod:`.charts` — bar charts drawn with Pillow (CJK font search, clear fallback);
* :mod:`.docx_writer` — python-docx rendering, written atomically;
* :mod:`.cli` — the ``report`` command.

Only :mod:`.charts` and :mod:`.docx_writer` import a third-party library.
"""
