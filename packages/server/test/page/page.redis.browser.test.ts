/**
 * The live page with two server processes sharing users' buses through a
 * real redis-server: the page on process A sees a Blender attached to B,
 * follows jobs sent through B, shows their images and detail, and cancels
 * a job A sent to B's Blender; a job held by B is refused with the reason.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "puppeteer-core";
import { FakeAddon } from "@blender-mcp/fake-addon";
import { redisSkipReason, startRedis, type RedisProcess } from "../scale-out/support.js";
import { browserMissing, cancellableJob, cookieHeader, launchBrowser, saveScreenshot, servedLink } from "@blender-mcp/test-support/browser";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { startServer, type ServerProcess } from "../support/server-process.js";

const WAIT = { timeout: 30_000 };
const skip = browserMissing() ?? redisSkipReason();
const row = (jobId: string) => `tr.job[data-job-id="${jobId}"]`;

describe("live page across server processes (--redis)", { skip: skip ?? false }, () => {
  let redis: RedisProcess;
  let dataDir: string;
  let a: ServerProcess;
  let b: ServerProcess;
  let browser: Browser;
  let page: Page;
  let onA: TestClient;
  let onB: TestClient;
  let blender: FakeAddon;

  before(async () => {
    redis = await startRedis();
    dataDir = await mkdtemp(join(tmpdir(), "page-redis-"));
    // The first process writes the shared folder's local token; the second reads it.
    a = await startServer(["--redis", redis.url, "--job-store", "memory"], { dataDir });
    b = await startServer(["--redis", redis.url, "--job-store", "memory"], { dataDir });
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.goto(servedLink(a.logs));
    await page.waitForSelector('#link[data-state="live"]', WAIT);
    onA = await connectClient(a, "http");
    onB = await connectClient(b, "http");
  });
  after(async () => {
    await onA?.close();
    await onB?.close();
    await blender?.close();
    await browser?.close();
    for (const s of [a, b]) await s?.stop();
    await redis?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test("a Blender attached to the other process appears", async () => {
    blender = new FakeAddon({ url: b.addonUrl, token: b.token, label: "on b" });
    await blender.connect();
    await page.waitForSelector(`li.client[data-uuid="${blender.uuid}"]`, WAIT);
  });

  test("a job sent through the other process is followed to its end, with its image and detail", async () => {
    blender.behaveOnce("get_scene_info", { kind: "slow", ms: 2000, progressSteps: 3 });
    const call = onB.call("blender_get_scene_info", { limit: 3 });
    // The row, not its bar: each progress event draws a new bar.
    const running = await page.waitForSelector('tr.job[data-status="running"]:has(progress[value])', WAIT);
    const jobId = await running!.evaluate((tr) => (tr as HTMLElement).dataset.jobId!);
    assert.equal((await call).structured.job_id, jobId);
    await page.waitForSelector(`${row(jobId)}[data-status="completed"]`, WAIT);
    assert.equal(await page.$eval(`${row(jobId)} td.sender`, (td) => td.textContent), "another process");

    const shot = await onB.call("blender_get_viewport_screenshot", { max_size: 200 });
    await page.waitForFunction(() => (document.querySelector<HTMLImageElement>("li.client img.shot")?.naturalWidth ?? 0) === 200, WAIT);
    await page.click(row(shot.structured.job_id));
    await page.waitForSelector(`#detail[data-job-id="${shot.structured.job_id}"]:not([hidden])`, WAIT);
    assert.equal(await page.$eval("#detail-params", (p) => p.textContent), "(sent through another server process)");
    assert.match(await page.$eval("#detail-result", (p) => p.textContent!), /"width": 200/);
    await page.keyboard.press("Escape");
  });

  test("cancel on the page reaches a Blender on the other process; a job held there is refused with the reason", async () => {
    blender.behaveOnce("get_object_info", { kind: "never" });
    const mine = onA.call("blender_get_object_info", { name: "Cube" });
    const { button, jobId } = await cancellableJob(page, "running");
    await button.click();
    const { structured } = await mine;
    assert.equal(structured.job_id, jobId);
    assert.equal(structured.status, "failed");
    assert.match(structured.error, /live page/);
    await page.waitForSelector(`${row(jobId)}[data-status="failed"]`, WAIT);
    // The cancel crossed to B, whose Blender was told to drop the job.
    while (!blender.received.some((m) => m.message_type === "cancel" && m.job_id === jobId)) await new Promise((r) => blender.once("message", r));

    blender.behaveOnce("get_object_info", { kind: "never" });
    const theirs = onB.call("blender_get_object_info", { name: "Cube", timeout_seconds: 20 });
    const { button: other, jobId: theirId } = await cancellableJob(page, "running");
    const cookie = await cookieHeader(page);
    const refused = await fetch(`${a.baseUrl}/page/api/jobs/${theirId}/cancel`, { method: "POST", headers: { cookie, origin: a.baseUrl } });
    assert.equal(refused.status, 409);
    assert.match(((await refused.json()) as { error: string }).error, /another server process/);
    await saveScreenshot(page, "redis");
    await onB.client.close(); // ends that session; its job is cancelled as the MCP client went away
    await theirs.catch(() => {});
  });
});
