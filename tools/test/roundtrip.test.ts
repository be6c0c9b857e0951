/**
 * TypeScript -> JSON -> Python dataclass (python3 -S) -> JSON -> Zod parse,
 * for every message type and every command's example params and result.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { z } from "zod";
import { COMMAND_LIST, MESSAGES, type CommandDef, type MessageType } from "@blender-mcp/protocol";
import { ADDON_DIR, REPO_ROOT } from "../paths.js";
import { INVALID, VALID } from "./samples.js";

interface Case {
  kind: "message" | "params" | "result";
  name: string;
  value: unknown;
}
type Answer = { ok: true; value: unknown } | { ok: false; error: string };

function throughPython(cases: Case[]): Answer[] {
  const input = cases.map((c) => JSON.stringify(c)).join("\n") + "\n";
  const run = spawnSync("python3", ["-S", join(import.meta.dirname, "roundtrip.py"), join(REPO_ROOT, ADDON_DIR)], {
    input,
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim().split("\n").map((l) => JSON.parse(l) as Answer);
}

// JSON.stringify drops undefined fields, as the wire does.
const wire = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

const commands = COMMAND_LIST as readonly CommandDef[];
const schemaOf = (c: Case): z.ZodType =>
  c.kind === "message" ? MESSAGES[c.name as MessageType] : commands.find((d) => d.name === c.name)![c.kind];

const valid: Case[] = [
  ...Object.entries(VALID).flatMap(([name, values]) => values.map((value) => ({ kind: "message" as const, name, value: wire(value) }))),
  // Params go to Python in the output form: the server fills defaults before dispatch.
  ...commands.map((c) => ({ kind: "params" as const, name: c.name, value: wire(c.params.parse(c.example.params)) })),
  ...commands.map((c) => ({ kind: "result" as const, name: c.name, value: wire(c.example.result) })),
];
const invalid: Case[] = [
  ...Object.entries(INVALID).flatMap(([name, values]) => values.map((value) => ({ kind: "message" as const, name, value: wire(value) }))),
  ...commands.map((c) => ({ kind: "result" as const, name: c.name, value: { ...(c.example.result as object), error: undefined, [Object.keys(c.example.result)[0]!]: { wrong: "type" } } })),
];

describe("protocol round trip through the Python dataclasses", () => {
  test("every message type has valid and invalid samples", () => {
    assert.deepEqual(Object.keys(VALID).sort(), Object.keys(MESSAGES).sort());
    assert.deepEqual(Object.keys(INVALID).sort(), Object.keys(MESSAGES).sort());
  });

  const validAnswers = throughPython(valid);
  valid.forEach((c, i) => {
    test(`valid ${c.kind} ${c.name} #${i} survives unchanged`, () => {
      assert.ok(schemaOf(c).safeParse(c.value).success, "sample is valid for Zod");
      const answer = validAnswers[i]!;
      assert.ok(answer.ok, `python refused it: ${!answer.ok ? answer.error : ""}`);
      const back = wire(answer.value);
      assert.deepEqual(back, c.value);
      assert.deepEqual(schemaOf(c).parse(back), schemaOf(c).parse(c.value));
    });
  });

  const invalidAnswers = throughPython(invalid);
  invalid.forEach((c, i) => {
    test(`invalid ${c.kind} ${c.name} #${i} is rejected on both sides`, () => {
      assert.equal(schemaOf(c).safeParse(c.value).success, false, "Zod accepted it");
      const answer = invalidAnswers[i]!;
      assert.equal(answer.ok, false, "python accepted it");
      assert.match((answer as { error: string }).error, /^(ValidationError|ValueError|AttributeError|TypeError)/);
    });
  });
});
