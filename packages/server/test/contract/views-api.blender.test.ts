/** blender_get_views, blender_search_api and blender_get_api in real Blender 3.4, 4.3 and 5.2. */
import { test } from "node:test";
import { BLENDER_VERSIONS, blenderSkipReason } from "@blender-mcp/test-support/blender";
import { blenderKind } from "./blender-kind.js";
import { viewsApiSuite } from "./views-api.js";

for (const version of BLENDER_VERSIONS) {
  const skip = await blenderSkipReason(version);
  if (skip) test(`views and API: Blender ${version}`, { skip }, () => {});
  else viewsApiSuite(blenderKind(version), version);
}
