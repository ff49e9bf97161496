"""Charts (issue 13 item 2): the chart data in the core, the 图表 sheet, and the native charts every
writer makes of it (the splice writer's DrawingML parts, openpyxl's, the xlwings adapter's).

Figures are checked by hand: 西山's 一级 rates against seed 000's text (投入 8.76/10 = 87.60 %,
过程 32.73/34 = 96.26 %, 产出 27.22/34 = 80.06 %, 效果 19.80/22 = 90.00 %; 服务对象满意度 83 %);
五华's unit totals and satisfaction from the sample's 评分表 and 满意度情况表.
"""

from __future__ import annotations

import copy
import posixpath
import re
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from openpyxl import load_workbook

from perfeval_xl.cli import main
from perfeval_xl.core.charts import CHART_SHEET, evaluation_charts
from perfeval_xl.core.writeplan import WritePlan
from perfeval_xl.io.snapshot import read_snapshot
from perfeval_xl.pipeline import score_snapshot

ROOT = Path(__file__).resolve().parent.parent
XISHAN = ROOT / "sample_workbooks" / "西山区社区党组织服务群众专项经费2024.xlsx"
WUHUA = ROOT / "sample_workbooks" / "五华区五个先锋奖励经费2023.xlsx"
D = Decimal
NS = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
      "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
      "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}

#: 五华: each unit's 总分 (评分表-<简称> 合计) and its four satisfaction rates (满意度情况表)
WUHUA_TOTALS = {"西翥": "91.00", "普吉": "90.46", "黑林铺": "88.34", "莲华": "90.00", "华山": "93.00",
                "丰宁": "91.00", "护国": "91.00", "龙翔": "90.99", "大观": "91.00", "红云": "90.93"}
WUHUA_SATISFACTION = {"西翥": ("0.9881", "0.9970", "0.9908", "0.9916"), "丰宁": ("0.9821", "0.8670", "0.9918", "0.9505"),
                      "红云": ("1.0000", "1.0000", "0.9960", "0.9988")}


@pytest.fixture(scope="module")
def scored():
    return {path.name[:2]: score_snapshot(read_snapshot(path)) for path in (XISHAN, WUHUA)}


def _charts(result):
    return {chart.title: chart for chart in evaluation_charts(result.evaluation)}


def _series(chart):
    """(name, values) of each series of a chart."""
    return tuple((s.name, s.values) for s in chart.series)


# --- the chart data (one place, shared with the Word draft) ----------------------------------------------

def test_xishan_chart_data_one_unit_no_totals_chart(scored):
    charts = _charts(scored["西山"])
    assert list(charts) == ["一级指标得分率", "各类对象满意度"]  # one unit: no 各单位总分
    level1 = charts["一级指标得分率"]
    assert level1.categories == ("投入（10分）", "过程（34分）", "产出（34分）", "效果（22分）")
    assert _series(level1) == (("得分率", (D("0.8760"), D("0.9626"), D("0.8006"), D("0.9000"))),)
    assert level1.percent and level1.minimum == 0 and level1.maximum == 1
    satisfaction = charts["各类对象满意度"]
    assert satisfaction.categories == ("服务对象", "综合满意度")
    assert _series(satisfaction) == (("满意度", (D("0.8300"), D("0.8300"))),)


