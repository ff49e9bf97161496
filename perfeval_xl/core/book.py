"""The evaluation workbook read into plain data: project info, units and table records.

A *snapshot* is what an adapter hands the core: ``{sheet name: rows}``, each row a
sequence of cell values (None, str, int, float, bool, date/datetime).  It is parsed
once, by :func:`read`; later stages work on the :class:`Book` (each record keeps its
raw row for sheets with columns the schema cannot declare, such as 问卷计数).

Two pipeline stages live here, each returning its result and its findings:
:func:`read` (snapshot → book) and :func:`normalise` (unit full names → short names,
rows of unknown units dropped).  Reading never raises on bad data: it records findings
naming sheet and cell.  Only a workbook that is not a template at all (no 项目信息 /
单位名单 / 指标体系, a required column missing) raises :class:`TemplateError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field, replace
from functools import lru_cache
from decimal import Decimal
from itertools import compress, repeat
from operator import attrgetter, is_not, itemgetter, methodcaller
from typing import TYPE_CHECKING, Any, Mapping, NamedTuple, Sequence, cast

from . import schema
from .environment import Caches
from .findings import Findings, Ref, TemplateError, cell_name
from .normalize import KIND_HINTS, CellValueError, clean_text, is_blank, parse_cell, parse_column
from .numbers import ZERO

if TYPE_CHECKING:  # pragma: no cover
    from .environment import Env

Snapshot = Mapping[str, Sequence[Sequence[object]]]


class TakenSnapshot(dict):
    """What an adapter (file or live workbook) hands the core: ``{sheet name: rows}`` plus
    ``findings``, the ``(severity, sheet, cell, message)`` it noticed while taking the values
    (hidden rows, merged cells …); :func:`read` lists them first."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.findings: list[tuple[str, str, str, str]] = []


class Record(NamedTuple):
    """One data row of a table sheet, values parsed by column kind.  Immutable; a named tuple
    rather than a frozen dataclass because a long ledger makes one per row (a fifth of the
    cost to build); change one with ``record._replace(...)``."""

    sheet: str
    row: int
    values: Mapping[str, object]
    cols: Mapping[str, int]
    #: columns whose cell could not be read (already reported as a finding)
    invalid: frozenset = frozenset()
    #: the row as read, every column, for a sheet with columns the schema cannot declare
    #: (``dynamic_columns``: the questionnaire sheets); empty for every other sheet (no tuple per
    #: row of a long ledger that nobody reads)
    raw: tuple = ()

    def get(self, key: str, default=None):
        value = self.values.get(key)
        return default if value is None else value

    def ref(self, key: str | None = None) -> Ref:
        col = self.cols.get(key, 0) if key else 0
        return _new_tuple(Ref, (self.sheet, self.row, col))  # Ref(...) without its __new__'s frame


_new_tuple = tuple.__new__
_tuple_item = tuple.__getitem__


class RowValues(tuple):
    """A record's parsed values as a read-only mapping ``{column key: value}``, laid out as one tuple: first
    the table's ``{key: place in the tuple}`` (one dict, shared by every row), then the values in column
    order.  The read stage makes a long table's rows so (:data:`LONG_TABLE_ROWS`): a tuple per row, by C
    loops, instead of a dict per row; it reads as the dict would (``get``, ``[key]``, ``in``, ``len``,
    iteration over the keys, ``keys``/``values``/``items``, equality with any mapping, unhashable)."""

    __slots__ = ()

    def get(self, key: str, default=None):
        at = _tuple_item(self, 0).get(key)
        return default if at is None else _tuple_item(self, at)

    def __getitem__(self, key):  # a mapping's look-up by key
        at = _tuple_item(self, 0).get(key)
        if at is None:
            raise KeyError(key)
        return _tuple_item(self, at)

    def __contains__(self, key) -> bool:
        return key in _tuple_item(self, 0)

    def __iter__(self):  # the keys, as a mapping's
        return iter(_tuple_item(self, 0))

    def __len__(self) -> int:
        return len(_tuple_item(self, 0))

    def keys(self):
        return _tuple_item(self, 0).keys()

    def values(self) -> list:
        return [_tuple_item(self, at) for at in _tuple_item(self, 0).values()]

    def items(self) -> list[tuple[str, object]]:
        return [(key, _tuple_item(self, at)) for key, at in _tuple_item(self, 0).items()]

    def as_dict(self) -> dict[str, object]:
        return dict(self.items())

    def __eq__(self, other) -> bool:
        if isinstance(other, MappingABC):
            return self.as_dict() == dict(other.items())
        return NotImplemented

    def __ne__(self, other) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # type: ignore[assignment]  # as a dict's

    def __repr__(self) -> str:
        return repr(self.as_dict())



