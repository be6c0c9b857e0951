/**
 * The server as a Blender 4.2+ extension repository for its own add-on:
 * GET /extensions/index.json is the index `blender -c extension
 * server-generate` would write for the shipped extension zip, and the zip
 * sits beside it, so a user adds one URL in Get Extensions (Repositories,
 * Add Remote Repository) and gets the add-on that matches this server's
 * version, updates included. Public like any extension repository: no
 * token, and Blender's query string (platform, version) is ignored.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { addonZipDir, addonZipMissing, EXTENSION_ZIP, EXTENSIONS_INDEX } from "../addon-files.js";

export const EXTENSIONS_PATH = "/extensions";

function send(req: IncomingMessage, res: ServerResponse, file: string, type: string): void {
  const { size } = statSync(file);
  res.writeHead(200, { "content-type": type, "content-length": size, "cache-control": "no-cache" });
  if (req.method === "HEAD") return void res.end();
  createReadStream(file).pipe(res);
}

/** Answers a request under /extensions and returns true, or returns false for any other path. */
export function serveExtensions(req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? "/").split("?")[0]!;
  if (path !== EXTENSIONS_PATH && !path.startsWith(`${EXTENSIONS_PATH}/`)) return false;
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("extension repository: GET only\n");
    return true;
  }
  const dir = addonZipDir();
  const name = path.slice(EXTENSIONS_PATH.length).replace(/^\/+/, "");
  if (dir === null || !existsSync(join(dir, EXTENSIONS_INDEX))) {
    res.writeHead(404, { "content-type": "text/plain" }).end(`extension repository unavailable: ${addonZipMissing()}\n`);
    return true;
  }
  // Exact names only: nothing else in the folder, and no way out of it, is served.
  if (name === "" || name === "index.json") send(req, res, join(dir, EXTENSIONS_INDEX), "application/json");
  else if (name === EXTENSION_ZIP) send(req, res, join(dir, EXTENSION_ZIP), "application/zip");
  else res.writeHead(404, { "content-type": "text/plain" }).end(`not in this repository: ${name}; the index is ${EXTENSIONS_PATH}/index.json\n`);
  return true;
}
