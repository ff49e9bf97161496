"""Lay out 绩效目标申报表 the way each layout of the research notes (target_layouts.md) prints them:
深圳宝安 (§6, A–E, one form per sheet as the budget system exports it), 郑州 附件2-1 (§3, 实施期 and
年度 indicator groups), 河南 豫财效〔2022〕4号 附件1 (§4, 成本 as 一级, 指标值说明) and the 101号-style
indicator table (§2, inferred columns).

Each builder returns a :class:`Grid`: the cells (only the top-left cell of a merge holds a value, as
a file stores it), the merges, and ``where``: the cell of every header field and indicator cell by
name, so tests state the cells they expect findings at.
"""

from __future__ import annotations

import copy

from perfeval_xl.core.findings import cell_name


class Grid:
    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], object] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.where: dict[object, str] = {}

    def put(self, r: int, c: int, value, key=None) -> None:
        """1-based row and column."""
        if value is not None:
            self.cells[(r, c)] = value
        if key is not None:
            self.where[key] = cell_name(r - 1, c - 1)

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))

    def rows(self) -> list[list]:
        height = max(r for r, _ in self.cells)
        width = max(c for _, c in self.cells)
        out = [[None] * width for _ in range(height)]
        for (r, c), value in self.cells.items():
            out[r - 1][c - 1] = value
        return out

    def write(self, ws) -> None:
        for (r, c), value in self.cells.items():
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
        for r1, c1, r2, c2 in self.merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def _runs(g: Grid, col: int, first: int, labels: list) -> None:
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            g.put(first + start, col, labels[start])
            g.merge(first + start, col, first + i - 1, col)
            start = i


# --- a clean project, written for each layout -------------------------------------------------------

#: (一级, 二级, 三级, 指标值, 指标解释): a 500-人次 training project, 50 万元 a year for 3 years
INDICATORS = [
    ("产出指标", "数量指标", "培训人次", "≥500人次", "全年举办培训的人次，按签到表统计，口径为实际参训人次"),
    ("产出指标", "质量指标", "培训合格率", "≥95%", "考核合格人数÷参训人数×100%，按考试成绩台账统计"),
    ("产出指标", "时效指标", "培训完成时间", "2024年12月31日前", "全部培训班结业的日期，按结业通知确定"),
    ("产出指标", "成本指标", "人均培训成本", "≤1000元/人次", "培训总支出÷参训人次，按预算支出标准测算"),
    ("效益指标", "社会效益指标", "带动就业人数", "≥100人", "培训后半年内就业的学员人数，按人社部门登记统计"),
    ("效益指标", "可持续影响指标", "不适用", "不适用", "不适用"),
    ("满意度指标", "服务对象满意度指标", "学员满意度", "≥90%", "问卷调查满意及以上的比例，结业时发放问卷"),
]

PROJECT = {
    "title": "二级项目支出绩效目标申报表",
    "code": "44030624T000000012345",
    "name": "2024年就业技能培训经费",
    "unit": "宝安区某街道办事处",
    "dept": "宝安区人力资源局",
    "years": "3",
    "kind": "15 其他经费",
    "new": "否",
    "method": "项目法",
    "total": 150,
    "amount": 50,
    "policy": "《宝安区就业技能培训补贴办法》",
    "basis": "按每人次1000元标准，培训500人次，共计50万元",
    "goal": "全年举办就业技能培训500人次，培训合格率不低于95%，带动100人就业",
    "long_goal": "三年培训1500人次，提升辖区劳动者就业技能",
    "parts": [("其中：财政拨款", 50), ("其他资金", 0)],
    "term_parts": [("其中：财政拨款", 150), ("其他资金", 0)],
    "indicators": INDICATORS,
}


def project(**changes) -> dict:
    spec = copy.deepcopy(PROJECT)
    spec.update(changes)
    return spec


def with_indicator(spec: dict, which: str, **cells) -> dict:
    """The spec with one indicator's cells replaced (``value=``, ``explanation=``, ``name=``)."""
    spec = copy.deepcopy(spec)
    rows = []
    for l1, l2, n, v, e in spec["indicators"]:
        if n == which:
            n, v, e = cells.get("name", n), cells.get("value", v), cells.get("explanation", e)
        rows.append((l1, l2, n, v, e))
    spec["indicators"] = rows
    return spec


def _indicator_keys(g: Grid, r: int, name: str, cols: tuple[int, int, int | None], period: str = "年度") -> None:
    for part, col in zip(("name", "value", "explanation"), cols):
        if col is not None:
            g.where[(period, name, part)] = cell_name(r - 1, col - 1)


