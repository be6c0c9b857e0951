/**
 * The frames a dead worker finished, for the contact sheet: its chunk's
 * sheet (from the attempt that rendered the rest) lacks them, so they go in
 * as a strip of thumbnails above it. Frames the PNG reader cannot read
 * (another format, 16-bit) are left out rather than failing the render.
 */
import { decodePng, type Image } from "./png.js";

/** The frames' PNGs side by side, each scaled to fit `width` together; null when none could be read. */
export function salvagedStrip(pngs: Buffer[], width: number): Image | null {
  const images = pngs.flatMap((png) => {
    try {
      return [decodePng(png)];
    } catch {
      return [];
    }
  });
  if (images.length === 0) return null;
  const thumbW = Math.max(1, Math.min(images[0]!.width, Math.floor(width / images.length)));
  const thumbH = Math.max(1, Math.round((images[0]!.height * thumbW) / images[0]!.width));
  const strip = { width: thumbW * images.length, height: thumbH, rgb: Buffer.alloc(thumbW * images.length * thumbH * 3) };
  images.forEach((image, i) => {
    // Nearest pixel: a thumbnail, not a resample.
    for (let y = 0; y < thumbH; y++) {
      const sy = Math.min(image.height - 1, Math.floor((y * image.height) / thumbH));
      for (let x = 0; x < thumbW; x++) {
        const sx = Math.min(image.width - 1, Math.floor((x * image.width) / thumbW));
        image.rgb.copy(strip.rgb, (y * strip.width + i * thumbW + x) * 3, (sy * image.width + sx) * 3, (sy * image.width + sx) * 3 + 3);
      }
    }
  });
  return strip;
}
