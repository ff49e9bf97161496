"""离线网页版: perfeval in a browser, from a folder, with nothing installed and nothing uploaded.

:mod:`perfeval_xl.web.api` is the Python the page runs (inside Pyodide, in a Web Worker);
:mod:`perfeval_xl.web.build` writes the folder (``perfeval web build``); ``static/`` holds the page.
"""
