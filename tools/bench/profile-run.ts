/**
 * `node --import tsx tools/bench/profile-run.ts [SECONDS] [SESSIONS] [http|ws]`:
 * a closed loop of SESSIONS (default 64, the throughput load; 1 is the
 * sequential latency path) over Streamable HTTP or the MCP WebSocket
 * (default http) against one fake addon and a server under
 * `node --cpu-prof`, then the profile's top self-time functions. For finding
 * what to fix when a goal is missed; not part of `pnpm bench`.
 */
import { startBus } from "./bus.js";
import { connectHttp, connectWebSocket, type McpConnection } from "./lean-mcp.js";
import { closeAll, closedLoop } from "./load.js";
import { cpuProfiles } from "./procs.js";
import { byPackage, topSelfTime } from "./profile.js";
import { readFileSync } from "node:fs";

const seconds = Number(process.argv[2] ?? 10);
const sessions = Number(process.argv[3] ?? 64);
const door = process.argv[4] === "ws" ? connectWebSocket : connectHttp;
const bus = await startBus(1, { cpuProfile: true });
const conns: McpConnection[] = [];
for (let i = 0; i < sessions; i++) conns.push(await door(door === connectWebSocket ? bus.server.mcpSocketUrl : bus.server.mcpUrl, bus.server.token));
const result = await closedLoop(conns, { durationMs: seconds * 1000, call: (c) => c.call("blender_get_object_info", { name: "Cube" }) });
await closeAll(conns);
await bus.stop();
process.stdout.write(`${result.calls} calls (${((result.calls / result.wallMs) * 1000).toFixed(0)}/s), ${result.errors} errors\n`);
for (const file of cpuProfiles(bus.server)) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  process.stdout.write(`\n${file}\n`);
  for (const g of byPackage(profile).slice(0, 12)) process.stdout.write(`${g.share.toFixed(1).padStart(5)} %  ${g.group}\n`);
  process.stdout.write("\n");
  for (const h of topSelfTime(profile, 30)) process.stdout.write(`${h.share.toFixed(1).padStart(5)} %  ${h.selfMs.toFixed(0).padStart(6)} ms  ${h.name}  ${h.where}\n`);
}
process.exit(0);
