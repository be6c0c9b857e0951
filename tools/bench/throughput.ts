/**
 * 3. Throughput: dispatches a second with 1, 10 and 100 fake addons and 1 to
 * 100 concurrent MCP sessions, with the server's CPU beside each, so the
 * point where the server's one JavaScript thread is the limit shows.
 */
import { startBus } from "./bus.js";
import { connectHttp, connectWebSocket, ERA_LABEL, ERAS, type Era, type McpConnection } from "./lean-mcp.js";
import type { BenchServer } from "./procs.js";
import { closeAll, closedLoop } from "./load.js";
import { startWorker } from "./procs.js";
import { goalLine, table, type Goal, type Section } from "./report.js";
import type { Scale } from "./scale.js";
import { CpuMeter, fmtInt, fmtMs, summarize } from "./stats.js";

/** The two doors of /mcp: Streamable HTTP, and the WebSocket that `blender-mcp stdio` relays through. */
const DOORS = {
  "Streamable HTTP": (s: BenchServer, era: Era) => connectHttp(s.mcpUrl, s.token, era),
  "WebSocket (stdio relay's door)": (s: BenchServer, era: Era) => connectWebSocket(s.mcpSocketUrl, s.token, era),
} as const;
type Door = keyof typeof DOORS;

interface Cell {
  door: Door;
  era: Era;
  addons: number;
  sessions: number;
  rate: number;
  p50: number;
  p99: number;
  serverCpu: number;
  addonsCpu: number;
  loadCpu: number;
}

/** Runs `call` from every connection for durationMs after a short warm-up, metering the given processes. */
export async function cell(conns: McpConnection[], durationMs: number, pids: number[], call: (c: McpConnection, i: number) => ReturnType<McpConnection["call"]>) {
  await closedLoop(conns, { durationMs: Math.min(500, durationMs), call });
  const meter = new CpuMeter(pids);
  const load = process.cpuUsage();
  const result = await closedLoop(conns, { durationMs, call });
  const cpu = meter.read();
  const used = process.cpuUsage(load);
  if (result.errors > 0) throw new Error(`${result.errors} of ${result.calls} calls failed; first: ${result.firstError}`);
  const latency = summarize(result.samples);
  return {
    rate: (result.calls / result.wallMs) * 1000,
    p50: latency.p50,
    p99: latency.p99,
    cpu,
    loadCpu: ((used.user + used.system) / 1000 / result.wallMs) * 100,
    wallMs: result.wallMs,
    byConnection: result.byConnection,
  };
}

async function busCells(scale: Scale, door: Door, era: Era, addons: number): Promise<Cell[]> {
  const bus = await startBus(addons);
  const conns: McpConnection[] = [];
  try {
    const cells: Cell[] = [];
    for (const sessions of scale.throughputSessions) {
      while (conns.length < sessions) conns.push(await DOORS[door](bus.server, era));
      // Session i always asks the same addon, spreading sessions evenly over the addons.
      const targets = new Map(conns.map((c, i) => [c, bus.uuids[i % addons]!]));
      const call = (c: McpConnection) => c.call("blender_get_object_info", { name: "Cube", target_uuid: targets.get(c)! });
      const r = await cell(conns.slice(0, sessions), scale.throughputCellMs, [bus.server.pid, bus.addons.pid], call);
      cells.push({ door, era, addons, sessions, rate: r.rate, p50: r.p50, p99: r.p99, serverCpu: r.cpu[0]!, addonsCpu: r.cpu[1]!, loadCpu: r.loadCpu });
    }
    return cells;
  } finally {
    await closeAll(conns);
    await bus.stop();
  }
}

async function noopCell(scale: Scale, sessions: number, era: Era) {
  const server = await startWorker("noop-mcp");
  const conns: McpConnection[] = [];
  try {
    const port = await server.call<number>("listen");
    while (conns.length < sessions) conns.push(await connectHttp(`http://127.0.0.1:${port}/mcp`, null, era));
    return await cell(conns, scale.throughputCellMs, [server.pid], (c) => c.call("noop", {}));
  } finally {
    await closeAll(conns);
    await server.stop();
  }
}

