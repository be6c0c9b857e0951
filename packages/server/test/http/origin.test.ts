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
  assert.match(checkRequest({ host: "127.0.0.1:9860", origin: "https://evil.example.com" }, policy) ?? "", /Origin .*--allowed-origin/);
  assert.equal(checkRequest({ host: "127.0.0.1:9860", origin: "http://localhost:3000" }, policy), null);
});

test("a page of the server's own origin (scheme, host and port) is accepted", () => {
  const accepted: [string, string, boolean][] = [
    ["localhost:9860", "http://localhost:9860", false],
    ["127.0.0.1:9860", "http://127.0.0.1:9860", false],
    ["[::1]:9860", "http://[::1]:9860", false],
    ["LocalHost:9860", "http://localhost:9860", false],
    ["blender.example.lan:9860", "https://blender.example.lan:9860", true],
    // Browsers drop the scheme's default port from Origin.
    ["localhost:80", "http://localhost", false],
    ["localhost", "http://localhost", false],
    ["blender.example.lan:443", "https://blender.example.lan", true],
  ];
  for (const [host, origin, tls] of accepted) {
    assert.equal(checkRequest({ host, origin }, { ...policy, tls }), null, `${origin} on ${host}`);
  }
});

test("any other origin stays refused: another port, scheme or host, or an opaque origin", () => {
  const refused: [string, string, boolean][] = [
    ["localhost:9860", "http://localhost:9861", false], // another local server's page
    ["localhost:9860", "http://localhost", false],
    ["localhost:9860", "https://localhost:9860", false], // the listener is plain HTTP
    ["blender.example.lan:9860", "http://blender.example.lan:9860", true], // the listener is TLS
    ["localhost:9860", "http://127.0.0.1:9860", false], // another name is another origin
    ["localhost:9860", "null", false],
    ["localhost:9860", "http://localhost:9860.evil.example.com", false],
    ["localhost:9860", "", false],
  ];
  for (const [host, origin, tls] of refused) {
    assert.match(checkRequest({ host, origin }, { ...policy, tls }) ?? "", /Origin .* is not allowed/, `${origin} on ${host}`);
  }
});

test("a same-origin page on a Host that is not allowed is still refused for its Host", () => {
  assert.match(
    checkRequest({ host: "evil.example.com:9860", origin: "http://evil.example.com:9860" }, policy) ?? "",
    /Host evil\.example\.com:9860 is not allowed .*--allowed-host/,
  );
  // A Host that is not an authority never names an origin of ours.
  assert.match(checkRequest({ host: "localhost:9860@evil", origin: "http://localhost:9860" }, policy) ?? "", /Origin http:\/\/localhost:9860 is not allowed/);
});

test("an allowed origin passes whatever the listener's own is", () => {
  assert.equal(checkRequest({ host: "localhost:9860", origin: "http://localhost:3000" }, { ...policy, tls: true }), null);
});
