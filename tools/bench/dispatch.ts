/**
 * 2. Dispatch latency: blender_get_object_info through the whole path (MCP
 * client, server, fake addon, job_update, result), beside the floor
 * measured in the same run.
 */
import { startBus } from "./bus.js";
import { latencyCells, measureSides, noopHttpSide, noopStdioSide, type NoopFloor } from "./floor.js";
import { connectHttp, connectStdio, type McpConnection } from "./lean-mcp.js";
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

export async function measureDispatch(scale: Scale): Promise<DispatchResult> {
  const noopHttp = await noopHttpSide();
  const bus = await startBus(1);
  try {
    const pids = () => [bus.server.pid];
    // Floor and bus side by side, their sequential calls alternating: see measureSides.
    const [floorHttp, http] = await measureSides(
      [noopHttp, { open: () => connectHttp(bus.server.mcpUrl, bus.server.token), pids, call: getObjectInfo }],
      scale.dispatchCalls,
      scale.concurrency,
      false,
    );
    const [floorStdio, stdio] = await measureSides(
      [noopStdioSide(), { open: () => connectStdio(...relayArgv(bus.server)), pids, call: getObjectInfo }],
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
  const r = await measureDispatch(scale);
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
  const rows = [
    row("Streamable HTTP", "sequential", r.floorHttp.sequential, r.http.sequential),
    row("Streamable HTTP", `${c} concurrent sessions`, r.floorHttp.concurrent, r.http.concurrent),
    row("stdio (relay to the hub)", "sequential", r.floorStdio.sequential, r.stdio.sequential),
    row("stdio (relay to the hub)", `${c} concurrent callers`, r.floorStdio.concurrent, r.stdio.concurrent),
  ];
  const overhead = r.http.sequential.latency.p50 - r.floorHttp.sequential.latency.p50;
  const goal: Goal = { what: "bus overhead over the transport floor (Streamable HTTP, sequential, p50)", measured: overhead, limit: 0.3, kind: "max", unit: "ms" };
  const body = `\`blender_get_object_info {name: "Cube"}\` against one fake addon, after a warm-up. The floor is the
no-op MCP tool of section 1 over the same transport and client, measured again in this run, its sequential
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
      http_p50: r.http.sequential.latency.p50,
      http_p99: r.http.sequential.latency.p99,
      http_concurrent_p50: r.http.concurrent.latency.p50,
      stdio_p50: r.stdio.sequential.latency.p50,
      stdio_concurrent_p50: r.stdio.concurrent.latency.p50,
      overhead_p50: overhead,
    },
  };
}
