/**
 * The live page: a person's view of their bus at `/`, beside Blender.
 *
 *   POST /page/link            bearer token -> {url}: a one-time link (what `blender-mcp open` asks for)
 *   GET  /page/login?code=C    spends the code, sets the session cookie, redirects to /
 *   GET  /                     the page (static HTML, CSS and JS from ./static)
 *   GET  /page/api/state       {clients, jobs, images}: the same snapshot the stream starts with
 *   GET  /page/api/events      server-sent events: snapshot, job, clients, image
 *   GET  /page/api/jobs/ID     a job's detail (params, result, stdout, traceback)
 *   GET  /page/api/jobs/ID/image, /page/api/clients/UUID/image   PNGs
 *   POST /page/api/jobs/ID/cancel   ends a running job failed, naming the page (through the
 *                                   backplane when another server process holds it)
 *
 * Same origin only: every request must carry an allowed Host (DNS
 * rebinding), the API needs the cookie (HttpOnly, SameSite=Strict), and the
 * cancel POST also needs this server's own Origin. With --redis, codes and
 * sessions live in Redis (shareSessions), so any process behind a load
 * balancer accepts them.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Authenticator } from "../auth/authenticator.js";
import type { Hub } from "../bus/hub.js";
import type { UserBus } from "../bus/user-bus.js";
import { checkRequest, type OriginPolicy } from "../http/origin.js";
import type { Logger } from "../log.js";
import { Feed } from "./feed.js";
import { PageSessions, type SessionRecords } from "./sessions.js";
import { loadAssets, notSignedIn, type Asset } from "./static.js";
import { isTerminal, pageJob, pageJobDetail, pngOf } from "./views.js";

export interface PageOptions {
  hub: Hub;
  auth: Authenticator;
  policy: OriginPolicy;
  log: Logger;
  /** "https" with --tls-cert: the cookie is then Secure. */
  scheme: "http" | "https";
}

export interface Page {
  /** Whether the request is the page's (`/` and `/page/...`). */
  handles(path: string | undefined): boolean;
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** A one-time link that logs `user` in at `base` (scheme://host:port). */
  link(user: string, base: string): Promise<string>;
  /** Codes and sessions from now on live in `records`, shared with other server processes. */
  shareSessions(records: SessionRecords): void;
  close(): void;
}

const LOGIN_PATH = "/page/login";
const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  // The login URL carries its code: never hand it on.
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

/** How long a cancel waits for the process holding the job to end it. */
const REMOTE_CANCEL_WAIT_MS = 5000;
const JOB_PATH = /^\/page\/api\/jobs\/([A-Za-z0-9_.:-]{1,128})(\/image|\/cancel)?$/;
const CLIENT_IMAGE_PATH = /^\/page\/api\/clients\/([A-Za-z0-9_.:-]{1,128})\/image$/;

export function createPage(options: PageOptions): Page {
  const { hub, auth, policy, log } = options;
  let sessions = new PageSessions();
  const feeds = new Map<string, Feed>();
  const assets = loadAssets();
  const heartbeats = new Set<NodeJS.Timeout>();

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    void res.writeHead(status, { ...SECURITY_HEADERS, "content-type": type, ...headers }).end(body);
  const json = (res: ServerResponse, status: number, body: unknown) => send(res, status, "application/json", JSON.stringify(body));
  const refuse = (res: ServerResponse, status: number, error: string) => json(res, status, { error });

  const feedFor = (user: string): Feed => {
    let feed = feeds.get(user);
    if (!feed) feeds.set(user, (feed = new Feed(hub.bus(user))));
    return feed;
  };

  /** The user's open feed, or a passing one seeded from the job store (for a view that only polls); it never listens. */
  const withFeed = <T>(user: string, read: (feed: Feed) => T): T => {
    const open = feeds.get(user);
    if (open) return read(open);
    const passing = new Feed(hub.bus(user));
    try {
      return read(passing);
    } finally {
      passing.dispose();
    }
  };

  const link = async (user: string, base: string) => `${base}${LOGIN_PATH}?code=${await sessions.mintCode(user)}`;

  /** POST /page/link: the bearer gate of /mcp (no browser Origin at all), then a link on the host the caller reached. */
  const mintLink = async (req: IncomingMessage, res: ServerResponse) => {
    const browser = checkRequest(req.headers, policy);
    if (browser) return refuse(res, 403, browser);
    const who = auth.authenticate(req.headers);
    if (!who.ok) return refuse(res, 401, who.reason);
    log.info("page.link_minted", { user_id: who.identity.user });
    json(res, 200, { url: await link(who.identity.user, `${options.scheme}://${req.headers.host}`) });
  };

  const login = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const code = url.searchParams.get("code") ?? "";
    // A link opened from another site is not the user's own click from the terminal; it is spent all the same.
    if (req.headers["sec-fetch-site"] === "cross-site") {
      await sessions.discard(code);
      log.warn("page.login_refused", { reason: "cross-site" });
      return send(res, 403, "text/html; charset=utf-8", notSignedIn("This link was opened from another site, so it was refused and is now spent."));
    }
    const session = await sessions.redeem(code);
    if (!session) {
      log.warn("page.login_refused", { reason: "used or expired" });
      return send(res, 403, "text/html; charset=utf-8", notSignedIn("This link was already used or has expired: each link works once."));
    }
    res.writeHead(303, { ...SECURITY_HEADERS, location: "/", "set-cookie": PageSessions.cookie(session, options.scheme === "https") }).end();
  };

