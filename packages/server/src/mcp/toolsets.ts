/**
 * Which tools a session advertises: the `toolsets` query parameter of the
 * request that opens it (`/mcp?toolsets=core,api`), else the server's
 * `--toolsets`. Per session, so clients sharing one hub can differ.
 */
import type { IncomingMessage } from "node:http";
import { toolsFor, type ToolDef } from "@blender-mcp/protocol";

export type ToolChoice = { ok: true; tools: readonly ToolDef[] } | { ok: false; error: string };

/** By spec: a 2026-07-28 client asks on every request, and the same array lets each server reuse its listing (tools/index.ts). */
const choices = new Map<string, ToolChoice>();
const MAX_CHOICES = 256;

export function toolsForSpec(spec: string | undefined): ToolChoice {
  const key = spec ?? "";
  let choice = choices.get(key);
  if (choice === undefined) {
    try {
      choice = { ok: true, tools: toolsFor(spec) };
    } catch (e) {
      choice = { ok: false, error: `${(e as Error).message} (the toolsets query parameter)` };
    }
    // Specs come from clients: a bounded cache, so odd ones cannot grow it for ever.
    if (choices.size < MAX_CHOICES) choices.set(key, choice);
  }
  return choice;
}

export function chooseTools(req: IncomingMessage, fallback: string | null): ToolChoice {
  const url = req.url ?? "/";
  const asked = url.includes("?") ? new URL(url, "http://localhost").searchParams.get("toolsets") : null;
  return toolsForSpec(asked ?? fallback ?? undefined);
}