MappingABC.register(RowValues)  # (isinstance(values, Mapping) holds, as for a dict)


@dataclass(frozen=True)
class Unit:
    full_name: str
    short_name: str
    ref: Ref


@dataclass(frozen=True)
class Table:
    """A table sheet as read: its header row, every header text, and its data rows."""

    header_row: int = -1
    headers: tuple[str, ...] = ()
    records: tuple[Record, ...] = ()
    def group_by(self, key: str | tuple[str, ...]) -> Mapping[object, tuple[Record, ...]]:
        """The records by their value in column ``key`` (texts stripped; None for a blank), in
        sheet order; ``key`` may be a tuple of columns: the records by the tuple of their values in them.
        A scan of the table: ask :meth:`Book.grouped`, which keeps it in the run's caches."""
        groups: dict[object, list[Record]] = {}
        if isinstance(key, tuple):
            for record in self.records:
                values = record.values
                groups.setdefault(tuple(_stripped(values.get(k)) for k in key), []).append(record)
            return {k: tuple(v) for k, v in groups.items()}
        records = self.records
        return {k: picked(records, found) for k, found in positions(column_values(records, key)).items()}


def positions(values: Sequence[object], stripped: bool = False) -> dict[object, list[int]]:
    """The positions of each value (texts stripped; None for a blank) in a column's ``values``, in
    sheet order: one pass in the order of the table's rows (a long ledger's records, read group by
    group, would each lie far in memory from the last).  ``stripped``: every text of ``values`` is
    known to be stripped already (a text column as the read stage parsed it), so none is stripped again."""
    if stripped:
        keys = values
    elif set(map(type, values)) == {str}:
        keys = list(map(str.strip, cast("Sequence[str]", values)))
    else:
        keys = list(map(_stripped, values))
    found: dict[object, list[int]] = {}
    for i, value in enumerate(keys):
        at = found.get(value)
        if at is None:
            found[value] = [i]
        else:
            at.append(i)
    return found


def picked(items: Sequence, found: list[int]) -> tuple:
    """``tuple(items[i] for i in found)`` by one C call (``found``: the positions of a group, never empty)."""
    return itemgetter(*found)(items) if len(found) > 1 else (items[found[0]],)


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


_VALUES, _ROW = attrgetter("values"), attrgetter("row")


class GroupValues(NamedTuple):
    """The row numbers and the values in one column of a group of records, in sheet order."""

    rows: Sequence[int]
    values: Sequence


def present_sum(group: GroupValues) -> tuple[Decimal, Sequence[int]]:
    """The sum (from zero) of a group's values that are not None (an amount column's Decimals) and
    the rows those values lie in, in sheet order (none: the group has no value)."""
    kept = present(group.values)
    rows, values = group.rows, group.values
    if not all(kept):
        rows, values = list(compress(rows, kept)), list(compress(values, kept))
    return sum(cast("list[Decimal]", values), ZERO), rows


