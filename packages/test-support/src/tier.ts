/** The fast tier's guard (tools/test-tier.ts): a test that starts Blender, Redis or Chromium must say so in its file name. */
export * from "../../../tools/test-tier.js";
