/**
 * A spread render across server processes: workers attached to another
 * serve process (both joined through a real redis-server with --redis) take
 * chunks; the scene comes from a Blender on that other process, and the
 * frames stream back into the requesting process's data folder.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { connectClient } from "../support/mcp-client.js";
import { startServer } from "../support/server-process.js";
import { redisSkipReason, startRedis } from "../scale-out/support.js";
import { FakeFarm } from "./fake-farm.js";

const skip = redisSkipReason() ?? false;

test("workers on another server process take chunks through Redis; the scene and frames cross processes", { skip }, async () => {
  const redis = await startRedis();
  const dataDir = await mkdtemp(join(tmpdir(), "spread-redis-"));
  // The first process writes the shared data folder's local token; the second reads it.
  const a = await startServer(["--redis", redis.url], { dataDir });
  const b = await startServer(["--redis", redis.url], { dataDir });
  const farm = new FakeFarm();
  const client = await connectClient(a, "http");
  try {
    await farm.worker(a, "on-a", "");
    await farm.worker(b, "on-b", "");
    const scene = Buffer.from("a scene from the Blender on process b");
    await farm.ui(b, "ui-on-b", scene);
    // Remote attaches arrive through Redis, announced as resource updates.
    await client.client.subscribeResource({ uri: "blender://clients" });
    for (;;) {
      client.updatedUris.length = 0;
      const { structured } = await client.call("blender_list_clients");
      if ((structured.clients as { uuid: string }[]).length === 3) break;
      await client.resourceUpdated("blender://clients");
    }
    const { structured } = await client.call("blender_render_animation", { frame_start: 1, frame_end: 12, target_uuid: "workers" });
    assert.equal(structured.status, "completed", structured.error);
    const chunks = structured.result.chunks as { attempts: { worker: string; status: string }[] }[];
    assert.deepEqual(new Set(chunks.map((c) => c.attempts[0]!.worker)), new Set(["on-a", "on-b"]), "both processes' workers rendered");
    for (const w of ["on-a", "on-b"]) {
      const shipped = [...farm.deleted.entries()].find(([k]) => k.startsWith(`${w}:`) && k.endsWith(".blend"));
      assert.ok(shipped?.[1].equals(scene), `${w} got the scene (deleted once the render ended)`);
    }
    const files = structured.result.files as string[];
    assert.equal(files.length, 12);
    assert.ok(files.every((f) => f.startsWith(join(dataDir, "renders"))));
    assert.deepEqual(files.map((f) => /^frame (\d+) by/.exec(readFileSync(f, "utf8"))?.[1]), files.map((_, i) => String(i + 1)));
  } finally {
    await farm.close();
    await client.close();
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
