"""xlwings' remote engine on Linux: build ``xw.Book(json=...)`` payloads from files and
replay the actions a script queued (test helper, not product code).

``book_payload(path)`` gives what the xlwings JavaScript client sends for a workbook
(``getBookData``: every sheet's values anchored at A1, empty cells as ``""``, dates as
ISO strings ending in ``Z`` — see ``xlwings/pro/_xlremote.py``: ``Books.open``,
``_clean_value_data_element``, ``Sheet.used_range``).  Defined names go as the clients send
them: only names of type range (``NamedItemType.range`` in xlwings' ``xlwings/js/xlwings.ts``,
``namedItem.type === "Range"`` in xlwings Server's ``getBookData``), each with the position of the
sheet it refers to and its address without the sheet (``1:1048576``, ``A1:B2``), never its
definition; a name whose value is a constant or an error is not sent at all.

:class:`Replay` applies the queued actions (``book.json()["actions"]``) to a model of
that workbook the way the Office.js client would, for the subset of actions
perfeval uses; any other action fails the test. The quote prefix is honoured: a
value written as ``'=x`` is the text ``=x``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook


def _js_value(value):
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat() + ".000Z"
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).isoformat() + ".000Z"
    if value is None:
        return ""
    return value


def book_payload(path: Path, version: str, name: str | None = None) -> dict:
    """The json of ``xw.Book(json=...)`` for a workbook file, as the Office.js client sends it."""
    workbook = CalamineWorkbook.from_path(str(path))
    sheets = []
    for sheet_name in workbook.sheet_names:
        rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        width = max((len(row) for row in rows), default=0)
        values = [[_js_value(v) for v in row] + [""] * (width - len(row)) for row in rows]
        sheets.append({
            "name": sheet_name, "values": values or [[]], "pictures": [], "tables": [], "shapes": [],
            "charts": [], "notes": [], "pivot_tables": [], "show_gridlines": True, "print_area": None,
        })
    return {
        "client": "Office.js",
        "version": version,
        "book": {"name": name or path.name, "active_sheet_index": 0, "selection": "A1"},
        "names": _names_payload(path),
        "sheets": sheets,
    }


def lite_payload(payload: dict, meta: dict) -> dict:
    """``payload`` as xlwings' Office.js client sends it to a script with ``include``/``exclude``
    (``meta`` from ``xlwings.server.custom_scripts_meta``; getBookData): a sheet left out is sent as
    ``[[]]``, without its sheet-scoped names."""
    import copy

    include = meta["include"].split(",") if meta.get("include") else None
    exclude = meta["exclude"].split(",") if meta.get("exclude") else []
    payload = copy.deepcopy(payload)
    left_out = set()
    for index, sheet in enumerate(payload["sheets"]):
        if (include is not None and sheet["name"] not in include) or sheet["name"] in exclude:
            sheet["values"] = [[]]
            left_out.add(index)
    payload["names"] = [n for n in payload["names"] if n["book_scope"] or n["scope_sheet_index"] not in left_out]
    return payload


#: a definition that is one rectangle of one sheet (what Office.js calls a range name)
_REFERENCE = re.compile(r"=?(?:'((?:[^']|'')+)'|([^'!\[\]():,=+*/^&<>\"%{}-]+))!"
                        r"(\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?|\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}"
                        r"|\$?\d+:\$?\d+)")


def _reference(definition: str) -> tuple[str, str] | None:
    """(sheet name, address without ``$``) of a definition that refers to one range, else None."""
    match = _REFERENCE.fullmatch(definition.strip())
    if match is None:
        return None
    sheet = match[1].replace("''", "'") if match[1] is not None else match[2]
    return sheet, match[3].replace("$", "").upper()


def _name_entries(sheet_names: list[str], defined: list[tuple[str, int | None, str]]) -> list[dict]:
    """The names of a workbook as the clients send them: (name, scope sheet index or None,
    definition) → the range names only, book-scoped first, in the order given."""
    names = []
    for name, scope, definition in sorted(defined, key=lambda d: d[1] is not None):
        target = _reference(definition)
        if target is None or target[0] not in sheet_names:
            continue  # not of type range: the client leaves it out
        local = scope is not None
        names.append({"name": name, "sheet_index": sheet_names.index(target[0]), "address": target[1],
                      "scope_sheet_name": sheet_names[scope] if local else None,
                      "scope_sheet_index": scope if local else None, "book_scope": not local})
    return names


def _names_payload(path: Path) -> list[dict]:
    """The workbook's defined names as the Office.js client sends them (range names only)."""
    import zipfile

    from perfeval_xl.io.xlsx_package import Package

    with zipfile.ZipFile(path) as zf:
        package = Package(zf)
        sheets = [s.name for s in package.sheets]
        defined = [(d.name, d.local_sheet if d.local_sheet is not None and d.local_sheet < len(sheets) else None,
                    d.value) for d in package.defined_names if not d.name.startswith("_xlnm.")]
    return _name_entries(sheets, defined)


