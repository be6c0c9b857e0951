/**
 * Which .blend each worker has open, and one turn at a time on it: a chunk
 * of a spread render opens the scene it needs (if the worker has another
 * open) and renders inside its turn, so two spread renders over the same
 * workers never render a chunk in the other's scene. Known per serve process:
 * workers attached to another process (Redis) are not serialised across processes.
 */
import type { BlenderClient } from "../bus/client.js";
import type { UserBus } from "../bus/user-bus.js";

/** The file a worker must have open: a path, or "" for its own start file (`--blend`, else a new file). */
export type SceneFile = string;

/** Opens `file` on the worker (its own start file when `file` is ""). */
export type Opener = (worker: string, file: SceneFile) => Promise<void>;

interface Slot {
  /** The connection this is known for: a new one starts with the file its hello names, its start file. */
  client: BlenderClient;
  /** What it has open, as far as this process knows; null: unknown. */
  open: SceneFile | null;
  turn: Promise<void>;
}

export class WorkerScenes {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly bus: UserBus) {}

  /** Runs `work` in the worker's turn, once it has `file` open. */
  async inScene<T>(worker: string, file: SceneFile, open: Opener, work: () => Promise<T>): Promise<T> {
    return this.turn(worker, async (slot) => {
      if (slot.open !== file) {
        slot.open = null; // a failed open leaves it unknown
        await open(worker, file);
        slot.open = file;
      }
      return work();
    });
  }

  /** In the worker's turn: back to its start file if `file` is what it has open (a render is done with it). */
  async release(worker: string, file: SceneFile, open: Opener): Promise<void> {
    await this.turn(worker, async (slot) => {
      if (slot.open !== file || file === "") return;
      slot.open = null;
      await open(worker, "");
      slot.open = "";
    });
  }

  private async turn<T>(worker: string, work: (slot: Slot) => Promise<T>): Promise<T> {
    const client = this.bus.listClients().find((c) => c.uuid === worker);
    let slot = this.slots.get(worker);
    if (!slot || slot.client !== client) {
      slot = { client: client!, open: "", turn: Promise.resolve() };
      this.slots.set(worker, slot);
    }
    const mine = slot;
    const before = mine.turn;
    let done!: () => void;
    mine.turn = new Promise<void>((resolve) => (done = resolve));
    await before;
    try {
      return await work(mine);
    } finally {
      done();
    }
  }
}

const perBus = new WeakMap<UserBus, WorkerScenes>();

/** The bus's one WorkerScenes: every spread render on it shares the workers' turns. */
export function workerScenes(bus: UserBus): WorkerScenes {
  let scenes = perBus.get(bus);
  if (!scenes) perBus.set(bus, (scenes = new WorkerScenes(bus)));
  return scenes;
}
