"""Run xlwings' own UDF machinery on a machine without Excel (test helper, not product code).

xlwings decides at *import time* what ``xw.func`` / ``xw.arg`` / ``xw.ret`` are
(``xlwings/__init__.py``): the Office.js/server decorators when
``XLWINGS_ON_SERVER=true``, the COM decorators of ``xlwings.udfs`` on Windows with
pywin32, and no-ops everywhere else (so on Linux a plain import registers nothing).
A UDF module must therefore say ``import xlwings as xw`` and ``@xw.func`` (attribute
access at decoration time) so that these helpers can hand it either set:

* :func:`server_mode` re-imports xlwings with ``XLWINGS_ON_SERVER=true`` and
  ``XLWINGS_LICENSE_KEY=noncommercial`` (PolyForm Noncommercial, test-only) and
  restores the previous modules and environment afterwards;
* :func:`desktop_mode` stubs the pywin32 modules that ``xlwings.udfs`` imports at
  top level, swaps ``xw.func``/``arg``/``ret``/``sub`` for the COM decorators and
  restores everything afterwards.

See docs/dev-xlwings.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import keyword
import os
import re
import sys
import types
from collections.abc import Iterator

SERVER_ENV = {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}

#: VBA keywords and common built-ins that cannot be VBA parameter or function names.
VBA_RESERVED = frozenset(
    name.lower()
    for name in """
    And As Boolean ByRef Byte ByVal Call Case CBool CByte CCur CDate CDbl CDec CInt
    CLng CLngLng CLngPtr Close Const CSng CStr Currency CVar CVErr Date Decimal Declare
    DefBool DefByte DefCur DefDate DefDbl DefDec DefInt DefLng DefObj DefSng DefStr
    DefVar Dim Do Double Each Else ElseIf Empty End Enum Eqv Erase Error Event Exit
    False For Friend Function Get Global GoSub GoTo If Imp Implements In Input Integer
    Is Let Like Lock Long LongLong Loop LSet Me Mod New Next Not Nothing Null Object On
    Open Option Optional Or ParamArray Preserve Print Private Property Public Put
    RaiseEvent ReDim Rem Resume Return RSet Seek Select Set Shared Single Static Step
    Stop String Sub Then To True Type TypeOf Until Variant Wend While With WithEvents
    Write Xor Array Len Mid Left Right Val Str Name Line Attribute
    """.split()
)


def _purge(prefix: str) -> dict[str, types.ModuleType]:
    removed = {}
    for name in list(sys.modules):
        if name == prefix or name.startswith(prefix + "."):
            removed[name] = sys.modules.pop(name)
    return removed


@contextlib.contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def fresh_xlwings(env: dict[str, str]) -> Iterator[types.ModuleType]:
    """Import a fresh xlwings with ``env`` set; put the previous one back afterwards."""
    saved = _purge("xlwings")
    try:
        with _environ(env):
            yield importlib.import_module("xlwings")
    finally:
        _purge("xlwings")
        sys.modules.update(saved)


@contextlib.contextmanager
def server_mode(module_name: str) -> Iterator[tuple[types.ModuleType, types.ModuleType]]:
    """(udf module, xlwings.server) with the server decorators applied."""
    with fresh_xlwings(SERVER_ENV):
        server = importlib.import_module("xlwings.server")
        _purge(module_name)
        try:
            yield importlib.import_module(module_name), server
        finally:
            _purge(module_name)


def call_server(server, module, func_name: str, args: list, runtime: str = "1.4"):
    """What xlwings Server does for one call: ``args`` are 2-D lists, one per parameter."""
    import xlwings

    data = {
        "func_name": func_name,
        "args": args,
        "version": xlwings.__version__,
        "client": "Office.js",
        "runtime": runtime,
        "caller_address": "Sheet1!A1",
        "culture_info_name": "zh-CN",
        "date_format": "yyyy/m/d",
    }
    return asyncio.run(server.custom_functions_call(data, module))


class _ComError(Exception):
    """Stand-in for pywintypes.com_error."""


def _pywin32_stubs() -> dict[str, types.ModuleType]:
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None
    pywintypes = types.ModuleType("pywintypes")
    pywintypes.com_error = _ComError
    win32com = types.ModuleType("win32com")
    client = types.ModuleType("win32com.client")
    client.Dispatch = lambda obj, *a, **k: obj
    win32com.client = client
    return {"pythoncom": pythoncom, "pywintypes": pywintypes, "win32com": win32com, "win32com.client": client}


@contextlib.contextmanager
def desktop_mode(module_name: str) -> Iterator[tuple[types.ModuleType, types.ModuleType]]:
    """(udf module, xlwings.udfs) with the desktop (COM) decorators applied."""
    stubs = _pywin32_stubs()
    saved_mods = {name: sys.modules.get(name) for name in stubs}
    sys.modules.update(stubs)
    import xlwings

    saved_attrs = {name: getattr(xlwings, name, None) for name in ("func", "arg", "ret", "sub")}
    _purge("xlwings.udfs")
    try:
        udfs = importlib.import_module("xlwings.udfs")
        xlwings.func, xlwings.arg, xlwings.ret, xlwings.sub = udfs.xlfunc, udfs.xlarg, udfs.xlret, udfs.xlsub
        _purge(module_name)
        module = importlib.import_module(module_name)
        # import_udfs() would otherwise resolve the module through a live workbook (COM)
        udfs.udf_modules[module_name] = {"filename": module.__file__, "filetime": None, "module": module}
        yield module, udfs
    finally:
        _purge(module_name)
        _purge("xlwings.udfs")
        for name, value in saved_attrs.items():
            if value is not None:
                setattr(xlwings, name, value)
        for name, value in saved_mods.items():
            if value is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = value


class FakeComWorkbook:
    """Records what ``xlwings.udfs.import_udfs`` does to a workbook over COM."""

    def __init__(self, name: str = "perfeval_xl.xlam", version: str = "16.0"):
        self.Name = name
        self.imported_vba: list[str] = []
        self.macro_options: dict[str, dict] = {}
        book = self

        class _Components:
            def __call__(self, name):
                return name

            def Remove(self, component):  # noqa: N802 (COM name)
                pass

            def Import(self, path):  # noqa: N802
                with open(path, encoding=None) as handle:  # written in the locale encoding
                    book.imported_vba.append(handle.read())

        class _Project:
            VBComponents = _Components()

        class _Application:
            Version = version

            def MacroOptions(self, macro, **options):  # noqa: N802
                book.macro_options[macro.split("!", 1)[1]] = options

        self.VBProject = _Project()
        self.Application = _Application()


def vba_problems(module) -> list[str]:
    """Names a VBA wrapper module cannot carry, and descriptions Excel will cut at 255."""
    problems = []
    for name in dir(module):
        info = getattr(getattr(module, name), "__xlfunc__", None)
        if info is None:
            continue
        names = [info["name"]] + [arg["name"] for arg in info["args"]]
        for ident in names:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,254}", ident) or keyword.iskeyword(ident):
                problems.append(f"{info['name']}: '{ident}' is not a VBA identifier")
            elif ident.lower() in VBA_RESERVED:
                problems.append(f"{info['name']}: '{ident}' is reserved in VBA")
        docs = [info["ret"]["doc"]] + [arg["doc"] for arg in info["args"]]
        problems += [f"{info['name']}: description over 255 characters" for doc in docs if len(doc) > 255]
    return problems
