import type { z } from "zod";
import type { ImageField } from "../images.js";

/**
 * Preferences in the addon that can switch work off. A gated-off command
 * fails with a reason that names its gate; blender_list_clients shows them.
 */
export const GATES = ["execute_code", "job_dispatch", "polyhaven", "sketchfab", "hyper3d"] as const;
export type Gate = (typeof GATES)[number];

/** Gates of the asset integrations: off in a fresh addon until the user turns them on. */
export const INTEGRATION_GATES = ["polyhaven", "sketchfab", "hyper3d"] as const satisfies readonly Gate[];

/**
 * Groups of tools a server advertises (`--toolsets`). Every tool's schema
 * costs its tokens in every conversation, so the default is a small core and
 * the rest is opted into. "jobs" (clients and job status) is always on.
 */
export const TOOLSETS = [
  "jobs",
  "scene",
  "code",
  "view",
  "render",
  "files",
  "undo",
  "api",
  "polyhaven",
  "sketchfab",
  "hyper3d",
  "bus",
] as const;
export type Toolset = (typeof TOOLSETS)[number];

/** What a server advertises when nobody says otherwise; `core` names this set. */
export const CORE_TOOLSETS = ["jobs", "scene", "code", "view", "render", "files", "undo"] as const satisfies readonly Toolset[];

/**
 * The toolsets a `--toolsets` value selects: names from TOOLSETS, `core` for
 * the default set, `all` for every one; "jobs" is always in. Unknown names
 * throw, listing the known ones.
 */
export function resolveToolsets(spec: string | readonly string[] = "core"): ReadonlySet<Toolset> {
  const names = (typeof spec === "string" ? spec.split(",") : spec).map((s) => s.trim()).filter((s) => s !== "");
  const chosen = new Set<Toolset>(["jobs"]);
  for (const name of names.length > 0 ? names : ["core"]) {
    if (name === "all") TOOLSETS.forEach((t) => chosen.add(t));
    else if (name === "core") CORE_TOOLSETS.forEach((t) => chosen.add(t));
    else if ((TOOLSETS as readonly string[]).includes(name)) chosen.add(name as Toolset);
    else throw new Error(`unknown toolset ${JSON.stringify(name)}: use core, all or any of ${TOOLSETS.join(", ")}`);
  }
  return chosen;
}

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
   * Image fields of the addon's result that the tool does not return as
   * structured data: each becomes MCP image content of its own (images.ts).
   */
  omitFromToolResult?: readonly (keyof z.infer<Result> & ImageField)[];
  gate: Gate | null;
  /** Which `--toolsets` group advertises its tool. */
  toolset: Toolset;
  /**
   * Whether a job of this command becomes one named step in Blender's undo
   * history (and is rolled back when it fails). Default: when the tool is not read-only.
   */
  undoStep?: boolean;
  timeout: Timeout;
  /**
   * Work that can outlast a client's patience (scripts, downloads, renders): a
   * client that declares the MCP tasks extension gets a task for its tool call
   * instead of a held-open request.
   */
  runsLong?: true;
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
