/** The fake addon as a contract-suite peer. */
import { FakeAddon } from "@blender-mcp/fake-addon";
import type { Peer, PeerKind } from "./peer.js";

const fakes = new Map<string, FakeAddon>();

export const fakeKind: PeerKind = {
  name: "fake addon",
  async start({ url, connect, token, label, gated, reconnect }) {
    const fake = new FakeAddon({ url, connect, token, label, gated, reconnect });
    await fake.start();
    fakes.set(fake.uuid, fake);
    return {
      uuid: fake.uuid,
      closed: fake.closed.then(() => undefined),
      stop: async () => {
        fakes.delete(fake.uuid);
        await fake.close();
      },
    } satisfies Peer;
  },
  async slowCall(peer, seconds) {
    fakes.get(peer.uuid)!.behaveOnce("get_scene_info", { kind: "slow", ms: seconds * 1000 });
    return { tool: "blender_get_scene_info", args: {} };
  },
  async failingCall() {
    return { tool: "blender_execute_code", args: { code: "raise RuntimeError('boom from the contract suite')" } };
  },
  async dropCall(peer) {
    fakes.get(peer.uuid)!.behaveOnce("get_object_info", { kind: "drop" });
    return { tool: "blender_get_object_info", args: { name: "Cube" } };
  },
  hostPath: (path) => path,
  script: (marker) => `total = 0\nfor i in range(3):\n    total += i\nprint(${JSON.stringify(marker)}, total)\n`,
};
