import { COMMAND_LIST, PROTOCOL_VERSION, type Hello } from "@blender-mcp/protocol";

/** A hello from a stand-in Blender that offers every command. */
export const hello = (uuid: string): Hello => ({
  message_type: "hello",
  client_uuid: uuid,
  label: uuid,
  client_type: "test",
  blender_version: "4.2.0",
  blend_file: "",
  addon_version: "0.1.0",
  protocol_version: PROTOCOL_VERSION,
  commands: COMMAND_LIST.map((c) => c.name),
  gated: [],
});
