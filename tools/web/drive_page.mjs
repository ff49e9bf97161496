// Drives the built offline page in headless Chromium (Debian's /usr/bin/chromium through puppeteer-core), opened
// from file:// with the network blocked: every request that is not file:, blob: or data: is aborted and counted,
// and host names resolve nowhere.  Runs the steps given in a JSON plan and prints one JSON report on stdout:
// timings, blocked requests, downloaded files, the page's texts; screenshots go to the folder given.
//   node drive_page.mjs plan.json
// plan: {page, downloads, screenshots, chromium?, args?: [more Chromium flags], waitReady?: true | "app" | false,
//        (waitReady "warm": until Python is ready and has warmed up, as when a user takes a while to pick a file),
//        oldEngine?: bool (WebAssembly.validate answers false, as in a browser without reference types),
//        steps: [{do: "new"|"score"|"review"|"batch"|"shot", files: [...], shot: "name", full?: bool}]}
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";

const plan = JSON.parse(readFileSync(process.argv[2], "utf-8"));
const report = { blocked: [], steps: [], console: [] };
const started = Date.now();
// Firefox (plan.browser "firefox", Debian's firefox-esr, driven over WebDriver BiDi): the same steps, without
// downloads (saving them needs Chromium's DevTools protocol); every proxy points at a closed port
const firefox = plan.browser === "firefox";
const browser = await puppeteer.launch(firefox ? {
  browser: "firefox",
  executablePath: plan.firefox || "/usr/bin/firefox-esr",
  headless: true,
  extraPrefsFirefox: { "network.proxy.type": 1, "network.proxy.http": "127.0.0.1", "network.proxy.http_port": 9,
    "network.proxy.ssl": "127.0.0.1", "network.proxy.ssl_port": 9, "network.proxy.no_proxies_on": "" },
} : {
  executablePath: plan.chromium || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-default-apps", "--disable-sync", "--no-first-run",
    "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--metrics-recording-only",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    ...(plan.args || []),
  ],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  page.on("console", (msg) => report.console.push(msg.type() + ": " + msg.text()));
  page.on("pageerror", (err) => report.console.push("pageerror: " + err.message));
  if (plan.oldEngine) {
    // an engine without WebAssembly reference types (Chromium < 96) answers validate() with false
    await page.evaluateOnNewDocument(() => { WebAssembly.validate = () => false; });
  }
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const url = request.url();
    if (/^(file|blob|data):/.test(url)) request.continue();
    else {
      report.blocked.push(url);
      request.abort("blockedbyclient");
    }
  });
  const cdp = firefox ? null : await browser.target().createCDPSession();
  if (cdp) await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: plan.downloads, eventsEnabled: true });
  const finished = new Map();
  const named = new Map();
  cdp?.on("Browser.downloadWillBegin", (e) => named.set(e.guid, e.suggestedFilename));
  cdp?.on("Browser.downloadProgress", (e) => {
    if (e.state === "completed") finished.set(e.guid, named.get(e.guid));
  });
  async function download(folder) {
    // each step's download in a folder of its own: the file keeps the name the page gave it
    mkdirSync(folder, { recursive: true });
    await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: folder, eventsEnabled: true });
    const before = finished.size;
    await page.click("#download-link");
    const deadline = Date.now() + 30000;
    while (finished.size === before) {
      if (Date.now() > deadline) throw new Error("download did not finish");
      await new Promise((r) => setTimeout(r, 50));
    }
    return [...finished.values()].pop();
  }
  const opened = Date.now();
  await page.goto(pathToFileURL(join(plan.page, "index.html")).href);
  const texts = () => page.evaluate(() => ({
    boot: document.getElementById("boot").innerText,
    step: document.getElementById("step").innerText,
    message: document.getElementById("message").innerText,
    tables: document.getElementById("tables").innerText,
    progress: document.getElementById("progress").innerText,
  }));
  if (plan.waitReady === "app") {  // only until the buttons work; a step then waits for Python itself
    await page.waitForFunction(() => !document.getElementById("app").hidden, { timeout: 90000, polling: 10 });
    report.app_ms = Date.now() - opened;
  } else if (plan.waitReady === "warm") {
    await page.waitForFunction(() => !!document.body.dataset.warm || /失败|过旧/.test(document.getElementById("boot").innerText),
      { timeout: 90000, polling: 50 });
    report.warm_ms = Date.now() - opened;
    report.warm = await page.evaluate(() => JSON.parse(document.body.dataset.warm || "{}"));
  } else if (plan.waitReady !== false) {
    await page.waitForFunction(() => document.body.dataset.ready === "1" || /失败|过旧/.test(document.getElementById("boot").innerText),
      { timeout: 90000, polling: 50 });
    report.ready_ms = Date.now() - opened;
  }
  for (const step of plan.steps) {
    const record = { do: step.do, files: step.files || [] };
    await page.evaluate(() => { document.body.dataset.state = ""; });
    const t0 = Date.now();
    if (step.do === "shot") {
      // nothing to do: a screenshot of the current state
    } else if (step.do === "new") {
      await page.click("#new");
    } else {
      const input = { score: "#score", review: "#review", batch: "#batch-files", "batch-folder": "#batch-folder" }[step.do];
      const handle = await page.$(input);
      await handle.uploadFile(...step.files);
    }
    if (step.do !== "shot") {
      await page.waitForFunction(() => document.body.dataset.state === "done", { timeout: 120000, polling: 20 });
      record.ms = Date.now() - t0;
      record.since_open_ms = Date.now() - opened;
      record.texts = await texts();
      if (cdp && await page.$("#download-link")) {
        record.download = await download(join(plan.downloads, String(report.steps.length)));
        record.download_path = join(plan.downloads, String(report.steps.length), record.download);
      }
    }
    if (step.shot) {
      await page.screenshot({ path: join(plan.screenshots, step.shot + ".png"), fullPage: !!step.full });
    }
    report.steps.push(record);
  }
  report.boot = await page.evaluate(() => document.getElementById("boot").innerText);
  report.phases = await page.evaluate(() => JSON.parse(document.body.dataset.phases || "{}"));
  report.marks = await page.evaluate(() => JSON.parse(document.body.dataset.marks || "{}"));
  report.total_ms = Date.now() - started;
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report) + "\n");
