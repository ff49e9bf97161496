"""The width model of wrapped cell text (perfeval_xl/core/textfit.py) against LibreOffice's real line
breaks (tests/data/wrap_calibration.json, recorded by tools/calibrate_wrap.py from LibreOffice's PDF of
each sample) and against hand-computed Excel layouts."""

import json
from pathlib import Path

import pytest

from perfeval_xl.core.styles import STYLES, StyleName
from perfeval_xl.core.textfit import EXCEL, LIBREOFFICE, breaks_sensibly, height_needed, layout, lines_needed, sensible
from perfeval_xl.core.writeplan import LABEL_STYLES, label_width, needed_height, split_label, wrapped_lines

CALIBRATION = json.loads((Path(__file__).parent / "data" / "wrap_calibration.json").read_text(encoding="utf-8"))
SAMPLES = CALIBRATION["samples"]


def _lo_lines(sample):
    font = STYLES[StyleName(sample["style"])]
    return layout(sample["text"], sample["width"], font.size, font.bold, LIBREOFFICE)


def test_the_calibration_covers_the_outputs_texts_and_the_hard_cases():
    assert len(SAMPLES) > 200
    assert {s["style"] for s in SAMPLES} >= {"text", "header", "center", "note"}
    assert any("社会效益" in s["text"] or "党组织建设问卷得分率" in s["text"] for s in SAMPLES)


def test_libreoffice_never_needs_more_lines_than_the_model_says():
    short = [(s["style"], s["width"], s["text"][:30], s["lines"]) for s in SAMPLES if len(_lo_lines(s)) < len(s["lines"])]
    assert not short


def test_the_model_breaks_where_libreoffice_breaks():
    same_count = sum(len(_lo_lines(s)) == len(s["lines"]) for s in SAMPLES)
    same_lines = sum(_lo_lines(s) == s["lines"] for s in SAMPLES)
    assert same_count >= 0.98 * len(SAMPLES)
    assert same_lines >= 0.92 * len(SAMPLES)


@pytest.mark.parametrize("column", CALIBRATION["columns"], ids=lambda c: str(c["width"]))
def test_libreoffice_column_text_area(column):
    # measured between a left- and a right-aligned "0": 7.0 pt a unit less 2 pt of padding
    assert LIBREOFFICE.text_area(column["width"]) == pytest.approx(column["text_area"], abs=0.2)


def test_libreoffice_line_pitch_is_noto_sans_cjk_and_dejavu_sans():
    cjk = [s for s in SAMPLES if s["pitch"] and all(any(ord(c) > 0x3000 for c in line) for line in s["lines"])]
    latin = [s for s in SAMPLES if s["pitch"] and all(line.isascii() for line in s["lines"])]
    assert cjk and latin
    for s in cjk:
        size = STYLES[StyleName(s["style"])].size
        assert 0 <= LIBREOFFICE.line_cjk * size - s["pitch"] < 0.06, s["text"][:20]  # never less than measured
    for s in latin:
        size = STYLES[StyleName(s["style"])].size
        assert 0 <= LIBREOFFICE.line_latin * size - s["pitch"] < 0.06, s["text"][:20]


def test_recorded_breaks_of_headers_and_chinese_punctuation():
    by_key = {(s["style"], s["width"], s["text"]): s["lines"] for s in SAMPLES}
    # an opening bracket stays with what follows it
    assert by_key[("text", 9.0, "产出数量（10分）")] == ["产出数量", "（10分）"]
    # LibreOffice does leave a lone "）" when the column is one character short
    assert by_key[("header", 10.0, "项目效益（15分）")] == ["项目效益（15", "分）"]
    # digits without spaces are cut only because the run is wider than the line
    assert by_key[("text", 8.0, "12345678901234567890123456789012")] == ["12345678", "90123456", "78901234", "56789012"]


def test_excel_layout_by_hand():
    # width 10 = 70 px, less 6 px padding = 64 px = 48 pt; SimSun 10.5 pt: CJK 14 px, Latin 7 px
    assert EXCEL.text_area(10) == 48.0
    assert layout("一二三四五六七八九十", 10, app=EXCEL) == ["一二三四", "五六七八", "九十"]
    # a run of digits has no break opportunity: cut only where it overflows (9 digits of 5.25 pt)
    assert layout("12345678901234567890", 10, app=EXCEL) == ["123456789", "012345678", "90"]
    # spaces are break opportunities and do not start a line
    assert layout("12345 67890 12345", 10, app=EXCEL) == ["12345", "67890", "12345"]
    # no line starts with closing punctuation: "，" goes with the character before it
    assert layout("一二三四，五六七八", 10, app=EXCEL) == ["一二三", "四，五六", "七八"]
    # bold SimSun is 1 px wider a glyph: three bold CJK of 15 px fit 64 px, four do not
    assert layout("产出数量（10分）", 9, bold=True, app=EXCEL) == ["产出数", "量（10", "分）"]


