/**
 * 4. Connections: the server's resident memory with 1,000 and 10,000 idle
 * fake addons registered, and how long registering them took. Each count
 * gets a fresh server, since RSS does not shrink when connections close.
 */
import { startServer, startWorker, type Worker } from "./procs.js";
import { goalLine, table, type Goal, type Section } from "./report.js";
import type { Scale } from "./scale.js";
import { CpuMeter, fmtBytes, fmtInt, rssBytes } from "./stats.js";

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function clientsOnBus(port: number): Promise<number> {
  const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { clients: number };
  return health.clients;
}

interface Row {
  count: number;
  baseRss: number;
  rss: number;
  perConnection: number;
  registerMs: number;
  rate: number;
  serverCpu: number;
}

async function measure(count: number, workers: number, settleMs: number): Promise<Row> {
  const server = await startServer();
  const pool: Worker[] = [];
  try {
    for (let i = 0; i < workers; i++) pool.push(await startWorker("addons"));
    await settle(settleMs);
    const baseRss = rssBytes(server.pid);
    const meter = new CpuMeter([server.pid]);
    const t0 = Date.now();
    const shares = pool.map((_, i) => Math.floor(count / workers) + (i < count % workers ? 1 : 0));
    await Promise.all(
      pool.map((w, i) => w.call("connect", { url: server.addonUrl, token: server.token, count: shares[i], prefix: `idle-${i}`, concurrency: 50 })),
    );
    const registerMs = Date.now() - t0;
    const [serverCpu] = meter.read();
    const registered = await clientsOnBus(server.port);
    if (registered !== count) throw new Error(`${registered} of ${count} addons registered`);
    await settle(settleMs);
    const rss = rssBytes(server.pid);
    return { count, baseRss, rss, perConnection: (rss - baseRss) / count, registerMs, rate: (count / registerMs) * 1000, serverCpu: serverCpu! };
  } finally {
    await Promise.all(pool.map((w) => w.stop()));
    await server.stop();
  }
}

export async function run(scale: Scale): Promise<Section> {
  const rows: Row[] = [];
  const settleMs = scale.name === "full" ? 3000 : 200;
  for (const count of scale.connections) rows.push(await measure(count, scale.connectionWorkers, settleMs));
  const largest = rows[rows.length - 1]!;
  const goal: Goal = {
    what: `server memory per idle addon at ${fmtInt(largest.count)} addons`,
    measured: largest.perConnection / 1000,
    limit: 50,
    kind: "max",
    unit: "KB",
  };
  const body = `Fake addons connect (WebSocket upgrade, hello, welcome) from ${scale.connectionWorkers} load-generator processes, 50 at a
time each, to a fresh server with token auth, then sit idle. Memory is the server's VmRSS after ${settleMs / 1000} s of quiet,
before and after; per connection is the difference divided by the count. Registration time runs from the
first connect to the last welcome; server CPU is over that window.

${table(
  ["addons", "RSS before", "RSS after", "per addon", "time to register", "registrations/s", "server CPU %"],
  rows.map((r) => [fmtInt(r.count), fmtBytes(r.baseRss), fmtBytes(r.rss), fmtBytes(r.perConnection), `${(r.registerMs / 1000).toFixed(2)} s`, fmtInt(r.rate), r.serverCpu.toFixed(0)]),
)}

${goalLine(goal, (n) => n.toFixed(1))}
`;
  const values: Record<string, number> = {};
  for (const r of rows) {
    values[`bytes_per_addon_${r.count}`] = r.perConnection;
    values[`register_ms_${r.count}`] = r.registerMs;
  }
  return { id: "connections", title: "4. Connections", body, values };
}
