/** A real `blender-mcp` process for tests, on a free port, with its logs captured. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

export const CLI = join(import.meta.dirname, "../../dist/cli.js");

export interface ServerProcess {
  port: number;
  mcpUrl: URL;
  addonUrl: string;
  baseUrl: string;
  logs: Record<string, unknown>[];
  /** The local user's token, from the server's local token file. */
  token: string;
  dataDir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Resolves when the server logs server.listening; rejects with its output if it exits first. */
export function startServer(args: string[] = [], options: { dataDir?: string; port?: number } = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "blender-mcp-data-"));
  const port = String(options.port ?? 0);
  // Tests exercise every tool; a test of the default toolsets passes its own --toolsets.
  const toolsets = args.includes("--toolsets") ? [] : ["--toolsets", "all"];
  const child = spawn(process.execPath, [CLI, "serve", "--port", port, "--data-dir", dataDir, ...toolsets, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  const logs: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stderr! }).on("line", (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        entry = { event: "raw", line };
      }
      logs.push(entry);
      if (entry.event === "server.listening") {
        const port = entry.port as number;
        const baseUrl = `http://127.0.0.1:${port}`;
        resolve({
          port,
          baseUrl,
          mcpUrl: new URL(`${baseUrl}/mcp`),
          addonUrl: `ws://127.0.0.1:${port}/addon`,
          logs,
          token: args.includes("none") ? "" : readFileSync(join(dataDir, "local-token"), "utf8").trim(),
          dataDir,
          process: child,
          stop: async () => {
            if (child.exitCode === null) child.kill("SIGTERM");
            await exited;
            if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening: ${JSON.stringify(logs)}`)));
  });
}
