"""Self-evaluation forms (绩效自评表) as published, for the form reader and reconciler tests.

Each form records where it was published.  Figures are the published ones; where a published
excerpt breaks off, the missing cells are listed in ``filled_in`` and were filled by us (marked,
never used to assert a published slip).

The quantitative rule the reconciler applies (正向 完成值 ÷ 指标值 × 分值, 反向 指标值 ÷ 完成值 × 分值) is
also printed in the notes of circulating forms, e.g. http://biz.doczj.com/doc/174893555.html
(“若定量指标为正常指标（即指标值为≥*），则得分计算方法应用全年实际值/年度指标值*该指标分值 …”).

Layouts: ``附1`` is 财预〔2020〕10号 附1 (项目资金（万元） 年初预算数 / 全年预算数 / 全年执行数 / 分值 /
执行率 / 得分); ``省级`` is the 四川 部门预算项目支出绩效自评表 (预算执行情况（10分） 年初预算 /
调整后预算数 / 预算执行数 / 预算执行率 / 权重 / 得分 / 原因; 指标性质 / 指标值 / 度量单位 / 完成值).
"""

# 池州市贵池区棠溪镇人民政府, 项目支出绩效自评表（2022年度）, 委托业务项目.
# Published: http://www.anthempetcare.com/upload_cz/download?id=502364&siteId=2
# Its slip: 年度资金总额 left at 0 / 0 / 0 with 执行率 0 and 得分 0 while 其中：本年财政拨款 holds
# 90 / 89.974 / 89.974.
CHIZHOU_ENTRUSTED = {
    "source": "http://www.anthempetcare.com/upload_cz/download?id=502364&siteId=2",
    "title": "项目支出绩效自评表", "year": "（2022年度）",
    "project": "委托业务项目",
    "dept": "219-池州市贵池区棠溪镇人民政府", "unit": "219001-池州市贵池区棠溪镇人民政府",
    "funds": [
        ("年度资金总额：", 0, 0, 0, 10, 0, 0),
        ("其中：本年财政拨款", 90, 89.974, 89.974, None, None, None),
        ("上年结转资金", None, None, None, None, None, None),
        ("其他资金", None, None, None, None, None, None),
    ],
    "goal": ("本项目共申请预算资金90万元。其中：30万元用于基建工程项目预算编制；30万元用于基建工程项目审计；"
             "30万元用于基建工程项目设计、规划、测绘。",
             "本项目共完成预算资金89.97万元。其中：30万元用于基建工程项目预算编制；30万元用于基建工程项目审计；"
             "29.99万元用于基建工程项目设计、规划、测绘。"),
    "indicators": [
        ("产出指标(50分)", "数量指标", "基建工程委托业务项目数量", "≥50个", 50, 8, 8, None),
        ("产出指标(50分)", "质量指标", "委托业务报告合格率", "≥100百分比", 100, 8, 8, None),
        ("产出指标(50分)", "质量指标", "经费支出合规性", "严格执行相关制度规定", "达成预期指标", 8, 8, None),
        ("产出指标(50分)", "时效指标", "提交报告及时性", "在项目计划完成时间内完成", "达成预期指标", 8, 8, None),
        ("产出指标(50分)", "成本指标", "项目总成本", "≤90万元", 90, 8, 8, None),
        ("产出指标(50分)", "成本指标", "单项业务成本", "符合相关规定", "达成预期指标", 10, 10, None),
        ("效益指标(30分)", "社会效益指标", "对维护基建市场公平的影响程度", "效果明显", "达成预期指标", 10, 10, None),
        ("效益指标(30分)", "生态效益指标", "对控制基建项目成本影响程度", "效果明显", "达成预期指标", 10, 10, None),
        ("效益指标(30分)", "可持续影响指标", "对推动基建项目“四项制度”健全和落实的持续性影响", "效果明显",
         "达成预期指标", 10, 10, None),
        ("满意度指标(10分)", "满意度指标", "公众满意度", "≥90%", "95%", 10, 10, None),
    ],
    "total": (100, 90),
    "filled_in": ["公众满意度 row after its name (excerpt ends at “公众满”)", "总分 row (Σ of the printed scores)"],
}

