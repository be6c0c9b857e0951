"""The bpy-free parts of the asset integrations: two-phase jobs, safe
unpacking, HTTP limits, integration settings and Poly Haven's file plans."""
import http.server
import io
import json
import os
import tempfile
import threading
import unittest
import zipfile

from blender_mcp_bus.core import http as client
from blender_mcp_bus.core import integrations, polyhaven
from blender_mcp_bus.core.archive import UnsafeArchive, extract_zip, safe_join, safe_relpath
from blender_mcp_bus.core.background import Background, Cancelled, Task, Workers
from blender_mcp_bus.core.errors import JobFailed
from blender_mcp_bus.core.reporter import Reporter


class Sent:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    def __call__(self, text, keep):
        with self.lock:
            self.messages.append(json.loads(text))
        return True

    def terminal(self, job_id):
        return [m for m in self.messages if m["job_id"] == job_id and m["status"] != "running"]


class WorkersTest(unittest.TestCase):
    def setUp(self):
        self.sent = Sent()
        self.ready = threading.Event()
        self.workers = Workers(Reporter(self.sent), on_ready=self.ready.set)

    def run_to_end(self, job_id, work):
        self.workers.start(job_id, work)
        self.assertTrue(self.ready.wait(5))
        self.assertEqual(self.workers.finish_ready(), 1)
        return self.sent.terminal(job_id)

    def test_fetch_on_a_worker_then_apply_on_the_caller(self):
        threads = {}

        def fetch(task):
            threads["fetch"] = threading.current_thread()
            task.progress(1, 2, "half")
            return 21

        def apply(value):
            threads["apply"] = threading.current_thread()
            return {"answer": value * 2}

        [done] = self.run_to_end("j1", Background(fetch, apply))
        self.assertEqual((done["status"], done["result"]), ("completed", {"answer": 42}))
        self.assertIsNot(threads["fetch"], threading.current_thread())
        self.assertIs(threads["apply"], threading.current_thread())
        progress = [m["progress"] for m in self.sent.messages if m["status"] == "running"]
        self.assertEqual(progress, [{"progress": 1, "total": 2, "message": "half"}])

    def test_cancel_between_chunks_ends_failed_once(self):
        started = threading.Event()

        def fetch(task):
            started.set()
            while True:
                task.wait(0.01)

        self.workers.start("j2", Background(fetch, lambda v: {}))
        self.assertTrue(started.wait(5))
        self.assertTrue(self.workers.cancel("j2", "timeout", timed_out=True))
        self.assertTrue(self.ready.wait(5))
        self.workers.finish_ready()
        [done] = self.sent.terminal("j2")
        self.assertEqual((done["status"], done["error"]), ("failed", "cancelled: timeout"))
        self.assertFalse(self.workers.cancel("j2", "again"), "a finished job is no longer cancellable")

    def test_cancel_after_fetch_skips_apply(self):
        applied = []
        gate = threading.Event()
        self.workers.start("j3", Background(lambda task: gate.wait(5), applied.append))
        self.workers.cancel("j3", "the MCP client cancelled the request")
        gate.set()
        self.assertTrue(self.ready.wait(5))
        self.workers.finish_ready()
        self.assertEqual(applied, [])
        self.assertEqual(self.sent.terminal("j3")[0]["error"], "cancelled: the MCP client cancelled the request")

    def test_fetch_and_apply_errors_and_result_checks_fail_the_job(self):
        def boom(task):
            raise ValueError("network down")

        [done] = self.run_to_end("j4", Background(boom, lambda v: {}))
        self.assertIn("ValueError: network down", done["error"])
        self.ready.clear()
        work = Background(lambda task: 1, lambda v: {"x": v})

        def check(result):
            raise JobFailed("off contract")

        work.check = check
        [done] = self.run_to_end("j5", work)
        self.assertEqual(done["error"], "off contract")

    def test_progress_is_throttled_and_increasing(self):
        sent = []
        now = [0.0]
        task = Task("j", sent.append, min_interval=1.0, clock=lambda: now[0])
        task.progress(1, 10)
        task.progress(2, 10)  # too soon
        now[0] = 2.0
        task.progress(1, 10)  # not an increase
        task.progress(3, 10)
        task.progress(10, 10)  # the final one always goes
        self.assertEqual([u["progress"] for u in sent], [1, 3, 10])
        task.cancel("stop")
        with self.assertRaises(Cancelled):
            task.check()


