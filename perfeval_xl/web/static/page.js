// The offline page's main thread: buttons, tables, downloads.  Python runs in a Web Worker (worker.js, started from
// a blob: URL with the bundled runtime handed over by postMessage); every message shown comes from the same Python
// functions as the command line's (perfeval_xl/web/api.py).
"use strict";
(function () {
  const files = window.PERFEVAL_FILES;
  const manifest = window.PERFEVAL_MANIFEST;
  const $ = (id) => document.getElementById(id);
  const bootText = $("boot-text");
  const bootTime = $("boot-time");
  const opened = 0; // performance.now() counts from the page's opening
  let calls = 0;
  const pending = new Map();
  let busy = false;

  $("version").textContent = "（" + manifest.version + "）";

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else node.setAttribute(k, v);
    }
    for (const child of children) node.append(child instanceof Node ? child : String(child ?? ""));
    return node;
  }

  function table(headers, rows, options = {}) {
    const numeric = new Set(options.numeric || []);
    const head = el("tr", {}, ...headers.map((h) => el("th", {}, h)));
    const body = rows.map((row) => {
      const tr = el("tr", options.rowClass ? { class: options.rowClass(row) } : {},
        ...row.map((cell, i) => el("td", numeric.has(i) ? { class: "num" } : {}, cell)));
      return tr;
    });
    return el("table", {}, el("thead", {}, head), el("tbody", {}, ...body));
  }

  // --- the worker -----------------------------------------------------------------------------------------------
  // Started as soon as its own code has loaded, before the rest of the runtime: Python starts while the later bundle
  // scripts still load, and each is handed over as it arrives (PERFEVAL_LOADED, called by check.js).
  function fromBase64(text) {
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text);
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  }
  const source = new TextDecoder().decode(fromBase64(files["worker.js"].data));
  delete files["worker.js"];
  // a classic worker (a module worker from a blob: URL is refused to a page opened from file://); it loads Pyodide
  // with import(), see worker.js
  const worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
  let ready = false;
  let failed = null;  // the start-up failure, once there is one
  let loading = "";   // 正在载入运行库（i/n）while bundle scripts load
  let latest = "正在启动 Python……"; // the worker's latest step
  function showBoot() {
    if (!ready && !failed) bootText.textContent = loading ? loading + latest.replace(/……$/, "") + "……" : latest;
  }
  // The standard library's zip is inflated here, on the page's own thread, while the worker inflates the snapshot
  // and compiles the runtime (two cores at work); the worker gets its bytes (transferred, not copied)
  const INFLATE_HERE = new Set(["lib.zip"]);
  async function inflate(name, entry) {
    const body = new Blob([fromBase64(entry.data)]).stream().pipeThrough(new DecompressionStream("gzip"));
    const bytes = new Uint8Array(await new Response(body).arrayBuffer());
    worker.postMessage({ type: "file", name, entry: { bytes } }, [bytes.buffer]);
  }
  function handOver() {
    for (const name of Object.keys(files)) {
      const entry = files[name];
      delete files[name]; // the worker has its copy
      if (INFLATE_HERE.has(name) && entry.gzip) {
        inflate(name, entry).catch((err) => fail("启动失败：无法解压 " + name + "（" + err.message + "）。"));
      } else {
        worker.postMessage({ type: "file", name, entry });
      }
    }
  }
  window.PERFEVAL_LOADED = (loaded, total) => {
    handOver();
    loading = loaded < total ? "正在载入运行库（" + loaded + "/" + total + "），" : "";
    showBoot();
  };
  function fail(text) {
    failed = text;
    $("boot").className = "boot fatal";
    bootText.textContent = text;
    bootTime.textContent = "";
    for (const [id, job] of pending) {
      pending.delete(id);
      job.reject(new Error(text));
    }
  }
  worker.onmessage = (event) => {
    const m = event.data;
    if (m.type === "status") {
      latest = m.text;
      showBoot();
    } else if (m.type === "ready") {
      ready = true;
      const seconds = ((performance.now() - opened) / 1000).toFixed(1);
      bootText.textContent = "已就绪（用时 " + seconds + " 秒）。请选择要做的事。";
      $("boot").className = "boot ready";
      bootTime.textContent = "";
      document.body.dataset.phases = JSON.stringify({ ...m.phases, worker_total: Math.round(m.ms),
        page_to_ready: Math.round(performance.now() - opened) });
      document.body.dataset.ready = "1";
      if (busy) $("step").textContent = $("step").textContent.replace(/^正在启动 Python，完成后/, "正在");
    } else if (m.type === "warm") {
      document.body.dataset.warm = JSON.stringify({ ...m.timings, page_to_warm: Math.round(performance.now() - opened) });
    } else if (m.type === "bootfailed") {
      fail("启动失败：" + m.text + "。请用 Chrome / Edge 96 及以上版本打开，或把整个文件夹重新复制一份。");
    } else if (m.type === "blocked") {
      console.error(m.text);
    } else if (m.type === "progress") {
      const job = pending.get(m.id);
      if (job && job.onProgress) job.onProgress(m);
    } else if (m.type === "result" || m.type === "failed") {
      const job = pending.get(m.id);
      pending.delete(m.id);
      if (job) (m.type === "result" ? job.resolve(m.value) : job.reject(new Error(m.text)));
    }
  };
  worker.onerror = (event) => fail("启动失败：" + (event.message || "后台线程出错") + "。");
  worker.postMessage({ type: "boot", manifest, origin: performance.timeOrigin });
  handOver();
  showBoot();
  $("app").hidden = false;
  const timer = setInterval(() => {
    if (ready || failed) return clearInterval(timer);
    bootTime.textContent = "（" + ((performance.now() - opened) / 1000).toFixed(0) + " 秒）";
  }, 500);

  // a call goes to the worker at once: it waits there for Python to be ready, never for the warm-up
  function run(message, onProgress, transfer = []) {
    if (failed) return Promise.reject(new Error(failed));
    const id = ++calls;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject, onProgress });
      worker.postMessage({ type: "call", id, ...message }, transfer);
    });
  }

  // --- showing results ------------------------------------------------------------------------------------------
  function begin(text) {
    busy = true;
    document.body.classList.add("busy");
    document.body.dataset.state = "busy";
    $("work").hidden = false;
    $("step").className = "step";
    $("step").textContent = ready ? text : "正在启动 Python，完成后" + text.replace(/^正在/, "");
    for (const id of ["download", "message", "progress", "tables"]) $(id).replaceChildren();
  }

  // exit status → how the closing line looks: 0 done, 1 done with slips or errors, 2 not processed
  const LOOK = { 0: "good", 1: "warn", 2: "bad" };

  function finish(text, exit) {
    busy = false;
    document.body.classList.remove("busy");
    $("step").className = "step " + LOOK[exit];
    $("step").textContent = text;
    document.body.dataset.state = "done";
  }

  function offer(result) {
    if (!result.output) return;
    const url = URL.createObjectURL(new Blob([result.output], {
      type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }));
    const link = el("a", { href: url, download: result.output_name, id: "download-link" }, "下载 " + result.output_name);
    $("download").replaceChildren(el("div", { class: "download" }, link,
      el("span", { class: "hint" }, "文件保存到浏览器的“下载”文件夹（Chrome / Edge 按 Ctrl+J、Firefox 按 Ctrl+Shift+Y 可查看）")));
  }

  const EXIT_TEXT = { 0: "完成", 1: "完成，但有差错或错误（见下）", 2: "未能完成（见下面的提示）" };

  function findingsTable(findings) {
    if (!findings || !findings.length) return [];
    return [el("h3", {}, "校验结果（" + findings.length + " 项）"),
      table(["级别", "工作表", "单元格", "说明"],
        findings.map((f) => [f.severity === "error" ? "错误" : "提示", f.sheet, f.cell, f.message]),
        { rowClass: (row) => (row[0] === "错误" ? "error" : "") })];
  }

  function unitsTable(result) {
    if (!result.units || !result.units.length) return [];
    return [el("h3", {}, (result.summary.project || "") + " 得分"),
      table(["单位", "总分", "等级"], result.units, { numeric: [1] })];
  }

  function slipsTable(summary) {
    if (!summary || !summary.slips) return [];
    const out = [el("h3", {}, "复核：核对 " + summary.checked + " 个数字，差错 " + summary.slips.length + " 个")];
    if (summary.slips.length) {
      out.push(table(["工作表", "单元格", "对象", "报告值", "复算值", "说明"],
        summary.slips.map((s) => [s.sheet, s.cell, s.object, s.printed, s.expected, s.message]), { numeric: [3, 4] }));
    }
    return out;
  }

  async function readFile(file) {
    return new Uint8Array(await file.arrayBuffer());
  }

  async function single(kind, input) {
    const file = input.files[0];
    input.value = "";
    if (!file || busy) return;
    const verb = kind === "score" ? "评分" : "复核";
    begin("正在读取并" + verb + "“" + file.name + "”……");
    try {
      const data = await readFile(file);
      const result = await run({ fn: kind, name: file.name, data }, null, [data.buffer]);
      if (result.marks) document.body.dataset.marks = JSON.stringify(result.marks);
      show(result, verb);
    } catch (err) {
      finish(err.message, 2);
    }
  }

  // the CLI's lines that the tables below do not repeat: 项目, 校验 and 复核 counts, notes, the exit-2 message
  const HEADLINE = /^(项目：|校验：|复核：|不是评价模板|错误|注意：)/;

  function show(result, verb) {
    const lines = result.message.split("\n");
    $("message").textContent = result.exit === 2 ? result.message : lines.filter((l) => HEADLINE.test(l)).join("\n");
    offer(result);
    $("tables").replaceChildren(...unitsTable(result), ...slipsTable(result.summary),
      ...findingsTable(result.summary && result.summary.findings));
    finish(verb + EXIT_TEXT[result.exit], result.exit);
  }

  $("score").addEventListener("change", () => single("score", $("score")));
  $("review").addEventListener("change", () => single("review", $("review")));

  $("new").addEventListener("click", async () => {
    if (busy) return;
    begin("正在生成空白模板……");
    try {
      const result = await run({ fn: "new_template" });
      $("message").textContent = result.message;
      offer(result);
      finish("模板已生成，请点击下载", 0);
    } catch (err) {
      finish(err.message, 2);
    }
  });

  async function batch(input) {
    // every file of a folder, as the CLI takes them: the ones it does not read are listed in 汇总 with what to do
    const picked = Array.from(input.files);
    const any = input.files.length > 0;
    input.value = "";
    if (!any || busy) return;
    begin("正在读取 " + picked.length + " 个文件……");
    const bars = new Map();
    try {
      const list = [];
      for (const file of picked) {
        const name = file.webkitRelativePath || file.name;
        list.push([name, await readFile(file)]);
      }
      $("step").textContent = "正在批量复核……";
      const progress = $("progress");
      const result = await run({ fn: "batch", files: list }, (m) => {
        let row = bars.get(m.name);
        if (!row) {
          row = { bar: el("div", { class: "bar" }, el("div")), state: el("span") };
          bars.set(m.name, row);
          progress.append(el("div", { class: "file" }, el("span", {}, m.name), row.bar, row.state));
        }
        row.state.textContent = m.state;
        row.bar.className = "bar " + (m.state === "处理中" ? "running" : m.state === "通过" ? "done" : "problem");
        $("step").textContent = "正在批量复核（" + (m.index + (m.state === "处理中" ? 0 : 1)) + "/" + m.total + "）……";
      }, list.map(([, data]) => data.buffer));
      $("message").textContent = [...result.notes.map((n) => "注意：" + n), result.message].join("\n");
      offer(result);
      $("tables").replaceChildren(
        el("h3", {}, "汇总"),
        table(["文件", "工作表", "项目", "单位", "报告总分", "复算总分", "等级", "核对数", "一致数", "差错数", "错误数",
          "状态", "重复提交"],
          result.rows.map((r) => [r.file, r.sheet, r.project, r.unit, r.printed_total, r.total, r.grade, r.checked,
            r.agreed, r.slips, r.errors, r.status, r.duplicate]), { numeric: [4, 5, 7, 8, 9, 10] }),
        ...(result.issues.length ? [el("h3", {}, "问题清单（" + result.issues.length + " 条）"),
          table(["文件", "工作表", "单元格", "类别", "对象", "说明"],
            result.issues.map((i) => [i.file, i.sheet, i.cell, i.kind, i.object, i.message]),
            { rowClass: (row) => (row[3] === "错误" ? "error" : "") })] : []));
      finish("批量复核" + EXIT_TEXT[result.exit], result.exit);
    } catch (err) {
      finish(err.message, 2);
    }
  }

  $("batch-files").addEventListener("change", () => batch($("batch-files")));
  $("batch-folder").addEventListener("change", () => batch($("batch-folder")));
})();
