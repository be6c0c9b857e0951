import assert from "node:assert/strict";
import { test } from "node:test";
import { checkRequest } from "../../src/http/origin.js";

const policy = { allowedHosts: ["blender.example.lan"], allowedOrigins: ["http://localhost:3000"] };

test("loopback Hosts pass; a rebound Host or a browser Origin is refused", () => {
  for (const host of ["127.0.0.1:9860", "localhost:9860", "[::1]:9860", "LOCALHOST", "blender.example.lan:9860"]) {
    assert.equal(checkRequest({ host }, policy), null, host);
  }
  assert.match(checkRequest({ host: "evil.example.com:9860" }, policy) ?? "", /DNS rebinding/);
  assert.match(checkRequest({}, policy) ?? "", /missing Host/);
  assert.match(checkRequest({ host: "127.0.0.1:9860", origin: "https://evil.example.com" }, policy) ?? "", /Origin/);
  assert.equal(checkRequest({ host: "127.0.0.1:9860", origin: "http://localhost:3000" }, policy), null);
});

test("the server's own origin is accepted; the same page on another port or host is not", () => {
  assert.equal(checkRequest({ host: "127.0.0.1:9860", origin: "http://127.0.0.1:9860" }, policy), null);
  assert.equal(checkRequest({ host: "localhost:9860", origin: "https://localhost:9860" }, policy), null);
  assert.match(checkRequest({ host: "127.0.0.1:9860", origin: "http://127.0.0.1:9861" }, policy) ?? "", /Origin/);
  assert.match(checkRequest({ host: "127.0.0.1:9860", origin: "http://localhost:9860" }, policy) ?? "", /Origin/);
  assert.match(checkRequest({ host: "127.0.0.1:9860", origin: "null" }, policy) ?? "", /Origin/);
});
