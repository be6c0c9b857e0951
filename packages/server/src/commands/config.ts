/**
 * `blender-mcp config <client> [--write]`: prints the MCP client's config
 * for this server, or merges it into the client's own file after a backup.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { defaultDataDir } from "../auth/data-dir.js";
import { TokenStore } from "../auth/tokens.js";
import { DEFAULT_PORT, LOCAL_USER } from "../config.js";
import { BrokenConfigError, CLIENTS, CLIENT_SHAPES, isClient, mergeEntry, snippet, type Launch } from "./client-config.js";

const PACKAGE_ROOT = join(import.meta.dirname, "..", "..");
const CLI_PATH = join(PACKAGE_ROOT, "dist", "cli.js");
/** The workspace's own name: a clone runs its built cli.js; the published package runs through npx. */
const WORKSPACE_NAME = "@blender-mcp/server";

export const CONFIG_USAGE = `blender-mcp config <client> [--write] [--name NAME] [--port N] [--toolsets LIST] [--file PATH]

Prints the config that makes <client> start this server (over stdio; the http form talks to a running serve).
Clients: ${CLIENTS.join(", ")}
  --write          merge it into the client's config file (keeps every other entry; backs the file up first)
  --name NAME      the server's name in the client (default blender)
  --port N         the hub's port (default ${DEFAULT_PORT})
  --toolsets LIST  tool groups the client gets (default core)
  --file PATH      another config file than the client's usual one
  --data-dir DIR   where the local token is (http form)`;

/** How a client starts this server: npx for the published package, this node and cli.js for a clone. */
export function launchCommand(extra: string[]): Launch {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { name: string };
  if (manifest.name === WORKSPACE_NAME) return { command: process.execPath, args: [CLI_PATH, "stdio", ...extra] };
  return { command: "npx", args: ["-y", manifest.name, "stdio", ...extra] };
}

const say = (text: string) => process.stderr.write(`${text}\n`);

export async function configCommand(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        write: { type: "boolean" },
        name: { type: "string" },
        port: { type: "string" },
        toolsets: { type: "string" },
        file: { type: "string" },
        "data-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    say(`blender-mcp config: ${(error as Error).message}\n\n${CONFIG_USAGE}`);
    return 2;
  }
  const client = positionals[0];
  if (values.help || client === undefined) {
    process.stdout.write(`${CONFIG_USAGE}\n`);
    return client === undefined && !values.help ? 2 : 0;
  }
  if (!isClient(client)) {
    say(`blender-mcp config: unknown client ${client}; one of ${CLIENTS.join(", ")}`);
    return 2;
  }
  const port = (values.port as string | undefined) ?? String(DEFAULT_PORT);
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    say(`blender-mcp config: --port must be a port number (1-65535), got ${port}`);
    return 2;
  }
  const extra = [...(port === String(DEFAULT_PORT) ? [] : ["--port", port]), ...(values.toolsets ? ["--toolsets", values.toolsets as string] : [])];
  const name = (values.name as string | undefined) ?? "blender";
  const query = values.toolsets ? `?toolsets=${encodeURIComponent(values.toolsets as string)}` : "";
  const http = {
    url: `http://127.0.0.1:${port}/mcp${query}`,
    token: client === "http" ? new TokenStore((values["data-dir"] as string | undefined) ?? defaultDataDir()).ensureLocalToken(LOCAL_USER) : "",
  };
  const launch = launchCommand(extra);
  const shape = CLIENT_SHAPES[client];
  const text = `${JSON.stringify(snippet(client, name, launch, http), null, 2)}\n`;
  const file = (values.file as string | undefined) ?? shape.file({ platform: process.platform, home: homedir(), env: process.env });

  if (!values.write) {
    process.stdout.write(text);
    if (client === "claude-code") say(`Or: claude mcp add ${name} -- ${[launch.command, ...launch.args].map(quote).join(" ")}`);
    if (client === "http") say("The header holds your local token: treat this output as a secret.");
    if (file) say(`For ${shape.title} this goes in ${file} (blender-mcp config ${client} --write merges it there).`);
    return 0;
  }
  if (!file) {
    say(`blender-mcp config: ${client} has no config file of its own to write; paste the printed form into your client, or pass --file PATH`);
    return 2;
  }
  const existing = existsSync(file) ? readFileSync(file, "utf8") : null;
  let merged: string;
  try {
    merged = mergeEntry(file, existing, client, name, shape.entry(launch, http));
  } catch (error) {
    if (!(error instanceof BrokenConfigError)) throw error;
    say(`blender-mcp config: ${error.message}`);
    return 1;
  }
  mkdirSync(dirname(file), { recursive: true });
  let backup = "";
  if (existing !== null) {
    backup = `${file}.${new Date().toISOString().replace(/[:.]/g, "-")}.bak`;
    copyFileSync(file, backup);
  }
  // Written beside and renamed over, so a crash never leaves half a config.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, merged);
  renameSync(temporary, file);
  say(`Wrote "${name}" to ${file}${backup ? ` (the previous file is in ${backup})` : ""}. Restart ${shape.title} to pick it up.`);
  return 0;
}

const quote = (arg: string) => (/^[\w./:=@-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
