// Build step of `perfeval web build` (run by Node after precompile.mjs): start Pyodide on the precompiled library,
// import the pure-Python modules the page uses (the standard library's and perfeval's own; python-calamine, a
// compiled library, is installed after start-up and cannot be in it), and write Pyodide's memory snapshot of that
// interpreter.  The page starts Python from it (loadPyodide's _loadSnapshot) instead of initialising the
// interpreter and importing those modules again, and falls back to an ordinary start if it cannot be used.
// Nothing of any workbook is in it.
//   node snapshot.mjs <pyodide folder> <lib.zip> <output snapshot>
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, stdlib, output] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const lock = JSON.parse(readFileSync(join(pyodideDir, "pyodide-lock.json"), "utf-8"));
const py = await loadPyodide({
  indexURL: pyodideDir + "/", stdLibURL: stdlib, _makeSnapshot: true,
  lockFileContents: JSON.stringify({ info: lock.info, packages: {} }),
  stdout: () => {}, stderr: (line) => console.error(line),
});
// runPython only (a pyimport would leave a JS reference behind that a snapshot cannot hold)
py.runPython("import perfeval_xl.web.api\nperfeval_xl.web.api.warm_up('snapshot')");
writeFileSync(output, py.makeMemorySnapshot());
