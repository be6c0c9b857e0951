/**
 * The asset integrations end to end: a real server, real Blender with the
 * addon from the built zip, a real MCP client, and a local API server in place
 * of Poly Haven, Sketchfab, Hyper3D and fal.ai. What arrives is checked inside
 * Blender with blender_execute_code.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { BLENDER_VERSIONS, blenderSkipReason, launchBlender, type BlenderVersion, type RunningBlender } from "@blender-mcp/test-support/blender";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { startServer, type ServerProcess } from "../support/server-process.js";
import { BOX, FAL_KEY, HYPER3D_KEY, INJECTION, SKETCHFAB_TOKEN, startFixtureApi, type FixtureApi } from "./fixture-api.js";

const ZIP = join(import.meta.dirname, `../../../../dist/blender_mcp_bus-${PACKAGE_VERSION}.zip`);
const SECRETS = [SKETCHFAB_TOKEN, HYPER3D_KEY, FAL_KEY];
const close = (a: number, b: number) => Math.abs(a - b) < 1e-3;

/** Runs Python in Blender and returns what it printed, parsed as JSON. */
async function inBlender(client: TestClient, code: string): Promise<any> {
  const { structured } = await client.call("blender_execute_code", { code });
  assert.equal(structured.status, "completed", JSON.stringify(structured));
  return JSON.parse(structured.result.stdout);
}

async function launch(version: BlenderVersion, server: ServerProcess, env: Record<string, string>): Promise<RunningBlender> {
  // The server may ask Blender for its local token (when it has one).
  const token = (server as unknown as { token?: string }).token;
  return launchBlender({
    version,
    zip: ZIP,
    env: { BLENDER_MCP_BUS_URL: server.addonUrl, ...(token ? { BLENDER_MCP_BUS_TOKEN: token } : {}), ...env },
  });
}

