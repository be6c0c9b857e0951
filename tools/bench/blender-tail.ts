/**
 * 6b. Real Blender's tail: get_scene_info through the full MCP path beside
 * Blender's own floor in the same process (a bare TCP socket answered from a
 * bpy timer: tools/bench/blender-floor.py), interleaved call by call so that
 * the machine's load touches both alike; and Blender's idle CPU with the
 * addon connected. BENCH_TAIL_TRACE=1 also writes the probes' timeline
 * (main-loop ticks, the addon's hand-offs, GC) to BENCH_TAIL_TRACE_DIR.
 */
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { ADDON_DIR, REPO_ROOT } from "../paths.js";
import { availableBlenders, launchBlender, type BlenderVersion, type RunningBlender } from "../blender/launch.js";
import { latencyCells } from "./floor.js";
import { connectHttp } from "./lean-mcp.js";
import { startServer } from "./procs.js";
import { goalLine, table, type Goal, type Section } from "./report.js";
import type { Scale } from "./scale.js";
import { cpuSeconds, fmtMs, msSince, summarize, type Latency } from "./stats.js";

const ZIP = process.env.BENCH_TAIL_ZIP ?? join(REPO_ROOT, `dist/blender_mcp_bus-${PACKAGE_VERSION}.zip`);
const FLOOR = join(import.meta.dirname, "blender-floor.py");
const STARTUP = join(REPO_ROOT, ADDON_DIR, "blender_startup/startup.py");
const TRACING = process.env.BENCH_TAIL_TRACE === "1";
/** How far the full path's p95 may sit above the floor's. */
const P95_ALLOWANCE_MS = 1.5;

/** One line out, one line back, on the floor's socket. */
class FloorClient {
  private waiting: ((line: string) => void)[] = [];
  private constructor(private readonly socket: Socket) {
    createInterface({ input: socket }).on("line", (line) => this.waiting.shift()?.(line));
  }
  static async open(port: number): Promise<FloorClient> {
    const socket = connect({ host: "127.0.0.1", port, noDelay: true });
    await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    return new FloorClient(socket);
  }
  ask(line: string): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      this.waiting.push((reply) => resolve(JSON.parse(reply) as Record<string, unknown>));
      this.socket.write(`${line}\n`);
    });
  }
  close(): void {
    this.socket.destroy();
  }
}

