"""UDF计算器.xlsx: the perfeval UDFs typed into cells over the seed figures.

Column B of the lower block holds the formulas (they compute in Excel once the
绩效评价 add-in is loaded and its functions imported, see docs/excel.md), column C
the value each must show, typed as a constant, and column D where the same number
appears in the file path's output (``perfeval score``) of the seed workbooks.
``tests/test_calculator.py`` evaluates every formula by calling the UDF functions
with the referenced cells and checks both columns.

Seed 000: 西山区社区党组织服务群众专项经费2024 (total 88.51, 良);
seed 004: 五华区五个先锋奖励经费2023 (西翥 / 普吉 figures).
"""

from __future__ import annotations

from pathlib import Path

FILE_NAME = "UDF计算器.xlsx"
SHEET = "UDF计算器"

#: (label, value(s) in B[, C], note, number format) — rows of the data block, from row 4
DATA = [
    ("计划投入（预算）资金", 660000, None, "种子000 资金情况", "#,##0.00"),
    ("实际到位资金", 175312.57, None, "种子000", "#,##0.00"),
    ("及时到位资金", 175312.57, None, "种子000", "#,##0.00"),
    ("应到位资金", 660000, None, "种子000", "#,##0.00"),
    ("实际支出资金", 175312.57, None, "种子000：五个社区支出合计", "#,##0.00"),
    ("计划产出数（城市社区）", 12, None, "种子000 产出情况", "General"),
    ("实际产出数（城市社区）", 6, None, "种子000", "General"),
    ("质量达标产出数", 6, None, "种子000", "General"),
    ("计划成本", 660000, None, "种子000", "#,##0.00"),
    ("实际成本", 175312.57, None, "种子000", "#,##0.00"),
    ("按时完成的社区数", 5, None, "种子000：6 个社区中 5 个按时完成", "General"),
    ("社区数", 6, None, "种子000", "General"),
    ("计划用时（天）", 365, None, "种子000 盛高大城社区", "General"),
    ("实际用时（天）", 396, None, "种子000：超出计划 1 个月", "General"),
    ("问卷：满意（人数 / 得分率）", 12, 1, "种子000 群众问卷 40 份", "0%"),
    ("问卷：基本满意", 22, 0.8, "", "0%"),
    ("问卷：不满意", 6, 0.6, "", "0%"),
    ("要点①达成情况", "是", None, "种子000 A3 绩效指标明确性", "General"),
    ("要点②达成情况", "是", None, "", "General"),
    ("要点③达成情况", "否", None, "扣分原因：与年度任务数不对应", "General"),
    ("要点④达成情况", "是", None, "", "General"),
    ("项目总分", 88.51, None, "种子000 得分汇总", "0.00"),
    ("A类 奖励对象满意度 / 权重", 0.99, 0.4, "种子004 西翥", "0.00%"),
    ("B类 街道办事处职员满意度 / 权重", 0.997, 0.3, "种子004 西翥", "0.00%"),
    ("C类 社区职员满意度 / 权重", 0.989, 0.3, "种子004 西翥", "0.00%"),
    ("奖励金应发（万元）", 58.78, None, "种子004 普吉", "0.00"),
    ("奖励金实发（万元）", 58.30, None, "种子004 普吉", "0.00"),
    ("预算执行率（示例）", 0.85, None, "docs/rules.md 分档示例", "0.00%"),
    ("待舍入的数", 2.675, None, "", "General"),
]
DATA_TOP = 4
#: row of each data label (1-based)
ROW = {label: DATA_TOP + i for i, (label, *_rest) in enumerate(DATA)}


def B(label: str) -> str:
    return f"B{ROW[label]}"


def C(label: str) -> str:
    return f"C{ROW[label]}"


def block(first: str, last: str, column: str = "B") -> str:
    return f"{column}{ROW[first]}:{column}{ROW[last]}"


FORMULAS_TOP = DATA_TOP + len(DATA) + 2  # title row of the formula block

STEP_FUNDS = "满分线=100%；每降=5%；扣=0.4%权重；计法=按比例"
CHECKLIST = ("①将绩效目标细化分解为具体的绩效指标:0.5；②通过清晰、可衡量的指标值予以体现:0.5；"
             "③与项目年度任务数或计划数相对应:0.5；④与预算确定的资金量相匹配:0.5")
