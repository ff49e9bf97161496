"""``perfeval web build``: the offline page (离线网页版) as a self-contained folder and a zip of it.

The folder holds ``index.html`` and ``files/``: the page's scripts and the whole Python runtime bundled into plain
script files (a page opened from ``file://`` may load ``<script src>`` but not ``fetch`` files): the Pyodide runtime
from the npm package ``pyodide`` (pinned in ``tools/web/package.json``), the python-calamine wheel built for
Pyodide's ABI, and one zip of sourceless ``.pyc`` files — the standard library with defusedxml, openpyxl,
et-xmlfile and this project's own wheel — compiled inside Pyodide itself (by ``static/precompile.mjs`` under Node)
so that the bytecode matches its interpreter.  Nothing is fetched at run time.

Wheels come from PyPI through ``pip download`` (once; kept in a cache folder outside the checkout).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from perfeval_xl import __version__

FOLDER_NAME = "绩效评价离线版"
PYODIDE_VERSION = "314.0.8"
#: the wheel platform of that Pyodide (CPython 3.14, ABI pyemscripten_2026_0)
WHEEL_PLATFORM = "pyemscripten_2026_0_wasm32"
WHEEL_PYTHON = "3.14"
#: the dependencies the page's paths (new, score, review, batch) import, pinned to the versions tested in Pyodide;
#: python-calamine is compiled (a wasm wheel, installed at start), the others are pure and go into the .pyc zip
BINARY_WHEELS = ("python-calamine==0.9.1",)
PURE_WHEELS = ("defusedxml==0.7.1", "openpyxl==3.1.5", "et-xmlfile==2.0.0")
STATIC = Path(__file__).with_name("static")
#: where the npm folder lives in a checkout (package.json + package-lock.json; `npm ci` there)
NPM_FOLDER = Path("tools") / "web"
#: the page's own files, copied into files/
PAGE_FILES = ("check.js", "page.js", "page.css")


class WebBuildError(Exception):
    """The page cannot be built; the message says in Chinese what is missing and how to get it."""


@dataclass(frozen=True)
class Built:
    folder: Path
    zip: Path
    #: the .pyc zip, kept when a ``work`` folder was given (None otherwise: it lived in a temporary folder)
    stdlib_zip: Path | None
    #: the python-calamine wheel (from the cache) and this project's wheel (in ``work`` when given)
    wheels: tuple[Path, ...]
    #: the memory snapshot the page starts Python from, kept when a ``work`` folder was given (None otherwise, or
    #: when Pyodide could not make one)
    snapshot: Path | None = None


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def find_pyodide(explicit: str | os.PathLike | None = None) -> Path:
    """The folder of the npm package ``pyodide`` at the pinned version."""
    candidates = [Path(explicit)] if explicit else [
        project_root() / NPM_FOLDER / "node_modules" / "pyodide",
        Path.cwd() / "node_modules" / "pyodide",
    ]
    for folder in candidates:
        package = folder / "package.json"
        if package.is_file():
            version = json.loads(package.read_text(encoding="utf-8")).get("version")
            if version != PYODIDE_VERSION:
                raise WebBuildError(f"“{folder}”中的 Pyodide 是 {version} 版，离线版需要 {PYODIDE_VERSION} 版；"
                                    f"请在项目的 {NPM_FOLDER.as_posix()} 文件夹中运行 npm ci")
            return folder
    where = "、".join(f"“{c}”" for c in candidates)
    raise WebBuildError(f"找不到 Pyodide 运行时（npm 包 pyodide {PYODIDE_VERSION}），查找过：{where}。"
                        f"请先安装 Node.js（18 以上）和 npm，在项目的 {NPM_FOLDER.as_posix()} 文件夹中运行 npm ci；"
                        "或用 --pyodide 指定 node_modules/pyodide 文件夹")


def default_wheel_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or (os.environ.get("LOCALAPPDATA") if os.name == "nt" else None)
    return Path(base or Path.home() / ".cache") / "perfeval-xl" / f"web-wheels-{PYODIDE_VERSION}"


def _wheel_for(requirement: str, folder: Path) -> Path | None:
    name, version = requirement.split("==")
    stem = name.replace("-", "_").lower()
    for wheel in sorted(folder.glob("*.whl")):
        parts = wheel.name.split("-")
        if parts[0].lower() == stem and parts[1] == version:
            return wheel
    return None


def fetch_wheels(cache: Path, log: Callable[[str], None]) -> list[Path]:
    """The pinned dependency wheels for Pyodide's platform, downloaded by pip into ``cache`` when missing."""
    requirements = BINARY_WHEELS + PURE_WHEELS
    missing = [r for r in requirements if _wheel_for(r, cache) is None]
    if missing:
        cache.mkdir(parents=True, exist_ok=True)
        log(f"下载 Pyodide 用的 wheel：{'、'.join(missing)}（存入 {cache}）")
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                   "--only-binary=:all:", "--no-deps", "--platform", WHEEL_PLATFORM,
                   "--python-version", WHEEL_PYTHON, "-d", str(cache), *missing]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0 or any(_wheel_for(r, cache) is None for r in missing):
            raise WebBuildError(f"pip 未能下载 {'、'.join(missing)}（需要能访问 PyPI，或把这些 wheel 放入 {cache}）："
                                f"{done.stderr.strip()[-400:]}")
    return [wheel for r in requirements if (wheel := _wheel_for(r, cache)) is not None]  # (every one, checked above)


