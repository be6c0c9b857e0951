/** The same contract suite, answered by real Blender 3.4, 4.3 and 5.2 (as provisioned here). */
import { test } from "node:test";
import { BLENDER_VERSIONS, blenderSkipReason } from "@blender-mcp/test-support/blender";
import { blenderKind } from "./blender-kind.js";
import { contractSuite } from "./suite.js";

for (const version of BLENDER_VERSIONS) {
  const skip = await blenderSkipReason(version);
  if (skip) test(`dispatch contract: Blender ${version}`, { skip }, () => {});
  else contractSuite(blenderKind(version), "http");
}