BANDS_SAT = "≥90%:10；≥85%:8；≥80%:6；≥75%:4；≥70%:2；其他:0"

#: (key, label, formula, expected, number format, check) — check is
#: ("000", indicator code or "总分"/"等级", "score" | "value") against the file path
ROWS = [
    ("arrival", "资金到位率", f"=ARRIVAL_RATE({B('实际到位资金')},{B('计划投入（预算）资金')})", 0.2656, "0.00%",
     ("000", "A4", "value")),
    ("timely", "到位及时率", f"=TIMELY_ARRIVAL_RATE({B('及时到位资金')},{B('应到位资金')})", 0.2656, "0.00%",
     ("000", "A5", "value")),
    ("execution", "预算执行率（以到位资金为基数）", f"=EXECUTION_RATE({B('实际支出资金')},{B('实际到位资金')})", 1.0,
     "0.00%", None),
    ("completion", "实际完成率", f"=COMPLETION_RATE({B('实际产出数（城市社区）')},{B('计划产出数（城市社区）')})", 0.5,
     "0.00%", ("000", "C1", "value")),
    ("quality", "质量达标率", f"=QUALITY_RATE({B('质量达标产出数')},{B('实际产出数（城市社区）')})", 1.0, "0.00%",
     ("000", "C3", "value")),
    ("ontime", "完成及时率（按时占比）", f"=TIMELINESS_RATE({B('按时完成的社区数')},{B('社区数')})", 0.8333, "0.00%", None),
    ("time", "完成及时率（用时，超时为负）", f"=TIMELINESS_RATE({B('实际用时（天）')},{B('计划用时（天）')},1)", -0.0849,
     "0.00%", None),
    ("cost", "成本节约率", f"=COST_SAVING_RATE({B('实际成本')},{B('计划成本')})", 0.7344, "0.00%",
     ("000", "C4", "value")),
    ("satisfaction", "满意度（12/22/6 人，100%/80%/60%）",
     f"=SATISFACTION({block('问卷：满意（人数 / 得分率）', '问卷：不满意')},"
     f"{block('问卷：满意（人数 / 得分率）', '问卷：不满意', 'C')})", 0.83, "0.00%", ("000", "D3", "value")),
    ("arrival_score", "资金到位率得分（阶梯扣分，2 分）", '=SCORE_STEP({arrival},2,"' + STEP_FUNDS + '")', 1.88, "0.00",
     ("000", "A4", "score")),
    ("completion_score", "实际完成率得分（阶梯扣分，9 分）",
     '=SCORE_STEP({completion},9,"满分线=100%；每降=10%；扣=1；零分线=50%")', 4.0, "0.00", ("000", "C1", "score")),
    ("quality_score", "质量达标率得分（比率，8 分）", "=SCORE_RATIO({quality},8)", 8.0, "0.00", ("000", "C3", "score")),
    ("cost_score", "成本节约率得分（区间，8 分）", '=SCORE_BANDS({cost},8,"≥0%:8；其他:0")', 8.0, "0.00",
     ("000", "C4", "score")),
    ("satisfaction_score", "群众满意度得分（83% → 6.30）", '=SCORE_STEP({satisfaction},7,"满分线=90%；每降=1%；扣=0.1")',
     6.3, "0.00", ("000", "D3", "score")),
    ("checklist", "绩效指标明确性（要点，2 分）",
     f'=SCORE_CHECKLIST({block("要点①达成情况", "要点④达成情况")},2,"{CHECKLIST}")', 1.5, "0.00",
     ("000", "A3", "score")),
    ("formula", "资金到位率得分（公式写法）", '=SCORE_FORMULA("分值*(1-(1-值)*100/5*0.4%)",2,{arrival})', 1.88, "0.00",
     ("000", "A4", "score")),
    ("grade", "项目等级（88.51 分）", f"=GRADE({B('项目总分')})", "良", "General", ("000", "等级", "value")),
    ("total", "项目总分四舍五入到 2 位", f"=ROUND_HALF_UP({B('项目总分')},2)", 88.51, "0.00", ("000", "总分", "value")),
    ("composite", "综合满意度（40%/30%/30%）",
     f"=COMPOSITE_SATISFACTION({block('A类 奖励对象满意度 / 权重', 'C类 社区职员满意度 / 权重')},"
     f"{block('A类 奖励对象满意度 / 权重', 'C类 社区职员满意度 / 权重', 'C')})", 0.9918, "0.00%", None),
    ("composite_score", "综合满意度得分（区间，10 分）", '=SCORE_BANDS({composite},10,"' + BANDS_SAT + '")', 10.0, "0.00",
     None),
    ("payout", "奖励金发放完成率（实发÷应发）", f"=COMPLETION_RATE({B('奖励金实发（万元）')},{B('奖励金应发（万元）')})",
     0.9918, "0.00%", None),
    ("payout_score", "奖励金发放完成率得分（比率 5 分：5×99.18%）", "=SCORE_RATIO({payout},5)", 4.96, "0.00", None),
    ("tiers", "预算执行率得分（分档，2 分，85%）", f'=SCORE_TIERS({B("预算执行率（示例）")},2,"≥100%:2；≥90%:1；其下每降1%扣0.1")',
     0.5, "0.00", None),
    ("qualitative", "管理制度健全性（定性，4 分，粗略）", '=SCORE_QUALITATIVE("粗略",4,"健全:4；粗略:2；未制定:0")', 2.0,
     "0.00", None),
    ("round", "四舍五入 ROUND_HALF_UP(2.675,2)", f"=ROUND_HALF_UP({B('待舍入的数')},2)", 2.68, "0.00", None),
]
#: row of each formula (1-based)
FORMULA_ROW = {key: FORMULAS_TOP + 2 + i for i, (key, *_rest) in enumerate(ROWS)}
CHECK_TEXT = {"score": "得分", "value": "指标值"}