def column_values(records: Sequence[Record], key: str) -> list:
    """``record.values.get(key)`` of every record, in order, by a C loop (a long ledger's column
    without bytecode per row): ``dict.get`` called on each (no method looked up per row) when every
    record's values are a dict, as the read stage makes them for most tables; the value's place in
    the tuple when every record's are the :class:`RowValues` of one long table."""
    values = list(map(_VALUES, records))
    index = _row_index(values) if values and type(values[0]) is RowValues else None
    if index is not None:
        at = index.get(key)
        return [None] * len(values) if at is None else list(map(_tuple_item, values, repeat(at)))
    try:
        return list(map(dict.get, values, repeat(key)))
    except TypeError:  # values of another mapping type (a record made elsewhere)
        return list(map(methodcaller("get", key), values))


def _row_index(values: list) -> dict[str, int] | None:
    """The ``{key: place}`` every one of ``values`` shares when each is a :class:`RowValues` (one table's
    rows); else None.  Two C passes (types, then the shared index by identity)."""
    if not values or list(map(type, values)).count(RowValues) != len(values):
        return None
    index = _tuple_item(values[0], 0)
    # (the same dict, or an equal one: the same places)
    return index if list(map(_tuple_item, values, repeat(0))).count(index) == len(values) else None


def present(values: Sequence[object]) -> list[bool]:
    """For each value: is it not None (the flags :func:`itertools.compress` takes)."""
    return list(map(is_not, values, repeat(None)))


@dataclass(frozen=True)
class Book:
    """The workbook as plain data; stages change it only through :func:`dataclasses.replace`."""

    info: Mapping[str, object]
    info_refs: Mapping[str, Ref]
    units: tuple[Unit, ...]
    tables: Mapping[str, Table]
    #: the questionnaire data (:class:`perfeval_xl.survey.book.SurveyData`), set by the
    #: attach-questionnaires stage; None before it or without questionnaire sheets
    survey: Any = None
    #: the run's caches (:class:`~.environment.Caches`, from the environment; not data, never compared):
    #: a replaced book shares them
    caches: Caches = field(default_factory=Caches, compare=False, repr=False)

    @property
    def name(self) -> str:
        return str(self.info.get("name") or "")

    @property
    def shape(self) -> str:
        return str(self.info.get("shape") or schema.SHAPE_WHOLE)

    @property
    def amount_unit(self) -> str:
        return str(self.info.get("amount_unit") or schema.UNIT_YUAN)

    def rows(self, sheet: schema.TableSheet) -> tuple[Record, ...]:
        table = self.tables.get(sheet.name)
        return table.records if table is not None else ()

    def table(self, sheet: schema.TableSheet) -> Table:
        return self.tables.get(sheet.name) or Table()

    def grouped(self, sheet: schema.TableSheet, key: str | tuple[str, ...]) -> Mapping[object, tuple[Record, ...]]:
        """:meth:`Table.group_by` of the sheet, built once per run (per-unit and per-code look-ups
        do not rescan the table)."""
        table = self.table(sheet)
        if isinstance(key, tuple):
            return self.caches.grouped(table, key, lambda: table.group_by(key))
        records = table.records
        return self.caches.grouped(table, key, lambda: {
            k: picked(records, found) for k, found in self._positions(table, sheet, key).items()})

    def grouped_values(self, sheet: schema.TableSheet, by: str, key: str) -> Mapping[object, GroupValues]:
        """For each group of :meth:`grouped` ``(sheet, by)``: its records' row numbers and values in
        column ``key``, in sheet order; built once per run in one pass over the table in sheet order
        (a long ledger's rows read group by group would each lie far in memory from the last)."""
        table = self.table(sheet)

        def index() -> dict[object, GroupValues]:
            rows, values = self.row_numbers(sheet), self.column(sheet, key)
            return {group: GroupValues(picked(rows, found), picked(values, found))
                    for group, found in self._positions(table, sheet, by).items()}

        return self.caches.derived(table, f"{key} by {by}", index)

    def group_sum(self, group: GroupValues) -> tuple[Decimal, Sequence[int]]:
        """:func:`present_sum` of a group of :meth:`grouped_values`, made once per run (a unit's ledger
        total: the check stage compares it with 资金情况, the indicators score it)."""
        return self.caches.derived(group, "sum of the values present", lambda: present_sum(group))

    def column(self, sheet: schema.TableSheet, key: str) -> tuple:
        """``record.values.get(key)`` of every record of the sheet, in order; built once per run (from the
        column the read stage parsed, when this is the table it read: no pass over the records)."""
        table = self.table(sheet)

        def make() -> tuple:
            read: dict[str, list] = self.caches.derived(table, _COLUMNS_AS_READ, dict)
            parsed = read.get(key)
            return tuple(parsed) if parsed is not None else tuple(column_values(table.records, key))

        return self.caches.derived(table, f"column {key}", make)

    def row_numbers(self, sheet: schema.TableSheet) -> tuple[int, ...]:
        """``record.row`` of every record of the sheet, in order; built once per run."""
        table = self.table(sheet)
        return self.caches.derived(table, "row numbers", lambda: tuple(map(_ROW, table.records)))

    def cells(self, sheet: schema.TableSheet, col: int) -> tuple[Ref, ...]:
        """``Ref(sheet, record.row, col)`` of every record of the sheet, in order; built once per run
        (a long ledger's amount cells: the project's total names them all)."""
        table = self.table(sheet)

        def make() -> tuple[Ref, ...]:
            rows = self.row_numbers(sheet)  # each Ref by tuple.__new__ over the zipped fields: a C loop
            return tuple(map(tuple.__new__, repeat(Ref, len(rows)), zip(repeat(sheet.name), rows, repeat(col))))

        return self.caches.derived(table, f"cells of column {col}", make)

    def grouped_cells(self, sheet: schema.TableSheet, by: str, col: int) -> Mapping[object, tuple[Ref, ...]]:
        """For each group of :meth:`grouped` ``(sheet, by)``: its records' :meth:`cells`, in sheet order;
        the very Ref objects of :meth:`cells`, picked by a C call per group (a unit's ledger cells are
        not made again), built once per run."""
        table = self.table(sheet)

        def index() -> dict[object, tuple[Ref, ...]]:
            cells = self.cells(sheet, col)
            return {group: picked(cells, found) for group, found in self._positions(table, sheet, by).items()}

        return self.caches.derived(table, f"cells of column {col} by {by}", index)

    def _positions(self, table: Table, sheet: schema.TableSheet, by: str) -> dict[object, list[int]]:
        def make() -> dict[object, list[int]]:
            # a text column as the read stage parsed it holds stripped texts and None (parse_column): as they are
            as_read = by in self.caches.derived(table, _COLUMNS_AS_READ, dict)
            texts = all(column.kind in _TEXT_KINDS for column in sheet.columns if column.key == by)
            return positions(self.column(sheet, by), stripped=as_read and texts)

        return self.caches.derived(table, f"positions by {by}", make)

    def unit(self, short_name: str) -> Unit | None:
        def index() -> dict[str, Unit]:
            return {unit.short_name: unit for unit in reversed(self.units)}  # the first of a repeated name wins

        return self.caches.derived(self.units, "units by name", index).get(short_name)


