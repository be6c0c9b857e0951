import os
import struct
import subprocess
import sys
import unittest
import zlib

from blender_mcp_bus.core import identity
from blender_mcp_bus.core.connection import Backoff
from blender_mcp_bus.core.pacing import Pacer
from blender_mcp_bus.core.png import decode_png_size, encode_png, fit_size
from blender_mcp_bus.core.settings import Settings, gate_reason
from blender_mcp_bus.core.values import jsonable, name_filter, page

ADDON_ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


class SettingsTest(unittest.TestCase):
    def test_defaults_and_gates(self):
        s = Settings()
        self.assertEqual(s.server_url, "ws://127.0.0.1:9860/addon")
        # The asset integrations reach third parties: off until the user turns them on.
        self.assertEqual(s.gated, ["polyhaven", "sketchfab", "hyper3d"])
        off = s.with_gated(["job_dispatch", "execute_code"])
        self.assertEqual(off.gated, ["execute_code", "job_dispatch"])
        self.assertEqual(s.with_gated([]).gated, [])
        with self.assertRaises(ValueError):
            s.with_gated(["teleport"])
        with self.assertRaises(Exception):
            s.server_url = "x"  # frozen: one snapshot per connection

    def test_gate_reason_names_the_preference(self):
        self.assertIn("'Allow job_dispatch' in Preferences > Add-ons > MCP Bus", gate_reason("job_dispatch"))


class IdentityTest(unittest.TestCase):
    def test_sticky_within_a_process_and_valid(self):
        first = identity.client_uuid()
        self.assertEqual(identity.client_uuid(), first)
        self.assertRegex(first, r"^[A-Za-z0-9._:-]{1,128}$")

    def test_two_processes_differ_even_when_one_inherits_the_environment(self):
        mine = identity.client_uuid()
        code = "from blender_mcp_bus.core import identity; print(identity.client_uuid())"
        child = subprocess.run([sys.executable, "-S", "-c", code], cwd=ADDON_ROOT, env=dict(os.environ),
                               capture_output=True, text=True, check=True).stdout.strip()
        self.assertNotEqual(child, mine)
        self.assertTrue(child.startswith("blender-"))


class BackoffTest(unittest.TestCase):
    def test_doubles_to_a_ceiling_with_jitter(self):
        b = Backoff(0.5, 4.0, rng=lambda: 1.0)
        self.assertEqual([b.next() for _ in range(6)], [0.5, 1.0, 2.0, 4.0, 4.0, 4.0])
        low = Backoff(0.5, 4.0, rng=lambda: 0.0)
        self.assertEqual([low.next() for _ in range(3)], [0.25, 0.5, 1.0])
        b.reset()
        self.assertEqual(b.next(), 0.5)


class PacerTest(unittest.TestCase):
    def test_no_wait_while_queued_short_after_activity_then_backs_off(self):
        p = Pacer()
        self.assertEqual(p.next_interval(queued=2, seconds_since_activity=0, connected=True), 0.0)
        self.assertEqual(p.next_interval(0, 0.1, True), p.hot)
        self.assertEqual(p.next_interval(0, p.hot_window - 1, True), p.hot, "calls seconds apart still find it hot")
        long_ago = p.hot_window + 1
        idle = [p.next_interval(0, long_ago, True) for _ in range(20)]
        self.assertEqual(idle, sorted(idle), "waits only grow while idle")
        self.assertGreater(idle[1], idle[0])
        self.assertEqual(idle[-1], p.idle_connected)
        self.assertEqual([p.next_interval(0, long_ago, False) for _ in range(40)][-1], p.idle_offline)
        self.assertEqual(p.next_interval(1, long_ago, True), 0.0, "new work resets at once")


class PngTest(unittest.TestCase):
    def test_rgb_png_decodes_back(self):
        w, h = 3, 2
        pixels = bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90])
        data = encode_png(w, h, pixels, bottom_up=True)
        self.assertEqual(decode_png_size(data), (3, 2))
        idat_len = struct.unpack("!I", data[33:37])[0]
        raw = zlib.decompress(data[41:41 + idat_len])
        self.assertEqual(raw, b"\x00" + pixels[9:] + b"\x00" + pixels[:9], "rows flipped to top-down")

    def test_rgba_and_bad_input(self):
        data = encode_png(1, 1, b"\x01\x02\x03\x04", channels=4)
        self.assertEqual(data[25], 6)  # colour type RGBA
        with self.assertRaises(ValueError):
            encode_png(2, 2, b"\x00" * 5)

    def test_fit_size_keeps_aspect_with_longest_side_exact(self):
        self.assertEqual(fit_size(1600, 900, 800), (800, 450))
        self.assertEqual(fit_size(900, 1600, 16), (9, 16))
        self.assertEqual(fit_size(100, 50, 400), (400, 200))


class ValuesTest(unittest.TestCase):
    def test_page(self):
        items = list(range(25))
        self.assertEqual(page(items, 0, 10), (list(range(10)), {"offset": 0, "total": 25, "next_offset": 10}))
        self.assertEqual(page(items, 20, 10), (list(range(20, 25)), {"offset": 20, "total": 25, "next_offset": None}))
        self.assertEqual(page(items, 30, 10), ([], {"offset": 30, "total": 25, "next_offset": None}))

    def test_jsonable(self):
        self.assertEqual(jsonable({"a": float("nan"), "b": (1, 2.1234567891), "c": {3, 1}, "d": object}),
                         {"a": None, "b": [1, 2.123457], "c": [1, 3], "d": str(object)})

    def test_name_filter_ignores_case(self):
        self.assertEqual(name_filter(["Cube", "cubic", "Sphere"], "CUB"), ["Cube", "cubic"])
        self.assertEqual(name_filter(["a"], None), ["a"])
