/**
 * fetch over in-memory links: an HTTP/1.1 request written by node's own
 * client onto a fresh link per request, its response handed back as a web
 * Response that streams (server-sent events arrive as they are written).
 */
import { request as httpRequest } from "node:http";
import type { Duplex } from "node:stream";
import { Readable } from "node:stream";

/** Statuses whose Response may not have a body. */
const NO_BODY = new Set([101, 204, 205, 304]);

export function fetchOver(connect: () => Duplex): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : null;
    const signal = request.signal;
    signal.throwIfAborted();
    return new Promise<Response>((resolve, reject) => {
      const req = httpRequest(
        {
          method: request.method,
          host: url.hostname,
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          headers: Object.fromEntries(request.headers),
          createConnection: () => connect() as never,
        },
        (res) => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const one of Array.isArray(value) ? value : [value ?? ""]) headers.append(name, one);
          }
          const status = res.statusCode ?? 500;
          const stream = NO_BODY.has(status) ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
          if (stream === null) res.resume();
          resolve(new Response(stream, { status, statusText: res.statusMessage, headers }));
        },
      );
      // An abort ends the request, or the body being read (an event stream the client closes).
      const abort = () => req.destroy(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      signal.addEventListener("abort", abort, { once: true });
      req.once("close", () => signal.removeEventListener("abort", abort));
      req.once("error", reject);
      req.end(body ?? undefined);
    });
  };
}
