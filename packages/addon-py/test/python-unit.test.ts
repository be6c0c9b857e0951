/**
 * The addon's Python unit tests (stdlib unittest, system python3, no bpy),
 * one node subtest per Python test so they count in the workspace summary.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";

const ADDON = join(import.meta.dirname, "..");
const ROOT = join(ADDON, "..", "..");

interface PyResult {
  name: string;
  outcome: "ok" | "FAIL" | "ERROR" | "skipped" | "expected failure" | "unexpected success";
  detail: string;
}

const PY_UNIT = join(import.meta.dirname, "py_unit");
// The top level is this folder, so the tests import as py_unit.*; PYTHONPATH makes blender_mcp_bus importable.
const run = spawnSync("python3", ["-S", "-m", "unittest", "discover", "-s", PY_UNIT, "-t", import.meta.dirname, "-v"], {
  cwd: ROOT,
  encoding: "utf8",
  timeout: 300_000,
  env: { ...process.env, PYTHONPATH: ADDON },
});
const output = `${run.stderr ?? ""}`;

/**
 * unittest -v writes "test_x (py_unit.module.Class.test_x) ... ok" (3.11+; 3.10
 * omits the method in the parentheses). A docstring puts its first line, and
 * the test's own output may put text, between the name and the outcome.
 */
/** "module.Class.test_x" from a test name and its parenthesised owner, whichever Python wrote it. */
function qualified(test: string, owner: string): string {
  return (owner.endsWith(`.${test}`) ? owner : `${owner}.${test}`).replace(/^py_unit\./, "");
}

export function parseUnittest(text: string): PyResult[] {
  const results: PyResult[] = [];
  const start = /^(test\w*) \(([\w.]+)\)/;
  const outcome = / \.\.\. (ok|FAIL|ERROR|skipped(?: .*)?|expected failure|unexpected success)$/;
  let pending: string | null = null;
  for (const line of text.split("\n")) {
    const begun = start.exec(line);
    if (begun) pending = qualified(begun[1]!, begun[2]!);
    const ended = outcome.exec(line);
    if (ended && pending) {
      const detail = ended[1]!;
      const word = detail.startsWith("skipped") ? "skipped" : detail;
      results.push({ name: pending, outcome: word as PyResult["outcome"], detail });
      pending = null;
    }
  }
  // Tracebacks follow in blocks headed "FAIL: test_x (py_unit.module.Class.test_x)".
  const blocks = text.split(/^={70}$/m).slice(1);
  for (const block of blocks) {
    const head = /^(FAIL|ERROR): (test\w*) \(([\w.]+)\)/m.exec(block);
    if (!head) continue;
    const owner = qualified(head[2]!, head[3]!);
    const found = results.find((r) => r.name === owner);
    if (found) found.detail = block.split(/^-{70}$/m).slice(1).join("").trim().split(/\n-{70}\n|\nRan \d+ tests?/)[0] ?? "";
  }
  return results;
}

const results = parseUnittest(output);

describe("addon-py python unit tests", () => {
  for (const r of results) {
    if (r.outcome === "skipped") {
      test(r.name, { skip: r.detail }, () => {});
      continue;
    }
    test(r.name, () => {
      if (r.outcome === "FAIL" || r.outcome === "ERROR" || r.outcome === "unexpected success") {
        assert.fail(`${r.outcome}\n${r.detail}`);
      }
    });
  }

  test("python unittest ran tests and exited 0", () => {
    assert.ok(!run.error, `could not run python3: ${run.error?.message}`);
    assert.ok(results.length > 0, `no test results parsed from:\n${output.slice(-2000)}`);
    assert.equal(run.status, 0, `python3 -m unittest exited ${run.status}:\n${output.slice(-4000)}`);
  });
});
