"""Questionnaires: tallies, survey-platform exports and satisfaction measures (issue 4).

* :mod:`.model` — classes, questions, options, tallies, respondent-level answers;
* :mod:`.tally` — satisfaction per class / unit / question, composite, checks;
* :mod:`.importer` — survey-platform exports (one row per respondent) → tallies.
"""

from .importer import ImportResult, OptionMatcher, import_file, import_rows, read_export
from .model import (
    METHODS,
    PER_ANSWER,
    PER_RESPONDENT,
    Option,
    Question,
    Response,
    SurveyClass,
    Tally,
    tally_from_table,
    tally_responses,
    uniform_options,
)
from .tally import (
    SKIP,
    ZERO_SCORE,
    RateResult,
    check_classes,
    check_rates,
    check_tally,
    class_rate,
    composite_rate,
    option_totals,
    question_rate,
    respondent_score,
    unit_rates,
    weighted_rate,
)

__all__ = [
    "ImportResult", "OptionMatcher", "import_file", "import_rows", "read_export",
    "METHODS", "PER_ANSWER", "PER_RESPONDENT", "Option", "Question", "Response", "SurveyClass", "Tally",
    "tally_from_table", "tally_responses", "uniform_options",
    "SKIP", "ZERO_SCORE", "RateResult", "check_classes", "check_rates", "check_tally", "class_rate",
    "composite_rate", "option_totals", "question_rate", "respondent_score", "unit_rates", "weighted_rate",
]
