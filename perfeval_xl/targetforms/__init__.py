"""绩效目标申报表 (project performance target forms): found on any sheet and checked by the rules
of 财预〔2021〕101号 and the provincial 审核 texts.

``check_target_forms(snapshot)`` finds and checks every form of a workbook; ``find_target_forms``
and ``check_forms`` are the two steps; :data:`RULES` lists the rules with their sources and
:data:`LAYOUTS` the layouts.  Core-level: no Excel library, only ``perfeval_xl.core`` and the
value parsing of ``perfeval_xl.forms``.
"""

from .check import STATUS_ERRORS, STATUS_OK, STATUS_WARNINGS, TargetResult, check_forms, check_target_forms
from .layouts import LAYOUTS, Layout
from .reader import PERIOD_TERM, PERIOD_YEAR, TargetForm, TargetIndicator, find_target_forms
from .rules import RULES, CopyPrint, Rule, RuleFinding, copy_print

__all__ = ["CopyPrint", "copy_print", "LAYOUTS", "Layout", "PERIOD_TERM", "PERIOD_YEAR", "RULES", "Rule", "RuleFinding", "STATUS_ERRORS",
           "STATUS_OK", "STATUS_WARNINGS", "TargetForm", "TargetIndicator", "TargetResult", "check_forms",
           "check_target_forms", "find_target_forms"]
