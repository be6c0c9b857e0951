/**
 * The command registry. A new command is one file here, one entry in
 * COMMAND_LIST, and one handler file in the addon; the MCP tool, the JSON
 * Schemas and the Python dataclasses follow from it.
 */
import type { CommandDef } from "./define.js";
import { executeCode } from "./code.js";
import { browseData, getObjectInfo, getSceneInfo } from "./scene.js";
import { getViewportScreenshot } from "./viewport.js";
import { exportFile, importFile, openFile, saveFile } from "./files.js";
import { getUndoHistory, redo, undo } from "./undo.js";
import { downloadPolyhavenAsset, getPolyhavenCategories, getPolyhavenStatus, searchPolyhavenAssets, setTexture } from "./polyhaven.js";
import { downloadSketchfabModel, getSketchfabModelPreview, getSketchfabStatus, searchSketchfabModels } from "./sketchfab.js";
import { generateHyper3dModel, getHyper3dStatus, importHyper3dModel, pollHyper3dJob } from "./hyper3d.js";

export const COMMAND_LIST = [
  getSceneInfo,
  getObjectInfo,
  browseData,
  executeCode,
  getViewportScreenshot,
  getPolyhavenStatus,
  getPolyhavenCategories,
  searchPolyhavenAssets,
  downloadPolyhavenAsset,
  setTexture,
  getSketchfabStatus,
  searchSketchfabModels,
  getSketchfabModelPreview,
  downloadSketchfabModel,
  getHyper3dStatus,
  generateHyper3dModel,
  pollHyper3dJob,
  importHyper3dModel,
  saveFile,
  openFile,
  importFile,
  exportFile,
  undo,
  redo,
  getUndoHistory,
] as const;

export type AnyCommand = (typeof COMMAND_LIST)[number];
export type CommandName = AnyCommand["name"];

export const COMMANDS: ReadonlyMap<string, CommandDef> = new Map(
  COMMAND_LIST.map((c) => [c.name, c as unknown as CommandDef]),
);

export { executeCode, browseData, getObjectInfo, getSceneInfo, getViewportScreenshot };
export { downloadPolyhavenAsset, getPolyhavenCategories, getPolyhavenStatus, searchPolyhavenAssets, setTexture };
export { downloadSketchfabModel, getSketchfabModelPreview, getSketchfabStatus, searchSketchfabModels };
export { generateHyper3dModel, getHyper3dStatus, importHyper3dModel, pollHyper3dJob };
export { exportFile, importFile, openFile, saveFile, getUndoHistory, redo, undo };
