/**
 * The viewer's one self-contained page: hosts sandbox it and may allow no
 * network, so its script and style are inline and images are data: URLs.
 * It speaks the MCP Apps bridge (JSON-RPC over postMessage to its host):
 * ui/initialize, then tool results as ui/notifications/tool-result, and its
 * own tools/call requests, which the host proxies to this server.
 */
export const VIEWER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Blender viewer</title>
<style>
:root { color-scheme: light dark; font: 14px/1.4 system-ui, sans-serif; }
body { margin: 0; }
main { padding: 8px; display: grid; gap: 8px; grid-template-columns: minmax(0, 1fr) 14em; }
figure { margin: 0; min-height: 4em; }
img { width: 100%; max-height: 75vh; object-fit: contain; display: block; border-radius: 4px; background: #8882; }
img:not([src]) { display: none; }
figcaption, #status { font-size: 12px; opacity: .8; }
#status[data-state="error"] { color: #d33; opacity: 1; }
.bar { grid-column: 1 / -1; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
button, select { font: inherit; padding: 3px 10px; border-radius: 4px; border: 1px solid #8888; background: #8881; color: inherit; }
button:focus-visible, select:focus-visible { outline: 2px solid #4a90e2; outline-offset: 1px; }
button:disabled { opacity: .5; }
kbd { font-size: 11px; opacity: .7; }
section h2 { font-size: 13px; margin: 0 0 4px; }
ul { list-style: none; margin: 0; padding: 0; max-height: 24em; overflow: auto; }
li { display: flex; justify-content: space-between; gap: 6px; padding: 1px 0; }
li .type { font-size: 11px; opacity: .6; }
@media (max-width: 480px) { main { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<main>
<figure><img id="image" alt="No image yet"><figcaption id="caption">Waiting for a tool result…</figcaption></figure>
<section aria-labelledby="scene-title"><h2 id="scene-title">Scene</h2><ul id="outline"></ul></section>
<div class="bar" role="toolbar" aria-label="Viewer">
<button id="refresh" disabled>Refresh <kbd>R</kbd></button>
<button id="orbit" disabled>Orbit <kbd>O</kbd></button>
<label for="camera">Camera</label> <select id="camera" disabled></select>
<button id="render" disabled>Render</button>
<span id="status" role="status" aria-live="polite"></span>
</div>
</main>
<script>
(function () {
  "use strict";
  var ORBIT = ["front", "right", "back", "left", "top"];
  var $ = function (id) { return document.getElementById(id); };
  var pending = {}, nextId = 1, toolArgs = {}, last = null, target = null, sceneOf = null, orbitAt = -1, busy = false;

  function send(message) { window.parent.postMessage(message, "*"); }
  function request(method, params) {
    var id = nextId++;
    send({ jsonrpc: "2.0", id: id, method: method, params: params });
    return new Promise(function (resolve, reject) { pending[id] = { resolve: resolve, reject: reject }; });
  }
  function notify(method, params) { send({ jsonrpc: "2.0", method: method, params: params || {} }); }
  function status(text, state) { $("status").textContent = text; $("status").dataset.state = state || ""; }

  function controls() {
    $("refresh").disabled = busy || !last;
    $("orbit").disabled = busy;
    $("camera").disabled = busy || $("camera").options.length === 0;
    $("render").disabled = busy || $("camera").options.length === 0;
  }

  /** A tool result (pushed by the host, or the answer to our own call): its image, caption and target. */
  function show(result, args) {
    var sc = (result && result.structuredContent) || {};
    if (sc.command) last = { tool: "blender_" + sc.command, args: args || {} };
    if (sc.target_uuid) target = sc.target_uuid;
    var image = ((result && result.content) || []).filter(function (c) { return c.type === "image"; })[0];
    if (image) {
      $("image").src = "data:" + image.mimeType + ";base64," + image.data;
      $("image").alt = (sc.command || "Blender") + " image";
      $("image").dataset.jobId = sc.job_id || "";
      var r = sc.result || {};
      var views = (r.cells || []).map(function (c) { return c.view; }).join(", ");
      $("caption").textContent = (sc.command || "") + (views ? " (" + views + ")" : "") + (r.width ? " · " + r.width + "×" + r.height : "");
    }
    if (result && result.isError) status((sc.status || "error") + ": " + (sc.error || "the tool failed"), "error");
    else status("");
    controls();
    if (target && sceneOf !== target) loadScene();
  }

  function call(name, args) {
    if (target && args.target_uuid === undefined) args.target_uuid = target;
    busy = true; controls(); status("Running " + name + "…");
    return request("tools/call", { name: name, arguments: args })
      .then(function (result) { busy = false; show(result, args); return result; })
      .catch(function (e) { busy = false; controls(); status(String(e.message || e), "error"); });
  }

  /** The outline: object names and types from blender_get_scene_info; cameras feed the picker. */
  function loadScene() {
    sceneOf = target;
    request("tools/call", { name: "blender_get_scene_info", arguments: target ? { target_uuid: target } : {} }).then(function (result) {
      var r = (result.structuredContent && result.structuredContent.result) || {};
      var objects = r.objects || [];
      var total = r.total || objects.length;
      $("scene-title").textContent = (r.scene || "Scene") + ": " + (objects.length < total ? objects.length + " of " + total : total) + " objects";
      var list = $("outline"), picker = $("camera"), chosen = picker.value;
      list.textContent = ""; picker.textContent = "";
      objects.forEach(function (o) {
        var li = document.createElement("li"), name = document.createElement("span"), type = document.createElement("span");
        name.textContent = o.name; type.textContent = o.type; type.className = "type";
        li.dataset.name = o.name; li.append(name, type); list.append(li);
        if (o.type === "CAMERA") picker.append(new Option(o.name, o.name, false, o.name === chosen));
      });
      controls();
    }).catch(function (e) { sceneOf = null; status("scene: " + (e.message || e), "error"); });
  }

  var actions = {
    refresh: function () { if (last) call(last.tool, Object.assign({}, last.args)); },
    orbit: function () { orbitAt = (orbitAt + 1) % ORBIT.length; call("blender_get_views", { views: [ORBIT[orbitAt]], size: 512 }); },
    render: function () { call("blender_render_still", { camera: $("camera").value, max_size: 800 }); },
  };
  $("refresh").onclick = actions.refresh;
  $("orbit").onclick = actions.orbit;
  $("render").onclick = actions.render;
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || busy || e.target.tagName === "SELECT") return;
    var key = e.key.toLowerCase();
    if (key === "r" && last) actions.refresh();
    else if (key === "o") actions.orbit();
  });

  window.addEventListener("message", function (e) {
    if (e.source !== window.parent) return;
    var m = e.data;
    if (!m || m.jsonrpc !== "2.0") return;
    if (m.method === undefined && pending[m.id]) {
      var p = pending[m.id]; delete pending[m.id];
      if (m.error) p.reject(new Error(m.error.message)); else p.resolve(m.result);
    } else if (m.method === "ui/notifications/tool-input") toolArgs = (m.params && m.params.arguments) || {};
    else if (m.method === "ui/notifications/tool-result") show(m.params, toolArgs);
    else if (m.method === "ui/notifications/host-context-changed") theme(m.params);
    else if (m.id !== undefined && (m.method === "ping" || m.method === "ui/resource-teardown")) send({ jsonrpc: "2.0", id: m.id, result: {} });
    else if (m.id !== undefined) send({ jsonrpc: "2.0", id: m.id, error: { code: -32601, message: "Method not found: " + m.method } });
  });

  function theme(context) { if (context && context.theme) document.documentElement.style.colorScheme = context.theme; }

  new ResizeObserver(function () {
    notify("ui/notifications/size-changed", { width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight });
  }).observe(document.body);

  request("ui/initialize", {
    protocolVersion: "2026-01-26",
    appInfo: { name: "blender-mcp-viewer", version: "1" },
    appCapabilities: { availableDisplayModes: ["inline"] },
  }).then(function (answer) {
    theme(answer && answer.hostContext);
    notify("ui/notifications/initialized");
    controls();
  }).catch(function (e) { status("host: " + (e.message || e), "error"); });
})();
</script>
</body>
</html>
`;
