/**
 * Which scene each chunk of a spread render is rendered in (fake workers):
 * two renders at once over the same workers each render their own shipped
 * scene, and after a render the workers are back on their own start file
 * and the transfer folders are empty again.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { TestClient } from "../support/mcp-client.js";
import type { ServerProcess } from "../support/server-process.js";
import { farmPerTest, type FakeFarm } from "./fake-farm.js";
import { logged } from "./support.js";

let server: ServerProcess;
let client: TestClient;
let farm: FakeFarm;

farmPerTest((fresh) => ({ server, client, farm } = fresh));

const OWN = "/shared/own.blend";

test("two spread renders at once over the same workers: every chunk is rendered in its own render's scene", async () => {
  // The first render's chunks wait until the second render has its scene copy, so the two overlap on the workers.
  let secondCopy!: () => void;
  const overlapping = new Promise<void>((resolve) => (secondCopy = resolve));
  await farm.ui(server, "ui", (n) => (n === 2 && secondCopy(), Buffer.from(`scene ${n}`)));
  for (const uuid of ["w1", "w2"]) {
    const w = await farm.worker(server, uuid, OWN);
    w.behave("render_animation", { kind: "answer", result: async (params) => (await overlapping, farm.renderChunk(uuid, params)) });
  }
  const [a, b] = await Promise.all(
    ["/shared/a", "/shared/b"].map((output_folder) => client.call("blender_render_animation", { frame_start: 1, frame_end: 12, output_folder, target_uuid: "workers" })),
  );
  assert.equal(a!.structured.status, "completed", a!.structured.error);
  assert.equal(b!.structured.status, "completed", b!.structured.error);
  const scenesOf = (folder: string) => new Set(farm.renders.filter((r) => r.folder === folder).map((r) => r.scene));
  const [sa, sb] = [scenesOf("/shared/a"), scenesOf("/shared/b")];
  assert.equal(sa.size, 1, `render a saw one scene: ${[...sa]}`);
  assert.equal(sb.size, 1, `render b saw one scene: ${[...sb]}`);
  assert.deepEqual(new Set([...sa, ...sb]), new Set(["scene 1", "scene 2"]), "each its own copy");
});

test("after a shipped render the workers are back on their own file: a later render without a UI renders that", async () => {
  const ui = await farm.ui(server, "ui", Buffer.from("ui scene"));
  await farm.worker(server, "w1", OWN);
  const bare = await farm.worker(server, "w2", "");
  const shipped = await client.call("blender_render_animation", { frame_start: 1, frame_end: 6, output_folder: "/shared/shipped", target_uuid: "workers" });
  assert.equal(shipped.structured.status, "completed", shipped.structured.error);
  assert.deepEqual(new Set(farm.renders.filter((r) => r.folder === "/shared/shipped").map((r) => r.scene)), new Set(["ui scene"]));
  assert.equal(farm.opened.get("w1"), OWN, "w1 reopened its --blend");
  assert.equal(farm.opened.get("w2"), "(new)", "w2, started without one, has a new file");

  for (const gone of [ui, bare]) {
    await gone.close();
    await logged(server, (l) => l.event === "client.detached" && l.target_uuid === gone.uuid);
  }
  const own = await client.call("blender_render_animation", { frame_start: 1, frame_end: 3, output_folder: "/shared/own", target_uuid: "workers" });
  assert.equal(own.structured.status, "completed", own.structured.error);
  assert.deepEqual(new Set(farm.renders.filter((r) => r.folder === "/shared/own").map((r) => `${r.worker} ${r.scene}`)), new Set([`w1 ${OWN}`]));
});

test("nothing is left in the transfer folders: the UI's copy once shipped, each worker's scene, frames and note at the end", async () => {
  await farm.ui(server, "ui", Buffer.from("ui scene"));
  const bare = await farm.worker(server, "w1", "");
  const shipped = await client.call("blender_render_animation", { frame_start: 1, frame_end: 6, target_uuid: "workers" });
  assert.equal(shipped.structured.status, "completed", shipped.structured.error);
  assert.deepEqual([...farm.disk.keys()].filter((k) => k.startsWith("ui:")), [], "the UI's copy is deleted");
  const ui = farm.ran.get("ui")!;
  assert.ok(ui.findIndex((l) => l.startsWith("delete ")) > ui.map((l) => l.startsWith("read ")).lastIndexOf(true), "after its last chunk was read");
  assert.deepEqual([...farm.disk.keys()].filter((k) => k.startsWith("w1:")), [], "the worker's scene and frames are deleted");
  const w1 = farm.ran.get("w1")!;
  assert.ok(w1.indexOf("open (new)") < w1.findIndex((l) => l.startsWith("delete ") && l.endsWith(".blend")), "its scene deleted once closed");
  for (const file of shipped.structured.result.files as string[]) assert.ok(existsSync(file), `the server keeps ${file}`);

  await farm.worker(server, "w2"); // with a --blend of its own: no scene shipped, the frames go through a note's folder
  for (const gone of [farm.addons.find((a) => a.uuid === "ui")!, bare]) {
    await gone.close();
    await logged(server, (l) => l.event === "client.detached" && l.target_uuid === gone.uuid);
  }
  const own = await client.call("blender_render_animation", { frame_start: 1, frame_end: 3, target_uuid: "workers" });
  assert.equal(own.structured.status, "completed", own.structured.error);
  assert.deepEqual([...farm.disk.keys()].filter((k) => k.startsWith("w2:")), [], "the note and the frames are deleted");
});

test("a failed render leaves none of its streamed frames in the server's folder", async () => {
  // Three chunks of two frames: the first arrives, the second fails.
  const w = await farm.worker(server, "w1");
  w.behave("render_animation", { kind: "fail", error: "out of memory" });
  w.behaveOnce("render_animation", { kind: "answer", result: (params) => farm.renderChunk("w1", params) });
  const failed = await client.call("blender_render_animation", { frame_start: 1, frame_end: 6, target_uuid: "workers" });
  assert.equal(failed.structured.status, "failed");
  assert.match(failed.structured.error, /frames 3-4 .*out of memory/);
  assert.ok(farm.ran.get("w1")!.some((l) => /^read .*frame_0002\.png@0$/.test(l)), "the first chunk's frames had arrived");
  assert.deepEqual(readdirSync(join(server.dataDir, "renders")).flatMap((u) => readdirSync(join(server.dataDir, "renders", u))), [], "no render folder left");
});

test("after a cancel the workers are left alone (still stopping their chunks); the next render opens the file it needs", async () => {
  const ui = await farm.ui(server, "ui", Buffer.from("ui scene"));
  const w = await farm.worker(server, "w1", OWN);
  w.behaveOnce("render_animation", { kind: "never" });
  const controller = new AbortController();
  const pending = client.call("blender_render_animation", { frame_start: 1, frame_end: 3, output_folder: "/shared/cancelled", target_uuid: "workers" }, { signal: controller.signal });
  const chunk = await client.event((e) => e.command === "render_animation" && e.parent_job_id !== undefined && e.status === "running");
  controller.abort();
  await assert.rejects(pending);
  await client.event((e) => e.job_id === chunk.parent_job_id && e.status === "cancelled");
  assert.ok(!farm.ran.get("w1")!.some((l) => l === `open ${OWN}` || l.startsWith("delete ")), `nothing sent after the cancel: ${farm.ran.get("w1")}`);

  await ui.close();
  await logged(server, (l) => l.event === "client.detached" && l.target_uuid === "ui");
  const own = await client.call("blender_render_animation", { frame_start: 1, frame_end: 3, output_folder: "/shared/own", target_uuid: "workers" });
  assert.equal(own.structured.status, "completed", own.structured.error);
  assert.deepEqual(new Set(farm.renders.filter((r) => r.folder === "/shared/own").map((r) => r.scene)), new Set([OWN]), "rendered in its own file again");
});
