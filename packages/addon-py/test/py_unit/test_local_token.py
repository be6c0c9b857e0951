import os
import tempfile
import unittest

from blender_mcp_bus.core.local_token import default_data_dir, find_local_token


class LocalTokenTest(unittest.TestCase):
    def test_folder_rule_matches_the_server(self):
        self.assertEqual(default_data_dir({"BLENDER_MCP_HOME": "/x"}, "linux"), "/x")
        self.assertEqual(default_data_dir({"XDG_DATA_HOME": "/data"}, "linux"), os.path.join("/data", "blender-mcp"))
        self.assertTrue(default_data_dir({}, "darwin").endswith(os.path.join("Library", "Application Support", "blender-mcp")))
        self.assertEqual(default_data_dir({"APPDATA": "C:/AppData"}, "win32"), os.path.join("C:/AppData", "blender-mcp"))

    def test_reads_the_token_file_or_finds_none(self):
        with tempfile.TemporaryDirectory() as home:
            env = {"BLENDER_MCP_HOME": home}
            self.assertIsNone(find_local_token(env))
            with open(os.path.join(home, "local-token"), "w") as f:
                f.write("bmcp_abc\n")
            self.assertEqual(find_local_token(env), "bmcp_abc")
