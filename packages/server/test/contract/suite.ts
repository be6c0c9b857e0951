/**
 * The dispatch contract, end to end: a real server process (or the same
 * app in this process, over in-memory links), real MCP clients, and peers
 * over real sockets (or those links). Which Blender answers (the fake addon
 * or real Blender) and over which MCP transport are parameters.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { z } from "zod";
import { INTEGRATION_GATES, JobLookup, TOOLS } from "@blender-mcp/protocol";
import { distinctColours, pngSize } from "@blender-mcp/fake-addon";
import { connectClient, type Era, type TestClient, type TransportKind } from "../support/mcp-client.js";
import { startServer } from "../support/server-process.js";
import { startInProcessServer, type TestServer } from "../support/in-process.js";
import type { Peer, PeerKind } from "./peer.js";
import { filesContract } from "./files.js";
import { undoContract } from "./undo.js";

const SCHEMA_DIR = join(import.meta.dirname, "../../../protocol/schemas/tools");

/** Gates other than the asset integrations, which a real addon keeps off until the user turns them on. */
const coreGates = (gated: string[]) => gated.filter((g) => !(INTEGRATION_GATES as readonly string[]).includes(g));

/** era: the MCP revision the suite's clients speak, legacy 2025-11-25 or modern 2026-07-28. */
export function contractSuite(kind: PeerKind, transport: TransportKind, era: Era = "legacy"): void {
  describe(`dispatch contract: ${kind.name} over ${transport}${era === "modern" ? " (2026-07-28)" : ""}`, { concurrency: 1 }, () => {
    let server: TestServer;
    let client: TestClient;
    const peers: Peer[] = [];
    const startPeer = async (options: { label?: string; gated?: string[] } = {}) => {
      const peer = await kind.start({ url: server.addonUrl, connect: server.connect, token: server.token, ...options });
      peers.push(peer);
      return peer;
    };
    const stopPeers = async () => {
      await Promise.all(peers.splice(0).map((p) => p.stop()));
    };

    /** The running event of a job of this tool that has not finished yet: the job that is busy now. */
    const runningEvent = (tool: string) =>
      client.event(
        (e) =>
          e.status === "running" &&
          e.command === tool.replace(/^blender_/, "") &&
          !client.events.some((x) => x.job_id === e.job_id && x.status !== "running"),
      );

    before(async () => {
      server = transport === "in-memory" ? await startInProcessServer() : await startServer();
      client = await connectClient(server, transport, { era });
    });
    after(async () => {
      await stopPeers();
      await client?.close();
      await server?.stop();
    });

    test("tools/list advertises every tool with the generated schemas and all four annotations", async () => {
      const { tools } = await client.client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), TOOLS.map((t) => t.name).sort());
      for (const tool of tools) {
        const { $schema: _i, ...input } = JSON.parse(readFileSync(join(SCHEMA_DIR, `${tool.name}.input.json`), "utf8"));
        const { $schema: _o, ...output } = JSON.parse(readFileSync(join(SCHEMA_DIR, `${tool.name}.output.json`), "utf8"));
        const { $schema: _a, ...advertisedInput } = tool.inputSchema as Record<string, unknown>;
        const { $schema: _b, ...advertisedOutput } = tool.outputSchema as Record<string, unknown>;
        assert.deepEqual(advertisedInput, input, `${tool.name} input schema`);
        assert.deepEqual(advertisedOutput, output, `${tool.name} output schema`);
        assert.equal(typeof tool.annotations?.readOnlyHint, "boolean");
        assert.equal(typeof tool.annotations?.destructiveHint, "boolean");
        assert.equal(typeof tool.annotations?.idempotentHint, "boolean");
        assert.equal(typeof tool.annotations?.openWorldHint, "boolean");
      }
    });

    test("no Blender connected: no_client", async () => {
      const { structured, isError } = await client.call("blender_get_scene_info");
      assert.equal(isError, true);
      assert.equal(structured.status, "no_client");
      assert.equal(structured.job_id, null);
      assert.match(structured.error, /No Blender is connected/);
    });

    test("bad tool arguments get a clear error and the server keeps serving", async () => {
      for (const args of [{}, { name: 42 }, { name: "Cube", nmae: "typo" }, { name: "Cube", timeout_seconds: 100000 }]) {
        const { result, isError } = await client.call("blender_get_object_info", args);
        assert.equal(isError, true, JSON.stringify(args));
        assert.match((result.content[0] as { text: string }).text, /Invalid arguments/);
      }
      // An unknown tool is a protocol error (-32602), as the specification says.
      await assert.rejects(client.client.callTool({ name: "blender_no_such_tool", arguments: {} }), (e: { code?: number }) => e.code === -32602);
      assert.equal((await client.call("blender_list_clients")).isError, false);
    });

    describe("with one Blender", () => {
      let peer: Peer;
      before(async () => {
        peer = await startPeer({ label: "solo" });
      });
      after(stopPeers);

      test("blender_list_clients shows it with its commands", async () => {
        const { structured } = await client.call("blender_list_clients");
        assert.equal(structured.clients.length, 1);
        const info = structured.clients[0];
        assert.equal(info.uuid, peer.uuid);
        assert.equal(info.label, "solo");
        for (const c of ["get_scene_info", "get_object_info", "browse_data", "execute_code", "get_viewport_screenshot"]) {
          assert.ok(info.commands.includes(c), c);
        }
        assert.deepEqual(coreGates(info.gated), []);
      });

      test("get_scene_info completes with the wire body as structuredContent and as text", async () => {
        const { result, structured, isError } = await client.call("blender_get_scene_info", { limit: 2 });
        assert.equal(isError, false, JSON.stringify(structured));
        assert.equal(structured.status, "completed");
        assert.equal(structured.command, "get_scene_info");
        assert.equal(structured.target_uuid, peer.uuid);
        assert.match(structured.job_id, /^j-/);
        assert.equal(structured.error, "");
        assert.ok(structured.result.objects.length <= 2);
        assert.ok(structured.result.total >= structured.result.objects.length);
        assert.deepEqual(JSON.parse((result.content[0] as { text: string }).text), structured);
      });

      test("get_scene_info pages through every object", async () => {
        const first = (await client.call("blender_get_scene_info", { limit: 1 })).structured.result;
        const names: string[] = [...first.objects.map((o: { name: string }) => o.name)];
        let next = first.next_offset;
        while (next !== null) {
          const page = (await client.call("blender_get_scene_info", { limit: 1, offset: next })).structured.result;
          names.push(...page.objects.map((o: { name: string }) => o.name));
          next = page.next_offset;
        }
        assert.equal(names.length, first.total);
        assert.ok(names.includes("Cube"));
      });

      test("get_object_info: an existing object completes, a missing one fails with its name", async () => {
        const cube = await client.call("blender_get_object_info", { name: "Cube" });
        assert.equal(cube.structured.status, "completed");
        assert.equal(cube.structured.result.name, "Cube");
        assert.equal(cube.structured.result.type, "MESH");
        const missing = await client.call("blender_get_object_info", { name: "NoSuchObject" });
        assert.equal(missing.isError, true);
        assert.equal(missing.structured.status, "failed");
        assert.match(missing.structured.error, /NoSuchObject/);
      });

      test("browse_data lists a bpy.data collection", async () => {
        const { structured } = await client.call("blender_browse_data", { collection: "materials", detail: "names" });
        assert.equal(structured.status, "completed");
        assert.equal(structured.result.collection, "materials");
        assert.ok(Array.isArray(structured.result.items));
      });

      test("execute_code returns stdout; a raising job fails with its traceback", async () => {
        const ok = await client.call("blender_execute_code", { code: "print('hello', 6 * 7)" });
        assert.equal(ok.structured.status, "completed");
        assert.equal(ok.structured.result.stdout.trim(), "hello 42");
        const call = await kind.failingCall(peer);
        const failed = await client.call(call.tool, call.args);
        assert.equal(failed.structured.status, "failed");
        assert.match(failed.structured.error, /boom from the contract suite/);
        assert.match(failed.structured.error, /RuntimeError/);
      });

      test("get_viewport_screenshot returns a PNG of the asked size as image content, and writes the file", async () => {
        const dir = await mkdtemp(join(tmpdir(), "shot-"));
        try {
          const filepath = join(dir, "shot.png");
          const { result, structured } = await client.call("blender_get_viewport_screenshot", { max_size: 64, filepath });
          assert.equal(structured.status, "completed", structured.error);
          const { width, height } = structured.result;
          assert.equal(Math.max(width, height), 64);
          assert.equal(structured.result.filepath, filepath);
          assert.equal("png_base64" in structured.result, false, "bytes travel as image content, not in the JSON");
          const image = result.content.find((c) => c.type === "image") as { data: string; mimeType: string };
          assert.equal(image.mimeType, "image/png");
          const png = Buffer.from(image.data, "base64");
          assert.deepEqual(pngSize(png), { width, height });
          assert.ok(distinctColours(png) > 8, "a rendered view, not a blank or single-colour image");
          assert.deepEqual(await readFile(kind.hostPath(filepath)), png);
        } finally {
          await rm(dir, { recursive: true, force: true });
          await rm(kind.hostPath(dir), { recursive: true, force: true });
        }
      });

      test("a timeout ends the dispatch; the late reply is kept for blender_get_job", async () => {
        // Blender must start the job within the timeout (one still queued then is cancelled: the next test);
        // it has been seen to take over a second to pick one up, so it gets four.
        const call = await kind.slowCall(peer, 8);
        const timedOut = await client.call(call.tool, { ...call.args, timeout_seconds: 4 });
        assert.equal(timedOut.structured.status, "timeout");
        const jobId = timedOut.structured.job_id;
        await client.event((e) => e.job_id === jobId && e.late && e.status !== "running");
        const { structured: job } = await client.call("blender_get_job", { job_id: jobId });
        assert.equal(job.status, "timeout");
        assert.equal(job.late, true);
        assert.ok(job.result !== null, `the late result is kept: ${JSON.stringify(job)}`);
      });

      test("a job still queued at its timeout is cancelled at the addon", async () => {
        const slow = await kind.slowCall(peer, 1.5);
        const busy = client.call(slow.tool, slow.args);
        const queued = await client.call("blender_get_object_info", { name: "Cube", timeout_seconds: 0.2 });
        assert.equal(queued.structured.status, "timeout");
        const jobId = queued.structured.job_id;
        const late = await client.event((e) => e.job_id === jobId && e.late && e.status !== "running");
        assert.match(late.error, /cancelled before it started/);
        assert.equal((await busy).structured.status, "completed");
      });

      test("send_message + job_dispatch: job_id at once, then a _message_bus notification and blender_get_job", async () => {
        const marker = `marker-${Date.now()}`;
        const sent = await client.call("blender_send_message", {
          payload: { message_type: "job_dispatch", script: kind.script(marker), description: "contract" },
        });
        assert.equal(sent.structured.status, "queued");
        const jobId = sent.structured.job_id;
        const event = await client.event((e) => e.job_id === jobId && e.status === "completed");
        assert.equal(event.kind, "job_update");
        assert.equal(event.target_uuid, peer.uuid);
        assert.match((event.result as { stdout: string }).stdout, new RegExp(`${marker} 3`));
        const { structured: job } = await client.call("blender_get_job", { job_id: jobId, wait_seconds: 5 });
        assert.equal(job.status, "completed");
        assert.equal(job.kind, "script");
        assert.equal(job.command, "job_dispatch");
      });

      test("send_message + command_dispatch with a caller's job_id; get_job waits for it", async () => {
        const jobId = `mine-${Date.now()}`;
        const sent = await client.call("blender_send_message", {
          payload: { message_type: "command_dispatch", command: "get_object_info", params: { name: "Cube" }, job_id: jobId },
        });
        assert.equal(sent.structured.job_id, jobId);
        const { structured: job } = await client.call("blender_get_job", { job_id: jobId, wait_seconds: 30 });
        assert.equal(job.status, "completed");
        assert.equal((job.result as { name: string }).name, "Cube");
        const again = await client.call("blender_send_message", {
          payload: { message_type: "command_dispatch", command: "get_object_info", params: { name: "Cube" }, job_id: jobId },
        });
        assert.equal(again.structured.status, "failed");
        assert.match(again.structured.error, /already in use/);
      });

      test("blender_get_job: unknown ids are an error, structured as its outputSchema says", async () => {
        const { isError, result, structured } = await client.call("blender_get_job", { job_id: "j-nope" });
        assert.equal(isError, true);
        assert.match((result.content[0] as { text: string }).text, /No job j-nope/);
        assert.deepEqual(structured, JobLookup.parse(structured));
        assert.equal(structured.status, "not_found");
      });

      test("priorities: queued jobs run emergency first, debug last", async () => {
        const slow = await kind.slowCall(peer, 1);
        const busy = client.call(slow.tool, slow.args);
        // Wait until the slow job runs, so the next three queue behind it.
        await runningEvent(slow.tool);
        const ids: Record<string, string> = {};
        for (const priority of ["debug", "info", "emergency"]) {
          const sent = await client.call("blender_send_message", {
            payload: { message_type: "command_dispatch", command: "get_object_info", params: { name: "Cube" } },
            priority,
          });
          ids[priority] = sent.structured.job_id;
        }
        await busy;
        await Promise.all(Object.values(ids).map((id) => client.event((e) => e.job_id === id && e.status === "completed")));
        const order = client.events.filter((e) => e.status === "completed" && Object.values(ids).includes(e.job_id)).map((e) => e.job_id);
        assert.deepEqual(order, [ids.emergency, ids.info, ids.debug]);
      });

      test("an MCP request the client cancels cancels its job", async () => {
        const slow = await kind.slowCall(peer, 1.5);
        const controller = new AbortController();
        const pending = client.call(slow.tool, slow.args, { signal: controller.signal });
        const running = await runningEvent(slow.tool);
        controller.abort();
        await assert.rejects(pending);
        // A 2026-07-28 client cancels by closing the request's stream, which the server hears a moment later:
        // wait for the job's end (the slow job would complete after 1.5 s were it not cancelled).
        const { structured: job } = await client.call("blender_get_job", { job_id: running.job_id, wait_seconds: 10 });
        assert.equal(job.status, "cancelled");
      });

      test("resources: clients, scene info, every object, and by uuid", async () => {
        const { resources } = await client.client.listResources();
        const uris = resources.map((r) => r.uri);
        for (const uri of ["blender://clients", "blender://jobs", "blender://scene/info", "blender://scene/objects", `blender://clients/${peer.uuid}/scene/info`]) {
          assert.ok(uris.includes(uri), uri);
        }
        const read = async (uri: string) => JSON.parse(((await client.client.readResource({ uri })).contents[0] as { text: string }).text);
        assert.equal((await read("blender://clients")).clients[0].uuid, peer.uuid);
        const info = await read("blender://scene/info");
        const objects = (await read("blender://scene/objects")).objects;
        assert.equal(objects.length, info.total);
        assert.equal((await read(`blender://clients/${peer.uuid}/scene/info`)).scene, info.scene);
      });

      test("blender_job_update is accepted only from the job's target", async () => {
        const slow = await kind.slowCall(peer, 1);
        const pending = client.call(slow.tool, slow.args);
        const running = await runningEvent(slow.tool);
        const forged = await client.call("blender_job_update", { job_id: running.job_id, client_uuid: "someone-else", status: "completed", result: { forged: true } });
        assert.equal(forged.structured.accepted, false);
        const unknown = await client.call("blender_job_update", { job_id: "j-unknown", client_uuid: peer.uuid, status: "completed" });
        assert.equal(unknown.structured.accepted, false);
        assert.equal((await pending).structured.status, "completed", "the forged update changed nothing");
      });

      undoContract(kind, () => client);
      filesContract(kind, () => client);
    });

    test("a gated-off command fails with how to enable it, and list_clients shows the gate", async () => {
      const peer = await startPeer({ gated: ["execute_code", "job_dispatch"] });
      try {
        const { structured } = await client.call("blender_execute_code", { code: "print(1)" });
        assert.equal(structured.status, "failed");
        assert.match(structured.error, /execute_code/);
        assert.match(structured.error, /[Ee]nable/);
        const clients = (await client.call("blender_list_clients")).structured.clients;
        assert.deepEqual(coreGates(clients[0].gated).sort(), ["execute_code", "job_dispatch"]);
        const sent = await client.call("blender_send_message", { payload: { message_type: "job_dispatch", script: "print(1)" } });
        const { structured: job } = await client.call("blender_get_job", { job_id: sent.structured.job_id, wait_seconds: 30 });
        assert.equal(job.status, "failed");
        assert.match(job.error, /job_dispatch/);
        assert.equal((await client.call("blender_get_scene_info")).structured.status, "completed", "ungated commands still run");
      } finally {
        await stopPeers();
      }
    });

    test("two Blenders: ambiguous_target with candidates, then targeted; unknown_target", async () => {
      const [a, b] = [await startPeer({ label: "A" }), await startPeer({ label: "B" })];
      try {
        const ambiguous = await client.call("blender_get_scene_info");
        assert.equal(ambiguous.structured.status, "ambiguous_target");
        assert.deepEqual(ambiguous.structured.candidates.map((c: { uuid: string }) => c.uuid).sort(), [a.uuid, b.uuid].sort());
        const targeted = await client.call("blender_get_scene_info", { target_uuid: b.uuid });
        assert.equal(targeted.structured.status, "completed");
        assert.equal(targeted.structured.target_uuid, b.uuid);
        const unknown = await client.call("blender_get_scene_info", { target_uuid: "nobody-here" });
        assert.equal(unknown.structured.status, "unknown_target");
        assert.equal(unknown.structured.candidates.length, 2);
      } finally {
        await stopPeers();
      }
    });

    test("a Blender that disconnects mid-job fails the job at once, not at the timeout", async () => {
      const peer = await startPeer();
      const call = await kind.dropCall(peer);
      const started = Date.now();
      const { structured } = await client.call(call.tool, { ...call.args, timeout_seconds: 60 });
      assert.equal(structured.status, "failed");
      assert.match(structured.error, /disconnected/);
      assert.ok(Date.now() - started < 30_000, "failed on disconnect, long before the 60 s timeout");
      await peer.closed;
      await stopPeers();
      assert.equal((await client.call("blender_get_scene_info")).structured.status, "no_client");
    });

    // 2026-07-28 has no sessions: every listener on blender://jobs hears every job of its user.
    test("notifications reach the session that sent the job and bus subscribers, no other session", { skip: era === "modern" && "no sessions in 2026-07-28" }, async () => {
      const peer = await startPeer();
      const other = await connectClient(server, transport);
      const subscriber = await connectClient(server, transport);
      try {
        await subscriber.subscribe("blender://jobs");
        // This test is about who hears a job, not timeouts: a generous one, and a job that did not complete fails here rather than leaving the waits below hanging.
        const mine = await client.call("blender_get_object_info", { name: "Cube", timeout_seconds: 60 });
        assert.equal(mine.structured.status, "completed", mine.structured.error);
        const jobId = mine.structured.job_id;
        await client.event((e) => e.job_id === jobId && e.status === "completed");
        await subscriber.event((e) => e.job_id === jobId && e.status === "completed");
        // The other session's own job is notified on the same stream, after anything sent to it before.
        const theirs = await other.call("blender_get_object_info", { name: "Cube", timeout_seconds: 60 });
        assert.equal(theirs.structured.status, "completed", theirs.structured.error);
        await other.event((e) => e.job_id === theirs.structured.job_id && e.status === "completed");
        assert.deepEqual([...new Set(other.events.map((e) => e.job_id))], [theirs.structured.job_id]);
        assert.equal(client.events.some((e) => e.job_id === theirs.structured.job_id), false);
        assert.equal(peer.uuid.length > 0, true);
      } finally {
        await other.close();
        await subscriber.close();
        await stopPeers();
      }
    });

    test("clients resource subscribers hear when a Blender connects", async () => {
      const watcher = await connectClient(server, transport, { era });
      try {
        await watcher.subscribe("blender://clients");
        const updated = watcher.resourceUpdated("blender://clients");
        await startPeer();
        await updated;
      } finally {
        await watcher.close();
        await stopPeers();
      }
    });

    test("GET /health reports clients and jobs", async () => {
      await startPeer();
      try {
        const health = z
          .object({ status: z.literal("ok"), clients: z.number(), jobs_in_flight: z.number(), version: z.string() })
          .parse(await (await (server.fetch ?? fetch)(`${server.baseUrl}/health`)).json());
        assert.equal(health.clients, 1);
        assert.equal(health.jobs_in_flight, 0);
      } finally {
        await stopPeers();
      }
    });
  });
}