def _find_sheet(snapshot: Snapshot, name: str):
    if name in snapshot:
        return snapshot[name]
    # tolerate stray spaces in tab names
    for key in snapshot:
        if key.strip() == name:
            return snapshot[key]
    return None


def _read_info(snapshot: Snapshot, findings: Findings) -> tuple[dict, dict]:
    sheet = schema.PROJECT_INFO
    rows = _find_sheet(snapshot, sheet.name)
    if rows is None:
        raise TemplateError(sheet.name, "A1", f"找不到工作表“{sheet.name}”：这不是绩效评价模板（可用 perfeval new 生成模板）")
    labels = {f.label: f for f in sheet.fields}
    info: dict[str, object] = {}
    refs: dict[str, Ref] = {}
    for r, row in enumerate(rows):
        if not row:
            continue
        label = clean_text(row[0]).rstrip("：:")
        fld = labels.get(label)
        if fld is None:
            continue
        ref = Ref(sheet.name, r, 1)
        refs[fld.key] = ref
        raw = row[1] if len(row) > 1 else None
        try:
            value = parse_cell(fld.kind, raw, choices=fld.choices)
        except CellValueError as exc:
            if fld.required:  # 评价形态 / 金额单位 decide how everything is read: never fall back to a default
                raise TemplateError(sheet.name, ref.cell, f"“{fld.label}”{exc}；应填写{KIND_HINTS[fld.kind]}") from exc
            findings.error(ref, f"“{fld.label}”{exc}；应填写{KIND_HINTS[fld.kind]}，已按默认值“{fld.default}”处理"
                           if fld.default is not None else f"“{fld.label}”{exc}；应填写{KIND_HINTS[fld.kind]}")
            value = None
        info[fld.key] = value
    for fld in sheet.fields:
        if info.get(fld.key) is None:
            if fld.required:  # a required field left blank is an error at its cell, never a default
                where = refs.get(fld.key)
                if where is None:
                    raise TemplateError(sheet.name, "A1", f"找不到“{fld.label}”这一行：这是必填项，请按模板在 A 列写“{fld.label}”、"
                                        "B 列填写其值")
                choices = f"（可选：{'、'.join(fld.choices)}）" if fld.choices else ""
                raise TemplateError(sheet.name, where.cell, f"“{fld.label}”未填写：这是必填项，请在 B 列填写{choices}")
            if fld.default is not None:
                info[fld.key] = parse_cell(fld.kind, fld.default, choices=fld.choices)
    return info, refs


