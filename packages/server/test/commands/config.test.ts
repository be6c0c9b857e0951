/** `blender-mcp config`: every client's form, merges that keep other entries, and broken files left alone. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { CLIENT_SHAPES, CLIENTS } from "../../src/commands/client-config.js";
import { CLI } from "../support/server-process.js";

const home = mkdtempSync(join(tmpdir(), "blender-mcp-config-"));
after(() => rmSync(home, { recursive: true, force: true }));

function config(...args: string[]) {
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: "", BLENDER_MCP_HOME: join(home, "data") };
  delete (env as Record<string, string | undefined>).XDG_CONFIG_HOME;
  const result = spawnSync(process.execPath, [CLI, "config", ...args], { env, encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("config prints", () => {
  for (const client of CLIENTS) {
    test(`${client}: the entry under the client's own key`, () => {
      const { code, stdout } = config(client);
      assert.equal(code, 0);
      const printed = JSON.parse(stdout) as Record<string, Record<string, Record<string, unknown>>>;
      const entry = printed[CLIENT_SHAPES[client].key]!.blender!;
      if (client === "http") {
        assert.equal(entry.url, "http://127.0.0.1:9860/mcp");
        const token = readFileSync(join(home, "data", "local-token"), "utf8").trim();
        assert.deepEqual(entry.headers, { Authorization: `Bearer ${token}` });
      } else {
        assert.equal(entry.command, process.execPath);
        assert.deepEqual(entry.args, [CLI, "stdio"]);
      }
    });
  }

  test("VS Code's form is servers with a type; the port and toolsets reach the args", () => {
    const { stdout } = config("vscode", "--port", "9999", "--toolsets", "core,api", "--name", "b2");
    const printed = JSON.parse(stdout) as { servers: Record<string, { type: string; args: string[] }> };
    assert.equal(printed.servers.b2!.type, "stdio");
    assert.deepEqual(printed.servers.b2!.args.slice(1), ["stdio", "--port", "9999", "--toolsets", "core,api"]);
  });

  test("an unknown client or a bad port is refused with the list", () => {
    const unknown = config("emacs");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /claude-desktop, claude-code, cursor, vscode, windsurf, http/);
    assert.equal(config("cursor", "--port", "http").code, 2);
  });
});

describe("config --write", () => {
  test("creates the client's file where it looks for it", () => {
    const { code, stderr } = config("claude-desktop", "--write");
    assert.equal(code, 0, stderr);
    const file = join(home, ".config", "Claude", "claude_desktop_config.json");
    const written = JSON.parse(readFileSync(file, "utf8")) as { mcpServers: Record<string, unknown> };
    assert.deepEqual(Object.keys(written.mcpServers), ["blender"]);
  });

  test("keeps every other entry and key, and backs up the file first", () => {
    const file = join(home, ".cursor", "mcp.json");
    mkdirSync(dirname(file), { recursive: true });
    const before = { theme: "dark", mcpServers: { other: { command: "other-server", args: ["--x"] }, blender: { command: "old" } } };
    writeFileSync(file, JSON.stringify(before, null, 4));
    const { code, stderr } = config("cursor", "--write");
    assert.equal(code, 0, stderr);
    const after = JSON.parse(readFileSync(file, "utf8")) as typeof before & { mcpServers: { blender: { command: string } } };
    assert.equal(after.theme, "dark");
    assert.deepEqual(after.mcpServers.other, before.mcpServers.other);
    assert.equal(after.mcpServers.blender.command, process.execPath);
    const backups = readdirSync(dirname(file)).filter((f) => f.endsWith(".bak"));
    assert.equal(backups.length, 1);
    assert.deepEqual(JSON.parse(readFileSync(join(dirname(file), backups[0]!), "utf8")), before);
  });

  test("VS Code's user mcp.json gets a servers entry", () => {
    const { code } = config("vscode", "--write");
    assert.equal(code, 0);
    const written = JSON.parse(readFileSync(join(home, ".config", "Code", "User", "mcp.json"), "utf8")) as { servers: Record<string, { type: string }> };
    assert.equal(written.servers.blender!.type, "stdio");
  });

  test("a file that is not valid JSON is left as it was, and the error says where it breaks", () => {
    const file = join(home, ".codeium", "windsurf", "mcp_config.json");
    mkdirSync(dirname(file), { recursive: true });
    const broken = '{\n  "mcpServers": {\n    "other": { "command": "x" },\n  }\n}\n';
    writeFileSync(file, broken);
    const { code, stderr } = config("windsurf", "--write");
    assert.equal(code, 1);
    assert.match(stderr, /not valid JSON at line 4, column 3/);
    assert.match(stderr, /nothing was changed/);
    assert.equal(readFileSync(file, "utf8"), broken);
    assert.deepEqual(readdirSync(dirname(file)), ["mcp_config.json"]);
  });

  test("the http form has no file of its own unless given one", () => {
    assert.equal(config("http", "--write").code, 2);
    const file = join(home, "custom", "mcp.json");
    assert.equal(config("http", "--write", "--file", file).code, 0);
    assert.ok(existsSync(file));
  });
});

describe("config file places", () => {
  const place = (platform: NodeJS.Platform, env: NodeJS.ProcessEnv = {}) => ({ platform, home: "/h", env });
  test("Claude Desktop and VS Code follow each platform's settings folder", () => {
    assert.equal(CLIENT_SHAPES["claude-desktop"].file(place("darwin")), "/h/Library/Application Support/Claude/claude_desktop_config.json");
    assert.equal(CLIENT_SHAPES["claude-desktop"].file(place("win32", { APPDATA: "/appdata" })), join("/appdata", "Claude", "claude_desktop_config.json"));
    assert.equal(CLIENT_SHAPES.vscode.file(place("linux")), "/h/.config/Code/User/mcp.json");
    assert.equal(CLIENT_SHAPES["claude-code"].file(place("linux")), "/h/.claude.json");
  });
});
