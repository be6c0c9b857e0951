/**
 * BENCHMARKS.md: a header naming the machine and the date, then one section
 * per benchmark between markers, so `--only X` rewrites X and keeps the rest.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";

export interface Section {
  id: string;
  title: string;
  /** Markdown under the title. */
  body: string;
  /** Every number the section reports, flat, for the smoke test. */
  values: Record<string, number>;
}

export interface Goal {
  what: string;
  measured: number;
  limit: number;
  /** "max": measured must not exceed limit; "min": must reach it. */
  kind: "max" | "min";
  unit: string;
}

export const goalMet = (g: Goal): boolean => (g.kind === "max" ? g.measured <= g.limit : g.measured >= g.limit);

export function goalLine(g: Goal, fmt: (n: number) => string): string {
  const verdict = goalMet(g) ? "**met**" : "**missed**";
  return `Goal: ${g.what} ${g.kind === "max" ? "at most" : "at least"} ${fmt(g.limit)} ${g.unit}; measured ${fmt(g.measured)} ${g.unit}: ${verdict}.`;
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  blenders: string[];
  kernel: string;
  /** 1-minute load average when the run began: other work on the machine skews every number. */
  load: number;
}

export function describeMachine(blenders: string[]): Machine {
  const list = cpus();
  const kernel = existsSync("/proc/sys/kernel/osrelease") ? readFileSync("/proc/sys/kernel/osrelease", "utf8").trim() : "unknown";
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    cpu: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    blenders,
    kernel,
    load: loadavg()[0]!,
  };
}

const begin = (id: string) => `<!-- bench:${id} -->`;
const end = (id: string) => `<!-- /bench:${id} -->`;

function header(m: Machine, command: string): string {
  return `# Benchmarks

Written by \`${command}\`: each section is rewritten when its benchmark runs (\`pnpm bench -- --only
${"<name>"}\` rewrites one), with the machine and date it ran on. Only the notes at the end (after the
\`notes\` marker) are written by hand, and they are kept.

Method: the server is the built \`blender-mcp serve\` in its own process (log level warn); fake addons and
MCP load generators run in other processes on the same machine, over 127.0.0.1. Latencies are wall-clock
round trips seen by the caller, nearest-rank percentiles, after a warm-up that is not counted. Server CPU is
utime + stime from \`/proc/<pid>/stat\` over the measured window, as a percentage of one core (Node runs
JavaScript on one core, so 100 % is the server's ceiling); server memory is VmRSS from \`/proc/<pid>/status\`.
The MCP calls use a lean client (\`tools/bench/lean-mcp.ts\`: JSON-RPC over keep-alive HTTP with the GET
event stream open, as the SDK client does, or newline-delimited over stdio) so that the load generator
costs little CPU; the floors use the same client, so the difference is the bus.

Last run: ${m.date} on ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, Linux ${m.kernel};
Blender: ${m.blenders.length ? m.blenders.join(", ") : "none provisioned"}; load average ${m.load.toFixed(2)} when it began.
`;
}

function sectionText(s: Section, m: Machine): string {
  return `${begin(s.id)}\n## ${s.title}\n\n_${m.date}, ${m.cores} cores, Node ${m.node}, load average ${m.load.toFixed(2)} at the start of the run._\n\n${s.body.trim()}\n${end(s.id)}`;
}

/** Rewrites the header and the given sections, keeping other sections from the previous file, in `order`. */
export function writeReport(path: string, sections: Section[], machine: Machine, order: string[], command: string): void {
  const previous = existsSync(path) ? readFileSync(path, "utf8") : "";
  const kept = new Map<string, string>();
  for (const id of order) {
    const from = previous.indexOf(begin(id));
    const to = previous.indexOf(end(id));
    if (from >= 0 && to > from) kept.set(id, previous.slice(from, to + end(id).length));
  }
  for (const s of sections) kept.set(s.id, sectionText(s, machine));
  const parts = order.filter((id) => kept.has(id)).map((id) => kept.get(id)!);
  const tail = previous.includes("<!-- notes -->") ? previous.slice(previous.indexOf("<!-- notes -->")) : "";
  writeFileSync(path, `${header(machine, command)}\n${parts.join("\n\n")}\n${tail ? `\n${tail.trimEnd()}\n` : ""}`);
}
