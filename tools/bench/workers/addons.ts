/**
 * Fake addons for the benchmarks, many per process: connected with bounded
 * concurrency, with fixed uuids (prefix-0, prefix-1, ...) so callers can
 * target them, and canned answers for the payload benchmarks.
 */
import { randomBytes } from "node:crypto";
import { FakeAddon, rgbPng, type Behaviour } from "@blender-mcp/fake-addon";
import { serveRpc } from "./rpc.js";

const addons: FakeAddon[] = [];

/** Answers prepared once, so the payload benchmarks time the bus and not the fake's encoder. */
function behaviours(preset: string): Record<string, Behaviour> {
  switch (preset) {
    case "payloads": {
      // Noise does not compress: the largest PNG a 1920x1080 viewport can make (a real one is far smaller).
      const bytes = randomBytes(1920 * 1080 * 3);
      let k = 0;
      const png = rgbPng(1920, 1080, () => [bytes[k++]!, bytes[k++]!, bytes[k++]!]).toString("base64");
      const stdout = `${"x".repeat(99)}\n`.repeat(100 * 1024); // 10 MiB
      return {
        get_viewport_screenshot: { kind: "answer", result: () => ({ filepath: null, width: 1920, height: 1080, png_base64: png }) },
        execute_code: { kind: "answer", result: () => ({ stdout, stderr: "", truncated: false }) },
      };
    }
    default:
      return {};
  }
}

serveRpc({
  async connect(args) {
    const { url, token, count, prefix, concurrency = 100, preset = "default" } = args as {
      url: string;
      token: string | null;
      count: number;
      prefix: string;
      concurrency?: number;
      preset?: string;
    };
    const canned = behaviours(preset);
    const start = process.hrtime.bigint();
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < count; i = next++) {
        const addon = new FakeAddon({ url, uuid: `${prefix}-${i}`, label: `${prefix}-${i}`, behaviours: canned, ...(token ? { token } : {}) });
        await addon.connect();
        addons.push(addon);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
    return { ms: Number(process.hrtime.bigint() - start) / 1e6, connected: addons.length };
  },
  async close() {
    await Promise.all(addons.splice(0).map((a) => a.close()));
  },
});
