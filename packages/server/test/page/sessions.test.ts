/** The page's one-time codes and cookie sessions, without a browser. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { COOKIE_NAME, MemoryRecords, PageSessions, readCookie } from "../../src/page/sessions.js";

test("a code logs its user in once; unknown and spent codes get nothing", async () => {
  const sessions = new PageSessions();
  const code = await sessions.mintCode("alice");
  assert.notEqual(code, await sessions.mintCode("alice"), "every link has its own code");
  const id = await sessions.redeem(code);
  assert.ok(id && id !== code, "the session id is not the code");
  assert.equal(await sessions.redeem(code), null, "a second use is refused");
  assert.equal(await sessions.redeem("made-up"), null);
  assert.equal(await sessions.redeem(""), null);
  assert.equal(await sessions.userOf(`other=1; ${COOKIE_NAME}=${id}`), "alice");
  assert.equal(await sessions.userOf(`${COOKIE_NAME}=${code}`), null, "a code is no session");
  assert.equal(await sessions.userOf(undefined), null);
});

test("a discarded code is spent", async () => {
  const sessions = new PageSessions();
  const code = await sessions.mintCode("bob");
  await sessions.discard(code);
  assert.equal(await sessions.redeem(code), null);
});

test("records are kept by the secret's hash, never the secret itself", async () => {
  const kept: string[] = [];
  const records = new MemoryRecords();
  const sessions = new PageSessions({
    put: (kind, key, user, ttl) => (kept.push(key), records.put(kind, key, user, ttl)),
    get: (kind, key) => records.get(kind, key),
    take: (kind, key) => records.take(kind, key),
  });
  const code = await sessions.mintCode("carol");
  const id = (await sessions.redeem(code))!;
  assert.equal(kept.length, 2);
  assert.ok(!kept.includes(code) && !kept.includes(id));
  assert.equal(await sessions.userOf(`${COOKIE_NAME}=${id}`), "carol");
});

test("the cookie is HttpOnly, SameSite=Strict, Path=/, and Secure over TLS", () => {
  assert.equal(PageSessions.cookie("x", false), `${COOKIE_NAME}=x; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200`);
  assert.match(PageSessions.cookie("x", true), /; Secure$/);
  assert.equal(readCookie("a=1;  b = two ;c=3", "b"), "two");
  assert.equal(readCookie("ab=1", "b"), null);
});
