/**
 * What MCP 2025-11-25 asks of the tool, resource and template definitions
 * (schema/2025-11-25/schema.ts and server/tools.mdx of the specification).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RESOURCES, RESOURCE_TEMPLATES, TOOLS, completeResourceArgument, toolListing } from "@blender-mcp/protocol";

/** Keywords whose meaning differs in 2020-12 (the dialect a schema without $schema is read in) or that it dropped. */
function draft07Only(schema: unknown, path = "$"): string[] {
  if (Array.isArray(schema)) return schema.flatMap((s, i) => draft07Only(s, `${path}[${i}]`));
  if (schema === null || typeof schema !== "object") return [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (key === "definitions" || key === "dependencies" || key === "additionalItems") found.push(`${path}.${key}`);
    if (key === "items" && Array.isArray(value)) found.push(`${path}.items (tuple form)`);
    if ((key === "exclusiveMinimum" || key === "exclusiveMaximum") && typeof value === "boolean") found.push(`${path}.${key}`);
    if (key !== "properties") found.push(...draft07Only(value, `${path}.${key}`));
    else for (const [name, prop] of Object.entries(value as object)) found.push(...draft07Only(prop, `${path}.properties.${name}`));
  }
  return found;
}

describe("tools as MCP 2025-11-25 describes them", () => {
  for (const tool of TOOLS) {
    test(`${tool.name}: name, title, schemas in the default dialect, all four hints`, () => {
      const listing = toolListing(tool);
      // "Tool names SHOULD be between 1 and 128 characters ... A-Z, a-z, 0-9, _, - and ."
      assert.match(listing.name, /^[A-Za-z0-9_.-]{1,128}$/);
      assert.ok(listing.title.length > 0 && listing.title.length <= 40 && !listing.title.startsWith("blender_"), "a title for people");
      for (const schema of [listing.inputSchema, listing.outputSchema]) {
        assert.equal(schema.type, "object");
        assert.equal(schema.$schema, undefined, "no $schema: read as 2020-12");
        assert.deepEqual(draft07Only(schema), []);
      }
      for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const) {
        assert.equal(typeof listing.annotations[hint], "boolean", hint);
      }
    });
  }
  test("titles are unique, so a client's menu tells the tools apart", () => {
    assert.equal(new Set(TOOLS.map((t) => t.title)).size, TOOLS.length);
  });
});

describe("resources and templates as MCP 2025-11-25 describes them", () => {
  test("resources: RFC 3986 URIs of one custom scheme, unique names, titles and a MIME type", () => {
    for (const r of RESOURCES) {
      const url = new URL(r.uri);
      assert.equal(url.protocol, "blender:", r.uri);
      assert.equal(url.href, r.uri, "written in its normal form");
      assert.ok(r.title && r.description && r.mimeType === "application/json", r.uri);
    }
    const names = [...RESOURCES.map((r) => r.name), ...RESOURCE_TEMPLATES.map((t) => t.name)];
    assert.equal(new Set(names).size, names.length);
  });

  test("templates: simple RFC 6570 variables, each of which completes", () => {
    const clients = [{ uuid: "blender-1", label: "desk" }];
    const jobIds = ["blender-1"];
    for (const t of RESOURCE_TEMPLATES) {
      const variables = [...t.uriTemplate.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!);
      assert.ok(variables.length > 0, t.uriTemplate);
      for (const v of variables) {
        assert.match(v, /^[A-Za-z0-9_]+$/, "a level-1 variable");
        assert.deepEqual(completeResourceArgument(t.uriTemplate, v, "", { clients, jobIds }).values, ["blender-1"], `${t.uriTemplate} {${v}}`);
      }
      const expanded = t.uriTemplate.replace(/\{[^}]*\}/g, "blender-1");
      assert.equal(new URL(expanded).href, expanded);
      assert.ok(t.title && t.description && t.mimeType === "application/json", t.uriTemplate);
    }
  });
});
