"""A small workbook package for the spreadsheet parser, with the parts it reads stored, in memory.

The guard (:mod:`perfeval_xl.io.guard`) inflates every part of a workbook before any parser sees it;
python-calamine would then inflate the input sheets again.  For a small workbook the guard hands the
parser, instead of the file, the file's own bytes followed by the small parts it reads, as the guard
inflated them, as *stored* (uncompressed) entries, and a central directory pointing at those entries
instead of the deflated ones (whose bytes stay where they were, no longer pointed at).  Every other
entry, its local header and its data, is the file's, byte for byte: the parser reads exactly the same
part contents, and for each stored part no longer sets up an inflater (for a small part most of what
inflating it costs: a 五华-size workbook has seventeen input sheets).  The CRC-32 and sizes are the zip
directory's (the guard checked the CRC as it inflated): nothing is compressed or checksummed again.

The package is a list of pieces (:func:`stored_copy`) read through :class:`PiecesReader`, never joined
into one more buffer.  Why the limits (measured on a 2-core machine): python-calamine reads a Python file object whole, in growing chunks, into a buffer of its
own; for a large package that costs more than inflating (a 100,000-row ledger is read tens of ms slower
than from its path), hence :data:`PARSER_COPY_LIMIT`.  Storing large parts too (the 五华 sample's
208 KB 报告数据 sheet) makes that buffer so large that, allocated and freed for every workbook, the C
allocator hands it back to the system and faults it in again (about 500 page faults, 1 ms of system
time per file: more than inflating costs), hence :data:`STORED_PART_LIMIT`.

The zip records use :mod:`zipfile`'s layouts.  A package this cannot copy exactly as described (ZIP64,
several disks, bytes before the archive) gets no copy: the parser reads the file."""

from __future__ import annotations

import io
import struct
import zipfile
from bisect import bisect_right
from itertools import accumulate
from typing import Mapping

#: the package with its stored parts may be at most this large; a larger one the parser reads from its file
PARSER_COPY_LIMIT = 1024 * 1024
#: only a part that inflates to at most this is stored: what inflating a small part costs is mostly
#: setting up the inflater, and a large part read through a file object costs about what inflating saves
STORED_PART_LIMIT = 64 * 1024

#: zipfile's record layouts and signatures (its ``structCentralDir``, ``structFileHeader``,
#: ``structEndArchive`` and ``string…`` names, which its type stubs do not declare; a test checks they agree)
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_END = struct.Struct("<4s4H2LH")
_CENTRAL_SIGNATURE = b"PK\001\002"
_LOCAL_SIGNATURE = b"PK\003\004"
_END_SIGNATURE = b"PK\005\006"
#: a general-purpose flag: sizes and CRC follow the data (a data descriptor); never on an entry written here
_DATA_DESCRIPTOR = 0x08
_UTF8_NAME = 0x800
_ZIP64_MARK = 0xFFFFFFFF


def _end_record(package: bytes) -> int | None:
    """Where the end-of-central-directory record starts: the last signature whose comment length
    reaches exactly the end of the package (a comment may itself hold the signature)."""
    position = len(package)
    floor = max(0, len(package) - _END.size - 0xFFFF)
    while True:
        position = package.rfind(_END_SIGNATURE, floor, position)
        if position < 0:
            return None
        if position + _END.size <= len(package):
            comment_length = _END.unpack_from(package, position)[7]
            if position + _END.size + comment_length == len(package):
                return position


