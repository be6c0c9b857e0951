/** A server with fake addons attached: the setup shared by the dispatch, throughput, payload and scale-out benchmarks. */
import { startServer, startWorker, type BenchServer, type ServerOptions, type Worker } from "./procs.js";

export interface Bus {
  server: BenchServer;
  addons: Worker;
  /** uuids of the fake addons, in order. */
  uuids: string[];
  stop(): Promise<void>;
}

/** Attaches `count` fake addons, uuids prefix-0, prefix-1, ..., from an addons worker to a server; returns their uuids. */
export async function attachAddons(addons: Worker, server: BenchServer, count: number, prefix: string, preset = "default"): Promise<string[]> {
  await addons.call("connect", { url: server.addonUrl, token: server.token, count, prefix, preset });
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}

export async function startBus(addonCount: number, options: ServerOptions & { preset?: string } = {}): Promise<Bus> {
  const server = await startServer(options);
  let addons: Worker | null = null;
  try {
    addons = await startWorker("addons");
    const uuids = await attachAddons(addons, server, addonCount, "bench", options.preset);
    const worker = addons;
    return {
      server,
      addons: worker,
      uuids,
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
