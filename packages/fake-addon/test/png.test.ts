import assert from "node:assert/strict";
import { test } from "node:test";
import { distinctColours, gradientPng, pngSize, rgbPng } from "../src/png.js";

test("png: size from IHDR, and distinct colours tell a picture from a blank", () => {
  const gradient = gradientPng(64, 36);
  assert.deepEqual(pngSize(gradient), { width: 64, height: 36 });
  assert.ok(distinctColours(gradient) > 8);
  assert.equal(distinctColours(rgbPng(32, 32, () => [0, 0, 0])), 1);
  assert.equal(distinctColours(rgbPng(32, 32, (x) => (x < 16 ? [255, 0, 0] : [0, 0, 255]))), 2);
  assert.equal(pngSize(Buffer.from("not a png")), null);
});
