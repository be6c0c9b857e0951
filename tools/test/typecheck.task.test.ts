/** tsx runs tests, tools and benchmarks without checking types: tsc does it here. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../paths.js";

test("every TypeScript file type-checks (tsconfig.check.json)", () => {
  const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
  const run = spawnSync(process.execPath, [tsc, "-p", join(REPO_ROOT, "tsconfig.check.json")], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stdout + run.stderr);
});
