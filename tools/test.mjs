#!/usr/bin/env node
// Runs the workspace's test files with node's test runner, and ends with one
// "N passed, N failed, N skipped" line that CI reads.
//
//   node tools/test.mjs [--fast | --slow | --tasks] [path-substring ...]
//
// A file's tier is in its name (tests live in test/ folders):
//   name.test.ts                 fast: needs nothing but Node and python3; runs several at a time
//   name.<need>[.<need>].test.ts slow: the words say what it needs (NEEDS below)
//   name.task.test.ts            a task with an npm script of its own (the typecheck, the benchmark smoke)
// No flag runs all three. A name with any other word fails the run, and a
// fast file that reaches for Blender, Redis or Chromium fails its test
// (tools/test-tier.ts).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { basename, join, relative } from "node:path";

const root = join(import.meta.dirname, "..");

/** What a slow test may need, by the word its file name carries. */
const NEEDS = {
  blender: "real Blender (tools/blender/provision.sh)",
  redis: "redis-server",
  browser: "Chromium",
  slow: "minutes of its own work: npm installs, the conformance CLI, server processes by the dozen",
};

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(path));
    else if (/\.test\.(ts|mts|js|mjs)$/.test(entry.name)) found.push(path);
  }
  return found;
}

/** "fast", "slow" or "task" by the file's name, or why it fits no rule. */
function tierOf(file) {
  if (!file.includes("/test/")) return { error: "test files live in a test/ folder" };
  if (!file.endsWith(".test.ts")) return { error: "test files are TypeScript, name.test.ts" };
  const words = basename(file, ".test.ts").split(".").slice(1);
  if (words.length === 0) return { tier: "fast" };
  if (words.length === 1 && words[0] === "task") return { tier: "task" };
  const unknown = words.filter((w) => !(w in NEEDS));
  if (unknown.length > 0) return { error: `"${unknown.join(".")}" names no tier: use ${Object.keys(NEEDS).map((n) => `.${n}`).join(", ")} or .task before .test.ts` };
  return { tier: "slow" };
}

const TIER_FLAGS = { "--fast": "fast", "--slow": "slow", "--tasks": "task" };
const args = process.argv.slice(2);
const tiers = args.filter((a) => a in TIER_FLAGS).map((a) => TIER_FLAGS[a]);
const filters = args.filter((a) => !(a in TIER_FLAGS));
const all = [...findTests(join(root, "packages")), ...findTests(join(root, "tools"))].map((f) => relative(root, f)).sort();

const misnamed = all.map((f) => ({ f, ...tierOf(f) })).filter((t) => t.error);
if (misnamed.length > 0) {
  for (const { f, error } of misnamed) process.stderr.write(`${f}: ${error}\n`);
  process.stdout.write(`\n0 passed, ${misnamed.length} failed, 0 skipped\n`);
  process.exit(1);
}

const files = all
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .filter((f) => tiers.length === 0 || tiers.includes(tierOf(f).tier));
const fastOnly = tiers.length === 1 && tiers[0] === "fast";

const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    // Fast files mostly wait on sockets and timers: several at a time.
    ...(fastOnly ? ["--test-concurrency=6"] : []),
    // A test that hangs fails after 20 minutes, naming itself, instead of holding CI until its own limit.
    "--test-timeout=1200000",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    `--test-reporter=${join(root, "tools/test-summary.mjs")}`,
    "--test-reporter-destination=stdout",
    ...files,
  ],
  // The helpers that start Blender, Redis or Chromium refuse in the fast tier (tools/test-tier.ts).
  { cwd: root, stdio: "inherit", env: { ...process.env, ...(fastOnly ? { BLENDER_MCP_TEST_TIER: "fast" } : {}) } },
);
process.exit(result.status ?? 1);
