#!/usr/bin/env node
// Runs every test file in the workspace with node's test runner, and ends
// with one "N passed, N failed, N skipped" line that CI reads.
// Usage: node tools/test.mjs [--fast] [path-substring ...]
// --fast: the fast tier, files that need no real Blender, Redis, browser,
// npm install or conformance run, several at a time (they mostly wait on
// sockets and timers). Everything else is the slow tier; no flag runs both.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dirname, "..");

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(path));
    else if (/\.test\.ts$/.test(entry.name) && path.includes(`${"/"}test${"/"}`)) found.push(path);
  }
  return found;
}

/** The fast tier, by path prefix. */
const FAST = [
  "packages/protocol/test/",
  "packages/fake-addon/test/",
  "packages/addon-py/test/python-unit.test.ts",
  "packages/server/test/addon-decode.test.ts",
  "packages/server/test/auth/",
  "packages/server/test/bus/",
  "packages/server/test/commands/config.test.ts",
  "packages/server/test/contract/fake",
  "packages/server/test/fuzz/",
  "packages/server/test/http/origin.test.ts",
  "packages/server/test/http/same-origin.test.ts",
  "packages/server/test/job-store-files.test.ts",
  "packages/server/test/mcp-eras/",
  "packages/server/test/page/sessions.test.ts",
  "packages/server/test/security.test.ts",
  "packages/server/test/security/handshake.test.ts",
  "packages/server/test/server.test.ts",
  "packages/server/test/toolsets.test.ts",
  "packages/server/test/worker/png.test.ts",
  "packages/server/test/worker/pool.test.ts",
  "packages/server/test/worker/spread-render.test.ts",
  "tools/test/codegen.test.ts",
  "tools/test/roundtrip.test.ts",
  "tools/test/wire-facts.test.ts",
  "tools/package-server/test/server-json.test.ts",
];

const fast = process.argv.includes("--fast");
const filters = process.argv.slice(2).filter((a) => a !== "--fast");
const files = [...findTests(join(root, "packages")), ...findTests(join(root, "tools"))]
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .filter((f) => !fast || FAST.some((prefix) => f.startsWith(prefix)))
  .sort();

const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    ...(fast ? ["--test-concurrency=6"] : []),
    // A test that hangs fails after 20 minutes, naming itself, instead of holding CI until its own limit.
    "--test-timeout=1200000",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    `--test-reporter=${join(root, "tools/test-summary.mjs")}`,
    "--test-reporter-destination=stdout",
    ...files,
  ],
  { cwd: root, stdio: "inherit" },
);
process.exit(result.status ?? 1);
