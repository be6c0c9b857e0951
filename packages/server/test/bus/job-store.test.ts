import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import type { Job } from "@blender-mcp/protocol";
import { JobStore, MEMORY } from "../../src/bus/job-store.js";

const job = (id: string, status: Job["status"], updated: string): Job => ({
  job_id: id,
  kind: "command",
  command: "get_scene_info",
  target_uuid: "b1",
  priority: "info",
  status,
  result: { nested: [1, "two"] },
  error: "",
  progress: null,
  late: false,
  created_at: updated,
  updated_at: updated,
});

test("job store: survives reopening; a terminal status is final", async () => {
  const dir = await mkdtemp(join(tmpdir(), "store-"));
  try {
    const path = join(dir, "jobs.sqlite");
    const store = new JobStore(path);
    store.insertThen("u", job("j1", "queued", "2026-01-01T00:00:00.000Z"), () => {});
    store.update("u", { ...job("j1", "completed", "2026-01-01T00:00:01.000Z") });
    store.update("u", { ...job("j1", "failed", "2026-01-01T00:00:02.000Z"), result: { late: true }, late: true });
    store.close();
    const reopened = new JobStore(path);
    const j1 = reopened.get("u", "j1")!;
    assert.equal(j1.status, "completed", "a later status never replaces a terminal one");
    assert.deepEqual(j1.result, { late: true }, "a late reply's result is kept");
    assert.equal(j1.late, true);
    assert.equal(reopened.get("other-user", "j1"), undefined);
    reopened.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("job store: pruning removes only ended jobs older than the cutoff, a bounded number per pass", () => {
  const store = new JobStore(MEMORY);
  store.insertThen("u", job("old-1", "completed", "2026-01-01T00:00:00.000Z"), () => {});
  store.insertThen("u", job("old-2", "failed", "2026-01-01T00:00:00.000Z"), () => {});
  store.insertThen("u", job("old-running", "running", "2026-01-01T00:00:00.000Z"), () => {});
  store.insertThen("u", job("new", "completed", "2026-06-01T00:00:00.000Z"), () => {});
  const cutoff = new Date("2026-03-01T00:00:00.000Z");
  assert.equal(store.prune(cutoff, 1), 1);
  assert.equal(store.prune(cutoff, 10), 1);
  assert.equal(store.prune(cutoff, 10), 0);
  assert.deepEqual(store.recent("u", 10).map((j) => j.job_id).sort(), ["new", "old-running"]);
  assert.deepEqual(store.unfinished().map((j) => j.job_id), ["old-running"]);
});

test("job store: updates of one turn commit together after it; reads see them at once; the first terminal stays", async () => {
  const store = new JobStore(MEMORY);
  store.insertThen("u", job("j", "queued", "2026-01-01T00:00:00.000Z"), () => {});
  store.update("u", job("j", "completed", "2026-01-01T00:00:01.000Z"));
  store.update("u", { ...job("j", "failed", "2026-01-01T00:00:02.000Z"), late: true });
  assert.equal(store.get("u", "j")?.status, "completed", "visible before the commit");
  await new Promise((resolve) => setImmediate(resolve));
  const j = store.get("u", "j")!;
  assert.equal(j.status, "completed");
  assert.equal(j.late, true);
  assert.deepEqual(store.unfinished(), []);
});

test("job store: a job is on disk before it is routed; a turn's jobs share a commit, a lone job is committed at once", async () => {
  const dir = await mkdtemp(join(tmpdir(), "store-"));
  try {
    const path = join(dir, "jobs.sqlite");
    const store = new JobStore(path);
    // Another connection sees only what is committed to the file.
    const reader = new Database(path, { readonly: true });
    const onDisk = reader.prepare("SELECT job_id FROM jobs ORDER BY rowid");
    const routed: string[][] = [];
    const insert = (id: string) => store.insertThen("u", job(id, "queued", "2026-01-01T00:00:00.000Z"), () => routed.push((onDisk.all() as { job_id: string }[]).map((r) => r.job_id)));
    const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));
    insert("a");
    assert.deepEqual(routed, [["a"]], "a lone job is committed and routed at once");
    insert("b");
    insert("c");
    assert.equal(routed.length, 1, "the turn's later jobs wait for its end");
    await endOfTurn();
    assert.deepEqual(routed.slice(1), [["a", "b", "c"], ["a", "b", "c"]], "one commit held both, before either was routed");
    insert("d");
    assert.equal(routed.length, 3, "after a busy turn, even a turn's first job waits to share a commit");
    await endOfTurn();
    assert.deepEqual(routed.at(-1), ["a", "b", "c", "d"]);
    insert("e");
    assert.deepEqual(routed.at(-1), ["a", "b", "c", "d", "e"], "after a turn of one job, a lone job is committed at once again");
    reader.close();
    store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("job store: a store written before parent_job_id gains the column; a chunk's parent survives reopening", async () => {
  const dir = await mkdtemp(join(tmpdir(), "store-"));
  try {
    const path = join(dir, "jobs.sqlite");
    const old = new Database(path);
    old.exec(`CREATE TABLE jobs (
      user_id TEXT NOT NULL, job_id TEXT NOT NULL, kind TEXT NOT NULL, command TEXT NOT NULL,
      target_uuid TEXT NOT NULL, priority TEXT NOT NULL, status TEXT NOT NULL, result TEXT NOT NULL,
      error TEXT NOT NULL, progress TEXT, late INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
      PRIMARY KEY (user_id, job_id))`);
    old.prepare(`INSERT INTO jobs VALUES ('u', 'j-old', 'command', 'get_scene_info', 'b1', 'info', 'completed', 'null', '', NULL, 0, 't', 't')`).run();
    old.close();
    const store = new JobStore(path);
    assert.equal(store.get("u", "j-old")!.parent_job_id, undefined, "an old row has no parent");
    store.insertThen("u", { ...job("j-chunk", "queued", "2026-01-01T00:00:00.000Z"), parent_job_id: "j-parent" }, () => {});
    store.close();
    const reopened = new JobStore(path);
    assert.equal(reopened.get("u", "j-chunk")!.parent_job_id, "j-parent");
    reopened.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
