import { INDEX_PATH, renderCommandIndex } from "../../packages/protocol/scripts/command-index.mjs";
import { SCHEMA_DIR, PY_GENERATED_DIR } from "../paths.js";
import { renderJsonSchemas } from "./json-schema.js";
import { renderPython } from "./python.js";

/** Folders that hold nothing but generated files: stale files there are removed. */
export const GENERATED_DIRS = [SCHEMA_DIR, PY_GENERATED_DIR];

/** Every generated file, path (relative to the repository) to content. */
export async function renderAll(): Promise<Map<string, string>> {
  return new Map([[INDEX_PATH, renderCommandIndex()], ...renderJsonSchemas(), ...(await renderPython())]);
}