def shenzhen(spec: dict) -> Grid:
    """target_layouts.md §6: 深圳宝安 二级项目支出绩效目标申报表, A–E."""
    g = Grid()
    g.put(1, 1, spec["title"]); g.merge(1, 1, 1, 5)
    pairs = [("项目编码：", "code", "项目名称：", "name"), ("申请单位：", "unit", "一级预算单位：", "dept"),
             ("实施期限：", "years", "项目类型：", "kind"), ("是否新增项目：", "new", "分配方式：", "method"),
             ("项目总金额（中期规划，万元）：", "total", "本年度项目金额（万元）：", "amount")]
    for r, (l1, k1, l2, k2) in enumerate(pairs, start=2):
        g.put(r, 1, l1); g.put(r, 2, spec[k1], k1); g.merge(r, 2, r, 3)
        g.put(r, 4, l2); g.put(r, 5, spec[k2], k2)
    for r, (label, key) in enumerate([("政策依据：", "policy"), ("测算依据：", "basis"), ("年度目标：", "goal"),
                                      ("长期目标（跨度多年的项目需填）：", "long_goal")], start=7):
        g.put(r, 1, label); g.put(r, 2, spec[key], key); g.merge(r, 2, r, 5)
    for c, title in enumerate(["一级指标", "二级指标", "三级指标", "目标值", "指标解释"], start=1):
        g.put(11, c, title, "header" if c == 1 else None)
    rows = spec["indicators"]
    _runs(g, 1, 12, [i[0].replace("指标", "") for i in rows])
    _runs(g, 2, 12, [i[1].replace("指标", "") for i in rows])
    for k, (_, _, name, value, explanation) in enumerate(rows):
        r = 12 + k
        g.put(r, 3, name); g.put(r, 4, value); g.put(r, 5, explanation)
        _indicator_keys(g, r, name, (3, 4, 5))
    last = 12 + len(rows)
    g.put(last, 1, "备注：作为导入模板，置灰信息无需录入，作为导出模板，置灰信息系统自动带出。"); g.merge(last, 1, last, 5)
    return g


def zhengzhou(spec: dict) -> Grid:
    """target_layouts.md §3: 郑州 附件2-1 市级部门预算项目绩效目标申报表, A–H, 实施期 and 年度 groups."""
    g = Grid()
    g.put(1, 1, "市级部门预算项目绩效目标申报表"); g.merge(1, 1, 1, 8)
    g.put(2, 1, "（2024年度）"); g.merge(2, 1, 2, 8)
    g.put(3, 1, "项目名称"); g.put(3, 2, spec["name"], "name"); g.merge(3, 2, 3, 8)
    g.put(4, 1, "主管部门"); g.put(4, 2, spec["dept"], "dept"); g.merge(4, 2, 4, 4)
    g.put(4, 5, "单位名称"); g.put(4, 6, spec["unit"], "unit"); g.merge(4, 6, 4, 8)
    parts = spec["parts"]
    g.put(5, 1, "项目资金（万元）"); g.merge(5, 1, 5 + len(parts), 1)
    g.put(5, 2, "实施期资金总额："); g.put(5, 3, spec["total"], "total"); g.merge(5, 3, 5, 4)
    g.put(5, 5, "年度资金总额："); g.put(5, 6, spec["amount"], "amount"); g.merge(5, 6, 5, 8)
    for k, ((label, value), (_, term)) in enumerate(zip(parts, spec["term_parts"]), start=6):
        g.put(k, 2, label); g.put(k, 3, term); g.merge(k, 3, k, 4)
        g.put(k, 5, label); g.put(k, 6, value, ("part", label)); g.merge(k, 6, k, 8)
    r = 6 + len(parts)
    g.put(r, 1, "绩效目标")
    g.put(r, 2, f"实施期目标：{spec['long_goal']}", "long_goal"); g.merge(r, 2, r, 4)
    g.put(r, 5, f"年度目标：{spec['goal']}" if spec["goal"] else "年度目标：", "goal"); g.merge(r, 5, r, 8)
    r += 1
    rows = spec["indicators"]
    g.put(r, 1, "绩效指标"); g.merge(r, 1, r + 1 + len(rows), 1)
    g.put(r, 3, "实施期指标"); g.merge(r, 3, r, 5); g.put(r, 6, "年度指标"); g.merge(r, 6, r, 8)
    r += 1
    for c, title in enumerate(["一级指标", "二级指标", "三级指标", "指标值", "二级指标", "三级指标", "指标值"], start=2):
        g.put(r, c, title, "header" if c == 2 else None)
    first = r + 1
    _runs(g, 2, first, [i[0] for i in rows])
    _runs(g, 3, first, [i[1] for i in rows])
    _runs(g, 6, first, [i[1] for i in rows])
    # the 实施期 group holds the clean project's indicator of the same 二级 (a slip is put in the 年度 group)
    clean = {(l1, l2): (n, _term_value(v)) for l1, l2, n, v, _ in INDICATORS}
    for k, (l1, l2, name, value, _) in enumerate(rows):
        rr = first + k
        term_name, term_value = clean.get((l1, l2), (name, value))
        g.put(rr, 4, term_name); g.put(rr, 5, term_value); _indicator_keys(g, rr, term_name, (4, 5, None), "实施期")
        g.put(rr, 7, name); g.put(rr, 8, value); _indicator_keys(g, rr, name, (7, 8, None))
    return g


