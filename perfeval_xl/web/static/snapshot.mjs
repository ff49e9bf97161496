// Build step of `perfeval web build` (run by Node after precompile.mjs): start Pyodide on the precompiled library,
// import the modules 评分 and 复核 use (measured natively by the builder: api.page_modules) except those that need
// python-calamine (a compiled library, installed after start-up: it cannot be in a snapshot) or are not in Pyodide
// (api.snapshot_imports), compile the regular expressions they compile (api.snapshot_patterns), and write
// Pyodide's memory snapshot of that
// interpreter.  The page starts Python from it (loadPyodide's _loadSnapshot) instead of initialising the
// interpreter and importing those modules again, and falls back to an ordinary start if it cannot be used.
// Nothing of any workbook is in it.
//   node snapshot.mjs <pyodide folder> <lib.zip> <page-modules.json: {modules, patterns}> <output snapshot>
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, stdlib, modules, output] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const lock = JSON.parse(readFileSync(join(pyodideDir, "pyodide-lock.json"), "utf-8"));
const py = await loadPyodide({
  indexURL: pyodideDir + "/", stdLibURL: stdlib, _makeSnapshot: true,
  lockFileContents: JSON.stringify({ info: lock.info, packages: {} }),
  stdout: () => {}, stderr: (line) => console.error(line),
});
// runPython only, the names and patterns as Python literals (a pyimport or a proxy would leave a JS reference
// behind that a snapshot cannot hold)
const measured = JSON.parse(readFileSync(modules, "utf-8"));
// (JSON text is a valid Python literal; joined with +, not a template literal, which would undo its escapes)
py.runPython("import perfeval_xl.web.api\nperfeval_xl.web.api.snapshot_imports(" + JSON.stringify(measured.modules) + ")");
// and the regular expressions they compile, so that the first score does not compile them (api.snapshot_patterns)
py.runPython("perfeval_xl.web.api.snapshot_patterns(" + JSON.stringify(measured.patterns) + ")");
writeFileSync(output, py.makeMemorySnapshot());
