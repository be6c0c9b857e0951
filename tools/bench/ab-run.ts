/**
 * `node --import tsx tools/bench/ab-run.ts SECONDS SESSIONS http|ws legacy|modern`: one closed-loop
 * throughput cell (as section 3 measures, 1 fake addon) and one sequential p50, printed as a line of JSON.
 * cpuMsPerCall (server CPU time per dispatch) is the least load-sensitive figure on a shared machine.
 * With BENCH_SERVER_CLI pointing at another build, two builds can be compared in turns under the same load.
 */
import { loadavg } from "node:os";
import { startBus } from "./bus.js";
import { connectHttp, connectWebSocket, type Era, type McpConnection } from "./lean-mcp.js";
import { closeAll, closedLoop } from "./load.js";
import { summarize } from "./stats.js";
import { cell } from "./throughput.js";

const seconds = Number(process.argv[2] ?? 4);
const sessions = Number(process.argv[3] ?? 50);
const door = process.argv[4] === "ws" ? "ws" : "http";
const era: Era = process.argv[5] === "modern" ? "modern" : "legacy";
const bus = await startBus(1);
const open = () => (door === "ws" ? connectWebSocket(bus.server.mcpSocketUrl, bus.server.token, era) : connectHttp(bus.server.mcpUrl, bus.server.token, era));
const call = (c: McpConnection) => c.call("blender_get_object_info", { name: "Cube" });
const conns: McpConnection[] = [];
try {
  for (let i = 0; i < sessions; i++) conns.push(await open());
  const r = await cell(conns, seconds * 1000, [bus.server.pid], call);
  const seq = await closedLoop(conns.slice(0, 1), { calls: 2000, call });
  const s = summarize(seq.samples);
  process.stdout.write(
    `${JSON.stringify({ door, era, sessions, rate: Math.round(r.rate), p50: +r.p50.toFixed(3), serverCpu: Math.round(r.cpu[0]!), cpuMsPerCall: +((r.cpu[0]! * 10) / r.rate).toFixed(3), seqP50: +s.p50.toFixed(3), load: +loadavg()[0]!.toFixed(2), cli: process.env.BENCH_SERVER_CLI ?? "dist" })}\n`,
  );
} finally {
  await closeAll(conns);
  await bus.stop();
}
process.exit(0);
