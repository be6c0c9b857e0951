/**
 * The fake stands in for Blender in contract and load tests, so it must
 * offer every command the protocol has: each dispatch tool, called with its
 * command's example params, completes with a result that fits the contract.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { COMMAND_LIST, DISPATCH_TOOLS, type CommandDef } from "@blender-mcp/protocol";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { startServer, type ServerProcess } from "../support/server-process.js";
import type { Peer } from "./peer.js";
import { fakeKind } from "./fake-kind.js";

/** The fake runs execute_code in a real Python, which has no bpy for the example's import. */
const PARAMS: Record<string, Record<string, unknown>> = { execute_code: { code: "print(len('bpy'))" } };

describe("the fake addon answers every command", () => {
  let server: ServerProcess;
  let client: TestClient;
  let peer: Peer;
  before(async () => {
    server = await startServer();
    client = await connectClient(server, "http");
    peer = await fakeKind.start({ url: server.addonUrl, token: server.token });
  });
  after(async () => {
    await peer?.stop();
    await client?.close();
    await server?.stop();
  });

  for (const command of COMMAND_LIST as readonly CommandDef[]) {
    test(command.name, async () => {
      const tool = DISPATCH_TOOLS.find((t) => t.command === command.name)!;
      const { structured } = await client.call(tool.name, PARAMS[command.name] ?? (command.example.params as Record<string, unknown>));
      assert.equal(structured.status, "completed", `${tool.name}: ${structured.error}`);
      assert.equal(structured.target_uuid, peer.uuid);
    });
  }
});
