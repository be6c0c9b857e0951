import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ASSET_SOURCES,
  CORE_TOOLSETS,
  PROMPTS,
  PromptError,
  TOOLS,
  promptAvailable,
  promptListing,
  renderPrompt,
  resolveToolsets,
  type PromptDef,
} from "@blender-mcp/protocol";

const toolsets = new Map(TOOLS.map((t) => [t.name, t.toolset] as const));
const core = new Set<string>(CORE_TOOLSETS);

/** Every way a test renders a prompt: the required arguments alone, and every argument given. */
function variants(prompt: PromptDef): Record<string, string>[] {
  const full: Record<string, Record<string, string>> = {
    build_scene: { description: "a cosy reading corner with an armchair and a lamp", target: "blender-1" },
    light_and_render: { look: "golden hour", engine: "cycles", size: "1920", target: "blender-1" },
    inspect_and_fix: { problem: "the chair renders black", target: "blender-1" },
    find_and_place_assets: { request: "a wooden chair beside the table", target: "blender-1" },
  };
  const all = full[prompt.name];
  assert.ok(all, `test data for ${prompt.name}`);
  const required = Object.fromEntries(prompt.arguments.filter((a) => a.required).map((a) => [a.name, all[a.name]!]));
  const extra = prompt.name === "find_and_place_assets" ? ASSET_SOURCES.map((source) => ({ ...all, source })) : [];
  return [required, all, ...extra];
}

const textOf = (name: string, args: Record<string, string>) =>
  renderPrompt(name, args).messages.map((m) => m.content.text).join("\n");

describe("prompts", () => {
  test("four prompts an artist would pick, each listed with a title, a description and its arguments", () => {
    assert.deepEqual(PROMPTS.map((p) => p.name), ["build_scene", "light_and_render", "inspect_and_fix", "find_and_place_assets"]);
    for (const p of PROMPTS) {
      const listing = promptListing(p);
      assert.match(listing.name, /^[a-z][a-z_]*$/);
      assert.ok(listing.title.length > 5 && listing.description.length > 40, p.name);
      for (const arg of listing.arguments) assert.ok(arg.description.length > 10, `${p.name}.${arg.name} is described`);
      assert.deepEqual(Object.keys(listing).sort(), ["arguments", "description", "name", "title"]);
    }
    const required = (name: string) => promptListing(PROMPTS.find((p) => p.name === name)!).arguments.filter((a) => a.required).map((a) => a.name);
    assert.deepEqual(required("build_scene"), ["description"]);
    assert.deepEqual(required("find_and_place_assets"), ["request"]);
    assert.deepEqual(required("light_and_render"), []);
  });

  for (const prompt of PROMPTS) {
    test(`${prompt.name}: every tool it names exists, and opt-in toolsets are said to be`, () => {
      for (const args of variants(prompt)) {
        const text = textOf(prompt.name, args);
        const named = [...new Set(text.match(/\bblender_[a-z0-9_]+/g) ?? [])];
        assert.ok(named.length >= 5, "a prompt teaches the tools by name");
        for (const name of named) {
          const toolset = toolsets.get(name);
          assert.ok(toolset, `${prompt.name} names ${name}, which is no tool`);
          if (toolset !== "jobs" && !core.has(toolset)) {
            assert.match(text, new RegExp(`\\b(${toolset} toolset|toolset ${toolset})\\b`), `${name} is in the opt-in ${toolset} toolset`);
          }
        }
      }
      for (const needed of prompt.toolsets) assert.match(prompt.description, new RegExp(`\\b${needed}\\b`), `the description says it needs ${needed}`);
    });

    test(`${prompt.name}: rendering is pure and follows the target`, () => {
      const [required, all] = variants(prompt) as [Record<string, string>, Record<string, string>];
      const args = { ...all };
      assert.deepEqual(renderPrompt(prompt.name, args), renderPrompt(prompt.name, args));
      assert.deepEqual(args, all, "arguments are not changed");
      assert.match(textOf(prompt.name, all), /target_uuid: "blender-1"/);
      assert.match(textOf(prompt.name, required), /blender_list_clients/);
      assert.doesNotMatch(textOf(prompt.name, required), /blender-1/);
      const { messages, description } = renderPrompt(prompt.name, all);
      assert.equal(description, prompt.description);
      assert.ok(messages.length >= 1 && messages.every((m) => m.role === "user" && m.content.type === "text"));
      for (const value of Object.values(all)) assert.ok(textOf(prompt.name, all).includes(value), `the text uses ${value}`);
    });

    test(`${prompt.name}: completions name real arguments`, () => {
      for (const arg of Object.keys(prompt.completions)) assert.ok(prompt.arguments.some((a) => a.name === arg), arg);
    });
  }

  test("find_and_place_assets: one source gives only its tools; any gives all three", () => {
    const sketchfab = textOf("find_and_place_assets", { request: "a chair", source: "sketchfab" });
    assert.match(sketchfab, /blender_search_sketchfab_models/);
    assert.doesNotMatch(sketchfab, /polyhaven_|hyper3d_/);
    const any = textOf("find_and_place_assets", { request: "a chair" });
    for (const tool of ["blender_search_polyhaven_assets", "blender_search_sketchfab_models", "blender_generate_hyper3d_model"]) assert.match(any, new RegExp(tool));
  });

  test("a prompt needing opt-in toolsets is available only with one of them", () => {
    const find = PROMPTS.find((p) => p.name === "find_and_place_assets")!;
    assert.equal(promptAvailable(find, resolveToolsets("core")), false);
    assert.equal(promptAvailable(find, resolveToolsets("core,sketchfab")), true);
    assert.equal(promptAvailable(PROMPTS[0]!, resolveToolsets("core")), true);
  });

  test("bad requests are PromptErrors that say how to fix them", () => {
    const fails = (name: string, args: Record<string, string>, code: string, message: RegExp) =>
      assert.throws(() => renderPrompt(name, args), (e: unknown) => e instanceof PromptError && e.code === code && message.test(e.message));
    fails("nope", {}, "unknown_prompt", /use one of build_scene, light_and_render/);
    fails("build_scene", {}, "invalid_arguments", /description/);
    // A blank field in a client's form is an argument not given.
    fails("build_scene", { description: "" }, "invalid_arguments", /description/);
    fails("find_and_place_assets", { request: "a chair", source: "ebay" }, "invalid_arguments", /source.*polyhaven/);
    fails("light_and_render", { size: "big" }, "invalid_arguments", /size: a whole number of pixels/);
    fails("inspect_and_fix", { problme: "typo" }, "invalid_arguments", /problme/);
    assert.doesNotThrow(() => renderPrompt("light_and_render", { engine: "", look: "" }));
  });
});
