"""Hostile files: XML attacks, zip bombs and absurd sheets are refused before any
parser sees them, with a Chinese message and bounded memory; text from the input
never becomes a formula in our output; no eval/exec anywhere in the package."""

from __future__ import annotations

import ast
import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest

import corpus_gen as cg
from perfeval_xl.cli import main
from perfeval_xl.io import guard, sheet_scan
from perfeval_xl.io.guard import HostileFile, inspect_workbook

PACKAGE = Path(__file__).resolve().parent.parent / "perfeval_xl"


def _write(tmp_path: Path, data: bytes, name: str = "hostile.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _sheet_attack(prolog: bytes, ref: bytes | None = b"&lol9;") -> bytes:
    lay = cg.layout("xishan")
    return cg.zip_edit(lay.data, {lay.parts["资金情况"]: cg._with_prolog(prolog, ref)})


# --- what the parsers do on their own (documented, and why the guard exists anyway) -------

def test_openpyxl_parses_through_defusedxml():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML, "defusedxml must be installed: openpyxl then refuses DTDs and entities"


@pytest.mark.parametrize("prolog", [cg.BILLION_LAUGHS, cg.XXE_FILE])
def test_parsers_alone_do_not_expand_entities(tmp_path, prolog):
    """python-calamine (quick-xml) does not expand custom entities, openpyxl (defusedxml)
    refuses them: neither is exploitable, but both fail with an unclear error — the guard
    refuses first, with a message."""
    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook

    path = _write(tmp_path, _sheet_attack(prolog, b"&lol9;" if prolog is cg.BILLION_LAUGHS else b"&xxe;"))
    with pytest.raises(Exception) as calamine_error:
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name("资金情况").to_python()
    assert "entity" in str(calamine_error.value).lower()
    with pytest.raises(Exception):
        load_workbook(path)
    with pytest.raises(HostileFile, match="DOCTYPE/ENTITY"):
        inspect_workbook(path)


# --- the guard ----------------------------------------------------------------------------

@pytest.mark.parametrize("prolog", [cg.BILLION_LAUGHS, cg.XXE_FILE, cg.XXE_HTTP, cg.XXE_PARAM, cg.DOCTYPE_ONLY])
def test_guard_refuses_dtds_in_sheets(tmp_path, prolog):
    path = _write(tmp_path, _sheet_attack(prolog, None))
    with pytest.raises(HostileFile) as info:
        inspect_workbook(path)
    assert "hostile.xlsx" in info.value.message and "已拒绝打开" in info.value.message


def test_guard_refuses_doctype_hidden_in_utf16_and_odd_spacing(tmp_path):
    lay = cg.layout("xishan")
    path = _write(tmp_path, cg.zip_edit(lay.data, {lay.parts["资金情况"]: cg._utf16_doctype}))
    with pytest.raises(HostileFile, match="DOCTYPE"):
        inspect_workbook(path)
    spaced = cg.zip_edit(lay.data, {"xl/styles.xml": lambda x: b'<?xml version="1.0"?><!  doctype x>' + cg._strip_decl(x)})
    with pytest.raises(HostileFile, match="DOCTYPE"):
        inspect_workbook(_write(tmp_path, spaced, "spaced.xlsx"))


def test_user_text_that_looks_like_a_dtd_is_fine(tmp_path):
    """Cell text is escaped in XML (&lt;!DOCTYPE): no false alarm."""
    lay = cg.layout("xishan")
    data = cg.edit_cells(lay, {("资金情况", "J3"): '<!DOCTYPE x [<!ENTITY a "b">]>'})
    inspect_workbook(_write(tmp_path, data))


def _peak_memory(fn) -> int:
    tracemalloc.start()
    try:
        fn()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def test_zip_bomb_refused_by_ratio_without_inflating(tmp_path):
    path = _write(tmp_path, cg._zip_bomb(cg.layout("xishan")))

    def inspect():
        with pytest.raises(HostileFile, match="压缩炸弹"):
            inspect_workbook(path)
    assert _peak_memory(inspect) < 5 * 1024 * 1024


def test_total_uncompressed_size_is_capped(tmp_path, monkeypatch):
    """Parts under the ratio limit still count towards the total (declared, and again
    as they inflate, in case a header lies)."""
    monkeypatch.setattr(guard, "MAX_UNCOMPRESSED_BYTES", 50_000)
    path = _write(tmp_path, cg.layout("xishan").data)
    with pytest.raises(HostileFile, match="压缩炸弹"):
        inspect_workbook(path)


def test_lying_size_header_is_refused(tmp_path):
    """A part whose header understates its size: reading stops at the declared size
    and the CRC check fails; refused as damaged, memory bounded."""
    lay = cg.layout("xishan")
    data = bytearray(cg.zip_edit(lay.data, {"xl/media/big.bin": b"\0" * (8 * 1024 * 1024)}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/media/big.bin")
    small = (1000).to_bytes(4, "little")
    data[info.header_offset + 22:info.header_offset + 26] = small  # local header: uncompressed size
    pos = bytes(data).find(b"PK\x01\x02" + bytes(data[info.header_offset + 4:info.header_offset + 6]))
    while pos >= 0:
        name_len = int.from_bytes(data[pos + 28:pos + 30], "little")
        if bytes(data[pos + 46:pos + 46 + name_len]) == b"xl/media/big.bin":
            data[pos + 24:pos + 28] = small  # central directory: uncompressed size
        pos = bytes(data).find(b"PK\x01\x02", pos + 4)
    path = _write(tmp_path, bytes(data))

    def inspect():
        with pytest.raises(HostileFile):
            inspect_workbook(path)
    assert _peak_memory(inspect) < 8 * 1024 * 1024


def test_absurd_sheet_refused_with_sheet_and_cell(tmp_path):
    lay = cg.layout("xishan")
    path = _write(tmp_path, cg.edit_cells(lay, {("资金情况", "XFD1048576"): 1}))
    with pytest.raises(HostileFile) as info:
        inspect_workbook(path)
    assert (info.value.sheet, info.value.cell) == ("资金情况", "XFD1048576")
    assert "过大" in info.value.message and "删除" in info.value.message


def test_area_cap_and_streaming_memory(tmp_path, monkeypatch):
    """A long sheet is streamed: memory does not grow with its rows; the area cap holds."""
    rows = b"".join(b'<row r="%d"><c r="A%d" t="n"><v>%d</v></c><c r="B%d" t="n"><v>1</v></c></row>' % (i, i, i, i)
                    for i in range(3, 20_003))
    lay = cg.layout("xishan")
    data = cg.zip_edit(lay.data, {lay.parts["支出明细"]: lambda x: x.replace(b"</sheetData>", rows + b"</sheetData>")})
    path = _write(tmp_path, data)
    holder = {}
    peak = _peak_memory(lambda: holder.setdefault("i", inspect_workbook(path, {"支出明细"})))
    assert holder["i"].sheets["支出明细"].max_row == 20_002
    assert peak < 10 * 1024 * 1024
    monkeypatch.setattr(sheet_scan, "MAX_AREA", 10_000)
    with pytest.raises(HostileFile, match="过大") as info:
        inspect_workbook(path, {"支出明细"})
    assert info.value.sheet == "支出明细"


def test_dimension_element_is_not_trusted(tmp_path):
    path = _write(tmp_path, cg._lying_dimension(cg.layout("xishan")))
    scan = inspect_workbook(path).sheets["资金情况"]
    assert scan.max_row < 20 and scan.max_col <= 12


@pytest.mark.parametrize("builder, phrase", [
    (cg._many_parts, "部件"), (cg._duplicate_part, "出现了两次"), (cg._encrypted_flag, "已加密"),
    (cg._ole, "打开密码"), (lambda lay: b"PK\x03\x04garbage", "不是有效的 .xlsx"),
])
def test_other_package_refusals(tmp_path, builder, phrase):
    path = _write(tmp_path, builder(cg.layout("xishan")))
    with pytest.raises(HostileFile, match=phrase):
        inspect_workbook(path)


def test_guard_collects_uncached_formulas_errors_and_cached_values(tmp_path):
    lay = cg.layout("xishan")
    data = cg.edit_cells(lay, {("资金情况", "B3"): cg.Formula("SUM(1,2)"), ("资金情况", "C3"): cg.ErrorCell("#REF!"),
                               ("资金情况", "D3"): cg.Formula("1+1", "2"), ("资金情况", "E3"): cg.Formula('"a"&"b"', "ab", "str")})
    scan = inspect_workbook(_write(tmp_path, data)).sheets["资金情况"]
    assert scan.uncached == {(2, 1): "=SUM(1,2)"}
    assert scan.errors == {(2, 2): "#REF!"}
    assert scan.cached == {(2, 3): ("n", "2"), (2, 4): ("str", "ab")}


# --- through the command line ---------------------------------------------------------------

def test_cli_refuses_hostile_file_with_exit_2(tmp_path, capsys):
    path = _write(tmp_path, _sheet_attack(cg.BILLION_LAUGHS))
    before = path.read_bytes()
    assert main(["score", str(path)]) == 2
    err = capsys.readouterr().err
    assert "DOCTYPE/ENTITY" in err and "Traceback" not in err
    assert path.read_bytes() == before
    assert not (tmp_path / "hostile_评分.xlsx").exists()


INJECTED = ["=1+1", '=HYPERLINK("http://example.invalid","点我")', "+1+1", "-1+1", "@SUM(1,2)", "=cmd|' /C calc'!A0"]


@pytest.mark.slow
def test_no_input_text_becomes_a_formula(tmp_path, capsys):
    """Project name, unit names, reasons and indicator names starting with = + - @ stay text."""
    lay = cg.layout("wuhua")
    cells = {("项目信息", lay.info_ref("项目名称")): INJECTED[0],
             ("评分录入", lay.ref("评分录入", "扣分原因", 0)): INJECTED[1],
             ("指标体系", lay.ref("指标体系", "三级指标", 0)): INJECTED[3],
             ("单位名单", lay.ref("单位名单", "单位全称", 0)): INJECTED[4]}
    for k, text in enumerate(INJECTED[2:], start=1):
        cells[("单位名单", lay.ref("单位名单", "备注", k))] = text
    path = _write(tmp_path, cg.edit_cells(lay, cells))
    out = tmp_path / "out.xlsx"
    assert main(["score", str(path), "-o", str(out)]) in (0, 1)
    capsys.readouterr()
    from openpyxl import load_workbook

    from perfeval_xl.extensions import is_output_sheet

    wb = load_workbook(out)
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if is_output_sheet(ws.title):
                    assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.update(t for t in INJECTED if t in cell.value)
    assert {INJECTED[0], INJECTED[1], INJECTED[4]} <= seen
    # and in the raw XML of the output sheets: no <f> element at all
    with zipfile.ZipFile(out) as zf:
        from perfeval_xl.io.guard import sheet_parts

        for name, part in sheet_parts(zf).items():
            if is_output_sheet(name):
                assert b"<f>" not in zf.read(part) and b"<f " not in zf.read(part), name


#: Python written into a 公式: refused by the parser at the first character outside the formula language …
FORMULA_REFUSED = {
    "__import__('os').system('echo x')": "公式有误：公式第 17 个字符“.”无法识别",
    "().__class__.__bases__": "公式有误：公式第 3 个字符“.”无法识别",
    "lambda: 1": "公式有误：公式第 7 个字符“:”无法识别",
    "[x for x in ()]": "公式有误：公式第 1 个字符“[”无法识别",
}
#: … or read as one name (a value source with its parameter), which is only ever looked up, never run
FORMULA_AS_NAMES = {
    "open('/etc/passwd')": "open('/etc/passwd')",
    "值.__class__": "值.__class__",
    "exec('1')": "exec('1')",
    "eval('1')": "eval('1')",
}


def test_formula_rule_never_reaches_python():
    from decimal import Decimal

    from perfeval_xl.core.rules import Context, RuleError, Value, make_rule

    refused = set()
    for text, message in FORMULA_REFUSED.items():
        with pytest.raises(RuleError) as info:
            make_rule("公式", text, Decimal(10))
        assert str(info.value) == message
        refused.add(text)
    looked_up = set()
    for text, name in FORMULA_AS_NAMES.items():
        rule = make_rule("公式", text, Decimal(10))
        assert set(rule.names) == {name}
        asked = []

        def resolve(wanted):
            asked.append(wanted)
            return Value(Decimal("0.5"), True, wanted)

        ctx = Context(Decimal(10), "值", Value(Decimal("0.5"), True, "值"), None, (), resolve, None)
        assert rule.score(ctx).score == Decimal("0.50")  # the looked-up value itself, nothing executed
        assert asked == [name]
        looked_up.add(text)
    assert len(refused) == 4 and len(looked_up) == 4


# --- no eval / exec in the package ------------------------------------------------------------

FORBIDDEN_CALLS = {"eval", "exec", "compile", "execfile", "input", "breakpoint"}
FORBIDDEN_ATTRS = {("os", "system"), ("os", "popen"), ("pickle", "load"), ("pickle", "loads"),
                   ("marshal", "loads"), ("yaml", "load"), ("shelve", "open")}


def _constant_loop_names(tree: ast.AST) -> set[str]:
    """Names bound by ``for name in ("a", "b")`` over constant strings."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name) \
                and isinstance(node.iter, (ast.Tuple, ast.List)) \
                and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.iter.elts):
            names.add(node.target.id)
    return names


#: functions that import modules by a name not written in the code, and why that name is never user data
BUILD_TIME_IMPORTS = {
    # the page builder's own native measurement of what 评分 and 复核 import (web.api.page_modules),
    # imported inside Pyodide for the memory snapshot; each name is checked to be a dotted identifier
    ("perfeval_xl/web/api.py", "snapshot_imports"),
}


def _calls_outside(tree: ast.AST, path: str) -> list[ast.AST]:
    """The nodes of ``tree`` but those inside a function of :data:`BUILD_TIME_IMPORTS`."""
    skipped = {id(node) for function in ast.walk(tree)
               if isinstance(function, ast.FunctionDef) and (path, function.name) in BUILD_TIME_IMPORTS
               for node in ast.walk(function)}
    return [node for node in ast.walk(tree) if id(node) not in skipped]


@pytest.mark.slow
def test_no_eval_exec_or_dynamic_import_of_user_data():
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        constant_names = _constant_loop_names(tree)
        for node in _calls_outside(tree, path.relative_to(PACKAGE.parent).as_posix()):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
                problems.append(f"{where}: {func.id}()")
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                    and (func.value.id, func.attr) in FORBIDDEN_ATTRS:
                problems.append(f"{where}: {func.value.id}.{func.attr}()")
            if isinstance(func, ast.Name) and func.id == "__import__" or \
                    isinstance(func, ast.Attribute) and func.attr == "import_module":
                arg = node.args[0] if node.args else None
                ok = isinstance(arg, ast.Constant) or isinstance(arg, ast.Name) and arg.id in constant_names
                if not ok:
                    problems.append(f"{where}: dynamic import of a non-constant name")
            for keyword in node.keywords:
                if keyword.arg == "shell" and isinstance(keyword.value, ast.Constant) and keyword.value.value:
                    problems.append(f"{where}: shell=True")
    assert not problems, problems


def test_survey_export_import_is_guarded_too(tmp_path):
    """perfeval survey import reads a file from outside (问卷星 export): same guard."""
    from perfeval_xl.core.findings import TemplateError
    from perfeval_xl.survey.importer import read_export

    for name, data in (("laughs.xlsx", _sheet_attack(cg.BILLION_LAUGHS)), ("bomb.xlsx", cg._zip_bomb(cg.layout("xishan")))):
        with pytest.raises(TemplateError) as info:
            read_export(_write(tmp_path, data, name))
        assert "已拒绝打开" in info.value.message


# --- refusals name the sheet; packages other programs write (issue 9 items 1, 2, 6) ------------

@pytest.mark.parametrize("builder, phrase", [
    (lambda lay: _sheet_attack(cg.BILLION_LAUGHS), "的工作表“资金情况”含有 DOCTYPE/ENTITY 声明"),
    (cg._duplicate_part, "中的工作表“资金情况”出现了两次"),
    (cg._encrypted_flag, "中的工作表“资金情况”已加密"),
    (cg._bomb_sheet, "的工作表“资金情况”压缩比超过 100 倍"),
])
def test_refusals_name_the_sheet_not_the_package_part(tmp_path, builder, phrase):
    path = _write(tmp_path, builder(cg.layout("xishan")))
    with pytest.raises(HostileFile) as info:
        inspect_workbook(path)
    assert phrase in info.value.message and "hostile.xlsx" in info.value.message
    assert "xl/worksheets/" not in info.value.message
    assert info.value.sheet == "资金情况"


def test_other_parts_are_named_by_what_they_are(tmp_path):
    lay = cg.layout("xishan")
    path = _write(tmp_path, cg.zip_edit(lay.data, {"xl/styles.xml": cg._with_prolog(cg.XXE_FILE)}))
    with pytest.raises(HostileFile, match=r"的样式表（部件 xl/styles.xml）含有 DOCTYPE/ENTITY 声明"):
        inspect_workbook(path)


def test_a_size_header_smaller_than_the_compressed_data_is_refused_from_the_directory(tmp_path):
    """Deflate cannot shrink data below its compressed size: such a header lies, and the
    guard refuses it without inflating the part."""
    lay = cg.layout("xishan")
    data = bytearray(lay.data)
    part = lay.parts["资金情况"].encode()
    with zipfile.ZipFile(io.BytesIO(lay.data)) as zf:
        info = zf.getinfo(lay.parts["资金情况"])
    pos = bytes(data).find(b"PK\x01\x02")
    while pos >= 0:  # central directory entry of the sheet: uncompressed size → 10 bytes
        if bytes(data[pos + 46:pos + 46 + len(part)]) == part:
            data[pos + 24:pos + 28] = (10).to_bytes(4, "little")
        pos = bytes(data).find(b"PK\x01\x02", pos + 4)
    assert info.compress_size > 100
    with pytest.raises(HostileFile, match="的工作表“资金情况”的大小记录与内容不符"):
        inspect_workbook(_write(tmp_path, bytes(data)))


def test_strict_open_xml_is_refused_before_anything_is_written(tmp_path, capsys):
    """Issue 9 item 1: Strict Open XML gave an output with two xmlns:r (no program could open it)."""
    path = _write(tmp_path, cg._strict(cg.layout("xishan")), "strict.xlsx")
    before = path.read_bytes()
    assert main(["score", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Strict Open XML" in err and "另存为" in err and "Excel 工作簿(*.xlsx)" in err
    assert path.read_bytes() == before and not (tmp_path / "strict_评分.xlsx").exists()


def test_the_writer_refuses_strict_open_xml_too(tmp_path):
    from perfeval_xl.core.writeplan import SheetPlan, WritePlan
    from perfeval_xl.io.xlsx_splice import SpliceError, splice

    with pytest.raises(SpliceError, match="Strict Open XML"):
        splice(cg._strict(cg.layout("xishan")), WritePlan([SheetPlan("校验结果", cells=[(0, 0, "x", "text")])]))


# --- the quick scan and the exact one agree ---------------------------------------------------

def _facts(scan):
    return scan.uncached, scan.errors, scan.cached, scan.hidden_rows, sorted(scan.merges)


@pytest.mark.parametrize("variant", ["xishan-hidden-row", "xishan-资金情况-预算数-uncached-formula",
                                     "xishan-资金情况-预算数-error-cell", "wuhua-wuhua-uncached-in-roster"])
def test_quick_scan_finds_what_the_exact_scan_finds(tmp_path, variant):
    from corpus_gen import all_variants, write_variant

    (found,) = [v for v in all_variants() if v.id == variant]
    path, _ = write_variant(found, tmp_path)
    data = cg.edit_cells(cg.layout("xishan"), {
        ("资金情况", "B3"): cg.Formula("SUM(1,2)"), ("资金情况", "C3"): cg.ErrorCell("#REF!"),
        ("资金情况", "D3"): cg.Formula("1+1", "2"), ("资金情况", "E3"): cg.Formula('"a"&"b"', "a&amp;b", "str"),
        ("资金情况", "F3"): cg.Formula("1/0", "#DIV/0!", "e")})
    rich = _write(tmp_path, data, "rich.xlsx")
    seen = 0
    for book in (path, rich):
        with zipfile.ZipFile(book) as zf:
            names = set(zf.namelist())
            for sheet, part in guard.sheet_parts(zf).items():
                quick = sheet_scan.scan_quick(zf.read(part), sheet, part)
                assert quick is not None, sheet  # the samples are written the usual way
                exact = sheet_scan.scan_exact(zf, sheet, part, names)
                assert _facts(quick) == _facts(exact), sheet
                seen += sum(map(len, _facts(exact)))
    assert seen > 10


def test_an_unusual_spelling_goes_to_the_exact_scan_and_is_still_refused(tmp_path):
    """A far cell written with its reference after another attribute: the quick scan does not
    trust the file, the exact scan finds the cell."""
    lay = cg.layout("xishan")
    far = b'<row r="1048576"><c s="0" r="XFD1048576" t="n"><v>1</v></c></row>'
    data = cg.zip_edit(lay.data, {lay.parts["资金情况"]: lambda x: x.replace(b"</sheetData>", far + b"</sheetData>")})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert sheet_scan.scan_quick(zf.read(lay.parts["资金情况"]), "资金情况", lay.parts["资金情况"]) is None
    with pytest.raises(HostileFile) as info:
        inspect_workbook(_write(tmp_path, data))
    assert (info.value.sheet, info.value.cell) == ("资金情况", "XFD1048576")


def test_sheet_the_xml_parser_cannot_read_is_refused_naming_it(tmp_path):
    """A sheet the quick scan leaves to the exact one (a single-quoted reference) and that is not XML the
    parser reads (a row never closed): refused with where the parser stopped, naming the sheet; the XML
    parser, imported only for that exact scan, raises the error the guard words."""
    lay = cg.layout("xishan")
    broken = (b'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/'
              b"spreadsheetml/2006/main\"><sheetData><row r='1'><c r='A1'><v>1</v></c></sheetData></worksheet>")
    path = _write(tmp_path, cg.zip_edit(lay.data, {lay.parts["资金情况"]: broken}))
    with pytest.raises(HostileFile) as refused:
        inspect_workbook(path)
    # line 2, column 123: the name in the </sheetData> that closes no <row> (its "<" is the line's
    # character 121 counted from 0, as the parser counts columns)
    assert refused.value.message == ("工作表“资金情况”的 XML 无法解析（文件已损坏，第 2 行第 123 列不是正确的 XML）；"
                                     "请在 Excel 或 WPS 中打开并另存后再试")
    assert (refused.value.sheet, refused.value.cell) == ("资金情况", "A1")
