/**
 * Answers to MCP's completion/complete, as pure functions: the server passes
 * what it knows (the caller's connected Blenders, its job ids) and gets the
 * values to offer, already capped as the spec requires.
 */
import { ASSET_SOURCES, PROMPTS, RENDER_ENGINES, type CompletionSource } from "./prompts.js";

/** MCP: a completion answer holds at most 100 values. */
export const MAX_COMPLETION_VALUES = 100;

/** MCP's CompleteResult.completion. */
export interface Completion {
  values: string[];
  /** How many matched, which may exceed the values sent. */
  total: number;
  hasMore: boolean;
}

/** A connected Blender, as the caller's bus lists it. */
export interface ClientChoice {
  uuid: string;
  label: string;
}

/** What the server knows about the caller when it completes. */
export interface CompletionContext {
  clients: readonly ClientChoice[];
  /** The caller's recent job ids, newest first, for a `{job_id}` template argument. */
  jobIds?: readonly string[];
}

const NONE: Completion = { values: [], total: 0, hasMore: false };

function capped(values: readonly string[]): Completion {
  return { values: values.slice(0, MAX_COMPLETION_VALUES), total: values.length, hasMore: values.length > MAX_COMPLETION_VALUES };
}

/**
 * The candidates that match what was typed, ignoring case: those that start
 * with it first, then those that contain it, each in the given order.
 */
function matching<T>(candidates: readonly T[], typed: string, keys: (c: T) => readonly string[]): T[] {
  const needle = typed.toLowerCase();
  const starts: T[] = [];
  const contains: T[] = [];
  for (const c of candidates) {
    const hay = keys(c).map((k) => k.toLowerCase());
    if (hay.some((k) => k.startsWith(needle))) starts.push(c);
    else if (hay.some((k) => k.includes(needle))) contains.push(c);
  }
  return [...starts, ...contains];
}

/** Completes a value from a fixed list. */
export function completeValue(candidates: readonly string[], typed: string): Completion {
  return capped([...new Set(matching(candidates, typed, (c) => [c]))]);
}

/**
 * Completes a client uuid from what was typed: a uuid's start, or words of
 * a Blender's label (so "cha" finds the Blender labelled "chair scene"). The
 * values are uuids, which is what target_uuid and `{uuid}` take.
 */
export function completeClientUuid(clients: readonly ClientChoice[], typed: string): Completion {
  const found = matching(clients, typed, (c) => [c.uuid, c.label]);
  return capped([...new Set(found.map((c) => c.uuid))]);
}

function fromSource(source: CompletionSource, typed: string, context: CompletionContext): Completion {
  switch (source) {
    case "clients":
      return completeClientUuid(context.clients, typed);
    case "engines":
      return completeValue(RENDER_ENGINES, typed);
    case "asset_sources":
      return completeValue(ASSET_SOURCES, typed);
  }
}

/** completion/complete for a ref/prompt: no values for unknown prompts or arguments that take free text. */
export function completePromptArgument(promptName: string, argumentName: string, typed: string, context: CompletionContext): Completion {
  const prompt = PROMPTS.find((p) => p.name === promptName);
  const source = prompt?.completions[argumentName as keyof typeof prompt.completions];
  return source ? fromSource(source, typed, context) : NONE;
}

/**
 * completion/complete for a ref/resource: a `{uuid}` argument of any template
 * completes from the caller's Blenders, a `{job_id}` from its jobs; other
 * arguments, or one the template does not have, get no values.
 */
export function completeResourceArgument(uriTemplate: string, argumentName: string, typed: string, context: CompletionContext): Completion {
  if (!uriTemplate.includes(`{${argumentName}}`)) return NONE;
  if (argumentName === "uuid") return completeClientUuid(context.clients, typed);
  if (argumentName === "job_id") return completeValue(context.jobIds ?? [], typed);
  return NONE;
}