def test_wuhua_chart_data_units_and_classes(scored):
    charts = _charts(scored["五华"])
    assert list(charts) == ["一级指标得分率", "各单位总分", "各单位一级指标得分率", "各单位各类对象满意度"]
    level1 = charts["一级指标得分率"]
    # 决策 12.60/15, 过程 13.00/15, 产出 39.67/40 = 0.99175 → 99.18 %, 效益 25.50/30
    assert level1.series[0].values == (D("0.8400"), D("0.8667"), D("0.9918"), D("0.8500"))
    totals = charts["各单位总分"]
    assert totals.categories == tuple(WUHUA_TOTALS)
    assert _series(totals) == (("总分", tuple(D(v) for v in WUHUA_TOTALS.values())),)
    assert totals.minimum == 0 and totals.maximum == 100  # from 0: a 70-based axis exaggerated 88.34 against 95
    by_unit = charts["各单位一级指标得分率"]
    assert by_unit.categories == tuple(WUHUA_TOTALS)
    assert [s.name for s in by_unit.series] == ["决策（15分）", "过程（15分）", "产出（40分）", "效益（30分）"]
    # 西翥 决策 12.50/15, 普吉 产出 39.46/40, 黑林铺 产出 37.34/40, 华山 决策 14.50/15
    assert by_unit.series[0].values[0] == D("0.8333") and by_unit.series[2].values[1] == D("0.9865")
    assert by_unit.series[2].values[2] == D("0.9335") and by_unit.series[0].values[4] == D("0.9667")
    assert by_unit.minimum == 0  # every value axis from 0 (it started at 70 % for a lowest 76.67 %)
    satisfaction = charts["各单位各类对象满意度"]
    assert [s.name for s in satisfaction.series] == ["奖励对象", "街道办事处职员", "社区职员", "综合满意度"]
    for unit, rates in WUHUA_SATISFACTION.items():
        i = satisfaction.categories.index(unit)
        assert tuple(s.values[i] for s in satisfaction.series) == tuple(D(r) for r in rates)
    assert satisfaction.minimum == 0  # (it started at 80 % for a lowest 86.70 %)


# --- the 图表 sheet: each series reads the cells of its table ----------------------------------------------

def _cell_values(sheet):
    return {(r, c): v for r, c, v, _ in sheet.cells}


@pytest.mark.parametrize("sample", ["西山", "五华"])
def test_chart_plans_point_at_the_figures(scored, sample):
    result = scored[sample]
    sheet = result.plan.sheet(CHART_SHEET)
    cells = _cell_values(sheet)
    data = evaluation_charts(result.evaluation)
    assert [c.title for c in sheet.charts] == [f"图{n} {d.title}" for n, d in enumerate(data, start=1)]
    for chart, expected in zip(sheet.charts, data, strict=True):
        assert chart.chart == expected  # the one chart model: the sheet places the chart the Word draft draws
        r1, c1, r2, c2 = chart.categories
        assert c1 == c2 and tuple(cells[(r, c1)] for r in range(r1, r2 + 1)) == expected.categories
        for j, series in enumerate(expected.series):
            assert series.name == cells[chart.name_cell(j)]
            v1, vc, v2, _ = chart.value_cells(j)
            assert tuple(cells.get((r, vc)) for r in range(v1, v2 + 1)) == series.values
        # the chart sits below its table, on rows of its own
        assert chart.anchor[0] > r2 and not any(r >= chart.anchor[0] and r < chart.anchor[0] + 14 for r, _ in cells)
    # every chart with its table on one printed page: a break before each block that would not fit
    assert sheet.row_breaks == ([26, 56, 88] if sample == "五华" else [26])


# --- the splice writer's parts ----------------------------------------------------------------------------

