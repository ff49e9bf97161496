"""Issue 20 (round three of hostile input): each defect's reproduction as a regression test.

Every command (score, review, batch, report, survey import) is run in this process through
``perfeval_xl.cli.main``; what it writes must open (zip test, every XML part well-formed,
openpyxl loads it), the input must be unchanged, and every refusal is a Chinese message.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import stat
import sys
import threading
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

import corpus_gen as cg
from perfeval_xl.cli import main

WUHUA_UNIT = "西翥"  # the first 单位简称 of the 五华 sample (单位名单!B3)


def run(argv: list[str]) -> tuple[int, str, str]:
    """``perfeval ARGV`` in this process: (exit status, stdout, stderr); a traceback fails the test."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
        except KeyboardInterrupt:  # would stop the test run itself
            pytest.fail("KeyboardInterrupt escaped the command")
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return code, out.getvalue(), err.getvalue()


def assert_opens(path: Path) -> None:
    """The output a user gets opens: a sound zip, every XML part well-formed, openpyxl loads it."""
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        for name in zf.namelist():
            if name.endswith((".xml", ".rels", ".vml")):
                ElementTree.fromstring(zf.read(name))  # raises on a control character or a lone surrogate
    if path.suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        load_workbook(path).close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wuhua_with_unit(token: bytes) -> bytes:
    """The 五华 sample with the 单位简称 西翥 spelt 西<token>翥 wherever it is written (corpus_gen.unit_spelt)."""
    return cg.unit_spelt(token, WUHUA_UNIT)(cg.layout("wuhua"))


# --- item 1: control characters in a unit 简称 reach sheet names, defined names, charts ---------

@pytest.mark.slow
@pytest.mark.parametrize("token", [b"_x000B_", b"_x0001_", b"_x001B_", b"&#9;"])
def test_control_character_in_unit_short_name_gives_an_output_that_opens(tmp_path, token):
    source = tmp_path / "ctrl.xlsx"
    source.write_bytes(wuhua_with_unit(token))
    before = digest(source)
    code, out, err = run(["score", str(source), "-o", str(tmp_path / "out.xlsx")])
    assert code in (0, 1), err
    assert digest(source) == before
    assert_opens(tmp_path / "out.xlsx")
    from openpyxl import load_workbook

    names = load_workbook(tmp_path / "out.xlsx", read_only=True).sheetnames
    # the control character is dropped (a tab becomes a space): the sheet keeps the unit's visible name
    assert ("评分表-西翥" in names) or ("评分表-西 翥" in names), names


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_control_character_output_converts_in_libreoffice(tmp_path):
    import subprocess

    source = tmp_path / "ctrl.xlsx"
    source.write_bytes(wuhua_with_unit(b"_x000B_"))
    code, out, err = run(["score", str(source), "-o", str(tmp_path / "out.xlsx")])
    assert code in (0, 1), err
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "out.xlsx")], capture_output=True, timeout=600)
    assert (tmp_path / "out.pdf").stat().st_size > 10_000  # the workbook's pages, not an empty document


def test_xml_safe_is_the_one_cleaning_function():
    from perfeval_xl.core.normalize import xml_safe

    assert xml_safe("西\x0b翥\x01\x1b") == "西翥"
    assert xml_safe("a\tb\nc") == "a\tb\nc"  # legal in XML text
    assert xml_safe("评价\udcc6\udcc0.xlsx") == "评价\\xc6\\xc0.xlsx"  # a byte file name, shown escaped
    assert xml_safe("\ufffe") == ""


# --- item 3: file names that are not UTF-8 (GBK bytes) ---------------------------------------

GBK_NAME = "评价".encode("gbk") + b".xlsx"  # b'\xc6\xc0\xbc\xdb.xlsx': what unzip leaves of 评价.xlsx


@pytest.fixture
def gbk_book(tmp_path) -> Path:
    raw = os.fsencode(tmp_path) + b"/" + GBK_NAME
    with open(raw, "wb") as handle:
        handle.write(cg.XISHAN.read_bytes())
    return Path(os.fsdecode(raw))


