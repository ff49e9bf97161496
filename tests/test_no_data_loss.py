"""Nothing lost: input sheets compare equal after scoring, .xlsm keeps its VBA, every
write is atomic, a file open in Excel gets a clear message, --in-place keeps a backup."""

from __future__ import annotations

import errno
import io
import os
import stat
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

import corpus_gen as cg
from perfeval_xl.cli import main
from perfeval_xl.core import schema
from perfeval_xl.extensions import is_output_sheet
from perfeval_xl.io import atomic
from perfeval_xl.io.atomic import TEMP_PREFIX

XLWINGS_XLSM = None
try:  # a real VBA project to carry: xlwings' quickstart workbook
    import xlwings

    XLWINGS_XLSM = Path(xlwings.__file__).parent / "quickstart.xlsm"
except ImportError:  # pragma: no cover
    pass


# --- a rich source workbook -------------------------------------------------------------------

FORMULAS = {  # sheet, cell → (formula, cached value, type)
    ("资金情况", "K3"): ("B3*2", "1320000", "n"),
    ("资金情况", "L3"): ('"预算"&B3', "预算660000.00", "str"),
    ("资金情况", "M3"): ("B3>0", "1", "b"),
    ("用户自己的表", "B2"): ("SUM(B1:B1)", "5", "n"),
}


def rich_workbook(tmp_path: Path) -> Path:
    """The seed-000 sample plus what evaluators add: formulas with calculated values,
    styles, merges, validations, comments, defined names, widths, a sheet of their own."""
    wb = load_workbook(cg.XISHAN)
    ws = wb["资金情况"]
    ws["J3"].font = Font(bold=True, color="FF0000")
    ws["J3"].fill = PatternFill("solid", fgColor="FFFF00")
    ws["J3"].number_format = "#,##0.00"
    ws["J4"] = "手工备注"
    ws["J4"].comment = Comment("评价人员的批注", "张三")
    ws.merge_cells("J6:J7")
    ws.column_dimensions["J"].width = 33.5
    ws.row_dimensions[5].height = 27
    dv = DataValidation(type="whole", operator="between", formula1="0", formula2="9")
    ws.add_data_validation(dv)
    dv.add("N3:N9")
    ws.conditional_formatting.add("B3:B9", CellIsRule(operator="lessThan", formula=["0"], fill=PatternFill("solid", fgColor="FFC7CE")))
    for (sheet, cell), (formula, _, _) in FORMULAS.items():
        if sheet not in wb.sheetnames:
            own = wb.create_sheet(sheet)
            own["A1"] = "输入"
            own["B1"] = 5
            own.sheet_properties.tabColor = "00B050"
        wb[sheet][cell] = "=" + formula
    wb.defined_names["预算总额"] = DefinedName("预算总额", attr_text="资金情况!$B$3")
    wb["指标体系"].defined_names["本表编码"] = DefinedName("本表编码", attr_text="指标体系!$A$3:$A$30")
    raw = io.BytesIO()
    wb.save(raw)
    # openpyxl writes formulas without values: put the calculated values in, as Excel would have
    data = raw.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        from perfeval_xl.io.guard import sheet_parts

        parts = sheet_parts(zf)
    changes = {}
    for (sheet, cell), (formula, value, ctype) in FORMULAS.items():
        part = parts[sheet]
        previous = changes.get(part)

        def edit(xml, cell=cell, formula=formula, value=value, ctype=ctype, previous=previous):
            xml = previous(xml) if previous else xml
            return cg.set_cell(xml, cell, cg.Formula(formula, value, ctype))
        changes[part] = edit
    path = tmp_path / "评价.xlsx"
    path.write_bytes(cg.zip_edit(data, changes))
    return path


# --- comparing input sheets ---------------------------------------------------------------------

def _style(cell):
    # style proxies of two workbooks never compare equal; their full repr does
    return tuple(repr(x) for x in (cell.font, cell.fill, cell.border, cell.alignment, cell.protection)) + (cell.number_format,)


