/**
 * The fast tier (`node tools/test.mjs --fast`) has no real Blender, Redis or
 * Chromium: a test that reaches for one from a file whose name does not say
 * so (name.blender.test.ts, see tools/test.mjs) fails here, saying how to
 * fix it, instead of quietly skipping or slowing the tier down.
 */
export type Need = "blender" | "redis" | "browser";

const WHAT: Record<Need, string> = { blender: "real Blender", redis: "redis-server", browser: "Chromium" };

export function assertTierHas(need: Need): void {
  if (process.env.BLENDER_MCP_TEST_TIER !== "fast") return;
  throw new Error(`this test needs ${WHAT[need]}, which the fast tier does not have: name its file *.${need}.test.ts (the slow tier; see tools/test.mjs)`);
}
