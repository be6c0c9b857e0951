"""Background jobs are bounded: past the limit a job fails at once, saying why and what to do."""
import threading
import unittest

from blender_mcp_bus.core.background import MAX_BACKGROUND_JOBS, AtCapacity, Background, Workers
from blender_mcp_bus.core.jobs import Job
from blender_mcp_bus.core.registry import Registry
from blender_mcp_bus.core.session import HostFacts, Session
from py_unit.fake_handlers import EXAMPLES


class Recorder:
    def __init__(self):
        self.sent = []

    def running(self, job_id, update=None):
        return True

    def completed(self, job_id, result):
        self.sent.append(("completed", job_id, ""))

    def failed(self, job_id, error, result=None):
        self.sent.append(("failed", job_id, error))


class BoundTest(unittest.TestCase):
    def setUp(self):
        self.release = threading.Event()
        self.fetching = threading.Semaphore(0)
        self.ready = threading.Event()
        registry = Registry()

        def fetch(task):
            self.fetching.release()
            self.release.wait(5)
            return None

        @registry.command("get_scene_info")
        def get_scene_info(offset=0, limit=100):
            return Background(fetch, lambda _: dict(EXAMPLES["get_scene_info"], offset=offset))

        self.session = Session(registry, "blender-bound", lambda: HostFacts("4.3.2", "", "t"))
        self.session.reporter = Recorder()
        self.session.workers = Workers(self.session.reporter, on_ready=self.ready.set, limit=2)

    def tearDown(self):
        self.release.set()

    def test_past_the_limit_a_job_fails_at_once_with_the_reason_and_the_remedy(self):
        s = self.session
        for job_id in ("j-1", "j-2"):
            s.run_job(Job(job_id, "get_scene_info", {}), [])
        for _ in range(2):
            self.assertTrue(self.fetching.acquire(timeout=5))
        s.run_job(Job("j-3", "get_scene_info", {}), [])
        [(status, job_id, error)] = s.reporter.sent
        self.assertEqual((status, job_id), ("failed", "j-3"))
        self.assertIn("already runs 2 background jobs", error)
        self.assertIn("retry once one has finished", error)
        self.assertFalse(self.fetching.acquire(blocking=False), "no thread was started for the refused job")

        # Once the others end, a new one runs again.
        self.release.set()
        finished = 0
        while finished < 2:
            self.assertTrue(self.ready.wait(5))
            self.ready.clear()
            finished += s.workers.finish_ready()
        s.run_job(Job("j-4", "get_scene_info", {}), [])
        self.assertTrue(self.fetching.acquire(timeout=5))
        self.assertTrue(self.ready.wait(5))
        s.workers.finish_ready()
        self.assertEqual(s.reporter.sent[0][:2], ("failed", "j-3"))
        # j-1 and j-2 end in whichever order their threads did.
        self.assertEqual(sorted(entry[:2] for entry in s.reporter.sent[1:3]), [("completed", "j-1"), ("completed", "j-2")])
        self.assertEqual(s.reporter.sent[3:], [("completed", "j-4", "")])

    def test_the_default_limit_is_the_documented_one(self):
        self.assertEqual(Workers(Recorder()).limit, MAX_BACKGROUND_JOBS)
        self.assertIn("already runs %d background jobs" % MAX_BACKGROUND_JOBS, str(AtCapacity(MAX_BACKGROUND_JOBS, "render_still")))


if __name__ == "__main__":
    unittest.main()