def _sheet_state(ws) -> dict:
    cells = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is None and not c.has_style and c.comment is None:
                continue
            cells[c.coordinate] = (c.value, c.data_type, _style(c),
                                   (c.comment.text, c.comment.author) if c.comment else None,
                                   c.hyperlink.target if c.hyperlink else None)
    validations = sorted((dv.type, dv.operator, dv.formula1, dv.formula2, str(dv.sqref), dv.allow_blank,
                          dv.showErrorMessage, dv.error, dv.errorTitle) for dv in ws.data_validations.dataValidation)
    formats = sorted((str(cf.sqref), tuple((r.type, r.operator, tuple(r.formula or ())) for r in cf.rules))
                     for cf in ws.conditional_formatting)
    widths = {k: (d.width, d.hidden) for k, d in ws.column_dimensions.items() if d.width or d.hidden}
    heights = {k: (d.height, d.hidden) for k, d in ws.row_dimensions.items() if d.height or d.hidden}
    return {"cells": cells, "merged": sorted(str(r) for r in ws.merged_cells.ranges), "validations": validations,
            "formats": formats, "widths": widths, "heights": heights, "freeze": ws.freeze_panes,
            "state": ws.sheet_state, "names": {n: d.attr_text for n, d in ws.defined_names.items()},
            "tab": ws.sheet_properties.tabColor}


def input_sheet_names(wb) -> list[str]:
    return [n for n in wb.sheetnames if not is_output_sheet(n)]


def assert_input_sheets_equal(source: Path, scored: Path) -> None:
    for data_only in (False, True):
        a = load_workbook(source, data_only=data_only, keep_vba=source.suffix == ".xlsm")
        b = load_workbook(scored, data_only=data_only, keep_vba=scored.suffix == ".xlsm")
        names = input_sheet_names(a)
        assert input_sheet_names(b) == names  # same sheets, same order
        for name in names:
            assert _sheet_state(a[name]) == _sheet_state(b[name]), name
        assert {n: d.attr_text for n, d in a.defined_names.items()} == {n: d.attr_text for n, d in b.defined_names.items()}
    # a reader that does not calculate (python-calamine) sees the same values
    from python_calamine import CalamineWorkbook

    ca, cb = CalamineWorkbook.from_path(str(source)), CalamineWorkbook.from_path(str(scored))
    for name in input_sheet_names(load_workbook(source, read_only=True)):
        assert ca.get_sheet_by_name(name).to_python() == cb.get_sheet_by_name(name).to_python(), name


@pytest.mark.slow
def test_input_sheets_survive_scoring(tmp_path, capsys):
    source = rich_workbook(tmp_path)
    before = source.read_bytes()
    out = tmp_path / "scored.xlsx"
    assert main(["score", str(source), "-o", str(out)]) == 0, capsys.readouterr()
    assert source.read_bytes() == before
    assert_input_sheets_equal(source, out)
    # the formulas kept their calculated values in the scored copy
    values = load_workbook(out, data_only=True)
    for (sheet, cell), (_, value, ctype) in FORMULAS.items():
        got = values[sheet][cell].value
        expected = float(value) if ctype == "n" else value if ctype == "str" else value == "1"
        assert got == expected, (sheet, cell, got)


@pytest.mark.slow
def test_scoring_a_scored_copy_again_changes_nothing(tmp_path, capsys):
    source = rich_workbook(tmp_path)
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    assert main(["score", str(source), "-o", str(first), "--json"]) == 0
    one = capsys.readouterr().out
    assert main(["score", str(first), "-o", str(second), "--json"]) == 0
    two = capsys.readouterr().out
    assert one == two  # same scores, no new findings (e.g. no "formula without value")
    assert_input_sheets_equal(source, second)


# --- .xlsm ---------------------------------------------------------------------------------------

def make_xlsm(tmp_path: Path) -> tuple[Path, bytes]:
    """The sample with a real VBA project (xlwings' quickstart.xlsm) added."""
    if XLWINGS_XLSM is not None and XLWINGS_XLSM.exists():
        with zipfile.ZipFile(XLWINGS_XLSM) as zf:
            vba = zf.read("xl/vbaProject.bin")
    else:  # pragma: no cover - a stand-in compound file
        vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 20

    def content_types(xml: bytes) -> bytes:
        xml = xml.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                          b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
        return xml.replace(b"<Default ", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default ', 1)

    def rels(xml: bytes) -> bytes:
        return xml.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
                                                 b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')

    data = cg.zip_edit(cg.XISHAN.read_bytes(), {"[Content_Types].xml": content_types,
                                                 "xl/_rels/workbook.xml.rels": rels, "xl/vbaProject.bin": vba})
    path = tmp_path / "宏工作簿.xlsm"
    path.write_bytes(data)
    return path, vba


@pytest.mark.slow
def test_xlsm_keeps_its_vba(tmp_path, capsys):
    source, vba = make_xlsm(tmp_path)
    assert main(["score", str(source)]) == 0, capsys.readouterr()
    out = tmp_path / "宏工作簿_评分.xlsm"
    with zipfile.ZipFile(out) as zf:
        assert zf.read("xl/vbaProject.bin") == vba
        assert b"macroEnabled" in zf.read("[Content_Types].xml")
        assert b"vbaProject.bin" in zf.read("xl/_rels/workbook.xml.rels")
        assert "得分汇总" in zf.read("xl/workbook.xml").decode("utf-8")
    assert_input_sheets_equal(source, out)


def test_xlsm_in_place_keeps_vba_and_backup(tmp_path, capsys):
    source, vba = make_xlsm(tmp_path)
    original = source.read_bytes()
    assert main(["score", str(source), "--in-place"]) == 0, capsys.readouterr()
    backups = list(tmp_path.glob("宏工作簿_备份_*.xlsm"))
    assert len(backups) == 1 and backups[0].read_bytes() == original
    with zipfile.ZipFile(source) as zf:
        assert zf.read("xl/vbaProject.bin") == vba


# --- atomic writes ------------------------------------------------------------------------------

def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX)]


