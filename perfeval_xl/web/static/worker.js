// The offline page's Web Worker: Python (Pyodide) runs here so the page never freezes.  Started from a blob: URL
// (a page opened from file:// may not load workers or modules from files); the page hands it the bundled runtime
// files by postMessage.  Nothing is fetched from the network: fetch() answers the reserved prefix from the bundle
// and refuses every other address loudly.
"use strict";

// The reserved address the bundle is served under (.invalid never resolves, RFC 2606; the request never leaves
// this worker anyway: the replaced fetch answers it from memory).
const BUNDLE = "https://perfeval.invalid/bundle/";
// the bundle's files as they arrive from the page (each bundle script is handed over as soon as the page has loaded
// it, so Python starts while the later ones still load): name → {encoding, gzip, data}, and who waits for which
const arrived = {};
const waiting = {};
let api = null;
let steps = [];       // warm-up steps still to run (api.WARM_UP_STEPS)
const queue = [];     // calls from the page, run in order; a call waits for nothing but Python itself
let running = false;
const timings = {};
// when each start-up step ended, in ms since the page opened (the page's time origin, handed over with "boot"):
// the bench and the maintainers read them (document.body.dataset.marks)
const marks = {};
let origin = performance.timeOrigin;
function mark(name) {
  marks[name] = Math.round(performance.timeOrigin + performance.now() - origin);
}

function status(text) {
  self.postMessage({ type: "status", text });
}

function file(name) {
  if (name in arrived) return Promise.resolve(arrived[name]);
  return new Promise((resolve) => { (waiting[name] = waiting[name] || []).push(resolve); });
}

function receive(name, entry) {
  mark("arrived " + name);
  arrived[name] = entry;
  for (const resolve of waiting[name] || []) resolve(entry);
  delete waiting[name];
}

// a file's bytes as a stream: gzipped ones are inflated while they are read (the wasm compiles as it inflates)
async function stream(name) {
  const entry = await file(name);
  if (entry.bytes) return new Blob([entry.bytes]).stream(); // inflated by the page already
  const bytes = entry.encoding === "base64" ? fromBase64(entry.data) : new TextEncoder().encode(entry.data);
  const body = new Blob([bytes]).stream();
  return entry.gzip ? body.pipeThrough(new DecompressionStream("gzip")) : body;
}

async function bytesOf(name) {
  const entry = await file(name);
  const bytes = entry.bytes || new Uint8Array(await new Response(await stream(name)).arrayBuffer());
  mark("read " + name);
  return bytes;
}

function refuse(what) {
  const message = "离线版不访问网络：已拦截对 " + what + " 的请求";
  self.postMessage({ type: "blocked", text: message });
  throw new Error(message);
}

function installGuard() {
  self.fetch = async (input) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(BUNDLE)) {
      const name = url.slice(BUNDLE.length);
      if (!expected.has(name)) throw new Error("离线包中缺少文件 " + name + "；请重新生成离线版");
      if (name in compiled) {
        const response = new Response(new Uint8Array(0), { headers: { "Content-Type": "application/wasm" } });
        response.perfevalCompiled = name;
        return response;
      }
      const type = name.endsWith(".wasm") ? "application/wasm" : "application/octet-stream";
      const entry = await file(name);
      return new Response(entry.bytes || await stream(name), { headers: { "Content-Type": type } });
    }
    refuse(url);
  };
  self.XMLHttpRequest = function () { refuse("XMLHttpRequest"); };
  self.WebSocket = function (url) { refuse(String(url)); };
  // importScripts only for blob: URLs.  This also tells Pyodide's loader, which probes importScripts with a data:
  // URL and refuses to start in a "classic" worker, that it may use import() here (it does, from blob: URLs).
  const importScriptsOriginal = self.importScripts;
  self.importScripts = (...urls) => {
    for (const u of urls) if (!String(u).startsWith("blob:")) throw new Error("离线版只从自身载入脚本：" + u);
    return importScriptsOriginal.apply(self, urls);
  };
}

function fromBase64(text) {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text);
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

async function moduleUrl(name) {
  return URL.createObjectURL(new Blob([await bytesOf(name)], { type: "text/javascript" }));
}

let expected = new Set();

// The WebAssembly files (Pyodide's runtime, the compiled wheels' libraries), each compiled the moment its bundle
// script has arrived, while the rest still loads and inflates: name → Promise of a WebAssembly.Module
const compiled = {};
// the libraries' bytes, written into site-packages as well (Python's importer finds the file there)
const libraries = {};

function precompile(names) {
  for (const name of names) {
    compiled[name] = name.endsWith(".so")
      ? bytesOf(name).then((bytes) => { libraries[name] = bytes; return WebAssembly.compile(bytes); })
      : WebAssembly.compileStreaming(wasmResponse(name));
    compiled[name].then(() => mark("compiled " + name), () => {}); // a failure is reported where it is used
  }
  // Pyodide instantiates its runtime with instantiateStreaming(fetch(<bundle>/pyodide.asm.wasm)); our fetch answers
  // with a marked empty response and the module compiled above is instantiated instead
  const instantiateStreaming = WebAssembly.instantiateStreaming;
  WebAssembly.instantiateStreaming = async (source, imports) => {
    const response = await source;
    const early = response && compiled[response.perfevalCompiled];
    if (!early) return instantiateStreaming.call(WebAssembly, response, imports);
    const module = await early;
    mark("instantiate " + response.perfevalCompiled);
    return { module, instance: await WebAssembly.instantiate(module, imports) };
  };
}

async function wasmResponse(name) {
  return new Response(await stream(name), { headers: { "Content-Type": "application/wasm" } });
}

