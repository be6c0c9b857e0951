/**
 * `node --import tsx tools/bench/profile.ts FILE.cpuprofile [N]`: the top N
 * functions by self time in a V8 CPU profile (from `node --cpu-prof`), with
 * where they live, to read a server profile without Chrome's devtools.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Hot {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}

export function topSelfTime(profile: CpuProfile, limit = 25): Hot[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { name: string; where: string; us: number }>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    total += dt;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^file:\/\//, "").replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, "")}:${lineNumber + 1}` : "(native)";
    const key = `${functionName}@${where}`;
    const entry = self.get(key) ?? { name: functionName || "(anonymous)", where, us: 0 };
    entry.us += dt;
    self.set(key, entry);
  });
  return [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, limit)
    .map((e) => ({ name: e.name, where: e.where, selfMs: e.us / 1000, share: (100 * e.us) / total }));
}

/** Self time grouped by package (or "server", "node:" internals, "(native)"), which is what a fix aims at. */
export function byPackage(profile: CpuProfile): { group: string; share: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const groups = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const url = byId.get(id)?.callFrame.url ?? "";
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const pkg = /node_modules\/\.pnpm\/([^/]+)\//.exec(url)?.[1]?.replace(/@\d.*$/, "");
    const group = pkg ?? (url.startsWith("node:") ? "node internals" : url.includes("/packages/") ? url.replace(/.*\/packages\/([^/]+)\/.*/, "$1") : url ? "other" : "(native, GC, idle)");
    groups.set(group, (groups.get(group) ?? 0) + dt);
  });
  return [...groups.entries()].map(([group, us]) => ({ group, share: (100 * us) / total })).sort((a, b) => b.share - a.share);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const [file, n] = process.argv.slice(2);
  if (!file) {
    process.stderr.write("usage: profile.ts FILE.cpuprofile [N]\n");
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  for (const g of byPackage(profile)) process.stdout.write(`${g.share.toFixed(1).padStart(5)} %  ${g.group}\n`);
  process.stdout.write("\n");
  for (const h of topSelfTime(profile, Number(n ?? 25))) {
    process.stdout.write(`${h.share.toFixed(1).padStart(5)} %  ${h.selfMs.toFixed(0).padStart(6)} ms  ${h.name}  ${h.where}\n`);
  }
}
