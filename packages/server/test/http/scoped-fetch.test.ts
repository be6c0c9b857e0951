import assert from "node:assert/strict";
import { getEventListeners, once } from "node:events";
import { createServer } from "node:http";
import { test } from "node:test";
import { scopedFetch } from "../../src/http/scoped-fetch.js";

test("scopedFetch leaves no listener on a shared signal once a body is read, and still aborts", async () => {
  const server = createServer((req, res) => {
    if (req.url === "/hang") return void res.writeHead(200).flushHeaders();
    res.end("ok");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const shared = new AbortController();
  try {
    for (let i = 0; i < 50; i++) assert.equal(await (await scopedFetch(`${base}/`, { signal: shared.signal })).text(), "ok");
    assert.equal(getEventListeners(shared.signal, "abort").length, 0);
    for (let i = 0; i < 20; i++) await (await scopedFetch(`${base}/hang`, { signal: shared.signal })).body!.cancel();
    assert.equal(getEventListeners(shared.signal, "abort").length, 0, "a cancelled body lets go too");
    const hanging = await scopedFetch(`${base}/hang`, { signal: shared.signal });
    const reading = hanging.text();
    shared.abort(new Error("closing"));
    await assert.rejects(reading);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
