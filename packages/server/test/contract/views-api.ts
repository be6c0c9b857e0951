/**
 * blender_get_views and the API tools against one real Blender per version:
 * images whose cells hold real drawings, and API answers that differ where
 * the Blender versions differ.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { decodePng, pngSize } from "@blender-mcp/fake-addon";
import type { BlenderVersion } from "@blender-mcp/test-support/blender";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { startServer, type ServerProcess } from "../support/server-process.js";
import type { Peer, PeerKind } from "./peer.js";

interface Cell {
  view: string;
  x: number;
  y: number;
  size: number;
}

/** One cell's RGB pixels, top row first. */
function cellPixels(png: Buffer, cell: Cell): Buffer {
  const { width, channels, pixels } = decodePng(png);
  const rows: Buffer[] = [];
  for (let y = cell.y; y < cell.y + cell.size; y++) {
    const start = (y * width + cell.x) * channels;
    const row = pixels.subarray(start, start + cell.size * channels);
    if (channels === 3) rows.push(row);
    else for (let i = 0; i < row.length; i += 4) rows.push(row.subarray(i, i + 3));
  }
  return Buffer.concat(rows);
}

function colours(rgb: Buffer): number {
  const seen = new Set<string>();
  for (let i = 0; i < rgb.length && seen.size < 64; i += 3) seen.add(rgb.subarray(i, i + 3).toString("hex"));
  return seen.size;
}

/** Share of pixels that differ clearly between two equal-sized RGB buffers. */
function difference(a: Buffer, b: Buffer): number {
  let differing = 0;
  for (let i = 0; i < a.length; i += 3) {
    if (Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!) > 24) differing++;
  }
  return differing / (a.length / 3);
}

const imageOf = (result: { content: unknown[] }) =>
  Buffer.from((result.content.find((c) => (c as { type: string }).type === "image") as { data: string }).data, "base64");