def test_the_count_is_the_larger_of_both_apps():
    # LibreOffice fits six CJK characters in width 10 (68 pt), Excel four (48 pt)
    assert len(layout("一二三四五六七八九十", 10, app=LIBREOFFICE)) == 2
    assert lines_needed("一二三四五六七八九十", 10) == 3
    # height: Excel 3 × 1.15 × 10.5 + 4 = 40.2, LibreOffice 2 × 1.448 × 10.5 + 3 = 33.4 → 40.5 (0.75 pt steps)
    assert height_needed("一二三四五六七八九十", 10) == 40.5
    # a Latin-only text in LibreOffice is DejaVu's 1.164 em a line
    assert len(layout("1234567890 " * 4, 10, app=LIBREOFFICE)) == 4


def test_writeplan_uses_the_style_of_the_cell():
    text = "计算过程中的比率按四舍五入保留两位小数的百分比参与计分；其后精确计算。"
    assert wrapped_lines(text, 20, "note") <= wrapped_lines(text, 20, "header")
    assert needed_height(text, 20, "note") < needed_height(text, 20, "text")
    assert needed_height("一", 10) == height_needed("一", 10)


def test_sensible_breaks():
    assert sensible("产出数量（10分）", ["产出数量", "（10分）"])
    assert not sensible("产出数量（10分）", ["产出数量（10分", "）"])
    assert not sensible("预算执行率（2分）", ["预算执行率（", "2分）"])
    assert not sensible("产出数量（10分）", ["产出数量（10", "分）"])  # inside a short bracket group
    assert sensible("问卷数（合计 2162 份）", ["问卷数（合计", "2162 份）"])  # at a space
    assert sensible("产出数量\n（10分）", ["产出数量", "（10分）"])  # at the text's own line break


def test_label_width_widens_a_header_just_enough():
    # bold 10.5 pt "产出数量（10分）" is 91 pt in Excel (SimSun emboldened: 11.25 pt a CJK glyph, 6 pt a digit):
    # one line from width 18.5 (92.6 pt of text); narrower, Excel or LibreOffice cut the bracket group
    assert label_width("产出数量（10分）", 9, "header") == 18.5
    assert not breaks_sensibly("产出数量（10分）", 18, 10.5, True)
    # with the group on a line of its own the name needs 45 pt (Excel) and the group 45.75 pt: width 10
    assert split_label("产出数量（10分）") == "产出数量\n（10分）"
    assert label_width("产出数量\n（10分）", 9, "header") == 10.0
    # up to 9 Excel prints "一级指" / "标" (bold SimSun): one character alone on a line is no sensible break
    assert not sensible("一级指标", ["一级指", "标"]) and label_width("一级指标", 8, "header") == 9.5
    assert label_width("一级指标", 9.5, "header") == 9.5  # already fine: unchanged
    assert split_label("一级指标") is None and split_label("效果\n（22分）") is None


def _label_cells(plan):
    covered = {(r, c) for r1, c1, r2, c2 in plan.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
               if (r, c) != (r1, c1)}
    spans = {(r1, c1): sum(plan.widths.get(c, 10) for c in range(c1, c2 + 1)) for r1, c1, r2, c2 in plan.merges}
    for r, c, value, style in plan.cells:
        if style in LABEL_STYLES and isinstance(value, str) and value and (r, c) not in covered and STYLES[style].wrap:
            yield value, spans.get((r, c), plan.widths.get(c, 10)), style


@pytest.mark.parametrize("book", ["西山区社区党组织服务群众专项经费2024.xlsx", "五华区五个先锋奖励经费2023.xlsx"])
def test_no_label_of_the_samples_breaks_mid_word(book, tmp_path):
    from conftest import SAMPLES
    from perfeval_xl.pipeline import score_file

    scored = score_file(SAMPLES / book, tmp_path / "out.xlsx")
    # 得分汇总 is laid out for its print scale first: the width budget may not cover all its headers
    bad = [(plan.name, text, width) for plan in scored.plan.sheets if plan.name != "得分汇总"
           for text, width, style in _label_cells(plan)
           if not breaks_sensibly(text, width, STYLES[style].size, STYLES[style].bold)]
    assert not bad


