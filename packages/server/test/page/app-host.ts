/**
 * A minimal MCP Apps host for tests: a page with the viewer in a sandboxed
 * iframe (scripts only, an opaque origin, as chat hosts do) that answers
 * ui/initialize, pushes one tool's input and result once the view says it is
 * initialized, and proxies the view's tools/call to `window.mcpCallTool`
 * (which the test binds to a real MCP client). Every message the view sends
 * is kept in `window.fromView`.
 */
export function hostPage(viewerHtml: string, toolName: string, toolArgs: unknown, toolResult: unknown): string {
  const data = JSON.stringify({ viewerHtml, toolName, toolArgs, toolResult }).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>test host</title>
<style>body { margin: 0; font: 14px system-ui; background: #eee; } iframe { width: 900px; height: 600px; border: 1px solid #999; background: #fff; }</style>
</head><body>
<iframe id="view" sandbox="allow-scripts" title="Blender viewer"></iframe>
<script>
const { viewerHtml, toolName, toolArgs, toolResult } = ${data};
const frame = document.getElementById("view");
window.fromView = [];
const reply = (id, result) => frame.contentWindow.postMessage({ jsonrpc: "2.0", id, result }, "*");
const fail = (id, message) => frame.contentWindow.postMessage({ jsonrpc: "2.0", id, error: { code: -32603, message } }, "*");
const notify = (method, params) => frame.contentWindow.postMessage({ jsonrpc: "2.0", method, params }, "*");
window.addEventListener("message", async (e) => {
  if (e.source !== frame.contentWindow) return;
  const m = e.data;
  window.fromView.push(m);
  if (m.method === "ui/initialize") {
    reply(m.id, {
      protocolVersion: m.params.protocolVersion,
      hostInfo: { name: "test-host", version: "1" },
      hostCapabilities: { serverTools: {} },
      hostContext: { theme: "light", displayMode: "inline", toolInfo: { tool: { name: toolName } } },
    });
  } else if (m.method === "ui/notifications/initialized") {
    notify("ui/notifications/tool-input", { arguments: toolArgs });
    notify("ui/notifications/tool-result", toolResult);
  } else if (m.method === "tools/call") {
    try { reply(m.id, await window.mcpCallTool(m.params.name, m.params.arguments ?? {})); }
    catch (error) { fail(m.id, String(error && error.message || error)); }
  } else if (m.id !== undefined && m.method) {
    fail(m.id, "not supported by the test host: " + m.method);
  }
});
frame.srcdoc = viewerHtml;
</script>
</body></html>`;
}
