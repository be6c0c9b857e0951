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