def header_text(value: object) -> str:
    """A header cell as compared with the schema: line breaks and spaces inside ignored
    (``实际 支出`` and ``实际\n支出`` are the column 实际支出)."""
    return re.sub(r"\s+", "", clean_text(value))


#: :func:`header_text` of a text or number cell, remembered (by type too: 1, 1.0 and True are
#: different cells): the first ten rows of every table sheet are compared with its headers,
#: file after file the same cells
_header_text_remembered = lru_cache(maxsize=4096, typed=True)(header_text)
_REMEMBERED_HEADER_TYPES = frozenset({str, int, float})


def _header_key(value: object) -> str:
    """:func:`header_text` of a cell or a schema header, remembered where it can be."""
    return ("" if value is None else _header_text_remembered(value) if type(value) in _REMEMBERED_HEADER_TYPES
            else header_text(value))


def _header_shown(value: object) -> str:
    """A header cell as :attr:`Table.headers` keeps it: its text, line breaks dropped."""
    return clean_text(value).replace("\n", "")


#: :func:`_header_shown` of a text or number cell, remembered as :func:`_header_key` is (the same header
#: cells, file after file)
_shown_header = lru_cache(maxsize=4096, typed=True)(_header_shown)


def _header_row(rows, sheet: schema.TableSheet) -> tuple[int, dict[str, int]]:
    headers = {_header_key(c.header): c.key for c in sheet.columns}
    skip_blank = "" not in headers  # a blank cell names no column: not even looked at
    remembered, types = _header_text_remembered, _REMEMBERED_HEADER_TYPES
    # a row naming every column cannot be bettered (a later row must name more to be chosen): the scan
    # stops there, its row included (each further cell would name a column already found)
    every = len(set(headers.values()))
    best: tuple[int, dict[str, int]] = (-1, {})
    for r, row in enumerate(rows[:10]):
        found = {}
        for c, value in enumerate(row):
            if value is None and skip_blank:
                continue
            # _header_key(value), inline: the first ten rows of every table sheet, cell by cell
            text = "" if value is None else remembered(value) if type(value) in types else header_text(value)
            key = headers.get(text)
            if key is not None and key not in found:
                found[key] = c
                if len(found) == every:
                    return r, found
        if len(found) > len(best[1]):
            best = (r, found)
    return best


