/** Shared by the worker tests: a headless worker launched from the built zip, and waits on the server's log. */
import { join } from "node:path";
import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { launchBlender, type BlenderVersion, type RunningBlender } from "@blender-mcp/test-support/blender";
import type { ServerProcess } from "../support/server-process.js";

const ZIP = join(import.meta.dirname, `../../../../dist/blender_mcp_bus-${PACKAGE_VERSION}.zip`);

export function launchWorker(version: BlenderVersion, server: ServerProcess, label: string, args: string[] = []): Promise<RunningBlender> {
  return launchBlender({
    version,
    zip: ZIP,
    // The environment a test launcher gives the UI addon; the worker reads the same variables.
    env: { BLENDER_MCP_BUS_URL: server.addonUrl, BLENDER_MCP_BUS_TOKEN: server.token, BLENDER_MCP_BUS_ALLOWED_FOLDERS: "/tmp", BLENDER_MCP_BUS_BACKOFF_MAX: "1" },
    worker: { args: ["--label", label, ...args] },
  });
}

/** A Blender with its UI (under Xvfb) on the same bus: the requesting Blender whose scene a spread render ships. */
export function launchUi(version: BlenderVersion, server: ServerProcess): Promise<RunningBlender> {
  return launchBlender({
    version,
    zip: ZIP,
    env: { BLENDER_MCP_BUS_URL: server.addonUrl, BLENDER_MCP_BUS_TOKEN: server.token, BLENDER_MCP_BUS_ALLOWED_FOLDERS: "/tmp", BLENDER_MCP_BUS_LABEL: `ui-${version}` },
  });
}

type LogEntry = Record<string, unknown>;

/** The `count`-th log entry from index `from` on that matches, once the server has written it. */
export async function logged(server: ServerProcess, match: (l: LogEntry) => boolean, from = 0, count = 1): Promise<LogEntry> {
  // The server's log is the only outside view of an attach; it is read as it grows.
  for (;;) {
    const found = server.logs.slice(from).filter(match);
    if (found.length >= count) return found[count - 1]!;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const attachOf = (uuid: string) => (l: LogEntry) => l.event === "client.attached" && l.target_uuid === uuid;
