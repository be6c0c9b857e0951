/**
 * The contract suite against real Blender 3.4, 4.3 and 5.2, its clients speaking 2026-07-28 (stateless
 * requests) where blender.test.ts speaks 2025-11-25. A file of its own: each run launches its own Blenders
 * (the suite starts and stops them per test), so on this 2-core machine both eras in one file outgrew the
 * runner's 20-minute limit for a file under load.
 */
import { test } from "node:test";
import { BLENDER_VERSIONS, blenderSkipReason } from "@blender-mcp/test-support/blender";
import { blenderKind } from "./blender-kind.js";
import { contractSuite } from "./suite.js";

for (const version of BLENDER_VERSIONS) {
  const skip = await blenderSkipReason(version);
  if (skip) test(`dispatch contract (2026-07-28): Blender ${version}`, { skip }, () => {});
  else contractSuite(blenderKind(version), "http", "modern");
}
