"""The streamed workbook of 汇总.xlsx: a :class:`NumberedTextSheet` (问题清单's rows written from one row
template, straight in UTF-8) writes the XML a :class:`StreamedSheet` of the same rows writes."""

from __future__ import annotations

import zipfile

from perfeval_xl.core import batch as core
from perfeval_xl.io.xlsx_stream import NumberedTextSheet, StreamedSheet, write_streamed_workbook, written_unchanged

#: entries that take every way through the template: plain texts, empty fields, texts with & < > to
#: escape, control characters xml_safe drops (U+000B, U+0001), U+FFFE, a tab and a line break (kept),
#: U+3000, Hangul and ￥ (no cleaning needed, but the quick test sends them the slow way), a file name
#: whose undecodable byte was escaped by the store (\xc6)
ENTRIES = [
    ("甲.xlsx", "报告数据", "D3", "差错", "总分", "报告值 90.69，复算值 90.77：项目得分=(91.00+90.46)/2=90.77"),
    ("甲.xlsx", "", "", "错误", "", "没有可核对的内容"),
    ("甲.xlsx", "表<1>", "A1", "提示", "R&D", "a < b && c > d"),
    ("乙\\xc6.xlsx", "报告数据", "B2", "提示", "对象\x0b一", "软回车\x0b与\x01控制符\ufffe"),
    ("乙\\xc6.xlsx", "目标", "C4", "提示", "", "第一行\n第二行\t制表\u3000全角空格 한국어"),
    ("丙.xlsx", "目标", "C5", "提示", "", "金额 ￥1,000（U+FFE5）与 \uffff"),
]


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_row_template_writes_what_the_value_rows_write(tmp_path):
    head = core.issues_head(1, 1)
    heights = [30.75, None, 30.75, 18, 18.0, 18]  # (18 and 18.0 are written "18" and "18.0")
    generic = [([n, *fields], core.ISSUE_STYLES, height) for n, (fields, height) in enumerate(zip(ENTRIES, heights), 1)]
    templated = [(n, tuple(text.encode("utf-8") for text in fields), height)
                 for n, (fields, height) in enumerate(zip(ENTRIES, heights), 1)]
    note = "本表已满 & 续"
    one = write_streamed_workbook(tmp_path / "一.xlsx", [StreamedSheet(head, generic, note)])
    two = write_streamed_workbook(tmp_path / "二.xlsx", [NumberedTextSheet(head, templated, note, core.ISSUE_STYLES)])
    first, second = _parts(one), _parts(two)
    assert first == second
    sheet = first["xl/worksheets/sheet1.xml"].decode("utf-8")
    # by hand: row 3 (two head rows) is entry 1, its height given; the dropped controls are gone
    assert '<row r="3" ht="30.75" customHeight="1"><c r="A3" s="' in sheet
    assert "<t xml:space=\"preserve\">a &lt; b &amp;&amp; c &gt; d</t>" in sheet
    assert "软回车与控制符</t>" in sheet and "对象一</t>" in sheet and "金额 ￥1,000（U+FFE5）与 </t>" in sheet
    assert '<row r="4"><c r="A4"' in sheet  # no height: no attribute
    assert '<row r="6" ht="18" customHeight="1">' in sheet and '<row r="7" ht="18.0" customHeight="1">' in sheet
    assert sheet.count("<row ") == 2 + len(ENTRIES) + 1  # the head, the entries, the note
    assert written_unchanged(two)


def test_the_heights_of_entries_in_utf8_are_the_heights_of_their_texts():
    for fields in ENTRIES:
        encoded = tuple(text.encode("utf-8") for text in fields)
        # the height _height gives the whole row (file, sheet, object and message wrapped)
        expected = core._height([None, fields[0], fields[1], None, None, fields[4], fields[5]], core.ISSUE_WIDTHS,
                                (1, 2, 5, 6))
        assert core.issue_height_utf8(encoded) == expected
    assert core.issue_height_utf8((b"", b"", b"", b"", b"", b"")) == 18.0


