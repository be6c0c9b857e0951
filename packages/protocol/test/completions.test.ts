import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  MAX_COMPLETION_VALUES,
  completeClientUuid,
  completePromptArgument,
  completeResourceArgument,
  completeValue,
  type CompletionContext,
} from "@blender-mcp/protocol";

const context: CompletionContext = {
  clients: [
    { uuid: "b7f2-desk", label: "chair scene" },
    { uuid: "a113-laptop", label: "Studio render" },
    { uuid: "c9d0-tower", label: "blender-chair-test" },
  ],
  jobIds: ["j-42", "j-41", "render-7"],
};

describe("completions", () => {
  test("a fixed list: prefix matches first, then matches inside, ignoring case", () => {
    assert.deepEqual(completeValue(["eevee", "cycles", "workbench"], "CY"), { values: ["cycles"], total: 1, hasMore: false });
    assert.deepEqual(completeValue(["eevee", "cycles", "workbench"], "e").values, ["eevee", "cycles", "workbench"]);
    assert.deepEqual(completeValue(["alpha", "beta", "gamma"], "").values, ["alpha", "beta", "gamma"]);
    assert.deepEqual(completeValue(["alpha"], "z"), { values: [], total: 0, hasMore: false });
  });

  test("client uuids complete from a uuid's start or a label, and answer with uuids", () => {
    assert.deepEqual(completeClientUuid(context.clients, "a1").values, ["a113-laptop"]);
    assert.deepEqual(completeClientUuid(context.clients, "studio").values, ["a113-laptop"]);
    // "chair" starts one label and is inside another: the first comes first.
    assert.deepEqual(completeClientUuid(context.clients, "chair").values, ["b7f2-desk", "c9d0-tower"]);
    assert.deepEqual(completeClientUuid(context.clients, "").values, ["b7f2-desk", "a113-laptop", "c9d0-tower"]);
    assert.deepEqual(completeClientUuid([], "x"), { values: [], total: 0, hasMore: false });
  });

  test("at most 100 values, with the total and hasMore", () => {
    const many = Array.from({ length: 250 }, (_, i) => ({ uuid: `blender-${i}`, label: "" }));
    const answer = completeClientUuid(many, "blender");
    assert.equal(answer.values.length, MAX_COMPLETION_VALUES);
    assert.equal(answer.total, 250);
    assert.equal(answer.hasMore, true);
  });

  test("prompt arguments: engines, asset sources and target Blenders; free text gets nothing", () => {
    assert.deepEqual(completePromptArgument("light_and_render", "engine", "ee", context).values, ["eevee"]);
    assert.deepEqual(completePromptArgument("find_and_place_assets", "source", "s", context).values, ["sketchfab"]);
    assert.deepEqual(completePromptArgument("build_scene", "target", "desk", context).values, ["b7f2-desk"]);
    assert.deepEqual(completePromptArgument("build_scene", "description", "a", context).values, []);
    assert.deepEqual(completePromptArgument("nope", "target", "", context).values, []);
  });

  test("resource templates: {uuid} from the caller's Blenders, {job_id} from its jobs", () => {
    assert.deepEqual(completeResourceArgument("blender://clients/{uuid}/scene/info", "uuid", "c9", context).values, ["c9d0-tower"]);
    assert.deepEqual(completeResourceArgument("blender://clients/{uuid}/scene/objects", "uuid", "render", context).values, ["a113-laptop"]);
    assert.deepEqual(completeResourceArgument("blender://jobs/{job_id}", "job_id", "j-4", context).values, ["j-42", "j-41"]);
    assert.deepEqual(completeResourceArgument("blender://jobs/{job_id}", "job_id", "", { clients: [] }).values, []);
    // An argument the template does not have.
    assert.deepEqual(completeResourceArgument("blender://clients/{uuid}/scene/info", "job_id", "j", context).values, []);
  });
});