def _package(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _rels(parts, part):
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in parts:
        return {}
    out = {}
    for rel in ET.fromstring(parts[rels]).findall("rel:Relationship", NS):
        target = rel.get("Target")
        if rel.get("TargetMode") != "External":
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id")] = (rel.get("Type").rsplit("/", 1)[-1], target)
    return out


def _chart_sheet_part(parts):
    workbook = ET.fromstring(parts["xl/workbook.xml"])
    rels = _rels(parts, "xl/workbook.xml")
    for sheet in workbook.find("m:sheets", NS):
        if sheet.get("name") == CHART_SHEET:
            return rels[sheet.get(f"{{{NS['r']}}}id")][1]
    raise AssertionError("no 图表 sheet")


def _chart_parts(parts):
    """(drawing part, [chart parts]) of the 图表 sheet, every relationship resolved."""
    sheet_part = _chart_sheet_part(parts)
    sheet = ET.fromstring(parts[sheet_part])
    drawing_el = sheet.find("m:drawing", NS)
    assert drawing_el is not None and list(sheet)[-1] is drawing_el  # last: after page setup and breaks
    kind, drawing = _rels(parts, sheet_part)[drawing_el.get(f"{{{NS['r']}}}id")]
    assert kind == "drawing" and drawing in parts
    anchors = ET.fromstring(parts[drawing]).findall("xdr:oneCellAnchor", NS)
    drawing_rels = _rels(parts, drawing)
    charts = []
    for anchor in anchors:
        rid = anchor.find(".//c:chart", NS).get(f"{{{NS['r']}}}id")
        kind, chart = drawing_rels[rid]
        assert kind == "chart" and chart in parts
        charts.append(chart)
    return drawing, charts


def _content_types(parts):
    root = ET.fromstring(parts["[Content_Types].xml"])
    return {o.get("PartName").lstrip("/"): o.get("ContentType") for o in root.findall("ct:Override", NS)}


def _series_refs(chart_xml: bytes):
    root = ET.fromstring(chart_xml)
    out = []
    for ser in root.iter(f"{{{NS['c']}}}ser"):
        out.append((ser.find("c:tx//c:f", NS).text, ser.find("c:cat//c:f", NS).text, ser.find("c:val//c:f", NS).text))
    return out


def _read_ref(ws, ref: str):
    sheet, cells = ref.rsplit("!", 1)
    assert sheet == f"'{CHART_SHEET}'"
    rng = ws[cells.replace("$", "")]
    if not isinstance(rng, tuple):
        return rng.value
    return tuple(row[0].value for row in rng)


@pytest.mark.slow
def test_splice_writes_valid_chart_parts_reading_the_right_cells(tmp_path, capsys):
    source = tmp_path / WUHUA.name
    source.write_bytes(WUHUA.read_bytes())
    out = tmp_path / "scored.xlsx"
    assert main(["score", str(source), "-o", str(out)]) == 0
    parts = _package(out)
    drawing, charts = _chart_parts(parts)
    assert len(charts) == 4
    types = _content_types(parts)
    assert types[drawing] == "application/vnd.openxmlformats-officedocument.drawing+xml"
    for chart in charts:
        assert types[chart] == "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
        root = ET.fromstring(parts[chart])  # well-formed
        fonts = {e.get("typeface") for e in root.iter(f"{{{NS['a']}}}ea")}
        assert fonts == {"宋体"}  # Chinese text in a Chinese font (LibreOffice, WPS)
    ws = load_workbook(out, data_only=True)[CHART_SHEET]
    refs = [_series_refs(parts[c]) for c in charts]
    level1, totals, _by_unit, satisfaction = refs
    ((name, cats, vals),) = level1
    assert _read_ref(ws, name) == "得分率"
    assert _read_ref(ws, cats) == ("决策（15分）", "过程（15分）", "产出（40分）", "效益（30分）")
    assert _read_ref(ws, vals) == (0.84, 0.8667, 0.9918, 0.85)
    ((name, cats, vals),) = totals
    assert _read_ref(ws, cats) == tuple(WUHUA_TOTALS)
    assert _read_ref(ws, vals) == tuple(float(v) for v in WUHUA_TOTALS.values())
    assert [_read_ref(ws, n) for n, _, _ in satisfaction] == ["奖励对象", "街道办事处职员", "社区职员", "综合满意度"]
    units = _read_ref(ws, satisfaction[0][1])
    for unit, rates in WUHUA_SATISFACTION.items():
        i = units.index(unit)
        assert tuple(_read_ref(ws, v)[i] for _, _, v in satisfaction) == tuple(float(r) for r in rates)
    # the caches say the same as the cells (programs that do not recalculate show them)
    root = ET.fromstring(parts[charts[1]])
    cache = [float(v.text) for v in root.find(".//c:val//c:numCache", NS).iter(f"{{{NS['c']}}}v")]
    assert cache == [float(v) for v in WUHUA_TOTALS.values()]
    axis = root.find(".//c:valAx/c:scaling", NS)
    assert (axis.find("c:min", NS).get("val"), axis.find("c:max", NS).get("val")) == ("0", "100")  # from 0


def _dangling(parts):
    """Relationship targets that are missing, and chart/drawing parts nothing points at."""
    targets, missing = set(), []
    for name in parts:
        if not name.endswith(".rels"):
            continue
        folder = posixpath.dirname(posixpath.dirname(name))
        source = posixpath.join(folder, posixpath.basename(name)[:-5])
        for _rid, (_kind, target) in _rels(parts, source).items():
            if target.startswith(("http:", "https:", "mailto:", "file:")):
                continue
            targets.add(target)
            if target not in parts:
                missing.append((name, target))
    orphans = [n for n in parts if n.startswith(("xl/charts/", "xl/drawings/")) and "_rels" not in n and n not in targets]
    return missing, orphans


@pytest.mark.slow
def test_rescoring_twice_leaves_one_set_of_chart_parts(tmp_path, capsys):
    source = tmp_path / WUHUA.name
    source.write_bytes(WUHUA.read_bytes())
    first, second, third = (tmp_path / f"{n}.xlsx" for n in ("a", "b", "c"))
    assert main(["score", str(source), "-o", str(first)]) == 0
    assert main(["score", str(first), "-o", str(second)]) == 0
    assert main(["score", str(second), "-o", str(third)]) == 0
    for path in (first, second, third):
        parts = _package(path)
        charts = sorted(n for n in parts if n.startswith("xl/charts/"))
        drawings = sorted(n for n in parts if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n))
        assert charts == [f"xl/charts/chart{n}.xml" for n in (1, 2, 3, 4)], path.name
        assert drawings == ["xl/drawings/drawing1.xml"], path.name
        assert _dangling(parts) == ([], [])
        types = _content_types(parts)
        assert sorted(t for t in types if t.startswith(("xl/charts/", "xl/drawings/drawing"))) == sorted(drawings + charts)
        assert [n for n, _t in types.items() if n not in parts] == []
    # the charts of the third run are the first run's, byte for byte
    assert {n: d for n, d in _package(first).items() if n.startswith("xl/charts/")} == \
           {n: d for n, d in _package(third).items() if n.startswith("xl/charts/")}


