"""The auth handshake: the proofs (same bytes as the TypeScript side), the
client's checks, and the connection's behaviour against an impostor."""
import json
import queue
import time
import unittest

from blender_mcp_bus.core import handshake
from blender_mcp_bus.core.connection import insecure_url_refusal
from blender_mcp_bus.core.session import HostFacts, Session
from blender_mcp_bus.core.settings import Settings, with_env
from py_unit.fake_handlers import make_registry
from py_unit.wsserver import WsServer

WAIT = 5
TOKEN = "bmcp_test-token"
URL = "ws://127.0.0.1:9860/addon"


def challenge(auth: handshake.ClientAuth, token: str, channel: str = "addon", server_nonce: str = "B" * 43):
    begin = auth.begin()
    key = handshake.key_from_token(token)
    return json.dumps({"message_type": "auth_challenge", "protocol_version": 2, "server_nonce": server_nonce,
                       "server_proof": handshake.proof(key, "server", channel, begin["key_id"], begin["client_nonce"],
                                                       server_nonce)})


class ProofTest(unittest.TestCase):
    def test_the_same_bytes_as_the_typescript_side(self):
        # Printed by packages/protocol/src/auth.ts for the same inputs.
        key = handshake.key_from_token("bmcp_vector")
        kid = handshake.key_id(key)
        self.assertEqual(kid, "697f4a595b766c12")
        self.assertEqual(handshake.proof(key, "server", "addon", kid, "A" * 43, "B" * 43),
                         "mu32p3Y1B5Ur-KZLu4bBGsvE7lUD3sAz_gmMxLE3LWY")
        self.assertEqual(handshake.proof(key, "client", "mcp", kid, "A" * 43, "B" * 43),
                         "yXXR0mt7e1P350xLpHAb9kRdYj5JU_S6Gtev975RNJw")

    def test_begin_carries_no_token_and_a_fresh_nonce(self):
        a, b = handshake.ClientAuth(TOKEN, URL, 2).begin(), handshake.ClientAuth(TOKEN, URL, 2).begin()
        self.assertEqual(set(a), {"message_type", "protocol_version", "key_id", "client_nonce"})
        self.assertNotIn(TOKEN, json.dumps(a))
        self.assertNotIn(handshake.key_from_token(TOKEN).hex(), json.dumps(a))
        self.assertEqual(a["key_id"], b["key_id"])
        self.assertNotEqual(a["client_nonce"], b["client_nonce"])
        self.assertEqual(len(a["client_nonce"]), 43)

    def test_a_right_proof_is_answered_with_ours(self):
        auth = handshake.ClientAuth(TOKEN, URL, 2)
        reply = auth.answer(challenge(auth, TOKEN))
        begin = auth.begin()
        expected = handshake.proof(handshake.key_from_token(TOKEN), "client", "addon", begin["key_id"],
                                   begin["client_nonce"], "B" * 43)
        self.assertEqual(reply, {"message_type": "auth_proof", "client_proof": expected})

    def test_a_wrong_key_another_channel_or_garbage_is_an_impostor(self):
        cases = {
            "another token": lambda a: challenge(a, "bmcp_other"),
            "the mcp channel's proof": lambda a: challenge(a, TOKEN, channel="mcp"),
            "a welcome": lambda a: json.dumps({"message_type": "welcome"}),
            "not JSON": lambda a: "{nope",
            "a short nonce": lambda a: json.dumps({"message_type": "auth_challenge", "server_nonce": "x",
                                                   "server_proof": "y"}),
        }
        for name, make in cases.items():
            with self.subTest(name):
                auth = handshake.ClientAuth(TOKEN, URL, 2)
                with self.assertRaises(handshake.AuthFailed) as caught:
                    auth.answer(make(auth))
                self.assertEqual(caught.exception.kind, "impostor")
                self.assertIn("ss -ltnp 'sport = :9860'", caught.exception.message)
                self.assertIn("lsof -i :9860", caught.exception.message)

    def test_a_server_from_before_the_handshake_is_told_apart(self):
        auth = handshake.ClientAuth(TOKEN, URL, 2)
        old = json.dumps({"message_type": "refused", "code": "unauthorized", "reason": "missing bearer token",
                          "protocol_version": 1})
        with self.assertRaises(handshake.AuthFailed) as caught:
            auth.answer(old)
        self.assertEqual(caught.exception.kind, "outdated")
        self.assertIn("update the server", caught.exception.message)


