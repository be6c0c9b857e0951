import type { z } from "zod";

/**
 * Preferences in the addon that can switch work off. A gated-off command
 * fails with a reason that names its gate; blender_list_clients shows them.
 */
export const GATES = ["execute_code", "job_dispatch", "polyhaven", "sketchfab", "hyper3d"] as const;
export type Gate = (typeof GATES)[number];

/** Gates of the asset integrations: off in a fresh addon until the user turns them on. */
export const INTEGRATION_GATES = ["polyhaven", "sketchfab", "hyper3d"] as const satisfies readonly Gate[];

/** MCP tool annotations; every tool declares all four. */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface Timeout {
  /** What the tool waits when the caller names no timeout. */
  defaultSeconds: number;
  /** The most a caller may ask for. */
  maxSeconds: number;
}

/**
 * One addon command and the flat MCP tool that dispatches it. Adding a
 * command means one of these in the registry plus one addon handler.
 */
export interface CommandDef<
  Name extends string = string,
  Params extends z.ZodObject = z.ZodObject,
  Result extends z.ZodObject = z.ZodObject,
> {
  name: Name;
  /** Keyword arguments of the addon handler; also the tool's input (plus targeting fields). */
  params: Params;
  /** What the addon handler returns, checked on both sides. */
  result: Result;
  /**
   * Fields of the addon's result that the tool does not return as
   * structured data (bulky bytes become MCP content of their own).
   */
  omitFromToolResult?: readonly (keyof z.infer<Result> & string)[];
  gate: Gate | null;
  /**
   * Whether a job of this command becomes one named step in Blender's undo
   * history (and is rolled back when it fails). Default: when the tool is not read-only.
   */
  undoStep?: boolean;
  timeout: Timeout;
  /** A realistic call and answer: documentation, the fake addon's default reply, and a test sample. */
  example: { params: z.input<Params>; result: z.output<Result> };
  tool: {
    name: `blender_${string}`;
    title: string;
    /** Written for an LLM choosing between tools. */
    description: string;
    annotations: ToolAnnotations;
  };
}

export function defineCommand<Name extends string, Params extends z.ZodObject, Result extends z.ZodObject>(
  def: CommandDef<Name, Params, Result>,
): CommandDef<Name, Params, Result> {
  return def;
}

export const READ_ONLY: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