@pytest.fixture
def crash_mid_save(monkeypatch):
    """Make the next file write put half its bytes on disk, then fail with the given exception
    (a crash, a full disk, a killed process), whichever writer is in use."""
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, handle, exc):
            self.handle, self.exc = handle, exc

        def write(self, data):
            self.handle.write(data[: max(1, len(data) // 2)])
            self.handle.flush()
            raise self.exc

        def __getattr__(self, name):
            return getattr(self.handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            self.handle.close()
            return False

    def arm(exc: BaseException):
        monkeypatch.setattr(atomic.os, "fdopen", lambda fd, mode="r", *a, **k: HalfWriter(real_fdopen(fd, mode, *a, **k), exc))
    return arm


@pytest.mark.parametrize("exc, phrase", [
    (OSError(errno.ENOSPC, "No space left on device"), "磁盘空间不足"),
    (RuntimeError("killed"), "内部错误"),
])
def test_crash_mid_write_leaves_old_output_and_no_temp(tmp_path, capsys, crash_mid_save, exc, phrase, monkeypatch):
    monkeypatch.delenv("PERFEVAL_DEBUG", raising=False)
    source = tmp_path / cg.XISHAN.name
    source.write_bytes(cg.XISHAN.read_bytes())
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"the previous scored copy")
    crash_mid_save(exc)
    assert main(["score", str(source), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert phrase in err and "Traceback" not in err
    assert out.read_bytes() == b"the previous scored copy"
    assert source.read_bytes() == cg.XISHAN.read_bytes()
    assert _leftovers(tmp_path) == []


def test_interrupt_mid_in_place_write_keeps_the_original(tmp_path, crash_mid_save):
    from perfeval_xl.pipeline import score_file

    source = tmp_path / cg.XISHAN.name
    source.write_bytes(cg.XISHAN.read_bytes())
    crash_mid_save(KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        score_file(source, in_place=True)
    assert source.read_bytes() == cg.XISHAN.read_bytes()
    assert _leftovers(tmp_path) == []
    backups = list(tmp_path.glob("*_备份_*.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == cg.XISHAN.read_bytes()


def test_a_temp_file_left_by_kill_9_is_removed_by_the_next_run(tmp_path, capsys):
    """Issue 9 item 7: a run killed inside its write window leaves a 0-byte hidden temp file;
    the next write into that folder removes it — only ours, only stale, only unlocked."""
    import fcntl
    import time

    source = tmp_path / cg.XISHAN.name
    source.write_bytes(cg.XISHAN.read_bytes())
    old = time.time() - atomic.STALE_SECONDS - 60

    def left(name: str, age: float = old) -> Path:
        path = tmp_path / name
        path.write_bytes(b"")
        os.utime(path, (age, age))
        return path

    stale = left(".~perfeval-k9x2_a7q.xlsx")  # what mkstemp names ours: eight random characters
    fresh = left(".~perfeval-abcdefgh.xlsx", time.time())  # a writer may be at work on it
    busy = left(".~perfeval-busybusy.xlsx")
    not_ours = [left(".~perfeval-notes.txt"), left(".~perfeval-abcdefgh.xlsx.bak"), left("~$out.xlsx.tmp")]
    link = tmp_path / ".~perfeval-linklink.xlsx"
    link.symlink_to(source)
    os.utime(link, (old, old), follow_symlinks=False)
    with open(busy, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # a writer still holding its temp file
        assert main(["score", str(source), "-o", str(tmp_path / "out.xlsx")]) == 0
    assert not stale.exists()
    assert fresh.exists() and busy.exists() and all(p.exists() for p in not_ours)
    assert link.is_symlink() and source.read_bytes() == cg.XISHAN.read_bytes()


def test_write_bytes_atomic_keeps_permissions(tmp_path):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    atomic.write_bytes_atomic(target, lambda handle: handle.write(b"new"))
    assert target.read_bytes() == b"new"
    if sys.platform != "win32":
        assert stat.S_IMODE(target.stat().st_mode) == 0o640


# --- files open in Excel / WPS ---------------------------------------------------------------

@pytest.mark.parametrize("lock_name", ["~$out.xlsx", "~$西山区社区党组织服务群众专项经费2024_评分.xlsx", "~$区社区党组织服务群众专项经费2024_评分.xlsx"])
def test_owner_file_means_open_in_excel(tmp_path, capsys, lock_name):
    source = tmp_path / cg.XISHAN.name
    source.write_bytes(cg.XISHAN.read_bytes())
    target = "out.xlsx" if lock_name == "~$out.xlsx" else None
    (tmp_path / lock_name).write_bytes(b"owner")
    args = ["score", str(source)] + (["-o", str(tmp_path / target)] if target else [])
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "正被 Excel 或 WPS 打开" in err and lock_name in err
    assert not (tmp_path / (target or "西山区社区党组织服务群众专项经费2024_评分.xlsx")).exists()


def test_replace_refused_means_open_in_excel(tmp_path, capsys, monkeypatch):
    source = tmp_path / cg.XISHAN.name
    source.write_bytes(cg.XISHAN.read_bytes())
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"open in Excel")

    def refuse(src, dst):
        raise PermissionError(13, "The process cannot access the file", str(dst))
    monkeypatch.setattr(atomic.os, "replace", refuse)
    assert main(["score", str(source), "-o", str(out), "--json"]) == 2
    captured = capsys.readouterr()
    assert "正被 Excel 或 WPS 打开" in captured.err
    assert '"findings"' in captured.out
    assert out.read_bytes() == b"open in Excel"
    assert _leftovers(tmp_path) == []


# --- --in-place ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_in_place_leaves_a_backup_each_time(tmp_path, capsys):
    source = rich_workbook(tmp_path)
    original = source.read_bytes()
    assert main(["score", str(source), "--in-place"]) == 0
    assert main(["score", str(source), "--in-place"]) == 0  # twice in the same second, perhaps
    out = capsys.readouterr().out
    assert "原文件已备份为" in out
    backups = sorted(tmp_path.glob("评价_备份_*.xlsx"), key=lambda p: p.stat().st_mtime_ns)
    assert len(backups) == 2
    assert original in (backups[0].read_bytes(), backups[1].read_bytes())
    assert "得分汇总" in load_workbook(source, read_only=True).sheetnames
    assert_input_sheets_equal(backups[0], source)


def test_default_output_never_overwrites_input(tmp_path, capsys):
    source = tmp_path / cg.XISHAN.name
    source.write_bytes(cg.XISHAN.read_bytes())
    assert main(["score", str(source), "-o", str(source)]) == 2
    assert "--in-place" in capsys.readouterr().err
    assert source.read_bytes() == cg.XISHAN.read_bytes()


def test_openpyxl_writer_keeps_calculated_values(tmp_path):
    """The openpyxl path (questionnaire import where the sheets cannot be transplanted) puts the
    formulas' cached values back (perfeval_xl.io.preserve)."""
    import io

    from perfeval_xl.io.preserve import restore_cached_values

    source = rich_workbook(tmp_path)
    out = tmp_path / "openpyxl.xlsx"
    workbook = load_workbook(source)
    workbook.create_sheet("问卷计数")  # what questionnaire import does: edit one sheet, save the rest through openpyxl
    buffer = io.BytesIO()
    workbook.save(buffer)
    out.write_bytes(restore_cached_values(source, buffer.getvalue()))
    values = load_workbook(out, data_only=True)
    assert values["资金情况"]["K3"].value == 1320000
    assert values["资金情况"]["L3"].value == "预算660000.00"
    assert values["资金情况"]["M3"].value is True
    assert values["用户自己的表"]["B2"].value == 5
    assert load_workbook(out)["资金情况"]["K3"].value == "=B3*2"
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("资金情况").to_python()
    assert rows[2][10:13] == [1320000.0, "预算660000.00", True]