def build_project_wheel(into: Path, log: Callable[[str], None]) -> Path:
    """This project's wheel, built by pip from a copy of the checkout (the checkout itself is left untouched)."""
    root = project_root()
    if not (root / "pyproject.toml").is_file():
        raise WebBuildError("离线版要从项目的源代码目录生成（找不到 pyproject.toml）；请在 git 检出的项目中运行 perfeval web build")
    log("打包本项目的 wheel……")
    source = into / "source"
    shutil.copytree(root / "perfeval_xl", source / "perfeval_xl",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(root / name, source / name)
    # the page's warm-up workbook, written here so that the page need not import openpyxl to warm up
    from perfeval_xl.web.api import WARM_UP_BOOK, write_warm_up_book

    write_warm_up_book(source / "perfeval_xl" / "web" / "static" / WARM_UP_BOOK.name)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
                           "--no-deps", "-w", str(into), str(source)], capture_output=True, text=True)
    wheels = sorted(into.glob("perfeval_xl-*.whl"))
    if done.returncode != 0 or not wheels:
        raise WebBuildError(f"本项目的 wheel 未能生成：{done.stderr.strip()[-400:]}")
    return wheels[-1]


def precompile(pyodide: Path, wheels: list[Path], output: Path, log: Callable[[str], None]) -> Path:
    """Run static/precompile.mjs under Node: the stdlib and the pure wheels as one zip of sourceless .pyc."""
    node = shutil.which("node")
    if node is None:
        raise WebBuildError("找不到 node：生成离线版需要 Node.js 18 以上（用它在 Pyodide 中预编译 Python 标准库）")
    log("在 Pyodide 中预编译标准库和纯 Python 包……")
    done = subprocess.run([node, str(STATIC / "precompile.mjs"), str(pyodide), str(output), *map(str, wheels)],
                          capture_output=True, text=True)
    if done.returncode != 0 or not output.is_file():
        raise WebBuildError(f"预编译失败：{done.stderr.strip()[-600:]}")
    return output


