/** Real Blender, with the addon installed from the built zip, as a contract-suite peer. */
import { join } from "node:path";
import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { blenderRoot, launchBlender, type BlenderVersion } from "@blender-mcp/test-support/blender";
import type { Peer, PeerKind } from "./peer.js";

const ZIP = join(import.meta.dirname, `../../../../dist/blender_mcp_bus-${PACKAGE_VERSION}.zip`);

const code = (source: string) => ({ tool: "blender_execute_code", args: { code: source } });

/**
 * A Blender is handed to the tests once it has run a job on its main thread. It connects from a timer soon
 * after startup, but its first turns of the main loop then draw the whole window with software OpenGL: on
 * this loaded 2-core machine they have been seen to take over 15 s, longer than a tool's default timeout,
 * so whichever test came first timed out. 2026-07-28 requests (no session, so no session hears of them;
 * a modern listener on blender://jobs does, as of any job) wait for it.
 */
async function firstJob(addonUrl: string, token: string, uuid: string): Promise<void> {
  const mcpUrl = addonUrl.replace(/^ws/, "http").replace(/\/addon$/, "/mcp");
  const envelope = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": { name: "contract-warm-up", version: "1.0.0" },
  };
  const res = await fetch(mcpUrl, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": "blender_get_scene_info",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "blender_get_scene_info", arguments: { limit: 1, target_uuid: uuid, timeout_seconds: 120 }, _meta: envelope },
    }),
  });
  const text = await res.text();
  // The answer comes as JSON or as an event stream whose data line is the JSON.
  const json = res.headers.get("content-type")?.startsWith("text/event-stream") ? text.split("\n").find((l) => l.startsWith("data:"))?.slice(5) : text;
  const status = (JSON.parse(json ?? "{}") as { result?: { structuredContent?: { status?: string } } }).result?.structuredContent?.status;
  if (status !== "completed") throw new Error(`Blender ${uuid} did not complete its first job: HTTP ${res.status} ${text.slice(0, 500)}`);
}

export function blenderKind(version: BlenderVersion): PeerKind {
  return {
    name: `Blender ${version}`,
    async start({ url, token, label, gated }) {
      const blender = await launchBlender({
        version,
        zip: ZIP,
        env: {
          BLENDER_MCP_BUS_URL: url,
          BLENDER_MCP_BUS_TOKEN: token,
          BLENDER_MCP_BUS_LABEL: label ?? `blender-${version}`,
          BLENDER_MCP_BUS_GATED: (gated ?? []).join(","),
          // Blender's own /tmp (a chroot's, for 4.3 and 5.2): where the suite gives it paths.
          BLENDER_MCP_BUS_ALLOWED_FOLDERS: "/tmp",
        },
      });
      try {
        // Two: the first can run before the first whole-window draw, which comes between it and the next.
        await firstJob(url, token, blender.uuid);
        await firstJob(url, token, blender.uuid);
      } catch (error) {
        await blender.stop();
        throw error;
      }
      return { uuid: blender.uuid, closed: blender.exited.then(() => undefined), stop: () => blender.stop() } satisfies Peer;
    },
    // Blender's main thread runs one job at a time, so a sleeping job keeps the next ones queued.
    slowCall: async (_peer, seconds) => code(`import time\ntime.sleep(${seconds})\nprint("slept")`),
    failingCall: async () => code("raise RuntimeError('boom from the contract suite')"),
    // A crash, as far as the server can tell: the process ends mid-job without a reply.
    dropCall: async () => code("import os\nos._exit(0)"),
    hostPath: (path) => join(blenderRoot(version), path),
    realScene: true,
    script: (marker) => `import bpy\ntotal = 0\nfor i in range(3):\n    total += i\nprint(${JSON.stringify(marker)}, total)\n`,
  };
}
