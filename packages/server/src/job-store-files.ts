/**
 * Keeps the data folder from filling with one jobs-<port>.sqlite per port
 * ever served (each test run used to leave dozens). A store matters only
 * while it holds jobs a restart could answer for, so:
 * - a server that closes with an empty store removes the file;
 * - a starting server removes other ports' stores that were closed cleanly
 *   (no -wal/-shm beside them: SQLite removes those on the last clean close,
 *   so their presence means open, or crashed with jobs to recover) and were
 *   last written longer ago than the job TTL, when all they hold has expired.
 */
import Database from "better-sqlite3";
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { MEMORY } from "./bus/job-store.js";

const STORE_FILE = /^jobs-\d+\.sqlite$/;
const SIDE_FILES = ["-wal", "-shm"];

const remove = (path: string) => {
  for (const suffix of ["", ...SIDE_FILES]) rmSync(`${path}${suffix}`, { force: true });
};

/** After the store is closed: removes its file when no job is left in it. Returns whether it did. */
export function removeStoreIfEmpty(path: string): boolean {
  if (path === MEMORY || !existsSync(path)) return false;
  const db = new Database(path, { fileMustExist: true });
  let count: number;
  try {
    count = (db.prepare("SELECT count(*) AS n FROM jobs").get() as { n: number }).n;
  } catch {
    // Not our table (a file the user pointed --job-store at): leave it alone.
    return false;
  } finally {
    db.close();
  }
  if (count > 0) return false;
  remove(path);
  return true;
}

/** Removes other ports' stores that were closed cleanly more than maxAgeMs ago; returns their names. */
export function sweepStaleStores(dataDir: string, keep: string, maxAgeMs: number, now = Date.now()): string[] {
  let names: string[];
  try {
    names = readdirSync(dataDir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const path = join(dataDir, name);
    if (!STORE_FILE.test(name) || path === keep) continue;
    if (SIDE_FILES.some((suffix) => existsSync(`${path}${suffix}`))) continue;
    if (now - statSync(path).mtimeMs <= maxAgeMs) continue;
    remove(path);
    removed.push(name);
  }
  return removed;
}
