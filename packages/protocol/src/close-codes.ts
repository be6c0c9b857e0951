/**
 * WebSocket close codes the server sends, in the application range
 * (4000-4999) where they are its own, so a peer can tell why it was dropped.
 */
import { z } from "zod";

/** The addon socket (/addon). */
export const CLOSE = {
  /** A newer connection from the same Blender (same client_uuid) took this one's place: do not reconnect. */
  replaced: 4000,
  helloTimeout: 4001,
  /** The hello or the handshake was refused; a refused message said why. */
  refused: 4002,
  rateLimited: 4004,
  authTimeout: 4005,
  shutdown: 1001,
} as const;

/** The MCP WebSocket (/mcp, subprotocol mcp). */
export const MCP_CLOSE = { unauthorized: 4401, shutdown: 1001 } as const;

export const CloseCode = z.literal(Object.values(CLOSE)).describe("Why the server closed an addon's socket");
export const McpCloseCode = z.literal(Object.values(MCP_CLOSE)).describe("Why the server closed an MCP WebSocket");
export type CloseCode = z.infer<typeof CloseCode>;