def test_row_templates_for_every_pattern_of_empty_texts(tmp_path):
    """问题清单's rows are written from a template for each pattern of empty fields: every pattern, and a
    text of control characters only (cleaned to nothing: still an inline text, as the value rows write it),
    give the XML of the value rows."""
    from itertools import product

    head = core.issues_head(1, 1)
    texts = ["甲.xlsx", "报告数据", "D3", "差错", "总分", "报告值 90.69 & 复算值 < 90.77"]
    entries = [tuple(text if keep else "" for text, keep in zip(texts, pattern))
               for pattern in product([True, False], repeat=len(texts))]
    entries.append(("甲.xlsx", "\x0b", "", "提示", "\x01\x02", "只有控制符的对象"))
    heights = [None if n % 3 == 0 else 18.0 + 0.75 * (n % 5) for n in range(len(entries))]
    generic = [([n, *fields], core.ISSUE_STYLES, height) for n, (fields, height) in enumerate(zip(entries, heights), 1)]
    templated = [(n, tuple(text.encode("utf-8") for text in fields), height)
                 for n, (fields, height) in enumerate(zip(entries, heights), 1)]
    one = write_streamed_workbook(tmp_path / "一.xlsx", [StreamedSheet(head, generic)])
    two = write_streamed_workbook(tmp_path / "二.xlsx", [NumberedTextSheet(head, templated, "", core.ISSUE_STYLES)])
    assert _parts(one) == _parts(two)
    sheet = _parts(two)["xl/worksheets/sheet1.xml"].decode("utf-8")
    # by hand: 64 patterns + 1 → rows 3…67; the all-empty pattern is the last of the 64 (index 63, row 66: no
    # height, 63 being a multiple of 3), its number then six empty cells
    assert sheet.count("<row ") == 2 + 65
    row = sheet[sheet.index('<row r="66">'):sheet.index('<row r="67"')]
    assert row.count("<c ") == 7 and row.count("/>") == 6 and "<v>64</v>" in row
    assert '<t xml:space="preserve"></t>' in sheet  # "\x0b" alone: an inline text, cleaned to nothing


def test_rows_over_several_groups_each_cleaned_only_where_needed(tmp_path):
    """The rows are looked at for what needs cleaning a group of rows at a time (xlsx_stream._ROWS_AT_ONCE):
    over several groups, with clean groups, a group with one row to clean among clean ones, a NUL (the
    placeholder of the row's number in the template: dropped by xml_safe like every control character) and
    a last group shorter than the others, the rows are the value rows' XML, numbered on."""
    from perfeval_xl.io import xlsx_stream

    head = core.issues_head(1, 1)
    size = xlsx_stream._ROWS_AT_ONCE
    clean = ENTRIES[0]
    dirty = {size + 7: ENTRIES[2], size + 8: ENTRIES[3], 2 * size + size - 1: ("甲.xlsx", "报告\x00数据", "D\x004", "提示", "",
                                                                               "空字符\x00在中间")}
    entries = [dirty.get(n, clean if n % 2 else ENTRIES[1]) for n in range(3 * size + 5)]
    heights = [None if n % 7 == 0 else 18.0 + 0.75 * (n % 4) for n in range(len(entries))]
    generic = [([n, *fields], core.ISSUE_STYLES, height) for n, (fields, height) in enumerate(zip(entries, heights), 1)]
    templated = [(n, tuple(text.encode("utf-8") for text in fields), height)
                 for n, (fields, height) in enumerate(zip(entries, heights), 1)]
    one = write_streamed_workbook(tmp_path / "一.xlsx", [StreamedSheet(head, generic, "续")])
    two = write_streamed_workbook(tmp_path / "二.xlsx", [NumberedTextSheet(head, templated, "续", core.ISSUE_STYLES)])
    assert _parts(one) == _parts(two)
    sheet = _parts(two)["xl/worksheets/sheet1.xml"].decode("utf-8")
    assert "\x00" not in sheet
    # by hand: entry n is on row n + 2 (two head rows); the last group's NUL entry is entry 3 × size, row 3 × size + 2
    row = 3 * size + 2
    assert f'<c r="C{row}" s="' in sheet and "报告数据</t>" in sheet and "空字符在中间</t>" in sheet
    assert f'<c r="D{row}" s="' in sheet and '<t xml:space="preserve">D4</t>' in sheet
    assert sheet.count("<row ") == 2 + len(entries) + 1
