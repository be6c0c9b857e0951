/**
 * After a spread render that completed, on every worker still connected: back to its own
 * start file (so a later render without a UI renders that), then the shipped
 * scene, the streamed frames' folder and any note deleted. Best effort: a
 * worker that fails to tidy up still ends the render as it was.
 */
import type { UserBus } from "../bus/user-bus.js";
import type { Call } from "./transfer.js";
import type { Opener, WorkerScenes } from "./worker-scenes.js";

export interface Leftovers {
  scenes: WorkerScenes;
  /** Worker -> this render's scene on it. */
  sceneOn: Map<string, string>;
  /** Worker -> the folder it rendered streamed frames into. */
  workerFolders: Map<string, string>;
  /** Other files this render wrote on a worker: [worker, path]. */
  leftovers: [string, string][];
  /** A caller a cancel does not stop. */
  tidy: Call;
  open: Opener;
}

export async function tidyWorkers(bus: UserBus, workers: string[], left: Leftovers): Promise<void> {
  const connected = new Set(bus.listClients().map((c) => c.uuid));
  const remove = (w: string, filepath: string) => left.tidy(w, "delete_transfer_file", { filepath }).catch(() => undefined);
  await Promise.all(
    workers
      .filter((w) => connected.has(w))
      .map(async (w) => {
        const scene = left.sceneOn.get(w);
        if (scene !== undefined) await left.scenes.release(w, scene, left.open).then(() => remove(w, scene), () => undefined);
        const folder = left.workerFolders.get(w);
        if (folder !== undefined) await remove(w, folder);
        for (const [who, file] of left.leftovers) if (who === w) await remove(w, file);
      }),
  );
}
