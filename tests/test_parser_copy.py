"""The guard's copy of a small package for python-calamine (io/parser_copy.py): calamine reads exactly
what it reads from the file (every sheet's values and merged ranges, on varied workbooks), the copy is
the file's bytes with the small parts calamine reads stored, and the limits send other files to the file."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

import corpus_gen as cg
from perfeval_xl.io import guard, parser_copy, snapshot
from perfeval_xl.io.guard import inspect_workbook
from perfeval_xl.io.parser_copy import STORED_PART_LIMIT, PiecesReader, stored_copy


def _sheets(workbook: CalamineWorkbook) -> dict[str, object]:
    """Every sheet's values and merged ranges, as calamine reads them."""
    seen: dict[str, object] = {}
    for name in workbook.sheet_names:
        try:
            sheet = workbook.get_sheet_by_name(name)
            seen[name] = (sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges)
        except Exception as exc:  # a damaged sheet: the same failure both ways
            seen[name] = type(exc).__name__
    return seen


def _copy_of(path: Path) -> list[bytes | memoryview] | None:
    """The guard's copy with every sheet scanned (so every small worksheet is stored)."""
    return inspect_workbook(path, None, parser_copy=True).parser_copy


def assert_calamine_reads_the_same(path: Path, *, copied: bool = True) -> None:
    copy = _copy_of(path)
    assert (copy is not None) == copied
    if copy is not None:
        assert _sheets(CalamineWorkbook.from_filelike(PiecesReader(copy))) == _sheets(snapshot._open_calamine(path))


