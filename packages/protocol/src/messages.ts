/**
 * Every message on the addon WebSocket, both ways. Each is a JSON text frame
 * with a message_type discriminator.
 */
import { z } from "zod";
import { ClientUuid, CommandName, JobId } from "./ids.js";
import { Priority } from "./priority.js";
import { Progress } from "./progress.js";

/**
 * Bumped on any change an older peer would misread. The server refuses a hello that differs.
 * 2: the server proves it knows the token before the client sends anything about itself (auth_begin ...).
 */
export const PROTOCOL_VERSION = 2;

// ---- the authentication handshake (addon socket and the relay's /mcp socket) ---

const Nonce = z.string().regex(/^[A-Za-z0-9_-]{43}$/).describe("32 random bytes, base64url without padding");
const Proof = z.string().regex(/^[A-Za-z0-9_-]{43}$/).describe("HMAC-SHA-256 of the transcript, base64url without padding");

export const AuthBegin = z
  .object({
    message_type: z.literal("auth_begin"),
    protocol_version: z.number().int().describe("The PROTOCOL_VERSION the client speaks"),
    key_id: z.string().regex(/^[0-9a-f]{16}$/).describe("Names the token without revealing it: a hash of the token's SHA-256"),
    client_nonce: Nonce,
  })
  .describe("First message from a client: asks the server to prove it knows the token");

export const AuthChallenge = z
  .object({
    message_type: z.literal("auth_challenge"),
    protocol_version: z.number().int().describe("The PROTOCOL_VERSION the server speaks"),
    server_nonce: Nonce,
    server_proof: Proof.describe("Proves the server knows the token; the client checks it before sending anything else"),
  })
  .describe("The server's answer to auth_begin");

export const AuthProof = z
  .object({
    message_type: z.literal("auth_proof"),
    client_proof: Proof.describe("Proves the client knows the token"),
  })
  .describe("The client's proof, sent only once the server's checked out");

// ---- addon -> server --------------------------------------------------------

export const Hello = z
  .object({
    message_type: z.literal("hello"),
    client_uuid: ClientUuid,
    label: z.string().max(200).describe("Human-friendly name shown to users, e.g. the blend file's name"),
    client_type: z.string().max(64).describe("Kind of peer: blender for the addon in Blender's UI, worker for a headless Blender (blender -b), fake for the test double"),
    blender_version: z.string().max(64).describe("Blender's version string, e.g. 4.2.1"),
    blend_file: z.string().max(4096).describe("Path of the open .blend file; empty when unsaved"),
    addon_version: z.string().max(64),
    protocol_version: z.number().int().describe("The PROTOCOL_VERSION the addon speaks"),
    commands: z.array(CommandName).describe("Commands the addon offers, gated or not"),
    gated: z.array(z.string()).describe("Gates that are switched off in the addon preferences (execute_code, job_dispatch, ...)"),
  })
  .describe("First message from the addon after the WebSocket opens");

export const JobUpdate = z
  .object({
    message_type: z.literal("job_update"),
    job_id: JobId,
    status: z.enum(["running", "completed", "failed"]).describe("running may repeat (progress); completed or failed ends the job"),
    result: z.unknown().describe("The handler's return value on completed; partial output or null otherwise"),
    error: z.string().describe("Why the job failed; empty unless status is failed"),
    progress: Progress.optional(),
  })
  .describe("Progress or outcome of a dispatched job");

// ---- server -> addon --------------------------------------------------------

export const Welcome = z
  .object({
    message_type: z.literal("welcome"),
    server_version: z.string(),
    protocol_version: z.number().int(),
    client_uuid: ClientUuid.describe("The uuid the server registered this connection under"),
    heartbeat_seconds: z.number().describe("The server pings this often and drops a peer that misses two"),
  })
  .describe("The server accepted the hello");

export const REFUSAL_CODES = ["incompatible_protocol", "invalid_hello", "unauthorized", "limit_reached", "auth_timeout"] as const;

export const Refused = z
  .object({
    message_type: z.literal("refused"),
    code: z.enum(REFUSAL_CODES),
    reason: z.string().describe("Why, in words a user can act on"),
    protocol_version: z.number().int().describe("The PROTOCOL_VERSION the server speaks"),
  })
  .describe("The server refused the hello; it closes the socket after sending this");

