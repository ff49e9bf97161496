"""The report :class:`~perfeval_xl.wordreport.model.Document` as a .docx file (python-docx).

Chinese report conventions: A4; body text 仿宋_GB2312 小四 with a two-character first-line
indent, 宋体 as the fallback named for Western text; headings 黑体; table text 宋体 五号 (小五 in
wide tables) with the header row(s) repeated on every page (``w:tblHeader``) and rows kept
whole (``w:cantSplit``); a label the sheet merges down body rows written in every row of its group
(so a table continued on the next page still shows it); numbers right-aligned as the plan formats them (0.00, 0.00%,
#,##0.00); captions 表N above tables and 图N below charts; page numbers in the footer.
The East Asian font is set through ``w:rFonts/@w:eastAsia`` (python-docx's ``font.name``
sets only the Western ones).  The file is written atomically.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from ..io.atomic import check_not_locked, write_bytes_atomic
from .charts import FontChoice, find_cjk_font, missing_font_notice, render_bar_chart
from .model import Document, Figure, Heading, PageBreak, Paragraph, Section, Table, Toc

BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"
HEADING_FONT = "黑体"
WESTERN_FONT = "Times New Roman"

BODY_SIZE = Pt(12)      # 小四
TABLE_SIZE = Pt(10.5)   # 五号
COMPACT_SIZE = Pt(9)    # 小五
TINY_SIZE = Pt(8)       # tables of more than 12 columns
HEADING_SIZES = {0: Pt(18), 1: Pt(15), 2: Pt(14), 3: Pt(12), 4: Pt(14)}

A4 = (Mm(210), Mm(297))
MARGINS = dict(top=Mm(25.4), bottom=Mm(25.4), left=Mm(28), right=Mm(26))
HEADER_SHADE = "D9E1F2"
TOTAL_SHADE = "F2F2F2"
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}


def set_fonts(target, east_asian: str, western: str = WESTERN_FONT) -> None:
    """Set the Western and East Asian fonts of a style's or run's ``w:rPr`` (theme fonts removed)."""
    rpr = target.get_or_add_rPr() if hasattr(target, "get_or_add_rPr") else target.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), western)
    fonts.set(qn("w:hAnsi"), western)
    fonts.set(qn("w:cs"), western)
    fonts.set(qn("w:eastAsia"), east_asian)


def _style_fonts(style, east_asian: str, size, bold: bool | None = None) -> None:
    set_fonts(style.element, east_asian)
    style.font.size = size
    style.font.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        style.font.bold = bold
    style.font.italic = False


def _first_line_chars(paragraph, chars: int = 2) -> None:
    """A first-line indent of ``chars`` characters (w:firstLineChars, with a length fallback)."""
    paragraph.paragraph_format.first_line_indent = Pt(BODY_SIZE.pt * chars)
    ind = paragraph._p.pPr.find(qn("w:ind"))
    ind.set(qn("w:firstLineChars"), str(chars * 100))


#: the colour of a group's label repeated in the rows after its first (see :func:`table_xml`): a label
#: the sheet merges down several body rows (一级/二级 of a 评分表) is written in every row of its group,
#: as a vertically merged cell prints its text once, at the top, and a page break inside the group
#: would leave the rows on the next page without it.  No border between the rows of the group in
#: that column, and the repeats in grey, so the column still reads as one.
REPEATED_LABEL = "999999"
#: the longest line (characters) of a label repeated down its group (“项目立项”, “（6分）”); longer merged
#: texts (a question of 问卷明细) are merged cells
GROUP_LABEL_MAX = 10
#: a column of long text keeps at least this many characters' width when numbers and short words
#: claim their minimum (the question column of 问卷明细 was squeezed to a few characters)
TEXT_COLUMN_FLOOR = 10


def _page_number_footer(section) -> None:
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.text = ""

    def run(text: str = ""):
        r = paragraph.add_run(text)
        set_fonts(r._r, TABLE_FONT)
        r.font.size = Pt(10.5)
        return r

    run("第 ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = run()
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            r._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            r._r.append(instr)
        else:
            r.text = text
    run(" 页")


def _field(paragraph, instruction: str, shown: str) -> None:
    """A complex field (begin, instruction, separate, the text shown until updated, end)."""
    for kind, text in (("begin", None), (None, instruction), ("separate", None), ("text", shown), ("end", None)):
        r = paragraph.add_run()
        if kind == "text":
            r.text = text
        elif kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            r._r.append(fld)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            r._r.append(instr)


THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"
APP_PROPERTIES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
                  'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
                  '<Application>{application}</Application><DocSecurity>0</DocSecurity></Properties>')


def _properties(doc, model: Document) -> None:
    """Title, author (评价机构), today's date and the tool's name in the properties, never in the
    text; python-docx's template carries a 2013 date, a Macintosh Word application and a blank
    thumbnail: replaced, and the thumbnail dropped."""
    import datetime as dt
    from xml.sax.saxutils import escape

    from .. import __version__

    props = doc.core_properties
    props.title = model.title
    props.author = model.author
    props.last_modified_by = model.author
    props.language = "zh-CN"
    props.comments = f"初稿由 perfeval-xl {__version__} 生成"
    props.revision = 1
    day = model.date or dt.date.today()
    stamp = dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
    props.created = props.modified = stamp
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == THUMBNAIL:
            package.rels.pop(rid)
    for part in package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            part._blob = APP_PROPERTIES.format(application=escape(f"perfeval-xl {__version__}")).encode()


def _page_setup(section, landscape: bool) -> None:
    width, height = A4
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    for side, value in MARGINS.items():
        setattr(section, f"{side}_margin", value)
    section.footer_distance = Mm(15)


CELL_PADDING = Pt(14)  # Word's default left + right cell margins (0.19 cm each) and some air


def text_width(text: str, size) -> int:
    """The printed width of one line of ``text`` (CJK characters one em, others about half)."""
    import unicodedata

    def em(ch: str) -> float:
        if unicodedata.east_asian_width(ch) in "WF":
            return 1.0
        if ch in "%@WMm":
            return 0.9
        return 0.5 if ch.isdigit() or ch in ".,:;-+()/ " else 0.62

    return int(sum(em(ch) for ch in text) * size)


def column_widths(block: Table, usable: int, size) -> list[int]:
    """Column widths in EMU: the plan's proportions, but never narrower than a number, a short
    word or a short header needs to stay on one line (so "88.51" and "分值" never break);
    the room is taken from the columns that have more than they need."""
    ncols = block.n_cols
    weights = list(block.widths) or [1.0] * ncols
    total = sum(weights) or 1
    widths = [usable * w / total for w in weights]
    hard = [0.0] * ncols  # numbers: never broken
    soft = [0.0] * ncols  # short words and headers: kept whole when there is room
    spanned = {(r1, c1) for r1, c1, r2, c2 in block.merges if c2 > c1}
    for r, row in enumerate(block.rows):
        for c, cell in enumerate(row):
            if (r, c) in spanned:
                continue
            for line in cell.text.split("\n"):
                if not line:
                    continue
                need = text_width(line, size) * (1.08 if cell.bold else 1.0) + CELL_PADDING
                if cell.align == "right":
                    hard[c] = max(hard[c], need)
                elif " " not in line and len(line) <= 5:
                    soft[c] = max(soft[c], need)
    for c in range(ncols):  # long text: a floor of TEXT_COLUMN_FLOOR characters, never above its share
        if any(len(row[c].text) > 2 * TEXT_COLUMN_FLOOR and (r, c) not in spanned for r, row in enumerate(block.rows)):
            soft[c] = max(soft[c], min(widths[c], TEXT_COLUMN_FLOOR * size + CELL_PADDING))
    both = [max(h, s) for h, s in zip(hard, soft)]
    minimum = both if sum(both) <= usable else hard
    if sum(minimum) > usable:  # cannot honour them all: proportions only
        return [int(w) for w in widths]
    for _ in range(ncols):
        short = [c for c in range(ncols) if widths[c] < minimum[c]]
        if not short:
            break
        need = sum(minimum[c] - widths[c] for c in short)
        for c in short:
            widths[c] = minimum[c]
        spare = {c: widths[c] - minimum[c] for c in range(ncols) if widths[c] > minimum[c]}
        room = sum(spare.values())
        if room <= 0:
            break
        for c, extra in spare.items():
            widths[c] -= need * extra / room
    return [int(w) for w in widths]


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_JC = {"left": "left", "center": "center", "right": "right"}


def _run_props(size, bold: bool, colour: str | None) -> str:
    half_points = int(round(size.pt * 2))
    return (f'<w:rPr><w:rFonts w:ascii="{WESTERN_FONT}" w:hAnsi="{WESTERN_FONT}" w:cs="{WESTERN_FONT}" '
            f'w:eastAsia="{TABLE_FONT}"/>' + ("<w:b/>" if bold else "")
            + (f'<w:color w:val="{colour}"/>' if colour else "")
            + f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>')


def table_xml(block: Table, widths: list[int], size, style_id: str) -> str:
    """The table as WordprocessingML, built in one string and parsed once (python-docx's cell
    by cell API cost ~70% of a 五华 report): grid widths, merges (a horizontal span, a vertical
    merge, or a body label written in every row of its group, see :func:`_group_label`), header
    rows repeated (``w:tblHeader``), rows kept whole (``w:cantSplit``), header and total shading,
    numbers aligned as the cell says."""
    from xml.sax.saxutils import escape

    twips = [int(w / 635) for w in widths]  # EMU → twips
    n_header = len(block.header)
    rows = block.rows
    spans: dict[tuple[int, int], int] = {}
    inside: set[tuple[int, int]] = set()  # cells under a horizontal span: no w:tc of their own
    vertical: dict[tuple[int, int], str] = {}
    grouped: dict[tuple[int, int], tuple[int, int]] = {}
    for r1, c1, r2, c2 in block.merges:
        # a short label (一级/二级 of a 评分表) is written in every row of its group; a long text (a question
        # of 问卷明细) is merged down once: repeated, it made every option row as tall as the question
        down = r2 > r1 and r1 >= n_header and max(map(len, rows[r1][c1].text.split("\n"))) <= GROUP_LABEL_MAX
        for r in range(r1, r2 + 1):
            if c2 > c1:
                spans[(r, c1)] = c2 - c1 + 1
                inside.update((r, c) for c in range(c1 + 1, c2 + 1))
            if down:
                grouped[(r, c1)] = (r1, r2)
            elif r2 > r1:
                vertical[(r, c1)] = "restart" if r == r1 else "continue"
    out = [f'<w:tbl xmlns:w="{_W}"><w:tblPr><w:tblStyle w:val="{escape(style_id)}"/><w:tblW w:w="0" w:type="auto"/>'
           '<w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
           '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" '
           'w:noVBand="1"/></w:tblPr><w:tblGrid>']
    out.extend(f'<w:gridCol w:w="{w}"/>' for w in twips)
    out.append("</w:tblGrid>")
    for r, row in enumerate(rows):
        out.append("<w:tr><w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if r < n_header else "") + "</w:trPr>")
        for c, data in enumerate(row):
            if (r, c) in inside:
                continue
            span = spans.get((r, c), 1)
            tcpr = [f'<w:tcW w:w="{sum(twips[c:c + span])}" w:type="dxa"/>']
            if span > 1:
                tcpr.append(f'<w:gridSpan w:val="{span}"/>')
            merge = vertical.get((r, c))
            if merge:
                tcpr.append(f'<w:vMerge w:val="{merge}"/>' if merge == "restart" else "<w:vMerge/>")
            colour = None
            if (r, c) in grouped:
                first, last = grouped[(r, c)]
                data = rows[first][c]
                edges = ("<w:top w:val=\"nil\"/>" if r > first else "") + ("<w:bottom w:val=\"nil\"/>" if r < last else "")
                if edges:
                    tcpr.append(f"<w:tcBorders>{edges}</w:tcBorders>")
                colour = REPEATED_LABEL if r > first else None
            if merge == "continue":
                out.append(f"<w:tc><w:tcPr>{''.join(tcpr)}</w:tcPr><w:p/></w:tc>")
                continue
            if data.shaded:
                fill = HEADER_SHADE if r < n_header else TOTAL_SHADE
                tcpr.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>')
            tcpr.append('<w:vAlign w:val="center"/>')
            ppr = (f'<w:pPr><w:spacing w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/>'
                   f'<w:jc w:val="{_JC.get(data.align, "left")}"/></w:pPr>')
            rpr = _run_props(size, data.bold, colour)
            runs = "".join(f'<w:r>{rpr}{"<w:br/>" if i else ""}<w:t xml:space="preserve">{escape(line)}</w:t></w:r>'
                           for i, line in enumerate(data.text.split("\n")))
            out.append(f"<w:tc><w:tcPr>{''.join(tcpr)}</w:tcPr><w:p>{ppr}{runs}</w:p></w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


class _Writer:
    def __init__(self, document: Document):
        self.model = document
        self.doc = new_docx()
        self.font: FontChoice | None = None
        self.font_checked = False
        self.style_ids: dict[str, str] = {}
        self.setup()

    def setup(self) -> None:
        doc = self.doc
        _properties(doc, self.model)
        section = doc.sections[0]
        _page_setup(section, landscape=False)
        _page_number_footer(section)
        normal = doc.styles["Normal"]
        _style_fonts(normal, BODY_FONT, BODY_SIZE)
        normal.paragraph_format.line_spacing = 1.5
        normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.space_before = Pt(0)
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
        normal.element.get_or_add_rPr().append(lang)
        for level in range(0, 5):
            name = "Title" if level == 0 else f"Heading {min(level, 3)}" if level < 4 else "Heading 4"
            style = doc.styles[name]
            _style_fonts(style, HEADING_FONT, HEADING_SIZES[level], bold=level == 0)
            style.paragraph_format.space_before = Pt(12 if level <= 1 else 6)
            style.paragraph_format.space_after = Pt(6 if level <= 1 else 3)
            style.paragraph_format.line_spacing = 1.5
            style.paragraph_format.keep_with_next = True
            if level == 0:
                # Word's Title style has a bottom border; a Chinese report title has none
                ppr = style.element.get_or_add_pPr()
                border = ppr.find(qn("w:pBdr"))
                if border is not None:
                    ppr.remove(border)
        caption = doc.styles["Caption"]
        _style_fonts(caption, HEADING_FONT, Pt(10.5), bold=False)
        caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.paragraph_format.space_before = Pt(6)
        caption.paragraph_format.space_after = Pt(3)
        caption.paragraph_format.line_spacing = 1.15

    # --- blocks -------------------------------------------------------------
    def write(self) -> None:
        for block in self.model.blocks:
            if isinstance(block, Heading):
                self.heading(block)
            elif isinstance(block, Paragraph):
                self.paragraph(block)
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, Figure):
                self.figure(block)
            elif isinstance(block, Section):
                self.section(block)
            elif isinstance(block, PageBreak):
                self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            elif isinstance(block, Toc):
                self.toc(block)

    def section(self, block: Section) -> None:
        """A new page and section.  The section break goes into the previous section's last paragraph
        (the spacer after its last table dropped): a paragraph of its own after a table or note filling
        the last page was pushed onto a page of its own (a blank page after 附件2 of 五华).  After a
        table with nothing below it the break needs a paragraph: it is made 1 pt high."""
        body = self.doc.element.body
        last = body[-2] if len(body) > 1 else None  # body[-1] is the document's w:sectPr
        if last is not None and last.tag == qn("w:p") and not "".join(last.itertext()).strip() \
                and not last.findall(".//" + qn("w:drawing")) and not last.findall(".//" + qn("w:br")) \
                and last.getprevious() is not None:
            body.remove(last)
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        breaker = body[-2]  # the paragraph python-docx made to hold the previous section's w:sectPr
        sectpr = breaker.pPr.find(qn("w:sectPr"))
        previous = breaker.getprevious()
        if previous is not None and previous.tag == qn("w:p"):
            previous.get_or_add_pPr().append(sectpr)
            body.remove(breaker)
        else:
            breaker.get_or_add_pPr()
            spacing = OxmlElement("w:spacing")
            for name, value in (("w:before", "0"), ("w:after", "0"), ("w:line", "20"), ("w:lineRule", "exact")):
                spacing.set(qn(name), value)
            sectpr.addprevious(spacing)
            mark = OxmlElement("w:rPr")
            size = OxmlElement("w:sz")
            size.set(qn("w:val"), "2")
            mark.append(size)
            sectpr.addprevious(mark)
        _page_setup(section, block.landscape)
        header = section.header
        header.is_linked_to_previous = False
        paragraph = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
        paragraph.text = ""
        if block.header:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = paragraph.add_run(block.header)
            set_fonts(run._r, TABLE_FONT)
            run.font.size = Pt(9)

    def toc(self, block: Toc) -> None:
        """A TOC field over Heading 1..levels; Word asks to update the fields on opening
        (``w:updateFields``), LibreOffice: 工具 › 更新 › 全部更新."""
        p = self.doc.add_paragraph()
        _field(p, f' TOC \\o "1-{block.levels}" \\h \\z \\u ', "（打开文档时选择更新域，或右键此处选择“更新域”，即生成目录）")
        settings = self.doc.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)

    def heading(self, block: Heading) -> None:
        if block.level == 0:
            p = self.styled(block.text, "Title")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            return
        if block.level == 5:  # 报告摘要, 目录: centred, not numbered, not in the 目录
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_after = Pt(12)
            run = p.add_run(block.text)
            set_fonts(run._r, HEADING_FONT)
            run.font.size = Pt(16)
            return
        p = self.styled(block.text, f"Heading {min(block.level, 4)}")
        if block.level == 4:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            _first_line_chars(p)

    def paragraph(self, block: Paragraph) -> None:
        p = self.doc.add_paragraph()
        lines = block.text.split("\n")
        for i, line in enumerate(lines):
            run = p.add_run(line)
            if i < len(lines) - 1:
                run.add_break()
            if block.style == "note":
                run.font.size = Pt(10.5)
            if block.style == "annex":
                set_fonts(run._r, HEADING_FONT)
                run.font.size = Pt(14)
            if block.style == "fill":  # the evaluator writes this: highlighted until replaced
                highlight = OxmlElement("w:highlight")
                highlight.set(qn("w:val"), "yellow")
                run._r.get_or_add_rPr().append(highlight)
        if block.style in ("body", "fill"):
            _first_line_chars(p)
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        elif block.style == "center":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif block.style == "meta":
            p.paragraph_format.left_indent = Cm(3)
        elif block.style == "item":  # formulas and lists: left-aligned, never stretched
            _first_line_chars(p)
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        elif block.style == "note":
            _first_line_chars(p)
            p.paragraph_format.line_spacing = 1.25

    def caption(self, text: str):
        return self.styled(text, "Caption")

    def styled(self, text: str, style: str):
        """A paragraph in a named style (the style id looked up once: python-docx searches the styles
        part on every call)."""
        style_id = self.style_ids.get(style)
        if style_id is None:
            style_id = self.style_ids[style] = self.doc.styles[style].style_id
        p = self.doc.add_paragraph(text)
        p._p.style = style_id
        return p

    def small_line(self, text: str, align=WD_ALIGN_PARAGRAPH.LEFT, size=Pt(10.5)):
        p = self.doc.add_paragraph()
        run = p.add_run(text)
        set_fonts(run._r, TABLE_FONT)
        run.font.size = size
        p.alignment = align
        p.paragraph_format.line_spacing = 1.15
        return p

    def table(self, block: Table) -> None:
        if block.caption:
            self.caption(block.caption).paragraph_format.keep_with_next = True
        for line in block.above:
            self.small_line(line).paragraph_format.keep_with_next = True
        if block.rows and block.n_cols:
            section = self.doc.sections[-1]
            usable = _usable_width(section)
            size = TINY_SIZE if block.n_cols > 12 else COMPACT_SIZE if block.compact else TABLE_SIZE
            xml = table_xml(block, column_widths(block, int(usable), size), size,
                            self.doc.styles["Table Grid"].style_id)
            self.doc.element.body._insert_tbl(parse_xml(xml))
        for note in block.notes:
            self.small_line(note, size=Pt(9) if block.compact else Pt(10.5))
        self.doc.add_paragraph().paragraph_format.line_spacing = 1.0

    def figure(self, block: Figure) -> None:
        if not self.font_checked:
            self.font = find_cjk_font()
            self.font_checked = True
            if self.font is None:
                self.model.notices.append(missing_font_notice())
        if self.font is None:
            self.small_line(f"（此处应为{block.caption.split(' ', 1)[-1]}图：本机未找到中文字体，未生成图表。"
                            f"图中数据：{block.alt}）", WD_ALIGN_PARAGRAPH.LEFT)
            return
        png = render_bar_chart(block.chart, self.font)
        section = self.doc.sections[-1]
        usable = _usable_width(section)
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.line_spacing = 1.0
        p.add_run().add_picture(io.BytesIO(png), width=min(Cm(15.5), usable))
        self.caption(block.caption)

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def render_docx(document: Document) -> bytes:
    """The document as .docx bytes (chart fallbacks are noted in ``document.notices``); every
    text cleaned first (:func:`~perfeval_xl.wordreport.model.printable`)."""
    writer = _Writer(document.cleaned())
    writer.write()
    return writer.bytes()


def write_docx(document: Document, path: str | Path) -> Path:
    """Write the document atomically to ``path`` (refused while Word / WPS has it open)."""
    path = Path(path)
    check_not_locked(path)
    data = render_docx(document)
    return write_bytes_atomic(path, lambda handle: handle.write(data))


def write_plan(plan, output) -> Path | None:
    """The ``docx`` engine (:mod:`perfeval_xl.writers`): the plan's 复核意见 sheet as Word
    tables in ``output.target`` (titled "<output.title>复核意见", by ``output.author``); None,
    writing nothing, when the plan has no 复核意见 sheet."""
    from .content import review_document

    document = review_document(output.title, output.author, plan)
    return None if document is None else write_docx(document, output.target)


def _usable_width(section) -> int:
    """The width between a section's margins (EMU)."""
    width, left, right = section.page_width, section.left_margin, section.right_margin
    assert width is not None and left is not None and right is not None, "python-docx's template sets page and margins"
    return width - left - right