@dataclass
class SheetModel:
    name: str
    values: dict[tuple[int, int], object] = field(default_factory=dict)
    formats: dict[tuple[int, int], dict[str, object]] = field(default_factory=dict)
    borders: dict[tuple[int, int], set[str]] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    frozen: str | None = None
    touched: bool = False  # any action addressed this sheet
    #: sheet-scoped defined names: name → definition
    defined: dict[str, str] = field(default_factory=dict)
    #: charts in the order added: name, type, source (sheet, address), anchor, size, title, axes, legend
    charts: list[dict] = field(default_factory=list)

    def grid(self) -> list[list[object]]:
        if not self.values:
            return []
        rows = max(r for r, _ in self.values) + 1
        cols = max(c for _, c in self.values) + 1
        return [[self.values.get((r, c)) for c in range(cols)] for r in range(rows)]


def _letters_to_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


_SIDE_CELLS = {
    "edge_top": lambda r, c, r1, c1, r2, c2: {"top"} if r == r1 else set(),
    "edge_bottom": lambda r, c, r1, c1, r2, c2: {"bottom"} if r == r2 else set(),
    "edge_left": lambda r, c, r1, c1, r2, c2: {"left"} if c == c1 else set(),
    "edge_right": lambda r, c, r1, c1, r2, c2: {"right"} if c == c2 else set(),
    "inside_horizontal": lambda r, c, r1, c1, r2, c2: ({"top"} if r > r1 else set()) | ({"bottom"} if r < r2 else set()),
    "inside_vertical": lambda r, c, r1, c1, r2, c2: ({"left"} if c > c1 else set()) | ({"right"} if c < c2 else set()),
}

#: actions that change nothing we model
_IGNORED = {"setScreenUpdating", "alert", "activateSheet"}


