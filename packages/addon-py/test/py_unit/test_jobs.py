import unittest

from blender_mcp_bus.core.jobs import SCRIPT, Job, JobQueue
from blender_mcp_bus.generated.catalog import PRIORITIES


class JobQueueTest(unittest.TestCase):
    def test_priority_order_then_fifo_within_a_level(self):
        q = JobQueue()
        for job_id, priority in [("a", "info"), ("b", "debug"), ("c", "emergency"), ("d", "info"),
                                 ("e", "warning"), ("f", "emergency")]:
            self.assertTrue(q.put(Job(job_id, "get_scene_info", priority=priority)))
        self.assertEqual(q.queued_ids(), ["c", "f", "e", "a", "d", "b"])
        self.assertEqual([q.pop().job_id for _ in range(6)], ["c", "f", "e", "a", "d", "b"])
        self.assertIsNone(q.pop())

    def test_every_level_ranks_in_catalog_order(self):
        q = JobQueue()
        for priority in reversed(PRIORITIES):
            q.put(Job(priority, "x", priority=priority))
        self.assertEqual([q.pop().priority for _ in PRIORITIES], list(PRIORITIES))

    def test_cancel_removes_only_queued_jobs(self):
        q = JobQueue()
        q.put(Job("a", "x"))
        q.put(Job("b", "x"))
        self.assertEqual(q.cancel("a").job_id, "a")
        self.assertIsNone(q.cancel("a"), "already cancelled")
        self.assertIsNone(q.cancel("nope"))
        running = q.pop()
        self.assertEqual(running.job_id, "b")
        self.assertIsNone(q.cancel("b"), "a running job is not cancellable")
        self.assertEqual(len(q), 0)

    def test_duplicate_queued_id_is_refused(self):
        q = JobQueue()
        self.assertTrue(q.put(Job("a", "x")))
        self.assertFalse(q.put(Job("a", "y")))
        self.assertEqual(len(q), 1)

    def test_history_keeps_last_n_newest_first_with_status(self):
        q = JobQueue(history_size=3)
        for i in range(5):
            q.put(Job("j%d" % i, SCRIPT if i % 2 else "get_scene_info"))
        q.set_status("j4", "failed", "boom")
        q.set_status("j0", "completed")  # fell out of the history: ignored
        history = q.history()
        self.assertEqual([r.job_id for r in history], ["j4", "j3", "j2"])
        self.assertEqual((history[0].status, history[0].error), ("failed", "boom"))
        self.assertIsNotNone(history[0].finished_at)
        self.assertEqual(history[1].command, SCRIPT)

    def test_version_moves_on_changes(self):
        q = JobQueue()
        v0 = q.version
        q.put(Job("a", "x"))
        self.assertGreater(q.version, v0)


if __name__ == "__main__":
    unittest.main()
