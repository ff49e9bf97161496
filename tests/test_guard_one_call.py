"""The guard reads a small part in one call (its compressed bytes through the zip directory,
one bounded inflate) instead of through zipfile in chunks.  Both ways must accept and refuse
the same packages with the same message: each damaged or hostile package below is inspected
both ways (``ONE_CALL_BYTES = 0`` sends every part through zipfile) and the outcomes compared."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import pytest

import corpus_gen as cg
from perfeval_xl.io import guard
from perfeval_xl.io.guard import HostileFile, inspect_workbook


def _entry_offsets(data: bytes, name: str) -> tuple[int, int]:
    """(local header offset, central directory record offset) of the entry ``name``."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        local = zf.getinfo(name).header_offset
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = int.from_bytes(data[pos + 28:pos + 30], "little")
        if data[pos + 46:pos + 46 + name_len] == name.encode():
            return local, pos
        pos = data.find(b"PK\x01\x02", pos + 4)
    raise AssertionError(name)


def _patch(data: bytes, name: str, *, size: int | None = None, crc: int | None = None,
           local_name: bytes | None = None) -> bytes:
    """``data`` with the entry's size header (local and central) or CRC (central) changed, or the
    name in its local header replaced by one of the same length."""
    out = bytearray(data)
    local, central = _entry_offsets(data, name)
    if size is not None:
        out[local + 22:local + 26] = size.to_bytes(4, "little")
        out[central + 24:central + 28] = size.to_bytes(4, "little")
    if crc is not None:
        out[central + 16:central + 20] = crc.to_bytes(4, "little")
    if local_name is not None:
        assert len(local_name) == len(name.encode())
        out[local + 30:local + 30 + len(local_name)] = local_name
    return bytes(out)


def _outcome(path: Path) -> str:
    try:
        inspection = inspect_workbook(path, keep_parts=True)
    except HostileFile as exc:
        return "refused: " + exc.message
    return "read: " + repr(sorted((k, len(v)) for k, v in inspection.data.items()))


def _stored(data: bytes) -> bytes:
    """The package with every part stored (not deflated)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    return out.getvalue()


def _sheet(lay) -> str:
    return lay.parts["资金情况"]


def _cases():
    lay = cg.layout("xishan")
    sheet = _sheet(lay)
    with zipfile.ZipFile(io.BytesIO(lay.data)) as zf:
        info = zf.getinfo(sheet)
        styles = zf.getinfo("xl/styles.xml")
    return {
        "sound": lay.data,
        # the size header understates the sheet (by less than the directory check sees): inflating stops
        # at the stated size and the CRC check fails
        "size header too small": _patch(lay.data, sheet, size=info.file_size - 40),
        # overstates it: the part inflates to what it holds, its CRC is right (zipfile reads it too)
        "size header too large": _patch(lay.data, sheet, size=info.file_size + 500),
        "crc wrong": _patch(lay.data, "xl/styles.xml", crc=styles.CRC ^ 1),
        "local name differs": _patch(lay.data, "xl/styles.xml", local_name=b"xl/styleZ.xml"),
        "utf-16 doctype": cg.zip_edit(lay.data, {sheet: cg._utf16_doctype}),
        "doctype after a comment": cg.zip_edit(
            lay.data, {"xl/styles.xml": lambda x: b"<?xml version=\"1.0\"?><!-- x --><!DOCTYPE x>" + cg._strip_decl(x)}),
        "junk then an entity": cg.zip_edit(
            lay.data, {"xl/styles.xml": lambda x: b"<?xml version=\"1.0\"?>junk <!ENTITY a \"b\">" + cg._strip_decl(x)}),
        "stored, not deflated": _stored(lay.data),
        "truncated package": lay.data[:len(lay.data) // 2] + lay.data[-200:],
    }


@pytest.mark.parametrize("case", list(_cases()))
@pytest.mark.parametrize("kept_whole", [False, True])
def test_one_call_and_chunked_reads_agree(tmp_path, monkeypatch, case, kept_whole):
    """``kept_whole``: the one-call reads with every part above the chunk size (ONE_CALL_BYTES = 0),
    so the parts kept go the way a long ledger's sheet goes, inflated at once."""
    data = _cases()[case]
    path = tmp_path / "book.xlsx"
    path.write_bytes(data)
    if kept_whole:
        monkeypatch.setattr(guard, "ONE_CALL_BYTES", 0)
    fast = _outcome(path)
    monkeypatch.setattr(guard, "ONE_CALL_BYTES", 0)
    monkeypatch.setattr(guard, "ONE_CALL_KEPT", False)
    assert _outcome(path) == fast
    expected = {"sound": "read", "size header too large": "read", "stored, not deflated": "read"}
    assert fast.startswith(expected.get(case, "refused")), fast
    if "doctype" in case or "entity" in case:
        assert "DOCTYPE/ENTITY" in fast
    if case in ("size header too small", "crc wrong", "local name differs"):
        assert "已损坏" in fast


def test_small_parts_are_read_in_one_call(tmp_path, monkeypatch):
    """The sound sample's parts all go the one-call way: none through zipfile's reader but the
    part-type table, which the check of carried parts reads before the parts are inflated."""
    lay = cg.layout("xishan")
    path = tmp_path / "book.xlsx"
    path.write_bytes(lay.data)
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def counting_open(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)
    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    inspect_workbook(path)
    assert opened == ["[Content_Types].xml"]


# --- a part kept whole is inflated into one buffer of its stated size -------------------------------

def _deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize("stated", [
    "exact",    # the size its header states is the size it inflates to
    "smaller",  # a header that lies smaller: cut at the stated size, as the one bounded call cuts it
    "larger",   # a header that lies larger: what the stream holds, shorter than stated
])
def test_whole_part_inflates_as_one_bounded_call(stated):
    # a text of 200,000 cells (about 4 MB: many input slices, each inflating to many KB)
    text = b"".join(b'<c r="A%d" t="s"><v>%d</v></c>' % (i + 1, i % 97) for i in range(200_000))
    raw = _deflated(text)
    size = {"exact": len(text), "smaller": len(text) - 12_345, "larger": len(text) + 4_096}[stated]
    expected = zlib.decompressobj(-15).decompress(raw, size)  # what the guard read before (one call)
    # with the CRC-32 of what it inflated (taken piece by piece): zlib's over the whole
    assert guard._inflate_whole(raw, size) == (expected, zlib.crc32(expected))
    assert len(expected) == min(size, len(text))


def test_whole_part_damaged_stream_raises_as_one_call():
    text = b"<row>" * 400_000
    damaged = b"\x06" + _deflated(text)[1:]  # the first block's type set to 3, which deflate does not have
    with pytest.raises(zlib.error, match="invalid block type"):
        zlib.decompressobj(-15).decompress(damaged, len(text))
    with pytest.raises(zlib.error, match="invalid block type"):
        guard._inflate_whole(damaged, len(text))
