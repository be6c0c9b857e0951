"""Several square RGB images composed into one labelled grid, in pure Python:
Blender's Python has no PIL. Pixels are 8-bit RGB rows, top row first."""
from typing import Dict, List, NamedTuple, Sequence, Tuple

GAP = 2
BACKGROUND = (24, 24, 24)
LABEL_INK = (255, 255, 255)
LABEL_PAPER = (0, 0, 0)

# 5x7 glyphs, one 5-bit row each, top row first.
_GLYPH_ROWS = {
    "A": "01110 10001 10001 11111 10001 10001 10001",
    "B": "11110 10001 10001 11110 10001 10001 11110",
    "C": "01110 10001 10000 10000 10000 10001 01110",
    "D": "11110 10001 10001 10001 10001 10001 11110",
    "E": "11111 10000 10000 11110 10000 10000 11111",
    "F": "11111 10000 10000 11110 10000 10000 10000",
    "G": "01110 10001 10000 10111 10001 10001 01111",
    "H": "10001 10001 10001 11111 10001 10001 10001",
    "I": "01110 00100 00100 00100 00100 00100 01110",
    "J": "00111 00010 00010 00010 00010 10010 01100",
    "K": "10001 10010 10100 11000 10100 10010 10001",
    "L": "10000 10000 10000 10000 10000 10000 11111",
    "M": "10001 11011 10101 10101 10001 10001 10001",
    "N": "10001 10001 11001 10101 10011 10001 10001",
    "O": "01110 10001 10001 10001 10001 10001 01110",
    "P": "11110 10001 10001 11110 10000 10000 10000",
    "Q": "01110 10001 10001 10001 10101 10010 01101",
    "R": "11110 10001 10001 11110 10100 10010 10001",
    "S": "01111 10000 10000 01110 00001 00001 11110",
    "T": "11111 00100 00100 00100 00100 00100 00100",
    "U": "10001 10001 10001 10001 10001 10001 01110",
    "V": "10001 10001 10001 10001 10001 01010 00100",
    "W": "10001 10001 10001 10101 10101 10101 01010",
    "X": "10001 10001 01010 00100 01010 10001 10001",
    "Y": "10001 10001 10001 01010 00100 00100 00100",
    "Z": "11111 00001 00010 00100 01000 10000 11111",
    "0": "01110 10001 10011 10101 11001 10001 01110",
    "1": "00100 01100 00100 00100 00100 00100 01110",
    "2": "01110 10001 00001 00010 00100 01000 11111",
    "3": "11111 00010 00100 00010 00001 10001 01110",
    "4": "00010 00110 01010 10010 11111 00010 00010",
    "5": "11111 10000 11110 00001 00001 10001 01110",
    "6": "00110 01000 10000 11110 10001 10001 01110",
    "7": "11111 00001 00010 00100 01000 01000 01000",
    "8": "01110 10001 10001 01110 10001 10001 01110",
    "9": "01110 10001 10001 01111 00001 00010 01100",
    "-": "00000 00000 00000 11111 00000 00000 00000",
    "_": "00000 00000 00000 00000 00000 00000 11111",
    ".": "00000 00000 00000 00000 00000 01100 01100",
    " ": "00000 00000 00000 00000 00000 00000 00000",
    "?": "01110 10001 00001 00010 00100 00000 00100",
}
GLYPHS: Dict[str, List[str]] = {c: rows.split() for c, rows in _GLYPH_ROWS.items()}
GLYPH_W, GLYPH_H = 5, 7


class Layout(NamedTuple):
    columns: int
    rows: int
    cell: int
    width: int
    height: int

    def origin(self, index: int) -> Tuple[int, int]:
        """Top-left pixel of cell `index`, row by row."""
        row, column = divmod(index, self.columns)
        return column * (self.cell + GAP), row * (self.cell + GAP)


def layout(count: int, cell: int, max_side: int = 1536) -> Layout:
    """A near-square grid for `count` cells, with the cell shrunk so that
    neither side of the image exceeds max_side."""
    if count < 1:
        raise ValueError("at least one cell")
    columns = 1
    while columns * columns < count:
        columns += 1
    rows = -(-count // columns)
    longest = max(columns, rows)
    cell = max(1, min(cell, (max_side - GAP * (longest - 1)) // longest))
    return Layout(columns, rows, cell, columns * cell + GAP * (columns - 1), rows * cell + GAP * (rows - 1))


def flip_rows(pixels: bytes, width: int, height: int, channels: int = 3) -> bytes:
    """Bottom-up rows (OpenGL's order) to top-down, or back."""
    stride = width * channels
    return b"".join(pixels[y * stride:(y + 1) * stride] for y in range(height - 1, -1, -1))


def draw_label(canvas: bytearray, width: int, x: int, y: int, text: str, scale: int = 1) -> None:
    """Text in 5x7 capitals, ink on a paper box, with its top-left corner at (x, y)."""
    text = text.upper()
    pad = scale
    advance = (GLYPH_W + 1) * scale
    box_w = len(text) * advance - scale + 2 * pad
    box_h = GLYPH_H * scale + 2 * pad
    height = len(canvas) // (width * 3)
    paper = bytes(LABEL_PAPER)
    ink = bytes(LABEL_INK)
    for row in range(y, min(height, y + box_h)):
        start, end = (row * width + x) * 3, (row * width + min(width, x + box_w)) * 3
        canvas[start:end] = paper * ((end - start) // 3)
    for i, char in enumerate(text):
        glyph = GLYPHS.get(char, GLYPHS["?"])
        left = x + pad + i * advance
        for gy, bits in enumerate(glyph):
            for gx, bit in enumerate(bits):
                if bit != "1":
                    continue
                for dy in range(scale):
                    py = y + pad + gy * scale + dy
                    px = left + gx * scale
                    if py >= height or px + scale > width:
                        continue
                    at = (py * width + px) * 3
                    canvas[at:at + 3 * scale] = ink * scale


def compose(cells: Sequence[bytes], grid: Layout, labels: Sequence[str] = ()) -> bytes:
    """The cells (each grid.cell square, top-down RGB) placed row by row on a
    dark background, each with its label in its top-left corner."""
    if len(cells) > grid.columns * grid.rows:
        raise ValueError("%d cells do not fit a %dx%d grid" % (len(cells), grid.columns, grid.rows))
    stride = grid.cell * 3
    canvas = bytearray(bytes(BACKGROUND) * (grid.width * grid.height))
    for index, pixels in enumerate(cells):
        if len(pixels) != stride * grid.cell:
            raise ValueError("cell %d has %d bytes, expected %d" % (index, len(pixels), stride * grid.cell))
        x0, y0 = grid.origin(index)
        for y in range(grid.cell):
            at = ((y0 + y) * grid.width + x0) * 3
            canvas[at:at + stride] = pixels[y * stride:(y + 1) * stride]
    scale = max(1, grid.cell // 160)
    for index, text in enumerate(labels[:len(cells)]):
        x0, y0 = grid.origin(index)
        draw_label(canvas, grid.width, x0 + scale * 2, y0 + scale * 2, text, scale)
    return bytes(canvas)