# The same town, 村级补助及运转经费: 全年预算数 cut by a third (202.64 → 132.912) with no word of why,
# and again a 年度资金总额 row at 0 / 0 / 0.
# Published: http://www.anthempetcare.com/upload_cz/download?id=502367&siteId=2
CHIZHOU_VILLAGE = {
    "source": "http://www.anthempetcare.com/upload_cz/download?id=502367&siteId=2",
    "title": "项目支出绩效自评表", "year": "（2022年度）",
    "project": "村级补助及运转经费",
    "dept": "219-池州市贵池区棠溪镇人民政府", "unit": "219001-池州市贵池区棠溪镇人民政府",
    "funds": [
        ("年度资金总额：", 0, 0, 0, 10, 0, 0),
        ("其中：本年财政拨款", 202.64, 132.912, 132.912, None, None, None),
        ("上年结转资金", None, None, None, None, None, None),
        ("其他资金", None, None, None, None, None, None),
    ],
    "goal": ("本项目共申请预算资金2026400元，其中村级组织运转400000元，村民组长，党小组长基本报酬252000元，"
             "村民监督委员会工资28000元，村级事务补助960000元，村级工作目标奖励100000元。",
             "本项目共完成预算资金1329120.67元，其中村级组织运转439120.67元，村民组长，党小组长基本报酬152000元，"
             "村民监督委员会工资28000元，村级事务补助660000元，村级工作目标奖励50000元。"),
    "indicators": [
        ("产出指标(50分)", "数量指标", "补助村(社区)数量", "=8个", 8, 8, 8, None),
        ("产出指标(50分)", "数量指标", "保障村干部人数", "=42个", 42, 8, 8, None),
        ("产出指标(50分)", "质量指标", "补助资格合规性", "合规", "达成预期指标", 8, 8, None),
        ("产出指标(50分)", "质量指标", "经费审批流程规范性", "严格执行相关制度规定", "达成预期指标", 8, 8, None),
        ("产出指标(50分)", "时效指标", "补助经费到位及时性", "及时", "达成预期指标", 8, 8, None),
        ("产出指标(50分)", "成本指标", "项目总成本", "≤202.6万元", 132.9, 10, 10, None),
        ("效益指标(30分)", "经济效益指标", "对保障村(社区)两委机构正常运行的影响程度", "效果明显", "达成预期指标", 10, 10, None),
        ("效益指标(30分)", "社会效益指标", "提高村(社区)干部工作积极性的影响程度", "效果明显", "达成预期指标", 10, 10, None),
        ("效益指标(30分)", "可持续影响指标", "对村级组织长期运转的持续影响", "效果明显", "达成预期指标", 10, 10, None),
        ("满意度指标(10分)", "满意度指标", "村(社区)干部满意度", "≥90%", "95%", 10, 10, None),
    ],
    "total": (100, 90),
    "filled_in": ["可持续影响指标 row (excerpt ends at “可持续影响”)", "满意度 row", "总分 row (Σ of the printed scores)"],
}

_SICHUAN_NOTE = ("1.预算执行率=预算执行数/调整后预算数，预算执行率未达到90%的需说明原因（100字以内）；"
                 "2.年中发生预算调整的（追加或调减），应单独说明理由；3.其他资金包括：社会投入资金、银行贷款.")

