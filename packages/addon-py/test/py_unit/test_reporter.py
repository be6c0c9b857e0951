import json
import threading
import unittest

from blender_mcp_bus.core.reporter import Reporter


class Sink:
    def __init__(self, online=True):
        self.sent = []
        self.kept = []
        self.online = online
        self.lock = threading.Lock()

    def __call__(self, text, keep):
        with self.lock:
            if not self.online:
                if keep:
                    self.kept.append(json.loads(text))
                return False
            self.sent.append(json.loads(text))
            return True

    def statuses(self, job_id):
        return [m["status"] for m in self.sent if m["job_id"] == job_id]


class ReporterTest(unittest.TestCase):
    def test_running_then_exactly_one_terminal(self):
        sink = Sink()
        r = Reporter(sink)
        self.assertTrue(r.running("j1"))
        self.assertTrue(r.completed("j1", {"ok": 1}))
        self.assertFalse(r.failed("j1", "late failure"))
        self.assertFalse(r.completed("j1", {"again": 1}))
        self.assertFalse(r.running("j1"))
        self.assertEqual(sink.statuses("j1"), ["running", "completed"])
        self.assertEqual(sink.sent[0], {"message_type": "job_update", "job_id": "j1", "status": "running",
                                        "result": None, "error": ""})
        self.assertEqual(sink.sent[1]["result"], {"ok": 1})

    def test_failed_carries_error_and_partial_result(self):
        sink = Sink()
        Reporter(sink).failed("j2", "boom", {"stdout": "half"})
        self.assertEqual(sink.sent[0]["status"], "failed")
        self.assertEqual(sink.sent[0]["error"], "boom")
        self.assertEqual(sink.sent[0]["result"], {"stdout": "half"})

    def test_unencodable_result_fails_the_job_instead(self):
        sink = Sink()
        r = Reporter(sink)
        r.completed("j3", {"value": float("nan")})
        r.completed("j4", {"value": object()})
        self.assertEqual([m["status"] for m in sink.sent], ["failed", "failed"])
        self.assertIn("JSON", sink.sent[0]["error"])

    def test_terminal_updates_are_kept_while_offline(self):
        sink = Sink(online=False)
        r = Reporter(sink)
        r.running("j5")
        r.completed("j5", {})
        self.assertEqual([m["status"] for m in sink.kept], ["completed"])

    def test_status_callback_sees_each_transition_once(self):
        seen = []
        r = Reporter(Sink(), on_status=lambda *a: seen.append(a))
        r.running("j6")
        r.failed("j6", "x")
        r.failed("j6", "y")
        self.assertEqual(seen, [("j6", "running", ""), ("j6", "failed", "x")])

    def test_racing_terminals_from_two_threads_send_one(self):
        for attempt in range(50):
            sink = Sink()
            r = Reporter(sink)
            job_id = "race-%d" % attempt
            barrier = threading.Barrier(2)

            def finish(kind):
                barrier.wait()
                if kind == "c":
                    r.completed(job_id, {})
                else:
                    r.failed(job_id, "cancelled")

            threads = [threading.Thread(target=finish, args=(k,)) for k in "cf"]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(len(sink.statuses(job_id)), 1)


if __name__ == "__main__":
    unittest.main()
