"""PNG encoding in pure Python (zlib + struct): Blender's Python has no PIL,
and writing through bpy images would add a data block to the user's file."""
import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(width: int, height: int, pixels: bytes, channels: int = 3, bottom_up: bool = False) -> bytes:
    """8-bit RGB (3 channels) or RGBA (4) rows; bottom_up for OpenGL's row order."""
    if channels not in (3, 4):
        raise ValueError("channels must be 3 or 4")
    stride = width * channels
    if len(pixels) != stride * height:
        raise ValueError("expected %d bytes of pixels, got %d" % (stride * height, len(pixels)))
    rows = range(height - 1, -1, -1) if bottom_up else range(height)
    raw = b"".join(b"\x00" + pixels[y * stride:(y + 1) * stride] for y in rows)
    header = struct.pack("!IIBBBBB", width, height, 8, 2 if channels == 3 else 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b"")


def decode_png_size(data: bytes):
    """(width, height) from a PNG's header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return struct.unpack("!II", data[16:24])


def fit_size(width: int, height: int, max_size: int):
    """Scale so the longest side is max_size, keeping the aspect ratio."""
    if width <= 0 or height <= 0:
        raise ValueError("empty area")
    scale = max_size / float(max(width, height))
    return max(1, int(round(width * scale))), max(1, int(round(height * scale)))
