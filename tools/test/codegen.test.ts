/**
 * Generated files are committed: regenerating must reproduce them byte for
 * byte, both on disk and in the last commit.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { renderAll } from "../codegen/render.js";
import { REPO_ROOT } from "../paths.js";

function git(...args: string[]) {
  return spawnSync("git", args, { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

describe("generated files", async () => {
  const first = await renderAll();
  const second = await renderAll();

  test("generation is deterministic", () => {
    assert.deepEqual([...second.entries()], [...first.entries()]);
  });

  test("files on disk match a fresh generation", () => {
    for (const [path, content] of first) {
      assert.equal(readFileSync(join(REPO_ROOT, path), "utf8"), content, `${path} drifted: run pnpm generate`);
    }
  });

  const inGit = git("rev-parse", "--verify", "HEAD").status === 0;
  test("committed files match a fresh generation", { skip: !inGit && "not a git checkout with commits" }, () => {
    for (const [path, content] of first) {
      const committed = git("show", `HEAD:${path}`);
      assert.equal(committed.status, 0, `${path} is not committed`);
      assert.equal(committed.stdout, content, `${path} differs from the last commit: commit the regenerated file`);
    }
  });
});