def run_process(argv: list, cwd: Path) -> "subprocess.CompletedProcess[bytes]":
    """``perfeval ARGV`` as a real process (its own stdout/stderr encoding), bytes in and out."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PERFEVAL_DEBUG")}
    proc = subprocess.run([sys.executable, "-m", "perfeval_xl.cli", *argv], cwd=cwd, capture_output=True,
                          timeout=300, env={**env, "LC_ALL": "C.UTF-8"})
    assert b"Traceback" not in proc.stdout + proc.stderr, proc.stderr.decode("utf-8", "replace")
    proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")  # both are UTF-8 throughout
    return proc


@pytest.mark.slow
@pytest.mark.parametrize("command", ["score", "review", "report"])
def test_byte_file_name_is_read_and_named_escaped(gbk_book, command):
    proc = run_process([command, os.fsencode(gbk_book)], gbk_book.parent)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    tag = {"score": "_评分.xlsx", "review": "_复核.xlsx", "report": "_报告.docx"}[command]
    written = Path(os.fsdecode(os.fsencode(gbk_book)[:-5] + tag.encode()))
    assert_opens(written)
    assert "\\xc6\\xc0\\xbc\\xdb" in proc.stdout.decode()  # the name, its undecodable bytes escaped


def test_byte_file_name_in_a_refusal_is_escaped(tmp_path):
    raw = os.fsencode(tmp_path) + b"/" + GBK_NAME
    with open(raw, "wb") as handle:
        handle.write(b"not a workbook")
    proc = run_process(["score", raw], tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 2
    assert "\\xc6\\xc0\\xbc\\xdb.xlsx" in err and err.startswith("错误：")


def test_byte_file_name_in_batch_writes_the_summary(tmp_path, gbk_book):
    summary = tmp_path / "out" / "汇总.xlsx"
    proc = run_process(["batch", str(gbk_book.parent), "-o", str(summary), "--jobs", "1"], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    assert_opens(summary)
    from openpyxl import load_workbook

    cells = [str(c.value) for row in load_workbook(summary)["汇总"].iter_rows() for c in row if c.value]
    assert any("\\xc6\\xc0\\xbc\\xdb" in c for c in cells), cells


def test_display_name_escapes_undecodable_bytes():
    from perfeval_xl.io.files import display_name

    assert display_name(Path(os.fsdecode(b"/x/\xc6\xc0.xlsx"))) == "\\xc6\\xc0.xlsx"
    assert display_name("评价.xlsx") == "评价.xlsx"


# --- item 4: special files -------------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX named pipes")
@pytest.mark.parametrize("command", ["score", "review", "report"])
def test_fifo_named_xlsx_is_refused_not_waited_on(tmp_path, command):
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    result = {}
    worker = threading.Thread(target=lambda: result.update(r=run([command, str(fifo)])), daemon=True)
    worker.start()
    worker.join(30)
    if worker.is_alive():  # unblock the reader so the test process can end, then fail
        with open(fifo, "wb"):
            pass
        worker.join(5)
        pytest.fail(f"perfeval {command} waited on a named pipe")
    code, out, err = result["r"]
    assert code == 2 and "不是普通文件" in err, err


@pytest.mark.parametrize("command", ["score", "review"])
def test_symlink_to_a_device_is_refused(tmp_path, command):
    link = tmp_path / "zero.xlsx"
    link.symlink_to("/dev/zero")
    code, out, err = run([command, str(link)])
    assert code == 2 and "不是普通文件" in err, err


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    from perfeval_xl.io import files

    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1000)
    book = tmp_path / "big.xlsx"
    book.write_bytes(cg.XISHAN.read_bytes())
    code, out, err = run(["score", str(book)])
    assert code == 2 and "超过上限" in err, err


# --- item 11: Ctrl-C ---------------------------------------------------------------------------

def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("command", ["score", "review", "report", "survey"])
def test_ctrl_c_is_a_chinese_line_and_exit_130(tmp_path, monkeypatch, command):
    from perfeval_xl.io import snapshot

    monkeypatch.setattr(snapshot, "_read_snapshot", _interrupt)
    book = tmp_path / "book.xlsx"
    book.write_bytes(cg.XISHAN.read_bytes())
    argv = {"survey": ["survey", "import", str(book), "--class", "A", "--into", str(book)]}.get(command, [command, str(book)])
    code, out, err = run(argv)
    assert code == 130
    assert err.strip().startswith("已中断"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]  # no partial file


def test_memory_error_is_a_chinese_message(tmp_path, monkeypatch):
    from perfeval_xl.io import snapshot

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(snapshot, "_read_snapshot", exhausted)
    monkeypatch.delenv("PERFEVAL_DEBUG", raising=False)
    book = tmp_path / "book.xlsx"
    book.write_bytes(cg.XISHAN.read_bytes())
    code, out, err = run(["score", str(book)])
    assert code == 2 and "内存不足" in err and "MemoryError" not in err, err


# --- item 12: input parts that an output cannot carry -------------------------------------------

def _xishan(recipe):
    return lambda: recipe(cg.layout("xishan"))


CARRIED = {name: (_xishan(recipe), phrase) for name, (recipe, phrase) in cg.CARRIED.items()
           if name not in ("xlsb-renamed", "lzma-parts")}  # those two: item 13 below
CARRIED["nan-number"] = (_xishan(cg.nonfinite("NaN")), "不是数字")
CARRIED["inf-number"] = (_xishan(cg.nonfinite("INF")), "不是数字")


@pytest.mark.parametrize("command", ["score", "review", "report"])
@pytest.mark.parametrize("kind", sorted(CARRIED))
def test_part_an_output_cannot_carry_is_refused(tmp_path, kind, command):
    build, phrase = CARRIED[kind]
    book = tmp_path / "carried.xlsx"
    book.write_bytes(build())
    before = digest(book)
    code, out, err = run([command, str(book)])
    assert code == 2 and phrase in err and "“carried.xlsx”" in err, err
    assert digest(book) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["carried.xlsx"]


# --- item 13: messages in Chinese, naming the file; one read-only policy -----------------------

MESSAGES = {
    "xlsb-renamed": (_xishan(cg.xlsb_renamed), "其实是 .xlsb 格式"),
    "lzma-parts": (_xishan(cg.lzma_parts), "使用了 Excel 不用的压缩方式（第 14 种）"),
    "garbage-workbook-part": (lambda: cg.zip_edit(cg.XISHAN.read_bytes(), {"xl/workbook.xml": b"<workbook><sheets>\xff\xfe"}),
                              "“bad.xlsx”"),
}


@pytest.mark.parametrize("command", ["score", "review", "report"])
@pytest.mark.parametrize("kind", sorted(MESSAGES))
def test_damaged_file_messages_are_chinese(tmp_path, kind, command):
    build, phrase = MESSAGES[kind]
    book = tmp_path / "bad.xlsx"
    book.write_bytes(build())
    code, out, err = run([command, str(book)])
    assert code == 2 and phrase in err, err
    for english in ("not well-formed", "invalid start byte", "compression method", "File contains", "Error）",
                    "（BadZipFile）", "（OSError）", "（KeyError）"):
        assert english not in err, err
    assert_documented(err)


def assert_documented(stderr: str) -> None:
    """Every line of a refusal corresponds to an entry of docs/errors.md (as tests/test_errors_doc.py reads it)."""
    import test_errors_doc as doc

    entries = [doc._pattern(e) for e in doc.doc_entries()]
    for line in stderr.strip().splitlines():
        text = line.removeprefix("错误：")
        text = text.split("：", 1)[1] if "!" in text.split("：", 1)[0] else text  # 工作表!单元格：
        if text.startswith("“") and "”：" in text and not any(doc.unify(text, e) for e in entries):
            text = text.split("”：", 1)[1]  # the file named before a survey message: “导出.xlsx”：
        assert any(doc.unify(text.replace("\0", ""), e) for e in entries), f"not in docs/errors.md: {line}"


def test_unreadable_file_is_a_read_permission_problem(tmp_path, monkeypatch):
    import errno

    from perfeval_xl.io.atomic import describe_os_error

    book = tmp_path / "locked.xlsx"
    book.write_bytes(b"x")
    book.chmod(0)
    monkeypatch.setattr(os, "access", lambda path, mode: False)  # as for a user other than root
    message = describe_os_error(PermissionError(errno.EACCES, "Permission denied", str(book)))
    assert "没有读取权限" in message and "写入" not in message


@pytest.mark.parametrize("argv", [["report", "--force"], ["score"], ["review"]])
def test_a_read_only_output_is_never_replaced(tmp_path, argv):
    book = tmp_path / "book.xlsx"
    book.write_bytes(cg.XISHAN.read_bytes())
    tag = {"report": "_报告.docx", "score": "_评分.xlsx", "review": "_复核.xlsx"}[argv[0]]
    existing = tmp_path / f"book{tag}"
    existing.write_bytes(b"kept")
    existing.chmod(0o444)
    code, out, err = run([argv[0], str(book), *argv[1:]])
    assert code == 2 and "是只读文件，不能覆盖" in err, err
    assert existing.read_bytes() == b"kept"
    assert_documented(err)


# --- item 7: the pasted-table review is linear in rows --------------------------------------------

@pytest.mark.slow
def test_pasted_table_review_is_linear():
    """8,000 rows took 26 s of CPU (quadratic: each comparison rescanned its column); linear it is well
    under a second (bench/bench_table_audit.py prints the 8,000/2,000 ratio, about 4)."""
    import time

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from bench_table_audit import table

    from perfeval_xl.core.table_audit import audit_sheet

    grid = table(8000)
    start = time.process_time()
    audit = audit_sheet("报告表1", grid)
    spent = time.process_time() - start
    # each of 8,000 rows: its 合计 column, 执行率 and 占比 (3); the 合计 row: 预算数, 支出数 and 合计 as column
    # totals, its 合计 as a row total and its 执行率 (5); the 占比 column's sum (1): 24,006
    assert audit.checked == 3 * 8000 + 5 + 1
    assert spent < 8, f"{spent:.1f} s CPU for 8,000 rows"


# --- item 8: nothing in a pasted table is skipped silently ------------------------------------------

def _scored_table(total: object, unit: str = "") -> list[list[object]]:
    return [["表2 得分情况"], ["序号", "单位", "得分", "人数"],
            [1, "甲", f"2{unit}", "10人"], [2, "乙", f"1.5{unit}", "20人"], [3, "丙", f"3{unit}", "5人"],
            ["合计", "", total, "35人"]]


@pytest.mark.parametrize("total, said", [
    ("#REF!", "Excel 错误值 #REF!"), ("#N/A", "Excel 错误值 #N/A"),
])
def test_a_total_holding_an_error_is_listed_as_not_checked(total, said):
    from perfeval_xl.core.normalize import ExcelErrorValue, UncachedFormula
    from perfeval_xl.core.table_audit import audit_sheet

    for value in (total, ExcelErrorValue(total)):
        audit = audit_sheet("报告表2", _scored_table(value))
        (unchecked,) = [u for u in audit.unchecked if u.range == "C6"]
        assert unchecked.reason == f"“合计”行的“得分”未核对：该单元格是 {said}"
    audit = audit_sheet("报告表2", _scored_table(UncachedFormula("=SUM(C3:C5)")))
    (unchecked,) = [u for u in audit.unchecked if u.range == "C6"]
    assert "是公式（=SUM(C3:C5)），文件中没有保存计算结果" in unchecked.reason


def test_figures_with_unit_words_are_checked():
    from perfeval_xl.core.table_audit import audit_sheet

    # 2分 + 1.5分 + 3分 = 6.5分, printed 9分: a slip; 10人 + 20人 + 5人 = 35人, printed 35人: agrees
    audit = audit_sheet("报告表2", _scored_table("9分", "分"))
    assert audit.checked == 2
    (slip,) = audit.slips
    assert (slip.cell, slip.printed, slip.expected) == ("C6", "9分", "6.5分")
    assert not audit.unchecked


def test_a_total_over_different_unit_words_is_listed():
    from perfeval_xl.core.table_audit import audit_sheet

    rows = _scored_table("6.5分", "分")
    rows[3][2] = "1.5人"
    audit = audit_sheet("报告表2", rows)
    assert [u.reason for u in audit.unchecked if u.range == "C6"] == ["“合计”行的“得分”未核对：所合计的数字单位不同（人、分）"]


# --- item 10: survey import ---------------------------------------------------------------------

@pytest.fixture
def survey_book(tmp_path):
    from test_survey_cli import make_book

    return make_book(tmp_path / "评价.xlsx")


def _survey_rows(respondents: int = 6):
    from test_survey import generated_export

    rows, *_ = generated_export(5, respondents)
    return rows


def _import(export: Path, book: Path, *extra) -> tuple[int, str, str]:
    from test_survey_cli import UNIT_COLUMN

    return run(["survey", "import", str(export), "--class", "A", "--into", str(book), "--unit-column", UNIT_COLUMN,
                *extra])


def test_csv_field_longer_than_csv_allows_is_read_and_cut_in_messages(tmp_path, survey_book):
    import csv

    rows = _survey_rows()
    essay = "很" * 200_000  # over csv's default 131,072-character field limit
    rows[1][7] = essay
    export = tmp_path / "导出.csv"
    with open(export, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    code, out, err = _import(export, survey_book, "--dry-run")
    assert code == 1, err
    (line,) = [x for x in out.splitlines() if "很很很" in x]
    assert "很" * 60 + "……（共 200,000 个字符）" in line and len(line) < 400


def test_repeated_serial_number_is_not_counted_twice(tmp_path, survey_book):
    from test_survey_cli import write_export

    rows = _survey_rows(6)
    doubled = rows + rows[1:]  # the same export appended twice
    export = write_export(tmp_path / "导出.xlsx", doubled)
    code, out, err = _import(export, survey_book, "--dry-run")
    assert code == 1, err
    assert "共 6 份答卷" in out  # not 12
    assert out.count("与第") == 6 and "第8行的序号“1”与第2行重复" in out
    assert "Sheet1!A8：" in out


def test_formula_answer_without_its_result_is_a_finding_not_a_blank(tmp_path, survey_book):
    from test_survey_cli import write_export

    rows = _survey_rows(4)
    export = write_export(tmp_path / "导出.xlsx", rows)
    # the answer of row 3, question 2 (column H) becomes a formula saved without its result
    data = cg.zip_edit(export.read_bytes(), {"xl/worksheets/sheet1.xml": lambda xml: cg.set_cell(
        xml, "H3", cg.Formula('IF(1,"了解","")'))})
    export.write_bytes(data)
    code, out, err = _import(export, survey_book, "--dry-run")
    assert code == 1, err
    assert "Sheet1!H3：第3行" in out and "答案是公式（=IF(1,\"了解\",\"\")），文件中没有保存计算结果" in out
    assert not [x for x in out.splitlines() if "H3" in x and "未作答" in x]


def test_survey_locations_never_read_file_bang(tmp_path, survey_book):
    from test_survey_cli import write_export

    export = write_export(tmp_path / "导出.xlsx", _survey_rows(3))
    code, out, err = _import(export, survey_book, "--sheet", "不存在")
    assert code == 2 and "!：" not in err, err
    assert err.startswith("错误：“导出.xlsx”：导出文件中没有工作表“不存在”"), err
    assert_documented(err)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX named pipes")
def test_survey_import_refuses_a_named_pipe_as_export_or_book(tmp_path, survey_book):
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    for export, book in ((fifo, survey_book), (survey_book, fifo)):
        result = {}
        worker = threading.Thread(target=lambda: result.update(r=_import(export, book)), daemon=True)
        worker.start()
        worker.join(60)
        if worker.is_alive():
            with open(fifo, "wb"):
                pass
            pytest.fail("survey import waited on a named pipe")
        code, out, err = result["r"]
        assert code == 2 and err == "错误：“pipe.xlsx”不是普通文件（是命名管道），perfeval 只读取普通的工作簿文件；请给出 .xlsx 文件本身\n"
