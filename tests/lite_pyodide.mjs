// Run a generated xlwings Lite main.py inside Pyodide under Node (test helper, see tests/test_lite_pyodide.py).
//   node lite_pyodide.mjs <node_modules/pyodide> <wheels folder> <work folder> <sample.xlsx>...
// The wheels (Pyodide ABI builds of python-calamine and xlwings, the pure ones, micropip and packaging, and
// perfeval-xl's own) are installed from files; perfeval-xl through micropip, so that its dependencies and their
// environment markers are resolved as in xlwings Lite, with every http(s) request refused.  The work folder holds
// main.py, xlwings_replay.py and lite_in_pyodide.py.  Prints one JSON line: the Pyodide platform, the installed
// distributions and the result of lite_in_pyodide.run.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheelDir, workDir, ...samples] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const realFetch = globalThis.fetch;
globalThis.fetch = (url, ...rest) => {
  if (/^https?:/i.test(String(url))) throw new Error(`network refused: ${url}`);
  return realFetch(url, ...rest);
};
const py = await loadPyodide({ indexURL: pyodideDir + "/", stdout: () => {}, stderr: (s) => console.error(s) });
const wheels = fs.readdirSync(wheelDir).filter((f) => f.endsWith(".whl"));
const own = wheels.find((f) => f.startsWith("perfeval_xl-"));
await py.loadPackage(wheels.filter((f) => f !== own).map((f) => path.join(wheelDir, f)), { messageCallback: () => {} });
py.FS.mkdirTree("/wheels");
py.FS.writeFile(`/wheels/${own}`, fs.readFileSync(path.join(wheelDir, own)));
py.FS.mkdirTree("/lite");
for (const name of fs.readdirSync(workDir)) {
  py.FS.writeFile(`/lite/${name}`, fs.readFileSync(path.join(workDir, name)));
}
const inFs = samples.map((sample, i) => {
  const target = `/lite/${path.basename(sample)}`;
  py.FS.writeFile(target, fs.readFileSync(sample));
  return target;
});
py.globals.set("own_wheel", `emfs:/wheels/${own}`);
py.globals.set("samples", py.toPy(inFs));
const out = await py.runPythonAsync(`
import json, os, sys, platform
import micropip
await micropip.install(own_wheel)  # dependencies already installed; markers decide the rest
from importlib import metadata
installed = sorted(d.metadata["Name"].lower() for d in metadata.distributions())
os.environ.update(XLWINGS_ON_SERVER="true", XLWINGS_LICENSE_KEY="noncommercial")
sys.path.insert(0, "/lite")
import lite_in_pyodide
result = await lite_in_pyodide.run("/lite/main.py", list(samples))
json.dumps({"platform": [sys.platform, platform.system()], "installed": installed, "result": json.loads(result)},
           ensure_ascii=False)
`);
console.log(out);
