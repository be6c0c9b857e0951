/**
 * The live page shows a render spread over workers as one row, its parent
 * job; the chunk jobs are not rows of their own; its cancel stops every chunk.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { connectClient } from "../support/mcp-client.js";
import { startServer, type ServerProcess } from "../support/server-process.js";
import { FakeFarm } from "./fake-farm.js";

/** A page session as `blender-mcp open` makes one: a one-time link for the bearer token, spent for the cookie. */
async function pageCookie(server: ServerProcess): Promise<string> {
  const link = await fetch(`${server.baseUrl}/page/link`, { method: "POST", headers: { authorization: `Bearer ${server.token}` } });
  assert.equal(link.status, 200, await link.clone().text());
  const { url } = (await link.json()) as { url: string };
  const login = await fetch(url, { redirect: "manual" });
  return login.headers.get("set-cookie")!.split(";")[0]!;
}

type PageJob = { job_id: string; status: string; target_uuid: string };

test("one row for the render, none for its chunks", async () => {
  const server = await startServer();
  const client = await connectClient(server, "http");
  const farm = new FakeFarm();
  try {
    await farm.worker(server, "w1");
    await farm.worker(server, "w2");
    const cookie = await pageCookie(server);
    const state = async () => ((await (await fetch(`${server.baseUrl}/page/api/state`, { headers: { cookie } })).json()) as { jobs: PageJob[] }).jobs;
    const { structured } = await client.call("blender_render_animation", { frame_start: 1, frame_end: 12, output_folder: "/shared/anim", target_uuid: "workers" });
    assert.equal(structured.status, "completed", structured.error);
    const chunkIds = (structured.result.chunks as { attempts: { job_id: string }[] }[]).map((c) => c.attempts[0]!.job_id);
    const rows = await state();
    assert.deepEqual(rows.map((j) => [j.job_id, j.status, j.target_uuid]), [[structured.job_id, "completed", "workers"]]);
    assert.ok(chunkIds.length === 6 && chunkIds.every((id) => !rows.some((j) => j.job_id === id)));
  } finally {
    await farm.close();
    await client.close();
    await server.stop();
  }
});

test("the page's cancel on the render's row stops every chunk on every worker, each ending once", async () => {
  const server = await startServer();
  const client = await connectClient(server, "http");
  const farm = new FakeFarm();
  try {
    for (const uuid of ["w1", "w2"]) (await farm.worker(server, uuid)).behave("render_animation", { kind: "never" });
    const cookie = await pageCookie(server);
    const pending = client.call("blender_render_animation", { frame_start: 1, frame_end: 12, output_folder: "/shared/anim", target_uuid: "workers" });
    const chunks = new Set<string>();
    while (chunks.size < 2) chunks.add((await client.event((e) => e.parent_job_id !== undefined && e.status === "running" && !chunks.has(e.job_id!))).job_id!);
    const parentId = client.events.find((e) => chunks.has(e.job_id!))!.parent_job_id!;
    const cancel = await fetch(`${server.baseUrl}/page/api/jobs/${parentId}/cancel`, { method: "POST", headers: { cookie, origin: server.baseUrl } });
    assert.equal(cancel.status, 200, await cancel.text());
    const { structured } = await pending;
    assert.equal(structured.status, "failed");
    assert.match(structured.error, /^cancelled: /);
    for (const id of chunks) assert.equal((await client.call("blender_get_job", { job_id: id })).structured.status, "cancelled", id);
    const over = (e: { status: string }) => e.status !== "running" && e.status !== "queued";
    // Every end has been heard before counting them.
    for (const id of [...chunks, parentId]) await client.event((e) => e.job_id === id && over(e));
    const ended = client.events.filter((e) => (chunks.has(e.job_id!) || e.job_id === parentId) && over(e));
    assert.equal(ended.length, 3, "each chunk and the render ended once");
  } finally {
    await farm.close();
    await client.close();
    await server.stop();
  }
});
