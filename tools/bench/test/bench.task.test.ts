/**
 * Smoke test: every benchmark once, with token counts, so the harness cannot
 * rot. It checks that each produced well-formed numbers; it never asserts a
 * time (that is BENCHMARKS.md's job, on a quiet machine).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BENCHMARKS } from "../index.js";
import { SMOKE } from "../scale.js";

describe("benchmarks (smoke, tiny counts)", () => {
  for (const bench of BENCHMARKS) {
    it(bench.id, async (t) => {
      // A missing program (redis-server) skips its benchmark, unless the environment requires it (REQUIRE_REDIS=1: then this throws).
      const skip = bench.skipReason?.();
      if (skip) return t.skip(skip);
      const section = await bench.run(SMOKE);
      assert.equal(section.id, bench.id);
      assert.ok(section.body.trim().length > 0, "the section has a body");
      for (const [name, value] of Object.entries(section.values)) {
        assert.ok(Number.isFinite(value), `${name} is a finite number, got ${value}`);
      }
      // A missing Blender is the one benchmark allowed to report nothing.
      if (bench.id !== "blender") assert.ok(Object.keys(section.values).length > 0, "the section reports numbers");
    });
  }
});
