"""Official self-evaluation forms (绩效自评表): finding them on any sheet and reconciling them.

``review_forms(snapshot)`` finds and recomputes every form; ``find_forms`` and ``review_form``
are the two steps.  Core-level: no Excel library, only ``perfeval_xl.core``.
"""

from .layouts import LAYOUTS, Layout, recognise
from .reader import LAYOUT_CENTRAL, LAYOUT_PROVINCIAL, Form, FundRow, Indicator, find_forms
from .reconcile import FormReview, IndicatorReview, review_form, review_forms

__all__ = ["LAYOUTS", "Layout", "recognise", "Form", "FundRow", "Indicator", "FormReview", "IndicatorReview", "LAYOUT_CENTRAL", "LAYOUT_PROVINCIAL",
           "find_forms", "review_form", "review_forms"]
