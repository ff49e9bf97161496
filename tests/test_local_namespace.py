"""A workbook whose workbook.xml declares the relationships namespace on each <sheet> only (as
openpyxl writes it when lxml is installed) is scored, and the copy opens."""

import zipfile

from openpyxl import load_workbook

from perfeval_xl.cli import main

REL = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def with_local_declarations(source, target):
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                assert REL in text.split(">", 1)[0]
                text = text.replace(" " + REL, "", 1).replace("<sheet ", f"<sheet {REL} ")
                data = text.encode("utf-8")
            zout.writestr(item, data)


def test_scoring_a_workbook_with_per_sheet_namespace_declarations(xishan, tmp_path, capsys):
    local = tmp_path / "本地声明.xlsx"
    with_local_declarations(xishan, local)
    out = tmp_path / "scored.xlsx"
    assert main(["score", str(local), "-o", str(out)]) == 0, capsys.readouterr()
    workbook = load_workbook(out)
    assert "评分表" in workbook.sheetnames and "项目信息" in workbook.sheetnames
    root = zipfile.ZipFile(out).read("xl/workbook.xml").decode("utf-8").split(">", 1)[0]
    assert REL in root
