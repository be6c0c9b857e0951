import assert from "node:assert/strict";
import { once } from "node:events";
import { text } from "node:stream/consumers";
import { describe, it } from "node:test";
import { memoryLink } from "../../src/in-process/link.js";

describe("in-memory link", () => {
  it("carries bytes in order, and an end arrives after what was written before it", async () => {
    const [client, server] = memoryLink();
    client.write("one ");
    client.write("two");
    client.end();
    assert.equal(await text(server), "one two");
  });

  it("delivers on a later tick: the reader never runs inside the writer's call", async () => {
    const [client, server] = memoryLink();
    let inside = false;
    let readInside: boolean | null = null;
    server.on("data", () => (readInside = inside));
    inside = true;
    client.write("x");
    inside = false;
    await once(server, "data");
    assert.equal(readInside, false);
  });

  it("an end that closes after ending leaves what it sent readable; one destroyed before ending resets the other", async () => {
    const [a, b] = memoryLink();
    a.end("last words");
    await once(a, "finish");
    a.destroy();
    assert.equal(await text(b), "last words");

    const [c, d] = memoryLink();
    c.destroy();
    await once(d, "close");
    assert.equal(d.destroyed, true);
  });

  it("a write to an end whose peer has closed fails as a reset", async () => {
    const [a, b] = memoryLink();
    b.end();
    await once(b, "finish");
    b.destroy();
    a.write("late");
    const [error] = (await once(a, "error")) as [NodeJS.ErrnoException];
    assert.equal(error.code, "ECONNRESET");
  });
});
