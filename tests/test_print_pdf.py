"""Issue 13 item 4: the output sheets of both samples as LibreOffice prints them (PDF, converted once per
module with a private profile), read back with poppler: every text inside its cell (no line of text
crossing a cell border, as a row too short for its text prints it), the 西山 评分表's 社会效益 计算过程 whole,
no header leaving a lone "）" or "2分）" on a line of its own, each 评分表 page break at a 一级 group or
with the group's label repeated (（续）).  The Word draft's conversion is tested in test_report_docx.py."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import SAMPLES, XISHAN
from perfeval_xl.core.charts import CHART_SHEET
from perfeval_xl.pipeline import score_file
from tools.render_outputs import output_sheets_only  # the same copy a person renders to look at

pytestmark = pytest.mark.libreoffice(poppler=True)

WUHUA = SAMPLES / "五华区五个先锋奖励经费2023.xlsx"
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
LINE = re.compile(r'<path style="fill:none;stroke-width:[^"]*" d="M ([\d.-]+) ([\d.-]+) L ([\d.-]+) ([\d.-]+) "'
                  r'(?: transform="matrix\(([\d.-]+),0,0,([\d.-]+),([\d.-]+),([\d.-]+)\)")?')


class Printed:
    """A scored sample's output sheets as LibreOffice printed them: per page its words and cell borders."""

    def __init__(self, book: Path, folder: Path):
        folder.mkdir()
        self.scored = score_file(book, folder / "scored.xlsx")
        source = output_sheets_only(self.scored.output, folder / "outputs.xlsx")
        subprocess.run(["soffice", f"-env:UserInstallation=file://{(folder / 'profile').as_posix()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                       check=True, capture_output=True, timeout=600)
        self.pdf = folder / "outputs.pdf"
        html = subprocess.run(["pdftotext", "-bbox", str(self.pdf), "-"], check=True, capture_output=True,
                              text=True).stdout
        self.pages = [[(float(a), float(b), float(c), float(d), t.replace("&amp;", "&"))
                       for a, b, c, d, t in WORD.findall(page)] for page in html.split("<page ")[1:]]
        self.folder = folder
        self._lines: dict[int, list] = {}

    def borders(self, page: int) -> list[tuple[float, float, float, float]]:
        """The page's drawn lines (x1, y1, x2, y2) in points from the top left, as pdftotext measures."""
        if page not in self._lines:
            svg = self.folder / f"page{page}.svg"
            subprocess.run(["pdftocairo", "-svg", "-f", str(page + 1), "-l", str(page + 1), str(self.pdf), str(svg)],
                           check=True, capture_output=True, timeout=120)
            lines = []
            for x1, y1, x2, y2, a, d, e, f in LINE.findall(svg.read_text(encoding="utf-8")):
                a, d, e, f = (float(a), float(d), float(e), float(f)) if a else (1.0, 1.0, 0.0, 0.0)
                lines.append((a * float(x1) + e, d * float(y1) + f, a * float(x2) + e, d * float(y2) + f))
            self._lines[page] = lines
        return self._lines[page]

    def titled(self) -> list[str]:
        """Per page, the sheet it belongs to, by the title and subtitle its first page prints (the
        评分表 of the units share a title; their subtitles name the unit)."""
        marks = {}
        for sheet in self.scored.plan.sheets:
            texts = [v for r, c, v, _ in sheet.cells if r <= 1 and c == 0 and isinstance(v, str)]
            marks[sheet.name] = [re.sub(r"\s", "", t) for t in texts]
        owner, out = "", []
        for words in self.pages:
            text = "".join(w[4] for w in words)
            found = [(len(m), name) for name, m in marks.items() if m and all(t in text for t in m)]
            if found:
                owner = max(found)[1]
            out.append(owner)
        return out


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    return {"西山": Printed(XISHAN, folder / "xishan"), "五华": Printed(WUHUA, folder / "wuhua")}


def _crossing(words, borders):
    """Words that a horizontal cell border runs through (text printed over the next row)."""
    out = []
    for x0, y0, x1, y1, text in words:
        for bx1, by1, bx2, by2 in borders:
            if abs(by1 - by2) > 0.01:
                continue
            if y0 + 1.0 < by1 < y1 - 1.0 and min(bx1, bx2) < x1 - 1 and max(bx1, bx2) > x0 + 1:
                out.append((text, round(y0, 1), round(by1, 1)))
                break
    return out


@pytest.mark.parametrize("sample", ["西山", "五华"])
def test_no_printed_text_crosses_a_cell_border(printed, sample):
    result = printed[sample]
    owners = result.titled()
    # every page of 西山 but the chart sheet's (the charts' gridlines run through their labels); of 五华 (about 80
    # pages) those of the sheets the issue names, the first unit's 评分表 and a questionnaire's 问卷明细
    wanted = {"得分汇总", "评分表", "评分表-西翥", "资金使用情况表", "调查问卷结果汇总表", "问卷明细-A", "满意度情况表"}
    pages = [i for i, owner in enumerate(owners) if owner != CHART_SHEET and (sample == "西山" or owner in wanted)]
    assert len(pages) >= 8
    crossing = {owners[i]: _crossing(result.pages[i], result.borders(i)) for i in pages}
    assert {k: v for k, v in crossing.items() if v} == {}


def test_the_social_benefit_process_of_xishan_prints_whole(printed):
    result = printed["西山"]
    sheet = result.scored.plan.sheet("评分表")
    row = next(r for r, c, v, _ in sheet.cells if v == "社会效益")
    process_col = next(c for r, c, v, _ in sheet.cells if v == "计算过程")
    process = next(v for r, c, v, _ in sheet.cells if (r, c) == (row, process_col))
    owners = result.titled()
    page = next(i for i, owner in enumerate(owners)
                if owner == "评分表" and any(w[4] == "社会效益" for w in result.pages[i]))
    words = result.pages[page]
    head = next(w for w in words if w[4] == "计算过程")
    verticals = sorted({round(x1, 1) for x1, y1, x2, y2 in result.borders(page) if abs(x1 - x2) < 0.01})
    left = max(x for x in verticals if x < head[0])
    right = min(x for x in verticals if x > head[2])
    column = sorted((w for w in words if left < w[0] and w[2] < right), key=lambda w: (round(w[1]), w[0]))
    assert re.sub(r"\s", "", process) in "".join(w[4] for w in column)
    assert len(process) > 150


@pytest.mark.parametrize("sample", ["西山", "五华"])
def test_no_header_leaves_a_lone_closing_bracket(printed, sample):
    owners = printed[sample].titled()  # the chart sheet's charts lay out their own axis labels
    lone = [(owners[i], w[4]) for i, words in enumerate(printed[sample].pages) for w in words
            if owners[i] != CHART_SHEET and re.fullmatch(r"[\d.]*分?[）)]", w[4])]
    assert lone == []


def test_score_sheet_pages_start_at_a_level1_group_or_repeat_its_label(printed):
    result = printed["五华"]
    sheet = result.scored.plan.sheet("评分表-西翥")
    labels = {v.split("\n")[0] for r, c, v, _ in sheet.cells if c == 0 and isinstance(v, str) and "\n" in v}
    assert any("（续）" in v for r, c, v, _ in sheet.cells if c == 0 and isinstance(v, str))
    assert {"决策", "过程", "产出", "效益"} <= {label.replace("（续）", "") for label in labels}
    owners = result.titled()
    pages = [i for i, owner in enumerate(owners) if owner == "评分表-西翥"]
    assert len(pages) == len(sheet.row_breaks) + 1  # LibreOffice breaks where the plan does, and only there
    header = {"一级指标", "二级指标", "三级指标"}
    names = {label.replace("（续）", "") for label in labels}
    carried = 0
    for i in pages[1:]:
        words = sorted(result.pages[i], key=lambda w: (w[1], w[0]))
        head = next(w for w in words if w[4] == "一级指标")
        column0 = [w[4] for w in words if w[1] > head[3] and w[2] < head[2] + 8]  # under 一级指标
        assert column0 and column0[0].replace("（续）", "") in names, column0  # a page starts with a 一级 label
        carried += "（续）" in "".join(column0[:2])  # after the name, or on a line of its own
    assert carried >= 1  # 产出 is taller than a page: continued with its label repeated


@pytest.mark.libreoffice
@pytest.mark.slow
def test_every_page_of_a_unit_score_sheet_names_the_unit(printed):
    """Issue 19: the 50 continuation pages of 五华's 评分表-<单位> could not be told apart once printed."""
    result = printed["五华"]
    sheet = result.scored.plan.sheet("评分表-西翥")
    owners = result.titled()
    pages = [i for i, owner in enumerate(owners) if owner == "评分表-西翥"]
    assert len(pages) == len(sheet.row_breaks) + 1 >= 3
    for i in pages:  # every page of the sheet, not only its first, says whose it is
        assert "被评价单位：昆明市五华区人民政府西翥街道办事处" in "".join(w[4] for w in result.pages[i]), i


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("sample", ["西山", "五华"])
def test_no_number_prints_as_hashes(printed, sample):
    assert not [i for i, words in enumerate(printed[sample].pages) if any("###" in w[4] for w in words)]


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("sample", ["西山", "五华"])
def test_the_level1_title_prints_inside_its_table(printed, sample):
    result = printed[sample]
    title = re.sub(r"\s", "", next(v for r, c, v, s in result.scored.plan.sheet("一级指标得分表").cells if s == "title"))
    page = next(i for i, words in enumerate(result.pages) if title in "".join(w[4] for w in words)
                and any(w[4] == "指标分值" for w in words))
    words = result.pages[page]
    verticals = [x1 for x1, y1, x2, y2 in result.borders(page) if abs(x1 - x2) < 0.01]
    left, right = min(verticals), max(verticals)
    head = next(w for w in words if w[4] == "指标分值")
    line = [w for w in words if w[3] < head[1] and w[1] > head[1] - 60]  # the title's words, above the header
    assert line and left - 1 <= min(w[0] for w in line) and max(w[2] for w in line) <= right + 1