class PiecesReader:
    """A read-only file over byte pieces, read in order (what python-calamine needs of a file object: it
    reads it whole, in growing chunks): the copy is never joined into one more buffer of its own."""

    def __init__(self, pieces: list[bytes | memoryview]):
        self._pieces = [memoryview(piece) for piece in pieces if len(piece)]
        self._starts = list(accumulate((len(piece) for piece in self._pieces), initial=0))
        self._index = 0  # the piece read next, and where in it
        self._offset = 0

    def tell(self) -> int:
        return self._starts[self._index] + self._offset

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        size = self._starts[-1]
        position = offset + (self.tell() if whence == io.SEEK_CUR else size if whence == io.SEEK_END else 0)
        if position < 0:
            raise ValueError(f"negative seek position {position}")
        position = min(position, size)
        self._index = bisect_right(self._starts, position) - 1
        self._offset = position - self._starts[self._index]
        return position

    def read(self, size: int = -1) -> bytes:
        taken: list[memoryview] = []
        pieces = self._pieces
        while self._index < len(pieces) and size != 0:
            piece = pieces[self._index]
            left = len(piece) - self._offset
            take = left if size < 0 else min(size, left)
            taken.append(piece[self._offset:self._offset + take])
            if size > 0:
                size -= take
            if take == left:
                self._index, self._offset = self._index + 1, 0
            else:
                self._offset += take
        return b"".join(taken)


def stored_copy(package: bytes, inflated: Mapping[str, bytes]) -> list[bytes | memoryview] | None:
    """``package`` (a whole zip file) with each deflated part named in ``inflated`` stored as those
    bytes, as pieces to read in order (:class:`PiecesReader`); None when the package's layout is one this does not copy (see the module's text) or
    when no part named is deflated there with exactly that size."""
    end = _end_record(package)
    if end is None:
        return None
    (_, disk, directory_disk, entries_here, entries, directory_size, directory_start,
     comment_length) = _END.unpack_from(package, end)
    if disk or directory_disk or entries_here != entries or directory_start + directory_size != end \
            or directory_start == _ZIP64_MARK or directory_size == _ZIP64_MARK:
        return None  # several disks, ZIP64, or bytes before the archive (offsets would not be the file's)
    appended: list[bytes] = []
    directory: list[bytes] = []
    tail = directory_start  # where the next appended entry starts
    position = directory_start
    stored_any = False
    for _ in range(entries):
        if position + _CENTRAL.size > end:
            return None
        record = _CENTRAL.unpack_from(package, position)
        if record[0] != _CENTRAL_SIGNATURE:
            return None
        (_, create_version, create_system, extract_version, extract_system, flags, method, time, date,
         crc, compressed, size, name_length, extra_length, comment_length_entry, disk_start,
         internal_attr, external_attr, header_offset) = record
        length = _CENTRAL.size + name_length + extra_length + comment_length_entry
        if _ZIP64_MARK in (compressed, size, header_offset):
            return None
        raw_name = package[position + _CENTRAL.size:position + _CENTRAL.size + name_length]
        data = inflated.get(raw_name.decode("utf-8" if flags & _UTF8_NAME else "cp437", "replace")) \
            if method == zipfile.ZIP_DEFLATED else None
        if data is None or len(data) != size:
            directory.append(package[position:position + length])
        else:
            entry_flags = flags & ~_DATA_DESCRIPTOR
            appended.append(_LOCAL.pack(_LOCAL_SIGNATURE, extract_version, extract_system, entry_flags,
                                        zipfile.ZIP_STORED, time, date, crc, size, size, name_length, 0))
            appended.append(raw_name)
            appended.append(data)
            directory.append(_CENTRAL.pack(
                _CENTRAL_SIGNATURE, create_version, create_system, extract_version, extract_system, entry_flags,
                zipfile.ZIP_STORED, time, date, crc, size, size, name_length, extra_length, comment_length_entry,
                disk_start, internal_attr, external_attr, tail))
            directory.append(package[position + _CENTRAL.size:position + length])
            tail += _LOCAL.size + name_length + size
            stored_any = True
        position += length
    if position != end or not stored_any:
        return None
    if tail > _ZIP64_MARK:
        return None
    return [memoryview(package)[:directory_start], *appended, *directory,
            _END.pack(_END_SIGNATURE, 0, 0, entries, entries, directory_size, tail, comment_length),
            memoryview(package)[end + _END.size:]]
