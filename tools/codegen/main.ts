import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { REPO_ROOT } from "../paths.js";
import { GENERATED_DIRS, renderAll } from "./render.js";

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && !e.parentPath.includes("__pycache__"))
      .map((e) => join(e.parentPath, e.name));
  } catch {
    return [];
  }
}

const files = await renderAll();
let written = 0;
for (const [path, content] of files) {
  const full = join(REPO_ROOT, path);
  let current: string | null = null;
  try {
    current = readFileSync(full, "utf8");
  } catch {}
  if (current === content) continue;
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
  written++;
}
let removed = 0;
for (const dir of GENERATED_DIRS) {
  for (const full of listFiles(join(REPO_ROOT, dir))) {
    if (!files.has(relative(REPO_ROOT, full))) {
      rmSync(full);
      removed++;
    }
  }
}
console.log(`codegen: ${files.size} files, ${written} written, ${removed} stale removed`);
