/** Moved to @blender-mcp/test-support/browser; this name stays until every import says so. */
export * from "@blender-mcp/test-support/browser";
