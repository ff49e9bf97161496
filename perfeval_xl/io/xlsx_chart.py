"""Native Excel charts as package parts (DrawingML), for the splice writer.

A sheet with charts gets one drawing part (``xl/drawings/drawingN.xml``, each chart a
one-cell anchor of a fixed size) and one chart part per chart (``xl/charts/chartN.xml``,
a clustered bar chart).  Series point at cells of the sheet itself and carry caches of
their values, so a program that does not recalculate (or a viewer) shows them as written.
Text is set in the workbook's Chinese font (宋体) for the Latin and East Asian scripts,
which LibreOffice and WPS need to draw Chinese titles and labels.

:func:`owned_parts` tells which parts belong to sheets that are removed (their drawings,
charts, comments …), so that re-scoring leaves no orphaned part behind.
"""

from __future__ import annotations

from decimal import Decimal

from perfeval_xl.core.findings import column_letter
from perfeval_xl.core.normalize import xml_safe
from perfeval_xl.core.styles import FONT_NAME
from perfeval_xl.core.writeplan import PALETTE, Chart, ChartPlan, SheetPlan
from perfeval_xl.io.xlsx_package import REL_NS, Package, escape, quoteattr, sheet_name_ref

DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
DRAWING_REL = REL_NS + "/drawing"
CHART_REL = REL_NS + "/chart"
C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
XDR_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
EMU_PER_POINT = 12700



def _font(size: int, bold: bool = False) -> str:
    face = quoteattr(FONT_NAME)
    return (f'sz="{size}" b="{1 if bold else 0}"><a:solidFill><a:srgbClr val="262626"/></a:solidFill>'
            f"<a:latin typeface={face}/><a:ea typeface={face}/><a:cs typeface={face}/>")


def _text_properties(size: int = 900, bold: bool = False, rotate: bool = False) -> str:
    body = '<a:bodyPr rot="-5400000" vert="horz"/>' if rotate else "<a:bodyPr/>"
    return (f"<c:txPr>{body}<a:lstStyle/><a:p><a:pPr><a:defRPr {_font(size, bold)}</a:defRPr></a:pPr>"
            '<a:endParaRPr lang="zh-CN"/></a:p></c:txPr>')


def _title(text: str, size: int, rotate: bool = False) -> str:
    body = '<a:bodyPr rot="-5400000" vert="horz"/>' if rotate else "<a:bodyPr/>"
    return (f"<c:title><c:tx><c:rich>{body}<a:lstStyle/><a:p><a:pPr><a:defRPr {_font(size, True)}</a:defRPr>"
            f'</a:pPr><a:r><a:rPr lang="zh-CN" {_font(size, True)}</a:rPr><a:t>{escape(xml_safe(text))}</a:t></a:r></a:p>'
            '</c:rich></c:tx><c:overlay val="0"/></c:title>')


def _ref(sheet: str, rect: tuple[int, int, int, int]) -> str:
    r1, c1, r2, c2 = rect
    first = f"${column_letter(c1)}${r1 + 1}"
    last = f"${column_letter(c2)}${r2 + 1}"
    return f"{sheet_name_ref(sheet)}!{first}" + ("" if (r1, c1) == (r2, c2) else f":{last}")


def _number(value) -> str:
    return format(value.normalize(), "f") if isinstance(value, Decimal) else repr(value)


def _cells(plan: SheetPlan, rect: tuple[int, int, int, int]) -> list[object]:
    values = {(r, c): v for r, c, v, _ in plan.cells}
    r1, c1, r2, c2 = rect
    return [values.get((r, c)) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _str_ref(plan: SheetPlan, rect: tuple[int, int, int, int]) -> str:
    values = _cells(plan, rect)
    points = "".join(f'<c:pt idx="{i}"><c:v>{escape(xml_safe(str(v)))}</c:v></c:pt>'
                     for i, v in enumerate(values) if v is not None)
    return (f"<c:strRef><c:f>{escape(xml_safe(_ref(plan.name, rect)))}</c:f><c:strCache><c:ptCount val=\"{len(values)}\"/>"
            f"{points}</c:strCache></c:strRef>")


def _num_ref(plan: SheetPlan, rect: tuple[int, int, int, int], number_format: str) -> str:
    values = _cells(plan, rect)
    points = "".join(f'<c:pt idx="{i}"><c:v>{_number(v)}</c:v></c:pt>'
                     for i, v in enumerate(values) if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool))
    return (f"<c:numRef><c:f>{escape(xml_safe(_ref(plan.name, rect)))}</c:f><c:numCache>"
            f"<c:formatCode>{escape(number_format)}</c:formatCode><c:ptCount val=\"{len(values)}\"/>{points}"
            "</c:numCache></c:numRef>")


def _labels(chart: Chart) -> str:
    return (f'<c:dLbls><c:numFmt formatCode={quoteattr(chart.label_format)} sourceLinked="0"/>'
            '<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>'
            f'{_text_properties(800)}<c:dLblPos val="outEnd"/><c:showLegendKey val="0"/><c:showVal val="1"/>'
            '<c:showCatName val="0"/><c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/>'
            "</c:dLbls>")


