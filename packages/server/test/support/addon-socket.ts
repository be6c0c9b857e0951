/** A raw addon WebSocket past the auth handshake, for tests that script the addon's side frame by frame. */
import { once } from "node:events";
import WebSocket from "ws";
import { AUTH_HEADER, AUTH_SCHEME, authenticateSocket } from "@blender-mcp/protocol";

export const HANDSHAKE_HEADERS = { [AUTH_HEADER]: AUTH_SCHEME };

export async function authedAddonSocket(url: string, token: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, { ...options, headers: { ...HANDSHAKE_HEADERS, ...options.headers } });
  await once(ws, "open");
  await authenticateSocket(ws, token, "addon", url);
  return ws;
}