export async function run(scale: Scale): Promise<Section> {
  const cells: Cell[] = [];
  for (const door of Object.keys(DOORS) as Door[]) {
    for (const era of ERAS) {
      for (const addons of scale.throughputAddons) cells.push(...(await busCells(scale, door, era, addons)));
    }
  }
  const most = Math.max(...scale.throughputSessions);
  const floors = new Map<Era, Awaited<ReturnType<typeof noopCell>>>();
  for (const era of ERAS) floors.set(era, await noopCell(scale, most, era));
  const best = cells.reduce((a, b) => (b.rate > a.rate ? b : a));
  const goal: Goal = { what: "dispatches a second on this machine", measured: best.rate, limit: 10_000, kind: "min", unit: "/s" };
  const bestOf = (door: Door, era: Era) => cells.filter((c) => c.door === door && c.era === era).reduce((a, b) => (b.rate > a.rate ? b : a));
  const rows = cells.map((c) => [
    c.door,
    ERA_LABEL[c.era],
    c.addons,
    c.sessions,
    fmtInt(c.rate),
    fmtMs(c.p50),
    fmtMs(c.p99),
    c.serverCpu.toFixed(0),
    c.addonsCpu.toFixed(0),
    c.loadCpu.toFixed(0),
  ]);
  for (const [era, floor] of floors) {
    rows.push(["Streamable HTTP", ERA_LABEL[era], "no-op MCP tool, no bus", most, fmtInt(floor.rate), fmtMs(floor.p50), fmtMs(floor.p99), floor.cpu[0]!.toFixed(0), "-", floor.loadCpu.toFixed(0)]);
  }
  const bests = (Object.keys(DOORS) as Door[]).flatMap((door) =>
    ERAS.map((era) => {
      const b = bestOf(door, era);
      return `- ${door}, ${ERA_LABEL[era]}: ${fmtInt(b.rate)}/s (${b.addons} addons, ${b.sessions} sessions, server at ${b.serverCpu.toFixed(0)} % of a core)`;
    }),
  );
  const body = `Closed loop: each MCP session calls \`blender_get_object_info\` on its own addon (session
i asks addon i mod N) and calls again as soon as the answer arrives, for ${scale.throughputCellMs / 1000} s per row after a
0.5 s warm-up, over each door of \`/mcp\`: Streamable HTTP, and the WebSocket that \`blender-mcp stdio\` relays
every stdio client's session through, each in both protocol eras (2025-11-25 sessions; 2026-07-28 stateless, where
a "session" is one client's sequence of requests). CPU columns are percent of one core: the server, the process holding all the fake addons,
and the load generator (the harness). Above ~100 % a Node process is using its helper threads (GC, I/O)
beside its one JavaScript thread, which is the limit. The last rows are the no-op MCP server of section 1
at the same concurrency, one per era: the ceiling of the MCP SDK's Streamable HTTP transport alone on this machine.

${table(["door", "era", "addons", "sessions", "dispatches/s", "p50 ms", "p99 ms", "server CPU %", "addons CPU %", "load gen CPU %"], rows)}

Best per door and era:

${bests.join("\n")}

Best: ${fmtInt(best.rate)}/s over ${best.door} (${ERA_LABEL[best.era]}) with ${best.addons} addons and ${best.sessions} sessions, server at ${best.serverCpu.toFixed(0)} % of a core.

${goalLine(goal, fmtInt)}
`;
  const values: Record<string, number> = { best_rate: best.rate };
  for (const [era, floor] of floors) values[`noop_rate_${era}`] = floor.rate;
  for (const c of cells) values[`rate_${c.door === "Streamable HTTP" ? "http" : "ws"}_${c.era}_${c.addons}a_${c.sessions}s`] = c.rate;
  return { id: "throughput", title: "3. Throughput", body, values };
}
