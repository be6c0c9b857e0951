import { z } from "zod";
import { defineCommand, READ_ONLY } from "./define.js";
import { Page, PageResult } from "./shared.js";

const Steps = z.number().int().min(1).max(100).default(1);

const Moved = z.object({
  moved: z.number().int().describe("Steps actually taken; fewer when the history ends"),
  current: z.string().describe("Name of the step now active"),
});

/** Destructive: undo takes changes out of the scene, and redo puts back what a later step may have replaced. */
const MOVES = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false };

/** undo and redo: a move in the history, which must not push a step of its own (redo would be lost). */
function historyMove<Name extends string>(name: Name, title: string, description: string, current: string) {
  return {
    name,
    params: z.strictObject({ steps: Steps }),
    result: Moved,
    gate: null,
    toolset: "undo" as const,
    undoStep: false,
    timeout: { defaultSeconds: 30, maxSeconds: 120 },
    example: { params: { steps: 1 }, result: { moved: 1, current } },
    tool: { name: `blender_${name}` as const, title, description, annotations: MOVES },
  };
}

// Each command is a `defineCommand` export: that is how the generated registry finds it.
export const undo = defineCommand(
  historyMove(
    "undo",
    "Undo",
    "Undo steps, as Ctrl+Z does; each scene-changing job is one step.",
    "Original",
  ),
);

export const redo = defineCommand(
  historyMove("redo", "Redo", "Redo steps undone before, as Ctrl+Shift+Z does.", "MCP: execute_code j-1"),
);

export const getUndoHistory = defineCommand({
  name: "get_undo_history",
  params: z.strictObject({ ...Page }),
  result: z.object({
    available: z.boolean().describe("False when this Blender has no undo (background mode)"),
    steps: z.array(z.object({ index: z.number().int(), name: z.string(), active: z.boolean() })).describe("Oldest first"),
    current: z.number().int().nullable().describe("Index of the active step"),
    ...PageResult,
  }),
  gate: null,
  toolset: "undo",
  timeout: { defaultSeconds: 15, maxSeconds: 60 },
  example: {
    params: {},
    result: {
      available: true,
      steps: [
        { index: 0, name: "Original", active: false },
        { index: 1, name: "MCP: execute_code j-1", active: true },
      ],
      current: 1,
      offset: 0,
      total: 2,
      next_offset: null,
    },
  },
  tool: {
    name: "blender_get_undo_history",
    title: "Undo history",
    description: "List Blender's undo steps, oldest first, with the active one marked.",
    annotations: READ_ONLY,
  },
});
