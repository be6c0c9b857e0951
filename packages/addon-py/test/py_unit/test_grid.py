import unittest

from blender_mcp_bus.core.grid import BACKGROUND, GAP, GLYPHS, LABEL_INK, LABEL_PAPER, compose, draw_label, flip_rows, layout
from blender_mcp_bus.core.png import decode_png_size, encode_png


def solid(size, colour):
    return bytes(colour) * (size * size)


def pixel(canvas, width, x, y):
    at = (y * width + x) * 3
    return tuple(canvas[at:at + 3])


class LayoutTest(unittest.TestCase):
    def test_near_square_grids(self):
        self.assertEqual(layout(1, 384)[:3], (1, 1, 384))
        self.assertEqual(layout(3, 384)[:3], (2, 2, 384))
        self.assertEqual(layout(4, 384)[:3], (2, 2, 384))
        self.assertEqual(layout(5, 384)[:3], (3, 2, 384))
        self.assertEqual(layout(9, 100)[:3], (3, 3, 100))

    def test_size_includes_gaps(self):
        grid = layout(2, 64)
        self.assertEqual((grid.width, grid.height), (128 + GAP, 64))
        self.assertEqual(grid.origin(1), (64 + GAP, 0))

    def test_cells_shrink_to_keep_the_image_within_max_side(self):
        grid = layout(9, 768)
        self.assertLessEqual(max(grid.width, grid.height), 1536)
        self.assertEqual(grid.cell, (1536 - 2 * GAP) // 3)
        self.assertLessEqual(layout(2, 768, max_side=1024).width, 1024)

    def test_no_cells_is_an_error(self):
        with self.assertRaises(ValueError):
            layout(0, 64)


class ComposeTest(unittest.TestCase):
    def test_cells_land_where_the_layout_says(self):
        grid = layout(3, 8)
        canvas = compose([solid(8, (255, 0, 0)), solid(8, (0, 255, 0)), solid(8, (0, 0, 255))], grid)
        self.assertEqual(len(canvas), grid.width * grid.height * 3)
        self.assertEqual(pixel(canvas, grid.width, 7, 7), (255, 0, 0))
        x, y = grid.origin(1)
        self.assertEqual(pixel(canvas, grid.width, x, y), (0, 255, 0))
        x, y = grid.origin(2)
        self.assertEqual(pixel(canvas, grid.width, x + 7, y + 7), (0, 0, 255))
        self.assertEqual(pixel(canvas, grid.width, 8, 0), BACKGROUND, "the gap")
        x, y = grid.origin(3)
        self.assertEqual(pixel(canvas, grid.width, x + 4, y + 4), BACKGROUND, "the unused fourth cell")
        png = encode_png(grid.width, grid.height, canvas)
        self.assertEqual(decode_png_size(png), (grid.width, grid.height))

    def test_labels_are_drawn_in_each_cell_corner(self):
        grid = layout(2, 64)
        canvas = compose([solid(64, (100, 100, 100))] * 2, grid, ["top", "i"])
        self.assertEqual(pixel(canvas, grid.width, 2, 2), LABEL_PAPER)
        x, y = grid.origin(1)
        # "I" has ink in its top row's middle column: pad 1 + column 2.
        self.assertEqual(pixel(canvas, grid.width, x + 2 + 1 + 2, y + 2 + 1), LABEL_INK)
        self.assertEqual(pixel(canvas, grid.width, x + 40, y + 40), (100, 100, 100))

    def test_wrong_cell_size_or_too_many_cells(self):
        grid = layout(1, 4)
        with self.assertRaises(ValueError):
            compose([b"\x00" * 5], grid)
        with self.assertRaises(ValueError):
            compose([solid(4, (0, 0, 0))] * 2, grid)


class LabelTest(unittest.TestCase):
    def test_every_glyph_is_5x7(self):
        for char, rows in GLYPHS.items():
            self.assertEqual(len(rows), 7, char)
            self.assertTrue(all(len(r) == 5 and set(r) <= {"0", "1"} for r in rows), char)

    def test_unknown_characters_and_clipping_at_the_edge(self):
        canvas = bytearray(3 * 10 * 10)
        draw_label(canvas, 10, 6, 6, "@@", scale=2)  # runs off the right and bottom edges
        self.assertEqual(len(canvas), 300)


class FlipTest(unittest.TestCase):
    def test_flip_reverses_rows(self):
        rows = bytes([1] * 6 + [2] * 6)
        self.assertEqual(flip_rows(rows, 2, 2), bytes([2] * 6 + [1] * 6))


if __name__ == "__main__":
    unittest.main()
