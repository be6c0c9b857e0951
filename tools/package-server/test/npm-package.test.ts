/**
 * The published form, as a user gets it: the tarball `npm pack` makes of the
 * publish folder is installed into an empty folder by npm alone (deps from
 * npm's cache when they are there, else the registry), and the fake addon is
 * driven through the installed `blender-mcp` over HTTP (serve) and stdio
 * (`npx blender-mcp stdio`, resolved from that folder as `npx -y <tarball>`
 * resolves it from npx's cache). Installing compiles better-sqlite3 where no
 * prebuilt binary can be fetched, so this test takes a minute or two.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { FakeAddon } from "@blender-mcp/fake-addon";
import { buildPublishFolder, packTarball } from "../main.js";
import { MCP_NAME, NPM_NAME } from "../identity.js";

const run = promisify(execFile);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("the npm package", { timeout: 600_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), "blender-mcp-pack-"));
  const app = join(work, "app");
  const dataDir = join(work, "data");
  let tarball = "";
  let serve: ReturnType<typeof spawn> | null = null;
  let port = 0;
  let token = "";

  before(async () => {
    buildPublishFolder(join(work, "publish"));
    tarball = packTarball(join(work, "publish"), work);
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), `${JSON.stringify({ name: "clean-machine", private: true })}\n`);
    await run(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel", "error", tarball], { cwd: app, maxBuffer: 16 << 20 });
  });

  after(async () => {
    if (serve && serve.exitCode === null) {
      serve.kill("SIGTERM");
      await new Promise((resolve) => serve!.once("exit", resolve));
    }
    rmSync(work, { recursive: true, force: true });
  });

  test("carries no workspace references, the bundled protocol, both addon zips, and its registry names", () => {
    const installed = join(app, "node_modules", NPM_NAME);
    const manifest = readFileSync(join(installed, "package.json"), "utf8");
    assert.doesNotMatch(manifest, /workspace:/);
    const parsed = JSON.parse(manifest) as { mcpName: string; bin: Record<string, string> };
    assert.equal(parsed.mcpName, MCP_NAME);
    assert.ok(parsed.bin["blender-mcp"]);
    const server = JSON.parse(readFileSync(join(installed, "server.json"), "utf8")) as { name: string; packages: { identifier: string; version: string }[] };
    assert.equal(server.name, MCP_NAME);
    assert.deepEqual(server.packages.map((p) => [p.identifier, p.version]), [[NPM_NAME, PACKAGE_VERSION]]);
    const protocol = join(installed, "node_modules", "@blender-mcp", "protocol", "package.json");
    assert.ok(existsSync(protocol) || existsSync(join(app, "node_modules", "@blender-mcp", "protocol", "package.json")), "the protocol package is bundled");
    for (const zip of [`blender_mcp_bus-${PACKAGE_VERSION}.zip`, `blender_mcp_bus-${PACKAGE_VERSION}-extension.zip`]) {
      assert.ok(existsSync(join(installed, "addon", zip)), `${zip} is in the package`);
    }
  });

  test("serve answers a tool call through the fake addon over Streamable HTTP", async () => {
    port = await freePort();
    serve = spawn(join(app, "node_modules", ".bin", "blender-mcp"), ["serve", "--port", String(port), "--data-dir", dataDir, "--job-store", "memory"], {
      cwd: app,
      stdio: ["ignore", "ignore", "pipe"],
    });
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: serve!.stderr! }).on("line", (line) => {
        if (line.includes('"server.listening"')) resolve();
      });
      serve!.once("exit", (code) => reject(new Error(`serve exited (${code}) before listening`)));
    });
    token = readFileSync(join(dataDir, "local-token"), "utf8").trim();
    const addon = new FakeAddon({ url: `ws://127.0.0.1:${port}/addon`, token, label: "packed" });
    await addon.start();
    try {
      const http = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      });
      await assertSceneCall(http);
    } finally {
      await addon.close();
    }
  });

  test("npx blender-mcp stdio answers a tool call through the same hub", async () => {
    assert.ok(port > 0, "the serve test ran first");
    const addon = new FakeAddon({ url: `ws://127.0.0.1:${port}/addon`, token, label: "packed-stdio" });
    await addon.start();
    try {
      const stdio = new StdioClientTransport({
        command: npx,
        args: ["--no-install", "blender-mcp", "stdio", "--port", String(port), "--data-dir", dataDir, "--log-level", "warn"],
        cwd: app,
        stderr: "inherit",
      });
      await assertSceneCall(stdio);
    } finally {
      await addon.close();
    }
  });
});

async function assertSceneCall(transport: Transport): Promise<void> {
  const client = new Client({ name: "clean-machine", version: "1.0.0" });
  await client.connect(transport);
  try {
    const tools = await client.listTools();
    assert.ok(tools.tools.some((t) => t.name === "blender_get_scene_info"));
    const result = await client.callTool({ name: "blender_get_scene_info", arguments: {} });
    const body = result.structuredContent as { status: string; result: unknown };
    assert.equal(body.status, "completed", JSON.stringify(result));
    assert.ok(body.result !== null && typeof body.result === "object");
  } finally {
    await client.close();
  }
}
