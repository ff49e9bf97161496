"""The layouts of 绩效目标申报表 perfeval recognises, as data (see docs/forms.md, 绩效目标申报表).

Each layout says how it is told apart from the others (header fields and indicator columns it
has), which header fields it requires (rule R01) and whether its indicator table has a column
for 指标解释 (rule R03).  Adding a layout is one entry of :data:`LAYOUTS`; the reader finds the
fields by their labels wherever they stand, so an entry holds no cell addresses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

#: header fields: key → (the label as the forms print it, labels that mean it, folded by ``values.norm``)
FIELDS: dict[str, tuple[str, str]] = {
    "code": ("项目编码", r"项目编码|项目代码"),
    "name": ("项目名称", r"项目名称"),
    "dept": ("主管部门", r"主管部门(及代码)?|一级预算单位"),
    "unit": ("实施单位", r"申请单位|实施单位|单位名称|项目单位"),
    "kind": ("项目类型", r"项目类型|项目属性"),
    "new": ("是否新增项目", r"是否新增项目"),
    "method": ("分配方式", r"分配方式"),
    "years": ("实施期限", r"实施期限|项目期|项目实施期|实施周期"),
    "total": ("项目总金额", r"项目总金额.*|实施期资金总额.*|中期资金总额.*"),
    "amount": ("本年度项目金额", r"本年度项目金额.*|年度资金总额.*"),
    "policy": ("政策依据", r"政策依据"),
    "basis": ("测算依据", r"测算依据"),
    "goal": ("年度目标", r"年度目标|年度总体目标"),
    "long_goal": ("长期（实施期）目标", r"长期目标.*|实施期目标|中期目标.*"),
}
#: fields whose text may follow the label in the same cell (``实施期目标：目标1……``)
INLINE_FIELDS = ("goal", "long_goal")
#: the rows under 年度资金总额 / 实施期资金总额 that split it by source
PART_LABELS = r"(其中)?(当年)?(财政拨款|其他资金|政府预算资金|财政专户管理资金|单位资金|上年结转资金?)"

_COMPILED = {key: re.compile(pattern) for key, (_, pattern) in FIELDS.items()}
_PARTS = re.compile(PART_LABELS)


def field_of(text: str) -> str | None:
    """The header field a folded label names, or None."""
    for key, pattern in _COMPILED.items():
        if pattern.fullmatch(text):
            return key
    return None


def inline_field_of(text: str) -> str | None:
    """A goal field whose label starts the cell and whose text follows it."""
    for key in INLINE_FIELDS:
        match = _COMPILED[key].match(text)
        if match and match.end() < len(text):
            return key
    return None


def is_part_label(text: str) -> bool:
    return bool(_PARTS.fullmatch(text))


@dataclass(frozen=True)
class Layout:
    id: str
    name: str
    #: where the layout is described (target_layouts.md § and the official text)
    source: str
    #: header fields that must be filled (R01)
    required: tuple[str, ...]
    #: the layout is this one: a test on the header fields found and the indicator columns
    matches: Callable[[frozenset[str], frozenset[str]], bool]


LAYOUTS: tuple[Layout, ...] = (
    Layout("101", "财预〔2021〕101号式指标表",
           "财预〔2021〕101号 附件1 三(一)–(八)（各末级指标的指标解释、来源、设定依据、取值方式、数据来源）",
           ("name", "unit", "amount", "goal"),
           lambda fields, cols: bool(cols & {"source", "basis", "method", "data", "rule"})),
    Layout("宝安", "深圳宝安 二级项目支出绩效目标申报表（预算系统导出）",
           "target_layouts.md §6（每表一个项目，A–E 五列）",
           ("name", "unit", "years", "policy", "basis", "goal", "amount"),
           lambda fields, cols: "code" in fields and "explanation" in cols),
    Layout("河南", "河南 省级部门预算项目支出绩效目标表",
           "豫财效〔2022〕4号 附件1（成本为一级指标，有“指标值说明”列）",
           ("name", "dept", "unit", "amount", "goal"),
           lambda fields, cols: "value_note" in cols),
    Layout("郑州", "郑州 市级部门预算项目绩效目标申报表（财预〔2015〕88号式，实施期 / 年度两组指标）",
           "郑州 附件2-1、2-2（河南 事前绩效评估 附件1-4 同式）",
           ("name", "dept", "unit", "amount", "goal"),
           lambda fields, cols: "total" in fields or "period_groups" in cols),
    Layout("通用", "其他格式的绩效目标表（按通用规则审核）", "按表头识别：三级指标、指标值（目标值）",
           ("name", "amount", "goal"),
           lambda fields, cols: True),
)


def layout_of(fields: frozenset[str], columns: frozenset[str]) -> Layout:
    return next(layout for layout in LAYOUTS if layout.matches(fields, columns))


def label_of(key: str) -> str:
    return FIELDS[key][0]