export const CommandDispatch = z
  .object({
    message_type: z.literal("command_dispatch"),
    job_id: JobId,
    command: CommandName,
    params: z.record(z.string(), z.unknown()).describe("Keyword arguments for the command handler"),
    priority: Priority,
  })
  .describe("Run a named addon command");

export const JobDispatch = z
  .object({
    message_type: z.literal("job_dispatch"),
    job_id: JobId,
    script: z.string().min(1).describe("Python source, run with exec(compile(script, '<job_id>', 'exec'))"),
    description: z.string().optional().describe("What the script does, for the addon's job list"),
    priority: Priority,
  })
  .describe("Run a Python script as one job");

/** Why the server sends a cancel; the addon treats a job meant to outlive its timeout by this, not by the reason's words. */
export const CANCEL_KINDS = ["timeout", "requested"] as const;
export type CancelKind = (typeof CANCEL_KINDS)[number];

export const Cancel = z
  .object({
    message_type: z.literal("cancel"),
    job_id: JobId,
    reason: z.string().describe("Why the job was cancelled, for people: logs, the job's error"),
    kind: z
      .enum(CANCEL_KINDS)
      .optional()
      .describe("timeout: the caller stopped waiting, and a job meant to outlive its timeout goes on; requested (or absent): someone wants the job ended"),
  })
  .describe("Drop a job that has not started; a job already running finishes");

// ---- both ways --------------------------------------------------------------

export const Ping = z
  .object({
    message_type: z.literal("ping"),
    nonce: z.string().max(128).describe("Echoed in the pong"),
  })
  .describe("Application-level round trip; answered by the peer's socket thread, not its main thread");

export const Pong = z
  .object({
    message_type: z.literal("pong"),
    nonce: z.string().max(128),
  })
  .describe("Answer to a ping");

export const PROTOCOL_ERROR_CODES = [
  "invalid_json",
  "invalid_message",
  "unknown_message_type",
  "unexpected_message",
  "message_too_large",
  "unknown_job",
  "duplicate_job",
  "not_job_target",
] as const;

export const ProtocolError = z
  .object({
    message_type: z.literal("protocol_error"),
    code: z.enum(PROTOCOL_ERROR_CODES),
    message: z.string().describe("What was wrong with the offending message"),
    job_id: z.string().nullable().describe("The job the offending message named, when it could be read"),
  })
  .describe("A message could not be accepted; the connection stays open");

// ---- unions -----------------------------------------------------------------

/** Every message type, keyed by its discriminator; generation walks this. */
export const MESSAGES = {
  auth_begin: AuthBegin,
  auth_challenge: AuthChallenge,
  auth_proof: AuthProof,
  hello: Hello,
  welcome: Welcome,
  refused: Refused,
  command_dispatch: CommandDispatch,
  job_dispatch: JobDispatch,
  job_update: JobUpdate,
  cancel: Cancel,
  ping: Ping,
  pong: Pong,
  protocol_error: ProtocolError,
} as const;
export type MessageType = keyof typeof MESSAGES;

export const AddonMessage = z.discriminatedUnion("message_type", [AuthBegin, AuthProof, Hello, JobUpdate, Ping, Pong, ProtocolError]);
export const ServerMessage = z.discriminatedUnion("message_type", [
  AuthChallenge,
  Welcome,
  Refused,
  CommandDispatch,
  JobDispatch,
  Cancel,
  Ping,
  Pong,
  ProtocolError,
]);

export type AuthBegin = z.infer<typeof AuthBegin>;
export type AuthChallenge = z.infer<typeof AuthChallenge>;
export type AuthProof = z.infer<typeof AuthProof>;
export type Hello = z.infer<typeof Hello>;
export type Welcome = z.infer<typeof Welcome>;
export type Refused = z.infer<typeof Refused>;
export type CommandDispatch = z.infer<typeof CommandDispatch>;
export type JobDispatch = z.infer<typeof JobDispatch>;
export type JobUpdate = z.infer<typeof JobUpdate>;
export type Cancel = z.infer<typeof Cancel>;
export type Ping = z.infer<typeof Ping>;
export type Pong = z.infer<typeof Pong>;
export type ProtocolError = z.infer<typeof ProtocolError>;
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];
export type AddonMessage = z.infer<typeof AddonMessage>;
export type ServerMessage = z.infer<typeof ServerMessage>;
