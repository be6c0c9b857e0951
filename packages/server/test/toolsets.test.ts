/**
 * Toolsets: a session advertises the default core unless the server's
 * --toolsets or the request's ?toolsets= says otherwise, and calls only what
 * it advertises.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CORE_TOOLSETS, TOOLS, toolsFor } from "@blender-mcp/protocol";
import { startServer, type ServerProcess } from "./support/server-process.js";

async function listNames(server: ServerProcess, query: string): Promise<string[]> {
  const client = new Client({ name: "toolsets-test", version: "1" });
  const url = new URL(`${server.mcpUrl}${query}`);
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${server.token}` } } }));
  try {
    return (await client.listTools()).tools.map((t) => t.name);
  } finally {
    await client.close();
  }
}

const namesOf = (toolsets: readonly string[]) => TOOLS.filter((t) => toolsets.includes(t.toolset)).map((t) => t.name);

describe("toolsets", () => {
  let core: ServerProcess;
  before(async () => {
    core = await startServer(["--toolsets", "core"]);
  });
  after(() => core?.stop());

  test("the default is the core, which holds no asset, api or raw bus tool", async () => {
    const names = await listNames(core, "");
    assert.deepEqual(names, namesOf(CORE_TOOLSETS));
    for (const name of ["blender_send_message", "blender_job_update", "blender_search_polyhaven_assets"]) {
      assert.ok(!names.includes(name), name);
    }
    assert.ok(names.includes("blender_execute_code") && names.includes("blender_list_clients"));
  });

  test("a request's ?toolsets= picks its session's tools, jobs always among them", async () => {
    assert.deepEqual(await listNames(core, "?toolsets=polyhaven"), namesOf(["jobs", "polyhaven"]));
    assert.deepEqual(await listNames(core, "?toolsets=core,bus"), namesOf([...CORE_TOOLSETS, "bus"]));
    assert.deepEqual(await listNames(core, "?toolsets=all"), TOOLS.map((t) => t.name));
  });

  test("a tool outside the session's toolsets is unknown to it", async () => {
    const client = new Client({ name: "toolsets-test", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(new URL(core.mcpUrl), { requestInit: { headers: { authorization: `Bearer ${core.token}` } } }));
    try {
      // An unknown tool is a protocol error (-32602), as the specification says.
      await assert.rejects(client.callTool({ name: "blender_get_polyhaven_status", arguments: {} }), (e: { code?: number; message: string }) => e.code === -32602 && /not found/i.test(e.message));
    } finally {
      await client.close();
    }
  });

  test("an unknown toolset is refused with the known ones listed", async () => {
    const res = await fetch(`${core.mcpUrl}?toolsets=core,assets`, {
      method: "POST",
      headers: { authorization: `Bearer ${core.token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { message: string } };
    assert.match(body.error.message, /unknown toolset "assets".*polyhaven/);
  });

  test("toolsFor matches resolveToolsets: core, all, and names", () => {
    assert.deepEqual(toolsFor().map((t) => t.name), namesOf(CORE_TOOLSETS));
    assert.equal(toolsFor("all").length, TOOLS.length);
    assert.throws(() => toolsFor("nope"), /unknown toolset "nope"/);
  });
});
