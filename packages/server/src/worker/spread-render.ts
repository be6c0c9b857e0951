/**
 * One blender_render_animation spread over the user's headless workers
 * (target_uuid "workers" or "workers:N"). The frames are cut into chunks, a
 * few per worker; each worker renders one chunk at a time as an ordinary
 * render_animation job; when a worker disconnects, the frames of its chunk
 * that its progress did not report written go back in the queue for the
 * others (so no frame is rendered twice in a shared output_folder); any other failure, a cancel or the timeout stops
 * every chunk. The whole render is one parent job on the bus (frame
 * progress, one terminal status) whose chunk and transfer jobs carry its id;
 * each ends once (the bus sees to that) and this returns one outcome.
 */
import { DEFAULT_PRIORITY, frameFileName, type DispatchOutcome, type JobState, type Progress, type RENDER_FORMATS } from "@blender-mcp/protocol";
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UserBus } from "../bus/user-bus.js";
import type { DispatchRequest } from "../mcp/dispatch.js";
import { gather, salvagedPngs, type AnimationResult } from "./gather-frames.js";
import { sceneSource } from "./scene-source.js";
import { callerOf, type Call, FrameStream, remoteDirname, shipScene } from "./transfer.js";
import { tidyWorkers } from "./tidy-workers.js";
import { workerScenes, type Opener } from "./worker-scenes.js";

const COMMAND = "render_animation";
/** Chunks per worker: enough that a fast worker takes over a slow or dead one's share. */
const CHUNKS_PER_WORKER = 3;
/** A chunk re-queued this often (its workers kept dying) fails the render. */
const MAX_ATTEMPTS = 3;
/** Time for each clean-up command once the render is over (a worker back to its own file, a copy deleted). */
const TIDY_MS = 60_000;

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


