/**
 * fetch with a per-request abort signal. The MCP SDK's HTTP client passes
 * one long-lived signal to every request, and fetch keeps a listener on it
 * per request until garbage collection; in the stdio relay, which lives as
 * long as its client, that grows without bound. Here each request listens
 * to the shared signal only until its response body has been read.
 */
export const scopedFetch: typeof fetch = async (input, init) => {
  const outer = init?.signal;
  if (!outer) return fetch(input, init);
  const inner = new AbortController();
  const abort = () => inner.abort(outer.reason);
  const release = () => outer.removeEventListener("abort", abort);
  if (outer.aborted) abort();
  else outer.addEventListener("abort", abort, { once: true });
  try {
    const response = await fetch(input, { ...init, signal: inner.signal });
    if (!response.body) {
      release();
      return response;
    }
    // Released when the body ends, fails or is cancelled: the SDK cancels an event stream once it has its answer.
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            release();
            controller.close();
          } else controller.enqueue(value);
        } catch (error) {
          release();
          controller.error(error);
        }
      },
      cancel(reason) {
        release();
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  } catch (error) {
    release();
    throw error;
  }
};
