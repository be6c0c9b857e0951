/** 5. Payloads: a 1920x1080 screenshot and a 10 MB execute_code output, end to end through the bus. */
import { startBus } from "./bus.js";
import { connectHttp, type ToolResult } from "./lean-mcp.js";
import { closedLoop } from "./load.js";
import { measured } from "./floor.js";
import { table, type Section } from "./report.js";
import type { Scale } from "./scale.js";
import { CpuMeter, fmtBytes, fmtMs } from "./stats.js";

/** Bytes of the tool result as the client received it (text, structured content, image data). */
const resultBytes = (r: ToolResult) => Buffer.byteLength(JSON.stringify(r));

export async function run(scale: Scale): Promise<Section> {
  const bus = await startBus(1, { preset: "payloads" });
  try {
    const conn = await connectHttp(bus.server.mcpUrl, bus.server.token);
    const cases = [
      { what: "viewport screenshot 1920x1080 (noise PNG)", tool: "blender_get_viewport_screenshot", args: { max_size: 1920 } },
      { what: "execute_code with 10 MiB of stdout", tool: "blender_execute_code", args: { code: "print('x' * 99)" } },
    ];
    const rows: (string | number)[][] = [];
    const values: Record<string, number> = {};
    for (const [i, c] of cases.entries()) {
      let size = 0;
      const call = async () => {
        const r = await conn.call(c.tool, c.args);
        size = resultBytes(r);
        return r;
      };
      await closedLoop([conn], { calls: 1, call });
      const meter = new CpuMeter([bus.server.pid]);
      const m = measured(await closedLoop([conn], { calls: scale.payloadCalls, call }), meter.read());
      const mbps = size / 1e6 / (m.latency.p50 / 1000);
      rows.push([c.what, m.latency.n, fmtBytes(size), fmtMs(m.latency.p50), fmtMs(m.latency.p95), mbps.toFixed(0), m.serverCpu.toFixed(0)]);
      values[`p50_${i}`] = m.latency.p50;
      values[`bytes_${i}`] = size;
    }
    await conn.close();
    const body = `One fake addon answers with a canned payload, so the time is the bus's (WebSocket in, JSON parse, result
check, MCP result out) and not the fake's. The screenshot travels as base64 in the job_update and leaves
as MCP image content; execute_code's stdout is in the result twice, as JSON text and as structuredContent,
as every dispatch tool returns it. Sequential calls over Streamable HTTP after one warm-up call.

${table(["payload", "calls", "MCP response", "p50 ms", "p95 ms", "MB/s at p50", "server CPU %"], rows)}
`;
    return { id: "payloads", title: "5. Payloads", body, values };
  } finally {
    await bus.stop();
  }
}
