/** How much each benchmark does: the full run that writes BENCHMARKS.md, and the smoke test's token amounts. */
export interface Scale {
  name: "full" | "smoke";
  /** Calls per floor measurement (sequential, and again concurrent). */
  floorCalls: number;
  /** Concurrent callers for the floor and dispatch latency runs. */
  concurrency: number;
  /** Calls per dispatch latency measurement over HTTP. */
  dispatchCalls: number;
  /** The same over stdio, whose relay makes each call dearer. */
  stdioCalls: number;
  throughputAddons: number[];
  throughputSessions: number[];
  /** Measured time per throughput cell. */
  throughputCellMs: number;
  connections: number[];
  /** Load-generator processes the idle addons are spread over. */
  connectionWorkers: number;
  payloadCalls: number;
  blenderCalls: number;
  /** Fake addons in the scale-out throughput run, half on each server process. */
  scaleoutAddons: number;
  /** Concurrent MCP sessions in the scale-out throughput run, spread round-robin over the processes. */
  scaleoutSessions: number[];
}

export const FULL: Scale = {
  name: "full",
  floorCalls: 10_000,
  concurrency: 64,
  dispatchCalls: 10_000,
  stdioCalls: 5_000,
  throughputAddons: [1, 10, 100],
  throughputSessions: [1, 10, 25, 50, 100],
  throughputCellMs: 4_000,
  connections: [1_000, 10_000],
  connectionWorkers: 4,
  payloadCalls: 20,
  blenderCalls: 200,
  scaleoutAddons: 10,
  scaleoutSessions: [10, 50, 100],
};

export const SMOKE: Scale = {
  name: "smoke",
  floorCalls: 20,
  concurrency: 4,
  dispatchCalls: 20,
  stdioCalls: 10,
  throughputAddons: [1, 2],
  throughputSessions: [1, 2],
  throughputCellMs: 200,
  connections: [20],
  connectionWorkers: 2,
  payloadCalls: 1,
  blenderCalls: 2,
  // Four, so that some sessions' addons are on the other process (with two, session i and addon i share one).
  scaleoutAddons: 4,
  scaleoutSessions: [2, 4],
};
