/**
 * Keepalive for WebSockets: one timer pings every watched socket each
 * interval, and one that has missed two pings in a row is dropped (one lost
 * pong is not a dead peer). Any frame from the peer counts as an answer.
 */
import type { WebSocket } from "ws";

export class Heartbeat {
  private readonly watched = new Map<WebSocket, { missed: number; onDead: () => void }>();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.timer = setInterval(() => this.beat(), intervalMs);
    this.timer.unref();
  }

  /** Watches ws until it closes; onDead runs just before a silent one is terminated. */
  watch(ws: WebSocket, onDead: () => void = () => {}): void {
    this.watched.set(ws, { missed: 0, onDead });
    ws.on("pong", () => this.heard(ws));
    ws.on("message", () => this.heard(ws));
    ws.on("close", () => this.watched.delete(ws));
  }

  private heard(ws: WebSocket): void {
    const entry = this.watched.get(ws);
    if (entry) entry.missed = 0;
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
