/** Real Blender, with the addon installed from the built zip, as a contract-suite peer. */
import { join } from "node:path";
import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { blenderRoot, launchBlender, type BlenderVersion } from "@blender-mcp/test-support/blender";
import type { Peer, PeerKind } from "./peer.js";

const ZIP = join(import.meta.dirname, `../../../../dist/blender_mcp_bus-${PACKAGE_VERSION}.zip`);

const code = (source: string) => ({ tool: "blender_execute_code", args: { code: source } });

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
