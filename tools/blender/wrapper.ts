/**
 * A `blender` executable for tests of commands that run Blender themselves
 * (install-addon, Blender's extension commands): a shell script that starts
 * that version's Blender (on the host, or in its chroot) with a throw-away
 * HOME, so its profile, extensions and preferences live in a temporary
 * folder. For a chroot, host files named on the command line are copied in
 * and their paths mapped, as Blender there sees only the chroot.
 *
 *   const blender = await throwAwayBlender("4.3");
 *   execFile(blender.executable, ["--version"]);
 *   await blender.remove();
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { blenderRoot, type BlenderVersion } from "./launch.js";
import { assertTierHas } from "../test-tier.js";

const IN_CHROOT = join(import.meta.dirname, "in-chroot.sh");

export interface ThrowAwayBlender {
  /** Host path of the wrapper script. */
  executable: string;
  /** Host path of the throw-away HOME. */
  home: string;
  /** Blender's UI under its own Xvfb (timers fire there, unlike -b), as [command, ...args] to spawn detached. */
  gui(args?: string[]): string[];
  remove(): Promise<void>;
}

const XVFB = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24"];

const sh = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export async function throwAwayBlender(version: BlenderVersion): Promise<ThrowAwayBlender> {
  assertTierHas("blender");
  const root = blenderRoot(version);
  const host = root === "/";
  const work = await mkdtemp(join(host ? tmpdir() : join(root, "tmp"), "blender-mcp-wrap-"));
  const inside = host ? work : work.slice(root.length);
  await mkdir(join(work, "home"));
  const script = host
    ? `#!/bin/sh\nexec env HOME=${sh(join(work, "home"))} blender "$@"\n`
    : `#!/bin/sh
root=${sh(root)}
for a; do
  shift
  case "$a" in
    "$root"/*) a="\${a#"$root"}" ;;
    /*) if [ -f "$a" ]; then cp "$a" ${sh(work)}/; a=${sh(inside)}/"$(basename "$a")"; fi ;;
  esac
  set -- "$@" "$a"
done
exec sh ${sh(IN_CHROOT)} "$root" env HOME=${sh(`${inside}/home`)} blender "$@"
`;
  const executable = join(work, "blender");
  await writeFile(executable, script);
  await chmod(executable, 0o755);
  const gui = (args: string[] = []) =>
    host
      ? [...XVFB, "env", `HOME=${join(work, "home")}`, "blender", ...args]
      : ["sh", IN_CHROOT, root, "env", `HOME=${inside}/home`, ...XVFB, "blender", ...args];
  return { executable, home: join(work, "home"), gui, remove: () => rm(work, { recursive: true, force: true }) };
}
