/**
 * Result fields that carry an image: a dispatch tool returns each as MCP
 * image content of its own rather than inside the JSON. A command names its
 * image fields in omitFromToolResult, which accepts only these.
 */
import { z } from "zod";

export const IMAGE_FIELDS = {
  png_base64: "image/png",
  /** Provider thumbnails come as JPEG or PNG: the first base64 characters tell which. */
  thumbnail_base64: "sniff",
} as const;

export const ImageField = z.enum(Object.keys(IMAGE_FIELDS) as [keyof typeof IMAGE_FIELDS]).describe("A result field that holds a base64 image");
export type ImageField = z.infer<typeof ImageField>;

/** The MIME type of a base64 image held in the given field. */
export function imageMimeType(field: ImageField, base64: string): "image/png" | "image/jpeg" {
  const declared = IMAGE_FIELDS[field];
  if (declared !== "sniff") return declared;
  return base64.startsWith("/9j/") ? "image/jpeg" : "image/png";
}
