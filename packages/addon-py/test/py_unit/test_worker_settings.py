import unittest

from blender_mcp_bus.core.settings import Settings
from blender_mcp_bus.core.worker_settings import WorkerArgsError, script_args, worker_settings


class WorkerSettingsTest(unittest.TestCase):
    def test_arguments_win_over_environment_over_preferences(self):
        base = Settings(server_url="ws://prefs/addon", label="prefs", token="t-prefs")
        env = {"BLENDER_MCP_BUS_URL": "ws://env/addon", "BLENDER_MCP_BUS_LABEL": "env"}
        s = worker_settings(base, env, ["--label", "arg"])
        self.assertEqual((s.server_url, s.label, s.token), ("ws://env/addon", "arg", "t-prefs"))
        self.assertTrue(s.auto_connect)

    def test_gates_switch_off_only_what_is_named(self):
        base = Settings(allow_execute_code=False, enable_polyhaven=True, enable_sketchfab=False)
        s = worker_settings(base, {}, ["--gated", "job_dispatch"])
        self.assertEqual(s.gated, ["job_dispatch", "sketchfab", "hyper3d"])
        s = worker_settings(Settings(), {"BLENDER_MCP_BUS_GATED": "execute_code", "BLENDER_MCP_BUS_ENABLE": "polyhaven"})
        self.assertEqual(s.gated, ["execute_code", "sketchfab", "hyper3d"])

    def test_allowed_folders_and_backoff_from_environment(self):
        s = worker_settings(Settings(), {"BLENDER_MCP_BUS_ALLOWED_FOLDERS": "/tmp", "BLENDER_MCP_BUS_BACKOFF_MAX": "2"})
        self.assertEqual(len(s.allowed_folders), 1)
        self.assertEqual(s.backoff_max_seconds, 2.0)

    def test_bad_input_says_how_to_fix_it(self):
        with self.assertRaisesRegex(WorkerArgsError, "unknown gates.*teleport.*known: execute_code"):
            worker_settings(Settings(), {}, ["--gated", "teleport"])
        with self.assertRaisesRegex(WorkerArgsError, "(?s)unrecognized arguments: --colour.*usage"):
            worker_settings(Settings(), {}, ["--colour", "red"])

    def test_script_args_are_what_follows_the_double_dash(self):
        self.assertEqual(script_args(["blender", "-b", "--python", "w.py", "--", "--label", "x"]), ["--label", "x"])
        self.assertEqual(script_args(["blender", "-b"]), [])


if __name__ == "__main__":
    unittest.main()
