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


# --- PackageEdit.add_sheet: the one way the splice writer and the transplant tie a sheet in ----------

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def _edit(workbook: str):
    from perfeval_xl.io.xlsx_package import PackageEdit

    return PackageEdit(workbook, '<Relationships xmlns="x"></Relationships>', '<Types xmlns="y"></Types>')


def test_add_sheet_at_a_position_moves_the_later_sheet_indices():
    # two sheets (ids 1 and 4); print titles scoped to the second (localSheetId 1), which is active
    edit = _edit(f'<workbook xmlns="m" xmlns:r="{REL_NS}"><bookViews><workbookView activeTab="1"/></bookViews>'
                 '<sheets><sheet name="甲" sheetId="1" r:id="rId1"/><sheet name="乙" sheetId="4" r:id="rId2"/></sheets>'
                 '<definedNames><definedName name="_xlnm.Print_Titles" localSheetId="1">乙!$1:$1</definedName>'
                 '</definedNames></workbook>')
    edit.add_sheet("新", "xl/worksheets/imported1.xml", "rIdImported1", at=1)
    assert '<sheet name="甲" sheetId="1" r:id="rId1"/><sheet name="新" sheetId="5" r:id="rIdImported1"/>' \
           '<sheet name="乙"' in edit.workbook  # the next id after the largest (4)
    assert 'activeTab="2"' in edit.workbook and 'localSheetId="2"' in edit.workbook  # 乙 moved from 1 to 2
    assert edit.rels == ('<Relationships xmlns="x"><Relationship Id="rIdImported1" Type="' + REL_NS + '/worksheet" '
                         'Target="/xl/worksheets/imported1.xml"/></Relationships>')
    assert edit.types == f'<Types xmlns="y"><Override PartName="/xl/worksheets/imported1.xml" ContentType="{SHEET_TYPE}"/></Types>'


def test_add_sheet_declares_the_relationships_namespace_on_the_root_once():
    # openpyxl with lxml declares xmlns:r on each <sheet> only: the root gets one declaration
    edit = _edit(f'<workbook xmlns="m"><sheets><sheet xmlns:r="{REL_NS}" name="甲" sheetId="1" r:id="rId1"/></sheets></workbook>')
    edit.add_sheet("新", "xl/worksheets/perfeval1.xml", "rIdPerfeval1")
    edit.add_sheet("又", "xl/worksheets/perfeval2.xml", "rIdPerfeval2")
    assert edit.workbook.startswith(f'<workbook xmlns:r="{REL_NS}" xmlns="m">')
    assert edit.workbook.count(f'xmlns:r="{REL_NS}"') == 2  # the root's and the user's sheet's
    assert edit.workbook.endswith('<sheet name="新" sheetId="2" r:id="rIdPerfeval1"/>'
                                  '<sheet name="又" sheetId="3" r:id="rIdPerfeval2"/></sheets></workbook>')


def test_add_sheet_refuses_a_workbook_that_binds_r_to_another_namespace():
    import pytest

    from perfeval_xl.io.xlsx_package import SpliceError

    edit = _edit('<workbook xmlns="m"><sheets><sheet xmlns:r="urn:other" name="甲" sheetId="1" r:id="rId1"/></sheets></workbook>')
    with pytest.raises(SpliceError, match="命名空间"):
        edit.add_sheet("新", "xl/worksheets/perfeval1.xml", "rIdPerfeval1")
