"""Record where LibreOffice breaks wrapped cell texts, as calibration data for the width model.

    python tools/calibrate_wrap.py [-o tests/data/wrap_calibration.json]

Builds one workbook with one sheet per sample (a text, a column width, a named style of
:mod:`perfeval_xl.core.styles`, written exactly as the output writers write it), converts it to
PDF with LibreOffice headless, reads each page's words and their positions with ``pdftotext
-bbox`` and writes, per sample, the lines LibreOffice printed and the distance between lines.
The samples are fixed texts (CJK, digits, Latin, punctuation at a line end) and every wrapped
text of the two sample workbooks' output sheets at the width it is printed at.  A first sheet
measures how wide LibreOffice draws columns of widths 2…60 (text area between a left- and a
right-aligned cell).  tests/test_width_model.py checks the model against the recorded data.
Needs ``soffice`` and ``pdftotext`` (poppler-utils).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RULER = [2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 30, 40, 60]

SYNTHETIC = [
    ("text", 10, "一二三四五六七八九十" * 3),
    ("text", 13, "一二三四五六七八九十" * 3),
    ("text", 24, "一二三四五六七八九十" * 6),
    ("text", 10, "1234567890 " * 4),
    ("text", 8, "12345678901234567890123456789012"),
    ("text", 12, "abcdefghij klmnopqrst uvwxyzabcd efghijklmn"),
    ("text", 12, "ABCDEFGHIJ KLMNOPQRST UVWXYZABCD EFGHIJKLMN"),
    ("text", 12, "得分率=32/40×100%=80.00%，低于100%共20个百分点"),
    ("text", 9, "产出数量（10分）"),
    ("text", 8, "预算执行率（2分）"),
    ("header", 9, "产出数量（10分）"),
    ("header", 8, "预算执行率（2分）"),
    ("header", 10, "项目效益（15分）"),
    ("text", 10, "辖区党员、困难党员、居家养老、儿童托管、流动人员"),
    ("text", 12, "“五个先锋”奖励经费项目，“服务”评价。"),
    ("note", 30, "计算过程中的比率按四舍五入保留两位小数的百分比参与计分；其后精确计算，每个指标的得分最后四舍五入到 0.01 分（只舍入一次）。"),
    ("help", 30, "规则参数：按“得分率≥90%得满分；每低1个百分点扣0.1分”写，见规则写法表。"),
    ("header", 6, "一二三四五六七八九十"),
    ("text", 20, "一二三 四五六七 八九十一二三四五六七八九十 abc defg"),
]


def real_samples(per_width: int = 4) -> list[tuple[str, float, str]]:
    """Wrapped texts of both sample workbooks' output sheets at their printed width: of each style
    and width, the ``per_width`` longest and a few short ones (texts that just fit or just wrap)."""
    from perfeval_xl.core.writeplan import text_widths
    from perfeval_xl.pipeline import score_file

    found: dict[tuple[str, float, str], None] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for book in sorted((ROOT / "sample_workbooks").glob("*20*.xlsx")):
            scored = score_file(book, Path(tmp) / "out.xlsx")
            for plan in scored.plan.sheets:
                for _row, text, width, style in text_widths(plan, with_style=True):
                    if len(text) > 4:
                        found[(str(style), float(width), text)] = None
    buckets: dict[tuple[str, float], list[str]] = {}
    for style, width, text in found:
        buckets.setdefault((style, width), []).append(text)
    chosen = []
    for (style, width), texts in sorted(buckets.items()):
        texts.sort(key=lambda t: (-len(t), t))
        picked = texts[:per_width] + texts[per_width:][-per_width:]  # longest and shortest
        chosen += [(style, width, t) for t in picked]
    return chosen


def build(samples, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    from perfeval_xl.io.xlsx_style import apply_style

    workbook = Workbook()
    workbook.remove(workbook.active)
    for width in RULER:  # column widths: text area between a left- and a right-aligned cell
        ws = workbook.create_sheet(f"w{width}")
        ws.page_margins.left = ws.page_margins.right = 0.3
        ws.column_dimensions["A"].width = width
        for row, align in ((1, "left"), (2, "right")):
            cell = ws.cell(row, 1, "0")
            apply_style(cell, "text")
            cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=False)
    for k, (style, width, text) in enumerate(samples):
        ws = workbook.create_sheet(f"s{k}")
        ws.page_margins.left = ws.page_margins.right = 0.3
        ws.column_dimensions["A"].width = width
        cell = ws.cell(1, 1, text)
        apply_style(cell, style)
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        ws.row_dimensions[1].height = 409
        if width > 70:
            ws.page_setup.orientation = "landscape"
        if width > 105:
            ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
            ws.sheet_properties.pageSetUpPr.fitToPage = True
    workbook.save(path)


WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def pages(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    out = []
    for page in html.split("<page ")[1:]:
        words = [(float(a), float(b), float(c), float(d), _unescape(t)) for a, b, c, d, t in WORD.findall(page)]
        out.append(words)
    return out


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def printed_lines(text: str, words) -> tuple[list[str], float | None]:
    """The lines of ``text`` as printed (substrings of ``text``), and the line pitch in points."""
    rows: list[tuple[float, list]] = []
    for x0, y0, x1, y1, w in sorted(words, key=lambda t: (t[1], t[0])):
        if rows and abs(rows[-1][0] - y0) < 2:
            rows[-1][1].append((x0, w))
        else:
            rows.append((y0, [(x0, w)]))
    glyphs = ["".join(w for _, w in sorted(ws)) for _, ws in rows]
    lines, pos = [], 0
    for g in glyphs:
        while pos < len(text) and text[pos] in " \n":
            pos += 1
        start = pos
        for ch in g:
            while pos < len(text) and text[pos] != ch and text[pos] in " \n":
                pos += 1
            if pos >= len(text) or text[pos] != ch:
                raise ValueError(f"PDF 中的文字与样本不符：{g!r}（样本 {text!r}）")
            pos += 1
        lines.append(text[start:pos])
    ys = [y for y, _ in rows]
    pitch = (ys[-1] - ys[0]) / (len(ys) - 1) if len(ys) > 1 else None
    return lines, pitch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="记录 LibreOffice 对单元格文字的折行位置，作为列宽/行高模型的校准数据。")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "tests" / "data" / "wrap_calibration.json")
    args = parser.parse_args(argv)
    samples = [(s, float(w), t) for s, w, t in SYNTHETIC] + real_samples()
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "calibration.xlsx"
        build(samples, book)
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--convert-to", "pdf", "--outdir", tmp, str(book)], check=True, capture_output=True,
                       timeout=600)
        found = pages(book.with_suffix(".pdf"))
    version = subprocess.run(["soffice", "--version"], capture_output=True, text=True).stdout.strip()
    rulers, found = found[:len(RULER)], found[len(RULER):]
    if len(found) != len(samples):
        sys.exit(f"错误：应有 {len(samples)} 页样本，PDF 中有 {len(found)} 页（有样本超出一页）")
    columns = []
    for width, words in zip(RULER, rulers):
        left = min(w[0] for w in words)
        right = max(w[2] for w in words)
        columns.append({"width": width, "text_area": round(right - left, 3)})
    records = []
    for (style, width, text), words in zip(samples, found):
        lines, pitch = printed_lines(text, words)
        records.append({"style": style, "width": width, "text": text, "lines": lines,
                        "pitch": round(pitch, 3) if pitch and width <= 105 else None})
    args.output.write_text(json.dumps({"libreoffice": version, "columns": columns, "samples": records},
                                      ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(records)} 个样本 → {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
