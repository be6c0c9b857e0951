import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeAddonFrame } from "../src/addon/decode.js";

const codeOf = (text: string) => {
  const d = decodeAddonFrame(text);
  return d.ok ? "ok" : d.error.code;
};

test("addon frames: valid, not JSON, unknown type, server-only type, invalid fields", () => {
  assert.equal(codeOf(JSON.stringify({ message_type: "ping", nonce: "1" })), "ok");
  assert.equal(codeOf("{not json"), "invalid_json");
  assert.equal(codeOf("[]"), "unknown_message_type");
  assert.equal(codeOf(JSON.stringify({ message_type: "teleport" })), "unknown_message_type");
  assert.equal(codeOf(JSON.stringify({ message_type: "cancel", job_id: "j", reason: "x" })), "unexpected_message");
  const bad = decodeAddonFrame(JSON.stringify({ message_type: "job_update", job_id: "j-1", status: "exploded", result: null, error: "" }));
  assert.equal(bad.ok, false);
  assert.equal(!bad.ok && bad.error.code, "invalid_message");
  assert.equal(!bad.ok && bad.error.job_id, "j-1");
  assert.match(!bad.ok ? bad.error.message : "", /status/);
});
