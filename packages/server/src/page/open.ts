/**
 * The command-line side of the live page: the link `serve` logs at start,
 * and `blender-mcp open`, which asks the running server for a fresh
 * one-time link with the local token and opens it in the browser.
 */
import { spawn } from "node:child_process";
import { platform } from "node:os";
import { readLocalToken } from "../auth/tokens.js";
import { LOCAL_USER, type Config } from "../config.js";
import type { Logger } from "../log.js";
import type { Page } from "./index.js";

/** Where a browser on this machine reaches the server: a wildcard bind is reached on loopback. */
export function pageBase(config: Config, port: number): string {
  const host = config.host === "0.0.0.0" || config.host === "" ? "127.0.0.1" : config.host === "::" ? "[::1]" : config.host.includes(":") ? `[${config.host}]` : config.host;
  return `${config.tlsCert ? "https" : "http"}://${host}:${port}`;
}

/** The line `serve` prints: a link for the local user, good once. */
export async function announcePage(page: Page, config: Config, port: number, log: Logger): Promise<void> {
  log.info("page.link", { url: await page.link(LOCAL_USER, pageBase(config, port)), note: "open once to watch your jobs live; `blender-mcp open` prints a new one" });
}

function openInBrowser(url: string): void {
  const [command, args] =
    platform() === "darwin" ? ["open", [url]] : platform() === "win32" ? ["cmd", ["/c", "start", '""', url]] : ["xdg-open", [url]];
  const child = spawn(command, args, { stdio: "ignore", detached: true });
  child.on("error", (error) => process.stderr.write(`blender-mcp: could not start ${command} (${error.message}); open the link above yourself\n`));
  child.unref();
}

/** `blender-mcp open [--print]`: prints the link on stdout and, unless --print, opens it. */
export async function openPage(config: Config, printOnly: boolean): Promise<void> {
  const token = readLocalToken(config.dataDir);
  if (!token) throw new Error(`no local token in ${config.dataDir}: start the server first (blender-mcp serve), with the same --data-dir`);
  const base = pageBase(config, config.port);
  let answer: Response;
  try {
    answer = await fetch(`${base}/page/link`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    throw new Error(`no server answers at ${base} (${(error as Error).message}): start it with blender-mcp serve, or pass its --host / --port`);
  }
  const body = (await answer.json()) as { url?: string; error?: string };
  if (!answer.ok || !body.url) throw new Error(`the server at ${base} refused a page link: ${body.error ?? answer.status}`);
  process.stdout.write(`${body.url}\n`);
  if (!printOnly) openInBrowser(body.url);
}