  const events = (res: ServerResponse, user: string) => {
    const feed = feedFor(user);
    res.writeHead(200, { ...SECURITY_HEADERS, "content-type": "text/event-stream", connection: "keep-alive" });
    res.write("retry: 2000\n\n");
    const beat = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
    heartbeats.add(beat);
    res.on("close", () => {
      clearInterval(beat);
      heartbeats.delete(beat);
      if (feed.removeStream(res) && feeds.get(user) === feed) {
        feeds.delete(user);
        feed.dispose();
      }
    });
    feed.addStream(res).catch((error: Error) => {
      log.warn("page.stream_failed", { user_id: user, error: error.message });
      res.destroy();
    });
  };

  const job = async (req: IncomingMessage, res: ServerResponse, user: string, jobId: string, action: string | undefined) => {
    const bus = hub.bus(user);
    const held = bus.getJob(jobId);
    if (action === "/cancel") {
      if (req.method !== "POST") return refuse(res, 405, "cancel is a POST");
      const reason = `cancelled by ${user} on the live page`;
      if (!held) return cancelElsewhere(res, bus, user, jobId, reason);
      if (isTerminal(held.status)) return refuse(res, 409, `job ${jobId} already ended as ${held.status}`);
      bus.cancel(held, reason, "failed");
      log.info("page.cancel", { user_id: user, job_id: jobId });
      const view = pageJob(held);
      feeds.get(user)?.jobChanged(view);
      return json(res, 200, view);
    }
    if (req.method !== "GET") return refuse(res, 405, "GET only");
    const found = held ?? (await bus.findShared(jobId, 0));
    // A foreign job id gets the same answer as an unknown one.
    if (!found) return refuse(res, 404, `no job ${jobId} on your bus`);
    if (action !== "/image") return json(res, 200, pageJobDetail(found));
    const png = pngOf(found.result);
    if (!png) return refuse(res, 404, `job ${jobId} has no image`);
    send(res, 200, "image/png", Buffer.from(png, "base64"), { "cache-control": "private, max-age=3600, immutable" });
  };

