/**
 * The MCP App viewer over both revisions: its ui:// resource is listed and
 * readable as an MCP App page, and only clients that declare the apps
 * extension see the image tools link to it (the others' tool list is as lean
 * as before).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { connectClient, MODERN_REVISION, type Era, type TestClient } from "../support/mcp-client.js";
import { startServer, type ServerProcess } from "../support/server-process.js";

const VIEWER_URI = "ui://blender/viewer";
const APP_MIME = "text/html;profile=mcp-app";
const LINKED = ["blender_get_viewport_screenshot", "blender_get_views", "blender_render_still"];

/** A client that says it renders MCP Apps (the io.modelcontextprotocol/ui extension), in the era asked. */
async function appClient(server: ServerProcess, era: Era): Promise<Client> {
  const client = new Client(
    { name: "app-host", version: "1.0.0" },
    {
      capabilities: { extensions: { "io.modelcontextprotocol/ui": { mimeTypes: [APP_MIME] } } },
      ...(era === "modern" ? { versionNegotiation: { mode: { pin: MODERN_REVISION } } } : {}),
    },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(server.mcpUrl), { requestInit: { headers: { authorization: `Bearer ${server.token}` } } }));
  assert.equal(client.getProtocolEra(), era);
  return client;
}

describe("the MCP App viewer resource", () => {
  let server: ServerProcess;
  let plain: Record<Era, TestClient>;
  let apps: Record<Era, Client>;

  before(async () => {
    server = await startServer();
    const [legacy, modern, appLegacy, appModern] = await Promise.all([
      connectClient(server, "http"),
      connectClient(server, "http", { era: "modern" }),
      appClient(server, "legacy"),
      appClient(server, "modern"),
    ]);
    plain = { legacy, modern };
    apps = { legacy: appLegacy, modern: appModern };
  });
  after(async () => {
    await Promise.all([...Object.values(plain ?? {}).map((c) => c.close()), ...Object.values(apps ?? {}).map((c) => c.close())]);
    await server?.stop();
  });

  for (const era of ["legacy", "modern"] as const) {
    test(`${era}: listed and readable as an MCP App page`, async () => {
      const client = plain[era].client;
      const { resources } = await client.listResources();
      const viewer = resources.find((r) => r.uri === VIEWER_URI);
      assert.ok(viewer, `resources/list has ${VIEWER_URI}: ${resources.map((r) => r.uri).join(", ")}`);
      assert.equal(viewer.mimeType, APP_MIME);
      const { contents } = await client.readResource({ uri: VIEWER_URI });
      assert.equal(contents.length, 1);
      const page = contents[0] as { uri: string; mimeType: string; text: string };
      assert.equal(page.uri, VIEWER_URI);
      assert.equal(page.mimeType, APP_MIME);
      assert.match(page.text, /^<!doctype html>/);
      assert.match(page.text, /"ui\/initialize"/);
      // Self-contained: hosts sandbox it, so nothing may come from elsewhere.
      assert.doesNotMatch(page.text, /<script[^>]+src=|<link[^>]+href=|https?:\/\//);
    });

    test(`${era}: an apps client sees the image tools linked to the viewer, a plain client sees no link`, async () => {
      const { tools: linked } = await apps[era].listTools();
      for (const tool of linked) {
        const uri = (tool._meta as { ui?: { resourceUri?: string } } | undefined)?.ui?.resourceUri;
        assert.equal(uri, LINKED.includes(tool.name) ? VIEWER_URI : undefined, tool.name);
      }
      assert.deepEqual(linked.filter((t) => t._meta?.ui).map((t) => t.name).sort(), [...LINKED].sort());
      const { tools } = await plain[era].client.listTools();
      assert.equal(tools.length, linked.length);
      assert.deepEqual(tools.filter((t) => t._meta !== undefined && "ui" in t._meta).map((t) => t.name), []);
    });
  }
});