def formula_text(formula: str) -> str:
    return formula.format(**{key: f"B{row}" for key, row in FORMULA_ROW.items()})


def check_text(check) -> str:
    if check is None:
        return ""
    seed, code, what = check
    if code in ("总分", "等级"):
        return f"种子{seed} perfeval score：项目{code}"
    return f"种子{seed} perfeval score：指标 {code} {CHECK_TEXT[what]}"


def build(folder: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    header_font = Font(name="宋体", bold=True)
    fill = PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2")
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = "perfeval-xl 自定义函数计算器（种子报告 000 / 004 的数据）"
    ws["A1"].font = Font(name="宋体", bold=True, size=14)
    ws["A2"] = ("B 列下半部分是公式：安装“绩效评价”加载项并导入自定义函数后即可计算（见 docs/excel.md）；"
                "C 列是应显示的值，D 列是命令行 perfeval score 输出中的同一数字。")
    ws["A2"].alignment = Alignment(wrap_text=False)
    for col, text in enumerate(("数据", "数值", "第二个数", "说明"), start=1):
        cell = ws.cell(DATA_TOP - 1, col, text)
        cell.font, cell.fill = header_font, fill
    for label, value, second, note, number_format in DATA:
        row = ROW[label]
        ws.cell(row, 1, label)
        ws.cell(row, 2, value).number_format = number_format if second is None else "General"
        if second is not None:
            ws.cell(row, 3, second).number_format = number_format
        if note:
            ws.cell(row, 4, note)
    ws.cell(FORMULAS_TOP, 1, "自定义函数").font = Font(name="宋体", bold=True, size=12)
    for col, text in enumerate(("计算内容", "公式（结果）", "应显示", "核对：文件路径的结果", "公式原文"), start=1):
        cell = ws.cell(FORMULAS_TOP + 1, col, text)
        cell.font, cell.fill = header_font, fill
    for key, label, formula, expected, number_format, check in ROWS:
        row = FORMULA_ROW[key]
        text = formula_text(formula)
        ws.cell(row, 1, label)
        ws.cell(row, 2, text).number_format = number_format
        ws.cell(row, 3, expected).number_format = number_format
        ws.cell(row, 4, check_text(check))
        shown = ws.cell(row, 5, text)
        shown.data_type = "s"  # the formula as text, for reading without Excel
    for col, width in zip("ABCDE", (34, 16, 12, 34, 70)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A4"
    from perfeval_xl.io.atomic import save_workbook_atomic

    return save_workbook_atomic(wb, Path(folder) / FILE_NAME)
