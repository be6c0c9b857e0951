/**
 * One blender_render_animation spread over the user's headless workers
 * (target_uuid "workers" or "workers:N"). The frames are cut into chunks, a
 * few per worker; each worker renders one chunk at a time as an ordinary
 * render_animation job; when a worker disconnects, the frames of its chunk
 * that its progress did not report written go back in the queue for the
 * others (so no frame is rendered twice in a shared output_folder); any other failure, a cancel or the timeout stops
 * every chunk. Each chunk job ends once (the bus sees to that) and this
 * returns one outcome for the whole.
 */
import { frameFileName, type DispatchOutcome, type Progress, type RENDER_FORMATS } from "@blender-mcp/protocol";
import type { UserBus } from "../bus/user-bus.js";
import type { DispatchRequest } from "../mcp/dispatch.js";
import { decodePng, encodePng, stack } from "./png.js";

const COMMAND = "render_animation";
/** Chunks per worker: enough that a fast worker takes over a slow or dead one's share. */
const CHUNKS_PER_WORKER = 3;
/** A chunk re-queued this often (its workers kept dying) fails the render. */
const MAX_ATTEMPTS = 3;

type RenderFormat = (typeof RENDER_FORMATS)[number];
type Dispatch = (bus: UserBus, request: DispatchRequest) => Promise<DispatchOutcome>;

interface Attempt {
  worker: string;
  job_id: string | null;
  status: string;
  /** Frames this attempt rendered (a dead worker's: those its progress reported done). */
  frames: number[];
}

interface Chunk {
  /** Every frame of the chunk, in order. */
  frames: number[];
  /** Index of the first frame no attempt has finished: a re-queued chunk starts here. */
  next: number;
  attempts: Attempt[];
  /** Completed attempts' results, in frame order. */
  results: AnimationResult[];
  /** Files of the frames dead workers finished, which stay where they were written (a shared output_folder). */
  salvaged: { frame: number; file: string }[];
}

interface AnimationResult {
  folder: string;
  files: string[];
  width: number;
  height: number;
  engine: string;
  render_seconds: number;
  png_base64: string;
}