def test_a_name_a_little_too_long_for_its_column_widens_it(tmp_path):
    """The 资金使用情况表 of 五华 printed every unit two lines high: its longest full name (18 CJK characters,
    252 px in Excel's 宋体 10.5 pt) did not fit the 34-wide column (232 px of text); 37 fits (253 px)."""
    from conftest import SAMPLES
    from perfeval_xl.pipeline import score_file

    from perfeval_xl.core.writeplan import one_line_width

    assert one_line_width("昆明市五华区人民政府黑林铺街道办事处", 34, "text") == 37.0
    scored = score_file(SAMPLES / "五华区五个先锋奖励经费2023.xlsx", tmp_path / "out.xlsx")
    funds = scored.plan.sheet("资金使用情况表")
    assert funds.widths[1] == 37.0
    units = [r for r, c, v, _ in funds.cells if c == 1 and isinstance(v, str) and v.startswith("昆明市")]
    short = [r for r in units if not any(c == 9 and isinstance(v, str) and v for rr, c, v, _ in funds.cells if rr == r)]
    assert len(short) == 7 and all(funds.heights[r] == 18.75 for r in short)  # one line: no 备注 on these rows


def test_a_label_that_would_leave_one_character_alone_gets_line_feeds():
    """Where its column cannot be widened, a header Excel would print as "立项依" / "据充分" / "性" is cut
    into lines of near-equal length that fit in every app (writeplan.break_orphaned_labels)."""
    from perfeval_xl.core.writeplan import SheetBuilder, break_orphaned_labels

    assert [len(lines) for lines in (layout("立项依据充分性", 9, 10.5, True, app) for app in (EXCEL, LIBREOFFICE))] \
        == [3, 2]
    b = SheetBuilder("示例", [9, 8, 5, 9])
    b.header(["立项依据充分性\n（2分）", "一级指标", "序号", "得分"])
    break_orphaned_labels(b.plan)
    assert [v for _, _, v, _ in b.plan.cells] == ["立项依\n据充\n分性\n（2分）", "一级\n指标", "序号", "得分"]


@pytest.mark.parametrize("book", ["西山区社区党组织服务群众专项经费2024.xlsx", "五华区五个先锋奖励经费2023.xlsx"])
def test_no_label_of_the_samples_leaves_a_character_alone(book, tmp_path):
    """In no app does a header or label of any output sheet end a line break with one character alone
    ("资金到位" / "率", "一级指" / "标"); a two-character label (序号) may stand in a narrow column."""
    from conftest import SAMPLES
    from perfeval_xl.core.textfit import APPS
    from perfeval_xl.pipeline import score_file

    scored = score_file(SAMPLES / book, tmp_path / "out.xlsx")
    alone = [(plan.name, text, app.name) for plan in scored.plan.sheets
             for text, width, style in _label_cells(plan) for paragraph in text.split("\n") if len(paragraph) > 2
             for app in APPS
             if (lines := layout(paragraph, width, STYLES[style].size, STYLES[style].bold, app))[-1:]
             and len(lines) > 1 and len(lines[-1]) == 1]
    assert not alone


def test_fits_worked_out_once_in_a_plan_stage_are_the_fits_worked_out_each_time():
    # by hand (test_label_width_widens_a_header_just_enough): "产出数量（10分）" in a 9-wide header needs 18.5;
    # "一级指标" at 9.5 stays 9.5, at an int 9 width 9.5 too; asked again inside the block: the same, and an int
    # width handed back as an int (10 stays 10, not 10.0)
    from perfeval_xl.core.writeplan import fitting_once, one_line_width

    plain = [label_width("产出数量（10分）", 9, "header"), label_width("一级指标", 9.5, "header"),
             label_width("一级指标", 9, "header"), one_line_width("昆明市五华区人民政府黑林铺街道办事处", 34, "text")]
    assert plain == [18.5, 9.5, 9.5, 37.0]
    with fitting_once():
        for _ in range(2):
            assert [label_width("产出数量（10分）", 9, "header"), label_width("一级指标", 9.5, "header"),
                    label_width("一级指标", 9, "header"),
                    one_line_width("昆明市五华区人民政府黑林铺街道办事处", 34, "text")] == plain
        assert type(label_width("一级", 10, "header")) is int and type(label_width("一级", 10.0, "header")) is float
