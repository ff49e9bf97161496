"""Lay out self-evaluation forms on openpyxl worksheets the way they circulate: titles merged
across, 项目资金 / 绩效指标 labels merged down, 一级 / 二级指标 merged over their rows."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet


def _put(ws: Worksheet, row: int, col: int, value) -> None:
    if value is not None:
        cell = ws.cell(row=row, column=col, value=value)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # a target typed as text "=8个", not a formula


def _merge(ws: Worksheet, r1: int, c1: int, r2: int, c2: int) -> None:
    if (r1, c1) != (r2, c2):
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def _merge_runs(ws: Worksheet, col: int, first: int, labels: list, keys: list | None = None) -> None:
    """Write a column of labels, merging each run of equal keys down (as forms print 一级指标)."""
    values = keys or labels
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            _put(ws, first + start, col, labels[start])
            _merge(ws, first + start, col, first + i - 1, col)
            start = i


def central_form(ws: Worksheet, top: int, form: dict, *, header_breaks: bool = False) -> int:
    """财预〔2020〕10号 附1, columns A–I, starting at 1-based row ``top``; returns the next free row.
    ``header_breaks`` writes the headers as they often come: line breaks and half-width brackets."""
    r = top
    _put(ws, r, 1, form["title"]); _merge(ws, r, 1, r, 9); r += 1
    _put(ws, r, 1, form["year"]); _merge(ws, r, 1, r, 9); r += 1
    _put(ws, r, 1, "项目名称"); _merge(ws, r, 1, r, 2); _put(ws, r, 3, form["project"]); _merge(ws, r, 3, r, 9); r += 1
    _put(ws, r, 1, "主管部门"); _merge(ws, r, 1, r, 2); _put(ws, r, 3, form["dept"]); _merge(ws, r, 3, r, 5)
    _put(ws, r, 6, "实施单位"); _put(ws, r, 7, form["unit"]); _merge(ws, r, 7, r, 9); r += 1
    funds = form["funds"]
    money = form.get("money") or ("项目资金\n(万元)" if header_breaks else "项目资金（万元）")
    _put(ws, r, 1, money); _merge(ws, r, 1, r + len(funds), 2)
    titles = (["年初预算数", "全年预算数\n（A）", "全年执行数\n（B）", "分 值", "执行率\n（B/A）", "得分"] if header_breaks
              else ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    for i, title in enumerate(titles):
        _put(ws, r, 4 + i, title)
    r += 1
    for label, initial, budget, spent, weight, rate, score in funds:
        _put(ws, r, 3, label)
        for i, value in enumerate((initial, budget, spent, weight, rate, score)):
            _put(ws, r, 4 + i, value)
        r += 1
    expected, actual = form["goal"]
    _put(ws, r, 1, "年度总体目标"); _merge(ws, r, 1, r + 1, 2)
    _put(ws, r, 3, "预期目标"); _merge(ws, r, 3, r, 5); _put(ws, r, 6, "实际完成情况"); _merge(ws, r, 6, r, 9)
    _put(ws, r + 1, 3, expected); _merge(ws, r + 1, 3, r + 1, 5); _put(ws, r + 1, 6, actual); _merge(ws, r + 1, 6, r + 1, 9)
    r += 2
    indicators = form["indicators"]
    _put(ws, r, 1, "绩效指标"); _merge(ws, r, 1, r + len(indicators), 1)
    for i, title in enumerate(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                               "偏差原因分析\n及改进措施" if header_breaks else "偏差原因分析及改进措施"]):
        _put(ws, r, 2 + i, title)
    r += 1
    _merge_runs(ws, 2, r, [i[0] for i in indicators])
    _merge_runs(ws, 3, r, [i[1] for i in indicators], [(i[0], i[1]) for i in indicators])
    for k, (l1, l2, name, target, actual, weight, score, reason) in enumerate(indicators):
        for col, value in ((4, name), (5, target), (6, actual), (7, weight), (8, score), (9, reason)):
            _put(ws, r + k, col, value)
    r += len(indicators)
    weight, score = form["total"]
    _put(ws, r, 1, "总分"); _merge(ws, r, 1, r, 6); _put(ws, r, 7, weight); _put(ws, r, 8, score)
    if form.get("note"):  # 注：… under the form, merged across
        r += 1
        _put(ws, r, 1, form["note"]); _merge(ws, r, 1, r, 9)
    return r + 1


def hubei_form(ws: Worksheet, top: int, form: dict) -> int:
    """湖北 项目支出绩效自评表, columns A–H: 预算执行情况（万元）（20分） with 预算数（A）/ 执行数（B）/
    执行率（B/A）/ 得分（20分*执行率） and no 年初预算数; 年初目标值 / 实际完成值 / 分值 / 得分 below."""
    r = top
    _put(ws, r, 1, form["title"]); _merge(ws, r, 1, r, 8); r += 1
    _put(ws, r, 1, "项目名称"); _merge(ws, r, 1, r, 2); _put(ws, r, 3, form["project"]); _merge(ws, r, 3, r, 8); r += 1
    _put(ws, r, 1, "主管部门"); _merge(ws, r, 1, r, 2); _put(ws, r, 3, form["dept"]); _merge(ws, r, 3, r, 4)
    _put(ws, r, 5, "项目实施单位"); _put(ws, r, 6, form["unit"]); _merge(ws, r, 6, r, 8); r += 1
    funds = form["funds"]
    _put(ws, r, 1, "预算执行情况（万元）（20分）"); _merge(ws, r, 1, r + len(funds), 1)
    for i, title in enumerate(["预算数（A）", "执行数（B）", "执行率（B/A）", "得分（20分*执行率）"]):
        _put(ws, r, 3 + i, title)
    r += 1
    for label, budget, spent, rate, score in funds:
        # the label sits in the merged frame's second column, as the published form prints it
        _put(ws, r, 2, label)
        for i, value in enumerate((budget, spent, rate, score)):
            _put(ws, r, 3 + i, value)
        r += 1
    for i, title in enumerate(["一级指标", "二级指标", "三级指标", "年初目标值（A）", "实际完成值（B）", "分值", "得分",
                               "未完成原因分析"]):
        _put(ws, r, 1 + i, title)
    r += 1
    indicators = form["indicators"]
    _merge_runs(ws, 1, r, [i[0] for i in indicators])
    _merge_runs(ws, 2, r, [i[1] for i in indicators], [(i[0], i[1]) for i in indicators])
    for k, (l1, l2, name, target, actual, weight, score, reason) in enumerate(indicators):
        for col, value in ((3, name), (4, target), (5, actual), (6, weight), (7, score), (8, reason)):
            _put(ws, r + k, col, value)
    r += len(indicators)
    weight, score = form["total"]
    _put(ws, r, 1, "总分"); _merge(ws, r, 1, r, 5); _put(ws, r, 6, weight); _put(ws, r, 7, score)
    return r + 1


def provincial_form(ws: Worksheet, top: int, form: dict) -> int:
    """四川 部门预算项目支出绩效自评表, columns A–K, starting at 1-based row ``top``."""
    r = top
    _put(ws, r, 1, form["title"]); _merge(ws, r, 1, r, 11); r += 1
    _put(ws, r, 1, "项目名称"); _put(ws, r, 2, form["project"]); _merge(ws, r, 2, r, 11); r += 1
    _put(ws, r, 1, "主管部门"); _put(ws, r, 2, form["dept"]); _merge(ws, r, 2, r, 5)
    _put(ws, r, 6, "实施单位（盖章）"); _merge(ws, r, 6, r, 7); _put(ws, r, 8, form["unit"]); _merge(ws, r, 8, r, 11); r += 1
    goal, done = form["goal"]
    _put(ws, r, 1, "项目基本情况"); _merge(ws, r, 1, r + 1, 1)
    _put(ws, r, 2, "1.项目年度目标完成情况"); _put(ws, r, 3, "项目年度目标"); _put(ws, r, 7, "年度目标完成情况"); r += 1
    _put(ws, r, 3, goal or None); _put(ws, r, 7, done or None); r += 1
    funds = form["funds"]
    _put(ws, r, 1, "预算执行情况（10分）"); _merge(ws, r, 1, r + len(funds), 1)
    for i, title in enumerate(["年度预算数（万元）", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分", "原因"]):
        _put(ws, r, 2 + i, title)
    _merge(ws, r, 9, r, 11)
    r += 1
    first = r
    for label, initial, budget, spent, rate, weight, score, reason in funds:
        for col, value in ((2, label), (3, initial), (4, budget), (5, spent), (6, rate), (7, weight), (8, score)):
            _put(ws, r, col, value)
        r += 1
    _put(ws, first, 9, funds[0][7]); _merge(ws, first, 9, r - 1, 11)
    indicators = form["indicators"]
    _put(ws, r, 1, "绩效指标(90分)"); _merge(ws, r, 1, r + len(indicators), 1)
    for i, title in enumerate(["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重",
                               "得分", "未完成原因分析"]):
        _put(ws, r, 2 + i, title)
    r += 1
    _merge_runs(ws, 2, r, [i[0] for i in indicators])
    for k, row in enumerate(indicators):
        for col, value in enumerate(row[1:], start=3):
            _put(ws, r + k, col, value)
    r += len(indicators)
    weight, score = form["total"]
    _put(ws, r, 1, "合计"); _merge(ws, r, 1, r, 8); _put(ws, r, 9, weight); _put(ws, r, 10, score)
    r += 1
    for label in ("评价结论", "存在问题", "改进措施"):
        _put(ws, r, 1, label); r += 1
    return r
