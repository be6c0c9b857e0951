/**
 * The contact sheet of a spread render (fake workers) shows the frames a
 * dead worker finished too, above the sheet of the attempt that rendered the
 * rest of its chunk. Here in a shared folder: the fake runs one job at a time, so a
 * dying worker cannot have its frames streamed before it goes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodePng, rgbPng } from "@blender-mcp/fake-addon";
import type { TestClient } from "../support/mcp-client.js";
import type { ServerProcess } from "../support/server-process.js";
import { farmPerTest, type FakeFarm } from "./fake-farm.js";

let server: ServerProcess;
let client: TestClient;
let farm: FakeFarm;

farmPerTest((fresh) => ({ server, client, farm } = fresh));

const GREEN: [number, number, number] = [10, 200, 10];

/** The sheet's size and how many of its pixels are the dead worker's green. */
function sheetOf(result: { content: { type: string }[] }) {
  const image = result.content.find((c) => c.type === "image") as unknown as { data: string };
  const sheet = decodePng(Buffer.from(image.data, "base64"));
  const px = sheet.pixels;
  let green = 0;
  for (let i = 0; i < px.length; i += sheet.channels) if (px[i] === GREEN[0] && px[i + 1] === GREEN[1] && px[i + 2] === GREEN[2]) green++;
  return { width: sheet.width, height: sheet.height, green };
}

test("shared folder: the dead worker's finished frames are read through a live worker for the sheet", async () => {
  const live = await farm.worker(server, "w1");
  const dying = await farm.worker(server, "w2");
  dying.behaveOnce("render_animation", { kind: "drop", progress: { progress: 2, total: 4 } });
  // The shared folder as w1 sees it: what w2 wrote there before it died.
  for (let f = 1; f <= 24; f++) farm.disk.set(`${live.uuid}:/shared/anim/frame_${String(f).padStart(4, "0")}.png`, rgbPng(8, 6, () => GREEN));
  const { structured, result } = await client.call("blender_render_animation", { frame_start: 1, frame_end: 24, output_folder: "/shared/anim", target_uuid: "workers" });
  assert.equal(structured.status, "completed", structured.error);
  assert.deepEqual(sheetOf(result), { width: 16, height: 6 * 3 + 6, green: 2 * 8 * 6 });
});