def _term_value(value: str) -> str:
    """The 实施期 value of a yearly count: three times it (≥500人次 → ≥1500人次)."""
    if value.startswith("≥") and value.endswith(("人次", "人")):
        digits = "".join(ch for ch in value if ch.isdigit())
        return value.replace(digits, str(int(digits) * 3))
    return value


def henan(spec: dict) -> Grid:
    """target_layouts.md §4: 河南 省级部门预算项目支出绩效目标表, A–E, 成本 a 一级 with 指标值说明."""
    g = Grid()
    g.put(1, 1, "省级部门预算项目支出绩效目标表"); g.merge(1, 1, 1, 5)
    g.put(2, 1, "（2024年度）"); g.merge(2, 1, 2, 5)
    for r, (label, key) in enumerate([("项目名称", "name"), ("主管部门", "dept"), ("实施单位", "unit")], start=3):
        g.put(r, 1, label); g.put(r, 2, spec[key], key); g.merge(r, 2, r, 5)
    parts = spec.get("hn_parts", [("其中：政府预算资金", spec["amount"]), ("财政专户管理资金", 0), ("单位资金", 0)])
    g.put(6, 1, "项目资金（万元）"); g.merge(6, 1, 6 + len(parts), 1)
    g.put(6, 2, "年度资金总额"); g.put(6, 3, spec["amount"], "amount"); g.merge(6, 3, 6, 5)
    for k, (label, value) in enumerate(parts, start=7):
        g.put(k, 2, label); g.put(k, 3, value, ("part", label)); g.merge(k, 3, k, 5)
    r = 7 + len(parts)
    g.put(r, 1, "年度目标"); g.put(r, 2, spec["goal"], "goal"); g.merge(r, 2, r, 5)
    g.put(r + 1, 1, "分解目标"); g.merge(r + 1, 1, r + 1, 5)
    r += 2
    for c, title in enumerate(["一级指标", "二级指标", "三级指标", "指标值", "指标值说明"], start=1):
        g.put(r, c, title, "header" if c == 1 else None)
    rows = _as_101(spec["indicators"])
    _runs(g, 1, r + 1, [i[0] for i in rows])
    _runs(g, 2, r + 1, [(i[0], i[1]) for i in rows])
    for k, (l1, l2, name, value, explanation) in enumerate(rows):
        rr = r + 1 + k
        if k == 0 or (rows[k - 1][0], rows[k - 1][1]) != (l1, l2):
            g.cells[(rr, 2)] = l2
        g.put(rr, 3, name); g.put(rr, 4, value); g.put(rr, 5, explanation)
        _indicator_keys(g, rr, name, (3, 4, 5))
    return g


def _as_101(rows):
    """The indicators in 101号's framework: 成本 a 一级 (经济成本指标) first, no 可持续影响."""
    cost = [("成本指标", "经济成本指标", n, v, e) for l1, l2, n, v, e in rows if "成本" in l2]
    rest = [r for r in rows if "成本" not in r[1] and "可持续" not in r[1]]
    return cost + rest


def central101(spec: dict) -> Grid:
    """target_layouts.md §2 [INFERRED]: a 101号-style table, 一级 … 指标解释 | 指标来源 | 设定依据 | 取值方式 |
    数据来源 | 权重 | 赋分规则 | 佐证资料, A–L."""
    g = Grid()
    g.put(1, 1, "项目支出绩效目标表"); g.merge(1, 1, 1, 12)
    g.put(2, 1, "项目名称"); g.put(2, 2, spec["name"], "name"); g.merge(2, 2, 2, 6)
    g.put(2, 7, "实施单位"); g.put(2, 8, spec["unit"], "unit"); g.merge(2, 8, 2, 12)
    g.put(3, 1, "年度资金总额（万元）"); g.put(3, 2, spec["amount"], "amount"); g.merge(3, 2, 3, 6)
    g.put(3, 7, "项目期"); g.put(3, 8, spec["years"], "years"); g.merge(3, 8, 3, 12)
    g.put(4, 1, "年度目标"); g.put(4, 2, spec["goal"], "goal"); g.merge(4, 2, 4, 12)
    titles = ["一级指标", "二级指标", "三级指标", "指标值", "指标解释", "指标来源", "设定依据", "取值方式", "数据来源",
              "权重", "赋分规则", "佐证资料"]
    for c, title in enumerate(titles, start=1):
        g.put(5, c, title, "header" if c == 1 else None)
    rows = _as_101(spec["indicators"])
    _runs(g, 1, 6, [i[0] for i in rows])
    _runs(g, 2, 6, [(i[0], i[1]) for i in rows])
    for k, (l1, l2, name, value, explanation) in enumerate(rows):
        rr = 6 + k
        if k == 0 or (rows[k - 1][0], rows[k - 1][1]) != (l1, l2):
            g.cells[(rr, 2)] = l2
        for c, v in enumerate([name, value, explanation, "部门日常工作", "计划标准", "情况统计法", "部门业务统计", None,
                               None, "业务台账"], start=3):
            g.put(rr, c, v)
        _indicator_keys(g, rr, name, (3, 4, 5))
    return g


BUILDERS = {"宝安": shenzhen, "郑州": zhengzhou, "河南": henan, "101": central101}