class Replay:
    """The workbook after the queued actions, as far as perfeval's actions go."""

    def __init__(self, payload: dict):
        self.sheets: list[SheetModel] = []
        for sheet in payload["sheets"]:
            model = SheetModel(sheet["name"])
            for r, row in enumerate(sheet["values"]):
                for c, value in enumerate(row):
                    if value != "":
                        model.values[(r, c)] = value
            self.sheets.append(model)
        for name in payload.get("names", []):
            if not name["book_scope"]:
                assert "refers_to" not in name, "the clients send no definition"
                target = self.sheets[name["sheet_index"]].name.replace("'", "''")
                self.sheets[name["scope_sheet_index"]].defined[name["name"]] = f"='{target}'!{name['address']}"
        self.alerts: list[list] = []
        self.active: str | None = None
        self.counts: dict[str, int] = {}

    def sheet(self, name: str) -> SheetModel:
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def rename(self, old: str, new: str) -> None:
        """The user renames a sheet: Excel rewrites every reference to it, names' too."""
        self.sheet(old).name = new
        quoted = "'" + old.replace("'", "''") + "'"
        for sheet in self.sheets:
            for name, definition in sheet.defined.items():
                target = _reference(definition)
                if target is not None and target[0] == old:
                    rest = definition.strip().lstrip("=")
                    rest = rest[len(quoted):] if rest.startswith(quoted) else rest[len(old):]
                    sheet.defined[name] = "='" + new.replace("'", "''") + "'" + rest

    def payload(self, version: str, name: str = "Book1.xlsx") -> dict:
        """The workbook as it now is, as the client sends it to the next run (range names only)."""
        sheet_names = self.names
        sheets = []
        for sheet in self.sheets:
            grid = sheet.grid()
            width = max((len(row) for row in grid), default=0)
            values = [["" if v is None else v for v in row] + [""] * (width - len(row)) for row in grid]
            sheets.append({
                "name": sheet.name, "values": values or [[]], "pictures": [], "tables": [], "shapes": [],
                "charts": [], "notes": [], "pivot_tables": [], "show_gridlines": True, "print_area": None,
            })
        defined = [(n, index, d) for index, sheet in enumerate(self.sheets) for n, d in sheet.defined.items()]
        return {"client": "Office.js", "version": version,
                "book": {"name": name, "active_sheet_index": 0, "selection": "A1"},
                "names": _name_entries(sheet_names, defined), "sheets": sheets}

    def run(self, actions: list[dict]) -> "Replay":
        for action in actions:
            self.apply(action)
        return self

    def _cells(self, action):
        r0, c0 = action["start_row"], action["start_column"]
        for r in range(r0, r0 + action["row_count"]):
            for c in range(c0, c0 + action["column_count"]):
                yield r, c

    def _format(self, action, key, value):
        sheet = self.sheets[action["sheet_position"]]
        for cell in self._cells(action):
            sheet.formats.setdefault(cell, {})[key] = value

    def apply(self, action: dict) -> None:
        func, args = action["func"], action["args"]
        self.counts[func] = self.counts.get(func, 0) + 1
        if func in _IGNORED:
            if func == "alert":
                self.alerts.append(args)
            if func == "activateSheet":
                self.active = self.sheets[action["sheet_position"]].name
            return
        if func == "addSheet":
            self.sheets.insert(args[0], SheetModel(args[1], touched=True))
            return
        sheet = self.sheets[action["sheet_position"]]
        sheet.touched = True
        if func == "sheetDelete":
            self.sheets.remove(sheet)
        elif func == "setValues":
            r0, c0 = action["start_row"], action["start_column"]
            assert len(action["values"]) == action["row_count"]
            for dr, row in enumerate(action["values"]):
                assert len(row) == action["column_count"]
                for dc, value in enumerate(row):
                    if isinstance(value, str) and value.startswith("'"):
                        value = value[1:]  # the quote prefix: Excel keeps the rest as text
                    elif isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and len(value) > 1:
                        raise AssertionError(f"{value!r} would be read as a formula")
                    if value == "" or value is None:
                        sheet.values.pop((r0 + dr, c0 + dc), None)
                    else:
                        sheet.values[(r0 + dr, c0 + dc)] = value
        elif func == "setNumberFormat":
            self._format(action, "number_format", args[0])
        elif func == "setFontProperty":
            self._format(action, args[0], args[1])
        elif func == "setRangeColor":
            self._format(action, "fill", args[0])
        elif func == "setWrapText":
            self._format(action, "wrap", args[0])
        elif func == "setHorizontalAlignment":
            self._format(action, "align", args[0])
        elif func == "setVerticalAlignment":
            self._format(action, "valign", args[0])
        elif func == "setBorderProperty":
            side, attribute, value = args
            r1, c1 = action["start_row"], action["start_column"]
            r2, c2 = r1 + action["row_count"] - 1, c1 + action["column_count"] - 1
            if attribute != "line_style":
                return
            for r, c in self._cells(action):
                edges = _SIDE_CELLS[side](r, c, r1, c1, r2, c2)
                if value == "continuous":
                    sheet.borders.setdefault((r, c), set()).update(edges)
        elif func == "rangeMerge":
            r1, c1 = action["start_row"], action["start_column"]
            sheet.merges.append((r1, c1, r1 + action["row_count"] - 1, c1 + action["column_count"] - 1))
        elif func == "setColumnWidth":
            for c in range(action["start_column"], action["start_column"] + action["column_count"]):
                sheet.widths[c] = args[0]
        elif func == "setRowHeight":
            for r in range(action["start_row"], action["start_row"] + action["row_count"]):
                sheet.heights[r] = args[0]
        elif func == "namesAdd":
            sheet.defined[args[0]] = args[1]
        elif func == "freezePaneAtRange":
            sheet.frozen = args[0]
        elif func == "addChart":
            name, chart_type, source_sheet, source, left, top, width, height, plot_by, anchor, style = args
            sheet.charts.append({"name": name, "type": chart_type, "source": (source_sheet, source), "anchor": anchor,
                                 "left": left, "top": top, "width": width, "height": height, "plot_by": plot_by,
                                 "axes": {}, "legend": {}})
        elif func == "setChartTitle":
            sheet.charts[args[0]]["title"] = args[1]
        elif func == "setChartAxis":
            sheet.charts[args[0]]["axes"].setdefault(args[1], {}).update(args[2])
        elif func == "setChartLegend":
            sheet.charts[args[0]]["legend"][args[1]] = args[2]
        else:
            raise AssertionError(f"action {func} is not modelled")


def frozen_cell(frozen: str) -> tuple[int, int]:
    """'1:3' → (3, 0); 'A1:B5' → (5, 2); 'A:B' → (0, 2): the first unfrozen cell, zero-based."""
    if re.fullmatch(r"1:\d+", frozen):
        return int(frozen.split(":")[1]), 0
    if re.fullmatch(r"A:[A-Z]+", frozen):
        return 0, _letters_to_index(frozen.split(":")[1]) + 1
    match = re.fullmatch(r"A1:([A-Z]+)(\d+)", frozen)
    assert match, frozen
    return int(match.group(2)), _letters_to_index(match.group(1)) + 1