def test_a_users_own_chart_survives_rescoring(tmp_path, capsys):
    """A chart the user drew on an input sheet (with openpyxl here) is kept and still resolves."""
    from openpyxl.chart import BarChart, Reference

    workbook = load_workbook(XISHAN)
    ws = workbook["资金情况"]
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=3, min_row=2, max_row=4))
    ws.add_chart(chart, "L2")
    source = tmp_path / "with_chart.xlsx"
    workbook.save(source)
    out1, out2 = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    assert main(["score", str(source), "-o", str(out1)]) == 0
    assert main(["score", str(out1), "-o", str(out2)]) == 0
    before, after = _package(source), _package(out2)
    users = [n for n in before if n.startswith(("xl/charts/", "xl/drawings/"))]
    assert users and all(after[n] == before[n] for n in users)
    assert _dangling(after) == ([], [])
    assert len([n for n in after if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]) == 1 + 2  # the user's and ours


# --- the xlwings adapter (remote engine, actions replayed) ---------------------------------------------

@pytest.mark.slow
def test_xlwings_adapter_adds_the_charts(tmp_path):
    import xlwings_harness as harness
    from xlwings_replay import Replay, book_payload

    from perfeval_xl import excel

    with harness.fresh_xlwings({"XLWINGS_LICENSE_KEY": "noncommercial"}) as xw:
        payload = book_payload(WUHUA, xw.__version__)
        book = xw.Book(json=copy.deepcopy(payload))
        result = excel.score_book(book)
        replay = Replay(payload).run(book.json()["actions"])
    sheet = replay.sheet(CHART_SHEET)
    plans = result.plan.sheet(CHART_SHEET).charts
    assert [c["name"] for c in sheet.charts] == [p.title for p in plans]
    totals = sheet.charts[1]
    assert totals["type"] == "ColumnClustered" and totals["title"] == "图2 各单位总分"
    source_sheet, address = totals["source"]
    assert source_sheet == CHART_SHEET
    first, last = address.replace("$", "").split(":")
    rows = range(int(re.sub(r"\D", "", first)) - 1, int(re.sub(r"\D", "", last)))
    table = [(sheet.values.get((r, 0)), sheet.values.get((r, 1))) for r in rows]
    assert table[0] == ("单位", "总分")
    assert table[1:] == [(u, float(v)) for u, v in WUHUA_TOTALS.items()]
    value_axis = totals["axes"]["value"]
    assert (value_axis["minimum_scale"], value_axis["maximum_scale"], value_axis["number_format"]) == (0.0, 100.0, "0")
    assert totals["legend"] == {"visible": False}
    satisfaction = sheet.charts[3]
    assert satisfaction["axes"]["value"]["number_format"] == "0%" and satisfaction["legend"] == {"position": "Top"}
    assert satisfaction["anchor"].replace("$", "") == f"A{plans[3].anchor[0] + 1}"
    assert (satisfaction["width"], satisfaction["height"]) == (plans[3].width, plans[3].height)


