/**
 * `blender-mcp worker` with the host's Blender (3.4): two workers join the
 * bus; one whose Blender is killed is started again and takes jobs; SIGTERM
 * stops both cleanly; each has its own log.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { blenderSkipReason } from "@blender-mcp/test-support/blender";
import { connectClient } from "../support/mcp-client.js";
import { CLI, startServer } from "../support/server-process.js";
import { attachOf, logged } from "./support.js";

const ENTRY = join(import.meta.dirname, "../../../addon-py/blender_mcp_bus/worker.py");

test("the supervisor restarts a killed worker, which takes jobs again, and stops all on SIGTERM", { skip: await blenderSkipReason("3.4") }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "supervisor-test-"));
  const server = await startServer();
  const profile = { HOME: join(dir, "home"), BLENDER_USER_CONFIG: join(dir, "config"), BLENDER_USER_SCRIPTS: join(dir, "scripts"), BLENDER_MCP_BUS_ALLOWED_FOLDERS: "/tmp" };
  const supervisor = spawn(
    process.execPath,
    [CLI, "worker", "--blender", "blender", "--count", "2", "--label", "pool", "--entry", ENTRY, "--port", String(server.port),
      "--data-dir", server.dataDir, "--log-dir", join(dir, "logs"), "--backoff", "0.2"],
    { env: { ...process.env, ...profile }, stdio: ["ignore", "ignore", "pipe"] },
  );
  const events: Record<string, unknown>[] = [];
  createInterface({ input: supervisor.stderr! }).on("line", (line) => events.push(JSON.parse(line) as Record<string, unknown>));
  const exited = once(supervisor, "exit");
  const client = await connectClient(server, "http");
  try {
    const workers = async () =>
      (await client.call("blender_list_clients")).structured.clients.filter((c: { client_type: string }) => c.client_type === "worker");
    // Both attached: the server logs each attach, which is all there is to wait on from outside.
    await logged(server, (l) => l.event === "client.attached", 0, 2);
    const before = await workers();
    assert.deepEqual(before.map((w: { label: string }) => w.label).sort(), ["pool-1", "pool-2"]);

    const victim = before.find((w: { label: string }) => w.label === "pool-1");
    const pid = Number((await client.call("blender_execute_code", { code: "import os\nprint(os.getpid())", target_uuid: victim.uuid })).structured.result.stdout);
    const attaches = server.logs.length;
    process.kill(pid, "SIGKILL");
    // A new process: a new uuid, with the same label.
    const reborn = { uuid: (await logged(server, (l) => l.event === "client.attached" && l.label === "pool-1", attaches)).target_uuid as string };
    assert.notEqual(reborn.uuid, victim.uuid);
    assert.ok(events.some((e) => e.event === "worker.restarting" && e.worker === "pool-1" && e.signal === "SIGKILL"), JSON.stringify(events));
    const { structured } = await client.call("blender_execute_code", { code: "print('again')", target_uuid: reborn.uuid });
    assert.equal(structured.status, "completed", structured.error);
    assert.equal(structured.result.stdout.trim(), "again");

    supervisor.kill("SIGTERM");
    const [code] = await exited;
    assert.equal(code, 0);
    assert.deepEqual(events.filter((e) => e.event === "worker.stopped").map((e) => e.worker).sort(), ["pool-1", "pool-2"]);
    const log1 = await readFile(join(dir, "logs", "worker-1.log"), "utf8");
    assert.equal(log1.match(/ start \d+: /g)?.length, 2, "worker 1 started twice");
    assert.match(log1, /exited: SIGKILL/);
    assert.match(log1, /worker: stopped/);
    assert.match(await readFile(join(dir, "logs", "worker-2.log"), "utf8"), /worker: stopped/);
  } finally {
    if (supervisor.exitCode === null) supervisor.kill("SIGKILL");
    await client.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
