/** A server with fake addons attached: the setup shared by the dispatch, throughput and payload benchmarks. */
import { startServer, startWorker, type BenchServer, type ServerOptions, type Worker } from "./procs.js";

export interface Bus {
  server: BenchServer;
  addons: Worker;
  /** uuids of the fake addons, in order. */
  uuids: string[];
  stop(): Promise<void>;
}

export async function startBus(addonCount: number, options: ServerOptions & { preset?: string } = {}): Promise<Bus> {
  const server = await startServer(options);
  let addons: Worker | null = null;
  try {
    addons = await startWorker("addons");
    const prefix = "bench";
    await addons.call("connect", { url: server.addonUrl, token: server.token, count: addonCount, prefix, preset: options.preset ?? "default" });
    const worker = addons;
    return {
      server,
      addons: worker,
      uuids: Array.from({ length: addonCount }, (_, i) => `${prefix}-${i}`),
      async stop() {
        await worker.stop();
        await server.stop();
      },
    };
  } catch (error) {
    await addons?.stop();
    await server.stop();
    throw error;
  }
}
