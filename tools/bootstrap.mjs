#!/usr/bin/env node
// `npm start` and `npm test` on a machine with only Node and npm: finds the
// pinned pnpm (on PATH, or installs it into .cache/pnpm with npm, no global
// install needed), installs the workspace, builds it, then runs the command
// after `--` with that pnpm on PATH (turbo and the scripts call it by name).
//
//   node tools/bootstrap.mjs -- node packages/server/dist/cli.js serve
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { delimiter, join } from "node:path";

const root = join(import.meta.dirname, "..");
const pinned = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.replace(/^pnpm@/, "");
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1" };

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, env, stdio: "inherit", ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function pnpmVersion() {
  const found = spawnSync("pnpm", ["--version"], { env, encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : null;
}

function ensurePnpm() {
  if (pnpmVersion() === pinned) return;
  const cache = join(root, ".cache", "pnpm");
  env.PATH = `${join(cache, "node_modules", ".bin")}${delimiter}${env.PATH}`;
  if (pnpmVersion() === pinned) return;
  process.stderr.write(`bootstrap: installing pnpm ${pinned} into .cache/pnpm\n`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  if (run(npm, ["install", "--prefix", cache, "--no-save", "--no-audit", "--no-fund", `pnpm@${pinned}`]) !== 0 || pnpmVersion() !== pinned) {
    process.stderr.write(`bootstrap: could not install pnpm ${pinned}; install it yourself (npm install -g pnpm@${pinned}) and run again\n`);
    process.exit(1);
  }
}

const dash = process.argv.indexOf("--");
const command = dash === -1 ? [] : process.argv.slice(dash + 1);
ensurePnpm();
for (const step of [["install", "--frozen-lockfile"], ["build"]]) {
  const status = run("pnpm", step, { shell: process.platform === "win32" });
  if (status !== 0) process.exit(status);
}
if (command.length > 0) process.exit(run(command[0], command.slice(1)));