def make_zip(entries, symlink=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (0o120777 << 16)
            zf.writestr(info, "/etc/passwd")
    return buffer.getvalue()


class ArchiveTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.dest = os.path.join(self.dir, "out")

    def extract(self, data, **limits):
        path = os.path.join(self.dir, "a.zip")
        with open(path, "wb") as f:
            f.write(data)
        return extract_zip(path, self.dest, **limits)

    def test_ordinary_archive(self):
        got = self.extract(make_zip({"scene.gltf": "{}", "textures/a.png": "png", "./b.bin": "b"}))
        self.assertEqual(sorted(got), ["b.bin", "scene.gltf", "textures/a.png"])
        self.assertTrue(os.path.isfile(os.path.join(self.dest, "textures", "a.png")))

    def test_traversal_absolute_and_links_are_refused_before_writing(self):
        for bad in ({"ok.txt": "x", "../evil.txt": "x"}, {"/etc/evil": "x"}, {"C:/evil": "x"},
                    {"a/../../evil": "x"}, {"..\\evil": "x"}):
            with self.assertRaises(UnsafeArchive, msg=str(bad)):
                self.extract(make_zip(bad))
            self.assertFalse(os.path.exists(os.path.join(self.dest, "ok.txt")), "nothing written")
        with self.assertRaises(UnsafeArchive):
            self.extract(make_zip({"ok.txt": "x"}, symlink="link"))

    def test_limits(self):
        with self.assertRaises(UnsafeArchive):
            self.extract(make_zip({"%d" % i: "x" for i in range(5)}), max_entries=4)
        with self.assertRaises(UnsafeArchive):
            self.extract(make_zip({"big": "x" * 1000}), max_total=999)
        with self.assertRaises(UnsafeArchive):
            self.extract(b"not a zip")

    def test_safe_join(self):
        self.assertEqual(safe_relpath("textures//a.png"), "textures/a.png")
        self.assertTrue(safe_join(self.dir, "a/b").startswith(os.path.realpath(self.dir)))
        os.symlink("/", os.path.join(self.dir, "up"))
        with self.assertRaises(UnsafeArchive):
            safe_join(self.dir, "up/etc/passwd")


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "http://localhost:%d/echo" % self.server.server_port)
            self.end_headers()
            return
        if self.path == "/echo":
            body = json.dumps({"auth": self.headers.get("Authorization")}).encode()
        elif self.path == "/big":
            body = b"x" * 5000
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class HttpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.base = "http://127.0.0.1:%d" % cls.server.server_port

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def test_only_http_urls(self):
        for url in ("file:///etc/passwd", "ftp://x/y", "/relative"):
            with self.assertRaises(client.HttpError):
                client.request_json(url)

    def test_key_stays_on_its_host_across_redirects(self):
        same = client.request_json(self.base + "/echo", headers={"Authorization": "Token s3cret"})
        self.assertEqual(same["auth"], "Token s3cret")
        # 127.0.0.1 -> localhost: another host, so no Authorization.
        moved = client.request_json(self.base + "/redirect", headers={"Authorization": "Token s3cret"})
        self.assertIsNone(moved["auth"])

    def test_errors_and_limits(self):
        with self.assertRaises(client.HttpError) as caught:
            client.request_json(self.base + "/missing?sig=abc")
        self.assertEqual(caught.exception.status, 404)
        self.assertNotIn("sig=abc", str(caught.exception))
        path = os.path.join(tempfile.mkdtemp(), "f")
        with self.assertRaises(client.HttpError):
            client.download(self.base + "/big", path, limit=100)
        self.assertFalse(os.path.exists(path), "a partial download is removed")
        self.assertEqual(client.download(self.base + "/big", path), 5000)

    def test_multipart(self):
        body, ctype = client.multipart([("prompt", "a stool"), ("images", ("0.png", b"\x89PNG", "image/png"))])
        boundary = ctype.split("boundary=")[1].encode()
        self.assertIn(b'name="prompt"\r\n\r\na stool\r\n', body)
        self.assertIn(b'filename="0.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n', body)
        self.assertTrue(body.endswith(b"--" + boundary + b"--\r\n"))


