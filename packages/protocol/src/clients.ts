import { z } from "zod";
import { ClientUuid } from "./ids.js";

export const ClientSummary = z.object({
  uuid: ClientUuid,
  label: z.string(),
  blender_version: z.string(),
  blend_file: z.string(),
});
export type ClientSummary = z.infer<typeof ClientSummary>;

export const ClientInfo = ClientSummary.extend({
  client_type: z.string(),
  addon_version: z.string(),
  commands: z.array(z.string()).describe("Commands the client offers"),
  gated: z.array(z.string()).describe("Gates switched off in the client's preferences; their commands fail"),
  connected_since: z.string().describe("ISO 8601 time of the current connection"),
  last_seen: z.string().describe("ISO 8601 time of the last message or heartbeat"),
  jobs_in_flight: z.number().int(),
}).describe("A Blender instance connected to the caller's bus");
export type ClientInfo = z.infer<typeof ClientInfo>;
