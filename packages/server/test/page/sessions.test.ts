/** The page's one-time codes and cookie sessions, without a browser. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { COOKIE_NAME, PageSessions, readCookie } from "../../src/page/sessions.js";

test("a code logs its user in once; unknown and spent codes get nothing", () => {
  const sessions = new PageSessions();
  const code = sessions.mintCode("alice");
  assert.notEqual(code, sessions.mintCode("alice"), "every link has its own code");
  const id = sessions.redeem(code);
  assert.ok(id && id !== code, "the session id is not the code");
  assert.equal(sessions.redeem(code), null, "a second use is refused");
  assert.equal(sessions.redeem("made-up"), null);
  assert.equal(sessions.redeem(""), null);
  assert.equal(sessions.userOf(`other=1; ${COOKIE_NAME}=${id}`), "alice");
  assert.equal(sessions.userOf(`${COOKIE_NAME}=${code}`), null, "a code is no session");
  assert.equal(sessions.userOf(undefined), null);
});

test("a discarded code is spent", () => {
  const sessions = new PageSessions();
  const code = sessions.mintCode("bob");
  sessions.discard(code);
  assert.equal(sessions.redeem(code), null);
});

test("the cookie is HttpOnly, SameSite=Strict, Path=/, and Secure over TLS", () => {
  assert.equal(PageSessions.cookie("x", false), `${COOKIE_NAME}=x; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200`);
  assert.match(PageSessions.cookie("x", true), /; Secure$/);
  assert.equal(readCookie("a=1;  b = two ;c=3", "b"), "two");
  assert.equal(readCookie("ab=1", "b"), null);
});
