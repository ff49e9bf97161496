"""Run the scripts of a generated xlwings Lite ``main.py`` on sample workbooks the way Lite does
(test helper, not product code): the same code natively (tests/test_lite_pyodide.py, with xlwings
imported afresh in server mode) and inside Pyodide under Node (tests/lite_pyodide.mjs).

Each sample is sent as xlwings' Office.js client sends it to the script (only the sheets its
``include``/``exclude`` asks for), the script runs through ``xlwings.server.custom_scripts_call``,
and the queued Office.js actions and the closing message are returned."""

from __future__ import annotations

import copy
import importlib.util
import json


async def run(main_path: str, samples: list[str]) -> str:
    """JSON: {sample file name: {script name: {"actions": [...], "alert": text}}}."""
    import xlwings as xw
    from xlwings import server
    from xlwings_replay import Replay, book_payload, lite_payload

    spec = importlib.util.spec_from_file_location("main", main_path)
    main = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(main)
    scripts = {s["name"]: s for s in server.custom_scripts_meta(main)}
    results = {}
    for path in samples:
        name = path.rsplit("/", 1)[-1]
        results[name] = {}
        for script, meta in sorted(scripts.items()):
            payload = lite_payload(book_payload(path, xw.__version__, name=name), meta)
            book = xw.Book(json=copy.deepcopy(payload))
            await server.custom_scripts_call(main, meta["function_name"], typehint_to_value={xw.Book: book})
            actions = book.json()["actions"]
            replay = Replay(payload).run(actions)
            results[name][script] = {"actions": actions, "alert": replay.alerts[-1][0]}
    return json.dumps(results, ensure_ascii=False, default=str)
