/**
 * Where the server keeps what must survive restarts (the token store, the
 * local token file). The addon computes the same default path to find the
 * local token, so the two rules must stay identical: BLENDER_MCP_HOME, else
 * the platform's per-user data folder.
 */
import { homedir, platform } from "node:os";
import { join } from "node:path";

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BLENDER_MCP_HOME) return env.BLENDER_MCP_HOME;
  switch (platform()) {
    case "win32":
      return join(env.APPDATA ?? join(homedir(), "AppData", "Roaming"), "blender-mcp");
    case "darwin":
      return join(homedir(), "Library", "Application Support", "blender-mcp");
    default:
      return join(env.XDG_DATA_HOME ?? join(homedir(), ".local", "share"), "blender-mcp");
  }
}

export const LOCAL_TOKEN_FILE = "local-token";
export const TOKEN_STORE_FILE = "tokens.json";