/** The Blender process itself, inside the group launch.ts leads (xvfb-run, or the chroot's shell). */
function blenderPid(leader: number): number {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (pgrp === leader && comm === "blender") return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no blender process in group ${leader}`);
}

/** The addon's startup script with the floor's prelude before it, as one file for --python. */
async function floorStartup(dir: string): Promise<string> {
  const path = join(dir, "tail-startup.py");
  await writeFile(path, `${readFileSync(FLOOR, "utf8")}\n\n${readFileSync(STARTUP, "utf8")}`);
  return path;
}

interface TailRun {
  floor: Latency;
  mcp: Latency;
  /** The same pair of calls with a pause before each, as an agent's calls come: after the drainer's timer has had time to back off. */
  spacedFloor: Latency;
  spacedMcp: Latency;
  /** Blender's CPU with the addon connected and no calls, percent of one core: just after the last call, and once settled. */
  recentCpu: number;
  idleCpu: number;
}

/** Longer than the 1 s the drainer used to stay quick after a job (core/pacing.py). */
const PAUSE_MS = 1500;

export interface TailCounts {
  calls: number;
  spacedCalls: number;
  /** Length of each CPU window. */
  idleSeconds: number;
  /** From the last call to the settled window: past the drainer's quick spell after a job. */
  settleSeconds: number;
}

export async function measure(version: BlenderVersion, counts: TailCounts): Promise<TailRun> {
  const { calls, spacedCalls, idleSeconds, settleSeconds } = counts;
  const server = await startServer();
  const dir = await mkdtemp(join(tmpdir(), "bench-tail-"));
  let blender: RunningBlender | null = null;
  let floor: FloorClient | null = null;
  try {
    blender = await launchBlender({
      version,
      zip: ZIP,
      startupScript: await floorStartup(dir),
      env: {
        BLENDER_MCP_BUS_URL: server.addonUrl,
        BLENDER_MCP_BUS_LABEL: `tail-${version}`,
        BLENDER_MCP_BUS_TOKEN: server.token,
        ...(TRACING ? { BENCH_TAIL_TRACE: "1", BENCH_TAIL_NO_RUNNING: process.env.BENCH_TAIL_NO_RUNNING ?? "", BENCH_TAIL_PROFILE: process.env.BENCH_TAIL_PROFILE ?? "" } : {}),
      },
    });
    const port = Number(blender.stdout.map((l) => /^\[mcp-bus-floor\] listening on (\d+)/.exec(l)?.[1]).find(Boolean));
    if (!port) throw new Error(`the floor did not say its port:\n${blender.stdout.join("\n")}`);
    floor = await FloorClient.open(port);
    const conn = await connectHttp(server.mcpUrl, server.token);
    const scene = async () => {
      const result = await conn.call("blender_get_scene_info", {});
      if (result.isError) throw new Error(`get_scene_info failed: ${JSON.stringify(result.content).slice(0, 300)}`);
    };
    const timed = async (call: () => Promise<unknown>) => {
      const t = process.hrtime.bigint();
      await call();
      return msSince(t);
    };
    for (let i = 0; i < Math.min(20, calls); i++) {
      await floor.ask("scene");
      await scene();
    }
    if (TRACING) await floor.ask("trace");
    const floorMs: number[] = [];
    const mcpMs: number[] = [];
    const marks: [string, number][] = [];
    for (let i = 0; i < calls; i++) {
      floorMs.push(await timed(() => floor!.ask("scene")));
      marks.push(["call", Number(process.hrtime.bigint()) / 1e9]);
      mcpMs.push(await timed(scene));
      marks.push(["reply", Number(process.hrtime.bigint()) / 1e9]);
    }
    const spacedFloorMs: number[] = [];
    const spacedMcpMs: number[] = [];
    for (let i = 0; i < spacedCalls; i++) {
      await sleep(PAUSE_MS);
      marks.push(["spaced call", Number(process.hrtime.bigint()) / 1e9]);
      spacedMcpMs.push(await timed(scene));
      spacedFloorMs.push(await timed(() => floor!.ask("scene")));
    }
    if (TRACING) {
      const out = join(process.env.BENCH_TAIL_TRACE_DIR ?? tmpdir(), `tail-trace-${version}.json`);
      await writeFile(out, JSON.stringify({ version, floorMs, mcpMs, marks, blender: await floor.ask("trace") }));
      await writeFile(join(process.env.BENCH_TAIL_TRACE_DIR ?? tmpdir(), `tail-stdout-${version}.txt`), blender.stdout.join("\n"));
      process.stdout.write(`bench tail: trace of ${version} in ${out}\n`);
    }
    // Idle: the floor stops its timer, and nothing talks to Blender but the server's heartbeat.
    await floor.ask("quiet");
    floor.close();
    floor = null;
    const pid = blenderPid(blender.process.pid!);
    const lastCall = process.hrtime.bigint();
    const cpuOver = async (seconds: number) => {
      const before = cpuSeconds(pid);
      const t = process.hrtime.bigint();
      await sleep(seconds * 1000);
      return (100 * (cpuSeconds(pid) - before)) / (msSince(t) / 1000);
    };
    const recentCpu = await cpuOver(idleSeconds);
    await sleep(Math.max(0, settleSeconds * 1000 - msSince(lastCall)));
    const idleCpu = await cpuOver(idleSeconds);
    await conn.close();
    return { floor: summarize(floorMs), mcp: summarize(mcpMs), spacedFloor: summarize(spacedFloorMs), spacedMcp: summarize(spacedMcpMs), recentCpu, idleCpu };
  } finally {
    floor?.close();
    await blender?.stop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(scale: Scale): Promise<Section> {
  const available = await availableBlenders();
  const versions = scale.name === "full" ? available : available.slice(0, 1);
  const title = "6b. Real Blender's tail beside its own floor";
  if (versions.length === 0) {
    return { id: "blender-tail", title, body: "No Blender is provisioned here (`bash tools/blender/provision.sh 3.4`); not measured.", values: {} };
  }
  const full = scale.name === "full";
  const counts: TailCounts = { calls: scale.blenderCalls, spacedCalls: full ? 20 : 1, idleSeconds: full ? 10 : 1, settleSeconds: full ? 35 : 1 };
  const rows: (string | number)[][] = [];
  const values: Record<string, number> = {};
  const goals: string[] = [];
  for (const version of versions) {
    const r = await measure(version, counts);
    const v = version.replace(".", "_");
    rows.push([version, "floor: bare socket, bpy timer", r.floor.n, ...latencyCells(r.floor), "-", "-"]);
    rows.push([version, "full MCP path, get_scene_info", r.mcp.n, ...latencyCells(r.mcp), fmtMs(r.mcp.p95 - r.floor.p95), `${r.recentCpu.toFixed(1)} / ${r.idleCpu.toFixed(1)}`]);
    rows.push([version, `floor, ${PAUSE_MS / 1000} s pause before each`, r.spacedFloor.n, ...latencyCells(r.spacedFloor), "-", "-"]);
    rows.push([version, `full MCP path, ${PAUSE_MS / 1000} s pause before each`, r.spacedMcp.n, ...latencyCells(r.spacedMcp), fmtMs(r.spacedMcp.p95 - r.spacedFloor.p95), "-"]);
    Object.assign(values, {
      [`floor_p50_${v}`]: r.floor.p50,
      [`floor_p95_${v}`]: r.floor.p95,
      [`floor_p99_${v}`]: r.floor.p99,
      [`mcp_p50_${v}`]: r.mcp.p50,
      [`mcp_p95_${v}`]: r.mcp.p95,
      [`mcp_p99_${v}`]: r.mcp.p99,
      [`spaced_floor_p95_${v}`]: r.spacedFloor.p95,
      [`spaced_mcp_p95_${v}`]: r.spacedMcp.p95,
      [`recent_cpu_${v}`]: r.recentCpu,
      [`idle_cpu_${v}`]: r.idleCpu,
    });
    const goal: Goal = { what: `Blender ${version} full-path p95 above the floor's p95`, measured: r.mcp.p95 - r.floor.p95, limit: P95_ALLOWANCE_MS, kind: "max", unit: "ms" };
    goals.push(goalLine(goal, fmtMs));
  }
  const body = `One Blender per version under Xvfb, the addon installed from \`dist/\` and connected to the real server,
with a bench-only prelude in its startup script (\`tools/bench/blender-floor.py\`): a bare TCP socket on
127.0.0.1 answered from a \`bpy.app.timers\` callback on the main thread (no thread, no queue; one small JSON
line back, reading the scene), the quickest Blender's main loop lets anything answer. The calls alternate,
one floor round trip then one \`blender_get_scene_info\` through the full MCP path (lean MCP client, Streamable
HTTP, server, addon socket thread, main-thread drainer, back), sequentially, after a warm-up; then ${counts.spacedCalls} more
pairs with a ${PAUSE_MS / 1000} s pause before each, as an agent's calls come (the MCP call first, so it meets the drainer as
the pause left it). Idle CPU is the
Blender process's utime + stime with the addon connected and no calls, as a percentage of one core, after the floor
has stopped its timer: over the ${counts.idleSeconds} s right after the last call ("recent": the drainer still looks on every
pass of the main loop) and over ${counts.idleSeconds} s from ${counts.settleSeconds} s after it ("settled": backed off).

${table(["Blender", "path", "calls", "p50 ms", "p95 ms", "p99 ms", "p95 above floor ms", "idle CPU % (recent / settled)"], rows)}

${goals.join("\n\n")}
`;
  return { id: "blender-tail", title, body, values };
}
