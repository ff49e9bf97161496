"""Official self-evaluation forms (绩效自评表): finding them on any sheet and reconciling them.

``review_forms(snapshot)`` finds and recomputes every form; ``find_forms`` and ``review_form``
are the two steps.  Core-level: no Excel library, only ``perfeval_xl.core``.
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - the names below, for type checkers
    from .layouts import LAYOUTS, Layout, recognise
    from .reader import LAYOUT_CENTRAL, LAYOUT_PROVINCIAL, Form, FundRow, Indicator, find_forms
    from .reconcile import FormReview, IndicatorReview, review_form, review_forms

#: each name this package exports → its module, imported when the name is first asked for (a module of
#: the package, such as the 自评表 sheet ``perfeval score`` builds, is imported without the forms' reader)
_EXPORTS = {**dict.fromkeys(("LAYOUTS", "Layout", "recognise"), "layouts"),
            **dict.fromkeys(("LAYOUT_CENTRAL", "LAYOUT_PROVINCIAL", "Form", "FundRow", "Indicator", "find_forms"),
                            "reader"),
            **dict.fromkeys(("FormReview", "IndicatorReview", "review_form", "review_forms"), "reconcile")}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value

__all__ = ["LAYOUTS", "Layout", "recognise", "Form", "FundRow", "Indicator", "FormReview", "IndicatorReview", "LAYOUT_CENTRAL", "LAYOUT_PROVINCIAL",
           "find_forms", "review_form", "review_forms"]
