"""Render every output of perfeval to PNG pages, for a person to look at.

    python tools/render_outputs.py 工作簿.xlsx [更多工作簿…] [-o 目录] [--dpi 80] [--all-sheets] [--contact N]

For each workbook: scores it (``<名>_评分.xlsx``), writes the Word draft (``<名>_报告.docx``),
converts both to PDF with LibreOffice headless (the workbook with its output sheets only,
unless ``--all-sheets``) and the PDFs to one PNG per page with ``pdftoppm``.  ``--contact N``
also pastes N pages side by side into ``*_contact-XX.png`` for a quick look.  Prints the
files written.  Needs ``soffice`` (LibreOffice) and ``pdftoppm`` (poppler-utils) on PATH.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _need(program: str) -> str:
    path = shutil.which(program)
    if not path:
        sys.exit(f"错误：找不到 {program}；请安装 LibreOffice（soffice）和 poppler-utils（pdftoppm）")
    return path


def to_pdf(source: Path, outdir: Path) -> Path:
    """LibreOffice headless conversion, with a private profile (no clash with a running office)."""
    soffice = _need("soffice")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice, f"-env:UserInstallation=file://{Path(profile).as_posix()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(outdir), str(source)],
                       check=True, capture_output=True, timeout=600)
    pdf = outdir / (source.stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice 未能转换 {source.name}")
    return pdf


def to_png(pdf: Path, dpi: int) -> list[Path]:
    prefix = pdf.with_suffix("")
    subprocess.run([_need("pdftoppm"), "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True, timeout=600)
    return sorted(pdf.parent.glob(prefix.name + "-*.png"))


def contact_sheets(pages: list[Path], per: int) -> list[Path]:
    from PIL import Image

    written = []
    for k in range(0, len(pages), per):
        images = [Image.open(p) for p in pages[k:k + per]]
        width = sum(i.width for i in images) + 12 * (len(images) - 1)
        sheet = Image.new("RGB", (width, max(i.height for i in images)), (128, 128, 128))
        x = 0
        for image in images:
            sheet.paste(image, (x, 0))
            x += image.width + 12
        target = pages[0].with_name(pages[0].name.rsplit("-", 1)[0] + f"_contact-{k // per + 1:02d}.png")
        sheet.save(target)
        written.append(target)
    return written


def output_sheets_only(scored: Path, target: Path) -> Path:
    """A copy of the scored workbook holding only perfeval's output sheets."""
    from openpyxl import load_workbook

    from perfeval_xl.extensions import is_output_sheet

    workbook = load_workbook(scored)
    for sheet in list(workbook.worksheets):
        if not is_output_sheet(sheet.title):
            workbook.remove(sheet)
    workbook.save(target)
    return target


def render(book: Path, outdir: Path, dpi: int, all_sheets: bool, contact: int) -> list[Path]:
    from perfeval_xl.pipeline import score_file
    from perfeval_xl.wordreport.content import build_document
    from perfeval_xl.wordreport.docx_writer import write_docx

    outdir.mkdir(parents=True, exist_ok=True)
    scored = score_file(book, outdir / f"{book.stem}_评分.xlsx")
    report = write_docx(build_document(scored.evaluation, scored.plan), outdir / f"{book.stem}_报告.docx")
    workbook = scored.output if all_sheets else output_sheets_only(scored.output, outdir / f"{book.stem}_输出表.xlsx")
    written = [scored.output, report]
    for source in (workbook, report):
        pages = to_png(to_pdf(source, outdir), dpi)
        written += pages
        if contact:
            written += contact_sheets(pages, contact)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="把评分结果（xlsx 输出表）和 Word 报告渲染成逐页 PNG，供人工查看。")
    parser.add_argument("books", nargs="+", type=Path, metavar="工作簿")
    parser.add_argument("-o", "--outdir", type=Path, default=Path("rendered"), help="输出目录（默认 rendered/）")
    parser.add_argument("--dpi", type=int, default=80, help="PNG 分辨率（默认 80）")
    parser.add_argument("--all-sheets", action="store_true", help="工作簿连同输入表一起渲染")
    parser.add_argument("--contact", type=int, default=0, metavar="N", help="另把每 N 页拼成一张总览图")
    args = parser.parse_args(argv)
    for book in args.books:
        for path in render(book, args.outdir / book.stem, args.dpi, args.all_sheets, args.contact):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
