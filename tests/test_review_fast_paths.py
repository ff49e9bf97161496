"""The review's sheet-level first looks give what trying every row gave: a sheet whose texts cannot
hold a self-evaluation form's funds header (or a target form's indicator header) is skipped whole,
and the forms found on every sheet are those found without the first look."""

from __future__ import annotations

import pytest

import target_builder as tb
from perfeval_xl.forms import layouts as form_layouts
from perfeval_xl.forms import reader as form_reader
from perfeval_xl.forms.layouts import may_hold_header, recognise
from perfeval_xl.review import read_for_review
from perfeval_xl.targetforms import reader as target_reader

from conftest import SAMPLES

#: a 附1 funds header as calamine gives it (tests/test_forms.py lays out the same form)
FUNDS_HEADER = ["项目资金（万元）", None, None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
FORM_ROWS = [["项目支出绩效自评表"], ["项目名称", None, "培训项目"], ["主管部门", None, "某局", None, None, "实施单位", "某中心"],
             FUNDS_HEADER, [None, None, "年度资金总额", 90, 90, 89.974, 10, "99.97%", 10], [],
             ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
             [None, "产出指标", "数量指标", "培训人次", "≥500人次", "520人次", 90, 90, None],
             ["总分", None, None, None, None, None, 100, None]]


def _sheets() -> dict[str, list[list]]:
    """Sheets of every kind: both samples' pasted tables, a 附1 form (and the same with its header in
    Kangxi radicals that NFKC folds, and split so that no row holds it whole), each target form layout,
    sheets of numbers or blanks only."""
    sheets: dict[str, list[list]] = {}
    for sample in sorted(SAMPLES.glob("*.xlsx")):
        _, others = read_for_review(sample)
        sheets.update({f"{sample.stem}/{name}": [list(r) for r in rows] for name, rows in others.items()})
    sheets["附1"] = FORM_ROWS
    radicals = str.maketrans({"行": "\u2f8f", "年": "\u2f32"})  # ⾏ ⼲: NFKC gives 行 年 back
    sheets["附1（康熙部首）"] = [[v.translate(radicals) if isinstance(v, str) else v for v in row] for row in FORM_ROWS]
    sheets["表头拆行"] = [FUNDS_HEADER[:5], FUNDS_HEADER[5:]]  # every needed character, never in one row
    for layout, build in tb.BUILDERS.items():
        sheets[f"目标表/{layout}"] = build(tb.project()).rows()
    sheets["数字"] = [[1, 2.5, None], [None, 3]]
    sheets["空行"] = [[], [None, None], None]
    return sheets


SHEETS = _sheets()


@pytest.mark.parametrize("name", list(SHEETS))
def test_a_sheet_skipped_by_the_forms_first_look_has_no_funds_header(name):
    rows = SHEETS[name]
    recognised = [r for r, row in enumerate(rows) if row is not None and recognise(list(row))]
    if not may_hold_header(rows):
        assert recognised == []
    if name == "附1":
        assert recognised == [3]  # the funds header row


@pytest.mark.parametrize("name", [n for n in SHEETS if n != "空行"])
def test_a_sheet_skipped_by_the_target_forms_first_look_has_no_indicator_header(name):
    rows = SHEETS[name]
    headers = [r for r in range(len(rows)) if target_reader._header(rows, r) is not None]
    if not target_reader._may_hold_header(rows):
        assert headers == []
    if name.startswith("目标表/"):
        assert headers != []


def test_the_first_looks_skip_most_pasted_tables_and_no_form():
    # 五华's ten pasted tables: 附件2 and 附件2-1 name 预算 and 执行 (the forms' look passes them), only
    # 附件2-1 names 三级指标 (the target forms' look passes it); every form sheet passes its look
    wuhua = {name.split("/", 1)[1]: rows for name, rows in SHEETS.items() if name.startswith("五华")}
    assert sorted(n for n, rows in wuhua.items() if may_hold_header(rows)) == ["附件2", "附件2-1"]
    assert sorted(n for n, rows in wuhua.items() if target_reader._may_hold_header(rows)) == ["附件2-1"]
    assert may_hold_header(SHEETS["附1"]) and may_hold_header(SHEETS["附1（康熙部首）"])
    assert not may_hold_header(SHEETS["数字"]) and not may_hold_header(SHEETS["空行"])
    assert all(target_reader._may_hold_header(rows) for name, rows in SHEETS.items() if name.startswith("目标表/"))


def test_forms_found_with_the_first_looks_are_those_found_without(monkeypatch):
    sheets = {name: rows for name, rows in SHEETS.items() if name != "空行"}
    forms, findings = form_reader.find_forms(SHEETS)
    targets = target_reader.find_target_forms(sheets)
    assert [f.sheet for f in forms] == ["附1"]
    assert sorted({t.sheet for t in targets}) == sorted(n for n in SHEETS if n.startswith("目标表/"))
    monkeypatch.setattr(form_reader, "may_hold_header", lambda rows: True)
    monkeypatch.setattr(target_reader, "_may_hold_header", lambda rows: True)
    assert form_reader.find_forms(SHEETS) == (forms, findings)
    assert target_reader.find_target_forms(sheets) == targets
    assert form_layouts.may_hold_header is may_hold_header  # the one look, where recognise is