export async function renderOnWorkers(bus: UserBus, request: DispatchRequest, spread: number | "all", dispatch: Dispatch): Promise<DispatchOutcome> {
  const base: { command: string; target_uuid: null; job_id: string | null } = { command: COMMAND, target_uuid: null, job_id: null };
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
  const source = sceneSource(bus, pool);
  if ("error" in source) return fail("failed", source.error);

  const frames: number[] = [];
  for (let f = start; f <= end; f += step) frames.push(f);
  const size = Math.max(1, Math.ceil(frames.length / (pool.length * CHUNKS_PER_WORKER)));
  const chunks: Chunk[] = [];
  for (let i = 0; i < frames.length; i += size) chunks.push({ frames: frames.slice(i, i + size), next: 0, attempts: [], results: [], salvaged: [] });
  const format = (request.params.file_format as RenderFormat | undefined) ?? "PNG";
  // A shared output_folder keeps the frames where the workers write them; otherwise they are streamed here.
  const sharedFolder = typeof request.params.output_folder === "string";
  const renderId = `anim-${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}-${randomUUID().slice(0, 8)}`;
  const here = join(bus.options.rendersDir ?? join(tmpdir(), "blender-mcp-renders"), safeName(bus.userId), renderId);
  const localFile = (frame: number) => join(here, frameFileName(frame, format));
  /** Worker -> the folder it renders into when the frames are streamed here. */
  const workerFolders = new Map<string, string>();
  /** Files this render left on a worker besides its scene and frames, deleted at the end. */
  const leftovers: [string, string][] = [];

  // One job for the whole render: its own id, frame progress, one terminal status; the chunks name it as their parent.
  const parent = bus.startParent(
    { kind: "command", command: COMMAND, params: request.params, priority: request.priority ?? DEFAULT_PRIORITY, timeoutMs: request.timeoutMs, origin: request.origin, sender: request.sender ?? null },
    request.targetUuid ?? "workers",
  );
  base.job_id = parent.job_id;

  const queue = [...chunks];
  const stop = new AbortController();
  // Set from the worker loops' callbacks; the first reason to stop is the one reported.
  let verdict = null as { status: DispatchOutcome["status"]; error: string; job: JobState } | null;
  // Worker loops with nothing to take wait here for a chunk to come back or the render to stop.
  const waiting: (() => void)[] = [];
  const changed = () => new Promise<void>((resolve) => waiting.push(resolve));
  const wake = () => waiting.splice(0).forEach((resolve) => resolve());
  const halt = (status: DispatchOutcome["status"], error: string, job: JobState = status === "timeout" ? "timeout" : "failed") => {
    verdict ??= { status, error, job };
    stop.abort();
    wake();
  };
  const onAbort = () => halt("failed", "cancelled: the MCP client cancelled the request", "cancelled");
  // Ended from outside (blender_cancel_job, the live page's cancel): every chunk stops too.
  let ended = false;
  void parent.done.then(() => ended || halt("failed", `cancelled: ${parent.error}`, parent.status));
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
    bus.parentProgress(parent, { progress: now, total: frames.length, message });
  };
  let running = 0;
  // Where the wall time went, for BENCHMARKS.md (tools/bench/spread.ts): seconds, summed over workers where they overlap.
  const began = Date.now();
  const timing = { prepare_seconds: 0, chunk_seconds: 0, render_seconds: 0, fetch_seconds: 0, fetch_wait_seconds: 0, wall_seconds: 0 };
  let live = pool.length;

  // The scene and frame transfers run as bus jobs too, under the render's timeout and cancel.
  const call = callerOf((targetUuid, command, params) =>
    dispatch(bus, { ...request, command, params, targetUuid, timeoutMs: Math.max(1, deadline - Date.now()), signal: stop.signal, onProgress: undefined, parentJobId: parent.job_id }),
  );

  // Each worker's chunks run in its turn with this render's scene open ("" : its own start file).
  const scenes = workerScenes(bus);
  const sceneOn = new Map<string, string>();
  const openWith = (caller: Call): Opener => async (worker, file) => {
    const target = file || (bus.listClients().find((c) => c.uuid === worker)?.hello.blend_file ?? "");
    await caller(worker, "open_file", target ? { action: "open", filepath: target } : { action: "new" });
  };
  const open = openWith(call);
  // Tidying up after the render runs even when a cancel or the timeout stopped it.
  const tidy = callerOf((targetUuid, command, params) =>
    dispatch(bus, { ...request, command, params, targetUuid, timeoutMs: TIDY_MS, signal: undefined, onProgress: undefined, parentJobId: parent.job_id }),
  );

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
        const folder = workerFolders.get(workerUuid);
        const stream = folder === undefined ? null : new FrameStream(call, workerUuid, todo.map((f) => ({ remote: `${folder}/${frameFileName(f, format)}`, local: localFile(f) })));
        const chunkBegan = Date.now();
        const outcome = await scenes.inScene(workerUuid, sceneOn.get(workerUuid) ?? "", open, () => dispatch(bus, {
          ...request,
          params: { ...request.params, frame_start: todo[0], frame_end: todo.at(-1), frame_step: step, ...(folder === undefined ? {} : { output_folder: folder }) },
          targetUuid: workerUuid,
          timeoutMs: Math.max(1, deadline - Date.now()),
          signal: stop.signal,
          parentJobId: parent.job_id,
          onProgress: (p: Progress) => {
            const share = Math.min(p.progress / (p.total || 1), 1) * todo.length;
            // The addon counts a frame whole once its file is written: the floor is the frames finished.
            finished = Math.max(finished, Math.floor(share + 1e-9));
            stream?.upTo(finished);
            partial.set(chunk, share);
            report(`${range} on ${workerUuid}: ${p.message ?? ""}`);
          },
        })).catch((error: Error): DispatchOutcome => ({ command: COMMAND, target_uuid: workerUuid, job_id: null, status: "failed", result: null, error: `could not open the scene: ${error.message}` }));
        if (outcome.status === "completed") stream?.upTo(todo.length);
        // Streamed: what arrived here is kept; shared: what the worker said it wrote.
        const rendered = Date.now();
        timing.chunk_seconds += (rendered - chunkBegan) / 1000;
        const fetched = stream ? await stream.settle() : null;
        // The frames not yet here when the chunk job ended: the copy this worker waits for before its next chunk.
        timing.fetch_wait_seconds += (Date.now() - rendered) / 1000;
        timing.fetch_seconds += fetched?.seconds ?? 0;
        const kept = fetched ? fetched.kept : outcome.status === "completed" ? todo.length : sharedFolder ? finished : 0;
        running--;
        partial.delete(chunk);
        const attempt: Attempt = { worker: workerUuid, job_id: outcome.job_id, status: outcome.status, frames: [] };
        chunk.attempts.push(attempt);
        const gone = !bus.listClients().some((c) => c.uuid === workerUuid);
        if (fetched?.error && outcome.status === "completed" && !gone && !stop.signal.aborted) {
          halt("failed", `${range}: rendered on worker ${workerUuid} but not copied to the server: ${fetched.error.message}`);
        } else if (outcome.status === "completed" && kept === todo.length) {
          attempt.frames = todo;
          chunk.results.push(outcome.result as unknown as AnimationResult);
          timing.render_seconds += (outcome.result as unknown as AnimationResult).render_seconds;
          chunk.next = chunk.frames.length;
          framesDone += todo.length;
          report(`${framesDone} of ${frames.length} frames`);
        } else if (!stop.signal.aborted && gone) {
          // Its worker is gone: the frames it did not finish (or that did not reach us) go to another, and this worker's loop ends.
          if (kept > 0) {
            attempt.frames = todo.slice(0, kept);
            chunk.salvaged.push(...attempt.frames.map((frame) => ({ frame, file: frameFileName(frame, format) })));
            chunk.next += kept;
            framesDone += kept;
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
    const workers = pool.map((c) => c.uuid);
    try {
      const shipped = "ship" in source ? await shipScene(call, tidy, source.ship, workers, `scene-${renderId}.blend`) : null;
      shipped?.forEach((path, w) => sceneOn.set(w, path));
      if (!sharedFolder) {
        for (const w of workers) {
          // Beside the shipped scene; without one, an empty note in the same transfer folder tells where that is.
          let beside = shipped?.get(w);
          if (beside === undefined) {
            beside = (await call(w, "write_file_chunk", { name: `${renderId}.txt`, offset: 0, data_base64: "" })).filepath as string;
            leftovers.push([w, beside]);
          }
          workerFolders.set(w, `${remoteDirname(beside)}/${renderId}`);
        }
      }
    } catch (error) {
      halt("failed", `could not prepare the workers: ${(error as Error).message}`);
    }
    timing.prepare_seconds = (Date.now() - began) / 1000;
    await Promise.all(workers.map(serve));
  } finally {
    // Not after a stop: the workers are still winding their cancelled chunks down, and opening a file then would end
    // those differently; their next spread render opens the file it needs, and the addon deletes its copies on exit.
    if (!stop.signal.aborted) await tidyWorkers(bus, pool.map((c) => c.uuid), { scenes, sceneOn, workerFolders, leftovers, tidy, open: openWith(tidy) });
    clearTimeout(timer);
    request.signal?.removeEventListener("abort", onAbort);
  }
  const summary = chunks.map((c) => ({ frames: [c.frames[0], c.frames.at(-1)], attempts: c.attempts }));
  ended = true;
  if (verdict) {
    // A failed render has no result: the frames that did arrive go too.
    if (!sharedFolder) await rm(here, { recursive: true, force: true });
    bus.parentEnd(parent, verdict.job, { chunks: summary }, verdict.error);
    return fail(verdict.status, verdict.error, { chunks: summary });
  }
  const pngs = await salvagedPngs(chunks, tidy, sharedFolder ? { folder: request.params.output_folder as string } : { localFile });
  const gathered = gather(chunks, request.params, pngs);
  const result = sharedFolder ? gathered : { ...gathered, folder: here, files: frames.map(localFile) };
  timing.wall_seconds = (Date.now() - began) / 1000;
  const rounded = Object.fromEntries(Object.entries(timing).map(([k, v]) => [k, Math.round(v * 1000) / 1000]));
  const whole = { ...result, chunks: summary, timing: rounded };
  bus.parentEnd(parent, "completed", whole, "");
  return { ...base, status: "completed", result: whole, error: "" };
}

const safeName = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 64) || "user";