export async function renderOnWorkers(bus: UserBus, request: DispatchRequest, spread: number | "all", dispatch: Dispatch): Promise<DispatchOutcome> {
  const base = { command: COMMAND, target_uuid: null, job_id: null };
  const fail = (status: DispatchOutcome["status"], error: string, result: unknown = null): DispatchOutcome => ({ ...base, status, result, error });
  const { frame_start: start, frame_end: end } = request.params as { frame_start?: number; frame_end?: number };
  const step = (request.params.frame_step as number | undefined) ?? 1;
  if (start === undefined || end === undefined || end < start) {
    return fail("failed", "pass frame_start and frame_end (end >= start) to spread a render over workers");
  }
  const pool = bus
    .listClients()
    .filter((c) => c.isWorker && c.canRun(COMMAND))
    .sort((a, b) => a.load - b.load)
    .slice(0, spread === "all" ? undefined : spread);
  if (pool.length === 0) return fail("no_client", "No headless worker is connected to your bus: start some with `blender-mcp worker`.");

  const frames: number[] = [];
  for (let f = start; f <= end; f += step) frames.push(f);
  const size = Math.max(1, Math.ceil(frames.length / (pool.length * CHUNKS_PER_WORKER)));
  const chunks: Chunk[] = [];
  for (let i = 0; i < frames.length; i += size) chunks.push({ frames: frames.slice(i, i + size), next: 0, attempts: [], results: [], salvaged: [] });
  const format = (request.params.file_format as RenderFormat | undefined) ?? "PNG";
  // A dead worker's finished frames are kept only where the others can reach them: a shared output_folder.
  const sharedFolder = typeof request.params.output_folder === "string";

  const queue = [...chunks];
  const stop = new AbortController();
  // Set from the worker loops' callbacks; the first reason to stop is the one reported.
  let verdict = null as { status: DispatchOutcome["status"]; error: string } | null;
  // Worker loops with nothing to take wait here for a chunk to come back or the render to stop.
  const waiting: (() => void)[] = [];
  const changed = () => new Promise<void>((resolve) => waiting.push(resolve));
  const wake = () => waiting.splice(0).forEach((resolve) => resolve());
  const halt = (status: DispatchOutcome["status"], error: string) => {
    verdict ??= { status, error };
    stop.abort();
    wake();
  };
  const onAbort = () => halt("failed", "cancelled: the MCP client cancelled the request");
  request.signal?.addEventListener("abort", onAbort, { once: true });
  const deadline = Date.now() + request.timeoutMs;
  const timer = setTimeout(() => halt("timeout", `the render did not finish within ${request.timeoutMs / 1000} s; every chunk was cancelled`), request.timeoutMs);
  let framesDone = 0;
  // Frames of the chunks in flight, by chunk; reported progress never goes back (a dead worker's share is lost).
  const partial = new Map<Chunk, number>();
  let reported = 0;
  const report = (message: string) => {
    const now = framesDone + [...partial.values()].reduce((a, b) => a + b, 0);
    if (now <= reported) return;
    reported = now;
    request.onProgress?.({ progress: now, total: frames.length, message });
  };
  let running = 0;
  let live = pool.length;

  const serve = async (workerUuid: string): Promise<void> => {
    try {
      for (;;) {
        if (stop.signal.aborted) return;
        const chunk = queue.shift();
        if (!chunk) {
          if (running === 0) return;
          await changed(); // a chunk may come back from a worker that dies
          continue;
        }
        running++;
        const todo = chunk.frames.slice(chunk.next);
        const range = `frames ${todo[0]}-${todo.at(-1)}`;
        let finished = 0;
        const outcome = await dispatch(bus, {
          ...request,
          params: { ...request.params, frame_start: todo[0], frame_end: todo.at(-1), frame_step: step },
          targetUuid: workerUuid,
          timeoutMs: Math.max(1, deadline - Date.now()),
          signal: stop.signal,
          onProgress: (p: Progress) => {
            const share = Math.min(p.progress / (p.total || 1), 1) * todo.length;
            // The addon counts a frame whole once its file is written: the floor is the frames finished.
            finished = Math.max(finished, Math.floor(share + 1e-9));
            partial.set(chunk, share);
            report(`${range} on ${workerUuid}: ${p.message ?? ""}`);
          },
        });
        running--;
        partial.delete(chunk);
        const attempt: Attempt = { worker: workerUuid, job_id: outcome.job_id, status: outcome.status, frames: [] };
        chunk.attempts.push(attempt);
        if (outcome.status === "completed") {
          attempt.frames = todo;
          chunk.results.push(outcome.result as unknown as AnimationResult);
          chunk.next = chunk.frames.length;
          framesDone += todo.length;
          report(`${framesDone} of ${frames.length} frames`);
        } else if (!stop.signal.aborted && !bus.listClients().some((c) => c.uuid === workerUuid)) {
          // Its worker is gone: the frames it did not finish go to another, and this worker's loop ends.
          if (sharedFolder && finished > 0) {
            attempt.frames = todo.slice(0, finished);
            chunk.salvaged.push(...attempt.frames.map((frame) => ({ frame, file: frameFileName(frame, format) })));
            chunk.next += finished;
            framesDone += finished;
          }
          if (chunk.next === chunk.frames.length) report(`${framesDone} of ${frames.length} frames`);
          else if (chunk.attempts.length >= MAX_ATTEMPTS) halt("failed", `${range}: ${MAX_ATTEMPTS} workers disconnected while rendering them`);
          else queue.unshift(chunk);
          return;
        } else if (!stop.signal.aborted) {
          halt(outcome.status === "timeout" ? "timeout" : "failed", `${range} on worker ${workerUuid}: ${outcome.error}`);
        }
        wake();
      }
    } finally {
      live--;
      if (live === 0 && queue.length > 0) halt("failed", "every worker disconnected before the frames were rendered");
      wake();
    }
  };

  try {
    await Promise.all(pool.map((c) => serve(c.uuid)));
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener("abort", onAbort);
  }
  const summary = chunks.map((c) => ({ frames: [c.frames[0], c.frames.at(-1)], attempts: c.attempts }));
  if (verdict) return fail(verdict.status, verdict.error, { chunks: summary });
  return { ...base, status: "completed", result: { ...gather(chunks, request.params), chunks: summary }, error: "" };
}

/** The chunks' results as one: files in frame order (a dead worker's finished ones among them), the contact sheets stacked. */
function gather(chunks: Chunk[], params: Record<string, unknown>): AnimationResult {
  const results = chunks.flatMap((c) => c.results);
  const first = results[0]!;
  const folders = new Set(results.map((r) => r.folder));
  const folder = (params.output_folder as string | undefined) ?? (folders.size === 1 ? first.folder : "");
  const sheet = stack(results.map((r) => decodePng(Buffer.from(r.png_base64, "base64"))));
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
