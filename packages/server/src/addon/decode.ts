import { AddonMessage, MESSAGES, type ProtocolError, type ProtocolErrorCode } from "@blender-mcp/protocol";
import type { z } from "zod";

export type Decoded = { ok: true; message: AddonMessage } | { ok: false; error: ProtocolError };

function protocolError(code: ProtocolErrorCode, message: string, jobId: unknown): ProtocolError {
  return { message_type: "protocol_error", code, message, job_id: typeof jobId === "string" ? jobId.slice(0, 128) : null };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".") || "(message)"}: ${i.message}`)
    .join("; ");
}

/** A frame from an addon, parsed and validated; anything off contract becomes a typed protocol error. */
export function decodeAddonFrame(text: string): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: protocolError("invalid_json", `frame is not JSON: ${(e as Error).message}`, null) };
  }
  const record = typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const type = record.message_type;
  const parsed = AddonMessage.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  if (typeof type !== "string" || !(type in MESSAGES)) {
    return { ok: false, error: protocolError("unknown_message_type", `unknown message_type ${JSON.stringify(type) ?? "(none)"}`, record.job_id) };
  }
  const known = AddonMessage.options.some((o) => o.shape.message_type.value === type);
  if (!known) {
    return { ok: false, error: protocolError("unexpected_message", `${type} is sent by the server, not by an addon`, record.job_id) };
  }
  return { ok: false, error: protocolError("invalid_message", `invalid ${type}: ${describeIssues(parsed.error)}`, record.job_id) };
}