class SettingsTest(unittest.TestCase):
    def test_ws_to_another_machine_needs_the_explicit_preference(self):
        self.assertIsNone(insecure_url_refusal(Settings(server_url="ws://127.0.0.1:9860/addon")))
        self.assertIsNone(insecure_url_refusal(Settings(server_url="ws://localhost:9860/addon")))
        self.assertIsNone(insecure_url_refusal(Settings(server_url="wss://bus.example.com/addon")))
        refusal = insecure_url_refusal(Settings(server_url="ws://bus.example.com/addon"))
        self.assertIn("Allow unencrypted remote server", refusal)
        self.assertIsNone(insecure_url_refusal(Settings(server_url="ws://bus.example.com/addon",
                                                        allow_insecure_remote=True)))

    def test_env_overrides_for_launch_harnesses(self):
        s = with_env(Settings(), {"BLENDER_MCP_BUS_BACKOFF_MAX": "2", "BLENDER_MCP_BUS_ALLOW_INSECURE_REMOTE": "1"})
        self.assertEqual(s.backoff_max_seconds, 2.0)
        self.assertTrue(s.allow_insecure_remote)
        self.assertEqual(with_env(Settings(), {}), Settings())


WELCOME = json.dumps({"message_type": "welcome", "server_version": "0.1.0", "protocol_version": 2,
                      "client_uuid": "x", "heartbeat_seconds": 15})


def record_the_rest(conn, received):
    try:
        while True:
            received.put(conn.read_text())
    except Exception:  # the addon hung up: what it sent is recorded
        pass


class ImpostorTest(unittest.TestCase):
    """A server that does not know the token: it gets auth_begin and nothing else."""

    def setUp(self):
        self.registry, self.calls = make_registry()
        self.session = Session(self.registry, "blender-secret-uuid",
                               lambda: HostFacts("3.4.1", "/home/me/secret.blend", "secret label"))
        self.statuses = queue.Queue()
        self.lines = queue.Queue()
        self.session.connection.on_status = self.statuses.put
        self.session.connection.console = self.lines.put
        self.addCleanup(self.session.disconnect, "test over")

    def run_against(self, handler):
        received = queue.Queue()

        def recording(conn):
            received.put(conn.request)
            handler(conn, received)

        server = WsServer(recording)
        self.addCleanup(server.stop)
        self.session.connect(Settings(server_url=server.url, token=TOKEN, backoff_initial_seconds=0.05,
                                      backoff_max_seconds=30))
        while True:
            status = self.statuses.get(timeout=WAIT)
            if status.state in ("refused", "connected", "retrying"):
                break
        frames = []
        while not received.empty():
            frames.append(received.get())
        return status, frames

    def assert_nothing_leaked(self, frames):
        everything = b"".join(f if isinstance(f, bytes) else f.encode() for f in frames)
        for secret in (TOKEN, handshake.key_from_token(TOKEN).hex(), "blender-secret-uuid", "secret label",
                       "secret.blend", "Bearer", "hello", "job_update"):
            self.assertNotIn(secret.encode(), everything, secret)
        self.assertEqual(self.calls, [], "no job ran")
        self.assertEqual(self.session.pending(), 0, "no job was queued")

    def test_a_wrong_proof_is_refused_before_anything_is_sent(self):
        def handler(conn, received):
            begin = conn.read_text()
            received.put(begin)
            conn.send_text(json.dumps({"message_type": "auth_challenge", "protocol_version": 2,
                                       "server_nonce": "B" * 43, "server_proof": "C" * 43}))
            # What an impostor would try next; the addon must not act on it.
            conn.send_text(WELCOME)
            conn.send_text(json.dumps({"message_type": "command_dispatch", "job_id": "j1", "command": "execute_code",
                                       "params": {"code": "print(1)"}, "priority": "normal"}))
            record_the_rest(conn, received)

        status, frames = self.run_against(handler)
        self.assertEqual(status.state, "refused")
        self.assertIn("did not prove it knows this token", status.detail)
        self.assertIn("ss -ltnp", status.detail)
        self.assertGreater(status.retry_at - time.monotonic(), 10, "backs off the longest delay")
        self.assertEqual(json.loads(frames[1])["message_type"], "auth_begin")
        self.assertEqual(len(frames), 2, "the upgrade and auth_begin, nothing more")
        self.assert_nothing_leaked(frames)
        self.assertIn("ss -ltnp", self.lines.get(timeout=WAIT))

    def test_skipping_the_challenge_gets_no_hello_and_no_job_run(self):
        def handler(conn, received):
            conn.send_text(WELCOME)
            conn.send_text(json.dumps({"message_type": "job_dispatch", "job_id": "j2", "script": "print(2)",
                                       "priority": "normal"}))
            record_the_rest(conn, received)

        status, frames = self.run_against(handler)
        self.assertEqual(status.state, "refused")
        self.assertIn("instead of auth_challenge", status.detail)
        self.assert_nothing_leaked(frames)


if __name__ == "__main__":
    unittest.main()
