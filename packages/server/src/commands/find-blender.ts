/** Where Blender usually is: PATH first, then each platform's install places. */
import { existsSync, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";

export interface Where {
  platform: NodeJS.Platform;
  home: string;
  env: NodeJS.ProcessEnv;
}

/** Entries of dir whose names match, newest-looking (highest version) first; none if dir is unreadable. */
function matching(dir: string, pattern: RegExp): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => pattern.test(name))
      .sort((a, b) => b.localeCompare(a, undefined, { numeric: true }))
      .map((name) => join(dir, name));
  } catch {
    return [];
  }
}

/** Every place looked at, in order; the first that exists wins. */
export function blenderCandidates(where: Where): string[] {
  const exe = where.platform === "win32" ? "blender.exe" : "blender";
  const onPath = (where.env.PATH ?? where.env.Path ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, exe));
  if (where.platform === "darwin") {
    const apps = ["/Applications", join(where.home, "Applications")];
    return [...onPath, ...apps.flatMap((dir) => [join(dir, "Blender.app"), ...matching(dir, /^Blender.*\.app$/)]).map((app) => join(app, "Contents", "MacOS", "Blender"))];
  }
  if (where.platform === "win32") {
    const programs = [where.env.ProgramFiles ?? "C:\\Program Files", where.env["ProgramFiles(x86)"] ?? "C:\\Program Files (x86)"];
    const foundation = programs.flatMap((dir) => matching(join(dir, "Blender Foundation"), /^Blender/).map((d) => join(d, exe)));
    const steam = programs.map((dir) => join(dir, "Steam", "steamapps", "common", "Blender", exe));
    return [...onPath, ...foundation, ...steam];
  }
  const tarballs = ["/opt", where.home, join(where.home, "Applications")].flatMap((dir) => matching(dir, /^blender/i).map((d) => join(d, exe)));
  return [
    ...onPath,
    "/usr/bin/blender",
    "/usr/local/bin/blender",
    "/snap/bin/blender",
    "/var/lib/flatpak/exports/bin/org.blender.Blender",
    join(where.home, ".local", "share", "flatpak", "exports", "bin", "org.blender.Blender"),
    ...tarballs,
  ];
}

export function findBlender(where: Where): { found: string | null; looked: string[] } {
  const looked = [...new Set(blenderCandidates(where))];
  return { found: looked.find((path) => existsSync(path)) ?? null, looked };
}