def _header_findings(rows, sheet: schema.TableSheet, header_row: int, cols: dict[str, int]) -> Findings:
    """A header the sheet does not have (its data not read) or a column given twice (the
    second copy not read): neither may go unsaid."""
    found = Findings()
    by_text = {_header_key(c.header): c for c in sheet.columns}
    used = set(cols.values())
    for c, value in enumerate(rows[header_row]):
        text = _header_key(value)
        if not text or c in used:
            continue
        column = by_text.get(text)
        if column is not None:
            first = cell_name(header_row, cols[column.key])
            found.error(Ref(sheet.name, header_row, c), f"“{column.header}”列出现了两次（另一列在 {first}）：只读取 {first} 那一列，"
                        "本列的数据未被读取；请删除或合并重复的列")
        elif not sheet.dynamic_columns and any(c < len(row) and not is_blank(row[c]) for row in rows[header_row + 1:]):
            expected = "、".join(col.header for col in sheet.columns if col.key not in cols)
            found.warning(Ref(sheet.name, header_row, c), f"表头“{clean_text(value)}”不是“{sheet.name}”的列，本列的数据未被读取"
                          + (f"；本表尚未找到的列有：{expected}" if expected else ""))
    return found


def _blank_row(row) -> bool:
    """No cell of the row holds anything (:func:`is_blank` of every cell, the usual cells first)."""
    for value in row:
        if value is None:
            continue
        if type(value) is str:
            if value.strip():
                return False
        elif not is_blank(value):
            return False
    return True


def _rows_with_data(rows, start: int, firsts: Sequence | None = None) -> Sequence[int]:
    """The indexes from ``start`` of the rows holding anything: a first cell with something in it
    settles most rows (every row of a long ledger whose first cells are all texts: by C loops, all
    of them kept as a range).  ``firsts``: the first cell of every row from ``start``, when the
    caller has them (every row then has one)."""
    data = rows[start:]
    if firsts is None and data and all(data):  # no row without cells
        firsts = list(map(itemgetter(0), data))
    if firsts and set(map(type, firsts)) == {str} and all(map(str.strip, firsts)):
        return range(start, len(rows))
    kept = []
    for r, row in enumerate(data, start):
        if row:
            first = row[0]
            if first is not None and (type(first) is not str or first.strip()):
                kept.append(r)
                continue
        if not _blank_row(row):
            kept.append(r)
    return kept


def _row_dicts(keys: Sequence[str], columns: Sequence[Sequence], n: int) -> list[dict]:
    """One dict per row of ``n``, ``{keys[0]: columns[0][i], …}`` in key order (a key given twice keeps its
    first place and its last value), made by C loops: no bytecode per row of a long ledger."""
    if not keys:
        return [{} for _ in range(n)]
    return list(map(dict, map(zip, repeat(keys, n), zip(*columns))))


#: a table with at least this many rows has its records' values made as :class:`RowValues` (a long
#: ledger: a tuple per row costs a third of a dict's time and memory); a shorter one as dicts
LONG_TABLE_ROWS = 10_000


def _row_values(keys: Sequence[str], columns: Sequence[Sequence], n: int) -> list[RowValues]:
    """:func:`_row_dicts` as :class:`RowValues`: the same mappings, one tuple per row made by C loops."""
    index: dict[str, int] = {}
    for place, key in enumerate(keys, 1):
        index.setdefault(key, place)  # (the first place, as a dict keeps it…)
    for place, key in enumerate(keys, 1):
        index[key] = place  # (…and the last value)
    return list(map(tuple.__new__, repeat(RowValues, n), zip(repeat(index, n), *columns)))


