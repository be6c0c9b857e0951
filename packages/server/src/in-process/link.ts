/**
 * An in-memory connection: two ends that behave as the two sockets of a TCP
 * connection do for node's HTTP server and client and for ws. Bytes written
 * to one end are read from the other, ending one end ends the other's
 * reading (what was sent before stays readable), and destroying an end
 * that had not ended destroys the other too (a reset).
 */
import { Duplex } from "node:stream";

class LinkEnd extends Duplex {
  peer!: LinkEnd;
  /** The peer's write callback, held while this end's reader is behind (backpressure). */
  private resumeWriter: (() => void) | null = null;
  private ended = false;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // On a later tick, as a network delivers: the reader's code never runs inside the writer's call
    // (ws, for one, would see the peer's close frame before its own close() returned).
    process.nextTick(() => {
      if (this.peer.destroyed) return callback(Object.assign(new Error("the other end of the in-memory link is closed"), { code: "ECONNRESET" }));
      if (this.peer.push(chunk)) callback();
      else this.peer.resumeWriter = () => callback();
    });
  }

  override _read(): void {
    const resume = this.resumeWriter;
    this.resumeWriter = null;
    resume?.();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.ended = true;
    // After the last chunk, which is still on its way.
    process.nextTick(() => {
      this.peer.push(null);
      callback();
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.ended && !this.peer.destroyed) this.peer.destroy();
    callback(error);
  }

  // What node's HTTP server and ws ask of a socket they are given; a link has no timers or Nagle to set.
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
}

/** A new in-memory connection: [the client's end, the server's end]. */
export function memoryLink(): [client: Duplex, server: Duplex] {
  const client = new LinkEnd();
  const server = new LinkEnd();
  client.peer = server;
  server.peer = client;
  return [client, server];
}
