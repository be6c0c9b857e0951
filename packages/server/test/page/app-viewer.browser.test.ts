/**
 * The MCP App viewer in real Chromium, inside a minimal host page (an iframe
 * and the apps bridge) whose tools/call goes to a real MCP client of a real
 * server with the fake addon: the view shows the tool result's image and the
 * scene's objects, and its keyboard-pressed buttons run tools that reach the
 * fake Blender and replace the image.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Client, StreamableHTTPClientTransport, type CallToolResult } from "@modelcontextprotocol/client";
import type { Browser, Frame, Page } from "puppeteer-core";
import { FakeAddon, gradientPng } from "@blender-mcp/fake-addon";
import { browserMissing, launchBrowser } from "@blender-mcp/test-support/browser";
import { startServer, type ServerProcess } from "../support/server-process.js";
import { hostPage } from "./app-host.js";

const ARTIFACTS = join(import.meta.dirname, "../../../../test-artifacts/app");
const WAIT = { timeout: 30_000 };
const skip = browserMissing();

/** The job whose image the view shows, and that image's natural size. */
const shownImage = (frame: Frame) =>
  frame.$eval("#image", (img) => ({ jobId: (img as HTMLImageElement).dataset.jobId, width: (img as HTMLImageElement).naturalWidth, height: (img as HTMLImageElement).naturalHeight }));

/** Waits until the view shows an image of another job than `jobId`, decoded. */
async function imageAfter(frame: Frame, jobId: string) {
  await frame.waitForFunction(
    (previous) => {
      const img = document.getElementById("image") as HTMLImageElement;
      return img.dataset.jobId !== previous && img.complete && img.naturalWidth > 0;
    },
    WAIT,
    jobId,
  );
  return shownImage(frame);
}

