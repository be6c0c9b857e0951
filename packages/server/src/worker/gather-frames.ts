/**
 * A spread render's chunks gathered into one render_animation result: the
 * files in frame order and the chunks' contact sheets stacked, with the
 * frames a dead worker finished (its salvaged frames) among them.
 */
import { readFile } from "node:fs/promises";
import { decodePng, encodePng, stack } from "./png.js";
import { salvagedStrip } from "./salvaged-strip.js";
import { readRemote, type Call } from "./transfer.js";

export interface AnimationResult {
  folder: string;
  files: string[];
  width: number;
  height: number;
  engine: string;
  render_seconds: number;
  png_base64: string;
}

/** What gathering needs of a chunk. */
export interface GatheredChunk {
  /** Completed attempts' results, in frame order. */
  results: AnimationResult[];
  /** Files of the frames dead workers finished. */
  salvaged: { frame: number; file: string }[];
  /** The last attempt's worker: the one that finished the chunk. */
  attempts: { worker: string }[];
}

/**
 * The PNGs of each chunk's salvaged frames: here when streamed (`localFile`), else read from the shared
 * `folder` by the worker that finished the chunk; one that cannot be read is empty (left out of the sheet).
 */
export function salvagedPngs(chunks: GatheredChunk[], call: Call, where: { folder: string } | { localFile: (frame: number) => string }): Promise<Buffer[][]> {
  return Promise.all(
    chunks.map((c) =>
      Promise.all(
        c.salvaged.map(({ frame, file }) =>
          ("folder" in where ? readRemote(call, c.attempts.at(-1)!.worker, `${where.folder.replace(/[\\/]+$/, "")}/${file}`) : readFile(where.localFile(frame))).catch(() => Buffer.alloc(0)),
        ),
      ),
    ),
  );
}

/**
 * The chunks' results as one: files in frame order (a dead worker's finished ones among them), the contact
 * sheets stacked, each chunk's salvaged frames (`pngs`, by chunk: salvagedPngs) as a strip above its sheet.
 */
export function gather(chunks: GatheredChunk[], params: Record<string, unknown>, pngs: Buffer[][]): AnimationResult {
  const results = chunks.flatMap((c) => c.results);
  const first = results[0]!;
  const folders = new Set(results.map((r) => r.folder));
  const folder = (params.output_folder as string | undefined) ?? (folders.size === 1 ? first.folder : "");
  const sheets = chunks.map((c) => c.results.map((r) => decodePng(Buffer.from(r.png_base64, "base64"))));
  const width = Math.max(...sheets.flat().map((s) => s.width));
  const sheet = stack(sheets.flatMap((own, i) => [salvagedStrip(pngs[i]!, width), ...own].filter((image) => image !== null)));
  // A dead worker's finished frames come first in their chunk, named like the rest in the shared folder.
  const files = chunks.flatMap((c) => [
    ...c.salvaged.map(({ file }) => `${first.folder.replace(/[\\/]+$/, "")}/${file}`),
    ...c.results.flatMap((r) => r.files),
  ]);
  return {
    folder,
    files,
    width: first.width,
    height: first.height,
    engine: first.engine,
    render_seconds: results.reduce((sum, r) => sum + r.render_seconds, 0),
    png_base64: encodePng(sheet).toString("base64"),
  };
}
