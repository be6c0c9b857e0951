/** Every benchmark, in the order they run and appear in BENCHMARKS.md. */
import * as blender from "./blender.js";
import * as blenderTail from "./blender-tail.js";
import * as connections from "./connections.js";
import * as dispatch from "./dispatch.js";
import * as floor from "./floor.js";
import * as payloads from "./payloads.js";
import * as scaleout from "./scaleout.js";
import * as spread from "./spread.js";
import * as throughput from "./throughput.js";
import * as toolsets from "./toolsets.js";
import { redisSkipReason } from "../redis/redis-server.js";
import type { Section } from "./report.js";
import type { Scale } from "./scale.js";

export interface Benchmark {
  id: string;
  run(scale: Scale): Promise<Section>;
  /** Why it cannot run on this machine (a program it needs is missing), or null; throws where that must fail instead. */
  skipReason?: () => string | null;
}

export const BENCHMARKS: Benchmark[] = [
  { id: "floor", run: floor.run },
  { id: "dispatch", run: dispatch.run },
  { id: "throughput", run: throughput.run },
  { id: "connections", run: connections.run },
  { id: "payloads", run: payloads.run },
  { id: "blender", run: blender.run },
  { id: "blender-tail", run: blenderTail.run },
  { id: "scaleout", run: scaleout.run, skipReason: redisSkipReason },
  { id: "toolsets", run: toolsets.run },
  { id: "spread", run: spread.run },
];
