/**
 * Keepalive for WebSockets: one timer pings every watched socket each
 * interval, and one that has missed two pings in a row is dropped (one lost
 * pong is not a dead peer). The owner reports what it hears (a pong or any
 * frame) and when a socket closes, from the listeners it has anyway: with
 * ten thousand idle addons, listeners of its own would cost a kilobyte each.
 */
import type { WebSocket } from "ws";

export class Heartbeat {
  private readonly watched = new Map<WebSocket, { missed: number; onDead: () => void }>();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.timer = setInterval(() => this.beat(), intervalMs);
    this.timer.unref();
  }

  /** onDead runs just before a silent socket is terminated. */
  watch(ws: WebSocket, onDead: () => void): void {
    this.watched.set(ws, { missed: 0, onDead });
  }

  /** A pong or any frame from the peer. */
  heard(ws: WebSocket): void {
    const entry = this.watched.get(ws);
    if (entry) entry.missed = 0;
  }

  /** The socket closed. */
  forget(ws: WebSocket): void {
    this.watched.delete(ws);
  }

  private beat(): void {
    for (const [ws, entry] of this.watched) {
      if (entry.missed >= 2) {
        entry.onDead();
        ws.terminate();
        continue;
      }
      entry.missed++;
      ws.ping();
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
