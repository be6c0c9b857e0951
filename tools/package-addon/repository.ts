/**
 * The extension repository's index.json for the extension zip, in the form
 * `blender -c extension server-generate` writes (version v1: the manifest's
 * fields, then archive_url, archive_size and archive_hash). The server
 * serves it with the zip at /extensions/, so Blender 4.2+ installs and
 * updates the add-on from the server it talks to.
 */
import { createHash } from "node:crypto";
import { MANIFEST } from "./manifest.js";

export const REPOSITORY_INDEX = "extensions-index.json";

export function repositoryIndex(zipName: string, zip: Buffer): string {
  const entry = {
    ...MANIFEST,
    archive_url: `./${zipName}`,
    archive_size: zip.length,
    archive_hash: `sha256:${createHash("sha256").update(zip).digest("hex")}`,
  };
  return `${JSON.stringify({ version: "v1", blocklist: [], data: [entry] }, null, 2)}\n`;
}
