import io
import sys
import threading
import unittest

from blender_mcp_bus.core import capture
from blender_mcp_bus.core.capture import BoundedText, run_source, truncation_mark


class BoundedTextTest(unittest.TestCase):
    def test_under_the_limit_is_untouched(self):
        out = BoundedText(10)
        out.write("hello")
        self.assertEqual(out.getvalue(), "hello")
        self.assertFalse(out.truncated)

    def test_cut_at_limit_with_visible_mark(self):
        out = BoundedText(10)
        out.write("0123456")
        out.write("789abcdef")
        out.write("more")
        self.assertTrue(out.truncated)
        self.assertEqual(out.getvalue(), "0123456789" + truncation_mark(10))
        self.assertIn("[... output truncated at 10 bytes ...]", out.getvalue())

    def test_limit_counts_utf8_bytes_and_never_splits_a_character(self):
        out = BoundedText(5)
        out.write("ééé")  # 6 bytes
        self.assertEqual(out.getvalue(), "éé" + truncation_mark(5))


class RunSourceTest(unittest.TestCase):
    def test_captures_stdout_and_stderr_separately(self):
        outcome = run_source("import sys\nprint('out')\nprint('err', file=sys.stderr)\nx = 1", "<t>", {}, 1000)
        self.assertEqual((outcome.stdout, outcome.stderr, outcome.truncated, outcome.error), ("out\n", "err\n", False, None))

    def test_globals_are_shared_within_one_run(self):
        g = {}
        run_source("a = 2\ndef f():\n    return a * 3\nb = f()", "<t>", g, 1000)
        self.assertEqual(g["b"], 6)

    def test_output_bound_sets_truncated(self):
        outcome = run_source("print('x' * 5000)", "<t>", {}, 100)
        self.assertTrue(outcome.truncated)
        self.assertTrue(outcome.stdout.endswith(truncation_mark(100)))
        self.assertEqual(outcome.output()["truncated"], True)

    def test_traceback_is_trimmed_to_the_users_code_and_shows_its_line(self):
        source = "x = 1\ndef inner():\n    raise ValueError('bad value')\ninner()\n"
        outcome = run_source(source, "<job-42>", {}, 1000)
        self.assertIsNotNone(outcome.error)
        self.assertTrue(outcome.error.startswith("Traceback (most recent call last):\n  File \"<job-42>\", line 4"),
                        outcome.error)
        self.assertNotIn("capture.py", outcome.error)
        self.assertIn("raise ValueError('bad value')", outcome.error)
        self.assertIn("ValueError: bad value", outcome.error)

    def test_frames_called_from_user_code_stay(self):
        outcome = run_source("import json\njson.loads('{')", "<j>", {}, 1000)
        self.assertIn("json", outcome.error)
        self.assertIn("JSONDecodeError", outcome.error)
        self.assertNotIn("capture.py", outcome.error)

    def test_syntax_error_is_reported_with_the_filename(self):
        outcome = run_source("def broken(:\n", "<job-7>", {}, 1000)
        self.assertIn("<job-7>", outcome.error)
        self.assertIn("SyntaxError", outcome.error)

    def test_output_before_an_error_is_kept(self):
        outcome = run_source("print('before')\n1/0", "<j>", {}, 1000)
        self.assertEqual(outcome.stdout, "before\n")
        self.assertIn("ZeroDivisionError", outcome.error)

    def test_exit_does_not_end_the_process(self):
        outcome = run_source("import sys\nsys.exit(3)", "<j>", {}, 1000)
        self.assertIn("SystemExit: 3", outcome.error)


class OtherThreadsTest(unittest.TestCase):
    """Output of threads other than the job's never lands in the job's stdout."""

    def setUp(self):
        capture.uninstall()
        self.saved = sys.stdout, sys.stderr
        self.console, self.console_err = io.StringIO(), io.StringIO()
        sys.stdout, sys.stderr = self.console, self.console_err

    def tearDown(self):
        capture.uninstall()
        sys.stdout, sys.stderr = self.saved

    def test_a_thread_printing_while_a_job_runs_writes_to_the_console_not_the_job(self):
        started, printed = threading.Event(), threading.Event()

        def socket_thread():
            started.wait(5)
            print("[mcp-bus] socket thread line")
            sys.stderr.write("socket thread error\n")
            printed.set()

        other = threading.Thread(target=socket_thread)
        other.start()
        source = "print('mine')\nstarted.set()\nassert printed.wait(5)\nprint('mine again')"
        outcome = run_source(source, "<j>", {"started": started, "printed": printed}, 1000)
        other.join(5)
        self.assertIsNone(outcome.error)
        self.assertEqual(outcome.stdout, "mine\nmine again\n")
        self.assertEqual(outcome.stderr, "")
        self.assertEqual(self.console.getvalue(), "[mcp-bus] socket thread line\n")
        self.assertEqual(self.console_err.getvalue(), "socket thread error\n")

    def test_the_streams_are_installed_once_not_swapped_per_job(self):
        run_source("print(1)", "<a>", {}, 100)
        installed = sys.stdout
        self.assertTrue(getattr(installed, "mcp_thread_routed", False))
        outcome = run_source("print(2)", "<b>", {}, 100)
        self.assertIs(sys.stdout, installed)
        self.assertEqual(outcome.stdout, "2\n")
        print("after the jobs")
        self.assertEqual(self.console.getvalue(), "after the jobs\n")
        capture.uninstall()
        self.assertIs(sys.stdout, self.console)

    def test_two_jobs_on_two_threads_each_capture_their_own(self):
        both = threading.Barrier(2, timeout=5)
        outcomes = {}

        def job(name):
            outcomes[name] = run_source("print(name)\nboth.wait()\nprint(name)", "<%s>" % name,
                                        {"name": name, "both": both}, 100)

        threads = [threading.Thread(target=job, args=(n,)) for n in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(5)
        self.assertEqual((outcomes["a"].stdout, outcomes["b"].stdout), ("a\na\n", "b\nb\n"))


if __name__ == "__main__":
    unittest.main()
