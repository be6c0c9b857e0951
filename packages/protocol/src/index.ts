export { PRIORITIES, Priority, DEFAULT_PRIORITY, priorityRank } from "./priority.js";
export { JobId, ClientUuid, CommandName } from "./ids.js";
export { CLOSE, MCP_CLOSE, CloseCode, McpCloseCode } from "./close-codes.js";
export { IMAGE_FIELDS, ImageField, imageMimeType } from "./images.js";
export { Progress } from "./progress.js";
export {
  PROTOCOL_VERSION,
  REFUSAL_CODES,
  PROTOCOL_ERROR_CODES,
  MESSAGES,
  AuthBegin,
  AuthChallenge,
  AuthProof,
  Hello,
  Welcome,
  Refused,
  CommandDispatch,
  JobDispatch,
  JobUpdate,
  Cancel,
  CANCEL_KINDS,
  Ping,
  Pong,
  ProtocolError,
  AddonMessage,
  ServerMessage,
} from "./messages.js";
export type { CancelKind, MessageType, ProtocolErrorCode } from "./messages.js";
export { AUTH_HEADER, AUTH_SCHEME, keyFromToken, keyIdOf, newNonce, transcriptProof, proofMatches, ClientAuth, authenticateSocket, impostorMessage, AuthFailure } from "./auth.js";
export type { AuthChannel, AuthSocket } from "./auth.js";
export { ClientSummary, ClientInfo } from "./clients.js";
export { DISPATCH_STATUSES, DispatchStatus, TARGETING_FAILURES, DispatchOutcome, dispatchOutcome } from "./outcome.js";
export type { TargetingFailure } from "./outcome.js";
export { JOB_STATES, JobState, TERMINAL_JOB_STATES, Job, BusEvent, BUS_LOGGER, Health } from "./jobs.js";
export {
  GATES,
  INTEGRATION_GATES,
  TOOLSETS,
  CORE_TOOLSETS,
  resolveToolsets,
  defineCommand,
  READ_ONLY,
} from "./commands/define.js";
export type { CommandDef, Gate, Timeout, ToolAnnotations, Toolset } from "./commands/define.js";
export { FORMATS } from "./commands/files.js";
export { RENDER_EXTENSIONS, RENDER_FORMATS, frameFileName } from "./commands/render.js";
export { MAX_SHIPPED_SCENE_BYTES, TRANSFER_CHUNK_BYTES } from "./commands/transfer.js";
// The registry and every command, as the generated index lists them.
export * from "./commands/index.js";
export {
  TOOLS,
  BUS_TOOLS,
  DISPATCH_TOOLS,
  SendPayload,
  SEND_TIMEOUT,
  GET_JOB_WAIT,
  listClients,
  sendMessage,
  jobUpdate,
  getJob,
  JobLookup,
  jobNotFound,
  dispatchTool,
  toolResultSchema,
  toolsFor,
  toolListing,
  toolJsonSchema,
} from "./tools.js";
export type { ToolDef, ToolListing } from "./tools.js";
export { RESOURCES, RESOURCE_URIS, RESOURCE_TEMPLATES, TEMPLATE_URIS, VIEWER_URI, ResourceUri, clientResourceUri, jobResourceUri } from "./resources.js";
export type { ResourceDef, ResourceTemplateDef, TemplateUri } from "./resources.js";
export {
  PROMPTS,
  PromptError,
  RENDER_ENGINES,
  ASSET_SOURCES,
  buildScene,
  lightAndRender,
  inspectAndFix,
  findAndPlaceAssets,
  definePrompt,
  promptListing,
  promptAvailable,
  renderPrompt,
} from "./prompts.js";
export type { PromptDef, PromptListing, PromptArgument, PromptMessage, CompletionSource } from "./prompts.js";
export {
  MAX_COMPLETION_VALUES,
  completeValue,
  completeClientUuid,
  completePromptArgument,
  completeResourceArgument,
} from "./completions.js";
export type { Completion, ClientChoice, CompletionContext } from "./completions.js";
export {
  BACKPLANE_MESSAGES,
  Routed,
  RoutedUpdate,
  RegistryEntry,
  RegistryEvent,
  RemoteEvent,
  UnfinishedMember,
  PageSessionRecord,
  readBackplane,
} from "./backplane.js";
export type { BackplaneMessageName } from "./backplane.js";
export { PACKAGE_VERSION } from "./version.js";
