/**
 * Real Chromium for page tests: Debian's `chromium`, driven by puppeteer-core
 * through its executable path (nothing downloads a browser). Screenshots go
 * to test-artifacts/ at the repository root (gitignored).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { assertTierHas } from "./tier.js";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS = join(import.meta.dirname, "../../../test-artifacts/page");

/** Why page tests cannot run here, or null; with REQUIRE_BROWSER=1 a missing browser fails instead. */
export function browserMissing(): string | null {
  assertTierHas("browser");
  if (existsSync(CHROMIUM)) return null;
  const why = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.REQUIRE_BROWSER === "1") throw new Error(why);
  return why;
}

export async function launchBrowser(): Promise<Browser> {
  assertTierHas("browser");
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root (CI, containers) cannot use Chromium's sandbox.
    args: [...(process.getuid?.() === 0 ? ["--no-sandbox"] : []), "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
    defaultViewport: { width: 1280, height: 760 },
  });
}

/** Saves a PNG of the page as a test artifact; returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`) as `${string}.png`;
  // Down to the end of the content: the empty dark space below says nothing.
  const { width, height } = await page.evaluate(() => ({ width: document.documentElement.scrollWidth, height: Math.ceil(document.querySelector("main")?.getBoundingClientRect().bottom ?? 0) }));
  await page.screenshot({ path, clip: { x: 0, y: 0, width, height: Math.max(height, 120) }, captureBeyondViewport: true });
  return path;
}

/** The one-time link `serve` logged at start. */
export function servedLink(logs: Record<string, unknown>[]): string {
  const entry = logs.find((l) => l.event === "page.link");
  if (!entry) throw new Error(`serve logged no page.link: ${JSON.stringify(logs)}`);
  return entry.url as string;
}

/** The Cookie header the page's browser context would send (for requests made outside the browser). */
export async function cookieHeader(page: Page): Promise<string> {
  return (await page.browserContext().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
}

/** Waits for a job row in `status` (optionally also matching `extra`, a selector suffix) with a cancel button; returns both. */
export async function cancellableJob(page: Page, status: "queued" | "running", extra = "", timeout = 30_000) {
  const button = (await page.waitForSelector(`tr.job[data-status="${status}"]${extra} button.cancel`, { timeout }))!;
  const jobId = await button.evaluate((b) => (b.closest("tr") as HTMLElement).dataset.jobId!);
  return { button, jobId };
}
