"""Both samples carry their reports' printed figures (报告数据) and pasted annex tables; ``perfeval review``
lists exactly the slips each sample's .md lists (section “复核”), and checks every printed figure."""

from __future__ import annotations

import importlib.util
import json
import re
from decimal import Decimal

import pytest

from conftest import SAMPLES
from perfeval_xl.cli import main

SOURCE = SAMPLES / "source"

#: sample → (its printed-figure module, figures of 报告数据, figures the pasted tables hold that review checks)
CASES = {
    # 报告表2: 合计 row (指标分值, 评价得分) 2 + 得分率 column 5
    "西山区社区党组织服务群众专项经费2024": ("xishan_2024_printed", 66, 7),
    # 报告表1 2 + 报告表4 7 + 报告表7 18 + 报告表8 13 + 附件2 57 (合计 row 23, 平均分 row 24, 合计 column 10)
    # + 附件2-1 2 + 附件3 3 + 附件5 5 + 附件6-1 18 + 附件6-2 13
    "五华区五个先锋奖励经费2023": ("wuhua_2023_printed", 546, 138),
}
ROW = re.compile(r"^\| (\d+) \| ([^!|]+)!([A-Z]+\d+) \|(.*)$")


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"printed_{name}", SOURCE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def md_slips(name: str) -> list[tuple[str, str, str, str, str, str]]:
    """The slip list of the sample's .md: (sheet, cell, object, unit, printed, expected) per row."""
    text = (SAMPLES / f"{name}.md").read_text(encoding="utf-8")
    section = text[text.index("复核"):]
    rows = []
    for line in section.splitlines():
        match = ROW.match(line)
        if match:
            unit, obj, printed, expected, _source = (c.strip() for c in match.group(4).rstrip("|").split("|"))
            rows.append((match.group(2), match.group(3), obj, unit, printed, expected))
    assert [int(ROW.match(l).group(1)) for l in section.splitlines() if ROW.match(l)] == list(range(1, len(rows) + 1))
    return rows


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("review")
    results = {}
    for name in CASES:
        book = folder / f"{name}.xlsx"
        book.write_bytes((SAMPLES / f"{name}.xlsx").read_bytes())
        results[name] = book
    return folder, results


@pytest.mark.parametrize("name", list(CASES))
def test_review_lists_the_reports_slips(name, reviewed, capsys):
    folder, books = reviewed
    out = folder / f"{name}_复核.xlsx"
    code = main(["review", str(books[name]), "-o", str(out), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1  # the reports have slips
    got = sorted((s["sheet"], s["cell"], s["object"], s["unit"], s["printed"], s["expected"]) for s in data["slips"])
    expected = md_slips(name)
    assert got == sorted(expected)
    module, printed, tables = CASES[name]
    # every printed figure compared: each row of 报告数据, and every total, average, rate and share of the pasted tables
    assert len(_module(module).PRINTED) == printed
    assert data["checked"] == printed + tables
    # no row of 报告数据 left uncompared (an unknown 对象 or a 报告值 that is not a figure would be an error there)
    assert not [f for f in data["findings"] if f["sheet"] == "报告数据"]


@pytest.mark.parametrize("name", list(CASES))
def test_printed_figures_and_pasted_tables_reconciled(name):
    """The same list through the core stages review runs: 报告数据 reconciled with the evaluation, the pasted
    sheets audited."""
    from perfeval_xl.core import schema
    from perfeval_xl.core.reported import reconcile
    from perfeval_xl.core.table_audit import audit_tables
    from perfeval_xl.io.snapshot import read_snapshot
    from perfeval_xl.pipeline import score_snapshot

    module, printed, tables = CASES[name]
    pasted = _module(module).PASTED
    path = SAMPLES / f"{name}.xlsx"
    snapshot = read_snapshot(path, set(schema.INPUT_SHEET_NAMES) | set(pasted))
    reconciled = reconcile(score_snapshot(snapshot).evaluation)
    assert not list(reconciled.findings)
    audit = audit_tables({sheet: snapshot[sheet] for sheet in pasted})
    got = sorted((s.sheet, s.cell, s.object, s.unit, s.printed, s.expected) for s in reconciled.slips + audit.slips)
    assert got == sorted(md_slips(name))
    assert (reconciled.checked, audit.checked) == (printed, tables)


def test_printed_figures_as_printed():
    """The transcription keeps the printed text: precision, per cent signs, grades."""
    wuhua = _module("wuhua_2023_printed")
    rows = {(u, o, k, src): v for u, o, k, v, src, _n in wuhua.PRINTED}
    assert len(rows) == len(wuhua.PRINTED)  # each figure named once: unit, object, content and where printed
    assert rows[("龙翔", "奖励金发放完成率", "得分", "附件2-9 龙翔街道评分表")] == "5"
    assert rows[("黑林铺", "奖励发放人数情况", "得分", "附件2-4 黑林铺街道评分表")] == "8.83"
    assert rows[("", "绩效指标明确性", "得分", "附件2-1 项目评分表")] == "1.9"
    assert rows[("", "决策", "得分", "五（一）决策情况分析")] == "12.6"
    assert rows[("西翥", "满意度(A)", "取值", "附件2-2 西翥街道评分表 综合满意度扣分原因")] == "99%"
    assert rows[("黑林铺", "", "总分", "表5 黑林铺街道")] == "88.46"
    assert rows[("黑林铺", "", "等级", "表5 黑林铺街道")] == "良"
    assert rows[("黑林铺", "奖励金发放完成率", "指标值", "附件2-4 黑林铺街道评分表 扣分原因")] == "92.57%"
    assert {k for _u, _o, k, _v, _s, _n in wuhua.PRINTED} == {"得分", "指标值", "取值", "总分", "等级"}
    # 总分 and 等级 name no 对象
    assert all(not o for _u, o, k, _v, _s, _n in wuhua.PRINTED if k in ("总分", "等级"))


def test_unit_tables_agree_with_the_summary_annex():
    """Each street office's 23 scores and total, as transcribed from its own table (附件2-2…2-11), equal its row
    of the summary annex 附件2 (pasted as printed): two printings of the same figures."""
    wuhua = _module("wuhua_2023_printed")
    summary = {row[1]: row[2:] for row in wuhua.PASTED["附件2"] if row and row[0].isdigit()}
    units = ["西翥", "普吉", "黑林铺", "莲华", "华山", "丰宁", "护国", "龙翔", "大观", "红云"]
    for n, unit in enumerate(units, start=2):
        own = [v for u, _o, k, v, src, _n in wuhua.PRINTED if u == unit and src == f"附件2-{n} {unit}街道评分表"]
        assert len(own) == 24, unit
        full = next(name for name in summary if unit in name or (unit == "西翥" and "西斋" in name))
        assert own == list(summary[full]), unit
        # and each table's 合计 is the sum of its printed scores
        assert sum(Decimal(v) for v in own[:23]) == Decimal(own[23]), unit
