import os
import tempfile
import unittest

from blender_mcp_bus.core.paths import PREFERENCE, PathNotAllowed, check_path, default_folders, parse_folders
from blender_mcp_bus.core.settings import Settings


class PathCheckTest(unittest.TestCase):
    def setUp(self):
        self.root = os.path.realpath(tempfile.mkdtemp())
        self.addCleanup(lambda: __import__("shutil").rmtree(self.root, ignore_errors=True))
        self.allowed = os.path.join(self.root, "allowed")
        self.outside = os.path.join(self.root, "outside")
        os.makedirs(self.allowed)
        os.makedirs(self.outside)

    def test_a_path_inside_is_returned_resolved(self):
        self.assertEqual(check_path(os.path.join(self.allowed, "a", "..", "b.blend"), [self.allowed]),
                         os.path.join(self.allowed, "b.blend"))

    def test_a_path_outside_fails_naming_the_setting_and_the_folders(self):
        with self.assertRaises(PathNotAllowed) as caught:
            check_path(os.path.join(self.outside, "x.blend"), [self.allowed])
        self.assertIn(PREFERENCE, str(caught.exception))
        self.assertIn(self.allowed, str(caught.exception))
        self.assertIn("is outside the allowed folders", str(caught.exception))

    def test_dot_dot_cannot_climb_out(self):
        with self.assertRaises(PathNotAllowed):
            check_path(os.path.join(self.allowed, "..", "outside", "x.blend"), [self.allowed])

    def test_a_symlink_pointing_outside_is_followed(self):
        link = os.path.join(self.allowed, "link")
        os.symlink(self.outside, link)
        with self.assertRaises(PathNotAllowed):
            check_path(os.path.join(link, "x.blend"), [self.allowed])

    def test_a_sibling_with_a_common_prefix_is_outside(self):
        os.makedirs(self.allowed + "2")
        with self.assertRaises(PathNotAllowed):
            check_path(os.path.join(self.allowed + "2", "x"), [self.allowed])

    def test_empty_path_fails(self):
        with self.assertRaises(PathNotAllowed):
            check_path("", [self.allowed])

    def test_parse_splits_on_semicolons_and_empty_means_the_defaults(self):
        self.assertEqual(parse_folders(" %s ; %s ;" % (self.allowed, self.outside)), (self.allowed, self.outside))
        self.assertEqual(parse_folders(""), default_folders())
        self.assertIn(os.path.realpath(tempfile.gettempdir()), default_folders())
        self.assertIn(os.path.realpath(os.path.expanduser("~")), default_folders())

    def test_settings_default_to_home_and_temp(self):
        self.assertEqual(Settings().allowed_folders, default_folders())


if __name__ == "__main__":
    unittest.main()
