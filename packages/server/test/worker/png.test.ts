import assert from "node:assert/strict";
import { test } from "node:test";
import { decodePng as referenceDecode, rgbPng } from "@blender-mcp/fake-addon";
import { decodePng, encodePng, stack } from "../../src/worker/png.js";

test("contact sheets: PNGs decode, stack left-aligned on black, and encode to what another decoder reads", () => {
  const red = decodePng(rgbPng(3, 2, () => [255, 0, 0]));
  const ramp = decodePng(rgbPng(5, 1, (x) => [x * 50, 100, 255 - x * 50]));
  assert.deepEqual([red.width, red.height, [...red.rgb.subarray(0, 3)]], [3, 2, [255, 0, 0]]);
  const sheet = stack([red, ramp]);
  const back = referenceDecode(encodePng(sheet));
  assert.deepEqual([back.width, back.height, back.channels], [5, 3, 3]);
  const px = (x: number, y: number) => [...back.pixels.subarray((y * 5 + x) * 3, (y * 5 + x) * 3 + 3)];
  assert.deepEqual(px(2, 1), [255, 0, 0]);
  assert.deepEqual(px(4, 0), [0, 0, 0], "narrower rows are padded with black");
  assert.deepEqual(px(4, 2), [200, 100, 55]);
  assert.throws(() => decodePng(Buffer.from("GIF89a")), /not a PNG/);
});