def _written(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("sample", [cg.WUHUA, cg.XISHAN], ids=["wuhua", "xishan"])
def test_samples_read_the_same_both_ways(sample):
    assert_calamine_reads_the_same(sample)
    # and the reader's snapshot (input sheets, special cells, merged text, findings) is the file's
    original = inspect_workbook

    def without_copy(*args, **kwargs):
        kwargs["parser_copy"] = False
        return original(*args, **kwargs)

    with_copy = snapshot.read_snapshot(sample)
    snapshot.inspect_workbook = without_copy  # type: ignore[assignment]
    try:
        from_file = snapshot.read_snapshot(sample)
    finally:
        snapshot.inspect_workbook = original  # type: ignore[assignment]
    assert dict(with_copy) == dict(from_file) and with_copy.findings == from_file.findings
    assert with_copy.inspection is not None and with_copy.inspection.parser_copy is None  # dropped once read


def test_copy_is_the_file_with_small_read_parts_stored():
    data = cg.WUHUA.read_bytes()
    inspection = inspect_workbook(cg.WUHUA, {"项目信息", "报告数据"}, parser_copy=True)
    assert inspection.parser_copy is not None
    copy = b"".join(inspection.parser_copy)
    with zipfile.ZipFile(io.BytesIO(data)) as original, zipfile.ZipFile(io.BytesIO(copy)) as copied:
        assert copied.testzip() is None  # every entry's CRC-32 (the directory's) matches its bytes
        assert copied.namelist() == original.namelist()
        stored = {i.filename for i in copied.infolist() if i.compress_type == zipfile.ZIP_STORED}
        # 项目信息 (sheet2.xml, 7,873 bytes) is stored, with the workbook part, its relationships, the
        # package's and styles; 报告数据 (sheet19.xml, 208,069 bytes: above STORED_PART_LIMIT) and the
        # sheets not scanned (使用说明, sheet1.xml) stay deflated, as in the file
        assert stored == {"xl/worksheets/sheet2.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                          "_rels/.rels", "xl/styles.xml"}
        assert original.getinfo("xl/worksheets/sheet19.xml").file_size > STORED_PART_LIMIT
        for info in original.infolist():
            assert copied.read(info.filename) == original.read(info.filename)
        start = original.start_dir  # the file's entries, byte for byte, before the stored ones
    assert copy[:start] == data[:start]


def test_zipfile_layouts_agree():
    assert parser_copy._CENTRAL.format == zipfile.structCentralDir  # type: ignore[attr-defined]
    assert parser_copy._LOCAL.format == zipfile.structFileHeader  # type: ignore[attr-defined]
    assert parser_copy._END.format == zipfile.structEndArchive.decode()  # type: ignore[attr-defined]
    assert (parser_copy._CENTRAL_SIGNATURE, parser_copy._LOCAL_SIGNATURE, parser_copy._END_SIGNATURE) == (
        zipfile.stringCentralDir, zipfile.stringFileHeader, zipfile.stringEndArchive)  # type: ignore[attr-defined]


def test_non_utf8_file_name(tmp_path):
    raw = os.fsencode(tmp_path) + b"/" + "评价".encode("gbk") + b".xlsx"  # what unzip leaves of 评价.xlsx
    with open(raw, "wb") as handle:
        handle.write(cg.XISHAN.read_bytes())
    assert_calamine_reads_the_same(Path(os.fsdecode(raw)))


def test_xlsm_with_a_macro_part(tmp_path):
    data = cg.zip_edit(cg.WUHUA.read_bytes(), {
        "xl/vbaProject.bin": bytes(range(256)) * 40,  # binary: not XML, copied as it is
        "[Content_Types].xml": lambda xml: xml.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")})
    path = _written(tmp_path, "宏.xlsm", data)
    assert_calamine_reads_the_same(path)


def test_zip_comment_and_data_descriptors(tmp_path):
    """Entries written to a stream that cannot seek (sizes in data descriptors after the data) and an
    archive comment: copied and read the same."""
    out = io.BytesIO()

    class Unseekable(io.RawIOBase):
        def writable(self):
            return True

        def write(self, data):
            return out.write(data)

    with zipfile.ZipFile(io.BytesIO(cg.XISHAN.read_bytes())) as source, \
            zipfile.ZipFile(Unseekable(), "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        target.comment = "报送单位的备注".encode()
    path = _written(tmp_path, "descriptors.xlsx", out.getvalue())
    with zipfile.ZipFile(path) as check:
        assert all(info.flag_bits & 0x08 for info in check.infolist())
    assert_calamine_reads_the_same(path)


def test_limits_and_layouts_without_a_copy(tmp_path, monkeypatch):
    # bytes before the archive (a self-extracting layout): zipfile reads it, offsets are not the file's
    prefixed = _written(tmp_path, "prefixed.xlsx", b"\0" * 100 + cg.XISHAN.read_bytes())
    assert stored_copy(prefixed.read_bytes(), {"xl/styles.xml": b""}) is None
    # a package over the limit is read from its file
    monkeypatch.setattr(guard, "PARSER_COPY_LIMIT", cg.WUHUA.stat().st_size)
    assert_calamine_reads_the_same(cg.WUHUA, copied=False)
    assert snapshot.read_snapshot(cg.WUHUA).inspection is not None


def test_pieces_reader_reads_and_seeks_as_a_file():
    pieces: list[bytes | memoryview] = [b"abc", b"", memoryview(b"defgh"), b"i", bytes(range(200))]
    whole = b"".join(pieces)
    reader, expected = PiecesReader(pieces), io.BytesIO(whole)
    for size in (1, 0, 2, 4, 7, -1, 3):  # across piece boundaries, then all that is left, then nothing
        assert reader.read(size) == expected.read(size)
    for offset, whence in ((5, io.SEEK_SET), (-3, io.SEEK_END), (-2, io.SEEK_CUR), (0, io.SEEK_SET), (999, io.SEEK_SET)):
        assert reader.seek(offset, whence) == min(expected.seek(offset, whence), len(whole))
        assert reader.tell() == min(expected.tell(), len(whole))
        assert reader.read(6) == expected.read(6)


@pytest.mark.slow
def test_every_corpus_variant_reads_the_same(tmp_path):
    """Each variant of the malformed corpus the guard lets through: calamine reads the same both ways."""
    copied = 0
    for variant in cg.all_variants():
        path, _ = cg.write_variant(variant, tmp_path)
        try:
            copy = _copy_of(path)
        except guard.HostileFile:
            continue
        if copy is None:
            continue
        copied += 1
        try:
            from_file: object = _sheets(snapshot._open_calamine(path))
        except Exception as exc:
            from_file = type(exc).__name__
        try:
            from_copy: object = _sheets(CalamineWorkbook.from_filelike(PiecesReader(copy)))
        except Exception as exc:
            from_copy = type(exc).__name__
        assert from_copy == from_file, variant.id
    assert copied > 200  # the corpus's variants mostly pass the guard (the count at the time of writing: 280)