# --- LibreOffice renders them ----------------------------------------------------------------------------

def _xishan_scored_and_converted(tmp_path, convert_to: str) -> tuple[Path, Path]:
    """The 西山 sample scored to ``scored.xlsx``, then converted by LibreOffice (a private profile)
    into ``lo/``: (the scored copy, LibreOffice's file)."""
    source = tmp_path / XISHAN.name
    source.write_bytes(XISHAN.read_bytes())
    scored_copy = tmp_path / "scored.xlsx"
    assert main(["score", str(source), "-o", str(scored_copy)]) == 0
    subprocess.run(["soffice", f"-env:UserInstallation=file://{(tmp_path / 'profile').as_posix()}", "--headless",
                    "--convert-to", convert_to, "--outdir", str(tmp_path / "lo"), str(scored_copy)],
                   check=True, capture_output=True, timeout=300)
    return scored_copy, tmp_path / "lo" / f"scored.{convert_to}"


@pytest.mark.libreoffice(poppler=True)
def test_libreoffice_renders_the_charts(tmp_path, capsys):
    _, pdf = _xishan_scored_and_converted(tmp_path, "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [p for p in text.split("\f") if "评价结果图表" in p or "各类对象满意度" in p]
    assert len(pages) == 2  # two charts, each with its table on a page of its own
    joined = "\n".join(pages)
    # the value axis' ticks (0 %–100 %, no decimals) and the rotated axis title exist only in the drawn chart
    ticks = set(re.findall(r"(?<![\d.])(\d{1,3})%", joined))
    assert {"0", "20", "40", "60", "80", "100"} <= ticks
    assert "87.60%" in joined and "96.26%" in joined and "83.00%" in joined


def test_xlwings_desktop_sets_series_names_labels_and_fonts_over_com(scored):
    """Desktop Excel: the chart through xlwings' API, then the series names, data labels and the
    Chinese font over COM (a recording fake of xlwings' chart objects and Excel's Chart)."""
    from perfeval_xl import excel

    calls: list[tuple] = []

    class Recorder:
        def __init__(self, path):
            self._path = path

        def __getattr__(self, name):
            return Recorder(f"{self._path}.{name}")

        def __setattr__(self, name, value):
            if name.startswith("_"):
                object.__setattr__(self, name, value)
            else:
                calls.append((f"{self._path}.{name}", value))

        def __call__(self, *args, **kwargs):
            if kwargs:  # xlwings' set(**attributes)
                calls.append((self._path, kwargs))
            return Recorder(f"{self._path}({', '.join(map(str, args))})")

    class Range:
        def __init__(self, address):
            self.address = address

    class Chart(Recorder):
        def __init__(self):
            super().__init__("chart")
            self._api = (None, Recorder("com"))

        @property
        def api(self):
            return self._api

        def set_source_data(self, rng, plot_by=None):
            calls.append(("source", rng.address, plot_by))

    class Charts:
        def add(self, **kwargs):
            calls.append(("add", kwargs["name"], kwargs["chart_type"], kwargs["anchor"].address,
                          kwargs["width"], kwargs["height"]))
            return Chart()

    class Sheet:
        charts = Charts()

        def range(self, address):
            return Range(address)

    plan = scored["五华"].plan.sheet(CHART_SHEET).charts[3]  # satisfaction: four series, no labels
    excel.add_chart(Sheet(), plan, desktop=True)
    top = plan.table[0]  # the header row of its table: the series' names
    assert calls[0] == ("add", "图4 各单位各类对象满意度", "column_clustered", f"A{plan.anchor[0] + 1}",
                        plan.width, plan.height)
    assert calls[1] == ("source", f"A{top + 1}:E{plan.categories[2] + 1}", "columns")
    assert ("chart.title", "图4 各单位各类对象满意度") in calls
    assert ("chart.value_axis.set", {"number_format": "0%", "title": "满意度", "minimum_scale": 0.0,
                                     "maximum_scale": 1.0}) in calls
    assert ("chart.legend.position", "top") in calls
    assert ("com.ChartArea.Format.TextFrame2.TextRange.Font.NameFarEast", "宋体") in calls
    names = [c[1] for c in calls if len(c) == 2 and c[0].endswith(".Name") and "SeriesCollection" in c[0]]
    assert names == ["奖励对象", "街道办事处职员", "社区职员", "综合满意度"]
    assert not any("HasDataLabels" in str(c[0]) for c in calls)
    calls.clear()
    totals = scored["五华"].plan.sheet(CHART_SHEET).charts[1]
    excel.add_chart(Sheet(), totals, desktop=True)
    assert ("com.SeriesCollection(1).HasDataLabels", True) in calls
    assert ("com.SeriesCollection(1).DataLabels().NumberFormat", "0.00") in calls


@pytest.mark.libreoffice
def test_rescoring_a_copy_saved_by_libreoffice_replaces_its_charts(tmp_path, capsys):
    """LibreOffice rewrites the package (its own drawing and chart parts); re-scoring still removes
    the 图表 sheet's old parts with the sheet and leaves none dangling."""
    scored_copy, resaved = _xishan_scored_and_converted(tmp_path, "xlsx")
    saved = _package(resaved)
    assert len([n for n in saved if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]) == 2  # LibreOffice kept both
    out = tmp_path / "again.xlsx"
    assert main(["score", str(resaved), "-o", str(out)]) == 0
    parts = _package(out)
    assert len([n for n in parts if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]) == 2
    assert _dangling(parts) == ([], [])
    drawing, charts = _chart_parts(parts)
    assert len(charts) == 2


def test_one_palette_for_excel_and_word_charts():
    """The Word pictures used another palette than the Excel charts (green third bar against grey)."""
    from perfeval_xl.core.writeplan import PALETTE
    from perfeval_xl.io import xlsx_chart
    from perfeval_xl.wordreport import charts as word_charts

    assert xlsx_chart.PALETTE == PALETTE
    assert [f"{r:02X}{g:02X}{b:02X}" for r, g, b in word_charts.PALETTE] == list(PALETTE)


@pytest.mark.parametrize("sample", ["西山", "五华"])
def test_every_value_axis_starts_at_zero_and_each_chart_has_one_caption(scored, sample):
    result = scored[sample]
    sheet = result.plan.sheet(CHART_SHEET)
    assert all(c.minimum == 0 for c in evaluation_charts(result.evaluation))
    assert all(c.chart.minimum == 0 for c in sheet.charts)
    # the caption 图n is the chart's title only; the data table above it is not captioned 图n too
    texts = [v for _, _, v, _ in sheet.cells if isinstance(v, str)]
    for n in range(1, len(sheet.charts) + 1):
        assert not any(t.startswith(f"图{n} ") for t in texts)