export function viewsApiSuite(kind: PeerKind, version: BlenderVersion): void {
  describe(`views and API: ${kind.name}`, () => {
    let server: ServerProcess;
    let client: TestClient;
    let peer: Peer;
    const code = async (source: string) => {
      const { structured } = await client.call("blender_execute_code", { code: source });
      assert.equal(structured.status, "completed", structured.error);
      return structured.result.stdout as string;
    };

    before(async () => {
      server = await startServer();
      client = await connectClient(server, "http");
      peer = await kind.start({ url: server.addonUrl, token: server.token, label: `views-${version}` });
      // A cube alone looks the same from the front and from the top; a ball above it does not.
      await code("import bpy\nbpy.ops.mesh.primitive_uv_sphere_add(radius=0.7, location=(0, 0, 2.5))\n");
    });
    after(async () => {
      await peer?.stop();
      await client?.close();
      await server?.stop();
    });

    test("get_views: front, top and camera in one PNG of the expected size, each cell drawn and different", async () => {
      const { result, structured } = await client.call("blender_get_views", { views: ["front", "top", "camera"], size: 128 });
      assert.equal(structured.status, "completed", structured.error);
      const { width, height, cells } = structured.result as { width: number; height: number; cells: Cell[] };
      assert.deepEqual(cells.map((c) => c.view), ["front", "top", "camera"]);
      assert.deepEqual([width, height], [2 * 128 + 2, 2 * 128 + 2], "a 2x2 grid of 128 px cells with 2 px gaps");
      assert.equal("png_base64" in structured.result, false, "bytes travel as image content");
      const png = imageOf(result);
      assert.deepEqual(pngSize(png), { width, height });
      const pixels = cells.map((c) => cellPixels(png, c));
      for (const [i, p] of pixels.entries()) assert.ok(colours(p) > 8, `${cells[i]!.view} is drawn, not blank`);
      for (let i = 0; i < pixels.length; i++) {
        for (let j = i + 1; j < pixels.length; j++) {
          assert.ok(difference(pixels[i]!, pixels[j]!) > 0.02, `${cells[i]!.view} differs from ${cells[j]!.view}`);
        }
      }
    });

    test("get_views: framed on Cube differs from the whole scene once something stands far away", async () => {
      await code("import bpy\nbpy.ops.mesh.primitive_uv_sphere_add(location=(12, 0, 0))\nbpy.context.active_object.name = 'FarSphere'\n");
      const whole = await client.call("blender_get_views", { views: ["front"], size: 96 });
      const framed = await client.call("blender_get_views", { views: ["front"], frame: ["Cube"], size: 96 });
      assert.equal(framed.structured.status, "completed", framed.structured.error);
      assert.equal(whole.structured.status, "completed", whole.structured.error);
      const cell = framed.structured.result.cells[0] as Cell;
      assert.deepEqual(cell, { view: "front", x: 0, y: 0, size: 96 });
      const [a, b] = [cellPixels(imageOf(whole.result), cell), cellPixels(imageOf(framed.result), cell)];
      assert.ok(colours(b) > 8);
      assert.ok(difference(a, b) > 0.05, "framing the cube zooms in");
    });

    test("get_views: a missing object fails naming it; no camera fails for the camera view", async () => {
      const missing = await client.call("blender_get_views", { views: ["front"], frame: ["Cube", "NoSuchThing"] });
      assert.equal(missing.structured.status, "failed");
      assert.match(missing.structured.error, /NoSuchThing/);
      await code("import bpy\nbpy.context.scene.camera = None\n");
      const noCamera = await client.call("blender_get_views", { views: ["top", "camera"] });
      assert.equal(noCamera.structured.status, "failed");
      assert.match(noCamera.structured.error, /no camera/);
      const stillServing = await client.call("blender_get_views", { views: ["top", "user"], size: 64 });
      assert.equal(stillServing.structured.status, "completed", stillServing.structured.error);
    });

    test("search_api finds Object.location among properties, and pages", async (t) => {
      const first = await client.call("blender_search_api", { query: "location", kind: "property", limit: 5 });
      assert.equal(first.structured.status, "completed", first.structured.error);
      const page1 = first.structured.result;
      assert.match(page1.blender_version, new RegExp(`^${version.replace(".", "\\.")}`));
      const ids = page1.hits.map((h: { id: string }) => h.id);
      assert.ok(ids.includes("bpy.types.Object.location"), ids.join(", "));
      assert.ok(page1.hits.every((h: { kind: string }) => h.kind === "property"));
      assert.equal(page1.next_offset, 5);
      assert.ok(page1.total > 5);
      const second = (await client.call("blender_search_api", { query: "location", kind: "property", limit: 5, offset: 5 })).structured.result;
      assert.equal(second.offset, 5);
      assert.equal(second.total, page1.total);
      assert.deepEqual(second.hits.filter((h: { id: string }) => ids.includes(h.id)), [], "the second page is new hits");
      const seconds = await code(
        "import sys\napi = next(m for n, m in sys.modules.items() if n.endswith('.blender.commands.api'))\n" +
          "print(len(api.api_index()), round(api._Cache.seconds, 3))\n",
      );
      t.diagnostic(`Blender ${version}: API index entries and first build seconds: ${seconds.trim()}`);
    });

    test("get_api: a property's type, size, subtype and unit; an operator's parameters; a type's base and members", async () => {
      const location = (await client.call("blender_get_api", { id: "bpy.types.Object.location" })).structured;
      assert.equal(location.status, "completed", location.error);
      assert.equal(location.result.kind, "property");
      assert.equal(location.result.property.type, "FLOAT");
      assert.equal(location.result.property.array_length, 3);
      assert.equal(location.result.property.subtype, "TRANSLATION");
      assert.equal(location.result.property.unit, "LENGTH");
      assert.deepEqual(location.result.property.default, [0, 0, 0]);
      const cube = (await client.call("blender_get_api", { id: "bpy.ops.mesh.primitive_cube_add" })).structured;
      assert.equal(cube.status, "completed", cube.error);
      assert.equal(cube.result.kind, "operator");
      const params = cube.result.parameters.map((p: { name: string }) => p.name);
      for (const name of ["size", "location", "rotation"]) assert.ok(params.includes(name), name);
      assert.match(cube.result.doc, /primitive_cube_add\(size=2/);
      const object = (await client.call("blender_get_api", { id: "bpy.types.Object", limit: 10 })).structured.result;
      assert.equal(object.base, "bpy.types.ID");
      assert.equal(object.members.length, 10);
      assert.equal(object.next_offset, 10);
      assert.ok(object.total > 50);
      const display = (await client.call("blender_get_api", { id: "bpy.types.Object.display_type" })).structured.result;
      assert.ok(display.property.enum_items.some((i: { identifier: string; name: string }) => i.identifier === "WIRE" && i.name === "Wire"));
    });

    test("get_api: an unknown id fails with close matches", async () => {
      const { structured } = await client.call("blender_get_api", { id: "bpy.types.Object.locaton" });
      assert.equal(structured.status, "failed");
      assert.match(structured.error, /bpy\.types\.Object\.location/);
    });

    test("answers follow the Blender version: the EEVEE engine id and slotted actions", async () => {
      const engine = (await client.call("blender_get_api", { id: "bpy.types.RenderSettings.engine" })).structured;
      assert.equal(engine.status, "completed", engine.error);
      const engines = engine.result.property.enum_items.map((i: { identifier: string }) => i.identifier);
      assert.ok(engines.includes("CYCLES") && engines.includes("BLENDER_WORKBENCH"), `the file's engines: ${engines}`);
      assert.equal(engines.includes("BLENDER_EEVEE_NEXT"), version === "4.3", engines.join(","));
      assert.equal(engines.includes("BLENDER_EEVEE"), version !== "4.3", engines.join(","));
      const action = (await client.call("blender_get_api", { id: "bpy.types.Action", limit: 500 })).structured.result;
      const members = action.members.map((m: { id: string }) => m.id);
      const slotted = version === "5.2";
      assert.equal(members.includes("bpy.types.Action.slots"), slotted, members.join(", "));
      assert.equal(members.includes("bpy.types.Action.layers"), slotted);
      assert.equal(members.includes("bpy.types.Action.fcurves"), !slotted, "5.x dropped Action.fcurves");
      const slots = (await client.call("blender_search_api", { query: "Action.slots" })).structured.result;
      assert.equal(slots.hits.some((h: { id: string }) => h.id === "bpy.types.Action.slots"), slotted);
    });

    test("get_api: Python helpers and mathutils come with their docstrings", async () => {
      const pydata = (await client.call("blender_get_api", { id: "bpy.types.Mesh.from_pydata" })).structured;
      assert.equal(pydata.status, "completed", pydata.error);
      assert.equal(pydata.result.kind, "function");
      assert.match(pydata.result.doc, /from_pydata\(self, vertices, edges, faces/);
      assert.equal(/shade_flat/.test(pydata.result.doc), version !== "3.4", pydata.result.doc);
      const lerp = (await client.call("blender_get_api", { id: "mathutils.Vector.lerp" })).structured.result;
      assert.match(lerp.doc, /lerp\(other, factor/);
      const hits = (await client.call("blender_search_api", { query: "bevel", kind: "function" })).structured.result.hits;
      assert.ok(hits.some((h: { id: string }) => h.id === "bmesh.ops.bevel"), JSON.stringify(hits));
    });
  });
}
