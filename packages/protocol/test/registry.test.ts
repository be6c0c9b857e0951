import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import {
  COMMAND_LIST,
  DISPATCH_TOOLS,
  GATES,
  MESSAGES,
  TOOLS,
  getViewportScreenshot,
  toolResultSchema,
  type CommandDef,
} from "@blender-mcp/protocol";

const commands = COMMAND_LIST as readonly CommandDef[];

describe("command registry", () => {
  for (const c of commands) {
    test(`${c.name}: example params and result match the schemas`, () => {
      c.params.parse(c.example.params);
      c.result.parse(c.example.result);
    });
    test(`${c.name}: timeouts are sane and the gate is known`, () => {
      assert.ok(c.timeout.defaultSeconds > 0 && c.timeout.defaultSeconds <= c.timeout.maxSeconds);
      assert.ok(c.gate === null || (GATES as readonly string[]).includes(c.gate));
    });
  }

  test("params refuse unknown keys, so an LLM's typo is an error rather than ignored", () => {
    for (const c of commands) assert.equal(c.params.safeParse({ ...c.example.params, nmae: "x" }).success, false, c.name);
  });

  test("names are unique", () => {
    assert.equal(new Set(commands.map((c) => c.name)).size, commands.length);
    assert.equal(new Set(TOOLS.map((t) => t.name)).size, TOOLS.length);
    assert.equal(new Set(Object.values(MESSAGES)).size, Object.keys(MESSAGES).length);
  });
});

describe("tool registry", () => {
  test("one dispatch tool per command, pointing at it", () => {
    assert.deepEqual(
      DISPATCH_TOOLS.map((t) => t.command),
      commands.map((c) => c.name),
    );
  });

  for (const tool of TOOLS) {
    test(`${tool.name}: object schemas with descriptions and all four annotations`, () => {
      // Digits for product names such as hyper3d; MCP tool names allow them.
      assert.match(tool.name, /^blender_[a-z][a-z0-9_]*$/);
      assert.ok(tool.description.length > 40, "a description an LLM can choose by");
      for (const schema of [tool.input, tool.output]) {
        const json = z.toJSONSchema(schema, { target: "draft-07" }) as { type: string };
        assert.equal(json.type, "object", "MCP tool schemas must be objects");
      }
      assert.deepEqual(Object.keys(tool.annotations).sort(), ["destructiveHint", "idempotentHint", "openWorldHint", "readOnlyHint"]);
    });
  }

  test("a dispatch tool's timeout is capped in its input schema", () => {
    const tool = DISPATCH_TOOLS.find((t) => t.command === "execute_code")!;
    assert.equal(tool.input.safeParse({ code: "pass", timeout_seconds: tool.timeout!.maxSeconds }).success, true);
    assert.equal(tool.input.safeParse({ code: "pass", timeout_seconds: tool.timeout!.maxSeconds + 1 }).success, false);
  });

  test("bulky result fields are left out of the tool's structured result", () => {
    const tool = DISPATCH_TOOLS.find((t) => t.command === getViewportScreenshot.name)!;
    const result = toolResultSchema(getViewportScreenshot as unknown as CommandDef);
    assert.deepEqual(Object.keys(result.shape).sort(), ["filepath", "height", "width"]);
    const { png_base64: _, ...rest } = getViewportScreenshot.example.result;
    const outcome = { status: "completed", command: "get_viewport_screenshot", target_uuid: "b", job_id: "j", error: "" };
    assert.equal(tool.output.safeParse({ ...outcome, result: rest }).success, true);
  });
});

describe("generated command index", () => {
  test("every command any file of src/commands exports is in COMMAND_LIST", async () => {
    const { readdirSync } = await import("node:fs");
    const dir = new URL("../src/commands/", import.meta.url);
    // The source files and the source index: identities differ from the built package's.
    const index = (await import(new URL("index.ts", dir).href)) as { COMMAND_LIST: readonly unknown[] };
    const listed = new Set<unknown>(index.COMMAND_LIST);
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const module = (await import(new URL(file, dir).href)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(module)) {
        const looksLikeCommand = typeof value === "object" && value !== null && "tool" in value && "params" in value && "result" in value;
        if (looksLikeCommand) assert.ok(listed.has(value), `${file}: ${name} is not in COMMAND_LIST: write it as export const ${name} = defineCommand(...)`);
      }
    }
  });
});
