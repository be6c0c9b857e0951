/**
 * WebSocket sends gathered per socket until the end of this turn of the event
 * loop, then written in one go. Under load a turn sends several frames down
 * one socket (a Blender gets the dispatches of many sessions; an MCP session
 * gets its answer and its job's notification), and each frame written alone
 * is a system call of its own: in a profile of the throughput run, `writev`
 * was the server's largest single cost. A lone frame waits only until the
 * turn's immediates run, behind work already under way.
 */
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";

const corked = new Set<Duplex>();
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/**
 * socket: the one the upgrade handed to `handleUpgrade` for this ws (ws
 * writes its frames there); the frame goes as text, as ws.send(text) does.
 */
export function sendBatched(ws: WebSocket, socket: Duplex, text: string): void {
  if (!corked.has(socket) && !socket.destroyed) {
    socket.cork();
    corked.add(socket);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  }
  ws.send(text);
}
