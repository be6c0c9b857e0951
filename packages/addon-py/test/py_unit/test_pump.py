import json
import unittest

from blender_mcp_bus.core.jobs import SCRIPT, JobQueue
from blender_mcp_bus.core.pump import ProtocolFault, Pump, decode
from blender_mcp_bus.core.reporter import Reporter


class Outbox:
    def __init__(self):
        self.messages = []

    def __call__(self, text, keep=False):
        self.messages.append(json.loads(text))
        return True


def dispatch(job_id, command="get_scene_info", priority="info", **params):
    return json.dumps({"message_type": "command_dispatch", "job_id": job_id, "command": command,
                       "params": params, "priority": priority})


class DecodeTest(unittest.TestCase):
    def assertFault(self, text, code, job_id=None):
        with self.assertRaises(ProtocolFault) as caught:
            decode(text)
        self.assertEqual(caught.exception.code, code)
        self.assertEqual(caught.exception.job_id, job_id)

    def test_faults(self):
        self.assertFault("{not json", "invalid_json")
        self.assertFault("[1, 2]", "invalid_message")
        self.assertFault('{"message_type": "teleport", "job_id": "j1"}', "unknown_message_type", "j1")
        self.assertFault('{"job_id": "j1"}', "unknown_message_type", "j1")
        self.assertFault('{"message_type": "command_dispatch", "job_id": "j2", "command": "x", "params": {}}',
                         "invalid_message", "j2")
        self.assertFault(dispatch("j3", priority="urgent"), "invalid_message", "j3")
        self.assertFault(dispatch("bad id!"), "invalid_message", "bad id!")
        self.assertFault(dispatch("j4", command="Bad-Name"), "invalid_message", "j4")
        self.assertFault('{"message_type": "job_dispatch", "job_id": "j5", "script": "", "priority": "info"}',
                         "invalid_message", "j5")

    def test_valid_messages_decode_to_dataclasses(self):
        kind, message = decode(dispatch("j1", offset=3))
        self.assertEqual(kind, "command_dispatch")
        self.assertEqual((message.job_id, message.command, message.params, message.priority.value),
                         ("j1", "get_scene_info", {"offset": 3}, "info"))


class PumpTest(unittest.TestCase):
    def setUp(self):
        self.out = Outbox()
        self.queue = JobQueue()
        self.pump = Pump(self.queue, Reporter(self.out), self.out)

    def test_ping_is_answered_with_pong(self):
        self.pump.handle('{"message_type": "ping", "nonce": "n-1"}')
        self.assertEqual(self.out.messages, [{"message_type": "pong", "nonce": "n-1"}])

    def test_bad_frames_get_protocol_errors_and_nothing_is_queued(self):
        self.pump.handle("nope")
        self.pump.handle('{"message_type": "warp", "job_id": "j9"}')
        self.pump.handle('{"message_type": "hello"}')
        codes = [(m["code"], m["job_id"]) for m in self.out.messages]
        self.assertEqual(codes, [("invalid_json", None), ("unknown_message_type", "j9"), ("invalid_message", None)])
        self.assertTrue(all(m["message_type"] == "protocol_error" for m in self.out.messages))
        self.assertEqual(len(self.queue), 0)

    def test_dispatches_are_queued_in_priority_order(self):
        self.pump.handle(dispatch("a", priority="debug"))
        self.pump.handle(json.dumps({"message_type": "job_dispatch", "job_id": "b", "script": "print(1)",
                                     "description": "demo", "priority": "alert"}))
        self.pump.handle(dispatch("c", priority="info", limit=5))
        self.assertEqual(self.queue.queued_ids(), ["b", "c", "a"])
        script = self.queue.pop()
        self.assertEqual((script.command, script.script, script.description), (SCRIPT, "print(1)", "demo"))
        self.assertEqual(self.queue.pop().params, {"limit": 5})
        self.assertEqual(self.out.messages, [])

    def test_duplicate_job_id_is_reported(self):
        self.pump.handle(dispatch("a"))
        self.pump.handle(dispatch("a"))
        self.assertEqual(self.out.messages[0]["code"], "duplicate_job")
        self.assertEqual(len(self.queue), 1)

    def test_cancel_of_a_queued_job_fails_it_once(self):
        self.pump.handle(dispatch("a"))
        self.pump.handle(dispatch("b"))
        self.pump.handle('{"message_type": "cancel", "job_id": "a", "reason": "timeout"}')
        self.pump.handle('{"message_type": "cancel", "job_id": "a", "reason": "again"}')
        self.pump.handle('{"message_type": "cancel", "job_id": "zzz", "reason": "unknown"}')
        self.assertEqual(self.out.messages, [{"message_type": "job_update", "job_id": "a", "status": "failed",
                                              "result": None, "error": "cancelled before it started: timeout"}])
        self.assertEqual(self.queue.queued_ids(), ["b"])

    def test_cancel_of_a_running_job_is_ignored(self):
        self.pump.handle(dispatch("a"))
        self.queue.pop()
        self.pump.handle('{"message_type": "cancel", "job_id": "a", "reason": "late"}')
        self.assertEqual(self.out.messages, [])

    def test_a_running_job_learns_whether_the_caller_only_stopped_waiting(self):
        seen = []
        pump = Pump(JobQueue(), Reporter(self.out), self.out, cancel_running=lambda *args: seen.append(args) or True)
        pump.handle('{"message_type": "cancel", "job_id": "a", "reason": "no reply", "kind": "timeout"}')
        pump.handle('{"message_type": "cancel", "job_id": "b", "reason": "the caller cancelled", "kind": "requested"}')
        pump.handle('{"message_type": "cancel", "job_id": "c", "reason": "timeout"}')
        self.assertEqual(seen, [("a", "no reply", True), ("b", "the caller cancelled", False), ("c", "timeout", False)],
                         "only the kind says timeout; a reason's words never do")
        pump.handle('{"message_type": "cancel", "job_id": "d", "reason": "x", "kind": "soon"}')
        self.assertEqual(self.out.messages[-1]["code"], "invalid_message")


if __name__ == "__main__":
    unittest.main()