function assetSuite(version: BlenderVersion): void {
  describe(`asset integrations: Blender ${version}`, { concurrency: false }, () => {
    let api: FixtureApi;
    let server: ServerProcess;
    let client: TestClient;
    let blender: RunningBlender | undefined;
    const texts: string[] = [];
    const call = async (name: string, args: Record<string, unknown> = {}, options = {}) => {
      const out = await client.call(name, args, options);
      texts.push(JSON.stringify(out.result));
      return out;
    };

    before(async () => {
      api = await startFixtureApi();
      server = await startServer();
      client = await connectClient(server, "http");
    });
    after(async () => {
      await client?.close();
      await blender?.stop();
      await server?.stop();
      await api?.close();
    });

    test("each integration is off by default: status says how to turn it on, the rest fail gated", async () => {
      blender = await launch(version, server, {});
      try {
        const clients = (await call("blender_list_clients")).structured.clients;
        assert.deepEqual([...clients[0].gated].sort(), ["hyper3d", "polyhaven", "sketchfab"]);
        for (const [status, gated, args] of [
          ["blender_get_polyhaven_status", "blender_search_polyhaven_assets", {}],
          ["blender_get_sketchfab_status", "blender_search_sketchfab_models", { query: "chair" }],
          ["blender_get_hyper3d_status", "blender_generate_hyper3d_model", { text_prompt: "a stool" }],
        ] as const) {
          const s = (await call(status)).structured;
          assert.equal(s.status, "completed", JSON.stringify(s));
          assert.equal(s.result.enabled, false);
          assert.match(s.result.message, /Preferences > Add-ons > MCP Bus/);
          const g = (await call(gated, args)).structured;
          assert.equal(g.status, "failed");
          assert.match(g.error, /switched off in this Blender: enable '.+' in Preferences > Add-ons > MCP Bus/);
        }
        assert.equal(api.requests.length, 0, "nothing reached the providers");
      } finally {
        await blender.stop();
        blender = undefined;
      }
    });

    describe("switched on, against the local API", { concurrency: false }, () => {
      before(async () => {
        blender = await launch(version, server, {
          BLENDER_MCP_BUS_ENABLE: "polyhaven,sketchfab,hyper3d",
          BLENDER_MCP_BUS_POLYHAVEN_URL: `${api.url}/polyhaven`,
          BLENDER_MCP_BUS_SKETCHFAB_URL: `${api.url}/sketchfab`,
          BLENDER_MCP_BUS_SKETCHFAB_TOKEN: SKETCHFAB_TOKEN,
          BLENDER_MCP_BUS_HYPER3D_URL: `${api.url}/hyper3d`,
          BLENDER_MCP_BUS_HYPER3D_KEY: HYPER3D_KEY,
          BLENDER_MCP_BUS_FAL_URL: `${api.url}/fal`,
          BLENDER_MCP_BUS_FAL_KEY: FAL_KEY,
        });
      });

      test("Poly Haven: status, categories, a filtered and paged search with provider text kept apart", async () => {
        assert.equal((await call("blender_get_polyhaven_status")).structured.result.enabled, true);
        const cats = (await call("blender_get_polyhaven_categories", { asset_type: "hdris" })).structured;
        assert.deepEqual(cats.result.categories.slice(0, 2), [{ name: "all", count: 2 }, { name: "outdoor", count: 2 }]);
        const first = (await call("blender_search_polyhaven_assets", { asset_type: "all", limit: 2 })).structured.result;
        assert.deepEqual(first.assets.map((a: { id: string }) => a.id), ["test_sky", "test_bricks"]);
        assert.equal(first.total, 4);
        assert.equal(first.next_offset, 2);
        const bricks = first.assets[1];
        assert.deepEqual(bricks.provider_text, {
          source: "third_party",
          provider: "polyhaven",
          name: "Test Bricks",
          description: INJECTION,
          authors: ["Rob Tuytel"],
        });
        const filtered = (await call("blender_search_polyhaven_assets", { asset_type: "hdris", categories: ["skies"] })).structured.result;
        assert.deepEqual(filtered.assets.map((a: { id: string }) => a.id), ["test_sky"]);
        const byText = (await call("blender_search_polyhaven_assets", { query: "WOOD" })).structured.result;
        assert.deepEqual(byText.assets.map((a: { id: string }) => a.id), ["test_crate"]);
      });

      test("Poly Haven: an HDRI lights the world", async () => {
        const { structured } = await call("blender_download_polyhaven_asset", { asset_id: "test_sky", asset_type: "hdris" });
        assert.equal(structured.status, "completed", JSON.stringify(structured));
        assert.equal(structured.result.file_format, "hdr");
        const world = await inBlender(
          client,
          `import json\nw = bpy.context.scene.world\nenv = [n for n in w.node_tree.nodes if n.type == 'TEX_ENVIRONMENT']\n` +
            `print(json.dumps({'image': env[0].image.name, 'size': list(env[0].image.size), 'linked': env[0].outputs['Color'].is_linked}))`,
        );
        assert.deepEqual(world, { image: structured.result.image, size: [32, 16], linked: true });
      });

      test("Poly Haven: a texture becomes a PBR material, and set_texture applies it (reusing the download)", async () => {
        const { structured } = await call("blender_download_polyhaven_asset", { asset_id: "test_bricks", asset_type: "textures", file_format: "png" });
        assert.equal(structured.status, "completed", JSON.stringify(structured));
        assert.deepEqual(structured.result.maps, ["diffuse", "normal", "roughness", "displacement"]);
        const inputs = await inBlender(
          client,
          `import json\nm = bpy.data.materials[${JSON.stringify(structured.result.material)}]\n` +
            `b = [n for n in m.node_tree.nodes if n.type == 'BSDF_PRINCIPLED'][0]\n` +
            `print(json.dumps({k: b.inputs[k].is_linked for k in ('Base Color', 'Normal', 'Roughness')}))`,
        );
        assert.deepEqual(inputs, { "Base Color": true, Normal: true, Roughness: true });
        const set = (await call("blender_set_texture", { object_name: "Cube", texture_id: "test_bricks" })).structured;
        assert.equal(set.status, "completed", JSON.stringify(set));
        assert.equal(set.result.downloaded, true, "jpg was not downloaded before");
        const again = (await call("blender_set_texture", { object_name: "Cube", texture_id: "test_bricks" })).structured;
        assert.deepEqual([again.result.downloaded, again.result.material], [false, set.result.material]);
        const slots = await inBlender(client, `import json\nprint(json.dumps([m.name for m in bpy.data.objects['Cube'].data.materials]))`);
        assert.deepEqual(slots, [set.result.material]);
      });

      test("Poly Haven: a glTF model with its includes is imported; an include leaving its folder is refused", async () => {
        const { structured } = await call("blender_download_polyhaven_asset", { asset_id: "test_crate", asset_type: "models" });
        assert.equal(structured.status, "completed", JSON.stringify(structured));
        const box = structured.result.objects.find((o: { type: string }) => o.type === "MESH");
        assert.ok(box, JSON.stringify(structured.result.objects));
        assert.ok(close(box.dimensions[0], BOX[0]) && close(box.dimensions[1], BOX[2]) && close(box.dimensions[2], BOX[1]), String(box.dimensions));
        const evil = (await call("blender_download_polyhaven_asset", { asset_id: "evil_crate", asset_type: "models" })).structured;
        assert.equal(evil.status, "failed");
        assert.match(evil.error, /leaves the destination/);
      });

      test("a download reports MCP progress while Blender's main thread stays free", async () => {
        const progress: { progress: number; total?: number }[] = [];
        let twice!: () => void;
        const underway = new Promise<void>((resolve) => (twice = resolve));
        const download = call("blender_download_polyhaven_asset", { asset_id: "slow_sky", asset_type: "hdris" }, {
          onprogress: (p: { progress: number; total?: number }) => {
            progress.push(p);
            if (progress.length === 2) twice();
          },
        });
        const started = Date.now();
        await underway;
        const scene = (await call("blender_get_scene_info", { limit: 1 })).structured;
        assert.equal(scene.status, "completed");
        const { structured } = await download;
        assert.equal(structured.status, "completed", JSON.stringify(structured));
        assert.ok(Date.now() - started > 500, "the download was slow enough to overlap");
        assert.ok(progress.length >= 3, `progress notifications: ${progress.length}`);
        for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.progress > progress[i - 1]!.progress);
        assert.equal(progress.at(-1)!.progress, progress.at(-1)!.total);
      });

      test("cancelling mid-download stops the transfer and ends the job failed as cancelled", async () => {
        const from = client.events.length;
        const controller = new AbortController();
        let sawProgress!: () => void;
        const progressed = new Promise<void>((resolve) => (sawProgress = resolve));
        const download = call("blender_download_polyhaven_asset", { asset_id: "slow_sky", asset_type: "hdris" }, {
          signal: controller.signal,
          onprogress: () => sawProgress(),
        });
        await progressed;
        controller.abort("changed my mind");
        await assert.rejects(download);
        const ours = (e: (typeof client.events)[number]) => client.events.indexOf(e) >= from && e.command === "download_polyhaven_asset";
        const running = await client.event((e) => ours(e) && e.status === "running");
        const late = await client.event((e) => e.job_id === running.job_id && e.late === true);
        assert.equal(late.status, "cancelled");
        assert.match(String(late.error), /^cancelled: /);
        assert.ok(api.cutShort.includes("/dl/slow_sky_1k.hdr"), "the addon hung up on the download");
      });

      test("Sketchfab: status checks the token, search pages, preview returns the thumbnail as an image", async () => {
        const status = (await call("blender_get_sketchfab_status")).structured.result;
        assert.deepEqual([status.enabled, status.token_set, status.token_valid], [true, true, true]);
        const me = api.requests.find((r) => r.path === "/sketchfab/v3/me");
        assert.equal(me?.authorization, `Token ${SKETCHFAB_TOKEN}`);
        const page = (await call("blender_search_sketchfab_models", { query: "chair", count: 1 })).structured.result;
        assert.equal(page.models.length, 1);
        assert.equal(page.next_cursor, "1");
        assert.equal(page.models[0].provider_text.description, INJECTION);
        assert.equal(page.models[0].provider_text.source, "third_party");
        const preview = await call("blender_get_sketchfab_model_preview", { uid: "c0ffee00c0ffee00c0ffee00c0ffee00" });
        assert.equal(preview.structured.status, "completed", JSON.stringify(preview.structured));
        assert.equal(preview.structured.result.thumbnail_base64, undefined, "bytes travel as content, not JSON");
        const image = preview.result.content.find((c) => c.type === "image") as { mimeType: string; data: string };
        assert.equal(image.mimeType, "image/png");
        assert.deepEqual([preview.structured.result.width, preview.structured.result.height], [64, 48]);
      });

      test("Sketchfab: a glTF archive is unpacked and imported scaled to the target size", async () => {
        const { structured } = await call("blender_download_sketchfab_model", { uid: "c0ffee00c0ffee00c0ffee00c0ffee00", target_size: 1 });
        assert.equal(structured.status, "completed", JSON.stringify(structured));
        assert.ok(close(structured.result.scale, 0.5));
        assert.ok(close(Math.max(...structured.result.dimensions), 1), String(structured.result.dimensions));
        const download = api.requests.find((r) => r.path === "/dl/chair_gltf.zip");
        assert.equal(download?.authorization, undefined, "the token is not sent to the file host");
      });

      test("Sketchfab: an archive with a path leaving its folder is refused before anything is written", async () => {
        const { structured } = await call("blender_download_sketchfab_model", { uid: "bad0bad0bad0bad0bad0bad0bad0bad0" });
        assert.equal(structured.status, "failed");
        assert.match(structured.error, /refusing path '\.\.\/\.\.\/\.\.\/\.\.\/evil\.txt': it leaves the destination/);
      });

      test("Hyper3D Rodin on the main site: generate, poll until done, import", async () => {
        const status = (await call("blender_get_hyper3d_status")).structured.result;
        assert.deepEqual([status.enabled, status.backend, status.key_set], [true, "main_site", true]);
        const started = (await call("blender_generate_hyper3d_model", { text_prompt: "a small stool" })).structured;
        assert.equal(started.status, "completed", JSON.stringify(started));
        assert.equal(started.result.task_uuid, "a1b2c3d4-task-0001");
        const first = (await call("blender_poll_hyper3d_job", { subscription_key: started.result.subscription_key })).structured.result;
        assert.deepEqual([first.done, first.statuses], [false, ["Done", "Generating"]]);
        const second = (await call("blender_poll_hyper3d_job", { subscription_key: started.result.subscription_key })).structured.result;
        assert.equal(second.done, true);
        const imported = (await call("blender_import_hyper3d_model", { task_uuid: started.result.task_uuid, name: "Stool" })).structured;
        assert.equal(imported.status, "completed", JSON.stringify(imported));
        assert.ok(imported.result.objects.some((o: { name: string }) => o.name === "Stool"));
      });

      test("Hyper3D Rodin through fal.ai: generate from an image, poll, import scaled", async () => {
        // The user switches the service in the preferences; a reference image lies on Blender's machine.
        const path = await inBlender(
          client,
          `import json, os, tempfile\n` +
            `addon = [a for a in bpy.context.preferences.addons if a.module.endswith('blender_mcp_bus')][0]\n` +
            `addon.preferences.hyper3d_backend = 'fal_ai'\n` +
            `p = os.path.join(tempfile.gettempdir(), 'ref.png')\n` +
            `open(p, 'wb').write(bytes.fromhex('89504e470d0a1a0a') + b'rest')\nprint(json.dumps(p))`,
        );
        const notImage = (await call("blender_generate_hyper3d_model", { image_paths: ["/etc/passwd"] })).structured;
        assert.equal(notImage.status, "failed");
        assert.match(notImage.error, /not a PNG, JPEG or WebP image/);
        const started = (await call("blender_generate_hyper3d_model", { image_paths: [path] })).structured;
        assert.equal(started.status, "completed", JSON.stringify(started));
        assert.equal(started.result.backend, "fal_ai");
        const polled = (await call("blender_poll_hyper3d_job", { request_id: started.result.request_id })).structured.result;
        assert.equal(polled.done, true);
        const imported = (await call("blender_import_hyper3d_model", { request_id: started.result.request_id, name: "FalStool", target_size: 3 })).structured;
        assert.equal(imported.status, "completed", JSON.stringify(imported));
        const stool = imported.result.objects.find((o: { name: string }) => o.name === "FalStool");
        assert.ok(close(Math.max(...stool.dimensions), 3), String(stool.dimensions));
      });

      test("keys never appear in results, server logs or Blender's output, and each job had one terminal update", async () => {
        const everything = [...texts, JSON.stringify(server.logs), ...(blender?.stdout ?? []), ...(blender?.stderr ?? [])].join("\n");
        for (const secret of SECRETS) assert.ok(!everything.includes(secret), "a key leaked");
        assert.ok(texts.length > 10);
        assert.deepEqual(server.logs.filter((l) => l.event === "job_update.duplicate"), []);
      });
    });
  });
}

for (const version of BLENDER_VERSIONS) {
  const skip = await blenderSkipReason(version);
  if (skip) test(`asset integrations: Blender ${version}`, { skip }, () => {});
  else assetSuite(version);
}
