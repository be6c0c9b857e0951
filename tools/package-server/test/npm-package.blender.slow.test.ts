/**
 * The published form, as a user gets it: the tarball `npm pack` makes of the
 * publish folder is installed into an empty folder by npm alone (deps from
 * npm's cache when they are there, else the registry), and the fake addon is
 * driven through the installed `blender-mcp` over HTTP (serve) and stdio
 * (`npx blender-mcp stdio`, resolved from that folder as `npx -y <tarball>`
 * resolves it from npx's cache). The folder it is installed into is also the
 * server/ of a Claude Desktop bundle, packed and validated with the mcpb CLI,
 * whose entry point then answers with the manifest's settings. Installing
 * compiles better-sqlite3 where no prebuilt binary can be fetched, so this
 * test takes a minute or two.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
import { BLENDER_VERSIONS, blenderSkipReason } from "../../blender/launch.js";
import { throwAwayBlender } from "../../blender/wrapper.js";
import { buildPublishFolder, packTarball } from "../main.js";
import { ENTRY_POINT, packBundle, writeBundleManifest } from "../../package-mcpb/main.js";
import { MCP_NAME, NPM_NAME } from "../identity.js";
import { freePort } from "../../../packages/server/test/support/free-port.js";

const run = promisify(execFile);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";

const skips = Object.fromEntries(await Promise.all(BLENDER_VERSIONS.map(async (v) => [v, await blenderSkipReason(v)] as const)));

describe("the npm package", { timeout: 600_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), "blender-mcp-pack-"));
  const bundle = join(work, "bundle");
  const app = join(bundle, "server");
  const dataDir = join(work, "data");
  let tarball = "";
  let serve: ReturnType<typeof spawn> | null = null;
  let port = 0;
  let token = "";

  before(async () => {
    buildPublishFolder(join(work, "publish"));
    tarball = packTarball(join(work, "publish"), work);
    mkdirSync(app, { recursive: true });
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

  test("config, run from the package, makes clients start it with npx", async () => {
    const { stdout } = await run(npx, ["--no-install", "blender-mcp", "config", "claude-desktop"], { cwd: app });
    const entry = (JSON.parse(stdout) as { mcpServers: Record<string, { command: string; args: string[] }> }).mcpServers.blender!;
    assert.deepEqual([entry.command, ...entry.args], ["npx", "-y", NPM_NAME, "stdio"]);
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

  test("the .mcpb bundle validates and packs, and its entry point answers with the port and token settings", async () => {
    assert.ok(port > 0, "the serve test ran first");
    writeBundleManifest(bundle);
    const manifest = JSON.parse(readFileSync(join(bundle, "manifest.json"), "utf8")) as {
      server: { mcp_config: { args: string[]; env: Record<string, string> } };
      user_config: Record<string, { type: string; sensitive?: boolean }>;
    };
    assert.equal(manifest.user_config.port!.type, "number");
    assert.equal(manifest.user_config.token!.sensitive, true);
    const file = join(work, "blender.mcpb");
    packBundle(bundle, file);
    const unpacked = join(work, "unpacked");
    await run(join(import.meta.dirname, "../../node_modules/.bin/mcpb"), ["unpack", file, unpacked]);
    // What Claude Desktop runs: node with the manifest's args and env, the settings filled in.
    const settings: Record<string, string> = { "${user_config.port}": String(port), "${user_config.token}": token, "${__dirname}": unpacked };
    const fill = (text: string) => text.replace(/\$\{[^}]+\}/g, (key) => settings[key] ?? key);
    const env = Object.fromEntries(Object.entries(manifest.server.mcp_config.env).map(([k, v]) => [k, fill(v)]));
    const addon = new FakeAddon({ url: `ws://127.0.0.1:${port}/addon`, token, label: "packed-mcpb" });
    await addon.start();
    try {
      const args = manifest.server.mcp_config.args.map(fill);
      assert.equal(args[0], join(unpacked, ENTRY_POINT));
      // An empty data folder: only the token setting can let the relay in.
      const stdio = new StdioClientTransport({
        command: process.execPath,
        args,
        env: { ...(process.env as Record<string, string>), ...env, BLENDER_MCP_HOME: mkdtempSync(join(work, "empty-")), BLENDER_MCP_LOG_LEVEL: "warn" },
        stderr: "inherit",
      });
      await assertSceneCall(stdio);
    } finally {
      await addon.close();
    }
  });

  for (const version of BLENDER_VERSIONS) {
    test(`Blender ${version}: from the tarball to a real Blender answering a tool call, with the README's commands`, { skip: skips[version], timeout: 300_000 }, async () => {
      const blender = await throwAwayBlender(version);
      // The folder Blender's add-on looks in for the local token, given its HOME (the same file from the host).
      const home = join(blender.home, ".local", "share", "blender-mcp");
      const env = { ...process.env, BLENDER_MCP_HOME: home };
      let hub: ReturnType<typeof spawn> | null = null;
      let ui: ReturnType<typeof spawn> | null = null;
      try {
        await run(npx, ["--no-install", "blender-mcp", "install-addon", "--blender", blender.executable], { cwd: app, timeout: 300_000 });
        const hubPort = await freePort();
        // The add-on's Server URL preference (README: Install the addon), set as a user would, saved in the profile.
        const url = `ws://127.0.0.1:${hubPort}/addon`;
        const setUrl = `import bpy\nname = next(k for k in bpy.context.preferences.addons.keys() if k.endswith("blender_mcp_bus"))\nbpy.context.preferences.addons[name].preferences.server_url = ${JSON.stringify(url)}\nbpy.ops.wm.save_userpref()`;
        await run(blender.executable, ["--background", "--python-exit-code", "1", "--python-expr", setUrl], { timeout: 120_000 });
        // detached: npx runs serve as its child, so the stop below signals the whole group.
        hub = spawn(npx, ["--no-install", "blender-mcp", "serve", "--port", String(hubPort)], { cwd: app, env, detached: true, stdio: ["ignore", "ignore", "pipe"] });
        const lines = createInterface({ input: hub.stderr! });
        const logged = (event: string) =>
          new Promise<Record<string, unknown>>((resolve, reject) => {
            lines.on("line", (line) => {
              if (line.includes(`"${event}"`)) resolve(JSON.parse(line) as Record<string, unknown>);
            });
            hub!.once("exit", (code) => reject(new Error(`serve exited (${code}) before ${event}`)));
          });
        const listening = logged("server.listening");
        const attached = logged("client.attached");
        await listening;
        const [command, ...args] = blender.gui();
        ui = spawn(command!, args, { detached: true, stdio: "ignore" });
        const hello = await attached;
        assert.match(String(hello.blender_version), new RegExp(`^${version.replace(".", "\\.")}`));
        const stdio = new StdioClientTransport({
          command: npx,
          args: ["--no-install", "blender-mcp", "stdio", "--port", String(hubPort), "--log-level", "warn"],
          cwd: app,
          env: env as Record<string, string>,
          stderr: "inherit",
        });
        const body = await assertSceneCall(stdio);
        assert.equal((body.result as { scene: string }).scene, "Scene");
      } finally {
        if (ui?.pid) process.kill(-ui.pid, "SIGKILL");
        if (ui && ui.exitCode === null) await new Promise((resolve) => ui!.once("exit", resolve));
        if (hub?.pid && hub.exitCode === null) {
          const exited = new Promise((resolve) => hub!.once("exit", resolve));
          process.kill(-hub.pid, "SIGTERM");
          await exited;
        }
        await blender.remove();
      }
    });
  }
});

async function assertSceneCall(transport: Transport): Promise<{ status: string; result: unknown }> {
  const client = new Client({ name: "clean-machine", version: "1.0.0" });
  await client.connect(transport);
  try {
    const tools = await client.listTools();
    assert.ok(tools.tools.some((t) => t.name === "blender_get_scene_info"));
    const result = await client.callTool({ name: "blender_get_scene_info", arguments: {} });
    const body = result.structuredContent as { status: string; result: unknown };
    assert.equal(body.status, "completed", JSON.stringify(result));
    assert.ok(body.result !== null && typeof body.result === "object");
    return body;
  } finally {
    await client.close();
  }
}
