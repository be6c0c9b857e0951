/**
 * What `blender-mcp serve` processes say to each other through Redis
 * (--redis). Each message is JSON on a pub/sub channel or in a key; a
 * receiver checks it against these schemas and drops what does not match,
 * so a peer of another version, or a stray PUBLISH, cannot crash a process.
 */
import { z } from "zod";
import { ClientUuid, JobId } from "./ids.js";
import { BusEvent, Job } from "./jobs.js";
import { Hello, JobUpdate, ServerMessage } from "./messages.js";
import { Priority } from "./priority.js";

const ProcessId = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/).describe("A server process, random per start (p- and 8 hex digits)");
const UserId = z.string().min(1).max(256).describe("The user whose bus the message belongs to");

/** A job_update without its discriminator: what one process forwards to another. */
export const RoutedUpdate = JobUpdate.omit({ message_type: true });
export type RoutedUpdate = z.infer<typeof RoutedUpdate>;

/** On a process's route channel (bmcp:route:<process>). */
export const Routed = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("to_addon"),
      user: UserId,
      uuid: ClientUuid,
      origin: ProcessId.describe("The process that holds the job; updates go back to it"),
      message: ServerMessage,
    })
    .describe("A message for a Blender attached to the receiving process"),
  z
    .object({
      kind: z.literal("update"),
      user: UserId,
      sender: ClientUuid.describe("The Blender that reported"),
      update: RoutedUpdate,
    })
    .describe("A job_update for a job the receiving process holds"),
  z
    .object({
      kind: z.literal("cancel"),
      user: UserId,
      job_id: JobId,
      reason: z.string().min(1).max(500).describe("Why, in words the job's error carries (who cancelled it, and where)"),
      status: z.enum(["cancelled", "failed"]).describe("The terminal state the job ends in"),
    })
    .describe("A cancel of a job the receiving process holds, asked for on another process (the live page there)"),
]);
export type Routed = z.infer<typeof Routed>;

/** A Blender in the shared registry (hash bmcp:clients:<user>, field = its uuid). */
export const RegistryEntry = z.object({
  hello: Hello,
  proc: ProcessId.describe("The process the Blender is attached to"),
  connected_since: z.string(),
});
export type RegistryEntry = z.infer<typeof RegistryEntry>;

/** On the registry channel (bmcp:registry). */
export const RegistryEvent = z.discriminatedUnion("op", [
  z.object({ op: z.literal("attach"), user: UserId, uuid: ClientUuid, entry: RegistryEntry }),
  z.object({ op: z.literal("detach"), user: UserId, uuid: ClientUuid, proc: ProcessId }),
]);
export type RegistryEvent = z.infer<typeof RegistryEvent>;

/** On a user's event channel (bmcp:events:<user>). */
export const RemoteEvent = z.object({
  proc: ProcessId,
  user: UserId,
  priority: Priority,
  event: BusEvent,
  queued: Job.optional().describe(
    "The whole job, when the event announces it entered the queue (status queued): job events begin at its first update, so a live page elsewhere learns here what the event leaves out",
  ),
});
export type RemoteEvent = z.infer<typeof RemoteEvent>;

/** A member of a process's set of unfinished jobs (bmcp:unfinished:<process>). */
export const UnfinishedMember = z.tuple([UserId, JobId]);

/** A live page's one-time code or cookie session (key bmcp:page:<code|session>:<SHA-256 of the secret>, with a TTL). */
export const PageSessionRecord = z.object({ user: UserId.describe("The user the code or session signs in") });
export type PageSessionRecord = z.infer<typeof PageSessionRecord>;

/** Every backplane message, by name (the name a receiver logs when it drops one). */
export const BACKPLANE_MESSAGES = {
  routed: Routed,
  registry_entry: RegistryEntry,
  registry_event: RegistryEvent,
  remote_event: RemoteEvent,
  unfinished_member: UnfinishedMember,
  page_session: PageSessionRecord,
  /** The shared record of a job (hash bmcp:job:<user>:<job>, field job). */
  job_record: Job,
} as const;
export type BackplaneMessageName = keyof typeof BACKPLANE_MESSAGES;

/**
 * Parses one backplane message: the value, or the reason it was refused
 * (the receiver logs that and drops the message).
 */
export function readBackplane<N extends BackplaneMessageName>(
  name: N,
  text: string,
): { ok: true; value: z.infer<(typeof BACKPLANE_MESSAGES)[N]> } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  const parsed = BACKPLANE_MESSAGES[name].safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data as z.infer<(typeof BACKPLANE_MESSAGES)[N]> };
  return { ok: false, reason: z.prettifyError(parsed.error).slice(0, 500) };
}
