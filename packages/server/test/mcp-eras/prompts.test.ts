/**
 * The protocol's prompts and completions through real MCP clients of both
 * revisions: listed by the session's toolsets, rendered with their
 * arguments, bad arguments refused as invalid params, and completions for
 * prompt arguments and resource template variables from the caller's bus.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FakeAddon } from "@blender-mcp/fake-addon";
import { PROMPTS } from "@blender-mcp/protocol";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { startServer, type ServerProcess } from "../support/server-process.js";

for (const era of ["legacy", "modern"] as const) {
  describe(`prompts and completions (${era})`, () => {
    let server: ServerProcess;
    let core: ServerProcess;
    let fake: FakeAddon;
    let client: TestClient;

    before(async () => {
      [server, core] = await Promise.all([startServer(), startServer(["--toolsets", "core"])]);
      fake = new FakeAddon({ url: server.addonUrl, token: server.token, label: "studio-left" });
      await fake.start();
      client = await connectClient(server, "http", { era });
    });
    after(async () => {
      await client?.close();
      await fake?.close();
      await Promise.all([server?.stop(), core?.stop()]);
    });

    test("every prompt is listed with its arguments; the default toolsets hide the asset prompt", async () => {
      const { prompts } = await client.client.listPrompts();
      assert.deepEqual(prompts.map((p) => p.name).sort(), PROMPTS.map((p) => p.name).sort());
      const build = prompts.find((p) => p.name === "build_scene")!;
      assert.ok(build.arguments?.some((a) => a.required), "build_scene takes a required description");
      for (const p of prompts) assert.ok(p.title && p.arguments?.every((a) => a.description), `${p.name} has a title and every argument a description`);
      const onCore = await connectClient(core, "http", { era });
      try {
        const names = (await onCore.client.listPrompts()).prompts.map((p) => p.name);
        assert.ok(!names.includes("find_and_place_assets"), names.join(", "));
        assert.ok(names.includes("build_scene"));
      } finally {
        await onCore.close();
      }
    });

    test("prompts/get renders the messages; a missing required argument is invalid params", async () => {
      const build = PROMPTS.find((p) => p.name === "build_scene")!;
      const required = build.arguments.find((a) => a.required)!.name;
      const got = await client.client.getPrompt({ name: "build_scene", arguments: { [required]: "a red teapot on a wooden table" } });
      const text = got.messages.map((m) => (m.content as { text: string }).text).join("\n");
      assert.match(text, /a red teapot on a wooden table/);
      assert.match(text, /blender_/, "the prompt teaches the tools by name");
      await assert.rejects(client.client.getPrompt({ name: "build_scene", arguments: { [required]: "" } }), (e: { code?: number }) => e.code === -32602);
      await assert.rejects(client.client.getPrompt({ name: "no_such_prompt", arguments: {} }), (e: { code?: number }) => e.code === -32602);
    });

    test("completions: an engine for a prompt argument, a Blender by label for a template's uuid", async () => {
      const withEngine = PROMPTS.find((p) => Object.values(p.completions).includes("engines"))!;
      const engineArg = Object.entries(withEngine.completions).find(([, s]) => s === "engines")![0];
      const engines = await client.client.complete({ ref: { type: "ref/prompt", name: withEngine.name }, argument: { name: engineArg, value: "cy" } });
      assert.deepEqual(engines.completion.values, ["cycles"]);
      const uuids = await client.client.complete({
        ref: { type: "ref/resource", uri: "blender://clients/{uuid}/scene/info" },
        argument: { name: "uuid", value: "studio" },
      });
      assert.deepEqual(uuids.completion.values, [fake.uuid]);
      const none = await client.client.complete({ ref: { type: "ref/resource", uri: "blender://clients/{uuid}/scene/info" }, argument: { name: "uuid", value: "zzz" } });
      assert.deepEqual(none.completion.values, []);
    });
  });
}
