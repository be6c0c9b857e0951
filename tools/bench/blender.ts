/**
 * 6. Real Blender: get_scene_info, execute_code("pass") and a 512 px
 * screenshot through the full MCP path, beside the same addon's bare socket
 * round trips measured from a stand-in server (ping answered on the addon's
 * socket thread; command_dispatch through Blender's main-thread drainer).
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { WebSocketServer, type WebSocket } from "ws";
import { keyFromToken, keyIdOf, newNonce, PACKAGE_VERSION, PROTOCOL_VERSION, transcriptProof } from "@blender-mcp/protocol";
import { availableBlenders, launchBlender, type BlenderVersion } from "../blender/launch.js";
import { REPO_ROOT } from "../paths.js";
import { startServer } from "./procs.js";
import { connectHttp } from "./lean-mcp.js";
import { closedLoop } from "./load.js";
import { latencyCells, measured } from "./floor.js";
import { goalLine, table, type Goal, type Section } from "./report.js";
import type { Scale } from "./scale.js";
import { fmtMs, msSince, summarize, type Latency } from "./stats.js";

const ZIP = join(REPO_ROOT, `dist/blender_mcp_bus-${PACKAGE_VERSION}.zip`);

const COMMANDS = [
  { label: "get_scene_info", tool: "blender_get_scene_info", command: "get_scene_info", params: {} },
  { label: 'execute_code("pass")', tool: "blender_execute_code", command: "execute_code", params: { code: "pass" } },
  { label: "screenshot 512 px", tool: "blender_get_viewport_screenshot", command: "get_viewport_screenshot", params: { max_size: 512 } },
] as const;

interface Measurement {
  label: string;
  latency: Latency;
}

/** The full path: MCP client, server, addon, Blender's main thread and back. */
async function throughMcp(version: BlenderVersion, calls: number): Promise<Measurement[]> {
  const server = await startServer();
  let blender: Awaited<ReturnType<typeof launchBlender>> | null = null;
  try {
    blender = await launchBlender({
      version,
      zip: ZIP,
      env: { BLENDER_MCP_BUS_URL: server.addonUrl, BLENDER_MCP_BUS_LABEL: `bench-${version}`, ...(server.token ? { BLENDER_MCP_BUS_TOKEN: server.token } : {}) },
    });
    const conn = await connectHttp(server.mcpUrl, server.token);
    const out: Measurement[] = [];
    for (const c of COMMANDS) {
      const call = () => conn.call(c.tool, c.params);
      await closedLoop([conn], { calls: Math.min(20, calls), call });
      out.push({ label: c.label, latency: measured(await closedLoop([conn], { calls, call }), []).latency });
    }
    await conn.close();
    return out;
  } finally {
    await blender?.stop();
    await server.stop();
  }
}

