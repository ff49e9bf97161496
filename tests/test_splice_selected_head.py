"""The splice reads only the head of each input sheet, a few KiB at a time, to find the 'selected tab'
flag (issue 22: a 100,000-row 支出明细 had 64 KiB inflated for it): a flag far into a long head is
still found and cleared, and a sheet without it is copied as it was."""

import re
import zipfile

from openpyxl import load_workbook

from perfeval_xl.cli import main


def test_a_selected_flag_after_a_long_head_is_still_cleared(tmp_path, capsys):
    import corpus_gen as cg

    lay = cg.layout("xishan")
    padding = b"<!--" + b" " * 20_000 + b"-->"  # 20 KiB before <sheetViews>: five reads of 4 KiB to reach the flag

    def select_far(xml: bytes) -> bytes:
        xml = xml.replace(b' tabSelected="1"', b"").replace(b" tabSelected='1'", b"")
        xml = re.sub(rb"<sheetView(?=[\s>/])", b'<sheetView tabSelected="true"', xml, count=1)
        return xml.replace(b"<sheetViews", padding + b"<sheetViews", 1)

    source = tmp_path / "far.xlsx"
    source.write_bytes(cg.zip_edit(lay.data, {lay.parts["资金情况"]: select_far}))
    with zipfile.ZipFile(source) as z:
        before = z.read(lay.parts["资金情况"])
    assert before.index(b"tabSelected") > 20_000
    out = tmp_path / "out.xlsx"
    assert main(["score", str(source), "-o", str(out)]) == 0
    capsys.readouterr()
    with zipfile.ZipFile(out) as z:
        after = z.read(lay.parts["资金情况"])
        others = {name: z.read(name) for name in z.namelist()}
    # the flag alone removed, every other byte of the sheet kept (the padding too)
    assert after == before.replace(b' tabSelected="true"', b"", 1)
    wb = load_workbook(out)
    assert [ws.title for ws in wb.worksheets if ws.sheet_view.tabSelected] == ["得分汇总"]
    # the other input sheets (no flag) are copied byte for byte
    with zipfile.ZipFile(source) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name != lay.parts["资金情况"]:
                assert others[name] == z.read(name)
