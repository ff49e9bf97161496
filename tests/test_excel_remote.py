"""``perfeval_xl.excel.score_book`` on real xlwings ``Book`` objects (remote engine).

Each sample workbook is turned into the json the xlwings JavaScript client sends
(``xw.Book(json=...)``; ``XLWINGS_LICENSE_KEY=noncommercial`` for these tests only),
scored through xlwings, and the queued actions are replayed on a model of the
workbook. The result must equal what the file path (``perfeval score``) writes:
same sheets, values, number formats, fonts, fills, borders, merges, sizes, panes.
"""

from __future__ import annotations

import copy
import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import xlwings_harness as harness
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from xlwings_replay import Replay, book_payload, frozen_cell

from perfeval_xl import excel
from perfeval_xl.core import schema
from perfeval_xl.extensions import is_output_sheet
from perfeval_xl.core.grid import fill_merged_text
from perfeval_xl.core.styles import FONT_NAME, STYLES
from perfeval_xl.io.ownership import mark_name, mark_reference
from perfeval_xl.io.snapshot import read_snapshot
from perfeval_xl.pipeline import score_file, score_snapshot

ROOT = Path(__file__).resolve().parent.parent
#: the committed samples, by name: never a glob, which would also pick up a scored copy (…_评分.xlsx) written
#: beside them by ``perfeval score``
SAMPLES = [ROOT / "sample_workbooks" / name for name in (
    "五华区五个先锋奖励经费2023.xlsx", "西山区社区党组织服务群众专项经费2024.xlsx")]
LICENCE = {"XLWINGS_LICENSE_KEY": "noncommercial"}


@pytest.fixture(scope="module")
def xw():
    with harness.fresh_xlwings(LICENCE) as module:
        yield module


def _plan_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if value == "":
        return None
    return value


def _scored_remotely(xw, path: Path):
    payload = book_payload(path, xw.__version__)
    book = xw.Book(json=copy.deepcopy(payload))  # the remote engine keeps and mutates its json
    scored = excel.score_book(book)
    return payload, scored, Replay(payload).run(book.json()["actions"])


@pytest.fixture(scope="module")
def runs(xw, tmp_path_factory):
    """Per sample: the remote run and the file path's scored copy."""
    result = {}
    for path in SAMPLES:
        out = tmp_path_factory.mktemp("file") / "scored.xlsx"
        file_scored = score_file(path, out)
        result[path.name] = (_scored_remotely(xw, path), file_scored, out)
    assert sorted(result) == sorted(p.name for p in SAMPLES) and len(result) == 2
    return result


@pytest.mark.slow
@pytest.mark.parametrize("sample", [p.name for p in SAMPLES])
def test_same_scores_as_the_file_path(runs, sample):
    (payload, scored, replay), file_scored, _out = runs[sample]
    assert scored is not None
    assert scored.evaluation.total == file_scored.evaluation.total
    assert scored.evaluation.grade == file_scored.evaluation.grade
    assert [u.name for u in scored.evaluation.units] == [u.name for u in file_scored.evaluation.units]
    for remote, local in zip(scored.evaluation.units, file_scored.evaluation.units, strict=True):
        assert [(s.code, s.score, s.value_number) for s in remote.indicators] == \
               [(s.code, s.score, s.value_number) for s in local.indicators]
    assert [s.name for s in scored.plan.sheets] == [s.name for s in file_scored.plan.sheets]
    for remote, local in zip(scored.plan.sheets, file_scored.plan.sheets, strict=True):
        assert remote.grid() == local.grid(), remote.name


@pytest.mark.parametrize("sample", [p.name for p in SAMPLES])
def test_queued_actions_write_the_plan_and_leave_inputs_alone(runs, sample):
    (payload, scored, replay), file_scored, _out = runs[sample]
    inputs = [s["name"] for s in payload["sheets"]]
    assert replay.names == inputs + scored.plan.names  # outputs after the inputs
    for name in inputs:
        sheet = replay.sheet(name)
        assert not sheet.touched, f"input sheet {name} was written to"
    for plan in file_scored.plan.sheets:
        sheet = replay.sheet(plan.name)
        expected = [[_plan_value(v) for v in row] for row in plan.grid()]
        got = sheet.grid()
        got += [[None] * len(expected[0])] * (len(expected) - len(got))
        got = [row + [None] * (len(expected[0]) - len(row)) for row in got]
        assert got == expected, plan.name
    assert replay.counts["setValues"] == len(scored.plan.sheets)  # one write per sheet
    assert replay.active == scored.plan.sheets[0].name


