/**
 * The live page with two server processes sharing users' buses through a
 * real redis-server, as behind a load balancer: a link minted by one
 * process opens on the other and is spent on both; the page on either
 * process sees a Blender attached to B, follows jobs sent through the
 * other process from the moment they are queued, and cancels a job the
 * other process holds, which ends failed once, naming the page. Another
 * user sees none of it on either process.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "puppeteer-core";
import { createClient } from "redis";
import { FakeAddon } from "@blender-mcp/fake-addon";
import { redisSkipReason, startRedis, type RedisProcess } from "../scale-out/support.js";
import { browserMissing, cancellableJob, cookieHeader, launchBrowser, saveScreenshot, servedLink } from "@blender-mcp/test-support/browser";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { CLI, startServer, type ServerProcess } from "../support/server-process.js";

const WAIT = { timeout: 30_000 };
const skip = browserMissing() ?? redisSkipReason();
const row = (jobId: string) => `tr.job[data-job-id="${jobId}"]`;
const run = promisify(execFile);
const PAGE_CANCEL = "cancelled by local on the live page";

/** Resolves once the server has logged a line matching `match` (it waits on the server's output, never on a clock). */
async function untilLogged(server: ServerProcess, match: (entry: Record<string, unknown>) => boolean): Promise<void> {
  while (!server.logs.some(match)) await once(server.process.stderr!, "data");
}

