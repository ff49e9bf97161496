"""Review reads each file once (issue 12 item 5): one guard and one parse give the template input
sheets and every other sheet (forms, pasted tables), and the number formats of the other sheets come
from the package's bytes instead of openpyxl.  What review finds must be exactly what the two reads
(template sheets, then the others with openpyxl's formats) found."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import SAMPLES
from perfeval_xl.io import displayed
from perfeval_xl.io.snapshot import read_snapshot
from perfeval_xl.review import other_sheets, read_for_review, review_json, review_snapshot

XISHAN = SAMPLES / "西山区社区党组织服务群众专项经费2024.xlsx"
WUHUA = SAMPLES / "五华区五个先锋奖励经费2023.xlsx"

#: number formats a pasted table carries, with a value each (General, fixed decimals, percent,
#: grouped, custom with text, a date, text, currency built-ins)
FORMATS = [("General", 3.14159), ("0.00", 4.5), ("0.00%", 0.9918), ("0%", 0.455), ("#,##0.00", 1234567.891),
           ("0.0", 2.25), ('"¥"#,##0.00', 88.5), ("0.000_ ", 1.0005), ("yyyy-mm-dd", 45000), ("@", 7),
           ("#,##0_);(#,##0)", -1234.5), ("0.00E+00", 12345.678), ("[Red]0.00", 3.333)]


def _two_reads(path: Path):
    """The reads review made before: the template sheets, then the other sheets with openpyxl's formats."""
    snapshot = read_snapshot(path)
    names = other_sheets(path, list(snapshot.inspection.parts))
    others = dict(read_snapshot(path, sheets=set(names))) if names else {}
    displayed._apply_with_openpyxl(path, others, [n for n in names if n in others])
    return snapshot, others


def _forms_workbook(path: Path) -> Path:
    """Two published self-evaluation forms and a pasted table whose numbers carry formats."""
    from form_builder import central_form, provincial_form
    from form_data import CHIZHOU_ENTRUSTED, QINGSHEN_WAGES

    book = Workbook()
    central_form(book.active, 1, CHIZHOU_ENTRUSTED)
    book.active.title = "池州"
    provincial_form(book.create_sheet("青神"), 1, QINGSHEN_WAGES)
    table = book.create_sheet("附表")
    table.append(["项目", "预算数", "执行数", "执行率"])
    for name, budget, spent in (("甲", 100, 99.18), ("乙", 50.5, 50.5)):
        table.append([name, budget, spent, spent / budget])
    table.append(["合计", 150.5, 149.68, 149.68 / 150.5])
    for row in table.iter_rows(min_row=2):
        row[1].number_format = row[2].number_format = "#,##0.00"
        row[3].number_format = "0.00%"
    book.save(path)
    return path


@pytest.fixture(params=["西山", "五华", "自评表"])
def workbook(request, tmp_path) -> Path:
    return {"西山": XISHAN, "五华": WUHUA}.get(request.param) or _forms_workbook(tmp_path / "自评表.xlsx")


def test_one_read_finds_what_two_reads_found(workbook):
    before_snapshot, before_others = _two_reads(workbook)
    snapshot, others = read_for_review(workbook)
    assert dict(snapshot) == dict(before_snapshot) and snapshot.findings == before_snapshot.findings
    assert others == before_others and others  # every sample has pasted tables or forms
    before = review_snapshot(before_snapshot, before_others, with_plan=False)
    after = review_snapshot(snapshot, others, with_plan=False)
    assert after.result.slips == before.result.slips and after.findings == before.findings
    assert review_json(after) == review_json(before)


def test_one_guard_and_one_parse_per_file(monkeypatch):
    from perfeval_xl.io import guard, snapshot

    calls = {"guard": 0, "calamine": 0, "openpyxl": 0}
    inspect, opened = guard.inspect_workbook, snapshot.CalamineWorkbook.from_path
    opened_copy = snapshot.CalamineWorkbook.from_filelike  # the guard's copy of a small package (io/parser_copy.py)

    def counted(name, function):
        def call(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)
        return call

    class Calamine:
        from_path = staticmethod(counted("calamine", opened))
        from_filelike = staticmethod(counted("calamine", opened_copy))

    monkeypatch.setattr(snapshot, "inspect_workbook", counted("guard", inspect))
    monkeypatch.setattr(snapshot, "CalamineWorkbook", Calamine)
    monkeypatch.setattr(displayed, "_apply_with_openpyxl", counted("openpyxl", displayed._apply_with_openpyxl))
    snap, others = read_for_review(WUHUA)
    assert calls == {"guard": 1, "calamine": 1, "openpyxl": 0}
    assert "报告数据" in snap and "附件2" in others and "评分录入" not in others


def test_each_part_inflated_once_the_package_opened_once(monkeypatch):
    # the number formats of the pasted tables come from the parts the guard inflated: the styles
    # part and the sheets are not read again from a second opening of the package
    import types

    from perfeval_xl.io import guard

    opened = {"guard": 0, "displayed": 0}

    def counting(name):
        def open_zip(*args, **kwargs):
            opened[name] += 1
            return zipfile.ZipFile(*args, **kwargs)
        return types.SimpleNamespace(**{**vars(zipfile), "ZipFile": open_zip})

    monkeypatch.setattr(guard, "zipfile", counting("guard"))
    monkeypatch.setattr(displayed, "zipfile", counting("displayed"))
    snap, others = read_for_review(WUHUA)
    assert opened == {"guard": 1, "displayed": 0}
    assert snap.inspection.data == {}  # served the formats, then dropped: the snapshot keeps no bytes
    _, before = _two_reads(WUHUA)
    assert others == before  # the formats applied from the shared parts are openpyxl's


