import { resolve } from "node:path";

export const REPO_ROOT = resolve(import.meta.dirname, "..");
export const SCHEMA_DIR = "packages/protocol/schemas";
export const ADDON_DIR = "packages/addon-py";
export const ADDON_PACKAGE = "blender_mcp_bus";
export const PY_GENERATED_DIR = `${ADDON_DIR}/${ADDON_PACKAGE}/generated`;
export const DIST_DIR = "dist";
