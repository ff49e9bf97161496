"""Questionnaires: tallies, survey-platform exports and satisfaction measures (issue 4).

* :mod:`.model` — classes, questions, options, tallies, respondent-level answers;
* :mod:`.tally` — satisfaction per class / unit / question, composite, checks;
* :mod:`.importer` — survey-platform exports (one row per respondent) → tallies;
* :mod:`.book` — the workbook's questionnaire sheets (问卷类别/题目/选项/计数/答卷) → :class:`~.book.SurveyData`,
  put on the book by the pipeline's attach-questionnaires stage (:func:`.book.attach`), with findings;
* :mod:`.sources` — the value sources 满意度(A), 综合满意度, 题目得分率(A/3), 有效问卷数
  (:data:`.sources.SURVEY_SOURCES`, listed in :mod:`perfeval_xl.extensions`);
* :mod:`.annex` — 调查问卷结果汇总表, 问卷明细-<类别>, 满意度情况表
  (:data:`.annex.SURVEY_SHEETS`, listed in :mod:`perfeval_xl.extensions`);
* :mod:`.workbook` — tallies → sheet rows, and writing them with openpyxl;
* :mod:`.cli` — ``perfeval survey import``.

User documentation: docs/survey.md.
"""

# The names below are imported from their modules on first use (PEP 562), so that importing one module of the
# package (the command line registering ``perfeval survey``, the pipeline importing .book) does not import them all.
_EXPORTS = {
    "importer": ("ImportResult", "OptionMatcher", "import_file", "import_rows", "read_export"),
    "model": ("METHODS", "PER_ANSWER", "PER_RESPONDENT", "Option", "Question", "Response", "SurveyClass", "Tally",
              "tally_from_table", "tally_responses", "uniform_options"),
    "tally": ("SKIP", "ZERO_SCORE", "RateResult", "check_classes", "check_rates", "check_tally", "class_rate",
              "composite_rate", "option_totals", "question_rate", "respondent_score", "unit_rates", "weighted_rate"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_MODULE_OF))


__all__ = [name for names in _EXPORTS.values() for name in names]
