"""Questionnaire sheets in the workbook, end to end through perfeval_xl.pipeline.score_snapshot (issue 4 §6):
seed 000's tally scoring 6.30 of 7, seed 004's per-unit composites recomputed from the annex 5-1…5-3
counts, the annex tables, the checks, the value sources and the two methods."""

from __future__ import annotations

import importlib.util
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from perfeval_xl.core import schema
from perfeval_xl.core.sources import Scope, SourceError
from perfeval_xl.pipeline import score_snapshot
from perfeval_xl.survey import Option, Question, SurveyClass, class_rate, composite_rate, tally_from_table
from perfeval_xl.survey.annex import shares
from perfeval_xl.extensions import SOURCES
from perfeval_xl.pipeline import run, stages_until
from perfeval_xl.survey.workbook import count_rows, snapshot_rows

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent / "data"))
import seed004_survey as seed  # noqa: E402


def load_source(name: str):
    path = ROOT / "sample_workbooks" / "source" / f"{name}.py"
    if str(path.parent) not in sys.path:  # the data modules import their siblings (…_printed, …_survey)
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(f"sample_{name}_survey_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_snapshot(info: dict, tables: dict) -> dict:
    """A snapshot as the file adapter would hand it (项目信息 label/value rows; tables by the schema)."""
    snap = {"项目信息": [["项目", "内容", "说明"]] + [[k, v] for k, v in info.items()]}
    for sheet in schema.TABLE_SHEETS:
        snap[sheet.name] = snapshot_rows(sheet, tables.get(sheet.name, []))
    return snap


def attached(snapshot):
    """The stages up to attaching the questionnaires: the book with its survey data, and the findings."""
    return run(snapshot, stages_until("attach questionnaires"))


def findings_of(scored_or_run):
    """The findings of a score (or of a run of some stages), as tuples."""
    return [(f.severity, f.sheet, f.cell, f.message) for f in scored_or_run.findings]


def grid(plan, name):
    return plan.sheet(name).grid()


# ---------------------------------------------------------------------------
# seed 000: 12 / 22 / 6 at 100 / 80 / 60 % over 40 → 83.00 % → 6.30 of 7

#: the rows proposed for sample_workbooks/source/xishan_2024.py (option texts are the sample's own;
#: the report gives only the counts and the rates)
XISHAN_SURVEY = {
    "问卷题目": [{"类别代码": "群众", "题号": 1, "题目": "您对社区党组织服务群众工作的满意程度如何？", "计入满意度": "是"}],
    "问卷选项": [
        {"类别代码": "群众", "选项": "A", "选项内容": "满意", "得分率": "100%"},
        {"类别代码": "群众", "选项": "B", "选项内容": "比较满意", "得分率": "80%"},
        {"类别代码": "群众", "选项": "C", "选项内容": "基本满意", "得分率": "60%"},
    ],
    "问卷计数": [
        {"类别代码": "群众", "选项": "有效问卷数", "合计": 40},
        {"类别代码": "群众", "题号": 1, "题目": "您对社区党组织服务群众工作的满意程度如何？", "选项": "A",
         "选项内容": "满意", "合计": 12},
        {"类别代码": "群众", "题号": 1, "选项": "B", "选项内容": "比较满意", "合计": 22},
        {"类别代码": "群众", "题号": 1, "选项": "C", "选项内容": "基本满意", "合计": 6},
    ],
}


#: the rate the report prints, typed into the 满意度 sheet (the sample itself carries only the counts)
TYPED_83 = [{"类别代码": "群众", "有效问卷数": 40, "满意度": "83%"}]


def xishan_tables(keep_typed: bool = True, **changes):
    xishan = load_source("xishan_2024")
    tables = dict(xishan.TABLES)
    tables.update(XISHAN_SURVEY)
    tables["满意度"] = TYPED_83 if keep_typed else []
    tables.update(changes)
    return xishan.INFO, tables


@pytest.mark.parametrize("keep_typed", [True, False])
def test_seed000_tally_scores_630_of_7(keep_typed):
    info, tables = xishan_tables(keep_typed)
    scored = score_snapshot(make_snapshot(info, tables))
    ev = scored.evaluation
    assert findings_of(scored) == []
    (unit,) = ev.units
    d3 = next(s for s in unit.indicators if s.code == "D3")
    assert d3.value.amount == D("0.8300")
    assert d3.score == D("6.30")
    assert d3.process.startswith("服务对象满意度（按答案）=(12×100%+22×80%+6×60%)/40×100%=83.00%；")
    assert ev.total == D("88.51") and ev.grade == "良"
    assert {"调查问卷结果汇总表", "问卷明细-群众", "满意度情况表"} <= set(scored.plan.names)
    rows = grid(scored.plan, "满意度情况表")
    assert rows[3][:4] == [1, "2024年社区党组织服务群众专项经费", D("0.8300"), D("0.8300")]


def test_seed000_typed_rate_that_differs_is_reported_with_its_cell():
    typed = [dict(TYPED_83[0], 满意度="85%")]
    info, tables = xishan_tables(满意度=typed)
    scored = score_snapshot(make_snapshot(info, tables))
    assert findings_of(scored) == [(
        "warning", "满意度", "D3",
        "全部单位群众类（服务对象）满意度：按问卷计数计算为 83.00%（按答案），“满意度”表填写为 85.00%，"
        "相差 2.00%；评分采用按问卷计数计算的结果")]
    d3 = next(s for s in scored.evaluation.units[0].indicators if s.code == "D3")
    assert d3.score == D("6.30")


def test_seed000_without_counts_uses_the_typed_rate():
    info, tables = xishan_tables(问卷计数=[])
    scored = score_snapshot(make_snapshot(info, tables))
    d3 = next(s for s in scored.evaluation.units[0].indicators if s.code == "D3")
    assert d3.process.startswith("服务对象满意度=83.00%；") and d3.score == D("6.30")
    assert "调查问卷结果汇总表" not in scored.plan.names and "满意度情况表" in scored.plan.names


# ---------------------------------------------------------------------------
# seed 004: three classes × ten units from the sample's survey data


SHORT = seed.UNITS


def wuhua_survey_book(unanswered: str = "不计入", **changes) -> tuple[dict, dict]:
    survey = load_source("wuhua_2023_survey")
    info = {"项目名称": "“五个先锋”奖励经费项目", "评价形态": "分单位评价", "金额单位": "万元", "未作答题目": unanswered}
    tables = {
        "单位名单": [{"序号": n, "单位全称": seed.FULL_NAMES[s], "单位简称": s} for n, s in enumerate(SHORT, 1)],
        "问卷类别": [{"类别代码": c, "类别名称": name, "权重": w} for c, (name, w) in seed.CLASSES.items()],
        "指标体系": [
            {"编码": "A1", "一级指标": "决策", "二级指标": "立项", "三级指标": "其他", "分值": 90, "评分方法": "人工"},
            {"编码": "D5", "一级指标": "效益", "二级指标": "满意度", "三级指标": "综合满意度", "分值": 10,
             "评分方法": "区间", "规则参数": "≥90%:10；≥85%:8；≥80%:6；≥75%:4；≥70%:2；其他:0", "取值来源": "综合满意度"},
        ],
        "评分录入": [{"指标编码": "A1", "得分": 90}],
        **survey.TABLES,
    }
    tables.update(changes)
    return info, tables


def seed_classes():
    return {code: SurveyClass(code, name, weight, [
        Question(n, text, [Option(label, otext, seed.OPTION_RATES[label]) for label, otext, _, _ in opts])
        for n, text, opts in seed.TALLIES[code]]) for code, (name, weight) in seed.CLASSES.items()}


def seed_tallies(classes):
    return {code: tally_from_table(cls, SHORT, [(n, label, counts) for n, _, opts in seed.TALLIES[code]
                                               for label, _, _, counts in opts], seed.VALID[code])
            for code, cls in classes.items()}


#: per-unit composites from the annex 5-1…5-3 counts (per answer, blank answers not counted)
COMPOSITES = {"护国": "0.9993", "华山": "0.9935", "龙翔": "0.9997", "西翥": "0.9916", "莲华": "0.9993",
              "黑林铺": "0.9950", "红云": "0.9988", "普吉": "0.9763", "大观": "0.9864", "丰宁": "0.9595"}


def test_sample_survey_data_is_the_transcription():
    survey = load_source("wuhua_2023_survey")
    assert survey.UNITS == seed.UNITS
    assert {c: tuple(v) for c, v in survey.VALID.items()} == seed.VALID
    counts = [r for r in survey.TABLES["问卷计数"] if r["选项"] != "有效问卷数"]
    assert len(counts) == 90
    for row in counts:
        _, _, opts = seed.TALLIES[row["类别代码"]][row["题号"] - 1]
        label, text, total, per_unit = next(o for o in opts if o[0] == row["选项"])
        assert (row["选项内容"], row["合计"], tuple(row[u] for u in SHORT)) == (text, total, per_unit)


def test_seed004_unit_composites_recomputed_from_counts():
    info, tables = wuhua_survey_book()
    scored = score_snapshot(make_snapshot(info, tables))
    ev = scored.evaluation
    got = {}
    for unit in ev.units:
        d5 = next(s for s in unit.indicators if s.code == "D5")
        got[unit.name] = d5.value.amount
        assert d5.score == D("10.00")
    assert got == {u: D(v) for u, v in COMPOSITES.items()}
    # the same figures from the pure survey layer
    classes = seed_classes()
    tallies = seed_tallies(classes)
    for unit in SHORT:
        parts = [(classes[c], class_rate(classes[c], tallies[c], unit)) for c in "ABC"]
        assert composite_rate(parts).value == got[unit]
    # where every class rate of 附件5-4 reproduces, so does its composite
    for unit in ("龙翔", "红云"):
        assert got[unit] == D(seed.ANNEX5_4[unit][3].rstrip("%")) / 100
    # the one slip kept as printed: 丰宁 answered Q9 of class B 20 times for 30 questionnaires
    assert [f[3] for f in findings_of(scored)] == [
        "B类（街道办事处职员）第9题 丰宁：各选项人数合计 17+3+0=20，与有效问卷数 30 不一致（少 10，可能有 10 份答卷未作答此题）"]
    assert findings_of(scored)[0][1:3] == ("问卷计数", "P59")


def test_seed004_class_process_text_names_the_method():
    info, tables = wuhua_survey_book("按0分计入")
    scored = score_snapshot(make_snapshot(info, tables))
    unit = next(u for u in scored.evaluation.units if u.name == "丰宁")
    d5 = next(s for s in unit.indicators if s.code == "D5")
    assert ("；街道办事处职员满意度（按答案，未作答按0分计入）=(195×100%+93×70%+2×0%)/(30×10)×100%=86.70%；"
            in d5.process)
    assert "综合满意度=98.21%×40%+86.70%×30%+99.18%×30%=95.05%；" in d5.process
    assert d5.value.amount == D("0.9505")


def test_annex5_summary_totals_and_residue():
    info, tables = wuhua_survey_book("按0分计入")
    scored = score_snapshot(make_snapshot(info, tables))
    rows = grid(scored.plan, "调查问卷结果汇总表")
    body = {r[0]: r for r in rows if r and isinstance(r[0], str)}
    a, b, c = body["奖励对象（A类）"], body["街道办事处职员（B类）"], body["社区职员（C类）"]
    assert [a[1], b[1], c[1]] == [D("0.9914"), D("0.9864"), D("0.9916")]   # 附件5 prints A as 99.15 % (double rounding)
    assert [a[2], b[2], c[2]] == [794, 452, 916]
    # shares 36.73 + 20.91 + 42.37 = 100.01 %: the −0.01 % residue goes into the largest row (C)
    assert [a[3], b[3], c[3]] == [D("0.3673"), D("0.2091"), D("0.4236")]
    # 97.53 + 2.30 + 0.16 = 99.99 %: the +0.01 % residue goes into option A (附件5 prints 97.53 %)
    assert a[4:10] == [7744, D("0.9754"), 183, D("0.0230"), 13, D("0.0016")]
    total = body["合计"]
    assert total[2] == 2162 == a[2] + b[2] + c[2]
    assert total[3] == a[3] + b[3] + c[3] == 1
    assert total[4] == 7744 + 4346 + 8926 and total[6] == 183 + 161 + 224 and total[8] == 13 + 3 + 10
    assert body["综合满意度"][1] == D("0.9900")
    notes = [r[0] for r in rows if r and isinstance(r[0], str) and r[0].startswith(("问卷数占比", "A类", "B类"))]
    assert any("尾差 -0.01% 已调入问卷数最多的“社区职员”行" in n for n in notes)
    # class B: 10 blank answers counted as 0 % — its shares are over 452 × 10 and are not forced to 100 %
    assert b[4:10] == [4346, D("0.9615"), 161, D("0.0356"), 3, D("0.0007")]


def test_shares_policy():
    assert shares([794, 452, 916], 2162) == ([D("0.3673"), D("0.2091"), D("0.4236")], 2, D("-0.0001"))
    assert shares([1, 1, 1], 3) == ([D("0.3334"), D("0.3333"), D("0.3333")], 0, D("0.0001"))
    assert shares([4346, 161, 3], 4520) == ([D("0.9615"), D("0.0356"), D("0.0007")], None, D(0))
    assert shares([1, 2], 0) == ([None, None], None, D(0))


def test_annex5_detail_tables():
    info, tables = wuhua_survey_book()
    scored = score_snapshot(make_snapshot(info, tables))
    rows = grid(scored.plan, "问卷明细-A")
    assert rows[0][0] == "调查问卷结果汇总表（A类-奖励对象）"
    header = rows[2]
    # the count in brackets on a line of its own: the column is too narrow for "总计（794份）" on one line
    assert header[:6] == ["序号", "问题", "选项", "选项内容", "总计\n（794份）", "占比"]
    assert header[6:] == list(SHORT)
    data = rows[3:33]
    assert data[0][:6] == [1, "您如何评价自己的工作态度？", "A", "非常积极", 744, D("0.9370")]
    for r in data:
        assert r[4] == sum(r[6:])
    valid_row = rows[33]
    assert valid_row[0] == "有效问卷数" and valid_row[4] == 794 and valid_row[6:] == list(seed.VALID["A"])
    rate_row = rows[34]
    assert rate_row[4] == D("0.9914") and rate_row[6] == D("0.9990")   # 护国
    # B类 Q9: 442 answers of 452 questionnaires, shares over 452 as printed (7/452 = 1.55 %), no residue forced
    b = grid(scored.plan, "问卷明细-B")
    q9_b = next(r for r in b[3:33] if r[3] == "有时会有问题")
    assert q9_b[4:6] == [7, D("0.0155")]


def test_annex5_4_uses_the_same_sources():
    info, tables = wuhua_survey_book()
    scored = score_snapshot(make_snapshot(info, tables))
    rows = grid(scored.plan, "满意度情况表")
    assert rows[2][:2] == ["序号", "单位名称"]
    body = [r for r in rows if isinstance(r[0], int)]
    assert [r[1] for r in body] == [seed.FULL_NAMES[u] for u in SHORT]
    assert {SHORT[i]: r[5] for i, r in enumerate(body)} == {u: D(v) for u, v in COMPOSITES.items()}
    assert scored.plan.names.count("满意度情况表") == 1


# ---------------------------------------------------------------------------
# value sources


def test_question_and_valid_sources():
    info, tables = wuhua_survey_book()
    book = attached(make_snapshot(info, tables)).last
    scope = Scope(book, "护国", SOURCES)
    q = scope.resolve("题目得分率(A/8)")
    assert q.amount == D("0.9948")
    assert q.text == "A类第8题得分率（您认为该奖励在评选奖励对象时方法是否满意）=(57×100%+1×70%+0×0%)/58×100%=99.48%"
    assert scope.resolve("有效问卷数(B)").amount == 18
    assert scope.resolve("有效问卷数").amount == 58 + 18 + 59
    whole = Scope(book, None, SOURCES)
    assert whole.resolve("题目得分率（A/第3题）").amount == D("0.9904")
    assert whole.resolve("满意度(C)").amount == D("0.9916")
    with pytest.raises(SourceError, match="类别代码/题号"):
        scope.resolve("题目得分率(A)")
    with pytest.raises(SourceError, match="没有第11题"):
        scope.resolve("题目得分率(A/11)")


# ---------------------------------------------------------------------------
# checks (with sheet and cell)


def small_book(counts, options=None, classes=None, **info_changes):
    info = {"项目名称": "测试", "评价形态": "分单位评价", "金额单位": "元", **info_changes}
    tables = {
        "单位名单": [{"单位全称": "甲社区", "单位简称": "甲"}, {"单位全称": "乙社区", "单位简称": "乙"}],
        "问卷类别": classes or [{"类别代码": "A", "类别名称": "群众", "权重": "100%"}],
        "问卷题目": [{"类别代码": "A", "题号": 1, "题目": "您是否了解？", "计入满意度": "否"},
                   {"类别代码": "A", "题号": 2, "题目": "您满意吗？"}],
        "问卷选项": options or [{"类别代码": "A", "选项": "A", "选项内容": "满意", "得分率": "100%"},
                              {"类别代码": "A", "选项": "B", "选项内容": "一般", "得分率": "60%"}],
        "问卷计数": counts,
        "指标体系": [{"编码": "A1", "一级指标": "效果", "二级指标": "满意度", "三级指标": "满意度", "分值": 100,
                  "评分方法": "比率", "取值来源": "满意度(A)", "目标值": "100%"}],
    }
    done = attached(make_snapshot(info, tables))
    return done.last, done.last.survey, done


def test_checks_counts_against_valid_questionnaires():
    counts = [
        {"类别代码": "A", "选项": "有效问卷数", "甲": 10, "乙": 5},
        {"类别代码": "A", "题号": 1, "选项": "A", "甲": 4, "乙": 5},
        {"类别代码": "A", "选项": "B", "甲": 6, "乙": 0},            # 题号 fills down
        {"类别代码": "A", "题号": 2, "选项": "A", "甲": 9, "乙": 3, "合计": 13},
        {"选项": "B", "甲": 3, "乙": 1},                              # 类别代码 fills down
    ]
    book, data, done = small_book(counts)
    tally = data.tallies["A"]
    assert tally.units == ["甲", "乙"] and tally.valid == {"甲": 10, "乙": 5}
    assert tally.count(1, "B", "甲") == 6 and tally.count(2, "B") == 4
    assert findings_of(done) == [
        ("error", "问卷计数", "F6", "“合计”13 与各单位人数之和 9+3=12 不一致"),
        ("error", "问卷计数", "G6", "A类（群众）第2题 甲：各选项人数合计 9+3=12，与有效问卷数 10 不一致（多 2）"),
        ("warning", "问卷计数", "H6",
         "A类（群众）第2题 乙：各选项人数合计 3+1=4，与有效问卷数 5 不一致（少 1，可能有 1 份答卷未作答此题）"),
    ]
    # the knowledge question (计入满意度=否) stays out of the rate: 甲 (9×100%+3×60%)/12
    assert data.rate("A", "甲").text == "(9×100%+3×60%)/12×100%=90.00%"


def test_checks_weights_rates_empty_questions_and_unknown_columns():
    counts = [
        {"类别代码": "A", "题号": 1, "选项": "A", "甲": 4, "丙": 7},
        {"类别代码": "A", "题号": 1, "选项": "B", "甲": 1},
        {"类别代码": "A", "题号": 2, "选项": "A", "甲": 0},
        {"类别代码": "A", "题号": 2, "选项": "B", "甲": 0},
    ]
    options = [{"类别代码": "A", "选项": "A", "得分率": "120%"}, {"类别代码": "A", "选项": "B", "得分率": "60%"}]
    classes = [{"类别代码": "A", "类别名称": "群众", "权重": "90%"}]
    book, data, done = small_book(counts, options, classes)
    got = findings_of(done)
    assert ("warning", "问卷计数", "H2", "列“丙”不是“单位名单”中的单位简称或全称，该列人数未计入") in got
    assert ("error", "问卷类别", "C3", "问卷类别权重合计为 90%=90%，应为 100%") in got
    assert ("error", "问卷选项", "E3", "A类（群众）第1题选项A（）的得分率 120% 超出 0%–100%") in got
    assert ("warning", "问卷题目", "B4", "A类（群众）第2题没有任何作答") in got
    assert any(f[0] == "warning" and "未填写有效问卷数" in f[3] and "甲 5" in f[3] for f in got)


def test_a_unit_given_two_count_columns_is_counted_from_the_first():
    # 甲 by its short name (column G) and again by its full name 甲社区 (column H): the second column is an
    # error at its header naming the first, and only G is counted (甲 answered 4×A and 1×B on question 2)
    counts = [
        {"类别代码": "A", "题号": 2, "选项": "A", "甲": 4, "甲社区": 9, "乙": 2},
        {"类别代码": "A", "题号": 2, "选项": "B", "甲": 1, "甲社区": 7, "乙": 2},
    ]
    book, data, done = small_book(counts)
    assert ("error", "问卷计数", "H2", "单位“甲”有两列人数（另一列在 G2），只计第一列") in findings_of(done)
    tally = data.tallies["A"]
    assert tally.units == ["甲", "乙"]
    assert (tally.count(2, "A", "甲"), tally.count(2, "B", "甲"), tally.count(2, "A")) == (4, 1, 6)


def test_option_without_rate_breaks_the_class_not_the_run():
    counts = [{"类别代码": "A", "题号": 2, "选项": "A", "合计": 3}, {"类别代码": "A", "题号": 2, "选项": "C", "合计": 1}]
    options = [{"类别代码": "A", "选项": "A", "得分率": "100%"}, {"类别代码": "A", "题号": 2, "选项": "C", "选项内容": "差"}]
    book, data, done = small_book(counts, options, 评价形态="整体评价")
    got = findings_of(done)
    assert ("error", "问卷选项", "C4", "A类第2题选项“C”没有得分率：请在“问卷选项”填写（题号留空的行适用于该类全部题目）") in got
    scope = Scope(book, None, SOURCES)
    with pytest.raises(SourceError, match="缺少得分率"):
        scope.resolve("满意度(A)")


def test_question_without_options_takes_them_from_the_counts():
    # 问卷选项 lists options for question 1 only (no 题号-blank row for the whole class): question 2's options
    # are the count rows' (A at D3, B at D4), which carry no 得分率, so each is an error at its 选项 cell
    # and the class cannot be rated
    counts = [{"类别代码": "A", "题号": 2, "选项": "A", "合计": 3}, {"类别代码": "A", "题号": 2, "选项": "B", "合计": 1}]
    options = [{"类别代码": "A", "题号": 1, "选项": "A", "得分率": "100%"}]
    book, data, done = small_book(counts, options, 评价形态="整体评价")
    got = findings_of(done)
    for cell, label in (("D3", "A"), ("D4", "B")):
        assert ("error", "问卷计数", cell,
                f"A类第2题选项“{label}”没有得分率：请在“问卷选项”填写（题号留空的行适用于该类全部题目）") in got
    assert [o.label for o in data.classes["A"].question(2).options] == []
    with pytest.raises(SourceError, match="缺少得分率"):
        Scope(book, None, SOURCES).resolve("满意度(A)")


def test_whole_counts_in_the_total_column_and_unknown_class():
    counts = [{"类别代码": "A", "选项": "有效问卷数", "合计": 4},
              {"类别代码": "A", "题号": 2, "选项": "A", "合计": 3}, {"类别代码": "A", "题号": 2, "选项": "B", "合计": 1},
              {"类别代码": "Z", "题号": 1, "选项": "A", "合计": 1}]
    book, data, done = small_book(counts, 评价形态="整体评价")
    assert data.rate("A").text == "(3×100%+1×60%)/4×100%=90.00%"
    assert ("error", "问卷计数", "A6", "“问卷计数”中的类别代码“Z”不在“问卷类别”中；请先在“问卷类别”填写该类别") in findings_of(done)
    assert Scope(book, None, SOURCES).resolve("满意度(A)").amount == D("0.9")


# ---------------------------------------------------------------------------
# per respondent (按答卷) from 问卷答卷


ANSWERS = [
    {"类别代码": "A", "单位简称": "甲", "答卷编号": 1, "第1题": "A", "第2题": "A"},
    {"类别代码": "A", "单位简称": "甲", "答卷编号": 2, "第1题": "B", "第2题": "一般"},
    {"类别代码": "A", "单位简称": "甲", "答卷编号": 3, "第1题": "A"},              # Q2 left blank
    {"类别代码": "A", "单位简称": "乙", "答卷编号": 4, "第1题": "A", "第2题": "B"},
]


def test_per_respondent_from_the_answers_sheet():
    info = {"项目名称": "测试", "评价形态": "分单位评价", "金额单位": "元", "满意度计算方法": "按答卷"}
    book, data, done = small_book([], 满意度计算方法="按答卷")
    assert not data.tallies
    snap = make_snapshot(info, {
        "单位名单": [{"单位全称": "甲社区", "单位简称": "甲"}, {"单位全称": "乙社区", "单位简称": "乙"}],
        "问卷类别": [{"类别代码": "A", "类别名称": "群众", "权重": "100%"}],
        "问卷题目": [{"类别代码": "A", "题号": 1, "题目": "您是否了解？", "计入满意度": "否"},
                   {"类别代码": "A", "题号": 2, "题目": "您满意吗？"}],
        "问卷选项": [{"类别代码": "A", "选项": "A", "选项内容": "满意", "得分率": "100%"},
                   {"类别代码": "A", "选项": "B", "选项内容": "一般", "得分率": "60%"}],
        "问卷答卷": ANSWERS,
        "指标体系": [{"编码": "A1", "一级指标": "效果", "二级指标": "满意度", "三级指标": "满意度", "分值": 100,
                  "评分方法": "比率", "取值来源": "满意度(A)", "目标值": "100%"}],
    })
    scored = score_snapshot(snap)
    # respondent 3 left question 2 blank: 甲 has 2 answers to it for 3 questionnaires
    assert findings_of(scored) == [("warning", "问卷答卷", "", "A类（群众）第2题 甲：各选项人数合计 1+1=2，与有效问卷数 3 不一致"
                                                             "（少 1，可能有 1 份答卷未作答此题）")]
    data = scored.evaluation.book.survey
    assert data.tallies["A"].valid == {"甲": 3, "乙": 1}
    assert data.rate("A", "甲").text == "Σ各份答卷得分/答卷数=1.6/2×100%=80.00%"
    unit = scored.evaluation.units[0]
    assert unit.indicators[0].process.startswith("群众满意度（按答卷）=Σ各份答卷得分/答卷数=1.6/2×100%=80.00%")
    assert "问卷明细-A" in scored.plan.names


def test_per_respondent_without_answers_is_an_error():
    counts = [{"类别代码": "A", "题号": 2, "选项": "A", "合计": 3}, {"类别代码": "A", "题号": 2, "选项": "B", "合计": 1}]
    book, data, done = small_book(counts, 评价形态="整体评价", 满意度计算方法="按答卷")
    assert any(f[0] == "error" and "没有逐份答卷" in f[3] for f in findings_of(done))
    with pytest.raises(SourceError, match="没有逐份答卷数据"):
        Scope(book, None, SOURCES).resolve("满意度(A)")


def test_counts_and_answers_must_agree():
    counts = [{"类别代码": "A", "题号": 2, "选项": "A", "甲": 1, "乙": 0}, {"类别代码": "A", "题号": 2, "选项": "B", "甲": 1, "乙": 1}]
    info = {"项目名称": "测试", "评价形态": "分单位评价", "金额单位": "元"}
    book, _, done = small_book(counts)
    snap = make_snapshot(info, {
        "单位名单": [{"单位全称": "甲社区", "单位简称": "甲"}, {"单位全称": "乙社区", "单位简称": "乙"}],
        "问卷类别": [{"类别代码": "A", "类别名称": "群众", "权重": "100%"}],
        "问卷题目": [{"类别代码": "A", "题号": 1, "题目": "您是否了解？"}, {"类别代码": "A", "题号": 2, "题目": "您满意吗？"}],
        "问卷选项": [{"类别代码": "A", "选项": "A", "得分率": "100%"}, {"类别代码": "A", "选项": "B", "得分率": "60%"}],
        "问卷计数": counts + [{"类别代码": "A", "题号": 1, "选项": "A", "甲": 2, "乙": 0},
                           {"类别代码": "A", "题号": 1, "选项": "B", "甲": 0, "乙": 1}],
        "问卷答卷": ANSWERS,
        "指标体系": [{"编码": "A1", "一级指标": "效果", "二级指标": "满意度", "三级指标": "满意度", "分值": 100,
                  "评分方法": "比率", "取值来源": "满意度(A)", "目标值": "100%"}],
    })
    got = findings_of(attached(snap))
    assert ("error", "问卷计数", "H5", "A类（群众）第1题选项A 乙：“问卷计数”为 0，“问卷答卷”统计为 1，两者应一致") in got
    assert ("error", "问卷答卷", "E4", "A类（群众）第2题的答案“一般”与任何选项都不匹配（选项：A、B），未计入") in got


def test_count_rows_round_trip():
    classes = seed_classes()
    tallies = seed_tallies(classes)
    rows = count_rows(classes["A"], tallies["A"])
    assert rows[0] == {"类别代码": "A", "选项": "有效问卷数", "合计": 794, **dict(zip(SHORT, seed.VALID["A"], strict=True))}
    assert len(rows) == 31


def test_unit_without_a_count_column_and_no_typed_rate():
    counts = [{"类别代码": "A", "题号": 2, "选项": "A", "甲": 3}, {"类别代码": "A", "题号": 2, "选项": "B", "甲": 1}]
    book, data, done = small_book(counts)
    assert Scope(book, "甲", SOURCES).resolve("满意度(A)").amount == D("0.9")
    with pytest.raises(SourceError, match="“问卷计数”中A类没有乙的人数"):
        Scope(book, "乙", SOURCES).resolve("满意度(A)")


# ---------------------------------------------------------------------------
# issue 10 item 8: 综合满意度 only when used


def _all_text(plan, name):
    return "\n".join(str(c) for row in grid(plan, name) for c in row if c is not None)


def test_no_composite_without_class_weights_when_no_indicator_uses_it():
    info, tables = xishan_tables(False, 问卷类别=[{"类别代码": "群众", "类别名称": "服务对象"}])
    scored = score_snapshot(make_snapshot(info, tables))
    assert not [f for f in findings_of(scored) if "权重" in f[3]]
    for name in ("调查问卷结果汇总表", "满意度情况表"):
        text = _all_text(scored.plan, name)
        assert "综合满意度" not in text and "×?" not in text and "未填写权重" not in text, name
    rows = grid(scored.plan, "满意度情况表")
    assert next(r for r in rows if r[0] == "序号") == ["序号", "单位名称", "服务对象满意度"]
    assert [r[2] for r in rows if isinstance(r[0], int)] == [D("0.83")]
    assert scored.evaluation.total == D("88.51")  # D3 scored from 满意度(群众) as before


def test_composite_used_without_weights_is_one_clean_error_at_the_weight_cell():
    xishan = load_source("xishan_2024")
    indicators = [dict(r) for r in xishan.TABLES["指标体系"]]
    d3 = next(r for r in indicators if r["编码"] == "D3")
    d3["取值来源"] = "综合满意度"
    info, tables = xishan_tables(False, 问卷类别=[{"类别代码": "群众", "类别名称": "服务对象"}], 指标体系=indicators)
    scored = score_snapshot(make_snapshot(info, tables))
    weight_errors = [f for f in findings_of(scored) if "权重" in f[3]]
    assert len(weight_errors) == 1
    severity, sheet, cell, message = weight_errors[0]
    assert (severity, sheet, cell) == ("error", "问卷类别", "C3")
    assert message.count("综合满意度") <= 1 and "没有填写权重" in message
    summary = _all_text(scored.plan, "调查问卷结果汇总表")
    assert "综合满意度无法计算：综合满意度无法计算" not in summary
    assert "服务对象满意度×（未填权重）" in _all_text(scored.plan, "满意度情况表")
