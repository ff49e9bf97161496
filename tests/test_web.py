"""离线网页版 (perfeval_xl/web): the page's Python side gives the CLI's bytes and messages, natively, inside Pyodide
under Node, and in the built page in headless Chromium opened from file:// with the network blocked.

The Node and Chromium tests are marked ``browser`` and ``slow``; they skip, saying why, where Node, the npm
packages (``npm ci`` in tools/web), Chromium or the Pyodide wheels (PyPI, once) are missing.  The page is built
once per session into a temporary folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from perfeval_xl import cli
from perfeval_xl.web import api
from perfeval_xl.web.build import FOLDER_NAME, NPM_FOLDER, WebBuildError, build, fetch_wheels, find_pyodide
from perfeval_xl.web.build import default_wheel_cache

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_workbooks"
WUHUA = SAMPLES / "五华区五个先锋奖励经费2023.xlsx"
XISHAN = SAMPLES / "西山区社区党组织服务群众专项经费2024.xlsx"
CALCULATOR = SAMPLES / "UDF计算器.xlsx"
NPM = ROOT / NPM_FOLDER
CHROMIUM = Path("/usr/bin/chromium")
#: the samples' totals as README.md states them (taken from the two published reports, scored by their rules)
TOTALS = {WUHUA.name: 90.77, XISHAN.name: 88.51}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run_cli(argv: list[str], cwd: Path) -> tuple[int, str, str]:
    """``perfeval <argv>`` in-process, run in ``cwd``: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main(argv)
    finally:
        os.chdir(old)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="session")
def cli_runs(tmp_path_factory):
    """What the CLI writes for the samples (score and review of both, batch of the three samples given as files,
    batch of the folder), and its message for a broken file; run beside copies of the files, as a user would."""
    folder = tmp_path_factory.mktemp("cli")
    for sample in (WUHUA, XISHAN, CALCULATOR):
        shutil.copy2(sample, folder / sample.name)
    (folder / "坏文件.xlsx").write_bytes(b"this is not a workbook")
    runs = {}
    for sample in (WUHUA, XISHAN):
        for command, tag in (("score", "_评分"), ("review", "_复核")):
            status, _, _ = run_cli([command, sample.name], folder)
            runs[command, sample.name] = (status, (folder / f"{sample.stem}{tag}.xlsx").read_bytes())
    for command in ("score", "review"):
        runs[command, "坏文件.xlsx"] = run_cli([command, "坏文件.xlsx"], folder)
    names = [WUHUA.name, XISHAN.name, CALCULATOR.name]
    status, out, _ = run_cli(["batch", *names, "-o", "汇总-文件.xlsx", "--jobs", "1"], folder)
    runs["batch", "files"] = (status, out, (folder / "汇总-文件.xlsx").read_bytes())
    return runs


# --- the page's Python side, natively ----------------------------------------------------------------------------

def test_api_score_and_review_give_the_cli_bytes_and_totals(cli_runs):
    scored = api.score(XISHAN.name, XISHAN.read_bytes())
    assert scored["output_name"] == "西山区社区党组织服务群众专项经费2024_评分.xlsx"
    assert (scored["exit"], sha(scored["output"])) == (cli_runs["score", XISHAN.name][0],
                                                       sha(cli_runs["score", XISHAN.name][1]))
    assert scored["units"] == [["2024年社区党组织服务群众专项经费", "88.51", "良"]]  # README: 88.51，良
    reviewed = api.review(XISHAN.name, XISHAN.read_bytes())
    assert reviewed["output_name"].endswith("_复核.xlsx")
    assert sha(reviewed["output"]) == sha(cli_runs["review", XISHAN.name][1])
    # README: 西山 review checks 73 numbers and lists 6 slips; the CLI's own line says so
    assert "复核：核对报告印出的数字 73 个" in reviewed["message"] and len(reviewed["summary"]["slips"]) == 6


def test_api_gives_the_cli_exit_2_message_for_a_broken_file(cli_runs):
    for command in ("score", "review"):
        status, _, err = cli_runs[command, "坏文件.xlsx"]
        result = getattr(api, command)("坏文件.xlsx", b"this is not a workbook")
        assert status == 2 and result["exit"] == 2
        assert result["message"] == err.strip() and "不是有效的 .xlsx 文件" in result["message"]
        assert "output" not in result


