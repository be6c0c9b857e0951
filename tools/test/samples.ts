/** Valid and invalid samples of every message type, in the output form a producer sends. */
import type { MessageType } from "@blender-mcp/protocol";

type Sample = Record<string, unknown>;

export const VALID: Record<MessageType, Sample[]> = {
  auth_begin: [{ message_type: "auth_begin", protocol_version: 2, key_id: "697f4a595b766c12", client_nonce: "A".repeat(43) }],
  auth_challenge: [{ message_type: "auth_challenge", protocol_version: 2, server_nonce: "B".repeat(43), server_proof: "C".repeat(43) }],
  auth_proof: [{ message_type: "auth_proof", client_proof: "D".repeat(43) }],
  hello: [
    {
      message_type: "hello",
      client_uuid: "blender-4f2a",
      label: "shot_010.blend",
      client_type: "blender",
      blender_version: "4.2.1",
      blend_file: "/home/ana/shot_010.blend",
      addon_version: "0.1.0",
      protocol_version: 1,
      commands: ["get_scene_info", "execute_code"],
      gated: ["job_dispatch"],
    },
  ],
  welcome: [
    { message_type: "welcome", server_version: "0.1.0", protocol_version: 1, client_uuid: "blender-4f2a", heartbeat_seconds: 15 },
  ],
  refused: [
    {
      message_type: "refused",
      code: "incompatible_protocol",
      reason: "addon speaks protocol 2, server speaks 1: update the server",
      protocol_version: 1,
    },
  ],
  command_dispatch: [
    { message_type: "command_dispatch", job_id: "j-7a3f2c1e9b04", command: "get_object_info", params: { name: "Cube" }, priority: "info" },
    { message_type: "command_dispatch", job_id: "j-1", command: "get_scene_info", params: {}, priority: "emergency" },
  ],
  job_dispatch: [
    { message_type: "job_dispatch", job_id: "j-2", script: "import bpy\nprint(1)", priority: "debug" },
    { message_type: "job_dispatch", job_id: "j-3", script: "x = 1", description: "set x", priority: "warning" },
  ],
  job_update: [
    { message_type: "job_update", job_id: "j-2", status: "running", result: null, error: "" },
    {
      message_type: "job_update",
      job_id: "j-2",
      status: "running",
      result: null,
      error: "",
      progress: { progress: 3, total: 10, message: "downloading" },
    },
    { message_type: "job_update", job_id: "j-2", status: "completed", result: { nested: [1, "two", { three: true }] }, error: "" },
    { message_type: "job_update", job_id: "j-2", status: "failed", result: null, error: "Traceback ...\nNameError: x" },
  ],
  cancel: [{ message_type: "cancel", job_id: "j-2", reason: "timeout" }],
  ping: [{ message_type: "ping", nonce: "n1" }],
  pong: [{ message_type: "pong", nonce: "n1" }],
  protocol_error: [
    { message_type: "protocol_error", code: "invalid_message", message: "job_id: expected string", job_id: null },
    { message_type: "protocol_error", code: "unknown_job", message: "no such job", job_id: "j-9" },
  ],
};

/** Each breaks the schema in a way both sides check: a missing field, a wrong type, or a value outside an enum. */
export const INVALID: Record<MessageType, Sample[]> = {
  auth_begin: [{ ...VALID.auth_begin[0], protocol_version: "2" }, { ...VALID.auth_begin[0], key_id: undefined }],
  auth_challenge: [{ ...VALID.auth_challenge[0], server_proof: undefined }],
  auth_proof: [{ ...VALID.auth_proof[0], client_proof: 43 }],
  hello: [
    { ...VALID.hello[0], client_uuid: undefined },
    { ...VALID.hello[0], protocol_version: "1" },
    { ...VALID.hello[0], commands: "get_scene_info" },
  ],
  welcome: [{ ...VALID.welcome[0], heartbeat_seconds: "15" }],
  refused: [{ ...VALID.refused[0], code: "nope" }],
  command_dispatch: [
    { ...VALID.command_dispatch[0], priority: "urgent" },
    { ...VALID.command_dispatch[0], params: [] },
    { ...VALID.command_dispatch[0], job_id: 7 },
  ],
  job_dispatch: [{ ...VALID.job_dispatch[0], script: undefined }, { ...VALID.job_dispatch[0], description: 5 }],
  job_update: [
    { ...VALID.job_update[0], status: "done" },
    { ...VALID.job_update[0], error: null },
    { ...VALID.job_update[1], progress: { total: 3 } },
  ],
  cancel: [{ ...VALID.cancel[0], reason: undefined }],
  ping: [{ message_type: "ping", nonce: 5 }],
  pong: [{ message_type: "pong" }],
  protocol_error: [{ ...VALID.protocol_error[0], code: "bad" }, { ...VALID.protocol_error[0], job_id: 3 }],
};
