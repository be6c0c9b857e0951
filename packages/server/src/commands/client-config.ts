/**
 * What each MCP client wants in its config file, and where that file is.
 * Pure: the CLI (config.ts) does the reading and writing.
 */
import { join } from "node:path";

export const CLIENTS = ["claude-desktop", "claude-code", "cursor", "vscode", "windsurf", "http"] as const;
export type ClientName = (typeof CLIENTS)[number];

export interface Launch {
  command: string;
  args: string[];
}

export interface Place {
  platform: NodeJS.Platform;
  home: string;
  env: NodeJS.ProcessEnv;
}

interface ClientShape {
  title: string;
  /** The top-level key that maps server names to entries. */
  key: "mcpServers" | "servers";
  entry(launch: Launch, http: HttpTarget): Record<string, unknown>;
  /** The user-level config file, or null when the client has none to merge into. */
  file(place: Place): string | null;
}

export interface HttpTarget {
  url: string;
  token: string;
}

/** The per-user application-data folder each desktop app keeps its settings under. */
function appData(place: Place, ...parts: string[]): string {
  if (place.platform === "win32") return join(place.env.APPDATA ?? join(place.home, "AppData", "Roaming"), ...parts);
  if (place.platform === "darwin") return join(place.home, "Library", "Application Support", ...parts);
  return join(place.env.XDG_CONFIG_HOME ?? join(place.home, ".config"), ...parts);
}

const stdio = (launch: Launch) => ({ command: launch.command, args: launch.args });

export const CLIENT_SHAPES: Record<ClientName, ClientShape> = {
  "claude-desktop": {
    title: "Claude Desktop",
    key: "mcpServers",
    entry: stdio,
    file: (place) => appData(place, "Claude", "claude_desktop_config.json"),
  },
  "claude-code": {
    title: "Claude Code (user scope)",
    key: "mcpServers",
    entry: (launch) => ({ type: "stdio", ...stdio(launch) }),
    file: (place) => join(place.home, ".claude.json"),
  },
  cursor: {
    title: "Cursor",
    key: "mcpServers",
    entry: stdio,
    file: (place) => join(place.home, ".cursor", "mcp.json"),
  },
  vscode: {
    title: "VS Code (user mcp.json)",
    key: "servers",
    entry: (launch) => ({ type: "stdio", ...stdio(launch) }),
    file: (place) => appData(place, "Code", "User", "mcp.json"),
  },
  windsurf: {
    title: "Windsurf",
    key: "mcpServers",
    entry: stdio,
    file: (place) => join(place.home, ".codeium", "windsurf", "mcp_config.json"),
  },
  http: {
    title: "any Streamable HTTP client",
    key: "mcpServers",
    entry: (_launch, http) => ({ type: "http", url: http.url, headers: { Authorization: `Bearer ${http.token}` } }),
    file: () => null,
  },
};

export function isClient(name: string): name is ClientName {
  return (CLIENTS as readonly string[]).includes(name);
}

/** The snippet to paste: `{ key: { name: entry } }`. */
export function snippet(client: ClientName, name: string, launch: Launch, http: HttpTarget): Record<string, unknown> {
  const shape = CLIENT_SHAPES[client];
  return { [shape.key]: { [name]: shape.entry(launch, http) } };
}

export class BrokenConfigError extends Error {}

/** Line and column (1-based) of a character offset, for saying where a file is broken. */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

/**
 * The file's text with one server entry set and everything else kept. An
 * empty or missing file starts from {}; text that is not a JSON object is
 * refused with where it breaks, so nothing is written over it.
 */
export function mergeEntry(path: string, existing: string | null, client: ClientName, name: string, entry: Record<string, unknown>): string {
  const key = CLIENT_SHAPES[client].key;
  let config: Record<string, unknown> = {};
  if (existing !== null && existing.trim() !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(existing);
    } catch (error) {
      const at = /position (\d+)/.exec((error as Error).message);
      const where = at ? ` at ${lineAndColumn(existing, Number(at[1]))}` : "";
      throw new BrokenConfigError(
        `${path} is not valid JSON${where} (${(error as Error).message}); nothing was changed. Fix the file (comments and trailing commas are not JSON) and run again, or paste the snippet this command prints without --write.`,
      );
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new BrokenConfigError(`${path} holds JSON that is not an object; nothing was changed. Expected {"${key}": {...}}.`);
    }
    config = parsed as Record<string, unknown>;
  }
  const servers = config[key];
  if (servers !== undefined && (servers === null || typeof servers !== "object" || Array.isArray(servers))) {
    throw new BrokenConfigError(`${path}: "${key}" is not an object; nothing was changed.`);
  }
  config[key] = { ...(servers as Record<string, unknown> | undefined), [name]: entry };
  return `${JSON.stringify(config, null, 2)}\n`;
}