def test_review_checks_ownership_from_the_read(monkeypatch, tmp_path):
    # review_file decides which sheets are ours to replace from the sheets the guard read with
    # their marks: the package is not opened again for it (the writer opens it to copy it)
    import shutil

    from perfeval_xl.io import ownership
    from perfeval_xl.review import review_file

    def never(*args, **kwargs):
        raise AssertionError("the package was opened again for ownership")

    monkeypatch.setattr(ownership, "file_ownership", never)
    source = tmp_path / "五华.xlsx"
    shutil.copyfile(WUHUA, source)
    reviewed = review_file(source)
    assert reviewed.output is not None and reviewed.output.exists() and "复核意见" in reviewed.plan.names


def _formats_book(path: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "格式"
    for r, (number_format, value) in enumerate(FORMATS, start=1):
        ws.cell(r, 1, number_format)
        for c in (2, 3):
            cell = ws.cell(r, c, value)
            cell.number_format = number_format
    ws.cell(len(FORMATS) + 1, 2, 9.876)  # a number without any style
    book.save(path)
    return path


def _rewrite_sheet(path: Path, edit) -> Path:
    """A copy of the workbook with its first sheet's XML passed through ``edit``."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, edit(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    target = path.with_name("改写.xlsx")
    target.write_bytes(out.getvalue())
    return target


def _shown_both_ways(path: Path):
    fast = dict(read_snapshot(path, sheets={"格式"}))
    slow = {name: [list(row) for row in rows] for name, rows in fast.items()}
    displayed.apply_formats(path, fast, ["格式"])
    displayed._apply_with_openpyxl(path, slow, ["格式"])
    return fast["格式"], slow["格式"]


def test_formats_from_the_package_are_openpyxls(tmp_path):
    fast, slow = _shown_both_ways(_formats_book(tmp_path / "格式.xlsx"))
    assert fast == slow
    shown = {row[0]: row[1] for row in fast}
    assert (shown["0.00%"], shown["#,##0.00"], shown["0.0"], shown['"¥"#,##0.00'], shown["0.000_ "]) == \
        ("99.18%", "1,234,567.89", "2.3", "88.50", "1.001")  # 2.25 → 2.3 and 1.0005 → 1.001: half up
    assert shown["General"] == 3.14159 and shown["0.00E+00"] == 12345.678 and fast[-1][1] == 9.876


def test_a_declared_dimension_bounds_the_formats_as_in_openpyxl(tmp_path):
    """openpyxl reads no further than the sheet's <dimension>: a number beyond it stays a number."""
    source = _formats_book(tmp_path / "格式.xlsx")
    # (openpyxl closes the element as <dimension ref="…"/> with lxml, <dimension ref="…" /> without)
    path = _rewrite_sheet(source, lambda xml: re.sub(rb'<dimension ref="A1:C14"\s*/>', b'<dimension ref="A1:B3"/>', xml))
    fast, slow = _shown_both_ways(path)
    assert fast == slow
    assert fast[2][1] == "99.18%" and fast[2][2] == 0.9918 and fast[3][1] == 0.455


def test_an_unusual_sheet_is_left_to_openpyxl(tmp_path, monkeypatch):
    source = _formats_book(tmp_path / "格式.xlsx")
    path = _rewrite_sheet(source, lambda xml: re.sub(rb' s="([0-9]+)"', rb" s='\1'", xml, count=1))
    used = []
    monkeypatch.setattr(displayed, "_apply_with_openpyxl",
                        lambda *args, original=displayed._apply_with_openpyxl: used.append(1) or original(*args))
    fast, slow = _shown_both_ways(path)
    assert fast == slow and used == [1, 1]


def test_builtin_formats_are_openpyxls():
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    assert displayed.BUILTIN_FORMATS == BUILTIN_FORMATS


def test_a_sheet_of_texts_is_checked_before_it_is_passed_over(tmp_path, monkeypatch):
    """A sheet without numbers (a report table pasted as text) changes nothing, but one written in a way
    only openpyxl reads still goes to openpyxl, as a sheet with numbers does (which then says whether it
    can read it)."""
    book = Workbook()
    ws = book.active
    ws.title = "格式"
    for r, (number_format, _) in enumerate(FORMATS, start=1):
        ws.cell(r, 1, number_format)
        ws.cell(r, 2, f"{r}.00").number_format = "0.00"  # a figure typed as text, in a styled cell
    source = tmp_path / "文字.xlsx"
    book.save(source)
    used = []
    monkeypatch.setattr(displayed, "_apply_with_openpyxl",
                        lambda *args, original=displayed._apply_with_openpyxl: used.append(1) or original(*args))
    fast, slow = _shown_both_ways(source)
    assert fast == slow and fast[1] == ["0.00", "2.00"] and used == [1]  # only _shown_both_ways' own call
    unusual = _rewrite_sheet(source, lambda xml: re.sub(rb' s="([0-9]+)"', rb" s='\1'", xml, count=1))
    fast, slow = _shown_both_ways(unusual)
    assert fast == slow and used == [1, 1, 1]  # the unusual sheet was left to openpyxl


@pytest.mark.parametrize("path", [XISHAN, WUHUA])
def test_the_guards_styles_part_reads_as_defusedxml_reads_it(path):
    """The styles part the guard kept (a DOCTYPE or ENTITY refused) is read by the standard library's
    parser: the same number format for every cell format as through defusedxml."""
    with zipfile.ZipFile(path) as archive:
        formats = displayed._cell_formats(archive.read)
        assert formats and displayed._cell_formats(archive.read, vetted=True) == formats
