"""The review's quicker paths give what the plain ones gave: a sheet whose texts cannot hold a target
form's indicator header is skipped whole, and the target forms found on every sheet are those found
without that first look."""

from __future__ import annotations

import pytest

import target_builder as tb
from perfeval_xl.review import read_for_review
from perfeval_xl.targetforms import reader as target_reader

from conftest import SAMPLES

#: the two sample evaluations (not whatever else the folder holds: a scored copy the README's first command wrote)
SAMPLE_BOOKS = [SAMPLES / "五华区五个先锋奖励经费2023.xlsx", SAMPLES / "西山区社区党组织服务群众专项经费2024.xlsx"]

#: a 附1 自评表 as calamine gives it (tests/test_forms.py lays out the same form)
FORM_ROWS = [["项目支出绩效自评表"], ["项目名称", None, "培训项目"], ["主管部门", None, "某局", None, None, "实施单位", "某中心"],
             ["项目资金（万元）", None, None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
             [None, None, "年度资金总额", 90, 90, 89.974, 10, "99.97%", 10], [],
             ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
             [None, "产出指标", "数量指标", "培训人次", "≥500人次", "520人次", 90, 90, None],
             ["总分", None, None, None, None, None, 100, None]]


def _sheets() -> dict[str, list[list]]:
    """Sheets of every kind: both samples' pasted tables, a 自评表, each target form layout (and one whose
    header says 末级指标, one whose 三级 has a tab inside), a sheet of numbers only."""
    sheets: dict[str, list[list]] = {}
    for sample in SAMPLE_BOOKS:
        _, others = read_for_review(sample)
        sheets.update({f"{sample.stem}/{name}": [list(r) for r in rows] for name, rows in others.items()})
    sheets["附1"] = FORM_ROWS
    for layout, build in tb.BUILDERS.items():
        sheets[f"目标表/{layout}"] = build(tb.project()).rows()
    first = sheets[f"目标表/{next(iter(tb.BUILDERS))}"]
    sheets["目标表/末级指标"] = [[v.replace("三级指标", "末级指标") if isinstance(v, str) else v for v in row] for row in first]
    sheets["三级中有制表符"] = [[v.replace("三级", "三\t级") if isinstance(v, str) else v for v in row] for row in first]
    sheets["数字"] = [[1, 2.5, None], [None, 3]]
    return sheets


SHEETS = _sheets()


@pytest.mark.parametrize("name", list(SHEETS))
def test_a_sheet_skipped_by_the_target_forms_first_look_has_no_indicator_header(name):
    rows = SHEETS[name]
    headers = [r for r in range(len(rows)) if target_reader._header(rows, r) is not None]
    if not target_reader._may_hold_header(rows):
        assert headers == []
    if name.startswith("目标表/"):
        assert headers != []


def test_the_first_look_skips_the_pasted_tables_without_an_indicator_header():
    # of 五华's ten pasted tables only 附件2-1 names 三级指标; every target form passes the look
    wuhua = {name.split("/", 1)[1]: rows for name, rows in SHEETS.items() if name.startswith("五华")}
    assert len(wuhua) == 10
    assert [n for n, rows in wuhua.items() if target_reader._may_hold_header(rows)] == ["附件2-1"]
    assert all(target_reader._may_hold_header(rows) for name, rows in SHEETS.items() if name.startswith("目标表/"))
    assert not target_reader._may_hold_header(SHEETS["附1"][:6])  # a 自评表's funds block: no 三级 above its indicators
    assert not target_reader._may_hold_header(SHEETS["数字"])


def test_target_forms_found_with_the_first_look_are_those_found_without(monkeypatch):
    sheets = SHEETS
    targets = target_reader.find_target_forms(sheets)
    assert sorted({t.sheet for t in targets}) == sorted(n for n in SHEETS if n.startswith("目标表/"))
    monkeypatch.setattr(target_reader, "_may_hold_header", lambda rows: True)
    assert target_reader.find_target_forms(sheets) == targets
