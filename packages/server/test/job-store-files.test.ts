/** The data folder keeps a jobs-<port>.sqlite only while it holds jobs a restart could answer for. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { FakeAddon } from "@blender-mcp/fake-addon";
import { sweepStaleStores } from "../src/job-store-files.js";
import { connectClient } from "./support/mcp-client.js";
import { startServer } from "./support/server-process.js";
import { freePort } from "./support/free-port.js";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "blender-mcp-stores-"));
  dirs.push(dir);
  return dir;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("a serve on a fixed port", () => {
  test("that ran no job leaves no store file behind", async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const server = await startServer([], { dataDir, port });
    assert.ok(existsSync(join(dataDir, `jobs-${port}.sqlite`)), "the store exists while serving");
    // The listening line comes just before serve installs its SIGTERM handler; a request answered means it is there.
    assert.equal((await fetch(`${server.baseUrl}/health`)).status, 200);
    await server.stop();
    assert.deepEqual(readdirSync(dataDir).filter((f) => f.startsWith("jobs-")), []);
  });

  test("that ran a job keeps its store, so a restart still answers blender_get_job", async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const server = await startServer([], { dataDir, port });
    const addon = new FakeAddon({ url: server.addonUrl, token: server.token });
    await addon.start();
    const client = await connectClient(server, "http");
    const { structured } = await client.call("blender_get_scene_info");
    assert.equal(structured.status, "completed");
    await client.close();
    await addon.close();
    await server.stop();
    assert.deepEqual(readdirSync(dataDir).filter((f) => f.startsWith("jobs-")), [`jobs-${port}.sqlite`]);
  });
});

describe("sweeping other ports' stores", () => {
  const hourAgo = (Date.now() - 3_600_000) / 1000;
  test("removes closed stores older than the TTL, keeps open or crashed ones, fresh ones and its own", () => {
    const dir = tempDir();
    for (const name of ["jobs-1.sqlite", "jobs-2.sqlite", "jobs-2.sqlite-wal", "jobs-3.sqlite", "jobs-4.sqlite", "notes.sqlite"]) writeFileSync(join(dir, name), "");
    for (const name of ["jobs-1.sqlite", "jobs-2.sqlite", "jobs-4.sqlite", "notes.sqlite"]) utimesSync(join(dir, name), hourAgo, hourAgo);
    const removed = sweepStaleStores(dir, join(dir, "jobs-4.sqlite"), 60_000);
    assert.deepEqual(removed, ["jobs-1.sqlite"]);
    assert.deepEqual(readdirSync(dir).sort(), ["jobs-2.sqlite", "jobs-2.sqlite-wal", "jobs-3.sqlite", "jobs-4.sqlite", "notes.sqlite"]);
  });

  test("a serve sweeps at start", async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, "jobs-1.sqlite"), "");
    utimesSync(join(dataDir, "jobs-1.sqlite"), hourAgo, hourAgo);
    const server = await startServer(["--job-ttl", "60"], { dataDir });
    try {
      assert.equal(existsSync(join(dataDir, "jobs-1.sqlite")), false);
    } finally {
      await server.stop();
    }
  });
});
