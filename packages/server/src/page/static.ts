/**
 * The page's files, read once at start. They sit in src/page/static/ and
 * are plain HTML, CSS and JS; the server's build copies them to
 * dist/page/static/, so they sit beside this module in both (tsx runs src,
 * the built and the packed server run dist).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface Asset {
  type: string;
  body: Buffer;
  etag: string;
}

const DIR = join(import.meta.dirname, "static");
const TYPES: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "page.css": "text/css; charset=utf-8",
  "page.js": "text/javascript; charset=utf-8",
};

export function loadAssets(): { index: Asset; files: Map<string, Asset> } {
  const files = new Map<string, Asset>();
  for (const [name, type] of Object.entries(TYPES)) {
    const body = readFileSync(join(DIR, name));
    files.set(`/page/${name}`, { type, body, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"` });
  }
  return { index: files.get("/page/index.html")!, files };
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The answer to a browser without a session: what happened and how to get in. */
export function notSignedIn(why: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Blender MCP bus: sign in</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/page/page.css"></head>
<body><main class="signin"><h1>Blender MCP bus</h1><p id="why">${escape(why)}</p>
<p>Run <code>blender-mcp open</code> for a new one-time link (or use the link <code>blender-mcp serve</code> printed).</p></main></body></html>`;
}
