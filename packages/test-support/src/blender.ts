/** Real Blender for tests: provisioned versions, launching one with the addon zip, throw-away installs (tools/blender/). */
export * from "../../../tools/blender/launch.js";
export * from "../../../tools/blender/wrapper.js";
