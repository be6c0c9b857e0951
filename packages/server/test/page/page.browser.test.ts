/**
 * The live page in real Chromium against a real server: the one-time link,
 * a fake addon appearing, a job's progress followed to its end, its detail
 * by keyboard, the latest image, a cancel pressed on the page, the page's
 * same-origin rules, and another user seeing none of it.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { request } from "node:http";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "puppeteer-core";
import { FakeAddon } from "@blender-mcp/fake-addon";
import { browserMissing, cancellableJob, cookieHeader, launchBrowser, saveScreenshot, servedLink } from "@blender-mcp/test-support/browser";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { CLI, startServer, type ServerProcess } from "../support/server-process.js";

const run = promisify(execFile);
const WAIT = { timeout: 30_000 };
const skip = browserMissing();

/** The status of a request sent with exactly these headers, Host included (fetch sets some itself). */
function rawRequest(method: string, url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, setHost: false }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on("error", reject).end();
  });
}

const row = (jobId: string) => `tr.job[data-job-id="${jobId}"]`;

/** What the page shows, read from its DOM. */
async function shown(page: Page) {
  return page.evaluate(() => ({
    user: document.getElementById("user")!.textContent,
    clients: [...document.querySelectorAll<HTMLElement>("li.client")].map((li) => ({
      uuid: li.dataset.uuid,
      type: li.dataset.clientType,
      label: li.querySelector(".label")!.textContent,
      version: li.querySelector(".version")!.textContent,
      queue: li.querySelector(".queue")!.textContent,
      image: (li.querySelector("img.shot") as HTMLImageElement | null)?.naturalWidth ?? 0,
    })),
    jobs: [...document.querySelectorAll<HTMLTableRowElement>("tr.job")].map((tr) => ({ id: tr.dataset.jobId, status: tr.dataset.status, command: tr.cells[0]!.textContent })),
    link: document.getElementById("link")!.dataset.state,
  }));
}

