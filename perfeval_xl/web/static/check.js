// First script of the page, in old JavaScript on purpose: a browser too old for the WebAssembly features Python
// needs gets a Chinese message naming the minimum, never a blank page; otherwise the bundle scripts are loaded in
// order (plain <script> tags work from file://, fetch() does not).
(function () {
  var box = document.getElementById("boot-text");
  function fatal(html) {
    var boot = document.getElementById("boot");
    boot.className = "boot fatal";
    boot.innerHTML = html;
  }
  // a module whose only type takes an externref: valid only where WebAssembly reference types exist
  var refTypes = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 1, 111, 0];
  var ok = false;
  try {
    ok = typeof WebAssembly === "object" && WebAssembly.validate(new Uint8Array(refTypes)) &&
      typeof Worker === "function" && typeof DecompressionStream === "function" && typeof Promise === "function";
  } catch (e) {
    ok = false;
  }
  if (!ok) {
    fatal("此浏览器版本过旧，无法运行离线版（需要 WebAssembly 引用类型等功能）。<br>" +
      "请使用 Chrome / Edge 96 及以上、Firefox 114 及以上、Safari 16.4 及以上；" +
      "360 安全浏览器、QQ 浏览器等请切换到“极速模式”（Chromium 内核）后重新打开本页。");
    return;
  }
  window.PERFEVAL_FILES = {};
  // the manifest, then the first bundle script (the worker's code) and the page's script, which starts Python at
  // once; then the other bundle scripts, each handed to Python's worker as soon as it has run (page.js): they are
  // requested together once the worker is on its way (read in parallel) and run in order (async = false)
  var total = 0;
  var loaded = 0;
  function add(src, onload) {
    var tag = document.createElement("script");
    tag.src = src;
    tag.async = false;
    tag.onload = onload;
    tag.onerror = function () {
      fatal("缺少文件 " + src + "：离线版文件夹不完整。请把整个“绩效评价离线版”文件夹（或 zip 解压后的全部内容）复制过来再打开 index.html。");
    };
    document.body.appendChild(tag);
  }
  function arrived() {
    loaded += 1;
    if (window.PERFEVAL_LOADED) window.PERFEVAL_LOADED(loaded, total);
    else box.textContent = "正在载入运行库（" + loaded + "/" + total + "）……";
  }
  add("files/manifest.js", function () {
    var bundle = window.PERFEVAL_MANIFEST.scripts;
    total = bundle.length;
    add(bundle[0], arrived);
    add("files/page.js", function () {
      for (var i = 1; i < bundle.length; i++) add(bundle[i], arrived);
    });
  });
})();