// The compiled wheels' files, written into site-packages; each library is instantiated from its module compiled
// during start-up and handed to the dynamic loader as preloaded (Emscripten's preloadedWasm, what its own preload
// plugin fills), so that Python's import of it neither reads nor compiles it again.  Then python-calamine is
// imported, so that the first workbook does not wait for it.
async function install(pyodide, names) {
  const site = pyodide.runPython("import site; site.getsitepackages()[0]");
  const module = pyodide._module;
  for (const name of names) {
    const path = site + "/" + name.slice("site-packages/".length);
    pyodide.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
    if (name in compiled) {
      const wasm = await compiled[name];
      pyodide.FS.writeFile(path, libraries[name]);
      delete libraries[name];
      const normalized = module.PATH.normalize(path);
      module.preloadedWasm[normalized] = await module.loadWebAssemblyModule(wasm, { loadAsync: true, nodelete: true },
        normalized, {});
    } else {
      pyodide.FS.writeFile(path, await bytesOf(name));
    }
  }
  pyodide.runPython("import python_calamine");
}

async function boot(manifest) {
  const started = performance.now();
  const phases = {};
  let last = started;
  const phase = (name) => { const now = performance.now(); phases[name] = Math.round(now - last); last = now; mark(name); };
  mark("boot");
  expected = new Set(manifest.files);
  installGuard();
  status("正在启动 Python（约需数秒，可以先选择文件）……");
  const { loadPyodide } = await import(await moduleUrl("pyodide.mjs"));
  mark("loader");
  const asm = await import(await moduleUrl("pyodide.asm.mjs"));
  phase("load_loader");
  // (only now: inflating the wasm on this thread slowed reading the loader, which everything else waits for)
  precompile(["pyodide.asm.wasm", ...manifest.site.filter((name) => name.endsWith(".so"))]);
  const options = {
    indexURL: BUNDLE,
    stdLibURL: BUNDLE + "lib.zip",
    lockFileContents: new TextDecoder().decode(await bytesOf("pyodide-lock.json")),
    packageBaseUrl: BUNDLE,
    createPyodideModule: asm.default,
    stdout: (line) => console.log(line),
    stderr: (line) => console.warn(line),
  };
  let pyodide;
  if (manifest.snapshot) {
    // the interpreter as the builder left it, the page's pure-Python modules imported (static/snapshot.mjs)
    try {
      pyodide = await loadPyodide({ ...options, _loadSnapshot: bytesOf("snapshot.bin") });
      phases.snapshot = 1;
    } catch (err) {
      console.warn("启动快照不可用，以普通方式启动 Python：" + (err && err.message ? err.message : err));
    }
  }
  if (!pyodide) pyodide = await loadPyodide(options);
  phase("start_python");
  status("正在安装读取 Excel 的组件（python-calamine）……");
  await install(pyodide, manifest.site);
  phase("install_calamine");
  status("正在载入评分程序……");
  api = pyodide.pyimport("perfeval_xl.web.api");
  steps = [...api.WARM_UP_STEPS];
  phase("import_api");
  for (const name of Object.keys(arrived)) delete arrived[name]; // everything is loaded; free the copies
  self.postMessage({ type: "ready", ms: performance.now() - started, phases, marks });
  pump();
}

// Run what is queued: the page's calls first, then, while nothing is asked, one warm-up step at a time (a call that
// arrives meanwhile waits only for the step under way; the page reports when each step is done, for the bench)
function pump() {
  if (running || api === null) return;
  running = true;
  setTimeout(() => {
    try {
      if (queue.length) call(queue.shift());
      else if (steps.length) {
        const step = steps.shift();
        const t0 = performance.now();
        try {
          api.warm_up(step);
        } catch (err) {
          console.warn("预热步骤 " + step + " 失败：" + (err && err.message ? err.message : err));
          steps = [];
        }
        timings[step] = Math.round(performance.now() - t0);
        if (!steps.length) self.postMessage({ type: "warm", timings });
      }
    } finally {
      running = false;
      if (queue.length || steps.length) pump();
    }
  }, 0);
}

function toJs(result) {
  const value = result.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
  result.destroy();
  return value;
}

function call(message) {
  const { id, fn } = message;
  mark("call " + id);
  if (fn !== "new_template") steps = []; // a real workbook has warmed up what the rest of the warm-up would
  try {
    let result;
    if (fn === "new_template") result = api.new_template();
    else if (fn === "score") result = api.score(message.name, message.data);
    else if (fn === "review") result = api.review(message.name, message.data);
    else if (fn === "batch") {
      const progress = (index, total, name, state) =>
        self.postMessage({ type: "progress", id, index, total, name, state });
      result = api.batch(message.files, progress);
    } else throw new Error("未知的操作：" + fn);
    const value = toJs(result);
    mark("done " + id);
    value.marks = marks;
    const transfer = value.output ? [value.output.buffer] : [];
    self.postMessage({ type: "result", id, value }, transfer);
  } catch (err) {
    const text = err && err.message ? err.message : String(err);
    console.error(text); // a Python traceback in full, for the maintainers; the page shows its last line
    self.postMessage({ type: "failed", id, text: "内部错误：" + text.trim().split("\n").pop() });
  }
}

self.onmessage = (event) => {
  const message = event.data;
  if (message.type === "boot") {
    if (message.origin) origin = message.origin;
    boot(message.manifest).catch((err) =>
      self.postMessage({ type: "bootfailed", text: String(err && err.message ? err.message : err) }));
  } else if (message.type === "file") {
    receive(message.name, message.entry);
  } else if (message.type === "call") {
    queue.push(message);
    pump();
  }
};
