/**
 * blender_render_animation with target_uuid "workers": the frames split into
 * chunks over the user's workers (fake addons here; real Blenders in
 * spread-render.blender.test.ts); the requesting Blender's scene shipped to
 * them; the frames left in a shared folder or streamed into the server's; a
 * dead worker's unfinished frames re-queued; a cancel stopping every chunk.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { FakeAddon, decodePng } from "@blender-mcp/fake-addon";
import { MAX_SHIPPED_SCENE_BYTES, TRANSFER_CHUNK_BYTES } from "@blender-mcp/protocol";
import type { TestClient } from "../support/mcp-client.js";
import type { ServerProcess } from "../support/server-process.js";
import { farmPerTest, type FakeFarm } from "./fake-farm.js";
import { logged } from "./support.js";

let server: ServerProcess;
let client: TestClient;
let farm: FakeFarm;

farmPerTest((fresh) => ({ server, client, farm } = fresh));

const worker = (uuid: string, blendFile?: string) => farm.worker(server, uuid, blendFile);

const frameNames = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `/shared/anim/frame_${String(from + i).padStart(4, "0")}.png`);
type Attempt = { worker: string; job_id: string; status: string };
type ChunkReport = { frames: [number, number]; attempts: Attempt[] };

test("24 frames over two workers into a shared folder: every frame once, in order, both workers used, one sheet, progress to 24", async () => {
  await worker("w1");
  await worker("w2");
  const progress: { progress: number; total?: number }[] = [];
  const { structured, result } = await client.call(
    "blender_render_animation",
    { frame_start: 1, frame_end: 24, output_folder: "/shared/anim", target_uuid: "workers" },
    { onprogress: (p) => progress.push(p) },
  );
  assert.equal(structured.status, "completed", structured.error);
  assert.deepEqual(structured.result.files, frameNames(1, 24));
  const chunks = structured.result.chunks as ChunkReport[];
  assert.equal(chunks.length, 6, "three chunks per worker");
  assert.deepEqual(new Set(chunks.map((c) => c.attempts[0]!.worker)), new Set(["w1", "w2"]));
  assert.ok(chunks.every((c) => c.attempts.length === 1 && c.attempts[0]!.status === "completed"));
  const image = result.content.find((c) => c.type === "image") as { data: string };
  const sheet = decodePng(Buffer.from(image.data, "base64"));
  assert.deepEqual([sheet.width, sheet.height], [16, 18], "six chunk sheets of 4 frames stacked");
  assert.ok(progress.every((p, i) => i === 0 || p.progress > progress[i - 1]!.progress), "progress only grows");
  assert.equal(progress.at(-1)?.progress, 24);
  assert.equal(progress.at(-1)?.total, 24);
});

test("the render is one parent job: blender_get_job tells the whole story, its chunks name it, progress only grows, one end", async () => {
  await worker("w1");
  await worker("w2");
  const { structured } = await client.call("blender_render_animation", { frame_start: 1, frame_end: 12, output_folder: "/shared/anim", target_uuid: "workers" });
  assert.equal(structured.status, "completed", structured.error);
  const parentId = structured.job_id as string;
  assert.match(parentId, /^j-/);
  const { structured: parent } = await client.call("blender_get_job", { job_id: parentId });
  assert.equal(parent.status, "completed");
  assert.equal(parent.target_uuid, "workers");
  assert.deepEqual([parent.progress.progress, parent.progress.total], [12, 12]);
  assert.deepEqual(parent.result.files, frameNames(1, 12));
  for (const chunk of structured.result.chunks as ChunkReport[]) {
    const { structured: job } = await client.call("blender_get_job", { job_id: chunk.attempts[0]!.job_id });
    assert.equal(job.parent_job_id, parentId);
  }
  const mine = client.events.filter((e) => e.job_id === parentId);
  const progress = mine.filter((e) => e.progress).map((e) => e.progress!.progress);
  assert.ok(progress.length > 0 && progress.every((p, i) => i === 0 || p > progress[i - 1]!), `progress only grows: ${progress}`);
  assert.deepEqual(mine.filter((e) => e.status !== "running").map((e) => e.status), ["completed"], "one terminal status");
});

test("a worker that dies mid-render: only its unfinished frames are rendered again, every frame written once", async () => {
  await worker("w1");
  const dying = await worker("w2");
  // Two of its four frames written (and a half) when it goes.
  dying.behaveOnce("render_animation", { kind: "drop", progress: { progress: 2.5, total: 4, message: "frame 3, 2/4 frames done" } });
  const written = new Map<number, number>();
  for (const a of farm.addons) {
    a.behave("render_animation", {
      kind: "answer",
      result: (params) => {
        for (let f = params.frame_start as number; f <= (params.frame_end as number); f++) written.set(f, (written.get(f) ?? 0) + 1);
        return farm.renderChunk(a.uuid, params);
      },
    });
  }
  const { structured } = await client.call("blender_render_animation", { frame_start: 1, frame_end: 24, output_folder: "/shared/anim", target_uuid: "workers" });
  assert.equal(structured.status, "completed", structured.error);
  assert.deepEqual(structured.result.files, frameNames(1, 24));
  const chunks = structured.result.chunks as (ChunkReport & { attempts: (Attempt & { frames: number[] })[] })[];
  const requeued = chunks.filter((c) => c.attempts.length === 2);
  assert.equal(requeued.length, 1, JSON.stringify(chunks));
  const [died, redone] = requeued[0]!.attempts;
  assert.deepEqual([died!.worker, died!.status, redone!.worker, redone!.status], ["w2", "failed", "w1", "completed"]);
  const [first, last] = requeued[0]!.frames;
  assert.deepEqual(died!.frames, [first, first + 1], "the frames the dead worker finished");
  assert.deepEqual(redone!.frames, [first + 2, last], "only the rest rendered again");
  for (const f of died!.frames) written.set(f, (written.get(f) ?? 0) + 1);
  assert.deepEqual([...written.keys()].sort((a, b) => a - b), Array.from({ length: 24 }, (_, i) => i + 1));
  assert.ok([...written.values()].every((n) => n === 1), `each frame written once: ${JSON.stringify([...written])}`);
});

test("the requesting Blender's scene is shipped to the workers, which open it; the frames come back into the server's folder", async () => {
  const scene = Buffer.alloc(TRANSFER_CHUNK_BYTES * 2 + 5, 7);
  await farm.ui(server, "ui", scene);
  await worker("w1", "");
  await worker("w2", "");
  const { structured } = await client.call("blender_render_animation", { frame_start: 1, frame_end: 12, target_uuid: "workers" });
  assert.equal(structured.status, "completed", structured.error);
  for (const w of ["w1", "w2"]) {
    const log = farm.ran.get(w)!;
    const shipped = [...farm.deleted.entries()].find(([k]) => k.startsWith(`${w}:`) && k.endsWith(".blend"))!;
    assert.ok(shipped[1].equals(scene), `${w} has the scene, byte for byte`);
    assert.deepEqual(log.filter((l) => l.startsWith("write")).map((l) => l.split("@")[1]), ["0", String(TRANSFER_CHUNK_BYTES), String(2 * TRANSFER_CHUNK_BYTES)], "in chunks of TRANSFER_CHUNK_BYTES, in order");
    const opened = log.findIndex((l) => l.startsWith("open "));
    assert.equal(log[opened], `open ${shipped[0].slice(w.length + 1)}`);
    assert.ok(log.slice(0, opened).every((l) => l.startsWith("write")), "opened once it had all of it, before any render");
  }
  const folder = structured.result.folder as string;
  assert.ok(folder.startsWith(join(server.dataDir, "renders")), folder);
  assert.deepEqual(structured.result.files, Array.from({ length: 12 }, (_, i) => join(folder, `frame_${String(i + 1).padStart(4, "0")}.png`)), "each path once, in order");
  for (const [i, file] of (structured.result.files as string[]).entries()) assert.match(readFileSync(file, "utf8"), new RegExp(`^frame ${i + 1} by w[12]$`));
});

test("streamed frames: a dead worker's chunk is rendered again, and every frame lands in the server's folder once", async () => {
  await worker("w1");
  const dying = await worker("w2");
  dying.behaveOnce("render_animation", { kind: "drop", progress: { progress: 2, total: 4 } });
  const { structured } = await client.call("blender_render_animation", { frame_start: 1, frame_end: 24, target_uuid: "workers" });
  assert.equal(structured.status, "completed", structured.error);
  const files = structured.result.files as string[];
  assert.equal(new Set(files).size, 24);
  assert.deepEqual(readdirSync(structured.result.folder).sort(), files.map((f) => basename(f)));
  const redone = (structured.result.chunks as (ChunkReport & { attempts: (Attempt & { frames: number[] })[] })[]).find((c) => c.attempts.length === 2)!;
  assert.deepEqual(redone.attempts[0]!.frames, [], "its frames never reached the server");
  assert.equal(redone.attempts[1]!.frames.length, 4);
  for (const f of files) assert.match(readFileSync(f, "utf8"), /^frame \d+ by w1$|^frame \d+ by w2$/);
});

test("bad input ends failed saying how to fix it: a worker without the scene, several UIs, a scene too big", async () => {
  await worker("w1", "");
  const bare = await client.call("blender_render_animation", { frame_start: 1, frame_end: 2, target_uuid: "workers" });
  assert.equal(bare.structured.status, "failed");
  assert.match(bare.structured.error, /worker w1 has no \.blend open .* --blend FILE/);
  const uis = [new FakeAddon({ url: server.addonUrl, token: server.token, uuid: "ui1" }), new FakeAddon({ url: server.addonUrl, token: server.token, uuid: "ui2" })];
  for (const ui of uis) {
    ui.behave("save_scene_copy", { kind: "answer", result: () => ({ filepath: "/tmp/huge.blend", size: MAX_SHIPPED_SCENE_BYTES + 1 }) });
    await ui.start();
    farm.addons.push(ui);
  }
  const two = await client.call("blender_render_animation", { frame_start: 1, frame_end: 2, target_uuid: "workers" });
  assert.equal(two.structured.status, "failed");
  assert.match(two.structured.error, /2 Blenders with a UI are connected/);
  await farm.addons.pop()!.close();
  await logged(server, (l) => l.event === "client.detached" && l.target_uuid === "ui2");
  const huge = await client.call("blender_render_animation", { frame_start: 1, frame_end: 2, target_uuid: "workers" });
  assert.equal(huge.structured.status, "failed");
  assert.match(huge.structured.error, /more than the 512 MB .* --blend FILE/);
  assert.equal(farm.ran.get("w1"), undefined, "nothing was sent to the worker");
});

test("a cancel stops every chunk: each chunk job ends cancelled, once", async () => {
  for (const uuid of ["w1", "w2"]) (await worker(uuid)).behave("render_animation", { kind: "never" });
  const controller = new AbortController();
  const pending = client.call("blender_render_animation", { frame_start: 1, frame_end: 12, target_uuid: "workers" }, { signal: controller.signal });
  const running = new Set<string>();
  while (running.size < 2) {
    running.add((await client.event((e) => e.command === "render_animation" && e.parent_job_id !== undefined && e.status === "running" && !running.has(e.job_id!))).job_id!);
  }
  controller.abort();
  await assert.rejects(pending);
  for (const jobId of running) {
    const { structured: job } = await client.call("blender_get_job", { job_id: jobId });
    assert.equal(job.status, "cancelled", jobId);
  }
  const ended = (e: { status: string }) => e.status !== "running" && e.status !== "queued";
  const terminal = client.events.filter((e) => e.command === "render_animation" && e.parent_job_id !== undefined && ended(e));
  assert.equal(terminal.length, new Set(terminal.map((e) => e.job_id)).size, "no chunk job ended twice");
  assert.equal(terminal.length, 2, "only the two running chunks were dispatched");
  const parentId = client.events.find((e) => running.has(e.job_id!))!.parent_job_id!;
  const parentEnds = await client.event((e) => e.job_id === parentId && ended(e));
  assert.equal(parentEnds.status, "cancelled");
  assert.equal(client.events.filter((e) => e.job_id === parentId && ended(e)).length, 1, "the render ended once");
  assert.equal((await client.call("blender_get_job", { job_id: parentId })).structured.status, "cancelled");
});

test("without a frame range, or without workers, it says what to do", async () => {
  await worker("w1");
  const noRange = await client.call("blender_render_animation", { target_uuid: "workers" });
  assert.equal(noRange.structured.status, "failed");
  assert.match(noRange.structured.error, /pass frame_start and frame_end/);
  await farm.addons.pop()!.close();
  await logged(server, (l) => l.event === "client.detached" && l.target_uuid === "w1");
  const none = await client.call("blender_render_animation", { frame_start: 1, frame_end: 2, target_uuid: "workers:2" });
  assert.equal(none.structured.status, "no_client");
  assert.match(none.structured.error, /blender-mcp worker/);
});
