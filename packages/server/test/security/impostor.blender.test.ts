/**
 * Another local user's program holds our port before the server starts. The
 * real addon (installed from the zip into real Blender 3.4, 4.3 and 5.2) and
 * the stdio relay must give it nothing (no token, no key, no hello, no job
 * result) and run nothing it sends; the real server started afterwards on
 * that port is accepted and works.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createHash, randomBytes } from "node:crypto";
import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { BLENDER_VERSIONS, blenderRoot, blenderSkipReason, launchBlender } from "@blender-mcp/test-support/blender";
import { TokenStore } from "../../src/auth/tokens.js";
import { connectClient } from "../support/mcp-client.js";
import { CLI, startServer } from "../support/server-process.js";
import { leaks, startImpostor } from "./impostor.js";

const ZIP = join(import.meta.dirname, `../../../../dist/blender_mcp_bus-${PACKAGE_VERSION}.zip`);

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function secretsOf(token: string, extra: Record<string, string> = {}) {
  const key = createHash("sha256").update(token).digest();
  return { token, "token without prefix": token.slice(5), "key (hex)": key.toString("hex"), "key (base64url)": key.toString("base64url"), "bearer header": "Bearer", ...extra };
}

/**
 * The kinds of frame the impostor got other than auth_begin: an empty list is the pass. auth_begin itself may be
 * missing: the client drops the connection with the impostor's frames unread, so its kernel resets it, and a
 * reset discards what the impostor had not yet read (seen on CI).
 */
const beyondAuthBegin = (frames: string[]) =>
  frames.map((f) => (JSON.parse(f) as { message_type?: string }).message_type ?? "(json-rpc)").filter((kind) => kind !== "auth_begin");

describe("an impostor holds the port", () => {
  for (const version of BLENDER_VERSIONS) {
    test(`Blender ${version} gives it nothing and runs nothing; the real server afterwards is accepted`, async (t) => {
      const skip = await blenderSkipReason(version);
      if (skip) return t.skip(skip);
      const dataDir = mkdtempSync(join(tmpdir(), "blender-mcp-impostor-"));
      const token = new TokenStore(dataDir).ensureLocalToken("local");
      const port = await freePort();
      const trapInside = `/tmp/impostor-ran-${randomBytes(6).toString("hex")}.txt`;
      const trap = join(blenderRoot(version), trapInside);
      const label = `impostor-test-${version}`;
      const impostor = await startImpostor(port, { trap: trapInside, channel: "addon" });
      const launched = launchBlender({
        version,
        zip: ZIP,
        timeoutMs: 120_000,
        env: { BLENDER_MCP_BUS_URL: `ws://127.0.0.1:${port}/addon`, BLENDER_MCP_BUS_TOKEN: token, BLENDER_MCP_BUS_LABEL: label, BLENDER_MCP_BUS_BACKOFF_MAX: "2" },
      });
      try {
        // Two attempts, each refused by the addon: it backed off and came back, and still gave nothing.
        await impostor.sessionsEnded(2);
        await impostor.close();
        const server = await startServer([], { dataDir, port });
        try {
          const blender = await launched;
          try {
            const client = await connectClient(server, "http");
            const { structured } = await client.call("blender_execute_code", { code: "print('real server')" });
            assert.equal(structured.status, "completed", JSON.stringify(structured));
            await client.close();
            assert.deepEqual(leaks(impostor, secretsOf(token, { uuid: blender.uuid, label })), []);
            assert.deepEqual(beyondAuthBegin(impostor.frames), [], "the addon sent nothing but auth_begin");
            assert.equal(existsSync(trap), false, "the impostor's execute_code never ran");
            assert.ok(blender.stdout.some((l) => l.includes("did not prove it knows this token") && l.includes("ss -ltnp")), blender.stdout.join("\n"));
          } finally {
            await blender.stop();
          }
        } finally {
          await server.stop();
        }
      } finally {
        await impostor.close().catch(() => {});
        await launched.then((b) => b.stop()).catch(() => {});
        rmSync(trap, { force: true });
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }

  test("the stdio relay gives it nothing and exits saying what holds the port; the real hub afterwards works", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "blender-mcp-impostor-"));
    const token = new TokenStore(dataDir).ensureLocalToken("local");
    const port = await freePort();
    const impostor = await startImpostor(port, { trap: "/nonexistent", channel: "mcp" });
    try {
      const relay = spawn(process.execPath, [CLI, "stdio", "--port", String(port), "--data-dir", dataDir, "--log-level", "warn"], { stdio: ["pipe", "pipe", "pipe"] });
      let stderr = "";
      let stdout = "";
      relay.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
      relay.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
      relay.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "victim", version: "1" } } })}\n`);
      const [code] = (await once(relay, "exit")) as [number];
      assert.equal(code, 1);
      assert.match(stderr, /did not prove it knows this token/);
      assert.match(stderr, new RegExp(`ss -ltnp 'sport = :${port}'`));
      assert.match(stderr, new RegExp(`lsof -i :${port}`));
      assert.equal(stdout, "", "nothing the impostor sent reached the MCP client");
      assert.deepEqual(leaks(impostor, secretsOf(token, { "the client's request": "victim" })), []);
      assert.deepEqual(beyondAuthBegin(impostor.frames), []);
    } finally {
      await impostor.close();
    }
    const server = await startServer([], { dataDir, port });
    try {
      const client = await connectClient(server, "stdio");
      const { structured } = await client.call("blender_list_clients");
      assert.deepEqual(structured.clients, []);
      await client.close();
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