def page_modules(scratch: Path) -> Path:
    """The modules 评分 and 复核 import and the regular expressions they compile, measured natively in a fresh
    process (api.page_modules on the warm-up workbook, then api.page_patterns), written as JSON into ``scratch``
    for static/snapshot.mjs."""
    from perfeval_xl.web.api import WARM_UP_BOOK, write_warm_up_book

    book = write_warm_up_book(scratch / WARM_UP_BOOK.name)
    code = ("import json, sys; from pathlib import Path; from perfeval_xl.web.api import page_modules, page_patterns; "
            "modules = page_modules(Path(sys.argv[1]).read_bytes()); "
            "print(json.dumps({'modules': modules, 'patterns': page_patterns()}))")
    done = subprocess.run([sys.executable, "-c", code, str(book)], capture_output=True, text=True,
                          cwd=scratch, env={**os.environ, "PYTHONPATH": str(project_root())})
    if done.returncode != 0:
        raise WebBuildError(f"未能列出评分和复核用到的模块：{done.stderr.strip()[-400:]}")
    names = scratch / "page-modules.json"
    names.write_text(done.stdout.strip().splitlines()[-1], encoding="utf-8")
    return names


def snapshot(pyodide: Path, stdlib_zip: Path, modules: Path, output: Path, log: Callable[[str], None]) -> Path | None:
    """Run static/snapshot.mjs under Node: Pyodide's memory snapshot of the interpreter with the page's modules
    imported (those of ``modules`` that need no compiled library), so that the page neither initialises the
    interpreter nor imports them again.  None, said in the log, when Pyodide cannot make one: the page then
    starts Python the ordinary way."""
    log("生成 Python 启动快照……")
    done = subprocess.run([shutil.which("node") or "node", str(STATIC / "snapshot.mjs"), str(pyodide),
                           str(stdlib_zip), str(modules), str(output)], capture_output=True, text=True)
    if done.returncode != 0 or not output.is_file():
        log(f"未能生成启动快照，离线版将以普通方式启动 Python：{done.stderr.strip()[-300:]}")
        return None
    return output


def _lockfile(pyodide: Path) -> str:
    """Pyodide's lock file without its package list: nothing may be looked up on a CDN."""
    lock = json.loads((pyodide / "pyodide-lock.json").read_text(encoding="utf-8"))
    return json.dumps({"info": lock["info"], "packages": {}}, ensure_ascii=False)


def _bundle_script(name: str, data: bytes, compress: bool) -> str:
    """A script that adds one file to the page's bundle (base64, gzipped when that pays)."""
    if compress:
        data = gzip.compress(data, compresslevel=9, mtime=0)
    entry = {"encoding": "base64", "gzip": compress, "data": base64.b64encode(data).decode("ascii")}
    return f"PERFEVAL_FILES[{json.dumps(name)}] = {json.dumps(entry)};\n"


#: the bundle's names for the files of the compiled wheels, which the page writes into Python's site-packages
SITE_PACKAGES = "site-packages/"


def _unpacked(wheels: list[Path]) -> list[tuple[str, bytes, bool]]:
    """The compiled wheels' files as bundle entries ``site-packages/<path in the wheel>`` (the libraries gzipped):
    the page writes them into site-packages itself and compiles each library the moment it has arrived, instead
    of having Pyodide unpack the wheels with Python after start-up (measured: 0.3–0.6 s saved)."""
    entries = []
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    entries.append((SITE_PACKAGES + info.filename, archive.read(info), info.filename.endswith(".so")))
    return entries


