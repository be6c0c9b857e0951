/**
 * The command registry. A new command is one file here, one entry in
 * COMMAND_LIST, and one handler file in the addon; the MCP tool, the JSON
 * Schemas and the Python dataclasses follow from it.
 */
import type { CommandDef } from "./define.js";
import { executeCode } from "./code.js";
import { browseData, getObjectInfo, getSceneInfo } from "./scene.js";
import { getViewportScreenshot } from "./viewport.js";

export const COMMAND_LIST = [getSceneInfo, getObjectInfo, browseData, executeCode, getViewportScreenshot] as const;

export type AnyCommand = (typeof COMMAND_LIST)[number];
export type CommandName = AnyCommand["name"];

export const COMMANDS: ReadonlyMap<string, CommandDef> = new Map(
  COMMAND_LIST.map((c) => [c.name, c as unknown as CommandDef]),
);

export { executeCode, browseData, getObjectInfo, getSceneInfo, getViewportScreenshot };
