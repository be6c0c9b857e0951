/**
 * 2. Dispatch latency: blender_get_object_info through the whole path (MCP
 * client, server, fake addon, job_update, result), beside the floor
 * measured in the same run.
 */
import { startBus } from "./bus.js";
import { latencyCells, measureSides, noopHttpSide, noopStdioSide, type NoopFloor } from "./floor.js";
import { connectHttp, connectStdio, ERA_LABEL, ERAS, type Era, type McpConnection } from "./lean-mcp.js";
import { relayArgv } from "./procs.js";
import { goalLine, table, type Goal, type Section } from "./report.js";
import type { Scale } from "./scale.js";
import { fmtInt, fmtMs } from "./stats.js";

const getObjectInfo = (conn: McpConnection) => conn.call("blender_get_object_info", { name: "Cube" });

export interface DispatchResult {
  http: NoopFloor;
  stdio: NoopFloor;
  floorHttp: NoopFloor;
  floorStdio: NoopFloor;
}

/** One era's four measurements; the floor speaks the same era as the bus it is compared with. */
export async function measureDispatch(scale: Scale, era: Era = "legacy"): Promise<DispatchResult> {
  const noopHttp = await noopHttpSide(era);
  const bus = await startBus(1);
  try {
    const pids = () => [bus.server.pid];
    // Floor and bus side by side, their sequential calls alternating: see measureSides.
    const [floorHttp, http] = await measureSides(
      [noopHttp, { open: () => connectHttp(bus.server.mcpUrl, bus.server.token, era), pids, call: getObjectInfo }],
      scale.dispatchCalls,
      scale.concurrency,
      false,
    );
    const [floorStdio, stdio] = await measureSides(
      [noopStdioSide(era), { open: () => connectStdio(...relayArgv(bus.server), era), pids, call: getObjectInfo }],
      scale.stdioCalls,
      scale.concurrency,
      true,
    );
    return { http: http!, stdio: stdio!, floorHttp: floorHttp!, floorStdio: floorStdio! };
  } finally {
    await bus.stop();
    await noopHttp.stop();
  }
}

export async function run(scale: Scale): Promise<Section> {
  const byEra = new Map<Era, DispatchResult>();
  for (const era of ERAS) byEra.set(era, await measureDispatch(scale, era));
  const row = (transport: string, mode: string, floor: NoopFloor["sequential"], bus: NoopFloor["sequential"]) => [
    transport,
    mode,
    fmtInt(bus.latency.n),
    ...latencyCells(floor.latency),
    ...latencyCells(bus.latency),
    fmtMs(bus.latency.p50 - floor.latency.p50),
    fmtMs(bus.latency.p99 - floor.latency.p99),
    fmtInt(bus.rate),
    bus.serverCpu.toFixed(0),
  ];
  const c = String(scale.concurrency);
  const rows = [...byEra].flatMap(([era, r]) => {
    const http = `Streamable HTTP, ${ERA_LABEL[era]}`;
    const stdio = `stdio (relay to the hub), ${ERA_LABEL[era]}`;
    return [
      row(http, "sequential", r.floorHttp.sequential, r.http.sequential),
      row(http, `${c} concurrent ${era === "legacy" ? "sessions" : "clients"}`, r.floorHttp.concurrent, r.http.concurrent),
      row(stdio, "sequential", r.floorStdio.sequential, r.stdio.sequential),
      row(stdio, `${c} concurrent callers`, r.floorStdio.concurrent, r.stdio.concurrent),
    ];
  });
  const overheadOf = (r: DispatchResult) => r.http.sequential.latency.p50 - r.floorHttp.sequential.latency.p50;
  // The goal holds for both eras: the worse one is the measurement.
  const [worstEra, worst] = [...byEra].reduce((a, b) => (overheadOf(b[1]) > overheadOf(a[1]) ? b : a));
  const overhead = overheadOf(worst);
  const goal: Goal = {
    what: `bus overhead over the transport floor (Streamable HTTP, sequential, p50, the worse era: ${ERA_LABEL[worstEra]})`,
    measured: overhead,
    limit: 0.3,
    kind: "max",
    unit: "ms",
  };
  const body = `\`blender_get_object_info {name: "Cube"}\` against one fake addon, after a warm-up, in each protocol era:
2025-11-25 (an initialized session) and 2026-07-28 (stateless: every request carries its own \`_meta\`, and over
HTTP the server builds an instance per request). The floor is the no-op MCP tool of section 1 over the same
transport, client and era, measured again in this run, its sequential
calls alternating with the bus's in five blocks (a change of the shared machine's load then touches both
alike); overhead is bus minus floor at the same percentile. Over stdio the client talks to \`blender-mcp stdio\`, which relays
to the hub over its MCP WebSocket, so its overhead includes that extra hop. Server CPU is the hub's.

${table(
  ["transport", "callers", "calls", "floor p50", "floor p95", "floor p99", "bus p50", "bus p95", "bus p99", "overhead p50", "overhead p99", "calls/s", "server CPU %"],
  rows,
)}

(milliseconds)

${goalLine(goal, fmtMs)}
`;
  return {
    id: "dispatch",
    title: "2. Dispatch latency",
    body,
    values: {
      ...Object.fromEntries(
        [...byEra].flatMap(([era, r]) => [
          [`${era}_http_p50`, r.http.sequential.latency.p50],
          [`${era}_http_p99`, r.http.sequential.latency.p99],
          [`${era}_http_concurrent_p50`, r.http.concurrent.latency.p50],
          [`${era}_stdio_p50`, r.stdio.sequential.latency.p50],
          [`${era}_stdio_concurrent_p50`, r.stdio.concurrent.latency.p50],
          [`${era}_overhead_p50`, overheadOf(r)],
        ]),
      ),
      overhead_p50: overhead,
    },
  };
}
