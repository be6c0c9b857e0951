/**
 * `pnpm bench [-- --only NAME[,NAME]] [--smoke]`: runs the benchmarks in
 * order and rewrites their sections of BENCHMARKS.md. --smoke runs tiny
 * counts and prints instead of writing.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { availableBlenders } from "../blender/launch.js";
import { REPO_ROOT } from "../paths.js";
import { BENCHMARKS } from "./index.js";
import { describeMachine, writeReport, type Section } from "./report.js";
import { FULL, SMOKE } from "./scale.js";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: { only: { type: "string", multiple: true }, smoke: { type: "boolean" } },
});
const names = BENCHMARKS.map((b) => b.id);
const only = (values.only ?? []).flatMap((o) => o.split(","));
const unknown = only.filter((o) => !names.includes(o));
if (unknown.length) {
  process.stderr.write(`unknown benchmark ${unknown.join(", ")}; known: ${names.join(", ")}\n`);
  process.exit(2);
}
const scale = values.smoke ? SMOKE : FULL;
const chosen = BENCHMARKS.filter((b) => only.length === 0 || only.includes(b.id));

const machine = describeMachine(await availableBlenders());
const sections: Section[] = [];
const t0 = Date.now();
for (const bench of chosen) {
  const started = Date.now();
  process.stdout.write(`bench ${bench.id}: running\n`);
  const section = await bench.run(scale);
  sections.push(section);
  process.stdout.write(`bench ${bench.id}: ${((Date.now() - started) / 1000).toFixed(0)} s ${JSON.stringify(section.values)}\n`);
  if (values.smoke) process.stdout.write(`\n## ${section.title}\n\n${section.body}\n`);
}
if (!values.smoke) {
  const path = join(REPO_ROOT, "BENCHMARKS.md");
  writeReport(path, sections, machine, names, "pnpm bench");
  process.stdout.write(`wrote ${path} in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}
// Keep-alive sockets and the like must not hold the harness open.
process.exit(0);