@pytest.mark.parametrize("sample", [p.name for p in SAMPLES])
def test_formats_equal_the_styles_of_the_plan(runs, sample):
    (payload, scored, replay), _file_scored, _out = runs[sample]
    for plan in scored.plan.sheets:
        sheet = replay.sheet(plan.name)
        for r, c, _value, name in plan.cells:
            style, got = STYLES[name], sheet.formats.get((r, c), {})
            where = f"{plan.name}!{get_column_letter(c + 1)}{r + 1} ({name})"
            assert got.get("number_format", "General") == style.number_format, where
            assert got.get("bold", False) == style.bold, where
            assert got.get("italic", False) == style.italic, where
            assert got.get("size") == style.size, where
            assert got.get("name") == FONT_NAME, where
            assert got.get("color") == (f"#{style.color}" if style.color else None), where
            assert got.get("fill") == (f"#{style.fill}" if style.fill else None), where
            assert got.get("align") == style.align.capitalize(), where
            assert got.get("valign") == "Center", where
            assert got.get("wrap", False) == style.wrap, where
            sides = sheet.borders.get((r, c), set())
            assert sides == ({"top", "bottom", "left", "right"} if style.border else set()), where


@pytest.mark.slow
@pytest.mark.parametrize("sample", [p.name for p in SAMPLES])
def test_layout_equals_the_file_written_by_openpyxl(runs, sample):
    (payload, scored, replay), file_scored, out = runs[sample]
    workbook = load_workbook(out)
    for plan in scored.plan.sheets:
        sheet, ws = replay.sheet(plan.name), workbook[plan.name]
        assert sorted(sheet.merges) == sorted(plan.merges)
        file_merges = {(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges}
        assert set(sheet.merges) == file_merges
        for col, width in plan.widths.items():
            assert ws.column_dimensions[get_column_letter(col + 1)].width == width
            assert sheet.widths[col] == excel.column_width_for("remote", width)
        assert sheet.heights == {r: h for r, h in plan.heights.items()}
        if plan.freeze:
            assert frozen_cell(sheet.frozen) == plan.freeze
            assert ws.freeze_panes == f"{get_column_letter(plan.freeze[1] + 1)}{plan.freeze[0] + 1}"
        for r, c, value, name in plan.cells:
            cell = ws.cell(r + 1, c + 1)
            got = sheet.values.get((r, c))
            want = cell.value if cell.value != "" else None
            assert got == want, (plan.name, r, c)
            if type(cell).__name__ == "MergedCell":
                continue  # openpyxl keeps no style for the covered cells of a merge
            assert sheet.formats[(r, c)].get("number_format", "General") == cell.number_format
            assert sheet.formats[(r, c)].get("bold", False) == bool(cell.font.b)


def test_formatting_is_batched(runs):
    """Formats go by property over rectangles, not cell by cell."""
    for (payload, scored, replay), _file, _out in runs.values():
        cells = sum(len(s.cells) for s in scored.plan.sheets)
        per_cell = sum(replay.counts.get(f, 0) for f in (
            "setNumberFormat", "setFontProperty", "setRangeColor", "setWrapText",
            "setHorizontalAlignment", "setVerticalAlignment"))
        assert per_cell < cells / 2, (per_cell, cells)


def test_the_user_sees_the_result_in_chinese(runs):
    for (payload, scored, replay), _file, _out in runs.values():
        assert len(replay.alerts) == 1
        prompt, title, buttons, mode, _callback = replay.alerts[0]
        assert title == "绩效评价" and buttons == "ok"
        ev = scored.evaluation
        assert f"{ev.total:.2f}" in prompt and f"“{ev.grade}”" in prompt
        assert mode == ("critical" if scored.findings.errors else "info")
        assert "Traceback" not in prompt


def test_second_run_replaces_the_output_sheets(xw, tmp_path):
    """A workbook that was scored before (its output sheets present) is scored again:
    old outputs deleted, new ones written after the inputs, inputs untouched."""
    sample = next(p for p in SAMPLES if p.name.startswith("西山"))
    scored_copy = tmp_path / "scored.xlsx"
    file_scored = score_file(sample, scored_copy)
    (payload, scored, replay) = _scored_remotely(xw, scored_copy)
    before = [s["name"] for s in payload["sheets"]]
    inputs = [n for n in before if not is_output_sheet(n)]
    assert len(inputs) < len(before)
    assert replay.counts["sheetDelete"] == len(before) - len(inputs)
    assert replay.names == inputs + file_scored.plan.names
    assert all(not replay.sheet(n).touched for n in inputs)
    assert scored.evaluation.total == file_scored.evaluation.total
    # the client sent the file's marks (range names), and each new output sheet carries its own
    assert {n["scope_sheet_name"] for n in payload["names"]} == set(before) - set(inputs)
    assert all(replay.sheet(n).defined == {mark_name(n): "=" + mark_reference(n)} for n in file_scored.plan.names)
    assert all(not replay.sheet(n).defined for n in inputs)



def test_the_old_mark_does_not_reach_the_remote_engine(xw, tmp_path):
    """The mark of the versions before the range name is a constant, which xlwings' clients do not
    send: a book scored by such a version cannot be told from a hand-made one in Lite, and the button
    stops without changing anything (docs/excel.md 第十一节 says what to do).  Scored again by the
    command line (which reads the old mark), its marks are the new ones and reach the engine."""
    from test_ownership import _old_marks

    sample = next(p for p in SAMPLES if p.name.startswith("西山"))
    scored_copy = tmp_path / "scored.xlsx"
    score_file(sample, scored_copy)
    old = tmp_path / "old.xlsx"
    old.write_bytes(_old_marks(scored_copy.read_bytes()))
    payload = book_payload(old, xw.__version__)
    assert payload["names"] == []  # the old marks are not sent
    book = xw.Book(json=copy.deepcopy(payload))
    assert excel.score_book(book) is None
    actions = book.json()["actions"]
    assert {a["func"] for a in actions} == {"setScreenUpdating", "alert"}  # nothing written or deleted
    assert "没有本工具写出的标记" in next(a for a in actions if a["func"] == "alert")["args"][0]
    assert score_file(old, in_place=True).evaluation.total == Decimal("88.51")
    _payload, scored, replay = _scored_remotely(xw, old)
    assert scored is not None and replay.counts["sheetDelete"] == len(scored.plan.names)

def test_a_users_sheet_with_our_exact_title_stops_the_button(xw, tmp_path):
    """Ownership is the mark, never the title: the live path decides like the file path."""
    from openpyxl import load_workbook

    sample = next(p for p in SAMPLES if p.name.startswith("西山"))
    scored_copy = tmp_path / "scored.xlsx"
    score_file(sample, scored_copy)
    title = load_workbook(scored_copy)["得分汇总"]["A1"].value
    path = tmp_path / sample.name
    wb = load_workbook(sample)
    wb.create_sheet("得分汇总")["A1"] = title
    wb.save(path)
    book = xw.Book(json=book_payload(path, xw.__version__))
    assert excel.score_book(book) is None
    funcs = [a["func"] for a in book.json()["actions"]]
    assert "sheetDelete" not in funcs and "addSheet" not in funcs and "setValues" not in funcs
    prompt = next(a for a in book.json()["actions"] if a["func"] == "alert")["args"][0]
    assert "得分汇总" in prompt and "没有本工具写出的标记" in prompt


def test_read_book_snapshot_reads_what_the_file_adapter_reads(xw):
    for path in SAMPLES:
        book = xw.Book(json=book_payload(path, xw.__version__))
        live = excel.read_book_snapshot(book)
        from_file = read_snapshot(path)
        assert set(live) == set(from_file)
        assert score_snapshot(live).plan.sheets[0].grid() == score_snapshot(from_file).plan.sheets[0].grid()
        assert book.json()["actions"] == []  # reading queues nothing


def test_snapshot_anchors_a_used_range_that_does_not_start_at_a1():
    class Used:
        row, column, shape = 3, 2, (2, 2)

        def options(self, **options):
            assert options == {"ndim": 2, "err_to_str": True}
            return self

        value = [["x", 1.0], [None, "#DIV/0!"]]

    class Sheet:
        name = "项目信息"
        used_range = Used()
        api = {}

    class Other(Sheet):
        name = "我的草稿"

    class Book:
        sheets = [Sheet(), Other()]

    snapshot = excel.read_book_snapshot(Book())
    assert list(snapshot) == ["项目信息"]
    rows = snapshot["项目信息"]
    assert rows[:2] == [[], []]
    assert rows[2] == [None, "x", 1.0]
    assert rows[3][2] == "#DIV/0!" and type(rows[3][2]).__name__ == "ExcelErrorValue"


def _template_payload(xw, tmp_path, drop: str):
    from openpyxl import load_workbook as load

    sample = next(p for p in SAMPLES if p.name.startswith("西山"))
    wb = load(sample)
    del wb[drop]
    path = tmp_path / "broken.xlsx"
    wb.save(path)
    return book_payload(path, xw.__version__)


def test_not_a_template_says_so_in_chinese_and_writes_nothing(xw, tmp_path):
    payload = _template_payload(xw, tmp_path, "指标体系")
    book = xw.Book(json=payload)
    assert excel.score_book(book) is None
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"]
    prompt, _title, _buttons, mode, _ = actions[0]["args"]
    assert mode == "critical"
    assert "不是有效的绩效评价模板" in prompt and "指标体系" in prompt


def test_an_unexpected_error_is_a_message_not_a_traceback(xw, monkeypatch):
    def boom(book, plan, project=""):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(excel, "apply_plan", boom)
    sample = SAMPLES[0]
    book = xw.Book(json=book_payload(sample, xw.__version__))
    assert excel.score_book(book) is None
    alerts = [a for a in book.json()["actions"] if a["func"] == "alert"]
    assert len(alerts) == 1
    prompt = alerts[0]["args"][0]
    assert "意外错误" in prompt and "RuntimeError" in prompt and "磁盘已满" in prompt
    assert "Traceback" not in prompt and "File \"" not in prompt


def test_main_scores_the_calling_book(xw):
    sample = next(p for p in SAMPLES if p.name.startswith("西山"))
    book = xw.Book(json=book_payload(sample, xw.__version__))
    book.set_mock_caller()
    try:
        import perfeval_xl

        perfeval_xl.main()
    finally:
        del xw.Book._mock_caller
    funcs = [a["func"] for a in book.json()["actions"]]
    n_sheets = len(score_snapshot(read_snapshot(sample)).plan.sheets)
    assert funcs.count("addSheet") == n_sheets and funcs[-1] == "alert"


# --- pieces of the adapter ------------------------------------------------------------


@pytest.mark.parametrize("text, quoted", [
    ("=SUM(A1)", True), ("+5", True), ("-", True), ("-12.5", True), ("@x", True), ("'abc", True),
    ("26.56%", True), ("1-2", True), ("2024-05-31", True), ("2024年5月", True), ("12:30", True), ("4 PM", True),
    ("TRUE", True), ("#N/A", True), ("660,000.00", True), (" 12 ", True), ("1E5", True),
    ("资金到位率", False), ("A4", False), ("评分表-西翥", False), ("得分=2×50%", False), ("", False),
])
def test_text_excel_would_convert_is_quoted(text, quoted):
    assert excel.needs_quote(text) is quoted
    assert excel.excel_value(text) == ("'" + text if quoted else text)


def test_plan_values_as_xlwings_writes_them():
    assert excel.excel_value(Decimal("88.51")) == 88.51
    assert excel.excel_value(None) is None
    assert excel.excel_value(3) == 3
    assert excel.excel_value(dt.date(2024, 5, 31)) == dt.date(2024, 5, 31)


def test_rectangles_cover_exactly_the_cells():
    cells = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (3, 3), (3, 4), (5, 3), (5, 4)}
    rects = excel.rectangles(cells)
    covered = [(r, c) for r1, c1, r2, c2 in rects for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
    assert sorted(covered) == sorted(cells)  # no overlap, nothing missing
    assert (0, 0, 1, 1) in rects and len(rects) == 4


def test_border_groups_only_ask_for_inside_borders_that_exist():
    groups = dict((tuple(sides), rects) for sides, rects in excel.border_groups(
        [(0, 0, 0, 0), (1, 0, 1, 3), (2, 0, 5, 0), (6, 0, 8, 2)]))
    outside = tuple(excel.OUTSIDE)
    assert groups[outside] == [(0, 0, 0, 0)]
    assert groups[outside + ("inside_vertical",)] == [(1, 0, 1, 3)]
    assert groups[outside + ("inside_horizontal",)] == [(2, 0, 5, 0)]
    assert groups[outside + ("inside_vertical", "inside_horizontal")] == [(6, 0, 8, 2)]


def test_sizes_are_grouped_into_runs():
    assert excel.size_groups({0: 10, 1: 10, 2: 12, 3: 10, 5: 10}) == [(10, [(0, 1), (3, 3), (5, 5)]), (12, [(2, 2)])]


# --- the desktop path, with a recording stand-in for xlwings' COM objects ------------


class _Recorder:
    def __init__(self):
        self.calls: list[tuple[str, str, object]] = []


class _FakeFont:
    def __init__(self, rng):
        self._rng = rng

    def __setattr__(self, key, value):
        if key.startswith("_"):
            object.__setattr__(self, key, value)
        else:
            self._rng._log("font." + key, value)


class _FakeBorders:
    def __init__(self, rng):
        self._rng = rng

    def set(self, which, **kwargs):
        self._rng._log("borders", (tuple(which), kwargs["line_style"]))


class _FakeApi:
    def __init__(self, rng):
        self._rng = rng

    def Merge(self):  # noqa: N802
        self._rng._log("Merge", True)


class _FakeRange:
    def __init__(self, sheet, address):
        object.__setattr__(self, "_sheet", sheet)
        object.__setattr__(self, "_address", address)
        object.__setattr__(self, "font", _FakeFont(self))
        object.__setattr__(self, "borders", _FakeBorders(self))
        object.__setattr__(self, "api", _FakeApi(self))

    def _log(self, prop, value):
        self._sheet.recorder.calls.append((self._sheet.name, self._address, prop, value))

    def __setattr__(self, key, value):
        self._log(key, value)

    def merge(self):  # pragma: no cover - the desktop path uses api.Merge
        raise AssertionError("desktop merges go through COM directly")


class _FakePageSetup:
    def __init__(self, sheet):
        object.__setattr__(self, "_sheet", sheet)

    def __setattr__(self, key, value):
        self._sheet.recorder.calls.append((self._sheet.name, "", "PageSetup." + key, value))


class _FakeHPageBreaks:
    def __init__(self, sheet):
        self._sheet = sheet

    def Add(self, Before):  # noqa: N802, N803 (COM names)
        self._sheet.recorder.calls.append((self._sheet.name, Before, "HPageBreaks.Add", True))


class _FakeSheetApi:
    """The COM worksheet: PageSetup properties and HPageBreaks.Add are recorded; Rows(n) is "n:n"."""

    def __init__(self, sheet):
        self.PageSetup = _FakePageSetup(sheet)
        self.HPageBreaks = _FakeHPageBreaks(sheet)

    @staticmethod
    def Rows(n):  # noqa: N802
        return f"{n}:{n}"


class _FakeSheet:
    def __init__(self, name, recorder):
        self.name, self.recorder = name, recorder
        self.api = _FakeSheetApi(self)

    def range(self, address):
        if isinstance(address, tuple):
            address = f"{get_column_letter(address[1])}{address[0]}"
        return _FakeRange(self, address)

    @property
    def freeze_panes(self):
        raise AttributeError("no freeze_panes on this engine")  # like _xlwindows

    def activate(self):
        self.recorder.calls.append((self.name, "", "activate", True))


def _desktop_book():
    """A workbook of desktop Excel as the adapter sees it: engine "excel" and a COM application with
    an active window (fresh classes each call: the adapter sets attributes on them)."""

    class App:
        class engine:  # noqa: N801
            name = "excel"

        class api:  # noqa: N801
            PrintCommunication = True

            class ActiveWindow:  # noqa: N801
                pass

    class Book:
        app = App()

    return Book


def test_desktop_formats_use_multi_area_addresses_that_cover_every_cell(monkeypatch):
    """On desktop Excel the same formats are set through few multi-area ranges."""
    import re

    from openpyxl.utils.cell import range_boundaries

    monkeypatch.setattr(sys, "platform", "win32")
    recorder = _Recorder()

    Book = _desktop_book()

    sample = next(p for p in SAMPLES if p.name.startswith("西山"))
    plan = score_snapshot(read_snapshot(sample)).plan.sheet("评分表")
    sheet = _FakeSheet("评分表", recorder)
    excel.write_sheet(Book(), sheet, plan)
    calls = recorder.calls
    assert all(len(address) <= 255 for _s, address, _p, _v in calls)
    covered: dict[tuple[str, object], set[tuple[int, int]]] = {}
    for _sheet, address, prop, value in calls:
        if prop in ("value", "Merge", "column_width", "row_height", "activate") or "." in prop and prop[0].isupper():
            continue
        key = (prop, value)
        for part in address.split(","):
            if not re.fullmatch(r"[A-Z]+\d+(:[A-Z]+\d+)?", part):
                continue
            c1, r1, c2, r2 = range_boundaries(part if ":" in part else f"{part}:{part}")
            covered.setdefault(key, set()).update((r - 1, c - 1) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
    styled = plan.styled_cells()  # the planned cells and the blanks of merged areas, as the file writer formats them
    assert len(styled) > len(plan.cells)
    cells = {(r, c) for r, c, _v, _s in styled}
    assert covered[("font.name", FONT_NAME)] == cells
    formats = {STYLES[s].number_format for _r, _c, _v, s in styled} - {"General"}
    assert formats
    for number_format in formats:
        wanted = {(r, c) for r, c, _v, s in styled if STYLES[s].number_format == number_format}
        assert covered[("number_format", number_format)] == wanted
    bordered = {(r, c) for r, c, _v, s in styled if STYLES[s].border}
    assert set().union(*(cells for (p, _v), cells in covered.items() if p == "borders")) == bordered
    merges = [a for _s, a, p, _v in calls if p == "Merge"]
    assert len(merges) == len(plan.merges)
    # a dozen or so ranges per property instead of one call per cell
    formatting = [c for c in calls if c[2] not in ("value", "Merge", "column_width", "row_height", "activate")
                  and not c[2][0].isupper()]
    assert len(formatting) < len(plan.cells) / 5
    # the values go in with one write, the freeze through the window (COM)
    assert [c for c in calls if c[2] == "value"] == [("评分表", "A1", "value",
                                                      [[excel.excel_value(v) for v in row] for row in plan.grid()])]
    window = Book.app.api.ActiveWindow
    assert (window.SplitRow, window.SplitColumn, window.FreezePanes) == (plan.freeze[0], plan.freeze[1], True)


def test_desktop_merged_text_is_found_over_com():
    """A unit name merged down a column reaches the core on every row, as from a file."""

    class Cell:
        def __init__(self, r, c):
            self.MergeCells = (c == 1 and 2 <= r <= 4)
            self.MergeArea = type("Area", (), {"Row": 2, "Column": 1, "Rows": type("R", (), {"Count": 3}),
                                               "Columns": type("C", (), {"Count": 1})})

    class Api:
        class UsedRange:  # noqa: N801
            MergeCells = None  # mixed

        @staticmethod
        def Cells(r, c):  # noqa: N802
            return Cell(r, c)

    class Sheet:
        api = Api()

    rows = [["单位", "金额"], ["西翥", 1.0], [None, 2.0], [None, 3.0], ["普吉", 4.0]]
    merges = excel._com_merges(Sheet(), rows)
    assert merges == [(1, 0, 3, 0)]
    fill_merged_text(rows, merges)
    assert [r[0] for r in rows] == ["单位", "西翥", "西翥", "西翥", "普吉"]


def test_a_used_range_blown_up_by_formatting_is_trimmed_over_com():
    calls = []

    class Found:
        def __init__(self, row, column):
            self.Row, self.Column = row, column

    class Cells:
        @staticmethod
        def Find(**kwargs):  # noqa: N802
            calls.append(kwargs)
            return Found(40, 14) if kwargs["SearchOrder"] == 1 else Found(12, 9)

    class Api:
        pass

    Api.Cells = Cells

    class Range:
        def __init__(self, first, last=(1_048_576, 16)):
            self.row, self.column = first
            self.shape = (last[0] - first[0] + 1, last[1] - first[1] + 1)

    class Sheet:
        name = "人员名册"
        api = Api()

        def range(self, first, last=None):
            return Range(first, last or first)

    trimmed = excel._trimmed(Sheet(), Range((1, 1)))
    assert trimmed.shape == (40, 9)
    assert [c["SearchDirection"] for c in calls] == [2, 2]


def test_an_absurd_used_range_is_refused_with_a_chinese_message():
    class Range:
        row, column, shape = 1, 1, (1_048_576, 16_384)

    class Sheet:
        name = "支出明细"
        api = {}

    with pytest.raises(excel.TemplateError) as info:
        excel._trimmed(Sheet(), Range())
    assert info.value.sheet == "支出明细" and "请删除多余的空行空列" in info.value.message


def test_a_hand_made_sheet_with_an_output_name_stops_the_button(xw, tmp_path):
    from openpyxl import load_workbook

    sample = next(p for p in SAMPLES if p.name.startswith("西山"))
    path = tmp_path / sample.name
    wb = load_workbook(sample)
    wb.create_sheet("得分汇总")["A1"] = "手工汇总"
    wb.save(path)
    book = xw.Book(json=book_payload(path, xw.__version__))
    assert excel.score_book(book) is None
    funcs = [a["func"] for a in book.json()["actions"]]
    assert "deleteSheet" not in funcs and "addSheet" not in funcs and "setValues" not in funcs
    prompt = next(a for a in book.json()["actions"] if a["func"] == "alert")["args"][0]
    assert "得分汇总" in prompt and "改名" in prompt


def test_desktop_page_setup_and_manual_page_breaks(monkeypatch):
    """On desktop Excel the page setup goes through COM (landscape, one page wide, print titles, page
    numbers) and every planned row break becomes HPageBreaks.Add(Before=Rows(row + 1))."""
    from perfeval_xl.core.writeplan import SheetBuilder

    monkeypatch.setattr(sys, "platform", "win32")
    recorder = _Recorder()

    Book = _desktop_book()

    b = SheetBuilder("分页示例", [12, 12])
    b.header(["单位", "得分"])
    for n in range(12):
        b.values([f"单位{n + 1}", n], ["text", "number"])
    b.plan.row_breaks = [9, 5, 0]
    excel.write_sheet(Book(), _FakeSheet("分页示例", recorder), b.plan)
    setup = {p: v for _s, _a, p, v in recorder.calls if p.startswith("PageSetup.")}
    assert setup["PageSetup.Orientation"] == 2 and setup["PageSetup.FitToPagesWide"] == 1
    assert setup["PageSetup.PrintTitleRows"] == "$1:$1" and setup["PageSetup.CenterFooter"] == "第 &P 页，共 &N 页"
    breaks = [a for _s, a, p, _v in recorder.calls if p == "HPageBreaks.Add"]
    assert breaks == ["6:6", "10:10"]  # zero-based rows 5 and 9 start new pages; row 0 never breaks
    assert Book.app.api.PrintCommunication is True
