// Runs the offline page's Python side (perfeval_xl/web/api.py) inside Pyodide under Node, from the files the
// builder bundles (the precompiled .pyc zip and the python-calamine wasm wheel), and prints one JSON report:
// for each job its exit status, message, totals and the output file it wrote into the given folder.
//   node run_api.mjs plan.json
// plan: {pyodide: <node_modules/pyodide>, stdlib: <lib.zip>, snapshot?: <memory snapshot>, wheels: [...], out: <folder>,
//        jobs: [{fn: "score"|"review"|"new_template"|"warm_up", path?: <workbook>}]}
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";

const plan = JSON.parse(readFileSync(process.argv[2], "utf-8"));
const { loadPyodide } = await import(pathToFileURL(join(plan.pyodide, "pyodide.mjs")).href);
const t0 = performance.now();
const lock = JSON.parse(readFileSync(join(plan.pyodide, "pyodide-lock.json"), "utf-8"));
const pyodide = await loadPyodide({
  indexURL: plan.pyodide + "/",
  stdLibURL: plan.stdlib,
  lockFileContents: JSON.stringify({ info: lock.info, packages: {} }),  // nothing may come from a CDN
  stdout: () => {},
  stderr: (line) => process.stderr.write(line + "\n"),
  ...(plan.snapshot ? { _loadSnapshot: readFileSync(plan.snapshot) } : {}),  // as the page starts, when it has one
});
await pyodide.loadPackage(plan.wheels, { messageCallback: () => {} });
const api = pyodide.pyimport("perfeval_xl.web.api");
const report = { boot_ms: performance.now() - t0, python: pyodide.runPython("import sys; sys.version"), jobs: [] };
for (const job of plan.jobs) {
  const start = performance.now();
  if (job.fn === "warm_up") {  // every warm-up step, as the page runs them while the user picks a file
    for (const step of api.WARM_UP_STEPS) api.warm_up(step);
    // (the warm-up reads its shipped workbook: it has no need to import openpyxl and write one)
    report.jobs.push({ fn: job.fn, exit: 0, ms: performance.now() - start,
                       openpyxl: pyodide.runPython("import sys; 'openpyxl' in sys.modules") });
    continue;
  }
  const result = job.fn === "new_template" ? api.new_template()
    : api[job.fn](basename(job.path), new Uint8Array(readFileSync(job.path)));
  const value = result.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
  result.destroy();
  const record = { fn: job.fn, path: job.path || "", exit: value.exit, message: value.message,
                   ms: performance.now() - start, units: value.units || [],
                   total: value.summary ? value.summary.total : null, output_name: value.output_name || "" };
  if (value.output) {
    record.output = join(plan.out, `${report.jobs.length}-${value.output_name}`);
    writeFileSync(record.output, value.output);
  }
  report.jobs.push(record);
}
process.stdout.write(JSON.stringify(report) + "\n");
