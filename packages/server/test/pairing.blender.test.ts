/**
 * Local pairing: a Blender on the server's machine finds the local token file
 * by itself, with nothing pasted into its preferences.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { blenderSkipReason, launchBlender } from "@blender-mcp/test-support/blender";
import { connectClient } from "./support/mcp-client.js";
import { startServer } from "./support/server-process.js";

const ZIP = join(import.meta.dirname, `../../../dist/blender_mcp_bus-${PACKAGE_VERSION}.zip`);

// The host's Blender: a chrooted one sees another filesystem, so no shared token file.
test("Blender 3.4 pairs with a local server through the local token file", { skip: await blenderSkipReason("3.4") }, async () => {
  const server = await startServer();
  const blender = await launchBlender({ version: "3.4", zip: ZIP, env: { BLENDER_MCP_BUS_URL: server.addonUrl, BLENDER_MCP_HOME: server.dataDir } });
  try {
    const client = await connectClient(server, "http");
    const { structured } = await client.call("blender_list_clients");
    assert.deepEqual(structured.clients.map((c: { uuid: string }) => c.uuid), [blender.uuid]);
    await client.close();
  } finally {
    await blender.stop();
    await server.stop();
  }
});
