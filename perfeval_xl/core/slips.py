"""Slips: printed figures that do not follow from the data and the stated rules.

A *finding* says the input is wrong or incomplete; a *slip* says a figure someone
printed (a report's score, a form's 得分, a 合计 row of a pasted table) differs from
what the data and the rule give.  Review stages return slips the way other stages
return findings; the CLI lists them in 复核意见 and in the JSON ``slips`` array
(docs/review.md §五、JSON 输出: sheet, cell, object, unit, printed, expected, message, source).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Slip:
    """One printed figure that disagrees with its recomputation."""

    sheet: str
    cell: str
    #: what the figure is: an indicator (code + name), 总分, 等级, "合计行 资金" …
    object: str
    #: the unit's 简称, or "" for the project / a form without units
    unit: str
    #: the figure as printed, text exactly as the reviewer reads it ("5", "99.18%", "优")
    printed: str
    #: the recomputed figure, shown at the printed precision ("4.99", "99.17%", "良")
    expected: str
    #: the computation in words and numbers, e.g. "5×99.18%=4.96"
    message: str
    #: where the printed figure comes from (报告数据!出处, a form's sheet, a pasted table's title)
    source: str = ""

    def as_json(self) -> dict:
        return {"sheet": self.sheet, "cell": self.cell, "object": self.object, "unit": self.unit,
                "printed": self.printed, "expected": self.expected, "message": self.message,
                "source": self.source}
