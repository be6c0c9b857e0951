#!/usr/bin/env node
// Runs every test file in the workspace with node's test runner, and ends
// with one "N passed, N failed, N skipped" line that CI reads.
// Usage: node tools/test.mjs [path-substring ...]
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

const filters = process.argv.slice(2);
const files = [...findTests(join(root, "packages")), ...findTests(join(root, "tools"))]
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
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
