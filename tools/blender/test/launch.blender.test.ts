import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BLENDER_VERSIONS, availableBlenders, blenderSkipReason, chrootsDir, launchBlender } from "../launch.js";

const FIXTURE = join(import.meta.dirname, "fixtures/marker_startup.py");
const skip = Object.fromEntries(await Promise.all(BLENDER_VERSIONS.map(async (v) => [v, await blenderSkipReason(v)] as const)));

/** Host mounts inside our chroots: launchBlender must never leave, or even show, any. */
function chrootMounts(): string[] {
  const dir = `${chrootsDir()}/`;
  return readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1] ?? "")
    .filter((mountpoint) => mountpoint.startsWith(dir));
}

let scratch: string;
let zip: string;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), "launch-test-"));
  zip = join(scratch, "stand-in.zip");
  await writeFile(zip, "not really a zip: the fixture only checks that its copy is there");
});
after(() => rm(scratch, { recursive: true, force: true }));

describe("launchBlender", () => {
  for (const version of BLENDER_VERSIONS) {
    it(`starts Blender ${version} under Xvfb, sees its marker, stops it cleanly`, { skip: skip[version] }, async () => {
      const started = performance.now();
      const blender = await launchBlender({
        version,
        zip,
        startupScript: FIXTURE,
        env: { BLENDER_MCP_BUS_URL: "none", BLENDER_MCP_BUS_LABEL: `launch-test-${version}` },
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      try {
        assert.equal(blender.uuid, `fixture-${version}`);
        assert.equal(blender.url, "none");
        assert.ok(existsSync(blender.workdir));
        assert.deepEqual(chrootMounts(), [], "proc and /dev are mounted in Blender's own namespace only");
        assert.ok(blender.stdout.some((line) => line.startsWith(`[fixture] Blender ${version}.`)), blender.stdout.join("\n"));
      } finally {
        await blender.stop();
      }
      console.log(`Blender ${version}: ${seconds} s from launch to marker`);
      assert.equal(blender.process.exitCode !== null || blender.process.signalCode !== null, true);
      assert.equal(existsSync(blender.workdir), false, "temp profile removed");
      assert.deepEqual(chrootMounts(), [], "no mount left behind");
    });
  }

  it("runs several at once, two of them in one chroot, each on its own display", async (t) => {
    const available = await availableBlenders();
    if (available.length === 0) return t.skip("no Blender provisioned");
    // Host and chroot Xvfbs share the abstract X socket names, so a display
    // picked by looking at one /tmp would collide; two in one chroot share
    // its /tmp and /dev.
    const versions = [...available, available.at(-1)!];
    const results = await Promise.allSettled(
      versions.map((version) => launchBlender({ version, zip, startupScript: FIXTURE, env: { BLENDER_MCP_BUS_URL: "none" } })),
    );
    const started = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    await Promise.all(started.map((b) => b.stop()));
    for (const r of results) if (r.status === "rejected") throw r.reason;
    assert.deepEqual(
      started.map((b) => b.uuid),
      versions.map((v) => `fixture-${v}`),
    );
    const displays = started.map((b) => b.stdout.join("\n").match(/display=(:\d+)/)?.[1]);
    assert.equal(new Set(displays).size, versions.length, `displays: ${displays.join(" ")}`);
    assert.deepEqual(chrootMounts(), [], "no mount left behind");
    assert.equal(started.filter((b) => existsSync(b.workdir)).length, 0, "temp profiles removed");
  });

  it("fails, rather than skips, a version that REQUIRE_BLENDER names but is missing", async () => {
    const saved = process.env.BLENDER_MCP_CHROOTS;
    process.env.BLENDER_MCP_CHROOTS = join(scratch, "no-chroots-here");
    try {
      assert.match(String(await blenderSkipReason("5.2", {})), /not provisioned/);
      assert.equal(await blenderSkipReason("5.2", { REQUIRE_BLENDER: "3.4,5.2" }), false);
      assert.equal((await availableBlenders()).includes("5.2"), false);
      await assert.rejects(launchBlender({ version: "5.2", zip, startupScript: FIXTURE }), /5\.2 is not provisioned/);
    } finally {
      if (saved === undefined) delete process.env.BLENDER_MCP_CHROOTS;
      else process.env.BLENDER_MCP_CHROOTS = saved;
    }
  });

  it("rejects when no marker comes within the timeout, and cleans up", { skip: skip["3.4"] }, async () => {
    const silent = join(scratch, "silent.py");
    await writeFile(silent, 'print("staying quiet")\n');
    await assert.rejects(
      launchBlender({ version: "3.4", zip, startupScript: silent, timeoutMs: 3000 }),
      (err: Error) => /within 3000 ms/.test(err.message) && /staying quiet/.test(err.message),
    );
  });

  it("rejects with Blender's output when the startup script fails", { skip: skip["3.4"] }, async () => {
    const broken = join(scratch, "broken.py");
    await writeFile(broken, 'print("about to fail")\nraise RuntimeError("fixture failure")\n');
    await assert.rejects(
      launchBlender({ version: "3.4", zip, startupScript: broken, env: { BLENDER_MCP_BUS_URL: "none" } }),
      (err: Error) => /startup script .* raised/.test(err.message) && /about to fail/.test(err.message) && /fixture failure/.test(err.message),
    );
  });
});
