import os
import sys
import threading
import time
import unittest

from blender_mcp_bus.core import render_process
from blender_mcp_bus.core.background import Background, Cancelled, Task, Workers
from blender_mcp_bus.core.render_progress import MARKER, RenderProgress, samples_in, sheet_layout


class SamplesTest(unittest.TestCase):
    def test_cycles_and_eevee_lines_of_each_version(self):
        # 3.4/4.3 print "Fra:" stats, 5.2 a shorter form; EEVEE counts "Rendering a / b samples".
        self.assertEqual(samples_in("Fra:1 Mem:10.33M | Time:00:00.03 | Scene, ViewLayer | Sample 1/4"), (1, 4))
        self.assertEqual(samples_in("Remaining: 00:00.00 | Mem: 1M | Sample 3/16"), (3, 16))
        self.assertEqual(samples_in("Fra:1 Mem:11.35M (Peak 12.46M) | Time:00:01.12 | Rendering 2 / 64 samples"), (2, 64))
        self.assertIsNone(samples_in("Fra:1 Mem:9.71M | Updating Scene BVH | Building BVH 0%"))


class RenderProgressTest(unittest.TestCase):
    def test_progress_grows_with_samples_and_frames(self):
        p = RenderProgress(frames=2)
        self.assertEqual(p.feed(MARKER + '{"event": "frame", "frame": 7}'), (0.0, 2, "frame 7, 0/2 frames done"))
        done, total, message = p.feed("Fra:7 Mem:1M | Sample 2/4")
        self.assertEqual((done, total), (0.5, 2))
        self.assertIn("sample 2/4", message)
        # A frame's last sample is not the frame: it counts once its file is written.
        self.assertEqual(p.feed("Fra:7 Mem:1M | Sample 4/4")[0], 0.99)
        self.assertEqual(p.feed(MARKER + '{"event": "written", "frame": 7, "path": "/r/f7.png"}')[0], 1.0)
        p.feed(MARKER + '{"event": "frame", "frame": 8}')
        p.feed(MARKER + '{"event": "written", "frame": 8, "path": "/r/f8.png"}')
        self.assertEqual(p.done, 2.0)
        self.assertEqual(p.files, ["/r/f7.png", "/r/f8.png"])
        self.assertEqual(p.feed(MARKER + '{"event": "done", "engine": "CYCLES"}'), None)
        self.assertEqual(p.result["engine"], "CYCLES")

    def test_stats_marker_and_stats_glued_before_a_marker(self):
        p = RenderProgress(frames=1)
        self.assertEqual(p.feed(MARKER + '{"event": "stats", "text": "Mem: 1M | Sample 1/2"}')[0], 0.5)
        # Blender 3.4 prints its stats without a newline, so the next marker line follows on the same line.
        glued = "Fra:1 Mem:1M | Sample 1/2" + MARKER + '{"event": "written", "path": "/x.png"}'
        self.assertEqual(p.feed(glued)[0], 1.0)
        self.assertEqual(p.files, ["/x.png"])

    def test_failure_names_the_error_or_the_last_lines(self):
        p = RenderProgress(frames=1)
        p.feed("Read blend: /tmp/scene.blend")
        self.assertIn("Read blend", p.failure(1))
        self.assertIn("exited with code 1", p.failure(1))
        p.feed("Error: Build without OpenImageDenoiser")
        p.feed(MARKER + '{"event": "error", "message": "RuntimeError: no camera"}')
        self.assertEqual(p.failure(1), "RuntimeError: no camera")
        self.assertIsNone(p.feed("not json " + MARKER + "{oops"))


class SheetLayoutTest(unittest.TestCase):
    def test_small_counts_keep_full_size(self):
        self.assertEqual(sheet_layout(3, 48, 36), {"picks": [0, 1, 2], "columns": 2, "rows": 2,
                                                   "thumb_width": 48, "thumb_height": 36})

    def test_many_frames_are_sampled_and_fit_the_width(self):
        layout = sheet_layout(250, 1920, 1080)
        self.assertEqual(len(layout["picks"]), 36)
        self.assertEqual((layout["picks"][0], layout["picks"][-1]), (0, 249))
        self.assertEqual(layout["columns"], 6)
        self.assertLessEqual(layout["columns"] * layout["thumb_width"], 1024)
        self.assertAlmostEqual(layout["thumb_width"] / layout["thumb_height"], 1920 / 1080, delta=0.05)
        with self.assertRaises(ValueError):
            sheet_layout(0, 10, 10)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie is gone for our purposes
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


class RenderProcessTest(unittest.TestCase):
    def test_lines_and_exit_code(self):
        lines = []
        task = Task("j1", lambda update: None)
        code = render_process.run([sys.executable, "-c", "print('a'); print('b'); raise SystemExit(3)"], task, lines.append)
        self.assertEqual(code, 3)
        self.assertEqual([line.strip() for line in lines], ["a", "b"])

    def test_cancel_kills_the_process_group(self):
        task = Task("j2", lambda update: None)
        pids = []
        # A child that starts a grandchild, then both sleep: a cancel must end both.
        script = ("import os, subprocess, sys, time\n"
                  "g = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
                  "print(os.getpid(), g.pid, flush=True)\ntime.sleep(60)\n")

        def on_line(line):
            pids.extend(int(p) for p in line.split())
            task.cancel("the caller cancelled")

        with self.assertRaises(Cancelled):
            render_process.run([sys.executable, "-c", script], task, on_line)
        self.assertEqual(len(pids), 2)
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.05)  # the grandchild is reaped by init, not by us
        self.assertEqual([p for p in pids if _alive(p)], [])
        self.assertEqual(render_process.kill_all(), 0)

    def test_kill_all_ends_a_running_render(self):
        task = Task("j3", lambda update: None)
        started = threading.Event()
        outcome = {}

        def run():
            outcome["code"] = render_process.run(
                [sys.executable, "-c", "print('up', flush=True); import time; time.sleep(60)"], task,
                lambda line: started.set())

        thread = threading.Thread(target=run)
        thread.start()
        self.assertTrue(started.wait(10))
        self.assertEqual(render_process.kill_all(), 1)
        thread.join(10)
        self.assertEqual(outcome["code"], -9)


class OutlivesTimeoutTest(unittest.TestCase):
    def test_a_timeout_does_not_cancel_a_render_but_a_caller_does(self):
        class Reporter:
            def running(self, job_id, update=None):
                pass

        gate = threading.Event()

        def fetch(task):
            gate.wait(10)
            task.check()

        workers = Workers(Reporter())
        render = workers.start("r", Background(fetch, lambda v: {}, outlives_timeout=True))
        plain = workers.start("p", Background(fetch, lambda v: {}))
        self.assertTrue(workers.cancel("r", "no reply from Blender before the timeout", timed_out=True))
        self.assertFalse(render.cancelled)
        self.assertTrue(workers.cancel("p", "no reply from Blender before the timeout", timed_out=True))
        self.assertTrue(plain.cancelled)
        self.assertTrue(workers.cancel("r", "the MCP client cancelled the request"))
        self.assertTrue(render.cancelled)
        gate.set()


if __name__ == "__main__":
    unittest.main()