def write_folder(folder: Path, pyodide: Path, stdlib_zip: Path, binary_wheels: list[Path],
                 memory: Path | None = None) -> None:
    files = folder / "files"
    files.mkdir(parents=True)
    shutil.copy2(STATIC / "index.html", folder / "index.html")
    for name in PAGE_FILES:
        shutil.copy2(STATIC / name, files / name)
    # (name served to Pyodide, bytes, gzip?), in the order the page loads them: the worker's code first (the page
    # starts it at once), then what Python needs first; the worker streams each file in as it arrives and starts
    # compiling the WebAssembly ones (the runtime's and the compiled wheels' libraries) the moment they are there
    unpacked = _unpacked(binary_wheels)
    bundle = [
        [("worker.js", (STATIC / "worker.js").read_bytes(), False)],
        [("pyodide.mjs", (pyodide / "pyodide.mjs").read_bytes(), True)],
        [("pyodide.asm.mjs", (pyodide / "pyodide.asm.mjs").read_bytes(), True)],
        [("pyodide-lock.json", _lockfile(pyodide).encode("utf-8"), False)],
        [("pyodide.asm.wasm", (pyodide / "pyodide.asm.wasm").read_bytes(), True)],  # compiled as it inflates
        unpacked,  # one script for all of them (a few small files and the libraries)
        *([[("snapshot.bin", memory.read_bytes(), True)]] if memory else []),
        [("lib.zip", stdlib_zip.read_bytes(), True)],  # a stored zip
    ]
    scripts = []
    for index, entries in enumerate(bundle, 1):
        script = f"files/runtime-{index}.js"
        (folder / script).write_text("".join(_bundle_script(*entry) for entry in entries), encoding="ascii")
        scripts.append(script)
    manifest = {"version": f"perfeval-xl {__version__}，Pyodide {PYODIDE_VERSION}", "scripts": scripts,
                "files": [name for entries in bundle for name, _, _ in entries],
                "site": [name for name, _, _ in unpacked],
                "snapshot": memory is not None}
    (files / "manifest.js").write_text(
        f"window.PERFEVAL_MANIFEST = {json.dumps(manifest, ensure_ascii=False)};\n", encoding="utf-8")


def _zip_folder(folder: Path, target: Path) -> None:
    """The folder as a zip (entries under the folder's name, UTF-8 names), written atomically."""
    from perfeval_xl.io.atomic import write_bytes_atomic

    def write(handle) -> None:
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}",
                                           date_time=(2020, 1, 1, 0, 0, 0))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    archive.writestr(info, path.read_bytes())

    write_bytes_atomic(target, write)


def build(output_dir: str | os.PathLike = ".", *, pyodide: str | os.PathLike | None = None,
          wheel_cache: str | os.PathLike | None = None, work: str | os.PathLike | None = None,
          log: Callable[[str], None] = lambda text: None) -> Built:
    """Write ``<output_dir>/绩效评价离线版/`` and ``<output_dir>/绩效评价离线版.zip``."""
    output_dir = Path(output_dir)
    runtime = find_pyodide(pyodide)
    cache = Path(wheel_cache) if wheel_cache else default_wheel_cache()
    wheels = fetch_wheels(cache, log)
    binary, pure = wheels[:len(BINARY_WHEELS)], wheels[len(BINARY_WHEELS):]
    with tempfile.TemporaryDirectory(prefix="perfeval-web-") as scratch:
        stage = Path(work) if work else Path(scratch)
        stage.mkdir(parents=True, exist_ok=True)
        own = build_project_wheel(Path(tempfile.mkdtemp(dir=stage, prefix="wheel-")), log)
        stdlib_zip = precompile(runtime, [*pure, own], stage / "lib.zip", log)
        modules = page_modules(Path(tempfile.mkdtemp(dir=stage, prefix="modules-")))
        memory = snapshot(runtime, stdlib_zip, modules, stage / "snapshot.bin", log)
        log(f"写出 {FOLDER_NAME}/ ……")
        output_dir.mkdir(parents=True, exist_ok=True)
        folder = output_dir / FOLDER_NAME
        partial = Path(tempfile.mkdtemp(dir=output_dir, prefix=f".{FOLDER_NAME}-"))
        try:
            write_folder(partial / FOLDER_NAME, runtime, stdlib_zip, binary, memory)
            if folder.exists():
                shutil.rmtree(folder)
            (partial / FOLDER_NAME).rename(folder)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
        target = output_dir / f"{FOLDER_NAME}.zip"
        _zip_folder(folder, target)
        return Built(folder, target, stdlib_zip if work else None, tuple(binary) + (own,), memory if work else None)
