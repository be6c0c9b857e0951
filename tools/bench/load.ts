/** Closed-loop callers: each connection calls, waits, calls again, until the count or the time runs out. */
import type { McpConnection, ToolResult } from "./lean-mcp.js";
import { msSince } from "./stats.js";

export interface LoadOptions {
  /** Stop after this many calls in all (counted when started)... */
  calls?: number;
  /** ...or after this long. */
  durationMs?: number;
  /** Callers per connection (several in flight on one stdio pipe or HTTP session). */
  callersPerConnection?: number;
  call: (conn: McpConnection, n: number) => Promise<ToolResult>;
}

export interface LoadResult {
  samples: number[];
  /** The same samples, by the connection that made them. */
  byConnection: Map<McpConnection, number[]>;
  calls: number;
  /** Calls that did not come back as a completed tool result. */
  errors: number;
  firstError: string | null;
  wallMs: number;
}

/** A dispatch tool's result is completed; the floor's noop has no status and counts when not an error. */
export function completed(result: ToolResult): boolean {
  if (result.isError) return false;
  const status = result.structuredContent?.status;
  return status === undefined || status === "completed";
}

export async function closedLoop(conns: McpConnection[], options: LoadOptions): Promise<LoadResult> {
  const { calls = Infinity, durationMs = Infinity, callersPerConnection = 1 } = options;
  const samples: number[] = [];
  const byConnection = new Map(conns.map((c) => [c, [] as number[]]));
  let started = 0;
  let errors = 0;
  let firstError: string | null = null;
  const t0 = process.hrtime.bigint();
  const deadline = Date.now() + durationMs;
  const caller = async (conn: McpConnection) => {
    while (started < calls && Date.now() < deadline) {
      const n = started++;
      const t = process.hrtime.bigint();
      try {
        const result = await options.call(conn, n);
        const ms = msSince(t);
        samples.push(ms);
        byConnection.get(conn)!.push(ms);
        if (!completed(result)) {
          errors++;
          firstError ??= JSON.stringify(result.structuredContent ?? result.content).slice(0, 300);
        }
      } catch (error) {
        errors++;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(conns.flatMap((c) => Array.from({ length: callersPerConnection }, () => caller(c))));
  return { samples, byConnection, calls: samples.length, errors, firstError, wallMs: msSince(t0) };
}

export async function closeAll(conns: McpConnection[]): Promise<void> {
  await Promise.all(conns.map((c) => c.close()));
}
