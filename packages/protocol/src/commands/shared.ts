import { z } from "zod";

export const Vector3 = z.array(z.number()).length(3).describe("x, y, z");

/** Pagination shared by every listing command, so an LLM learns it once. */
export const Page = {
  offset: z.number().int().min(0).max(1e9).default(0),
  limit: z.number().int().min(1).max(1000).default(100),
};

export const PageResult = {
  offset: z.number().int().describe("Index of the first item returned"),
  total: z.number().int().describe("How many items exist in all"),
  next_offset: z
    .number()
    .int()
    .nullable()
    .describe("Offset of the next page, or null when this page is the last"),
};
