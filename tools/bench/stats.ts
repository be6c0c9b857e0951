/**
 * Numbers for the benchmarks: latency summaries, and a process's CPU time and
 * resident memory read from /proc (so the server is measured from outside,
 * with no hook in the product).
 */
import { readFileSync } from "node:fs";

export interface Latency {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

/** Milliseconds; nearest-rank percentiles. */
export function summarize(samplesMs: number[]): Latency {
  if (samplesMs.length === 0) throw new Error("no samples");
  const sorted = Float64Array.from(samplesMs).sort();
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { n: sorted.length, p50: rank(50), p95: rank(95), p99: rank(99), mean: sum / sorted.length, max: sorted[sorted.length - 1]! };
}

/** Milliseconds since an hrtime.bigint() reading. */
export const msSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

const TICKS_PER_SECOND = 100; // USER_HZ; 100 on every Linux Node supports

/** utime + stime of a process, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is parenthesised and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** VmRSS of a process, in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb) * 1024;
}

/** Share of one core a set of processes used between two readings. */
export class CpuMeter {
  private readonly start: number[];
  private readonly t0 = process.hrtime.bigint();

  constructor(private readonly pids: number[]) {
    this.start = pids.map(cpuSeconds);
  }

  /** Percent of one core per process, in the order given. */
  read(): number[] {
    const wall = msSince(this.t0) / 1000;
    return this.pids.map((pid, i) => (100 * (cpuSeconds(pid) - this.start[i]!)) / wall);
  }
}

export const fmtMs = (ms: number): string => (ms < 1 ? ms.toFixed(3) : ms < 100 ? ms.toFixed(2) : ms.toFixed(0));
export const fmtInt = (n: number): string => Math.round(n).toLocaleString("en-US");
export const fmtBytes = (b: number): string =>
  b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(1)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${Math.round(b)} B`;
