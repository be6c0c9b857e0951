/** server.json against the MCP Registry's published schema (vendored), and the registry's own naming rules. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { MCP_NAME, NPM_NAME } from "../identity.js";
import { publishManifest } from "../main.js";
import { SERVER_SCHEMA_URL, serverJson } from "../server-json.js";

const schema = JSON.parse(readFileSync(join(import.meta.dirname, "../vendor/server.schema.2025-12-11.json"), "utf8")) as Record<string, unknown>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

test("server.json validates against the registry's 2025-12-11 schema", () => {
  assert.equal(schema.$id, SERVER_SCHEMA_URL);
  const validate = validator();
  const ok = validate(serverJson());
  assert.ok(ok, JSON.stringify(validate.errors, null, 2));
});

test("the schema check can fail: a long description and a name without a namespace are refused", () => {
  const validate = validator();
  const entry = serverJson() as { description: string; packages: { version: string }[] };
  assert.equal(validate({ ...entry, description: "x".repeat(101) }), false);
  assert.equal(validate({ ...entry, name: "no-slash" }), false);
});

test("npm name, mcpName and server.json agree, as the registry checks on publish", () => {
  const manifest = publishManifest() as { name: string; mcpName: string; version: string };
  const entry = serverJson() as { name: string; version: string; packages: { registryType: string; identifier: string; version: string }[] };
  assert.equal(manifest.mcpName, entry.name);
  assert.equal(entry.name, MCP_NAME);
  // An io.github.* name is owned by that GitHub account; one slash, registry characters only.
  assert.match(entry.name, /^io\.github\.[A-Za-z0-9-]+\/[a-zA-Z0-9._-]+$/);
  assert.deepEqual(entry.packages.map((p) => [p.registryType, p.identifier, p.version]), [["npm", NPM_NAME, PACKAGE_VERSION]]);
  assert.equal(manifest.version, entry.version);
  // npm's rules for a new package name: lowercase, url-safe, at most 214 characters.
  assert.match(manifest.name, /^[a-z0-9][a-z0-9._-]*$/);
});