/** A stand-in server on the addon socket: the auth handshake, welcome, then timed pings and dispatches on that one socket. */
async function bareSocket(version: BlenderVersion, calls: number): Promise<Measurement[]> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await new Promise((resolve) => wss.once("listening", resolve));
  const port = (wss.address() as { port: number }).port;
  const token = `bmcp_${randomBytes(32).toString("base64url")}`;
  const key = keyFromToken(token);
  const socket = new Promise<WebSocket>((resolve) => {
    wss.once("connection", (ws) => {
      ws.once("message", (data) => {
        // The stand-in knows the token, so it proves itself as the real server does; the addon's proof comes next.
        const begin = JSON.parse(data.toString()) as { key_id: string; client_nonce: string };
        const serverNonce = newNonce();
        const proof = transcriptProof(key, "server", "addon", keyIdOf(key), begin.client_nonce, serverNonce);
        ws.send(JSON.stringify({ message_type: "auth_challenge", protocol_version: PROTOCOL_VERSION, server_nonce: serverNonce, server_proof: proof }));
        ws.once("message", () => ws.once("message", (data) => {
        const hello = JSON.parse(data.toString()) as { client_uuid: string; protocol_version: number };
        // A long heartbeat: this stand-in never pings, and the addon must not give up on it mid-run.
        ws.send(JSON.stringify({ message_type: "welcome", server_version: PACKAGE_VERSION, protocol_version: hello.protocol_version, client_uuid: hello.client_uuid, heartbeat_seconds: 600 }));
        resolve(ws);
        }));
      });
    });
  });
  let blender: Awaited<ReturnType<typeof launchBlender>> | null = null;
  try {
    blender = await launchBlender({ version, zip: ZIP, env: { BLENDER_MCP_BUS_URL: `ws://127.0.0.1:${port}/addon`, BLENDER_MCP_BUS_LABEL: "bench-bare", BLENDER_MCP_BUS_TOKEN: token } });
    const ws = await socket;
    /** Sends a frame and resolves when `done` accepts a reply. */
    const roundTrip = (frame: object, done: (m: Record<string, unknown>) => boolean) =>
      new Promise<number>((resolve, reject) => {
        const t = process.hrtime.bigint();
        const onMessage = (data: Buffer) => {
          const m = JSON.parse(data.toString()) as Record<string, unknown>;
          if (m.message_type === "job_update" && m.status === "failed") reject(new Error(`job failed: ${String(m.error)}`));
          if (!done(m)) return;
          ws.off("message", onMessage);
          resolve(msSince(t));
        };
        ws.on("message", onMessage);
        ws.send(JSON.stringify(frame));
      });
    const series = async (make: () => [object, (m: Record<string, unknown>) => boolean]) => {
      for (let i = 0; i < Math.min(20, calls); i++) await roundTrip(...make());
      const samples: number[] = [];
      for (let i = 0; i < calls; i++) samples.push(await roundTrip(...make()));
      return summarize(samples);
    };
    const out: Measurement[] = [];
    out.push({
      label: "ping / pong (socket thread)",
      latency: await series(() => {
        const nonce = randomBytes(6).toString("hex");
        return [{ message_type: "ping", nonce }, (m) => m.message_type === "pong" && m.nonce === nonce];
      }),
    });
    for (const c of COMMANDS) {
      out.push({
        label: `${c.label} (command_dispatch)`,
        latency: await series(() => {
          const jobId = `bench-${randomBytes(6).toString("hex")}`;
          return [
            { message_type: "command_dispatch", job_id: jobId, command: c.command, params: c.params, priority: "info" },
            (m) => m.message_type === "job_update" && m.job_id === jobId && m.status === "completed",
          ];
        }),
      });
    }
    return out;
  } finally {
    await blender?.stop();
    await new Promise((resolve) => wss.close(resolve));
  }
}

export async function run(scale: Scale): Promise<Section> {
  const available = await availableBlenders();
  const versions = scale.name === "full" ? available : available.slice(0, 1);
  if (versions.length === 0) {
    return { id: "blender", title: "6. Real Blender", body: "No Blender is provisioned here (`bash tools/blender/provision.sh 3.4`); not measured.", values: {} };
  }
  const rows: (string | number)[][] = [];
  const values: Record<string, number> = {};
  const goals: string[] = [];
  for (const version of versions) {
    const bare = await bareSocket(version, scale.blenderCalls);
    const mcp = await throughMcp(version, scale.blenderCalls);
    for (const m of bare) rows.push([version, "bare addon socket", m.label, m.latency.n, ...latencyCells(m.latency)]);
    for (const m of mcp) rows.push([version, "full MCP path", m.label, m.latency.n, ...latencyCells(m.latency)]);
    const v = version.replace(".", "_");
    values[`ping_p50_${v}`] = bare[0]!.latency.p50;
    values[`scene_bare_p50_${v}`] = bare[1]!.latency.p50;
    values[`scene_mcp_p50_${v}`] = mcp[0]!.latency.p50;
    values[`scene_mcp_minus_bare_p50_${v}`] = mcp[0]!.latency.p50 - bare[1]!.latency.p50;
    if (version === "3.4") {
      const goal: Goal = { what: "Blender 3.4 get_scene_info through the full MCP path, p50", measured: mcp[0]!.latency.p50, limit: 6.4, kind: "max", unit: "ms" };
      goals.push(goalLine(goal, fmtMs));
    }
  }
  const body = `Each Blender runs under Xvfb with the addon installed from \`dist/\` (\`tools/blender/launch.ts\`), the default
scene, and is launched twice: once against a stand-in server in the harness that times frames on the addon's
socket (ping is answered on the addon's socket thread; command_dispatch goes through the main-thread drainer
and is timed to the completed job_update), and once against the real server, timed from the MCP client.
Full path minus bare command_dispatch is what the server and MCP add; bare command_dispatch minus ping is
Blender's main loop and the handler.

${table(["Blender", "path", "call", "calls", "p50 ms", "p95 ms", "p99 ms"], rows)}

${goals.join("\n\n")}
`;
  return { id: "blender", title: "6. Real Blender", body, values };
}