describe("MCP App viewer in a host page", { skip: skip ?? false }, () => {
  let server: ServerProcess;
  let fake: FakeAddon;
  let client: Client;
  let browser: Browser;
  let page: Page;
  let frame: Frame;
  let first: CallToolResult;
  const proxied: { name: string; args: Record<string, unknown>; jobId: string }[] = [];

  /** The fake's command dispatch for a job, or undefined if it never reached it. */
  const dispatched = (jobId: string) =>
    fake.received.find((m) => m.message_type === "command_dispatch" && m.job_id === jobId) as { command: string; params: Record<string, unknown> } | undefined;

  before(async () => {
    server = await startServer();
    fake = new FakeAddon({ url: server.addonUrl, token: server.token, label: "app" });
    await fake.start();
    client = new Client({ name: "app-test-host", version: "1.0.0" }, { capabilities: { extensions: { "io.modelcontextprotocol/ui": { mimeTypes: ["text/html;profile=mcp-app"] } } } });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.mcpUrl), { requestInit: { headers: { authorization: `Bearer ${server.token}` } } }));
    // What a host does: the tool's listing names its view; the view is a resource.
    const { tools } = await client.listTools();
    const uri = (tools.find((t) => t.name === "blender_get_viewport_screenshot")!._meta as { ui: { resourceUri: string } }).ui.resourceUri;
    const html = ((await client.readResource({ uri })).contents[0] as { text: string }).text;
    const args = { max_size: 320 };
    first = (await client.callTool({ name: "blender_get_viewport_screenshot", arguments: args })) as CallToolResult;

    browser = await launchBrowser();
    page = await browser.newPage();
    await page.exposeFunction("mcpCallTool", async (name: string, callArgs: Record<string, unknown>) => {
      const result = (await client.callTool({ name, arguments: callArgs })) as CallToolResult;
      proxied.push({ name, args: callArgs, jobId: String((result.structuredContent as { job_id?: string }).job_id) });
      return result;
    });
    await page.setContent(hostPage(html, "blender_get_viewport_screenshot", args, first));
    frame = (await (await page.waitForSelector("iframe#view"))!.contentFrame())!;
  });
  after(async () => {
    await browser?.close();
    await client?.close();
    await fake?.close();
    await server?.stop();
  });

  test("the view shows the tool result's image and the scene's objects from a proxied blender_get_scene_info", async () => {
    const firstJob = (first.structuredContent as { job_id: string }).job_id;
    await frame.waitForFunction((id) => (document.getElementById("image") as HTMLImageElement).dataset.jobId === id && (document.getElementById("image") as HTMLImageElement).naturalWidth > 0, WAIT, firstJob);
    assert.deepEqual(await shownImage(frame), { jobId: firstJob, width: 320, height: 180 });
    await frame.waitForSelector("#outline li", WAIT);
    const outline = await frame.$$eval("#outline li", (lis) => lis.map((li) => (li as HTMLElement).dataset.name));
    assert.deepEqual(outline, ["Camera", "Cube", "Light"]);
    assert.equal(await frame.$eval("#scene-title", (h) => h.textContent), "Scene: 3 objects");
    assert.deepEqual(await frame.$$eval("#camera option", (os) => os.map((o) => (o as HTMLOptionElement).value)), ["Camera"]);
    const sceneCall = proxied.find((c) => c.name === "blender_get_scene_info");
    assert.ok(sceneCall, "the view asked for the scene through the host");
    assert.equal(dispatched(sceneCall.jobId)?.command, "get_scene_info");
    assert.equal(sceneCall.args.target_uuid, fake.uuid, "it asks the Blender that made the image");
    // The bridge as the spec orders it: ui/initialize first, then initialized.
    const methods = await page.evaluate(() => (window as unknown as { fromView: { method?: string }[] }).fromView.map((m) => m.method));
    assert.equal(methods[0], "ui/initialize");
    assert.ok(methods.indexOf("ui/notifications/initialized") > 0);
  });

  test("Refresh, pressed from the keyboard, re-runs the tool through the host and the fake Blender's new image replaces the old", async () => {
    const before = await shownImage(frame);
    fake.behaveOnce("get_viewport_screenshot", { kind: "answer", result: () => ({ filepath: null, width: 200, height: 100, png_base64: gradientPng(200, 100).toString("base64") }) });
    await frame.focus("#refresh");
    await page.keyboard.press("Enter");
    const after = await imageAfter(frame, before.jobId!);
    assert.deepEqual({ width: after.width, height: after.height }, { width: 200, height: 100 });
    const call = proxied.find((c) => c.jobId === after.jobId)!;
    assert.equal(call.name, "blender_get_viewport_screenshot");
    assert.equal(call.args.max_size, 320, "the same arguments as the tool call the host showed");
    assert.equal(dispatched(after.jobId!)?.command, "get_viewport_screenshot", "the call reached the fake Blender");
    mkdirSync(ARTIFACTS, { recursive: true });
    await (await page.$("iframe#view"))!.screenshot({ path: join(ARTIFACTS, "viewer-refreshed.png") });
  });

  test("O orbits to the next axis view with blender_get_views", async () => {
    const before = await shownImage(frame);
    await page.keyboard.press("o");
    const after = await imageAfter(frame, before.jobId!);
    assert.deepEqual(dispatched(after.jobId!)?.params.views, ["front"]);
    assert.deepEqual({ width: after.width, height: after.height }, { width: 512, height: 512 });
    assert.match(await frame.$eval("#caption", (c) => c.textContent!), /get_views \(front\)/);
    await page.keyboard.press("o");
    const next = await imageAfter(frame, after.jobId!);
    assert.deepEqual(dispatched(next.jobId!)?.params.views, ["right"]);
  });

  test("a camera picked in the list renders from it with blender_render_still", async () => {
    const before = await shownImage(frame);
    await frame.focus("#camera");
    await frame.select("#camera", "Camera");
    await frame.focus("#render");
    await page.keyboard.press("Enter");
    const after = await imageAfter(frame, before.jobId!);
    const job = dispatched(after.jobId!)!;
    assert.equal(job.command, "render_still");
    assert.equal(job.params.camera, "Camera");
    assert.ok(after.width > 0);
    assert.equal(await frame.$eval("#status", (s) => (s as HTMLElement).dataset.state), "", "no error shown");
    await (await page.$("iframe#view"))!.screenshot({ path: join(ARTIFACTS, "viewer-render.png") });
  });

  test("a failed tool call shows its error in the view and keeps the last image", async () => {
    const before = await shownImage(frame);
    fake.behaveOnce("get_views", { kind: "fail", error: "no 3D viewport" });
    await frame.focus("#orbit");
    await page.keyboard.press("Enter");
    await frame.waitForFunction(() => document.getElementById("status")!.dataset.state === "error", WAIT);
    assert.match(await frame.$eval("#status", (s) => s.textContent!), /failed: .*no 3D viewport/);
    assert.equal((await shownImage(frame)).jobId, before.jobId);
  });
});