def chart_xml(plan: SheetPlan, placed: ChartPlan) -> str:
    """The chart part (c:chartSpace) of one chart of ``plan``: its series point at the cells of its data
    table (their caches the values written there), its titles and formats are the chart's."""
    chart = placed.chart
    series = []
    for i in range(len(chart.series)):
        series.append(
            f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/><c:tx>{_str_ref(plan, placed.name_cell(i) * 2)}</c:tx>'
            f'<c:spPr><a:solidFill><a:srgbClr val="{PALETTE[i % len(PALETTE)]}"/></a:solidFill></c:spPr>'
            '<c:invertIfNegative val="0"/>'
            + (_labels(chart) if chart.value_labels else "")
            + f"<c:cat>{_str_ref(plan, placed.categories)}</c:cat>"
            f"<c:val>{_num_ref(plan, placed.value_cells(i), chart.label_format)}</c:val></c:ser>")
    scaling = '<c:orientation val="minMax"/>'
    if chart.maximum is not None:
        scaling += f'<c:max val="{_number(chart.maximum)}"/>'
    if chart.minimum is not None:
        scaling += f'<c:min val="{_number(chart.minimum)}"/>'
    line = '<c:spPr><a:ln w="9525"><a:solidFill><a:srgbClr val="BFBFBF"/></a:solidFill></a:ln></c:spPr>'
    category_axis = (
        '<c:catAx><c:axId val="500000001"/><c:scaling><c:orientation val="minMax"/>'
        '</c:scaling><c:delete val="0"/><c:axPos val="b"/>'
        + (_title(chart.category_title, 900) if chart.category_title else "")
        + '<c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/>'
        f'<c:tickLblPos val="nextTo"/>{line}{_text_properties(900)}<c:crossAx val="500000002"/>'
        '<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/>'
        '<c:noMultiLvlLbl val="0"/></c:catAx>')
    value_axis = (
        f'<c:valAx><c:axId val="500000002"/><c:scaling>{scaling}</c:scaling><c:delete val="0"/>'
        '<c:axPos val="l"/>'
        '<c:majorGridlines><c:spPr><a:ln w="6350"><a:solidFill><a:srgbClr val="D9D9D9"/></a:solidFill></a:ln>'
        "</c:spPr></c:majorGridlines>"
        + (_title(chart.value_title, 900, rotate=True) if chart.value_title else "")
        + f'<c:numFmt formatCode={quoteattr(chart.axis_format)} sourceLinked="0"/><c:majorTickMark val="out"/>'
        f'<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>{line}{_text_properties(900)}'
        '<c:crossAx val="500000001"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>')
    legend = ('<c:legend><c:legendPos val="t"/><c:overlay val="0"/>' + _text_properties(900) + "</c:legend>"
              if chart.legend else "")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace xmlns:c="{C_NS}" xmlns:a="{A_NS}" xmlns:r="{REL_NS}">'
        '<c:date1904 val="0"/><c:lang val="zh-CN"/><c:roundedCorners val="0"/>'
        f"<c:chart>{_title(placed.title, 1200)}<c:autoTitleDeleted val=\"0\"/><c:plotArea><c:layout/>"
        '<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>'
        + "".join(series)
        + '<c:gapWidth val="80"/><c:axId val="500000001"/><c:axId val="500000002"/></c:barChart>'
        + category_axis + value_axis + "</c:plotArea>" + legend
        + '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
        '<c:spPr><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill><a:ln><a:noFill/></a:ln></c:spPr>'
        + _text_properties(900) + "</c:chartSpace>")


def drawing_xml(plan: SheetPlan, chart_rids: list[str]) -> str:
    """The drawing part of a sheet: each chart anchored at its cell, of its size."""
    anchors = []
    for n, (chart, rid) in enumerate(zip(plan.charts, chart_rids, strict=True), start=1):
        row, col = chart.anchor
        cx, cy = round(chart.width * EMU_PER_POINT), round(chart.height * EMU_PER_POINT)
        anchors.append(
            f"<xdr:oneCellAnchor><xdr:from><xdr:col>{col}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row}</xdr:row>"
            f'<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="{cx}" cy="{cy}"/>'
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{n + 1}" name={quoteattr(xml_safe(chart.title))}/>'
            '<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
            f'</xdr:xfrm><a:graphic><a:graphicData uri="{C_NS}"><c:chart xmlns:c="{C_NS}" xmlns:r="{REL_NS}" '
            f'r:id="{rid}"/></a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:oneCellAnchor>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<xdr:wsDr xmlns:xdr="{XDR_NS}" xmlns:a="{A_NS}">' + "".join(anchors) + "</xdr:wsDr>")


def relationships_xml(rels: list[tuple[str, str, str]]) -> str:
    """A relationships part: (id, type, target) each."""
    body = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{escape(target)}"/>' for rid, kind, target in rels)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}</Relationships>')


def owned_parts(package: Package, roots: set[str]) -> set[str]:
    """The parts that go with the ``roots`` (sheet parts being removed): every part reachable from
    them through relationships that nothing else in the package reaches, their relationship
    parts included.  Parts shared with a kept part (an image used twice) stay."""
    from perfeval_xl.io.xlsx_package import rels_part

    def reach(starts: list[str], blocked: set[str]) -> set[str]:
        seen: set[str] = set()
        stack = list(starts)
        while stack:
            part = stack.pop()
            if part in seen or part in blocked:
                continue
            seen.add(part)
            stack.extend(rel.target for rel in package.relationships(part).values()
                         if not rel.external and rel.target in package.names)
        return seen

    from_roots = reach(sorted(roots), set())
    if from_roots == roots:
        return roots | {rels_part(p) for p in roots}
    kept = reach([""], set(roots))
    owned = (from_roots - kept) | roots
    return owned | {rels_part(p) for p in owned}