  /** A job another server process holds: that process ends it, and the page answers once the shared record has. */
  const cancelElsewhere = async (res: ServerResponse, bus: UserBus, user: string, jobId: string, reason: string) => {
    const asked = await bus.cancelShared(jobId, reason, "failed");
    if (asked === "unknown") return refuse(res, 404, `no job ${jobId} on your bus`);
    if (asked !== "sent") return refuse(res, asked.status === "ended" ? 409 : 503, asked.error);
    log.info("page.cancel", { user_id: user, job_id: jobId, via: "backplane" });
    const ended = await bus.findShared(jobId, REMOTE_CANCEL_WAIT_MS);
    if (!ended || !isTerminal(ended.status)) return refuse(res, 504, `job ${jobId} was asked to stop, but its server process has not ended it yet; its row follows when it does`);
    json(res, 200, pageJob(ended));
  };

  const clientImage = (res: ServerResponse, user: string, uuid: string) => {
    const image = withFeed(user, (feed) => feed.images.get(uuid));
    if (!image) return refuse(res, 404, `no image from Blender ${uuid} yet`);
    send(res, 200, "image/png", image.png, { "x-job-id": image.jobId });
  };

  const api = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const user = await sessions.userOf(req.headers.cookie);
    if (!user) return refuse(res, 401, "not signed in: open the page from the link `blender-mcp open` prints");
    if (req.method !== "GET" && req.method !== "HEAD") {
      // The cookie is SameSite=Strict; the Origin check also stops a same-site page on another port.
      const origin = req.headers.origin;
      if (origin !== `${options.scheme}://${req.headers.host}`) return refuse(res, 403, `Origin ${origin ?? "(none)"} may not change jobs: only the page itself may`);
    }
    const get = req.method === "GET";
    if (path === "/page/api/state" && get) return json(res, 200, withFeed(user, (feed) => feed.snapshot()));
    if (path === "/page/api/events" && get) return events(res, user);
    const jobMatch = JOB_PATH.exec(path);
    if (jobMatch) return job(req, res, user, jobMatch[1]!, jobMatch[2]);
    const imageMatch = CLIENT_IMAGE_PATH.exec(path);
    if (imageMatch) return clientImage(res, user, imageMatch[1]!);
    refuse(res, 404, "not found");
  };

  const serveAsset = (res: ServerResponse, asset: Asset) => send(res, 200, asset.type, asset.body, { "cache-control": "no-cache", etag: asset.etag });

  return {
    handles: (path) => path === "/" || path?.startsWith("/page/") === true,
    handle: (req, res) => {
      const url = new URL(req.url ?? "/", "http://page.invalid");
      const path = url.pathname;
      // The Host check of /mcp; the Origin rule differs (the page is a browser page), so it is applied per route.
      const host = checkRequest({ ...req.headers, origin: undefined }, policy);
      if (host) return refuse(res, 403, host);
      const failed = (error: Error) => {
        log.error("page.request_failed", { path, error: error.message });
        if (!res.headersSent) refuse(res, 500, "internal error");
      };
      if (path === "/page/link" && req.method === "POST") return void mintLink(req, res).catch(failed);
      if (path === LOGIN_PATH && req.method === "GET") return void login(req, res, url).catch(failed);
      if (path.startsWith("/page/api/")) return void api(req, res, path).catch(failed);
      const asset = path === "/" ? assets.index : assets.files.get(path);
      if (!asset || req.method !== "GET") return refuse(res, 404, "not found");
      if (path !== "/") return serveAsset(res, asset);
      void sessions.userOf(req.headers.cookie).then((user) => {
        if (user) return serveAsset(res, asset);
        send(res, 401, "text/html; charset=utf-8", notSignedIn("Open this page from the link that `blender-mcp serve` prints, or run `blender-mcp open`."));
      }, failed);
    },
    link,
    shareSessions: (records) => {
      sessions = new PageSessions(records);
    },
    close: () => {
      for (const beat of heartbeats) clearInterval(beat);
      for (const feed of feeds.values()) feed.dispose();
      feeds.clear();
    },
  };
}
