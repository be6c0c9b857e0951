import { z } from "zod";

/** Identifiers travel in logs, filenames and tracebacks: keep them printable and short. */
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export const JobId = z.string().regex(ID_PATTERN).describe("Job identifier, unique per user; 1-128 of A-Z a-z 0-9 . _ : -");
export const ClientUuid = z
  .string()
  .regex(ID_PATTERN)
  .describe("Blender client identifier, sticky across reconnects of one Blender process");
export const CommandName = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/).describe("Name of an addon command");
