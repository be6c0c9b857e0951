/**
 * Files between Blenders and the server, a chunk per bus job
 * (save_scene_copy, read_file_chunk, write_file_chunk in the protocol's
 * transfer.ts): the requesting Blender's scene to the workers of a spread
 * render, and their frames back into the server's data folder.
 */
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { MAX_SHIPPED_SCENE_BYTES, TRANSFER_CHUNK_BYTES, type DispatchOutcome } from "@blender-mcp/protocol";

/** One command on one Blender, its result or an Error saying what failed where. */
export type Call = (targetUuid: string, command: string, params: Record<string, unknown>) => Promise<Record<string, unknown>>;

export function callerOf(dispatch: (targetUuid: string, command: string, params: Record<string, unknown>) => Promise<DispatchOutcome>): Call {
  return async (targetUuid, command, params) => {
    const outcome = await dispatch(targetUuid, command, params);
    if (outcome.status !== "completed") throw new Error(`${command} on ${targetUuid}: ${outcome.error || outcome.status}`);
    return outcome.result as Record<string, unknown>;
  };
}

/**
 * The source's open file saved as a copy and written to every worker, one
 * chunk read and then sent to all of them at a time (each chunk of the
 * render opens it in its worker's turn: worker-scenes.ts). The source's
 * copy is deleted (through `tidy`, which a cancel does not stop) once every
 * worker has it or the shipping failed. Returns each worker's path of it.
 */
export async function shipScene(call: Call, tidy: Call, source: string, workers: string[], name: string): Promise<Map<string, string>> {
  const copy = (await call(source, "save_scene_copy", {})) as { filepath: string; size: number };
  try {
    return await sendCopy(call, source, copy, workers, name);
  } finally {
    await tidy(source, "delete_transfer_file", { filepath: copy.filepath }).catch(() => undefined);
  }
}

async function sendCopy(call: Call, source: string, copy: { filepath: string; size: number }, workers: string[], name: string): Promise<Map<string, string>> {
  if (copy.size > MAX_SHIPPED_SCENE_BYTES) {
    throw new Error(
      `the scene is ${mb(copy.size)} MB, more than the ${mb(MAX_SHIPPED_SCENE_BYTES)} MB a render ships to its workers: ` +
        "start the workers with `blender-mcp worker --blend FILE` on a path they can read",
    );
  }
  const paths = new Map<string, string>();
  let offset = 0;
  do {
    const chunk = (await call(source, "read_file_chunk", { filepath: copy.filepath, offset, length: TRANSFER_CHUNK_BYTES })) as { data_base64: string };
    const bytes = Buffer.byteLength(chunk.data_base64, "base64");
    if (bytes === 0 && offset < copy.size) throw new Error(`the scene copy ${copy.filepath} ended at ${offset} of ${copy.size} bytes`);
    const written = await Promise.all(workers.map((w) => call(w, "write_file_chunk", { name, offset, data_base64: chunk.data_base64 })));
    workers.forEach((w, i) => paths.set(w, written[i]!.filepath as string));
    offset += bytes;
  } while (offset < copy.size);
  return paths;
}

/** A file on a Blender copied to `dest` here, chunk by chunk; its size in bytes. */
export async function fetchFile(call: Call, from: string, filepath: string, dest: string): Promise<number> {
  await mkdir(dirname(dest), { recursive: true });
  const out = createWriteStream(dest);
  const closed = new Promise<void>((resolve, reject) => {
    out.on("close", resolve);
    out.on("error", reject);
  });
  let offset = 0;
  try {
    for await (const data of chunksOf(call, from, filepath)) {
      out.write(data);
      offset += data.length;
    }
  } finally {
    out.end();
    await closed;
  }
  return offset;
}

/** A (small) file on a Blender, read whole into memory. */
export async function readRemote(call: Call, from: string, filepath: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const data of chunksOf(call, from, filepath)) parts.push(data);
  return Buffer.concat(parts);
}

async function* chunksOf(call: Call, from: string, filepath: string): AsyncGenerator<Buffer> {
  for (let offset = 0; ; ) {
    const chunk = (await call(from, "read_file_chunk", { filepath, offset, length: TRANSFER_CHUNK_BYTES })) as { data_base64: string; size: number };
    const data = Buffer.from(chunk.data_base64, "base64");
    if (data.length > 0) yield data;
    offset += data.length;
    if (offset >= chunk.size) return;
    if (data.length === 0) throw new Error(`${filepath} on ${from} ended at ${offset} of ${chunk.size} bytes`);
  }
}

const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));

/** The folder of a path on a Blender's machine, whichever its separator. */
export const remoteDirname = (path: string) => path.replace(/[\\/][^\\/]*$/, "");

/**
 * The frames of one chunk attempt copied here as the worker reports each
 * written, one at a time in frame order, so those it finished before dying
 * are already safe. `kept` is how many (a prefix of the frames) arrived.
 */
export class FrameStream {
  private chain = Promise.resolve();
  private queued = 0;
  private kept = 0;
  private error: Error | null = null;
  private seconds = 0;

  constructor(
    private readonly call: Call,
    private readonly worker: string,
    private readonly files: { remote: string; local: string }[],
  ) {}

  /** The first n frames are written on the worker: fetch those not yet asked for. */
  upTo(n: number): void {
    for (; this.queued < Math.min(n, this.files.length); this.queued++) {
      const file = this.files[this.queued]!;
      this.chain = this.chain.then(async () => {
        if (this.error) return;
        const began = Date.now();
        try {
          await fetchFile(this.call, this.worker, file.remote, file.local);
          this.kept++;
          this.seconds += (Date.now() - began) / 1000;
        } catch (error) {
          this.error = error as Error;
        }
      });
    }
  }

  /** Once every fetch asked for has ended: how many frames arrived, the first error, the seconds spent copying. */
  async settle(): Promise<{ kept: number; error: Error | null; seconds: number }> {
    await this.chain;
    return { kept: this.kept, error: this.error, seconds: this.seconds };
  }
}