describe("live page across server processes (--redis)", { skip: skip ?? false }, () => {
  let redis: RedisProcess;
  let dataDir: string;
  let a: ServerProcess;
  let b: ServerProcess;
  let browser: Browser;
  /** Signed in on A with the link A printed, and... */
  let page: Page;
  /** ...on B with a link A minted. */
  let pageB: Page;
  let onA: TestClient;
  let onB: TestClient;
  let blender: FakeAddon;

  const mintLink = async (server: ServerProcess, token = server.token) => {
    const answer = await fetch(`${server.baseUrl}/page/link`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    assert.equal(answer.status, 200);
    return ((await answer.json()) as { url: string }).url;
  };
  /** The login request a browser would make, with the code's link pointed at `server`. */
  const login = (link: string, server: ServerProcess) => fetch(`${server.baseUrl}${new URL(link).pathname}${new URL(link).search}`, { redirect: "manual" });
  const state = async (server: ServerProcess, cookie: string) => {
    const answer = await fetch(`${server.baseUrl}/page/api/state`, { headers: { cookie } });
    return { status: answer.status, body: answer.ok ? ((await answer.json()) as { user: string; jobs: { job_id: string }[]; clients: { uuid: string }[] }) : null };
  };
  const cancelOn = (server: ServerProcess, jobId: string, cookie: string) =>
    fetch(`${server.baseUrl}/page/api/jobs/${jobId}/cancel`, { method: "POST", headers: { cookie, origin: server.baseUrl } });

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

  test("a link minted on A opens on B; its code is then spent on both, and the session holds on both", async () => {
    const link = await mintLink(a);
    assert.ok(link.startsWith(`${a.baseUrl}/page/login?code=`));
    pageB = await (await browser.createBrowserContext()).newPage();
    await pageB.goto(`${b.baseUrl}${new URL(link).pathname}${new URL(link).search}`);
    await pageB.waitForSelector('#link[data-state="live"]', WAIT);
    assert.equal(pageB.url(), `${b.baseUrl}/`, "no code left in the URL");
    for (const server of [a, b]) assert.equal((await login(link, server)).status, 403, `a second use on ${server === a ? "A" : "B"} is refused`);

    // The other way round, without a browser: minted on B, spent on A, then refused on both; its cookie works on both.
    const other = await mintLink(b);
    const first = await login(other, a);
    assert.equal(first.status, 303);
    const cookie = first.headers.get("set-cookie")!.split(";")[0]!;
    for (const server of [a, b]) {
      assert.equal((await login(other, server)).status, 403);
      const seen = await state(server, cookie);
      assert.equal(seen.status, 200);
      assert.equal(seen.body!.user, "local");
    }
    assert.equal((await state(b, "bmcp_page=made-up")).status, 401);

    // Redis holds hashes of the secrets, each with a TTL, never a code or session id itself.
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const keys = await client.keys("bmcp:page:*");
      assert.ok(keys.some((k) => k.startsWith("bmcp:page:session:")));
      const secrets = [new URL(other).searchParams.get("code")!, cookie.split("=")[1]!];
      for (const key of keys) {
        assert.ok(secrets.every((s) => !key.includes(s)), `${key} names no secret`);
        assert.ok((await client.pTTL(key)) > 0, `${key} expires`);
      }
    } finally {
      await client.close();
    }
  });

  test("a Blender attached to the other process appears", async () => {
    blender = new FakeAddon({ url: b.addonUrl, token: b.token, label: "on b" });
    await blender.connect();
    await page.waitForSelector(`li.client[data-uuid="${blender.uuid}"]`, WAIT);
    await pageB.waitForSelector(`li.client[data-uuid="${blender.uuid}"]`, WAIT);
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

  test("cancel on the page reaches a Blender on the other process", async () => {
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
  });

  test("cancel on B of a job A holds ends it failed, once, naming the page", async () => {
    blender.behaveOnce("get_object_info", { kind: "never" });
    const theirs = onA.call("blender_get_object_info", { name: "Cube", timeout_seconds: 60 });
    const { button, jobId } = await cancellableJob(pageB, "running");
    await button.click();
    const { structured } = await theirs;
    assert.equal(structured.job_id, jobId);
    assert.equal(structured.status, "failed");
    assert.equal(structured.error, PAGE_CANCEL);
    for (const p of [page, pageB]) await p.waitForSelector(`${row(jobId)}[data-status="failed"]`, WAIT);
    assert.equal(await pageB.$eval("#link", (p) => (p as HTMLElement).dataset.state), "live", "the page's cancel was not refused");
    await untilLogged(b, (l) => l.event === "page.cancel" && l.job_id === jobId && l.via === "backplane");
    await untilLogged(a, (l) => l.event === "job.finished" && l.job_id === jobId);

    const cookie = await cookieHeader(pageB);
    for (const server of [b, a]) {
      const again = await cancelOn(server, jobId, cookie);
      assert.equal(again.status, 409, "an ended job is not cancelled again, from either process");
      assert.match(((await again.json()) as { error: string }).error, /already ended as failed/);
    }
    for (const client of [onA, onB]) {
      const got = await client.call("blender_get_job", { job_id: jobId });
      assert.deepEqual([got.structured.status, got.structured.error], ["failed", PAGE_CANCEL]);
    }
    assert.equal(a.logs.filter((l) => l.event === "job.finished" && l.job_id === jobId).length, 1, "the job ended once");
    assert.equal(b.logs.some((l) => l.event === "job.finished" && l.job_id === jobId), false, "B, which does not hold it, never ended it");
    while (!blender.received.some((m) => m.message_type === "cancel" && m.job_id === jobId)) await new Promise((r) => blender.once("message", r));
    await saveScreenshot(pageB, "redis-cancel-elsewhere");
  });

  test("a job queued on A shows on B's page while queued, also on a page opened later elsewhere, and B cancels it before it runs", async () => {
    // The fake runs one job at a time, as Blender's main thread does: a slow one holds the next in the queue.
    blender.behaveOnce("get_object_info", { kind: "slow", ms: 12_000 });
    const first = onA.call("blender_get_object_info", { name: "Cube", timeout_seconds: 60 });
    const { button: runningButton } = await cancellableJob(pageB, "running");
    const second = onA.call("blender_get_scene_info", { timeout_seconds: 60 });
    const { button: queuedButton, jobId: queuedId } = await cancellableJob(pageB, "queued");
    assert.equal(await pageB.$eval(`${row(queuedId)} td.sender`, (td) => td.textContent), "another process");
    assert.equal(blender.started.includes(queuedId), false, "it was shown before it ran");
    // A page opened now on a third process, where no page was open, has both in its first snapshot, from the shared records.
    const c = await startServer(["--redis", redis.url, "--job-store", "memory"], { dataDir });
    const later = await (await browser.createBrowserContext()).newPage();
    try {
      const link = await mintLink(a);
      await later.goto(`${c.baseUrl}${new URL(link).pathname}${new URL(link).search}`);
      await later.waitForSelector(`${row(queuedId)}[data-status="queued"]`, WAIT);
      await later.waitForSelector('tr.job[data-status="running"] button.cancel', WAIT);
    } finally {
      await later.browserContext().close();
      await c.stop();
    }
    assert.equal(blender.started.includes(queuedId), false, "still queued");
    await queuedButton.click();
    const { structured } = await second;
    assert.deepEqual([structured.job_id, structured.status, structured.error], [queuedId, "failed", PAGE_CANCEL]);
    await runningButton.click();
    assert.equal((await first).structured.status, "failed");
    assert.equal(blender.started.includes(queuedId), false, "the queued job never ran");
  });

  test("another user's token sees nothing of this user's on either process", async () => {
    const bobToken = (await run(process.execPath, [CLI, "token", "create", "--user", "bob", "--data-dir", dataDir])).stdout.trim();
    const bobPage = await (await browser.createBrowserContext()).newPage();
    await bobPage.goto(await mintLink(a, bobToken).then((link) => `${b.baseUrl}${new URL(link).pathname}${new URL(link).search}`));
    await bobPage.waitForSelector('#link[data-state="live"]', WAIT);
    try {
      // A job of the local user's, held by A, queued and run while bob watches on B.
      blender.behaveOnce("get_object_info", { kind: "never" });
      const theirs = onA.call("blender_get_object_info", { name: "Cube", timeout_seconds: 60 });
      const { jobId } = await cancellableJob(pageB, "running");
      const bobCookie = await cookieHeader(bobPage);
      for (const server of [a, b]) {
        const seen = await state(server, bobCookie);
        assert.deepEqual([seen.status, seen.body!.user, seen.body!.jobs, seen.body!.clients], [200, "bob", [], []]);
        const detail = await fetch(`${server.baseUrl}/page/api/jobs/${jobId}`, { headers: { cookie: bobCookie } });
        assert.equal(detail.status, 404);
        const cancel = await cancelOn(server, jobId, bobCookie);
        assert.equal(cancel.status, 404, "bob cannot cancel it, nor learn that it exists");
      }
      assert.equal(await bobPage.$$eval("tr.job, li.client", (els) => els.length), 0);
      const cookie = await cookieHeader(pageB);
      assert.equal((await cancelOn(b, jobId, cookie)).status, 200, "its own user still can");
      assert.equal((await theirs).structured.status, "failed");
      await saveScreenshot(bobPage, "redis-other-user");
    } finally {
      await bobPage.browserContext().close();
    }
  });
});
