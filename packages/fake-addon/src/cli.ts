#!/usr/bin/env node
/** `fake-addon --url URL [--uuid ID] [--label NAME] [--gate-off GATE]... [--behave COMMAND=BEHAVIOUR]...` */
import { parseArgs } from "node:util";
import { FakeAddon, type Behaviour } from "./fake-addon.js";

const USAGE = `fake-addon: connects to a blender-mcp server like Blender would

  --url URL              the server's addon endpoint (default ws://127.0.0.1:9860/addon)
  --uuid ID              client uuid (default: random)
  --label NAME           label shown in blender_list_clients
  --token TOKEN          bearer token (default: BLENDER_MCP_TOKEN)
  --gate-off GATE        switch a gate off: execute_code, job_dispatch (repeatable)
  --behave CMD=B         how to answer CMD: answer | fail:MESSAGE | slow:MS | never | drop (repeatable)`;

function behaviour(spec: string): Behaviour {
  const [kind, arg = ""] = spec.split(/:(.*)/s);
  switch (kind) {
    case "answer":
      return { kind: "answer" };
    case "fail":
      return { kind: "fail", error: arg || "failed on purpose" };
    case "slow":
      return { kind: "slow", ms: Number(arg) };
    case "never":
      return { kind: "never" };
    case "drop":
      return { kind: "drop" };
    default:
      throw new Error(`unknown behaviour ${spec}`);
  }
}

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "ws://127.0.0.1:9860/addon" },
    uuid: { type: "string" },
    label: { type: "string" },
    token: { type: "string" },
    "gate-off": { type: "string", multiple: true },
    behave: { type: "string", multiple: true },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const behaviours: Record<string, Behaviour> = {};
for (const spec of values.behave ?? []) {
  const [command, b] = spec.split(/=(.*)/s);
  behaviours[command!] = behaviour(b ?? "");
}
const token = values.token ?? process.env.BLENDER_MCP_TOKEN;
const addon = new FakeAddon({ url: values.url!, uuid: values.uuid, label: values.label, gated: values["gate-off"], behaviours, token });
addon
  .connect()
  .then((welcome) => {
    process.stdout.write(`[mcp-bus] connected as ${welcome.client_uuid} to ${values.url}\n`);
    return addon.closed;
  })
  .then(({ code, reason }) => {
    process.stdout.write(`[mcp-bus] disconnected: ${code} ${reason}\n`);
    process.exit(0);
  })
  .catch((error: Error) => {
    process.stderr.write(`fake-addon: ${error.message}\n`);
    process.exit(1);
  });
process.on("SIGINT", () => void addon.close().then(() => process.exit(0)));
