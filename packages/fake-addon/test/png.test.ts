import assert from "node:assert/strict";
import { test } from "node:test";
import { decodePng, distinctColours, gradientPng, pngSize, rgbPng } from "../src/png.js";

test("png: size from IHDR, and distinct colours tell a picture from a blank", () => {
  const gradient = gradientPng(64, 36);
  assert.deepEqual(pngSize(gradient), { width: 64, height: 36 });
  assert.ok(distinctColours(gradient) > 8);
  assert.equal(distinctColours(rgbPng(32, 32, () => [0, 0, 0])), 1);
  assert.equal(distinctColours(rgbPng(32, 32, (x) => (x < 16 ? [255, 0, 0] : [0, 0, 255]))), 2);
  assert.equal(pngSize(Buffer.from("not a png")), null);
});

test("png: decodePng gives the pixels top row first", () => {
  const { width, height, channels, pixels } = decodePng(rgbPng(3, 2, (x, y) => [x * 100, y * 200, 7]));
  assert.deepEqual([width, height, channels], [3, 2, 3]);
  assert.deepEqual([...pixels], [0, 0, 7, 100, 0, 7, 200, 0, 7, 0, 200, 7, 100, 200, 7, 200, 200, 7]);
});
