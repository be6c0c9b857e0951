import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { bearerToken, TokenStore } from "../../src/auth/tokens.js";
import { RateLimiter } from "../../src/auth/rate-limit.js";
import { DEFAULT_CONFIG, validateConfig } from "../../src/config.js";

async function withDir(body: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), "tokens-"));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("tokens: only hashes are stored, owner-only, and they survive a restart", () =>
  withDir(async (dir) => {
    const store = new TokenStore(dir);
    const { token, record } = store.create("alice");
    assert.match(token, /^bmcp_[A-Za-z0-9_-]{43}$/);
    const file = await readFile(join(dir, "tokens.json"), "utf8");
    assert.equal(file.includes(token), false, "the token itself is never written");
    assert.equal((await stat(join(dir, "tokens.json"))).mode & 0o777, 0o600);
    const restarted = new TokenStore(dir);
    assert.equal(restarted.verify(token)?.user, "alice");
    assert.equal(restarted.verify(`${token}x`), null);
    assert.deepEqual(restarted.list().map((t) => t.id), [record.id]);
    assert.throws(() => store.create("no spaces"), /user names/);
  }));

test("tokens: a revoke in another process takes effect on the next check", () =>
  withDir(async (dir) => {
    const server = new TokenStore(dir);
    const cli = new TokenStore(dir);
    const { token, record } = cli.create("bob");
    assert.equal(server.verify(token)?.user, "bob");
    assert.equal(cli.revoke(record.id), true);
    assert.equal(server.verify(token), null);
    assert.equal(cli.revoke(record.id), false);
  }));

test("the local token file is owner-only and reused while valid", () =>
  withDir(async (dir) => {
    const store = new TokenStore(dir);
    const token = store.ensureLocalToken("local");
    assert.equal((await readFile(join(dir, "local-token"), "utf8")).trim(), token);
    assert.equal((await stat(join(dir, "local-token"))).mode & 0o777, 0o600);
    assert.equal(new TokenStore(dir).ensureLocalToken("local"), token);
    store.revoke(store.verify(token)!.id);
    assert.notEqual(store.ensureLocalToken("local"), token, "a revoked local token is replaced");
  }));

test("bearer header parsing", () => {
  assert.equal(bearerToken("Bearer abc"), "abc");
  assert.equal(bearerToken("bearer  abc "), "abc");
  assert.equal(bearerToken("Basic abc"), null);
  assert.equal(bearerToken(undefined), null);
});

test("rate limiter: bursts, then one per 1/rate seconds; off at 0", () => {
  let now = 0;
  const limiter = new RateLimiter(10, 3, () => now);
  assert.deepEqual([limiter.take("k"), limiter.take("k"), limiter.take("k")], [0, 0, 0]);
  assert.ok(limiter.take("k") > 0, "the fourth in a burst of 3 waits");
  assert.equal(limiter.take("other"), 0, "keys are independent");
  now += 100;
  assert.equal(limiter.take("k"), 0, "a token refills every 100 ms at 10/s");
  const off = new RateLimiter(0);
  for (let i = 0; i < 1000; i++) assert.equal(off.take("k"), 0);
});

test("no tokens off loopback is refused", () => {
  assert.match(validateConfig({ ...DEFAULT_CONFIG, host: "0.0.0.0", auth: "none" }) ?? "", /without tokens/);
  assert.equal(validateConfig({ ...DEFAULT_CONFIG, host: "0.0.0.0", auth: "token" }), null);
  assert.equal(validateConfig({ ...DEFAULT_CONFIG, auth: "none" }), null);
  assert.match(validateConfig({ ...DEFAULT_CONFIG, tlsCert: "c.pem" }) ?? "", /together/);
});