def test_the_snapshot_lists_are_what_score_and_review_load(tmp_path):
    """What the builder measures for the page's memory snapshot: the modules a score and a review of the warm-up
    workbook load (this project's pipeline and the compiled reader among them) and the regular expressions
    compiled by then; what the snapshot leaves out (a module Pyodide lacks) and a pattern that does not compile."""
    book = api.write_warm_up_book(tmp_path / api.WARM_UP_BOOK.name).read_bytes()
    modules = api.page_modules(book)
    assert {"perfeval_xl.pipeline", "perfeval_xl.io.snapshot", "perfeval_xl.core.textfit", "python_calamine"} <= set(modules)
    patterns = api.page_patterns()
    assert patterns and all(isinstance(p, str) and isinstance(f, int) for p, f in patterns)
    assert api.snapshot_imports(["json", "perfeval_xl_no_such_module", "perfeval_xl.core.textfit"]) == [
        "perfeval_xl_no_such_module"]
    assert api.snapshot_patterns([(r"\d+（分）", 0), ("(unclosed", 0), ("a.b", 16)]) == 2  # 16: re.DOTALL


def test_api_new_template_is_perfeval_new(tmp_path):
    made = api.new_template()
    assert made["output_name"] == "绩效评价模板.xlsx"
    assert_same_template(made["output"], tmp_path)


def assert_same_template(data: bytes, folder: Path) -> None:
    """The template `perfeval new` writes, byte for byte (fixed time stamps, and XML written without lxml
    everywhere: Pyodide has no lxml wheel, so the desktop does not use it for this either)."""
    assert run_cli(["new", "-o", "模板.xlsx"], folder)[0] == 0
    assert data == (folder / "模板.xlsx").read_bytes()


def test_api_batch_of_a_folder_is_perfeval_batch_of_that_folder(tmp_path):
    """A folder picked in the page arrives as paths 'folder/…' and is summarised as `perfeval batch folder`:
    the same 汇总.xlsx, the same lines the terminal shows, every file listed (a .docx as 格式不支持)."""
    folder = tmp_path / "报送"
    folder.mkdir()
    for path in (CALCULATOR, WUHUA, XISHAN):
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "说明.docx").write_bytes(b"PK\x05\x06" + bytes(18))  # not a workbook
    status, out, _ = run_cli(["batch", str(folder), "-o", str(tmp_path / "汇总.xlsx"), "--jobs", "1"], tmp_path)
    picked = [(f"报送/{p.name}", p.read_bytes()) for p in sorted(folder.iterdir())]
    seen = []
    result = api.batch(picked, on_file=lambda index, total, name, state: seen.append((index, total, name, state)))
    assert result["exit"] == status == 1  # both reports have slips (README), the calculator is not a template
    assert sha(result["output"]) == sha((tmp_path / "汇总.xlsx").read_bytes())
    assert result["message"] == out[:out.index("已写入：")].strip()
    assert result["message"].startswith("共处理 4 个文件、14 份评价或自评表；4 个文件有差错、错误、未核对或无法读取")
    assert [row["status"] for row in result["rows"] if row["file"] == "说明.docx"] == ["格式不支持"]
    # every workbook is announced before and after it is processed, in the CLI's order; the .docx is listed at once
    assert [(i, n, s == "处理中") for i, _, n, s in seen] == [
        (0, "说明.docx", False), (1, CALCULATOR.name, True), (1, CALCULATOR.name, False), (2, WUHUA.name, True),
        (2, WUHUA.name, False), (3, XISHAN.name, True), (3, XISHAN.name, False)]


def test_warm_up_steps_run_and_the_built_in_workbook_scores(tmp_path):
    for step in api.WARM_UP_STEPS:
        api.warm_up(step)
    book = api.write_warm_up_book(tmp_path / api.WARM_UP_BOOK.name)
    scored = api.score(book.name, book.read_bytes())
    # by hand: each unit scores its two manual entries, 38 of 40 + 55 of 60 = 93 (优 from 90); the mean is 93.00
    assert (scored["exit"], scored["units"]) == (0, [["甲街道办事处", "93.00", "优"], ["乙街道办事处", "93.00", "优"],
                                                     ["项目得分（算术平均）", "93.00", "优"]])
    with pytest.raises(ValueError):
        api.warm_up("no such step")


def test_web_build_without_pyodide_says_how_to_get_it(tmp_path):
    status, _, err = run_cli(["web", "build", "-o", str(tmp_path), "--pyodide", str(tmp_path / "缺")], tmp_path)
    assert status == 2
    assert "找不到 Pyodide 运行时" in err and "npm ci" in err
    assert not (tmp_path / FOLDER_NAME).exists()


# --- Node + Pyodide, headless Chromium ---------------------------------------------------------------------------

def _requirements() -> tuple[Path, list[Path]]:
    """The npm Pyodide and the wheels, or a skip that says what is missing."""
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed (the offline page is built and tested with Node 18+)")
    try:
        runtime = find_pyodide()
    except WebBuildError:
        pytest.skip(f"npm packages missing: run `npm ci` in {NPM_FOLDER.as_posix()}")
    try:
        wheels = fetch_wheels(default_wheel_cache(), log=lambda text: None)
    except WebBuildError as exc:
        pytest.skip(f"the Pyodide wheels cannot be fetched from PyPI: {exc}")
    return runtime, wheels


