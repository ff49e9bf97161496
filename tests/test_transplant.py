"""Carrying edited sheets from an openpyxl copy back into the original package."""

import io
import zipfile

from openpyxl import load_workbook

from perfeval_xl.io.template import write_workbook
from perfeval_xl.io.xlsx_transplant import transplant


def original_without_answers(tmp_path):
    path = write_workbook(tmp_path / "book.xlsx", {"项目名称": "测试"}, {})
    wb = load_workbook(path)
    del wb["问卷答卷"]
    wb["满意度"].print_title_rows = "2:2"  # a sheet-scoped defined name after the insertion point
    wb.save(path)
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("customXml/item1.xml", "<root/>")  # a part openpyxl would drop
    return path.read_bytes()


def test_a_new_sheet_is_inserted_in_openpyxls_tab_order(tmp_path):
    original = original_without_answers(tmp_path)
    wb = load_workbook(io.BytesIO(original))
    ws = wb.create_sheet("问卷答卷", index=wb.sheetnames.index("满意度"))
    ws["A1"], ws["B1"] = "第1题", "=1+1"
    wb["问卷计数"]["F3"] = 12
    buffer = io.BytesIO()
    wb.save(buffer)
    data = transplant(original, buffer.getvalue(), ["问卷计数", "问卷答卷"])

    result = load_workbook(io.BytesIO(data))
    names = result.sheetnames
    assert names.index("问卷答卷") == names.index("满意度") - 1
    assert result["问卷答卷"]["A1"].value == "第1题" and result["问卷答卷"]["B1"].value == "=1+1"
    assert result["问卷计数"]["F3"].value == 12
    # the print titles still belong to 满意度 (its sheet index moved by one)
    assert result["满意度"].print_title_rows == "$2:$2"
    with zipfile.ZipFile(io.BytesIO(data)) as z, zipfile.ZipFile(io.BytesIO(original)) as before:
        assert z.read("customXml/item1.xml") == b"<root/>"
        unchanged = [n for n in before.namelist()
                     if n not in ("xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml")]
        counts_part = next(n for n in unchanged if z.read(n) != before.read(n))
        assert counts_part.startswith("xl/worksheets/")  # 问卷计数 itself, and nothing else
        assert sum(1 for n in unchanged if z.read(n) != before.read(n)) == 1
