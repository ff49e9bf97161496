"""The one list of extensions a scoring run uses: value sources, output sheets, checks.

Everything the pipeline can be extended with is assembled here, in the open; no module
registers anything on import.  To add a value source, an output sheet or a check, write
it in its module and list it below.

* :data:`SOURCES` — the names an evaluator may write in 指标体系!取值来源: the core's
  (funds, outputs, roster, 其他数据) and the questionnaire ones (满意度, 综合满意度, 题目得分率,
  有效问卷数);
* :data:`SHEETS` — the output-sheet builders, in the order the sheets are written, each with the
  names (or name prefixes) of the sheets it writes: which sheets are ours is read from this list
  (图表 from perfeval_xl.core.charts; 自评表, for an evaluation of type 绩效自评, from
  perfeval_xl.forms.sheet);
* :data:`CHECKS` — the checks of the check stage, in the order their findings are listed.

:data:`DEFAULT` is the default of the entry points (``score_file``, ``review_file`` …), which pass
it on to every stage in the environment and to io as arguments; tests/test_layering.py keeps the
layers below (core, io, forms, survey, targetforms) from importing this module.
"""

from __future__ import annotations

from perfeval_xl.core.charts import CHART_SHEETS
from perfeval_xl.core.checks import CHECKS as CORE_CHECKS
from perfeval_xl.core.environment import Extensions
from perfeval_xl.core.output_sheets import CLOSING_SHEETS, SCORE_SHEETS
from perfeval_xl.core.review_result import REVIEW_SHEETS
from perfeval_xl.core.score_sheets import check_score_columns
from perfeval_xl.core.sources import CORE_SOURCES
from perfeval_xl.forms.sheet import FORM_SHEETS
from perfeval_xl.survey.annex import SURVEY_SHEETS
from perfeval_xl.survey.sources import SURVEY_SOURCES

SOURCES = {**CORE_SOURCES, **SURVEY_SOURCES}
SHEETS = (*SCORE_SHEETS, *SURVEY_SHEETS, CHART_SHEETS, FORM_SHEETS, *REVIEW_SHEETS, *CLOSING_SHEETS)
CHECKS = (*CORE_CHECKS, check_score_columns)

#: what the pipeline runs with
DEFAULT = Extensions(sources=SOURCES, sheets=SHEETS, checks=CHECKS)


def is_output_sheet(name: str) -> bool:
    """Sheets that perfeval writes and may replace (never an input sheet), by the default list: for
    tests and tools.  The commands pass their run's ``Extensions.is_output_sheet`` down to io
    (ownership, the splice writer); no module below this one looks it up here."""
    return DEFAULT.is_output_sheet(name)
