/**
 * blender_render_animation with target_uuid "workers": the frames split into
 * chunks over the user's workers (fake addons here; real Blenders in
 * spread-render.blender.test.ts), a dead worker's chunk re-queued, a cancel
 * stopping every chunk, the files gathered in frame order with one contact sheet.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { FakeAddon, decodePng, rgbPng } from "@blender-mcp/fake-addon";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { startServer, type ServerProcess } from "../support/server-process.js";
import { logged } from "./support.js";

let server: ServerProcess;
let client: TestClient;
let addons: FakeAddon[] = [];

beforeEach(async () => {
  server = await startServer();
  client = await connectClient(server, "http");
});
afterEach(async () => {
  await Promise.all(addons.map((a) => a.close()));
  addons = [];
  await client.close();
  await server.stop();
});

/** A worker that renders the frames it is asked for into files named by frame, with a one-row sheet per chunk. */
async function worker(uuid: string): Promise<FakeAddon> {
  const a = new FakeAddon({ url: server.addonUrl, token: server.token, uuid, clientType: "worker" });
  a.behave("render_animation", { kind: "answer", result: renderChunk });
  await a.start();
  addons.push(a);
  return a;
}

function renderChunk(params: Record<string, unknown>) {
  const files: string[] = [];
  for (let f = params.frame_start as number; f <= (params.frame_end as number); f += (params.frame_step as number) ?? 1) files.push(`/shared/anim/frame_${String(f).padStart(4, "0")}.png`);
  return {
    folder: "/shared/anim", files, width: 8, height: 6, engine: "CYCLES", render_seconds: 0.5,
    png_base64: rgbPng(4 * files.length, 3, () => [200, 10, 10]).toString("base64"),
  };
}

const frameNames = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `/shared/anim/frame_${String(from + i).padStart(4, "0")}.png`);
type Attempt = { worker: string; job_id: string; status: string };
type ChunkReport = { frames: [number, number]; attempts: Attempt[] };

test("24 frames over two workers: every frame once, in order, both workers used, one sheet, progress to 24", async () => {
  await worker("w1");
  await worker("w2");
  const progress: { progress: number; total?: number }[] = [];
  const { structured, result } = await client.call(
    "blender_render_animation",
    { frame_start: 1, frame_end: 24, target_uuid: "workers" },
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

test("a worker that dies mid-render: its chunk is rendered by the other, every frame still once", async () => {
  await worker("w1");
  const dying = await worker("w2");
  dying.behaveOnce("render_animation", { kind: "drop" });
  const { structured } = await client.call("blender_render_animation", { frame_start: 1, frame_end: 24, target_uuid: "workers" });
  assert.equal(structured.status, "completed", structured.error);
  assert.deepEqual(structured.result.files, frameNames(1, 24));
  const chunks = structured.result.chunks as ChunkReport[];
  const requeued = chunks.filter((c) => c.attempts.length === 2);
  assert.equal(requeued.length, 1, JSON.stringify(chunks));
  assert.deepEqual(requeued[0]!.attempts.map((a) => [a.worker, a.status]), [["w2", "failed"], ["w1", "completed"]]);
  assert.ok(chunks.every((c) => c.attempts.at(-1)!.status === "completed" && c.attempts.at(-1)!.worker === "w1" || c.attempts.length === 1));
});

test("a cancel stops every chunk: each chunk job ends cancelled, once", async () => {
  for (const uuid of ["w1", "w2"]) (await worker(uuid)).behave("render_animation", { kind: "never" });
  const controller = new AbortController();
  const pending = client.call("blender_render_animation", { frame_start: 1, frame_end: 12, target_uuid: "workers" }, { signal: controller.signal });
  const running = new Set<string>();
  while (running.size < 2) {
    running.add((await client.event((e) => e.command === "render_animation" && e.status === "running" && !running.has(e.job_id!))).job_id!);
  }
  controller.abort();
  await assert.rejects(pending);
  for (const jobId of running) {
    const { structured: job } = await client.call("blender_get_job", { job_id: jobId });
    assert.equal(job.status, "cancelled", jobId);
  }
  const terminal = client.events.filter((e) => e.command === "render_animation" && e.status !== "running" && e.status !== "queued");
  assert.equal(terminal.length, new Set(terminal.map((e) => e.job_id)).size, "no chunk job ended twice");
  assert.equal(terminal.length, 2, "only the two running chunks were dispatched");
});

test("without a frame range, or without workers, it says what to do", async () => {
  await worker("w1");
  const noRange = await client.call("blender_render_animation", { target_uuid: "workers" });
  assert.equal(noRange.structured.status, "failed");
  assert.match(noRange.structured.error, /pass frame_start and frame_end/);
  await addons.pop()!.close();
  await logged(server, (l) => l.event === "client.detached" && l.target_uuid === "w1");
  const none = await client.call("blender_render_animation", { frame_start: 1, frame_end: 2, target_uuid: "workers:2" });
  assert.equal(none.structured.status, "no_client");
  assert.match(none.structured.error, /blender-mcp worker/);
});
