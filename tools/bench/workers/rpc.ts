/** The worker side of procs.ts's startWorker: named handlers answered over IPC; the worker ends with the channel. */
type Handler = (args: Record<string, unknown>) => unknown;

export function serveRpc(handlers: Record<string, Handler>): void {
  if (!process.send) throw new Error("run me with startWorker() (an IPC channel is needed)");
  const all: Record<string, Handler> = { ready: () => process.pid, ...handlers };
  process.on("message", async (message: { id: number; command: string; args: Record<string, unknown> }) => {
    try {
      const handler = all[message.command];
      if (!handler) throw new Error(`unknown command ${message.command}`);
      process.send!({ id: message.id, result: (await handler(message.args)) ?? null });
    } catch (error) {
      process.send!({ id: message.id, error: (error as Error).stack ?? String(error) });
    }
  });
  // The harness is gone (or done): nothing here outlives it.
  process.on("disconnect", () => process.exit(0));
}