class IntegrationsTest(unittest.TestCase):
    def test_defaults_env_overrides_and_no_key_in_repr(self):
        c = integrations.resolve("sketchfab", True, "", "pref-token", environ={})
        self.assertEqual((c.base_url, c.key), ("https://api.sketchfab.com", "pref-token"))
        self.assertNotIn("pref-token", repr(c))
        env = {"BLENDER_MCP_BUS_SKETCHFAB_URL": "http://127.0.0.1:1/", "BLENDER_MCP_BUS_SKETCHFAB_TOKEN": "env-token"}
        c = integrations.resolve("sketchfab", True, "https://x", "pref-token", environ=env)
        self.assertEqual((c.base_url, c.key), ("http://127.0.0.1:1", "env-token"))

    def test_hyper3d_backend_picks_url_and_key(self):
        env = {"BLENDER_MCP_BUS_HYPER3D_BACKEND": "fal_ai", "BLENDER_MCP_BUS_FAL_KEY": "fk"}
        c = integrations.resolve("hyper3d", True, environ=env)
        self.assertEqual((c.backend, c.base_url, c.key), ("fal_ai", "https://queue.fal.run", "fk"))
        c = integrations.resolve("hyper3d", True, key="hk", environ={})
        self.assertEqual((c.backend, c.base_url, c.key), ("main_site", "https://hyperhuman.deemos.com", "hk"))


class PolyhavenPlanTest(unittest.TestCase):
    def entry(self, name, **extra):
        return dict({"url": "https://dl.polyhaven.org/file/" + name, "size": 10, "md5": ""}, **extra)

    def test_hdri_texture_and_model_plans(self):
        hdri = polyhaven.plan({"hdri": {"1k": {"hdr": self.entry("sky_1k.hdr")}}}, "hdris", "1k", "hdr")
        self.assertEqual([(r["relpath"], r["role"]) for r in hdri], [("sky_1k.hdr", "hdri")])
        files = {"Diffuse": {"1k": {"jpg": self.entry("b_diff_1k.jpg")}},
                 "nor_dx": {"1k": {"jpg": self.entry("b_nor_dx_1k.jpg")}},
                 "nor_gl": {"1k": {"jpg": self.entry("b_nor_gl_1k.jpg")}},
                 "Rough": {"1k": {"jpg": self.entry("b_rough_1k.jpg")}},
                 "blend": {"1k": {"blend": self.entry("b.blend")}}}
        roles = [(r["role"], r["relpath"]) for r in polyhaven.plan(files, "textures", "1k", "jpg")]
        self.assertEqual(roles, [("diffuse", "diffuse_b_diff_1k.jpg"), ("normal", "normal_b_nor_gl_1k.jpg"),
                                 ("roughness", "roughness_b_rough_1k.jpg")])
        model = {"gltf": {"1k": {"gltf": self.entry("m.gltf", include={"textures/a.jpg": self.entry("a.jpg")})}}}
        self.assertEqual([r["relpath"] for r in polyhaven.plan(model, "models", "1k", "gltf")],
                         ["m.gltf", "textures/a.jpg"])

    def test_bad_includes_and_missing_resolutions(self):
        model = {"gltf": {"1k": {"gltf": self.entry("m.gltf", include={"../../.bashrc": self.entry("x")})}}}
        with self.assertRaises(UnsafeArchive):
            polyhaven.plan(model, "models", "1k", "gltf")
        with self.assertRaises(JobFailed) as caught:
            polyhaven.plan({"hdri": {"1k": {"hdr": self.entry("a")}}}, "hdris", "8k", "hdr")
        self.assertIn("available: 1k", str(caught.exception))
