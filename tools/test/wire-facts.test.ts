/**
 * The addon's copy of the wire facts is the protocol's: every message it
 * builds parses with the server's Zod schema, and its patterns and close
 * codes agree with the Zod definitions (python3 -S, the addon's own modules).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import { AddonMessage, CLOSE, ClientUuid, CommandName, Hello, JobId } from "@blender-mcp/protocol";
import { ADDON_DIR, REPO_ROOT } from "../paths.js";

function python(source: string): unknown {
  const run = spawnSync("python3", ["-S", "-c", source], {
    encoding: "utf8",
    env: { ...process.env, PYTHONPATH: join(REPO_ROOT, ADDON_DIR) },
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as unknown;
}

const IDS = ["j-1", "a".repeat(128), "a".repeat(129), "", "x y", "ok.id:2_-", "é"];
const NAMES = ["get_scene_info", "Get", "_x", "a".repeat(64), "a".repeat(65), "a-b"];

const answers = python(`
import json
from blender_mcp_bus.core import outgoing
from blender_mcp_bus.generated import wire
long = "x" * 5000
print(json.dumps({
  "messages": [
    outgoing.hello("uuid-1", long, long, long, long, 2, ["get_scene_info"], ["execute_code"]),
    outgoing.job_update("j-1", "running", progress={"progress": 1, "total": 3, "message": "step"}),
    outgoing.job_update("j-1", "completed", result={"a": [1, 2]}),
    outgoing.job_update("j-1", "failed", error="boom"),
    outgoing.pong("n"),
    outgoing.protocol_error("invalid_json", "bad", None),
    outgoing.auth_begin(2, "0123456789abcdef", "A" * 43),
    outgoing.auth_proof("B" * 43),
  ],
  "ids": [bool(wire.ID_PATTERN.match(i)) for i in ${JSON.stringify(IDS)}],
  "names": [bool(wire.COMMAND_NAME_PATTERN.match(n)) for n in ${JSON.stringify(NAMES)}],
  "close": {k: v for k, v in vars(wire).items() if k.startswith("CLOSE_")},
  "caps": wire.HELLO_MAX_LENGTHS,
}))
`) as { messages: unknown[]; ids: boolean[]; names: boolean[]; close: Record<string, number>; caps: Record<string, number> };

describe("the addon's wire facts", () => {
  test("every message the addon builds is one the server accepts", () => {
    for (const message of answers.messages) {
      const parsed = AddonMessage.safeParse(message);
      assert.ok(parsed.success, `${JSON.stringify(message).slice(0, 200)}: ${parsed.error?.message}`);
    }
  });

  test("a hello's long texts are cut to the protocol's caps, not refused", () => {
    const hello = Hello.parse(answers.messages[0]);
    assert.equal(hello.label.length, Hello.shape.label.maxLength);
    assert.equal(hello.blend_file.length, Hello.shape.blend_file.maxLength);
    assert.deepEqual(answers.caps, { label: 200, client_type: 64, blender_version: 64, blend_file: 4096, addon_version: 64 });
  });

  test("id and command-name patterns match the Zod definitions", () => {
    assert.deepEqual(answers.ids, IDS.map((id) => JobId.safeParse(id).success && ClientUuid.safeParse(id).success));
    assert.deepEqual(answers.names, NAMES.map((n) => CommandName.safeParse(n).success));
    assert.ok(answers.ids.includes(true) && answers.ids.includes(false), "the samples exercise both outcomes");
  });

  test("close codes are the server's", () => {
    const expected = Object.fromEntries(Object.entries(CLOSE).map(([k, v]) => [`CLOSE_${k.replace(/([A-Z])/g, "_$1").toUpperCase()}`, v]));
    assert.deepEqual(answers.close, expected);
  });
});
