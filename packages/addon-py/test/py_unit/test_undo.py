"""The session makes each scene-changing job one undo step and rolls back failed ones."""
import unittest

from blender_mcp_bus.core.jobs import SCRIPT, Job
from blender_mcp_bus.core.session import HostFacts, Session
from blender_mcp_bus.core.undo import UNAVAILABLE, parse_undo_steps, step_name
from blender_mcp_bus.generated.catalog import COMMANDS
from py_unit.fake_handlers import make_registry


class RecordingUndo:
    def __init__(self, works=True):
        self.calls = []
        self.works = works

    def push(self, name):
        self.calls.append(("push", name))
        return self.works

    def rollback(self, name):
        self.calls.append(("rollback", name))
        return self.works


class RecordingReporter:
    def __init__(self):
        self.sent = []

    def running(self, job_id, update=None):
        pass

    def completed(self, job_id, result):
        self.sent.append(("completed", job_id))

    def failed(self, job_id, error, result=None):
        self.sent.append(("failed", job_id, error))


def session(undo):
    registry, _ = make_registry()
    s = Session(registry, "blender-undo", lambda: HostFacts("4.3.2", "", "t"), undo=undo)
    s.reporter = RecordingReporter()
    return s


class UndoStepTest(unittest.TestCase):
    def test_catalog_marks_scene_changing_commands(self):
        self.assertTrue(COMMANDS["execute_code"].undo_step)
        self.assertTrue(COMMANDS["import_file"].undo_step)
        for name in ("get_scene_info", "undo", "redo", "get_undo_history", "save_file", "open_file", "export_file"):
            self.assertFalse(COMMANDS[name].undo_step, name)

    def test_step_names(self):
        self.assertEqual(step_name(Job("j-1", "execute_code", {"code": "x"}), COMMANDS), "MCP: execute_code j-1")
        self.assertEqual(step_name(Job("j-2", SCRIPT, script="x"), COMMANDS), "MCP: job_dispatch j-2")
        self.assertIsNone(step_name(Job("j-3", "get_scene_info"), COMMANDS))

    def test_a_completed_scene_job_pushes_its_step_before_reporting(self):
        undo = RecordingUndo()
        s = session(undo)
        s.run_job(Job("j-1", "execute_code", {"code": "print(1)"}), [])
        self.assertEqual(undo.calls, [("push", "MCP: execute_code j-1")])
        self.assertEqual(s.reporter.sent, [("completed", "j-1")])

    def test_a_read_only_job_pushes_nothing(self):
        undo = RecordingUndo()
        s = session(undo)
        s.run_job(Job("j-2", "get_scene_info", {}), [])
        self.assertEqual(undo.calls, [])
        self.assertEqual(s.reporter.sent, [("completed", "j-2")])

    def test_a_failed_scene_job_is_rolled_back(self):
        undo = RecordingUndo()
        s = session(undo)
        s.run_job(Job("j-3", SCRIPT, script="x"), ["job_dispatch"])
        self.assertEqual(undo.calls, [("rollback", "MCP: job_dispatch j-3")])
        self.assertEqual(s.reporter.sent[0][:2], ("failed", "j-3"))
        self.assertNotIn(UNAVAILABLE, s.reporter.sent[0][2])

    def test_without_undo_the_job_still_ends_and_says_nothing_was_rolled_back(self):
        undo = RecordingUndo(works=False)
        s = session(undo)
        s.run_job(Job("j-4", "execute_code", {"code": "x"}), [])
        self.assertEqual(s.reporter.sent, [("completed", "j-4")])
        s.run_job(Job("j-5", "execute_code", {"code": "x"}), ["execute_code"])
        self.assertIn(UNAVAILABLE, s.reporter.sent[1][2])

    def test_a_raising_hook_does_not_fail_the_job(self):
        class Broken:
            def push(self, name):
                raise RuntimeError("no window")
            rollback = push
        s = session(Broken())
        s.run_job(Job("j-6", "execute_code", {"code": "x"}), [])
        self.assertEqual(s.reporter.sent, [("completed", "j-6")])


class ParseUndoStepsTest(unittest.TestCase):
    # As printed by Blender 3.4.1, 4.3.2 and 5.2.2.
    TEXT = (
        "Undo 3 Steps (*: active, #=applied, M=memfile-active, S=skip)\n"
        "[ #  ]   0 {0x7f1087e89308} type='Global Undo', name='Original'\n"
        "[*#M ]   1 {0x7f10869ed588} type='Global Undo', name='MCP: execute_code j-1'\n"
        "[    ]   2 {0x7f10869ed088} type='Global Undo', name='it's quoted'\n"
    )

    def test_parses_names_and_the_active_step(self):
        self.assertEqual(parse_undo_steps(self.TEXT), [
            {"index": 0, "name": "Original", "active": False},
            {"index": 1, "name": "MCP: execute_code j-1", "active": True},
            {"index": 2, "name": "it's quoted", "active": False},
        ])

    def test_other_text_is_ignored(self):
        self.assertEqual(parse_undo_steps("Read prefs\nnothing here\n"), [])


if __name__ == "__main__":
    unittest.main()
