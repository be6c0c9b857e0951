/**
 * 7. Scale-out: dispatch latency and throughput with two `blender-mcp serve`
 * processes sharing a real redis-server (--redis), when the MCP session and
 * the Blender are on the same process and when they are on different ones,
 * beside one process without Redis measured in the same run.
 */
import { mkdtempSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { createClient } from "redis";
import { redisSkipReason, startRedis, type RedisProcess } from "../redis/redis-server.js";
import { attachAddons, startBus } from "./bus.js";
import { DISPATCH_FRAME, measureMcp, sequentialRoundTrips, type Measured, type NoopFloor } from "./floor.js";
import { connectHttp, type McpConnection } from "./lean-mcp.js";
import { closeAll } from "./load.js";
import { startServer, startWorker, type BenchServer, type Worker } from "./procs.js";
import { table, type Section } from "./report.js";
import type { Scale } from "./scale.js";
import { fmtInt, fmtMs, summarize } from "./stats.js";
import { cell } from "./throughput.js";

const ID = "scaleout";
const TITLE = "7. Scale-out across server processes";

/** Two serve processes on one Redis, with fake addons attached to each. */
interface Cluster {
  redis: RedisProcess;
  servers: [BenchServer, BenchServer];
  /** pids metered in every row: server A, server B, redis-server, the addons worker. */
  pids: number[];
  /** The fake addons: the first half attached to A, the rest to B. */
  uuids: string[];
  /** The index in `servers` of the process each addon is attached to. */
  home: number[];
  stop(): Promise<void>;
}

/** The uuids a process lists (its own Blenders and, through Redis, the other's). */
async function listed(conn: McpConnection): Promise<Set<string>> {
  const result = await conn.call("blender_list_clients", {});
  return new Set(((result.structuredContent?.clients ?? []) as { uuid: string }[]).map((c) => c.uuid));
}

/** Resolves once the server lists every uuid: a remote attach reaches it through Redis, a moment later. */
async function waitUntilListed(server: BenchServer, uuids: string[]): Promise<void> {
  const conn = await connectHttp(server.mcpUrl, server.token);
  try {
    const deadline = Date.now() + 15_000;
    for (let seen = await listed(conn); !uuids.every((u) => seen.has(u)); seen = await listed(conn)) {
      if (Date.now() > deadline) throw new Error(`server on port ${server.port} lists ${[...seen].join(", ")} after 15 s, not all of ${uuids.join(", ")}`);
      await delay(50);
    }
  } finally {
    await conn.close();
  }
}

/**
 * Redis, then A and B with --redis. They share a data dir, as the scale-out
 * tests' processes do and the README asks: A creates the local token, B
 * finds it there and accepts it, so one token works on both. Each keeps its
 * own job store (jobs-<port>.sqlite) and log.
 */
async function startCluster(addonCount: number): Promise<Cluster> {
  const redis = await startRedis();
  const running: { stop(): Promise<void> }[] = [redis];
  const stop = async () => {
    for (const p of running.splice(0).reverse()) await p.stop();
  };
  try {
    const dataDir = mkdtempSync(join(tmpdir(), "blender-mcp-bench-shared-"));
    const start = async () => {
      const server = await startServer({ args: ["--redis", redis.url], dataDir });
      running.push(server);
      return server;
    };
    const a = await start();
    const b = await start();
    if (a.token !== b.token) throw new Error("the two servers' local tokens differ: the shared data dir was not shared");
    const addons: Worker = await startWorker("addons");
    running.push(addons);
    const onA = Math.ceil(addonCount / 2);
    const uuids = [...(await attachAddons(addons, a, onA, "a")), ...(await attachAddons(addons, b, addonCount - onA, "b"))];
    await Promise.all([a, b].map((s) => waitUntilListed(s, uuids)));
    return { redis, servers: [a, b], pids: [a.pid, b.pid, redis.pid, addons.pid], uuids, home: uuids.map((_, k) => (k < onA ? 0 : 1)), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The floor under a cross-process dispatch: a message the size of a routed
 * command_dispatch published to another Node process, which publishes it
 * back, with the server's Redis client (node-redis). That is the two Redis
 * hops a cross-process dispatch adds to its critical path (the dispatch
 * out, the completed job_update back).
 */
async function pubsubFloor(redis: RedisProcess, n: number): Promise<Measured> {
  const echo = await startWorker("redis-echo");
  const cmd = createClient({ url: redis.url });
  const sub = cmd.duplicate();
  try {
    await echo.call("listen", { url: redis.url, ping: "bench:ping", pong: "bench:pong" });
    await Promise.all([cmd.connect(), sub.connect()]);
    let answered = () => {};
    await sub.subscribe("bench:pong", () => answered());
    // As the server routes it: the addon protocol's own message in an envelope naming user, Blender and origin.
    const message = JSON.stringify({ kind: "to_addon", user: "local", uuid: "b-0", origin: "p-0123abcd", message: DISPATCH_FRAME });
    const roundTrip = async () => {
      const back = new Promise<void>((resolve) => (answered = resolve));
      await cmd.publish("bench:ping", message);
      await back;
    };
    return await sequentialRoundTrips(n, [echo.pid, redis.pid], roundTrip);
  } finally {
    await Promise.allSettled([sub.close(), cmd.close()]);
    await echo.stop();
  }
}

const objectInfo = (target: string) => (conn: McpConnection) => conn.call("blender_get_object_info", { name: "Cube", target_uuid: target });

interface LatencyRow {
  path: string;
  result: NoopFloor;
  /** CPU columns: server A, server B, redis-server (null where there is none). */
  cpu: (r: Measured) => (number | null)[];
}

/** The calls of one kind of session in a throughput row: those whose addon is on their own process, or on the other. */
interface CallsOfKind {
  /** Share of the row's calls. */
  share: number;
  rate: number;
  /** Null when no such call completed. */
  p50: number | null;
  p99: number | null;
}

interface RateRow {
  layout: string;
  sessions: number;
  /** Two-process rows: the calls of sessions whose addon is on their own process, and on the other. */
  kinds: { own: CallsOfKind; other: CallsOfKind } | null;
  /** Share of the sessions whose addon is on the other process. */
  crossShare: number | null;
  rate: number;
  p50: number;
  p99: number;
  /** Server A, server B, redis-server, addons worker (null where there is none). */
  cpu: (number | null)[];
  loadCpu: number;
}

/** Closed loops over each count of sessions, session i on servers[i mod n] asking the addon target(i), metering `pids`. */
async function rateCells(scale: Scale, servers: BenchServer[], target: (session: number) => string, pids: number[], sessionCounts: number[]) {
  const conns: McpConnection[] = [];
  const targets = new Map<McpConnection, string>();
  try {
    const cells = [];
    for (const sessions of sessionCounts) {
      while (conns.length < sessions) {
        const i = conns.length;
        const server = servers[i % servers.length]!;
        const conn = await connectHttp(server.mcpUrl, server.token);
        conns.push(conn);
        targets.set(conn, target(i));
      }
      const call = (c: McpConnection) => c.call("blender_get_object_info", { name: "Cube", target_uuid: targets.get(c)! });
      const measured = await cell(conns.slice(0, sessions), scale.throughputCellMs, pids, call);
      cells.push({ sessions, ...measured, perSession: conns.slice(0, sessions).map((c) => measured.byConnection.get(c)!) });
    }
    return cells;
  } finally {
    await closeAll(conns);
  }
}

const pct = (n: number | null) => (n === null ? "-" : n.toFixed(0));

export async function run(scale: Scale): Promise<Section> {
  const skip = redisSkipReason();
  if (skip) return { id: ID, title: TITLE, body: `skipped: ${skip}.`, values: {} };

  const n = scale.scaleoutAddons;
  // The two-process runs first, so that the single-process throughput row can be taken at their best session count.
  const cluster = await startCluster(n);
  const { uuids, home } = cluster;
  let hops: Measured;
  let local: NoopFloor;
  let cross: NoopFloor;
  let mixed: RateRow[];
  let best: RateRow;
  let allLocal: RateRow;
  let allCross: RateRow;
  try {
    const [a] = cluster.servers;
    const open = () => connectHttp(a.mcpUrl, a.token);
    const pids = () => cluster.pids.slice(0, 3);
    hops = await pubsubFloor(cluster.redis, scale.dispatchCalls);
    local = await measureMcp(open, pids, objectInfo(uuids[home.indexOf(0)]!), scale.dispatchCalls, scale.concurrency, false);
    cross = await measureMcp(open, pids, objectInfo(uuids[home.indexOf(1)]!), scale.dispatchCalls, scale.concurrency, false);

    const measure = async (layout: string, target: (i: number) => string, counts: number[]): Promise<RateRow[]> => {
      const cells = await rateCells(scale, cluster.servers, target, cluster.pids, counts);
      return cells.map((c) => {
        // Session i is on process i mod 2.
        const crosses = (i: number) => home[uuids.indexOf(target(i))] !== i % 2;
        const crossing = c.perSession.filter((_, i) => crosses(i)).length;
        const total = c.perSession.reduce((sum, s) => sum + s.length, 0);
        const kind = (other: boolean): CallsOfKind => {
          const samples = c.perSession.filter((_, i) => crosses(i) === other).flat();
          const latency = samples.length > 0 ? summarize(samples) : null;
          return { share: samples.length / total, rate: (samples.length / c.wallMs) * 1000, p50: latency?.p50 ?? null, p99: latency?.p99 ?? null };
        };
        return {
          layout,
          sessions: c.sessions,
          crossShare: crossing / c.sessions,
          kinds: { own: kind(false), other: kind(true) },
          rate: c.rate,
          p50: c.p50,
          p99: c.p99,
          cpu: c.cpu,
          loadCpu: c.loadCpu,
        };
      });
    };
    mixed = await measure(`2 processes + Redis, addon i mod ${n}`, (i) => uuids[i % n]!, scale.scaleoutSessions);
    best = mixed.reduce((x, y) => (y.rate > x.rate ? y : x));
    // The two ends of the same load at the best session count: every session's addon on its own process, or on the other.
    const nth = (proc: number, k: number) => {
      const there = uuids.filter((_, j) => home[j] === proc);
      return there[k % there.length]!;
    };
    [allLocal] = (await measure("2 processes + Redis, addon on the session's process", (i) => nth(i % 2, i >> 1), [best.sessions])) as [RateRow];
    [allCross] = (await measure("2 processes + Redis, addon on the other process", (i) => nth(1 - (i % 2), i >> 1), [best.sessions])) as [RateRow];
  } finally {
    await cluster.stop();
  }

  const bus = await startBus(n);
  let single: NoopFloor;
  let baseline: RateRow;
  try {
    const open = () => connectHttp(bus.server.mcpUrl, bus.server.token);
    single = await measureMcp(open, () => [bus.server.pid], objectInfo(bus.uuids[0]!), scale.dispatchCalls, scale.concurrency, false);
    const [c] = await rateCells(scale, [bus.server], (i) => bus.uuids[i % n]!, [bus.server.pid, bus.addons.pid], [best.sessions]);
    baseline = { layout: "1 process, no Redis", sessions: c!.sessions, crossShare: null, kinds: null, rate: c!.rate, p50: c!.p50, p99: c!.p99, cpu: [c!.cpu[0]!, null, null, c!.cpu[1]!], loadCpu: c!.loadCpu };
  } finally {
    await bus.stop();
  }

  const latencies: LatencyRow[] = [
    { path: "one process, no Redis", result: single, cpu: (r) => [r.cpu[0]!, null, null] },
    { path: "2 processes + Redis: session and addon on A", result: local, cpu: (r) => r.cpu },
    { path: "2 processes + Redis: session on A, addon on B", result: cross, cpu: (r) => r.cpu },
  ];
  const latencyRows: (string | number)[][] = [];
  for (const mode of ["sequential", "concurrent"] as const) {
    const base = single[mode].latency;
    for (const row of latencies) {
      const r = row.result[mode];
      latencyRows.push([
        row.path,
        mode === "sequential" ? "sequential" : `${scale.concurrency} concurrent sessions`,
        fmtInt(r.latency.n),
        fmtMs(r.latency.p50),
        fmtMs(r.latency.p95),
        fmtMs(r.latency.p99),
        row.result === single ? "-" : fmtMs(r.latency.p50 - base.p50),
        row.result === single ? "-" : fmtMs(r.latency.p99 - base.p99),
        fmtInt(r.rate),
        ...row.cpu(r).map(pct),
      ]);
    }
  }
  const rateRows = [...mixed, allLocal, allCross, baseline].map((r) => [
    r.layout,
    r.sessions,
    fmtInt(r.rate),
    fmtMs(r.p50),
    fmtMs(r.p99),
    ...r.cpu.map(pct),
    r.loadCpu.toFixed(0),
  ]);
  const percent = (share: number) => `${Math.round(share * 100)} %`;
  const kindCells = (k: CallsOfKind) => (k.p50 === null ? ["0", "-", "-"] : [fmtInt(k.rate), fmtMs(k.p50), fmtMs(k.p99!)]);
  const kindRows = [...mixed, allLocal, allCross].map((r) => [
    r.layout,
    r.sessions,
    percent(r.crossShare!),
    percent(r.kinds!.other.share),
    ...kindCells(r.kinds!.own),
    ...kindCells(r.kinds!.other),
  ]);
  const crossOverLocal = cross.sequential.latency.p50 - local.sequential.latency.p50;
  const onA = home.filter((h) => h === 0).length;

  const body = `Two \`blender-mcp serve --redis\` processes, A and B, on one \`redis-server\` (no persistence),
sharing a data dir so that the local token works on both (each keeps its own job store and log), with
${n} fake addons: ${onA} attached to A, ${n - onA} to B. Beside them, one process without \`--redis\` and with the
same ${n} addons: the single-process figures of sections 2 and 3, measured again in this run.
A job for a Blender on the other process goes out on that process's Redis channel as the addon protocol's
own \`command_dispatch\`; the Blender's \`running\` and \`completed\` job_updates come back the same way, and
the session's process, which alone settles the job, writes each state to the shared record in Redis
(a Lua script) and publishes each job event on the channel every process listens to.

Latency: \`blender_get_object_info {name: "Cube"}\` with \`target_uuid\` naming one addon, sequential over
Streamable HTTP, then from ${scale.concurrency} concurrent sessions, after a warm-up; every session is on A. Added is the
row minus the one process without Redis at the same percentile.

${table(
  ["path", "callers", "calls", "p50 ms", "p95 ms", "p99 ms", "added p50", "added p99", "calls/s", "server A CPU %", "server B CPU %", "redis CPU %"],
  latencyRows,
)}

Sequentially, the addon on the other process costs ${fmtMs(crossOverLocal)} ms at p50 over the addon on the session's
own process (both with \`--redis\`). The two Redis hops that path adds (the dispatch out, the completed
job_update back) take ${fmtMs(hops.latency.p50)} ms p50, ${fmtMs(hops.latency.p99)} ms p99 on their own: a message the size of a routed
command_dispatch published to another Node process that publishes it back, with the server's Redis client
(node-redis), ${fmtInt(hops.latency.n)} round trips after a warm-up.

Throughput: closed loop for ${scale.throughputCellMs / 1000} s per row after a 0.5 s warm-up, as in section 3. Session i is on A or
B in turn (i mod 2) and asks addon i mod ${n}. At the best of those session counts, the same sessions again
with every addon on the session's own process, then every addon on the other process, and last one
process without Redis. CPU columns are percent of one core; everything here (both servers, Redis, the
addons worker and the load generator) shares this machine's ${cpus().length} cores.

${table(
  ["layout", "sessions", "dispatches/s", "p50 ms", "p99 ms", "server A CPU %", "server B CPU %", "redis CPU %", "addons CPU %", "load gen CPU %"],
  rateRows,
)}

The same two-process rows split by session: those whose addon is on their own process, and those whose
addon is on the other one (the share of sessions, then the share of the calls they completed).

${table(
  ["layout", "sessions", "sessions to the other process", "calls to the other process", "own process calls/s", "p50 ms", "p99 ms", "other process calls/s", "p50 ms", "p99 ms"],
  kindRows,
)}

Best across two processes with addon i mod ${n}: ${fmtInt(best.rate)}/s with ${best.sessions} sessions; at that count,
${fmtInt(allLocal.rate)}/s with every addon on the session's process, ${fmtInt(allCross.rate)}/s with every addon on the other
one, and ${fmtInt(baseline.rate)}/s from one process without Redis.
`;
  const values: Record<string, number> = {
    single_p50: single.sequential.latency.p50,
    local_redis_p50: local.sequential.latency.p50,
    cross_p50: cross.sequential.latency.p50,
    cross_added_p50: cross.sequential.latency.p50 - single.sequential.latency.p50,
    cross_over_local_p50: crossOverLocal,
    redis_hops_p50: hops.latency.p50,
    single_concurrent_p50: single.concurrent.latency.p50,
    local_redis_concurrent_p50: local.concurrent.latency.p50,
    cross_concurrent_p50: cross.concurrent.latency.p50,
    best_rate: best.rate,
    all_local_rate: allLocal.rate,
    all_cross_rate: allCross.rate,
    single_rate: baseline.rate,
  };
  for (const r of mixed) {
    values[`rate_${r.sessions}s`] = r.rate;
    values[`other_process_rate_${r.sessions}s`] = r.kinds!.other.rate;
  }
  return { id: ID, title: TITLE, body, values };
}