def _read_table(snapshot: Snapshot, sheet: schema.TableSheet, amount_unit: str, findings: Findings,
                caches: Caches | None = None) -> Table:
    """A table sheet read into its records; with ``caches``, its parsed columns are kept there for
    :meth:`Book.column` (a column of a long ledger then needs no pass over its records)."""
    rows = _find_sheet(snapshot, sheet.name)
    if rows is None:
        if not sheet.optional:
            present = "、".join(f"“{name}”" for name in snapshot) or "（无）"
            raise TemplateError(sheet.name, "A1", f"找不到工作表“{sheet.name}”，模板必须包含此表（是否改了工作表名？"
                                f"读到的工作表有：{present}）")
        if sheet.name != schema.REPORTED.name:  # 报告数据 is new: older workbooks simply lack it
            findings.warning((sheet.name, "A1"), f"工作簿中没有“{sheet.name}”工作表；如果改了名，请改回“{sheet.name}”，"
                             "否则用到它的指标会报告缺少数据")
        return Table()
    header_row, cols = _header_row(rows, sheet)
    if header_row < 0:
        if not sheet.optional or any(any(not is_blank(v) for v in row) for row in rows):
            raise TemplateError(sheet.name, cell_name(schema.HEADER_ROW, 0),
                                f"找不到表头行，第 2 行应为：{'、'.join(c.header for c in sheet.columns)}")
        return Table()
    for column in sheet.columns:
        if column.required and column.key not in cols:
            raise TemplateError(sheet.name, cell_name(header_row, 0),
                                f"表头缺少必需的列“{column.header}”（第 {header_row + 1} 行）")
    findings.extend(_header_findings(rows, sheet, header_row, cols))
    name = sheet.name
    start = header_row + 1
    data = rows[start:]
    widths = set(map(len, data))
    # every row as wide (as an adapter reads a sheet): the columns at once, the first one telling which rows hold data
    by_col = list(zip(*data)) if len(widths) == 1 and 0 not in widths else None
    kept = _rows_with_data(rows, start, None if by_col is None else by_col[0])
    if len(kept) == len(data):  # every row kept (a long ledger): its rows as they are, not picked one by one
        kept_rows = data
    else:
        kept_rows = [rows[r] for r in kept]
        if by_col is not None and len(kept) > 1:  # the kept rows' cells picked from each column by a C loop
            pick = itemgetter(*(r - start for r in kept))
            by_col = [pick(cells) for cells in by_col]
        else:
            by_col, widths = None, set(map(len, kept_rows))
    width = min(widths, default=0)
    #: every row as read, as a tuple (Record.raw), only for a sheet whose columns the schema cannot declare:
    #: from the columns below when every row is as wide
    keep_raw = sheet.dynamic_columns
    row_tuples = None
    if by_col is not None:
        if keep_raw:
            row_tuples = zip(*by_col)  # (each row's cells, the tuple zip makes: as tuple(row), without a copy per row)
    elif width and len(widths) == 1:
        by_col = list(zip(*kept_rows))
        if keep_raw:
            row_tuples = zip(*by_col)
    else:
        by_col = list(zip(*(row[:width] if len(row) > width else row for row in kept_rows))) if width else []
    columns: list[list] = []
    problems: list[tuple[int, int, Ref, str]] = []  # (row, column order, where, message)
    for order, column in enumerate(sheet.columns):
        c = cols.get(column.key)
        if c is None:
            columns.append([None] * len(kept))
            continue
        raws = by_col[c] if c < width else [row[c] if c < len(row) else None for row in kept_rows]
        values, errors = parse_column(column.kind, raws, declared_unit=amount_unit, choices=column.choices)
        for i, exc in errors.items():
            problems.append((kept[i], order, Ref(name, kept[i], c), f"“{column.header}”{exc}；应填写{KIND_HINTS[column.kind]}"))
        if column.fill_down:
            carried = None
            for i, value in enumerate(values):
                if value is None:
                    values[i] = carried
                else:
                    carried = value
        columns.append(values)
    problems.sort(key=lambda p: (p[0], p[1]))
    for _, _, where, message in problems:
        findings.error(where, message)
    invalid_at: dict[int, set[str]] = {}
    for r, order, _, _ in problems:
        invalid_at.setdefault(r, set()).add(sheet.columns[order].key)
    keys = [column.key for column in sheet.columns]
    no_invalid: frozenset[str] = frozenset()
    # Record(...) by tuple.__new__, each field laid out by a C loop (no bytecode per row of a long ledger)
    n = len(kept)
    invalid = [no_invalid] * n
    for i, r in enumerate(kept) if invalid_at else ():
        if r in invalid_at:
            invalid[i] = frozenset(invalid_at[r])
    parsed = _row_values(keys, columns, n) if n >= LONG_TABLE_ROWS and keys else _row_dicts(keys, columns, n)
    records = list(map(tuple.__new__, repeat(Record, n),
                       zip(repeat(name, n), kept, parsed, repeat(cols, n), invalid,
                           row_tuples if row_tuples is not None else map(tuple, kept_rows) if keep_raw else repeat((), n))))
    headers = tuple(_shown_header(v) if type(v) in _REMEMBERED_HEADER_TYPES else _header_shown(v) for v in rows[header_row])
    table = Table(header_row, headers, tuple(records))
    if caches is not None:  # each key's values, as the records' values hold them (a key given twice: its last)
        caches.derived(table, _COLUMNS_AS_READ, lambda: dict(zip(keys, columns)))
    return table


