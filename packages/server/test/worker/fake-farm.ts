/**
 * Fake workers for the spread render tests: each renders the frames it is
 * asked for into files on its own pretend disk (each file's bytes name the
 * frame and the worker), and serves the transfer commands from that disk.
 */
import { afterEach, beforeEach } from "node:test";
import { FakeAddon, rgbPng } from "@blender-mcp/fake-addon";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { startServer, type ServerProcess } from "../support/server-process.js";

interface Endpoint {
  addonUrl: string;
  token: string;
}

export class FakeFarm {
  /** Files by "<uuid>:<path>": what read_file_chunk reads and write_file_chunk writes. */
  readonly disk = new Map<string, Buffer>();
  /** What delete_transfer_file took off the disk, by the same keys. */
  readonly deleted = new Map<string, Buffer>();
  /** Per Blender, the transfer commands it ran, in order ("write NAME@OFFSET", "read PATH@OFFSET", "open PATH", "delete PATH"). */
  readonly ran = new Map<string, string[]>();
  readonly addons: FakeAddon[] = [];
  /** Per worker, the file it has open ("" until it opens one: its own start file; "(new)" after action new). */
  readonly opened = new Map<string, string>();
  /** Every chunk rendered: on which worker, into which folder, with which open file's bytes (null: its own start file). */
  readonly renders: { worker: string; folder: string; scene: string | null }[] = [];

  /** A worker; with a .blend it has the scene of its own, without it needs one shipped. */
  async worker(server: Endpoint, uuid: string, blendFile = "/shared/scene.blend"): Promise<FakeAddon> {
    const a = new FakeAddon({ url: server.addonUrl, token: server.token, uuid, clientType: "worker", blendFile });
    a.behave("render_animation", { kind: "answer", result: (params) => this.renderChunk(uuid, params) });
    this.files(a);
    await a.start();
    this.addons.push(a);
    return a;
  }

  /** A Blender with a UI whose open file is `scene` (or the n-th copy's bytes: `scene(n)`): the requesting Blender. */
  async ui(server: Endpoint, uuid: string, scene: Buffer | ((n: number) => Buffer)): Promise<FakeAddon> {
    const a = new FakeAddon({ url: server.addonUrl, token: server.token, uuid });
    let copies = 0;
    a.behave("save_scene_copy", {
      kind: "answer",
      result: () => {
        const bytes = typeof scene === "function" ? scene(++copies) : scene;
        const filepath = typeof scene === "function" ? `/tmp/copy-${copies}.blend` : "/tmp/copy.blend";
        this.disk.set(`${uuid}:${filepath}`, bytes);
        return { filepath, size: bytes.length };
      },
    });
    this.files(a);
    await a.start();
    this.addons.push(a);
    return a;
  }

  /** The transfer commands over the disk, each logged in `ran`. */
  files(a: FakeAddon): void {
    const uuid = a.uuid;
    const log = (entry: string) => this.ran.set(uuid, [...(this.ran.get(uuid) ?? []), entry]);
    a.behave("read_file_chunk", {
      kind: "answer",
      result: ({ filepath, offset, length }) => {
        const data = this.disk.get(`${uuid}:${filepath}`);
        if (!data) throw new Error(`no file at ${filepath}`);
        log(`read ${filepath}@${offset}`);
        return { data_base64: data.subarray(offset as number, (offset as number) + (length as number)).toString("base64"), size: data.length };
      },
    });
    a.behave("write_file_chunk", {
      kind: "answer",
      result: ({ name, offset, data_base64 }) => {
        const key = `${uuid}:/tmp/transfers-${uuid}/${name}`;
        const before = offset === 0 ? Buffer.alloc(0) : this.disk.get(key)!;
        this.disk.set(key, Buffer.concat([before, Buffer.from(data_base64 as string, "base64")]));
        log(`write ${name}@${offset}`);
        return { filepath: key.slice(uuid.length + 1), size: this.disk.get(key)!.length };
      },
    });
    a.behave("delete_transfer_file", {
      kind: "answer",
      result: ({ filepath }) => {
        const gone = [...this.disk.keys()].filter((k) => k === `${uuid}:${filepath}` || k.startsWith(`${uuid}:${filepath}/`));
        gone.forEach((k) => (this.deleted.set(k, this.disk.get(k)!), this.disk.delete(k)));
        log(`delete ${filepath}`);
        return { deleted: gone.length > 0 };
      },
    });
    a.behave("open_file", {
      kind: "answer",
      result: ({ action, filepath }) => {
        const file = action === "new" ? "(new)" : (filepath as string);
        this.opened.set(uuid, file);
        log(`open ${file}`);
        return { filepath: action === "new" ? "" : filepath };
      },
    });
  }

  renderChunk(uuid: string, params: Record<string, unknown>) {
    const files: string[] = [];
    const folder = (params.output_folder as string | undefined) ?? "/shared/anim";
    const open = this.opened.get(uuid);
    this.renders.push({ worker: uuid, folder, scene: open ? (this.disk.get(`${uuid}:${open}`)?.toString() ?? open) : null });
    for (let f = params.frame_start as number; f <= (params.frame_end as number); f += (params.frame_step as number) ?? 1) {
      const path = `${folder}/frame_${String(f).padStart(4, "0")}.png`;
      this.disk.set(`${uuid}:${path}`, Buffer.from(`frame ${f} by ${uuid}`));
      files.push(path);
    }
    return {
      folder, files, width: 8, height: 6, engine: "CYCLES", render_seconds: 0.5,
      png_base64: rgbPng(4 * files.length, 3, () => [200, 10, 10]).toString("base64"),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.addons.splice(0).map((a) => a.close()));
  }
}

/** Before each test a fresh server, an MCP client over HTTP and an empty farm, handed to `use`; all closed after it. */
export function farmPerTest(use: (fresh: { server: ServerProcess; client: TestClient; farm: FakeFarm }) => void): void {
  let fresh: { server: ServerProcess; client: TestClient; farm: FakeFarm };
  beforeEach(async () => {
    const server = await startServer();
    fresh = { server, client: await connectClient(server, "http"), farm: new FakeFarm() };
    use(fresh);
  });
  afterEach(async () => {
    await fresh.farm.close();
    await fresh.client.close();
    await fresh.server.stop();
  });
}
