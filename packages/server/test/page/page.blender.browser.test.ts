/**
 * The live page watching a real Blender 3.4 (the addon installed from the
 * built zip, under Xvfb): it appears with its version, a Cycles render's
 * progress is followed to its end and its image shows, and a render
 * cancelled on the page ends failed, naming the page.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "puppeteer-core";
import { blenderSkipReason } from "@blender-mcp/test-support/blender";
import { blenderKind } from "../contract/blender-kind.js";
import type { Peer } from "../contract/peer.js";
import { browserMissing, cancellableJob, launchBrowser, saveScreenshot, servedLink } from "@blender-mcp/test-support/browser";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { startServer, type ServerProcess } from "../support/server-process.js";

const WAIT = { timeout: 60_000 };
const skip = browserMissing() ?? (await blenderSkipReason("3.4"));
const row = (jobId: string) => `tr.job[data-job-id="${jobId}"]`;

/**
 * Every state of every job row the page went through, recorded as the DOM
 * changes (no polling gaps). Source text, not a function: tsx would wrap a
 * function's inner names in a helper the page does not have.
 */
const RECORD_ROWS = `
  window.seen = [];
  new MutationObserver(() => {
    for (const tr of document.querySelectorAll("tr.job")) {
      const bar = tr.querySelector("progress");
      const entry = { job: tr.dataset.jobId, status: tr.dataset.status, progress: bar && bar.hasAttribute("value") ? bar.value : -1 };
      const last = window.seen.filter((s) => s.job === entry.job).pop();
      if (!last || last.status !== entry.status || last.progress !== entry.progress) window.seen.push(entry);
    }
  }).observe(document.body, { subtree: true, childList: true, attributes: true });
`;

describe("live page with Blender 3.4", { skip: skip ?? false }, () => {
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  let client: TestClient;
  let blender: Peer;

  before(async () => {
    server = await startServer(["--job-store", "memory"]);
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.goto(servedLink(server.logs));
    await page.waitForSelector('#link[data-state="live"]', WAIT);
    await page.evaluate(RECORD_ROWS);
    client = await connectClient(server, "http");
  });
  after(async () => {
    await client?.close();
    await blender?.stop();
    await browser?.close();
    await server?.stop();
  });

  test("a real Blender appears as it connects", async () => {
    blender = await blenderKind("3.4").start({ url: server.addonUrl, token: server.token, label: "Blender 3.4" });
    const card = await page.waitForSelector(`li.client[data-uuid="${blender.uuid}"]`, WAIT);
    const shown = await card!.evaluate((li) => ({
      type: (li as HTMLElement).dataset.clientType,
      label: li.querySelector(".label")!.textContent,
      version: li.querySelector(".version")!.textContent,
    }));
    assert.deepEqual({ ...shown, version: shown.version?.slice(0, 4) }, { type: "blender", label: "Blender 3.4", version: "3.4." });
  });

  test("a script's stdout and a viewport screenshot from Blender", async () => {
    const ran = await client.call("blender_execute_code", { code: "import bpy\nprint('objects:', len(bpy.data.objects))" });
    assert.equal(ran.structured.status, "completed", ran.structured.error);
    const shot = await client.call("blender_get_viewport_screenshot", { max_size: 480 });
    assert.equal(shot.structured.status, "completed", shot.structured.error);
    await page.waitForFunction(() => (document.querySelector<HTMLImageElement>("li.client img.shot")?.naturalWidth ?? 0) === 480, WAIT);
    await page.click(row(ran.structured.job_id));
    await page.waitForSelector(`#detail[data-job-id="${ran.structured.job_id}"]:not([hidden])`, WAIT);
    assert.equal(await page.$eval("#detail-stdout", (p) => p.textContent), "objects: 3\n");
    await page.keyboard.press("Escape");
  });
  test("a Cycles render's progress is followed to its end, and its image shows on the card", async () => {
    const call = client.call("blender_render_still", { engine: "cycles", samples: 16, resolution_x: 320, resolution_y: 240 });
    // For the README: the page mid-render (or done, on a machine fast enough to finish first).
    const midway = page.waitForFunction(() => {
      const bar = document.querySelector<HTMLProgressElement>('tr.job[data-status="running"] progress[value]');
      return bar !== null && bar.value / bar.max >= 0.3;
    }, WAIT);
    midway.catch(() => {}); // a render that ends first leaves it waiting; the call settles the test
    await Promise.race([midway, call]);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await saveScreenshot(page, "blender-3.4-render-progress");
    const { structured } = await call;
    assert.equal(structured.status, "completed", structured.error);
    const jobId = structured.job_id as string;
    await page.waitForSelector(`${row(jobId)}[data-status="completed"]`, WAIT);
    const seen = (await page.evaluate(() => (window as unknown as { seen: { job: string; status: string; progress: number }[] }).seen)).filter((s) => s.job === jobId);
    assert.ok(seen.some((s) => s.status === "running" && s.progress > 0), `the page showed the render's progress: ${JSON.stringify(seen)}`);
    assert.equal(seen.at(-1)!.status, "completed");
    await page.waitForFunction(() => (document.querySelector<HTMLImageElement>("li.client img.shot")?.naturalWidth ?? 0) === 320, WAIT);
  });

  test("a render cancelled on the page ends failed, naming the page", async () => {
    const call = client.call("blender_render_still", { engine: "cycles", samples: 65536, resolution_x: 64, resolution_y: 48 });
    // Once it reports progress, the render process is rendering.
    const { button, jobId } = await cancellableJob(page, "running", ":has(progress[value])", WAIT.timeout);
    await page.mouse.move(0, 0);
    await saveScreenshot(page, "blender-3.4-rendering");
    await button.click();
    const { structured } = await call;
    assert.equal(structured.job_id, jobId);
    assert.equal(structured.status, "failed");
    assert.match(structured.error, /cancelled by local on the live page/);
    await page.waitForSelector(`${row(jobId)}[data-status="failed"]`, WAIT);
  });

});
