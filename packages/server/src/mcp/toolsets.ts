/**
 * Which tools a session advertises: the `toolsets` query parameter of the
 * request that opens it (`/mcp?toolsets=core,api`), else the server's
 * `--toolsets`. Per session, so clients sharing one hub can differ.
 */
import type { IncomingMessage } from "node:http";
import { toolsFor, type ToolDef } from "@blender-mcp/protocol";

export type ToolChoice = { ok: true; tools: readonly ToolDef[] } | { ok: false; error: string };

export function chooseTools(req: IncomingMessage, fallback: string | null): ToolChoice {
  const asked = new URL(req.url ?? "/", "http://localhost").searchParams.get("toolsets");
  try {
    return { ok: true, tools: toolsFor(asked ?? fallback ?? undefined) };
  } catch (e) {
    return { ok: false, error: `${(e as Error).message} (the toolsets query parameter)` };
  }
}
