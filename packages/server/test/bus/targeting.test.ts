import assert from "node:assert/strict";
import { test } from "node:test";
import { chooseTarget } from "../../src/bus/targeting.js";

const client = (uuid: string) => ({ uuid, summary: () => ({ uuid, label: uuid, blender_version: "4.2", blend_file: "" }) });

test("chooseTarget: one client, none, several, named, unknown", () => {
  const a = client("a");
  const b = client("b");
  assert.deepEqual(chooseTarget([a], undefined), { ok: true, client: a });
  assert.equal((chooseTarget([], undefined) as { status: string }).status, "no_client");
  const ambiguous = chooseTarget([a, b], undefined);
  assert.equal(!ambiguous.ok && ambiguous.status, "ambiguous_target");
  assert.deepEqual(!ambiguous.ok && ambiguous.candidates.map((c) => c.uuid), ["a", "b"]);
  assert.deepEqual(chooseTarget([a, b], "b"), { ok: true, client: b });
  const unknown = chooseTarget([a, b], "c");
  assert.equal(!unknown.ok && unknown.status, "unknown_target");
  assert.match(!unknown.ok ? unknown.error : "", /c/);
});

test('chooseTarget: target_uuid "worker" picks the least loaded worker that offers the command', () => {
  const worker = (uuid: string, load: number, commands = ["render_still"]) => ({ ...client(uuid), isWorker: true, load, commands });
  const ui = { ...client("ui"), isWorker: false, load: 0, commands: ["render_still"] };
  const busy = worker("busy", 3);
  const idle = worker("idle", 0);
  const other = worker("other", 0, ["get_scene_info"]);
  const offersRender = (c: { commands: string[] }) => c.commands.includes("render_still");
  assert.deepEqual(chooseTarget([ui, busy, idle], "worker", offersRender), { ok: true, client: idle });
  assert.deepEqual(chooseTarget([ui, other, busy], "worker", offersRender), { ok: true, client: busy }, "one that lacks the command is skipped");
  const first = worker("first", 1);
  assert.deepEqual(chooseTarget([first, worker("second", 1)], "worker"), { ok: true, client: first }, "a tie goes to the first");
  const none = chooseTarget([ui, other], "worker", offersRender);
  assert.equal(!none.ok && none.status, "no_client");
  assert.match(!none.ok ? none.error : "", /blender-mcp worker/);
  assert.deepEqual(!none.ok && none.candidates.map((c) => c.uuid), ["ui", "other"]);
  const named = { ...worker("worker", 5) };
  assert.deepEqual(chooseTarget([idle, named], "worker"), { ok: true, client: named }, "a Blender whose uuid is literally worker is still reachable by it");
});
