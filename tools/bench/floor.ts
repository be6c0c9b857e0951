/**
 * 1. Transport floor: what any WebSocket round trip and any MCP tool call
 * cost on this machine with no bus behind them.
 */
import WebSocket from "ws";
import { connectHttp, connectStdio, type Era, type McpConnection } from "./lean-mcp.js";
import { closeAll, closedLoop, type LoadResult } from "./load.js";
import { startWorker } from "./procs.js";
import { table, type Section } from "./report.js";
import { CpuMeter, fmtInt, fmtMs, msSince, summarize, type Latency } from "./stats.js";
import type { Scale } from "./scale.js";
import { join } from "node:path";

export interface Measured {
  latency: Latency;
  /** Calls per second over the run. */
  rate: number;
  /** Server CPU, percent of one core, over the run (the first of cpu). */
  serverCpu: number;
  /** CPU of each metered process, percent of one core, in the order they were given. */
  cpu: number[];
  errors: number;
}

/** cpu: each metered process's share of a core over the run, the server first (none when nothing was metered). */
export function measured(load: LoadResult, cpu: number[]): Measured {
  if (load.errors > 0) throw new Error(`${load.errors} of ${load.calls} calls failed; first: ${load.firstError}`);
  return { latency: summarize(load.samples), rate: (load.calls / load.wallMs) * 1000, serverCpu: cpu[0] ?? 0, cpu, errors: load.errors };
}

/** The command_dispatch of blender_get_object_info {name: "Cube"}: the frame the floors send. */
export const DISPATCH_FRAME = { message_type: "command_dispatch", job_id: "j-0123456789ab", command: "get_object_info", params: { name: "Cube" }, priority: "info" };

/** A warm-up, then n sequential round trips, metering the processes `pids` names (the peer first). */
export async function sequentialRoundTrips(n: number, pids: number[], roundTrip: () => Promise<void>): Promise<Measured> {
  for (let i = 0; i < Math.min(500, n); i++) await roundTrip();
  const samples: number[] = [];
  const meter = new CpuMeter(pids);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await roundTrip();
    samples.push(msSince(t));
  }
  const wall = msSince(t0);
  const cpu = meter.read();
  return { latency: summarize(samples), rate: (n / wall) * 1000, serverCpu: cpu[0]!, cpu, errors: 0 };
}

/** Sequential round trips of a small JSON frame (the size of a command_dispatch) to an echo server in another process. */
export async function wsEcho(n: number): Promise<Measured> {
  const echo = await startWorker("echo");
  try {
    const port = await echo.call<number>("listen");
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const frame = JSON.stringify(DISPATCH_FRAME);
    const roundTrip = () =>
      new Promise<void>((resolve) => {
        ws.once("message", () => resolve());
        ws.send(frame);
      });
    const result = await sequentialRoundTrips(n, [echo.pid], roundTrip);
    ws.close();
    return result;
  } finally {
    await echo.stop();
  }
}

export interface NoopFloor {
  sequential: Measured;
  concurrent: Measured;
}

const noop = (conn: McpConnection) => conn.call("noop", {});

/** What one side of a comparison calls, on which connections, metering which processes (the server first). */
export interface Side {
  open: () => Promise<McpConnection>;
  pids: () => number[];
  call: (conn: McpConnection, i: number) => ReturnType<McpConnection["call"]>;
}

/**
 * For each side: a warm-up, n sequential calls on one connection, then n
 * calls from `concurrency` callers. The sides' sequential calls run in
 * alternating blocks: the machine is shared, and a change of its load
 * during the run then touches every side alike, so their difference holds.
 */
export async function measureSides(
  sides: Side[],
  n: number,
  concurrency: number,
  /** stdio has one session: concurrent callers share its pipe. */
  sharedConnection: boolean,
  blocks = 5,
): Promise<NoopFloor[]> {
  const conns: McpConnection[][] = [];
  try {
    for (const side of sides) {
      const first = await side.open();
      conns.push([first]);
      await closedLoop([first], { calls: Math.min(500, n), call: side.call });
    }
    // CPU is kept as milliseconds per metered process, to be a percentage of the blocks' wall time at the end.
    const runs = sides.map(() => ({ samples: [] as number[], wallMs: 0, cpuMs: [] as number[], errors: 0, firstError: null as string | null }));
    for (let block = 0; block < blocks; block++) {
      for (const [i, side] of sides.entries()) {
        const meter = new CpuMeter(side.pids());
        const load = await closedLoop([conns[i]![0]!], { calls: Math.ceil(n / blocks), call: side.call });
        const run = runs[i]!;
        run.samples.push(...load.samples);
        run.wallMs += load.wallMs;
        meter.read().forEach((percent, j) => (run.cpuMs[j] = (run.cpuMs[j] ?? 0) + (percent / 100) * load.wallMs));
        run.errors += load.errors;
        run.firstError ??= load.firstError;
      }
    }
    const results: NoopFloor[] = [];
    for (const [i, side] of sides.entries()) {
      const run = runs[i]!;
      const sequential = measured({ ...run, calls: run.samples.length, byConnection: new Map() }, run.cpuMs.map((ms) => (100 * ms) / run.wallMs));
      const mine = conns[i]!;
      if (!sharedConnection) while (mine.length < concurrency) mine.push(await side.open());
      const callersPerConnection = sharedConnection ? concurrency : 1;
      await closedLoop(mine, { calls: Math.min(500, n), call: side.call, callersPerConnection });
      const meter = new CpuMeter(side.pids());
      const concurrent = measured(await closedLoop(mine, { calls: n, call: side.call, callersPerConnection }), meter.read());
      results.push({ sequential, concurrent });
    }
    return results;
  } finally {
    await Promise.all(conns.map((c) => closeAll(c)));
  }
}

