import { crc32, deflateSync, inflateSync } from "node:zlib";

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** An RGB gradient PNG of the given size: never blank, so tests can tell a real image from an empty one. */
export function gradientPng(width: number, height: number): Buffer {
  return rgbPng(width, height, (x, y) => [
    Math.floor((255 * x) / Math.max(1, width - 1)),
    Math.floor((255 * y) / Math.max(1, height - 1)),
    128,
  ]);
}

/** An 8-bit RGB PNG with each pixel's colour from `pixel`. */
export function rgbPng(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const row = 1 + width * 3;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * row + 1 + x * 3;
      [raw[i], raw[i + 1], raw[i + 2]] = pixel(x, y);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(2, 9); // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Width and height from a PNG's IHDR, or null when the bytes are not a PNG. */
export function pngSize(png: Buffer): { width: number; height: number } | null {
  if (png.length < 24 || png.readUInt32BE(0) !== 0x89504e47 || png.toString("ascii", 12, 16) !== "IHDR") return null;
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The pixels of an 8-bit RGB or RGBA PNG, top row first. */
export function decodePng(png: Buffer): { width: number; height: number; channels: number; pixels: Buffer } {
  const size = pngSize(png);
  if (!size) throw new Error("not a PNG");
  const colourType = png.readUInt8(25);
  if (png.readUInt8(24) !== 8 || (colourType !== 2 && colourType !== 6)) throw new Error("only 8-bit RGB(A) PNGs");
  const channels = colourType === 6 ? 4 : 3;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString("ascii", at + 4, at + 8) === "IDAT") idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = size.width * channels;
  const pixels = Buffer.alloc(stride * size.height);
  let previous = Buffer.alloc(stride);
  for (let y = 0; y < size.height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    raw.copy(row, 0, y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? row[i - channels]! : 0;
      const up = previous[i]!;
      const upLeft = i >= channels ? previous[i - channels]! : 0;
      const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter] ?? 0;
      row[i] = (row[i]! + predictor) & 0xff;
    }
    previous = row;
  }
  return { ...size, channels, pixels };
}

/**
 * How many distinct colours an 8-bit RGB or RGBA PNG holds (up to `cap`):
 * enough to tell a rendered viewport from a blank or single-colour image.
 */
export function distinctColours(png: Buffer, cap = 64): number {
  const { width, height, channels, pixels } = decodePng(png);
  const colours = new Set<string>();
  for (let i = 0; i < width * height && colours.size < cap; i++) {
    colours.add(pixels.subarray(i * channels, i * channels + 3).toString("hex"));
  }
  return colours.size;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