@pytest.fixture(scope="session")
def page(tmp_path_factory):
    _requirements()
    out = tmp_path_factory.mktemp("web")
    return build(out / "out", work=out / "work")


def node(script: str, plan: dict, folder: Path) -> dict:
    path = folder / f"{script}.json"
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(["node", str(NPM / f"{script}.mjs"), str(path)], capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.browser
@pytest.mark.slow
def test_in_pyodide_under_node_both_samples_give_the_cli_bytes(page, cli_runs, tmp_path):
    broken = tmp_path / "坏文件.xlsx"
    broken.write_bytes(b"this is not a workbook")
    jobs = [{"fn": "warm_up"}]  # first, as in the page: the warm-up leaves nothing behind that changes a result
    jobs += [{"fn": fn, "path": str(p)} for p in (WUHUA, XISHAN) for fn in ("score", "review")]
    jobs += [{"fn": "score", "path": str(broken)}]
    assert page.snapshot is not None  # Python starts from the memory snapshot, as in the page
    report = node("run_api", {"pyodide": str(find_pyodide()), "stdlib": str(page.stdlib_zip),
                              "snapshot": str(page.snapshot), "wheels": [str(page.wheels[0])],
                              "out": str(tmp_path), "jobs": jobs}, tmp_path)
    assert report["python"].startswith("3.14")
    assert report["jobs"][0]["exit"] == 0  # every warm-up step ran (a step that fails raises)
    assert report["jobs"][0]["openpyxl"] is False  # the shipped warm-up workbook was read, not written again
    for job in report["jobs"][1:5]:
        name = Path(job["path"]).name
        status, expected = cli_runs[job["fn"], name]
        assert job["exit"] == status
        assert sha(Path(job["output"]).read_bytes()) == sha(expected), (job["fn"], name)
        assert job["total"] == TOTALS[name]
    status, _, err = cli_runs["score", "坏文件.xlsx"]
    assert (report["jobs"][5]["exit"], report["jobs"][5]["message"]) == (2, err.strip())
    # the warm-up workbook in the page is the built-in one, written at build time (not a sample)
    with zipfile.ZipFile(page.stdlib_zip) as archive:
        shipped = archive.read(f"perfeval_xl/web/static/{api.WARM_UP_BOOK.name}")
    assert sha(shipped) == sha(api.write_warm_up_book(tmp_path / api.WARM_UP_BOOK.name).read_bytes())


def _chromium():
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed (/usr/bin/chromium; Debian package chromium)")
    if not (NPM / "node_modules" / "puppeteer-core").is_dir():
        pytest.skip(f"puppeteer-core missing: run `npm ci` in {NPM_FOLDER.as_posix()}")


@pytest.mark.browser
@pytest.mark.slow
def test_the_page_in_chromium_from_file_offline_gives_the_cli_files(page, cli_runs, tmp_path):
    _chromium()
    downloads, shots = tmp_path / "downloads", tmp_path / "screenshots"
    downloads.mkdir()
    shots.mkdir()
    broken = tmp_path / "坏文件.xlsx"
    broken.write_bytes(b"this is not a workbook")
    steps = [{"do": "shot", "shot": "1-已就绪"},
             {"do": "new", "shot": "2-新建模板"},
             {"do": "score", "files": [str(WUHUA)], "shot": "3-评分"},
             {"do": "review", "files": [str(XISHAN)], "shot": "4-复核"},
             {"do": "score", "files": [str(broken)], "shot": "5-无法读取"},
             {"do": "batch", "files": [str(WUHUA), str(XISHAN), str(CALCULATOR)], "shot": "6-批量复核"},
             {"do": "batch-folder", "files": [str(tmp_path / "样例")], "shot": "7-批量复核文件夹"}]
    (tmp_path / "样例").mkdir()  # a folder picked: its workbooks, and a file that is not one
    for sample in (WUHUA, XISHAN, CALCULATOR, SAMPLES / "五华区五个先锋奖励经费2023.md"):
        shutil.copy2(sample, tmp_path / "样例" / sample.name)
    with zipfile.ZipFile(page.zip) as archive:  # what a user gets: the zip, unpacked
        archive.extractall(tmp_path / "unzipped")
    report = node("drive_page", {"page": str(tmp_path / "unzipped" / FOLDER_NAME), "downloads": str(downloads),
                                 "screenshots": str(shots), "steps": steps}, tmp_path)
    assert report["blocked"] == [], "the page tried to reach the network"
    assert not [line for line in report["console"] if "pageerror" in line or "已拦截" in line]
    by = {step["do"] + str(i): step for i, step in enumerate(report["steps"])}
    assert by["new1"]["download"] == "绩效评价模板.xlsx"
    assert by["score2"]["download"] == "五华区五个先锋奖励经费2023_评分.xlsx"
    assert Path(by["score2"]["download_path"]).read_bytes() == cli_runs["score", WUHUA.name][1]
    assert "项目得分（算术平均）\t90.77\t优" in by["score2"]["texts"]["tables"]
    assert by["review3"]["download"] == "西山区社区党组织服务群众专项经费2024_复核.xlsx"
    assert Path(by["review3"]["download_path"]).read_bytes() == cli_runs["review", XISHAN.name][1]
    assert "差错 6 个" in by["review3"]["texts"]["tables"]
    status, _, err = cli_runs["score", "坏文件.xlsx"]
    assert by["score4"]["texts"]["message"] == err.strip() and "download" not in by["score4"]
    assert by["score4"]["texts"]["step"] == "评分未能完成（见下面的提示）"
    # the files picked one by one: the same summary as `perfeval batch 五华….xlsx 西山….xlsx UDF计算器.xlsx`
    status, out, summary = cli_runs["batch", "files"]
    assert by["batch5"]["download"] == "汇总.xlsx"
    assert Path(by["batch5"]["download_path"]).read_bytes() == summary
    assert out.splitlines()[0] in by["batch5"]["texts"]["message"]
    assert by["batch5"]["texts"]["progress"].count("有差错") == 2 and "未识别" in by["batch5"]["texts"]["progress"]
    # the folder picked: the same summary as `perfeval batch 样例`
    status, _, _ = run_cli(["batch", "样例", "-o", "汇总-文件夹.xlsx", "--jobs", "1"], tmp_path)
    assert by["batch-folder6"]["download"] == "汇总.xlsx"
    assert Path(by["batch-folder6"]["download_path"]).read_bytes() == (tmp_path / "汇总-文件夹.xlsx").read_bytes()
    assert_same_template(Path(by["new1"]["download_path"]).read_bytes(), tmp_path)
    assert sorted(p.name for p in shots.iterdir()) == [s["shot"] + ".png" for s in steps]


@pytest.mark.browser
@pytest.mark.slow
def test_a_browser_too_old_for_pyodide_gets_the_chinese_minimum(page, tmp_path):
    _chromium()
    report = node("drive_page", {"page": str(page.folder), "downloads": str(tmp_path), "screenshots": str(tmp_path),
                                 "oldEngine": True, "steps": [{"do": "shot", "shot": "过旧"}]}, tmp_path)
    assert "此浏览器版本过旧" in report["boot"] and "Chrome / Edge 96 及以上" in report["boot"]
    assert report["blocked"] == [] and "ready_ms" in report  # the message, not a page waiting for ever


def _firefox() -> Path:
    found = shutil.which("firefox-esr") or shutil.which("firefox")
    if found is None:
        pytest.skip("Firefox is not installed (Debian package firefox-esr)")
    if not (NPM / "node_modules" / "puppeteer-core").is_dir():
        pytest.skip(f"puppeteer-core missing: run `npm ci` in {NPM_FOLDER.as_posix()}")
    return Path(found)


@pytest.mark.browser
@pytest.mark.slow
def test_the_page_in_firefox_from_file_offline_scores_wuhua(page, tmp_path):
    """Firefox (driven over WebDriver BiDi; every proxy a closed port, requests counted): the page starts Python
    from file:// and scores 五华 with the README's totals.  (Downloads are checked in Chromium: saving them in a
    test needs Chromium's DevTools protocol.)"""
    firefox = _firefox()
    report = node("drive_page", {"page": str(page.folder), "downloads": str(tmp_path), "screenshots": str(tmp_path),
                                 "browser": "firefox", "firefox": str(firefox),
                                 "steps": [{"do": "score", "files": [str(WUHUA)], "shot": "firefox-评分"}]}, tmp_path)
    assert report["blocked"] == [], "the page tried to reach the network"
    assert not [line for line in report["console"] if "pageerror" in line or "已拦截" in line]
    assert report["boot"].startswith("已就绪")
    scored = report["steps"][0]["texts"]
    assert scored["step"] == "评分完成"
    # README: 五华 90.77（优）, the project's row under the ten units; 黑林铺 88.34（良）
    assert "项目得分（算术平均）\t90.77\t优" in scored["tables"]
    assert "昆明市五华区人民政府黑林铺街道办事处\t88.34\t良" in scored["tables"]
    assert (tmp_path / "firefox-评分.png").stat().st_size > 0