/** One side alone. */
export async function measureMcp(
  open: Side["open"],
  pids: Side["pids"],
  call: Side["call"],
  n: number,
  concurrency: number,
  sharedConnection: boolean,
): Promise<NoopFloor> {
  const [result] = await measureSides([{ open, pids, call }], n, concurrency, sharedConnection);
  return result!;
}

/** The no-op MCP server of tools/bench/workers/noop-mcp.ts over HTTP, spoken to in `era`; stop() when done. */
export async function noopHttpSide(era: Era = "legacy"): Promise<Side & { stop(): Promise<void> }> {
  const server = await startWorker("noop-mcp");
  const url = `http://127.0.0.1:${await server.call<number>("listen")}/mcp`;
  return { open: () => connectHttp(url, null, era), pids: () => [server.pid], call: noop, stop: () => server.stop() };
}

/** The same over stdio: a process per connection. */
export function noopStdioSide(era: Era = "legacy"): Side {
  let pid = 0;
  const open = async () => {
    const conn = await connectStdio(process.execPath, ["--import", "tsx", join(import.meta.dirname, "workers/noop-mcp.ts"), "stdio"], era);
    pid = conn.child.pid!;
    return conn;
  };
  return { open, pids: () => [pid], call: noop };
}

export async function noopHttp(n: number, concurrency: number): Promise<NoopFloor> {
  const side = await noopHttpSide();
  try {
    return (await measureSides([side], n, concurrency, false))[0]!;
  } finally {
    await side.stop();
  }
}

export async function noopStdio(n: number, concurrency: number): Promise<NoopFloor> {
  return (await measureSides([noopStdioSide()], n, concurrency, true))[0]!;
}

export const latencyCells = (l: Latency) => [fmtMs(l.p50), fmtMs(l.p95), fmtMs(l.p99)];

export async function run(scale: Scale): Promise<Section> {
  const { floorCalls: n, concurrency } = scale;
  const echo = await wsEcho(n);
  const http = await noopHttp(n, concurrency);
  const stdio = await noopStdio(n, concurrency);
  const rows = [
    ["WebSocket echo (ws, two processes)", "1", fmtInt(echo.latency.n), ...latencyCells(echo.latency), fmtInt(echo.rate), echo.serverCpu.toFixed(0)],
    ["MCP no-op tool, Streamable HTTP", "1", fmtInt(http.sequential.latency.n), ...latencyCells(http.sequential.latency), fmtInt(http.sequential.rate), http.sequential.serverCpu.toFixed(0)],
    ["MCP no-op tool, Streamable HTTP", String(concurrency), fmtInt(http.concurrent.latency.n), ...latencyCells(http.concurrent.latency), fmtInt(http.concurrent.rate), http.concurrent.serverCpu.toFixed(0)],
    ["MCP no-op tool, stdio", "1", fmtInt(stdio.sequential.latency.n), ...latencyCells(stdio.sequential.latency), fmtInt(stdio.sequential.rate), stdio.sequential.serverCpu.toFixed(0)],
    ["MCP no-op tool, stdio", String(concurrency), fmtInt(stdio.concurrent.latency.n), ...latencyCells(stdio.concurrent.latency), fmtInt(stdio.concurrent.rate), stdio.concurrent.serverCpu.toFixed(0)],
  ];
  const body = `Round trips with nothing behind them: the cost of the transports themselves. The no-op MCP server
(\`tools/bench/workers/noop-mcp.ts\`, MCP SDK v2) is built like the product's \`/mcp\`, with one tool that returns
"ok" and no bus: for 2025-11-25 an McpServer and a Streamable HTTP transport per session, for 2026-07-28 a server
per request from the SDK's \`createMcpHandler\`. This section speaks 2025-11-25; sections 2 and 3 measure the
floor again in each era.

${table(["what", "callers", "calls", "p50 ms", "p95 ms", "p99 ms", "calls/s", "peer CPU %"], rows)}
`;
  const values: Record<string, number> = {
    echo_p50: echo.latency.p50,
    http_p50: http.sequential.latency.p50,
    http_concurrent_p50: http.concurrent.latency.p50,
    http_concurrent_rate: http.concurrent.rate,
    stdio_p50: stdio.sequential.latency.p50,
    stdio_concurrent_p50: stdio.concurrent.latency.p50,
  };
  return { id: "floor", title: "1. Transport floor", body, values };
}