# 青神县发展和改革局, 部门预算项目支出绩效自评表（2023年度）, 工资性支出: 完成值 and 得分 left blank,
# 合计 得分 blank.  Published: https://www.scqs.gov.cn/info/13206/211004.htm
QINGSHEN_WAGES = {
    "source": "https://www.scqs.gov.cn/info/13206/211004.htm",
    "title": "部门预算项目支出绩效自评表（2023年度）",
    "project": "51000021R000000019951-工资性支出",
    "dept": "青神县发展和改革局本级", "unit": "青神县发展和改革局",
    "goal": ("严格执行相关政策，保障工资及时、足额发放或社保及时、足额缴纳，预算编制科学合理，减少结余资金。",
             "对照年度目标，说明相关任务目标的完成情况（100字以内）"),
    "funds": [
        ("总额", "238.93", "251.89", "251.89", "100.00%", 10, None, _SICHUAN_NOTE),
        ("其中：财政资金", "238.93", "251.89", "251.89", "100.00%", "/", "/", None),
        ("财政专户管理资金", "0.00", "0.00", "0.00", "0.00%", "/", "/", None),
        ("单位资金", "0.00", "0.00", "0.00", "0.00%", "/", "/", None),
        ("其他资金", None, None, None, None, "/", "/", None),
    ],
    "indicators": [
        ("产出指标", "数量指标", "发放(缴纳)覆盖率", "=", "100", "%", None, 60, None, None),
        ("效益指标", "社会效益指标", "足额保障率(参保率)", "=", "100", "%", None, 30, None, None),
    ],
    "total": (100, None),
    "filled_in": [],
}

# 大英县司法局, 部门预算项目支出绩效自评表（2023年度）, 2023年全县安可替代补助资金项目: 年初预算 0.00,
# 调整后预算数 3.36 (all added during the year; the 原因 cell holds only the form's printed instructions).
# Published: https://dyxrmt.cn/article-157795-21.html
DAYING_ANKE = {
    "source": "https://dyxrmt.cn/article-157795-21.html",
    "title": "部门预算项目支出绩效自评表（2023年度）",
    "project": "51092324T000010263357-2023年全县安可替代补助资金项目",
    "dept": "大英县司法局部门", "unit": "大英县司法局",
    "goal": ("根据要求购买安可设备，并完成项目资金支付。", "完成"),
    "funds": [
        ("总额", "0.00", "3.36", "3.36", "100.00%", 10, 10, _SICHUAN_NOTE),
        ("其中：财政资金", "0.00", "3.36", "3.36", "100.00%", "/", "/", None),
        ("财政专户管理资金", "0.00", "0.00", "0.00", "0.00%", "/", "/", None),
        ("单位资金", "0.00", "0.00", "0.00", "0.00%", "/", "/", None),
        ("其他资金", None, None, None, None, "/", "/", None),
    ],
    "indicators": [
        ("产出指标", "质量指标", "完成安可产品购买并按要求支付资金", "=", "100", "%", "100", 90, 90, None),
    ],
    "total": (100, 100),
    "filled_in": ["the indicator row after 指标值 100 (度量单位, 完成值, 权重, 得分)", "合计 得分"],
}

# The form printed just before it on the same page (its funds block is not in the excerpt): 完成值
# “完成” against 成本控制数 ≤ 30 万元, scored 90 of 90.  Published: https://dyxrmt.cn/article-157795-21.html
DAYING_COST = {
    "source": "https://dyxrmt.cn/article-157795-21.html",
    "title": "部门预算项目支出绩效自评表（2023年度）",
    "project": "大英县司法局项目（成本控制数）",
    "dept": "大英县司法局部门", "unit": "大英县司法局",
    "goal": ("", ""),
    "funds": [
        ("总额", "30.00", "30.00", "30.00", "100.00%", 10, 10, _SICHUAN_NOTE),
        ("其中：财政资金", "30.00", "30.00", "30.00", "100.00%", "/", "/", None),
        ("财政专户管理资金", "0.00", "0.00", "0.00", "0.00%", "/", "/", None),
        ("单位资金", "0.00", "0.00", "0.00", "0.00%", "/", "/", None),
        ("其他资金", None, None, None, None, "/", "/", None),
    ],
    "indicators": [
        ("产出指标", "经济成本指标", "成本控制数", "≤", "30", "万元", "完成", 90, 90, None),
    ],
    "total": (100, None),
    "filled_in": ["project name", "the whole funds block (not in the excerpt)"],
}