#: what :func:`_read_table` keeps in the run's caches for a table it read: ``{column key: parsed values}``
_COLUMNS_AS_READ = "columns as read"
#: the kinds of column whose parsed values are stripped texts or None (:func:`parse_column`)
_TEXT_KINDS = frozenset({"text", "literal"})


def read(snapshot: Snapshot, env: Env | None = None) -> tuple[Book, Findings]:
    """Stage 1: the snapshot read into a :class:`Book`; data problems become findings."""
    findings = Findings()
    for severity, sheet_name, cell, message in getattr(snapshot, "findings", ()):  # from the file adapter
        findings.add(severity, (sheet_name, cell), message)
    info, info_refs = _read_info(snapshot, findings)
    amount_unit = str(info.get("amount_unit") or schema.UNIT_YUAN)
    caches = env.caches if env is not None and env.caches is not None else Caches()
    tables = {sheet.name: _read_table(snapshot, sheet, amount_unit, findings, caches) for sheet in schema.TABLE_SHEETS}
    units = _read_units(tables[schema.UNITS.name].records, findings)
    return Book(info=info, info_refs=info_refs, units=units, tables=tables, caches=caches), findings


def _read_units(records: Sequence[Record], findings: Findings) -> tuple[Unit, ...]:
    seen: dict[str, Ref] = {}
    units: list[Unit] = []
    for rec in records:
        full = rec.get("full_name")
        short = rec.get("short_name") or full
        if not full and not short:
            continue
        if not full:
            findings.error(rec.ref("full_name"), "单位全称为空；每个单位须填写全称和简称")
            full = short
        if short in seen:
            findings.error(rec.ref("short_name"), f"单位简称“{short}”重复（首次出现在 {seen[short].cell}）；简称须唯一")
            continue
        seen[short] = rec.ref("short_name")
        units.append(Unit(str(full), str(short), rec.ref("short_name")))
    if not units:
        raise TemplateError(schema.UNITS.name, "B3", "单位名单为空：至少填写一个单位（全称和简称）")
    return tuple(units)


def normalise(book: Book, env: Env | None = None) -> tuple[Book, Findings]:
    """Stage 2: every unit named in a data sheet as its short name; rows naming a unit
    not in the unit list are reported and dropped."""
    findings = Findings()
    by_full = {u.full_name: u.short_name for u in book.units}
    shorts = {u.short_name for u in book.units}
    tables = dict(book.tables)
    for sheet in schema.TABLE_SHEETS:
        if sheet is schema.UNITS or "unit" not in {c.key for c in sheet.columns}:
            continue
        records = book.rows(sheet)
        if shorts.issuperset(filter(None, book.column(sheet, "unit"))):
            continue  # every row names a unit by its short name (or none): nothing to change
        fixed = []
        for rec in records:
            name = rec.get("unit")
            if name is None or name in shorts:
                fixed.append(rec)
                continue
            if name in by_full:
                fixed.append(rec._replace(values={**rec.values, "unit": by_full[name]}))
                continue
            findings.error(rec.ref("unit"), f"单位“{name}”不在单位名单中；应填写“单位名单”中的单位简称")
        tables[sheet.name] = replace(book.table(sheet), records=tuple(fixed))
    return replace(book, tables=tables), findings