describe("live page", { skip: skip ?? false }, () => {
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  let alice: TestClient;
  let blender: FakeAddon;
  let bobToken: string;

  const mintLink = (token: string, headers: Record<string, string> = {}) =>
    fetch(`${server.baseUrl}/page/link`, { method: "POST", headers: { authorization: `Bearer ${token}`, ...headers } });

  before(async () => {
    server = await startServer(["--job-store", "memory"]);
    browser = await launchBrowser();
    alice = await connectClient(server, "http");
    bobToken = (await run(process.execPath, [CLI, "token", "create", "--user", "bob", "--data-dir", server.dataDir])).stdout.trim();
  });
  after(async () => {
    await blender?.close();
    await alice?.close();
    await browser?.close();
    await server?.stop();
  });

  test("the link serve prints opens the page once, as a cookie session, and leaves no code in the URL", async () => {
    const link = servedLink(server.logs);
    const context = await browser.createBrowserContext();
    page = await context.newPage();
    const answer = await page.goto(link);
    assert.equal(answer?.status(), 200);
    assert.equal(page.url(), `${server.baseUrl}/`, "redirected to / with no code left in the URL");
    const [cookie] = await context.cookies();
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, "Strict");
    assert.equal(cookie?.path, "/");
    await page.waitForSelector('#link[data-state="live"]', WAIT);
    const before = await shown(page);
    assert.equal(before.user, "local");
    assert.deepEqual(before.clients, []);

    const stranger = await (await browser.createBrowserContext()).newPage();
    const again = await stranger.goto(link);
    assert.equal(again?.status(), 403, "a second use of the link is refused");
    assert.match(await stranger.$eval("#why", (p) => p.textContent!), /already used/);
    const bare = await stranger.goto(`${server.baseUrl}/`);
    assert.equal(bare?.status(), 401, "no cookie, no page");
    await stranger.browserContext().close();
  });

  test("blender-mcp open prints a fresh link; a link is minted only for a token, never for a browser page", async () => {
    const { stdout } = await run(process.execPath, [CLI, "open", "--print", "--port", String(server.port), "--data-dir", server.dataDir]);
    assert.match(stdout.trim(), new RegExp(`^${server.baseUrl}/page/login\\?code=[\\w-]{40,}$`));
    assert.notEqual(stdout.trim(), servedLink(server.logs));
    const host = new URL(server.baseUrl).host;
    assert.equal(await rawRequest("GET", stdout.trim(), { host, "sec-fetch-site": "cross-site" }), 403, "a link opened from another site");
    assert.equal(await rawRequest("GET", stdout.trim(), { host, "sec-fetch-site": "none" }), 403, "...is spent all the same");
    assert.equal(await rawRequest("GET", `${server.baseUrl}/page/api/events`, { host }), 401, "no cookie, no event stream");
    assert.equal((await mintLink("bmcp_wrong")).status, 401);
    assert.equal((await mintLink(server.token, { origin: "http://evil.example" })).status, 403);
  });

  test("a fake addon appears as it connects, with its type, version and queue", async () => {
    blender = new FakeAddon({ url: server.addonUrl, token: server.token, label: "fake one" });
    await blender.connect();
    await page.waitForSelector(`li.client[data-uuid="${blender.uuid}"]`, WAIT);
    const { clients } = await shown(page);
    assert.deepEqual(clients, [{ uuid: blender.uuid, type: "fake", label: "fake one", version: "fake", queue: "0", image: 0 }]);
  });

  test("a job's progress is followed to its end", async () => {
    blender.behaveOnce("get_scene_info", { kind: "slow", ms: 3000, progressSteps: 3 });
    const call = alice.call("blender_get_scene_info", { limit: 5 });
    const jobId = await page.waitForFunction(
      () => {
        const bar = document.querySelector<HTMLProgressElement>('tr.job[data-status="running"] td.progress progress');
        return bar && bar.value >= 2 ? (bar.closest("tr") as HTMLElement).dataset.jobId : null;
      },
      WAIT,
    ).then((h) => h.jsonValue() as Promise<string>);
    const text = await page.$eval(row(jobId), (tr) => tr.textContent!);
    assert.match(text, /get_scene_info.*step 2 of 3/);
    assert.match(text, /contract-suite 1\.0\.0/, "the row names the MCP client that sent the job");
    assert.equal((await shown(page)).clients[0]!.queue, "1", "the job counts in its Blender's queue");
    await saveScreenshot(page, "running");
    const { structured } = await call;
    assert.equal(structured.job_id, jobId);
    await page.waitForSelector(`${row(jobId)}[data-status="completed"]`, WAIT);
    assert.equal(await page.$(`${row(jobId)} button.cancel`), null, "a finished job has no cancel button");
    assert.equal(await page.$(`${row(jobId)} progress`), null);
  });

  test("a job's detail opens by keyboard: params, stdout, and the traceback of a failure", async () => {
    const ok = await alice.call("blender_execute_code", { code: "print('hello from the page test')" });
    const bad = await alice.call("blender_execute_code", { code: "raise ValueError('page test boom')" });
    await page.waitForSelector(`${row(bad.structured.job_id)}[data-status="failed"]`, WAIT);
    await page.focus(row(ok.structured.job_id));
    await page.keyboard.press("Enter");
    await page.waitForSelector(`#detail[data-job-id="${ok.structured.job_id}"]:not([hidden])`, WAIT);
    assert.match(await page.$eval("#detail-params", (p) => p.textContent!), /print\('hello from the page test'\)/);
    assert.equal(await page.$eval("#detail-stdout", (p) => p.textContent!), "hello from the page test\n");
    await page.keyboard.press("Escape");
    await page.waitForSelector("#detail[hidden]", WAIT);
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.jobId), ok.structured.job_id, "focus returns to the row");
    await page.click(row(bad.structured.job_id));
    await page.waitForSelector(`#detail[data-job-id="${bad.structured.job_id}"]:not([hidden])`, WAIT);
    assert.match(await page.$eval("#detail-traceback", (p) => p.textContent!), /Traceback[\s\S]*ValueError: page test boom/);
    assert.match(await page.$eval(`${row(bad.structured.job_id)} .error-line`, (d) => d.textContent!), /ValueError: page test boom/);
    await page.keyboard.press("Escape");
  });

  test("the latest screenshot shows on its Blender's card", async () => {
    const shot = await alice.call("blender_get_viewport_screenshot", { max_size: 320 });
    assert.equal(shot.structured.status, "completed");
    await page.waitForFunction(() => (document.querySelector<HTMLImageElement>("li.client img.shot")?.naturalWidth ?? 0) > 0, WAIT);
    assert.equal((await shown(page)).clients[0]!.image, 320, "the image is the screenshot the job returned");
  });

  test("cancel on the page ends a running job failed, naming the page", async () => {
    blender.behaveOnce("get_object_info", { kind: "never" });
    const call = alice.call("blender_get_object_info", { name: "Cube" });
    const { button, jobId } = await cancellableJob(page, "running");
    await saveScreenshot(page, "before-cancel");
    await button.click();
    const { structured } = await call;
    assert.equal(structured.job_id, jobId);
    assert.equal(structured.status, "failed");
    assert.match(structured.error, /cancelled by local on the live page/);
    await page.waitForSelector(`${row(jobId)}[data-status="failed"]`, WAIT);
    assert.match(await page.$eval(`${row(jobId)} .error-line`, (d) => d.textContent!), /live page/);
    const cancelOrder = blender.received.find((m) => m.message_type === "cancel" && m.job_id === jobId);
    assert.ok(cancelOrder, "Blender was told to drop the job");
    await page.mouse.move(0, 0);
    const path = await saveScreenshot(page, "after-cancel");
    assert.ok(path.endsWith("after-cancel.png"));
  });

  test("a job queued behind another shows at once, counts in the queue, and is cancelled before it runs", async () => {
    // The fake runs one job at a time, as Blender's main thread does: a slow one holds the next in the queue.
    blender.behaveOnce("get_object_info", { kind: "slow", ms: 6000 });
    const first = alice.call("blender_get_object_info", { name: "Cube" });
    const { button: runningButton } = await cancellableJob(page, "running");
    const second = alice.call("blender_get_scene_info");
    const { button: queuedButton, jobId: queuedId } = await cancellableJob(page, "queued");
    await page.waitForFunction(() => document.querySelector("li.client .queue")?.textContent === "2", WAIT);
    await queuedButton.click();
    const { structured } = await second;
    assert.equal(structured.job_id, queuedId);
    assert.equal(structured.status, "failed");
    assert.match(structured.error, /live page/);
    await runningButton.click();
    assert.equal((await first).structured.status, "failed");
    await page.waitForFunction(() => document.querySelector("li.client .queue")?.textContent === "0", WAIT);
    assert.equal(blender.started.includes(queuedId), false, "the queued job never ran");
  });

  test("the cancel POST needs the cookie and the page's own Origin", async () => {
    blender.behaveOnce("get_object_info", { kind: "never" });
    const call = alice.call("blender_get_object_info", { name: "Cube" });
    const { button, jobId } = await cancellableJob(page, "running");
    const cookie = await cookieHeader(page);
    const cancelUrl = `${server.baseUrl}/page/api/jobs/${jobId}/cancel`;
    const post = (headers: Record<string, string>) => fetch(cancelUrl, { method: "POST", headers });
    assert.equal((await post({ origin: server.baseUrl })).status, 401, "no cookie");
    assert.equal((await post({ cookie })).status, 403, "no Origin");
    assert.equal((await post({ cookie, origin: "http://evil.example" })).status, 403, "a foreign Origin");
    assert.equal(await rawRequest("POST", cancelUrl, { cookie, origin: "http://evil.example:80", host: "evil.example" }), 403, "a rebound Host (fetch cannot set Host)");
    assert.equal((await shown(page)).jobs.find((j) => j.id === jobId)?.status, "running", "none of those touched the job");
    assert.equal((await post({ cookie, origin: server.baseUrl })).status, 200);
    assert.equal((await call).structured.status, "failed");
    assert.equal((await post({ cookie, origin: server.baseUrl })).status, 409, "an ended job cannot be cancelled again");
  });

  test("another user's token never sees this user's Blenders or jobs", async () => {
    const aliceJobs = (await shown(page)).jobs;
    assert.ok(aliceJobs.length >= 5);
    const link = ((await (await mintLink(bobToken)).json()) as { url: string }).url;
    const bobPage = await (await browser.createBrowserContext()).newPage();
    await bobPage.goto(link);
    await bobPage.waitForSelector('#link[data-state="live"]', WAIT);
    const bobsBlender = new FakeAddon({ url: server.addonUrl, token: bobToken, label: "bob's" });
    await bobsBlender.connect();
    try {
      await bobPage.waitForSelector(`li.client[data-uuid="${bobsBlender.uuid}"]`, WAIT);
      // A job of alice's while bob watches: it reaches alice's page and not bob's.
      const later = await alice.call("blender_get_scene_info");
      await page.waitForSelector(`${row(later.structured.job_id)}[data-status="completed"]`, WAIT);
      const bob = await shown(bobPage);
      assert.equal(bob.user, "bob");
      assert.deepEqual(bob.clients.map((c) => c.uuid), [bobsBlender.uuid]);
      assert.deepEqual(bob.jobs, []);
      assert.deepEqual((await shown(page)).clients.map((c) => c.uuid), [blender.uuid], "alice does not see bob's Blender");
      const cookie = await cookieHeader(bobPage);
      const foreign = await fetch(`${server.baseUrl}/page/api/jobs/${aliceJobs[0]!.id}`, { headers: { cookie } });
      const unknown = await fetch(`${server.baseUrl}/page/api/jobs/j-000000000000`, { headers: { cookie } });
      assert.equal(foreign.status, 404);
      assert.equal(((await foreign.json()) as { error: string }).error.replace(aliceJobs[0]!.id!, "ID"), ((await unknown.json()) as { error: string }).error.replace("j-000000000000", "ID"));
      const state = (await (await fetch(`${server.baseUrl}/page/api/state`, { headers: { cookie } })).json()) as { jobs: unknown[]; clients: { uuid: string }[] };
      assert.deepEqual([state.jobs.length, state.clients.map((c) => c.uuid)], [0, [bobsBlender.uuid]]);
      await saveScreenshot(bobPage, "other-user");
    } finally {
      await bobsBlender.close();
      await bobPage.browserContext().close();
    }
  });

  test("the page reports a Blender leaving", async () => {
    await blender.close();
    await page.waitForSelector("li.client", { ...WAIT, hidden: true });
    assert.equal(await page.$eval("#no-clients", (p) => (p as HTMLElement).hidden), false);
  });

  test("after a server restart the page says it is signed out, instead of retrying for ever", async () => {
    const port = server.port;
    await server.stop();
    await page.waitForSelector('#link[data-state="reconnecting"], #link[data-state="error"]', WAIT);
    server = await startServer(["--job-store", "memory"], { port });
    await page.waitForSelector('#link[data-state="error"]', WAIT);
    assert.match(await page.$eval("#link", (p) => p.textContent!), /signed out: run blender-mcp open/);
  });
});
