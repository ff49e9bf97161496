"""The single definition of the evaluation template's input sheets.

The template writer (``perfeval new``), the reader and ``docs/template.md`` are all
generated from the objects below, so the three cannot drift apart.

Layout of every table sheet: row 1 holds a short help note, row 2 the Chinese
header row, data start on row 3.  The reader finds columns by their header text,
so an evaluator may reorder columns or add their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .rules import KIND_NAMES

ColumnKind = Literal["text", "literal", "amount", "number", "integer", "years", "percent", "date", "choice"]

#: row index (zero-based) of the header row in table sheets; data start one below
HEADER_ROW = 1


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: ColumnKind = "text"
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    width: float = 14
    #: a value missing on a row is taken from the row above (like merged cells in reports)
    fill_down: bool = False
    #: the template's drop-down lists the values of another sheet's column: (sheet name, column key)
    list_from: tuple[str, str] | None = None
    #: the template's drop-down suggests these values but accepts others (e.g. a qualitative level's own name)
    suggest: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSheet:
    name: str
    help: str
    columns: tuple[Column, ...]
    #: the sheet may be absent or empty (data that not every evaluation has)
    optional: bool = True
    #: columns beyond the schema's are data (one per unit, one per question), read by
    #: the questionnaire reader, not headers the reader failed to recognise
    dynamic_columns: bool = False

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    def extra_keys(self, rows) -> list[str]:
        """Keys of ``rows`` (mappings) that are not columns of this sheet, in first-seen order:
        dynamic columns such as one column per unit in 问卷计数."""
        known = {c.header for c in self.columns} | {c.key for c in self.columns}
        seen: list[str] = []
        for row in rows:
            for key in row:
                if key not in known and key not in seen:
                    seen.append(key)
        return seen


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: ColumnKind = "text"
    required: bool = False
    default: object = None
    help: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyValueSheet:
    name: str
    help: str
    fields: tuple[Field, ...]
    optional: bool = False

    def field(self, key: str) -> Field:
        for item in self.fields:
            if item.key == key:
                return item
        raise KeyError(key)


SHAPE_WHOLE = "整体评价"
SHAPE_UNITS = "分单位评价"
AGG_MEAN = "算术平均"
AGG_FUND = "资金加权平均"
UNIT_YUAN = "元"
UNIT_WAN = "万元"
YES_NO = ("是", "否")

#: the columns the 评分表 can print after 三级指标 (项目信息!评分表列 chooses them and their order)
SCORE_COLUMNS = ("编码", "分值", "指标解释", "评分标准", "计算过程", "得分", "扣分原因", "评价意见")

PROJECT_INFO = KeyValueSheet(
    name="项目信息",
    help="填写项目的基本信息。B 列填内容，C 列是说明。评价形态决定评分表的写法：整体评价写一张“评分表”，分单位评价每个单位一张“评分表-简称”，项目得分为各单位得分的平均。",
    fields=(
        Field("name", "项目名称", required=True, help="如：2024年社区党组织服务群众专项经费"),
        Field("year", "评价年度", "years", help="预算年度，如 2024；跨年度的项目写年度范围，如 2021-2024"),
        Field("client", "委托单位", help="如：昆明市西山区财政局"),
        Field("evaluator", "评价机构", help="如：××会计师事务所"),
        Field("eval_type", "评价类型", "choice", default="重点绩效评价",
              choices=("重点绩效评价", "绩效自评", "部门评价"), help="重点绩效评价 / 绩效自评 / 部门评价"),
        Field("shape", "评价形态", "choice", required=True, default=SHAPE_WHOLE,
              choices=(SHAPE_WHOLE, SHAPE_UNITS),
              help="整体评价：项目作为一个整体打分，各单位数据合并计算；分单位评价：每个单位单独打分"),
        Field("aggregation", "项目得分汇总方式", "choice", default=AGG_MEAN, choices=(AGG_MEAN, AGG_FUND),
              help="分单位评价时项目得分的算法：算术平均，或按各单位预算数加权平均"),
        Field("amount_unit", "金额单位", "choice", required=True, default=UNIT_YUAN, choices=(UNIT_YUAN, UNIT_WAN),
              help="本工作簿所有金额列的单位（人员名册的月标准除外，始终为元）"),
        Field("grade_excellent", "优（不低于）", "number", default=90, help="总分不低于此值评为“优”"),
        Field("grade_good", "良（不低于）", "number", default=80, help="总分不低于此值评为“良”"),
        Field("grade_fair", "中（不低于）", "number", default=60, help="总分不低于此值评为“中”，以下为“差”"),
        Field("survey_method", "满意度计算方法", "choice", default="按答案",
              choices=("按答案", "按答卷"),
              help="按答案：Σ人数×选项得分率÷答案数；按答卷：每份答卷得分的平均"),
        Field("survey_unanswered", "未作答题目", "choice", default="不计入", choices=("不计入", "按0分计入"),
              help="问卷中未作答的题目：不计入（按实际答案数计算）；按0分计入（按答案时分母为有效问卷数×题数）"),
        Field("score_columns", "评分表列",
              help="评分表在三级指标之后印哪些列、按什么顺序，用顿号分隔，可选：" + "、".join(SCORE_COLUMNS)
                   + "。分值、得分总会印出：没写时分值在最前（编码之后），得分在扣分原因、评价意见之前。"
                   "空白：编码、分值、指标解释（有指标填写时）、评分标准、计算过程、得分、扣分原因、评价意见（有指标填写时）"),
    ),
)

UNITS = TableSheet(
    name="单位名单",
    help="列出被评价单位（或整体评价时提供数据的下属单位）。其他工作表用“简称”指代单位。",
    optional=False,
    columns=(
        Column("seq", "序号", "integer", width=6),
        Column("full_name", "单位全称", required=True, width=40),
        Column("short_name", "单位简称", required=True, width=16, help="在其他表中引用单位时使用，须唯一"),
        Column("note", "备注", width=24),
    ),
)

FUNDS = TableSheet(
    name="资金情况",
    help="每个单位一行（整体评价时单位可留空表示项目整体）。金额单位见“项目信息”。",
    columns=(
        Column("unit", "单位简称", width=16),
        Column("budget", "预算数", "amount", required=True, help="预算批复 / 下达数（计划投入资金）"),
        Column("arrived", "实际到位", "amount", help="实际到位资金"),
        Column("timely", "及时到位", "amount", help="截至规定时点实际到位的资金"),
        Column("due", "应到位", "amount", help="按合同或进度截至规定时点应到位的资金"),
        Column("spent", "实际支出", "amount", help="实际支出（已使用）资金"),
        Column("superior", "上级资金", "amount", help="取得批复或到位的上级资金"),
        Column("balance", "结余", "amount"),
        Column("carryover", "结转", "amount"),
        Column("note", "备注", width=30),
        Column("year", "年度", "integer", width=8,
               help="跨年度的项目每个单位每年一行，填年份（如 2023）；取值来源写 资金到位率(2023年) 只取该年，不写年度取全部年度"),
    ),
)

LEDGER = TableSheet(
    name="支出明细",
    help="可选：逐笔支出。填写后按单位汇总为实际支出，并按“应付日期”判断是否及时支付。",
    columns=(
        Column("unit", "单位简称", width=16),
        Column("date", "支付日期", "date", required=True, width=12),
        Column("voucher", "凭证号", width=12),
        Column("summary", "摘要", width=30),
        Column("amount", "金额", "amount", required=True),
        Column("due_date", "应付日期", "date", width=12, help="应支付的最迟日期；支付日期不晚于此日期即为及时"),
    ),
)

OUTPUTS = TableSheet(
    name="产出情况",
    help="计划与实际产出。同一产出可分子项逐行填写；取值来源“实际完成率(产出名称)”等按产出名称汇总。",
    columns=(
        Column("unit", "单位简称", width=16),
        Column("item", "产出名称", required=True, width=24),
        Column("sub_item", "子项", width=16),
        Column("measure_unit", "计量单位", width=8),
        Column("planned", "计划数", "number"),
        Column("actual", "实际数", "number"),
        Column("quality_ok", "质量达标数", "number"),
        Column("on_time", "按时完成数", "number"),
        Column("planned_date", "计划完成日期", "date", width=12, help="按计划应完成的日期"),
        Column("actual_date", "实际完成日期", "date", width=12, help="实际完成的日期；不晚于计划完成日期即按时"),
        Column("planned_days", "计划用时", "number", help="计划完成所需时间（天或月，与实际用时一致）"),
        Column("actual_days", "实际用时", "number", help="实际完成所耗用的时间"),
        Column("planned_cost", "计划成本", "amount"),
        Column("actual_cost", "实际成本", "amount"),
        Column("note", "备注", width=24),
        Column("year", "年度", "integer", width=8,
               help="跨年度的项目按年填写时的年份；取值来源写 实际完成率(道路,2023年) 只取该年，不写年度取全部年度"),
    ),
)

ROSTER = TableSheet(
    name="人员名册",
    help="奖励 / 补助对象名册。每行一人，或一行填“人数”汇总同类人员。目标人数、发放人数和应发金额由此汇总。",
    columns=(
        Column("unit", "单位简称", required=True, width=16),
        Column("community", "社区", width=14),
        Column("category", "类别", width=16, help="如先锋类型：基层党建先锋"),
        Column("role", "职务", width=12, help="如正职 / 副职 / 委员 / 居民小组党支部书记"),
        Column("name", "姓名", width=10),
        Column("heads", "人数", "integer", help="空白按 1 人计", width=8),
        Column("monthly", "月标准（元）", "amount", help="每人每月标准，如 500 / 400 / 300 / 200", width=12),
        Column("months", "月数", "number", width=8),
        Column("paid", "是否发放", "choice", choices=YES_NO, help="是：已按规定发放；否：应发未发", width=10),
        Column("paid_amount", "实发金额（元）", "amount", width=14),
    ),
)

SURVEY_CLASSES = TableSheet(
    name="问卷类别",
    help="满意度问卷的类别及其在综合满意度中的权重（合计应为 100%）。",
    columns=(
        Column("code", "类别代码", required=True, width=10),
        Column("name", "类别名称", required=True, width=24),
        Column("weight", "权重", "percent", help="在综合满意度中的权重，如 40%"),
    ),
)

SURVEY_QUESTIONS = TableSheet(
    name="问卷题目",
    help="每类问卷的题目，每题一行。“计入满意度”填“否”的题目（如“是否了解”类知识题）只统计、不计入满意度。",
    columns=(
        Column("class_code", "类别代码", required=True, width=10, fill_down=True, help="如 A（问卷类别中的代码）"),
        Column("number", "题号", "integer", required=True, width=6),
        Column("text", "题目", width=48, help="导入问卷平台导出文件时按题目文字对应列"),
        Column("counted", "计入满意度", "choice", choices=YES_NO, width=10, help="空白按“是”"),
    ),
)

SURVEY_OPTIONS = TableSheet(
    name="问卷选项",
    help="选项及其得分率。题号留空的行适用于该类全部题目（如 A=100%、B=70%、C=0%）；填了题号的行只适用于该题，"
         "得分率留空时取同一类别、同一选项的通用得分率。",
    columns=(
        Column("class_code", "类别代码", required=True, width=10, fill_down=True, help="如 A（问卷类别中的代码）"),
        Column("number", "题号", "integer", width=6, help="空白：适用于该类全部题目"),
        Column("label", "选项", required=True, width=8, help="选项代码，如 A、B、C"),
        Column("text", "选项内容", width=20, help="如：非常满意；导入导出文件时按选项内容或选项代码对应答案"),
        Column("rate", "得分率", "percent", width=10, help="如 100%、70%、0%"),
    ),
)

SURVEY_COUNTS = TableSheet(
    name="问卷计数",
    help="问卷结果汇总（附件5-1 的排法）：每题每个选项一行，每个单位一列（在“合计”右边加列，表头写单位简称），"
         "填选择该选项的人数。每类可加一行“选项”为“有效问卷数”，填各单位的有效问卷数。"
         "整体评价不分单位时只填“合计”列。perfeval survey import 可从问卷平台导出文件生成本表。",
    dynamic_columns=True,
    columns=(
        Column("class_code", "类别代码", required=True, width=10, fill_down=True, help="如 A（问卷类别中的代码）"),
        Column("number", "题号", "integer", width=6, help="空白时沿用同一类别的上一题"),
        Column("question", "题目", width=36, help="仅供阅读；题目以“问卷题目”为准"),
        Column("label", "选项", required=True, width=10, help="选项代码，如 A；或“有效问卷数”"),
        Column("text", "选项内容", width=16, help="仅供阅读"),
        Column("total", "合计", "integer", width=8,
               help="各单位人数之和（填写时核对）；没有单位列时即为项目整体的人数"),
    ),
)

SURVEY_ANSWERS = TableSheet(
    name="问卷答卷",
    help="逐份答卷（按答卷计算满意度时需要）：每份答卷一行，“第1题”“第2题”……各列填所选选项（选项代码或内容）。"
         "perfeval survey import 从问卷平台导出文件生成本表。",
    dynamic_columns=True,
    columns=(
        Column("class_code", "类别代码", required=True, width=10, fill_down=True, help="如 A（问卷类别中的代码）"),
        Column("unit", "单位简称", width=16, help="整体评价不分单位时留空"),
        Column("respondent", "答卷编号", width=10, help="如导出文件中的行号或序号"),
    ),
)

SATISFACTION = TableSheet(
    name="满意度",
    help="各单位各类问卷的满意度（已汇总的得分率）。填了“问卷计数”的类别和单位按计数计算满意度，此处填写的数值只用于核对。",
    columns=(
        Column("unit", "单位简称", width=16),
        Column("class_code", "类别代码", required=True, width=10),
        Column("valid", "有效问卷数", "integer"),
        Column("rate", "满意度", "percent", required=True),
    ),
)

DATA_VALUES = TableSheet(
    name="其他数据",
    help="其他指标取值：直接填数值，或填分子和分母由工具计算比率。取值来源写“数据(名称)”。",
    columns=(
        Column("unit", "单位简称", width=16),
        Column("name", "名称", required=True, width=28),
        Column("value", "数值", "number", help="直接给出的数值或比率（如 85%）"),
        Column("measure_unit", "计量单位", width=8, help="填 % 表示比率；也可填 个、人 等"),
        Column("numerator", "分子", "number"),
        Column("denominator", "分母", "number"),
        Column("note", "说明", width=40, help="数据口径或计算依据，会写入计算过程"),
    ),
)

DERIVED_MEAN = "平均"
DERIVED_RATIO = "合计比"

DERIVED = TableSheet(
    name="派生指标",
    help="可选：由几个取值组合成的指标值，起一个名称后，可像其他取值来源一样写在“取值来源”、公式和其他派生指标中。"
         "计算方式“平均”：表达式列出几个取值（用分号或顿号分隔），取其算术平均（如三个子项完成率的平均）；"
         "“合计比”：表达式写作 分子÷分母，分子、分母各为取值之和（Σ÷Σ，如各子项目实际支出之和÷预算数之和）。"
         "见 docs/rules.md。",
    columns=(
        Column("name", "名称", required=True, width=20, help="如 综合完成率；不能与取值来源或“其他数据”中的名称相同"),
        Column("method", "计算方式", "choice", required=True, choices=(DERIVED_MEAN, DERIVED_RATIO), width=10,
               help="平均：各项的算术平均；合计比：分子之和÷分母之和"),
        Column("expression", "表达式", required=True, width=60,
               help="平均：实际完成率(甲)；实际完成率(乙)；实际完成率(丙)；"
                    "合计比：(实际支出(甲)+实际支出(乙))÷(预算数(甲)+预算数(乙))"),
        Column("note", "说明", width=36, help="口径或依据，会写入计算过程"),
    ),
)

RULE_KINDS = KIND_NAMES  # the drop-down of 评分方法: every kind of perfeval_xl.core.rules.KINDS

INDICATORS = TableSheet(
    name="指标体系",
    help="三级指标体系。一级、二级指标及其分值只需在每组第一行填写。评分方法与规则参数的写法见“规则写法”表（详见 docs/rules.md）；子项行填“子项”名称。",
    optional=False,
    columns=(
        Column("code", "编码", required=True, width=8),
        Column("level1", "一级指标", width=10, fill_down=True),
        Column("level1_weight", "一级分值", "number", width=8),
        Column("level2", "二级指标", width=12, fill_down=True),
        Column("level2_weight", "二级分值", "number", width=8),
        Column("level3", "三级指标", width=22),
        Column("sub_item", "子项", width=16),
        Column("weight", "分值", "number", required=True, width=8),
        Column("kind", "评分方法", "choice", required=True, choices=RULE_KINDS, width=10),
        Column("params", "规则参数", width=40),
        Column("source", "取值来源", width=26),
        Column("target", "目标值", width=10),
        Column("unit", "适用单位", width=12, help="空白适用全部单位；填单位简称则替换该单位的同编码指标"),
        Column("explanation", "指标解释", width=36),
        Column("opinion", "评价意见", width=36, help="对该指标的评价意见；评分表可选印出（见项目信息“评分表列”）"),
    ),
)

MANUAL = TableSheet(
    name="评分录入",
    help="人工评分、评价要点勾选和定性等级。单位留空表示适用全部单位，填了单位的行优先。",
    columns=(
        Column("unit", "单位简称", width=16, list_from=("单位名单", "short_name")),
        Column("code", "指标编码", required=True, width=8, list_from=("指标体系", "code")),
        Column("item", "要点/子项", width=12, help="要点编号（按规则参数中写的编号，如 ③；或“全部”）或子项名称"),
        Column("result", "达成情况", width=12, help="要点、逐项扣分：是 / 否；定性：等级名称",
               suggest=("是", "否", "√", "×", "达成", "部分达成", "未达成")),
        Column("score", "得分", "number", width=8),
        Column("reason", "扣分原因", width=48),
    ),
)

#: what a printed figure of 报告数据 is (内容)
REPORTED_SCORE = "得分"
REPORTED_VALUE = "指标值"
REPORTED_SOURCE = "取值"
REPORTED_TOTAL = "总分"
REPORTED_GRADE = "等级"

REPORTED = TableSheet(
    name="报告数据",
    help="可选，复核用：照报告印出的样子填写报告中的数字，perfeval review（或 score）逐项与复算结果比较，"
         "不一致的列入“复核意见”。见 docs/review.md。",
    columns=(
        Column("unit", "单位简称", width=14, help="空白：项目（整体评价时即项目的评分）；分单位评价时填单位简称"),
        Column("object", "对象", width=26,
               help="得分、指标值：三级指标的编码或名称；子项写 编码/子项名称（如 C1/基层党建先锋）；得分也可写二级、一级指标名称（即小计）；"
                    "取值：取值来源的写法，如 资金到位率、实际完成率(城市社区)；总分、等级：留空"),
        Column("content", "内容", "choice", width=10,
               choices=(REPORTED_SCORE, REPORTED_VALUE, REPORTED_SOURCE, REPORTED_TOTAL, REPORTED_GRADE),
               help="空白按“得分”"),
        Column("printed", "报告值", "literal", required=True, width=14,
               help="照报告印的样子填写，如 4.99、99.18%、90.69、优、53.41万元（本列为文本格式，小数位照原样保留）"),
        Column("source", "出处", width=24, help="如 报告第 12 页表 7、附件2-3"),
        Column("note", "备注", width=30),
    ),
)

#: input sheets in template order
TABLE_SHEETS: tuple[TableSheet, ...] = (
    UNITS, FUNDS, LEDGER, OUTPUTS, ROSTER, SURVEY_CLASSES, SURVEY_QUESTIONS, SURVEY_OPTIONS, SURVEY_COUNTS,
    SURVEY_ANSWERS, SATISFACTION, DATA_VALUES, DERIVED, INDICATORS, MANUAL, REPORTED,
)
INPUT_SHEETS: tuple[KeyValueSheet | TableSheet, ...] = (PROJECT_INFO, *TABLE_SHEETS)
INPUT_SHEET_NAMES = frozenset(s.name for s in INPUT_SHEETS)
#: the template's help sheets: 使用说明 (first tab) and 规则写法 (from rules.KINDS); never read, never reviewed
GUIDE_SHEET = "使用说明"
RULES_SHEET = "规则写法"
GUIDE_SHEETS = frozenset((GUIDE_SHEET, RULES_SHEET))

#: output sheets (rewritten on every run); 评分表-<简称> sheets share the prefix
OUTPUT_SUMMARY = "得分汇总"
OUTPUT_SCORESHEET = "评分表"
OUTPUT_LEVEL1 = "一级指标得分表"
OUTPUT_FUNDS = "资金使用情况表"
OUTPUT_HEADCOUNT = "奖励发放人数情况"
OUTPUT_PAYOUT = "发放完成率"
OUTPUT_SATISFACTION = "满意度情况表"
OUTPUT_FINDINGS = "校验结果"
OUTPUT_TRACE = "取数底稿"
OUTPUT_REVIEW = "复核意见"
#: (the one list of output sheets with their builders: :mod:`perfeval_xl.extensions`)

