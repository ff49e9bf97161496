"""Build core snapshots in memory (no file): rows laid out exactly as the template lays them out."""

from __future__ import annotations

from perfeval_xl.core import schema


def snapshot(info: dict, tables: dict) -> dict:
    rows = [["项目", "内容", "说明"]]
    for f in schema.PROJECT_INFO.fields:
        rows.append([f.label, info.get(f.label, f.default), ""])
    result = {schema.PROJECT_INFO.name: rows}
    for sheet in schema.TABLE_SHEETS:
        data = tables.get(sheet.name, [])
        grid = [[sheet.help] + [None] * (len(sheet.columns) - 1), [c.header for c in sheet.columns]]
        for row in data:
            grid.append([row.get(c.header) for c in sheet.columns])
        result[sheet.name] = grid
    return result
