"""The connection thread and session against a real local WebSocket server."""
import json
import queue
import socket
import unittest

from blender_mcp_bus.core import connection as connection_module
from blender_mcp_bus.core import websocket as ws
from blender_mcp_bus.core.session import HostFacts, Session
from blender_mcp_bus.core.settings import Settings
from blender_mcp_bus.generated.catalog import PACKAGE_VERSION, PROTOCOL_VERSION
from py_unit.fake_handlers import make_registry
from py_unit.wsserver import WsServer, close_frame

WAIT = 5
TOKEN = "bmcp_test-token"


def welcome(hello, heartbeat=15):
    return json.dumps({"message_type": "welcome", "server_version": "0.1.0", "protocol_version": 2,
                       "client_uuid": hello["client_uuid"], "heartbeat_seconds": heartbeat})


class ConnectionTest(unittest.TestCase):
    def setUp(self):
        self.lines = queue.Queue()
        self.registry, self.calls = make_registry()
        self.session = Session(self.registry, "blender-test1",
                               lambda: HostFacts("3.4.1", "/tmp/scene.blend", "scene.blend"))
        self.statuses = queue.Queue()
        self.session.connection.on_status = lambda s: self.statuses.put(s)
        self.session.connection.console = self.lines.put
        self.addCleanup(self.session.disconnect, "test over")

    def serve(self, handler):
        server = WsServer(handler, token=TOKEN)
        self.addCleanup(server.stop)
        return server

    def settings(self, server, **kw):
        base = dict(server_url=server.url, token=TOKEN, backoff_initial_seconds=0.05, backoff_max_seconds=0.2)
        base.update(kw)
        return Settings(**base)

    def wait_state(self, state):
        while True:
            status = self.statuses.get(timeout=WAIT)
            if status.state == state:
                return status

    def test_hello_welcome_then_jobs_run_and_report(self):
        hellos, frames = queue.Queue(), queue.Queue()

        def handler(conn):
            hello = json.loads(conn.read_text())
            hellos.put(hello)
            conn.send_text(welcome(hello))
            conn.send_text(json.dumps({"message_type": "command_dispatch", "job_id": "j1",
                                       "command": "get_scene_info", "params": {"limit": 7}, "priority": "info"}))
            conn.send_text(json.dumps({"message_type": "ping", "nonce": "abc"}))
            while True:
                frames.put(json.loads(conn.read_text()))

        server = self.serve(handler)
        self.session.connect(self.settings(server).with_gated(["execute_code"]))
        hello = hellos.get(timeout=WAIT)
        self.assertEqual(hello, {
            "message_type": "hello", "client_uuid": "blender-test1", "label": "scene.blend", "client_type": "blender",
            "blender_version": "3.4.1", "blend_file": "/tmp/scene.blend", "addon_version": PACKAGE_VERSION,
            "protocol_version": PROTOCOL_VERSION, "commands": self.registry.names, "gated": ["execute_code"]})
        self.assertEqual(self.lines.get(timeout=WAIT), "connected as blender-test1 to %s" % server.url)
        # The pong comes from the socket thread: nothing has run on the "main thread" yet.
        self.assertEqual(frames.get(timeout=WAIT), {"message_type": "pong", "nonce": "abc"})
        self.assertEqual(self.session.connection.status.state, "connected")
        self.assertEqual(self.session.run_pending([]), 1)
        running, done = frames.get(timeout=WAIT), frames.get(timeout=WAIT)
        self.assertEqual((running["status"], running["result"], running["error"]), ("running", None, ""))
        self.assertEqual((done["job_id"], done["status"], done["error"]), ("j1", "completed", ""))
        self.assertEqual(self.calls, [("get_scene_info", 0, 7)])
        self.session.disconnect()
        self.assertEqual(self.lines.get(timeout=WAIT), "disconnected: disconnected by user")
        self.assertEqual(self.session.connection.status.state, "disconnected")

    def test_refused_shows_the_reason_and_backs_off_to_the_longest_delay(self):
        def handler(conn):
            conn.read_text()
            conn.send_text(json.dumps({"message_type": "refused", "code": "incompatible_protocol",
                                       "reason": "update the addon", "protocol_version": 2}))
            conn.send_frame(ws.OP_CLOSE, close_frame(4002, "refused"))

        server = self.serve(handler)
        self.session.connect(self.settings(server, backoff_max_seconds=30))
        status = self.wait_state("refused")
        self.assertIn("update the addon", status.detail)
        self.assertIn("incompatible_protocol", status.detail)
        self.assertGreater(status.retry_at - connection_module.time.monotonic(), 10)
        self.assertEqual(self.lines.get(timeout=WAIT), "refused (incompatible_protocol): update the addon")

    def test_reconnects_with_the_same_uuid_after_the_server_drops(self):
        hellos = queue.Queue()
        count = [0]

        def handler(conn):
            hello = json.loads(conn.read_text())
            hellos.put(hello)
            count[0] += 1
            conn.send_text(welcome(hello))
            if count[0] == 1:
                conn.send_frame(ws.OP_CLOSE, close_frame(1001, "server restarting"))
                return
            while True:
                conn.read_frame()

        server = self.serve(handler)
        self.session.connect(self.settings(server))
        first, second = hellos.get(timeout=WAIT), hellos.get(timeout=WAIT)
        self.assertEqual(first["client_uuid"], second["client_uuid"])
        lines = [self.lines.get(timeout=WAIT) for _ in range(3)]
        self.assertEqual(lines[0], lines[2])
        self.assertEqual(lines[1], "disconnected: server closed the connection (1001 server restarting)")

    def test_unreachable_server_keeps_retrying(self):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        url = "ws://127.0.0.1:%d/addon" % probe.getsockname()[1]
        probe.close()  # bound once, never listening: connections are refused
        self.session.connect(Settings(server_url=url, token=TOKEN, backoff_initial_seconds=0.01, backoff_max_seconds=0.02))
        status = self.wait_state("retrying")
        self.assertIn("cannot connect", status.detail)
        self.wait_state("connecting")  # and tries again

    def test_updates_finished_while_offline_are_sent_after_reconnecting(self):
        frames = queue.Queue()

        def handler(conn):
            hello = json.loads(conn.read_text())
            conn.send_text(welcome(hello))
            while True:
                frames.put(json.loads(conn.read_text()))

        self.session.reporter.completed("offline-job", {"stdout": "", "stderr": "", "truncated": False})
        server = self.serve(handler)
        self.session.connect(self.settings(server))
        update = frames.get(timeout=WAIT)
        self.assertEqual((update["job_id"], update["status"]), ("offline-job", "completed"))

    def test_replaced_connection_does_not_fight_back(self):
        def handler(conn):
            hello = json.loads(conn.read_text())
            conn.send_text(welcome(hello))
            conn.send_frame(ws.OP_CLOSE, close_frame(4000, "replaced by a new connection"))

        server = self.serve(handler)
        self.session.connect(self.settings(server))
        status = self.wait_state("disconnected")
        self.assertIn("replaced", status.detail)
        self.assertEqual(len(server.connections), 1)


if __name__ == "__main__":
    unittest.main()
