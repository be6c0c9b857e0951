import queue
import socket
import struct
import unittest

from blender_mcp_bus.core import websocket as ws
from py_unit.wsserver import WsServer, close_frame


class FrameEncodingTest(unittest.TestCase):
    def test_accept_key_matches_rfc_example(self):
        self.assertEqual(ws.accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")

    def test_masking_is_its_own_inverse_and_matches_bytewise_xor(self):
        mask = b"\x01\x02\x03\x04"
        data = bytes(range(256)) * 3 + b"tail"
        masked = ws.apply_mask(data, mask)
        self.assertEqual(masked, bytes(b ^ mask[i % 4] for i, b in enumerate(data)))
        self.assertEqual(ws.apply_mask(masked, mask), data)
        self.assertEqual(ws.apply_mask(b"", mask), b"")

    def test_length_forms(self):
        for n, header_len, marker in ((0, 2, 0), (125, 2, 125), (126, 4, 126), (65535, 4, 126), (65536, 10, 127)):
            frame = ws.encode_frame(ws.OP_BINARY, b"x" * n)
            self.assertEqual(frame[1] & 0x7F, marker, n)
            self.assertEqual(len(frame), header_len + n, n)
            masked = ws.encode_frame(ws.OP_BINARY, b"x" * n, mask=b"abcd")
            self.assertTrue(masked[1] & 0x80)
            self.assertEqual(len(masked), header_len + 4 + n)

    def test_close_payload_round_trip(self):
        self.assertEqual(ws.parse_close_payload(ws.close_payload(4002, "nope")), (4002, "nope"))
        self.assertEqual(ws.parse_close_payload(b""), (ws.CLOSE_NO_STATUS, ""))

    def test_parse_url(self):
        self.assertEqual(ws.parse_url("ws://127.0.0.1:9860/addon"), (False, "127.0.0.1", 9860, "/addon"))
        self.assertEqual(ws.parse_url("wss://bus.example.com/addon?x=1"), (True, "bus.example.com", 443, "/addon?x=1"))
        with self.assertRaises(ws.WebSocketError):
            ws.parse_url("http://127.0.0.1/")


class ClientAgainstServerTest(unittest.TestCase):
    """Real sockets: a local server speaks frames by hand to the client."""

    def serve(self, handler, **kwargs):
        server = WsServer(handler, **kwargs)
        self.addCleanup(server.stop)
        return server

    def connect(self, server, **kwargs):
        client = ws.connect(server.url, timeout=5, **kwargs)
        self.addCleanup(client.abort)
        return client

    def test_handshake_sends_headers_and_client_frames_are_masked(self):
        seen = queue.Queue()

        def handler(conn):
            seen.put(conn.read_frame())

        server = self.serve(handler)
        client = self.connect(server, headers={"Authorization": "Bearer t0k"})
        client.send_text("héllo")
        fin, op, payload, masked = seen.get(timeout=5)
        self.assertTrue(fin)
        self.assertEqual(op, ws.OP_TEXT)
        self.assertTrue(masked, "RFC 6455: client frames must be masked")
        self.assertEqual(payload.decode("utf-8"), "héllo")
        self.assertIn("Authorization: Bearer t0k", server.requests[0])
        self.assertIn("GET /addon HTTP/1.1", server.requests[0])

    def test_all_three_length_forms_both_ways(self):
        sizes = [0, 1, 125, 126, 1000, 65535, 65536, 200000]
        echoed = queue.Queue()

        def handler(conn):
            for _ in sizes:
                fin, op, payload, masked = conn.read_frame()
                echoed.put(len(payload))
                conn.send_frame(ws.OP_BINARY, payload)

        client = self.connect(self.serve(handler))
        for n in sizes:
            data = bytes([n % 251]) * n
            client.send_binary(data)
            self.assertEqual(echoed.get(timeout=5), n)
            self.assertEqual(client.recv(), (ws.OP_BINARY, data))

    def test_fragmented_message_with_interleaved_ping(self):
        pongs = queue.Queue()

        def handler(conn):
            conn.send_frame(ws.OP_TEXT, b"one ", fin=False)
            conn.send_frame(ws.OP_PING, b"beat")
            conn.send_frame(ws.OP_CONTINUATION, b"two ", fin=False)
            conn.send_frame(ws.OP_CONTINUATION, b"three", fin=True)
            pongs.put(conn.read_frame())

        client = self.connect(self.serve(handler))
        self.assertEqual(client.recv_text(), "one two three")
        fin, op, payload, masked = pongs.get(timeout=5)
        self.assertEqual((op, payload, masked), (ws.OP_PONG, b"beat", True))

    def test_server_close_is_echoed_and_reported_with_code(self):
        echoed = queue.Queue()

        def handler(conn):
            conn.send_frame(ws.OP_CLOSE, close_frame(4002, "refused"))
            echoed.put(conn.read_frame())

        client = self.connect(self.serve(handler))
        with self.assertRaises(ws.ConnectionClosed) as caught:
            client.recv()
        self.assertEqual((caught.exception.code, caught.exception.reason), (4002, "refused"))
        fin, op, payload, masked = echoed.get(timeout=5)
        self.assertEqual(op, ws.OP_CLOSE)
        self.assertEqual(ws.parse_close_payload(payload)[0], 4002)

    def test_client_close_sends_code_and_reason(self):
        got = queue.Queue()

        def handler(conn):
            got.put(conn.read_frame())

        client = self.connect(self.serve(handler))
        client.close(1000, "bye")
        fin, op, payload, masked = got.get(timeout=5)
        self.assertEqual(op, ws.OP_CLOSE)
        self.assertEqual(ws.parse_close_payload(payload), (1000, "bye"))
        with self.assertRaises(ws.ConnectionClosed):
            client.send_text("after close")

    def test_dropped_tcp_connection_is_abnormal_close(self):
        def handler(conn):
            pass  # returning closes the socket without a close frame

        client = self.connect(self.serve(handler))
        with self.assertRaises(ws.ConnectionClosed) as caught:
            client.recv()
        self.assertEqual(caught.exception.code, ws.CLOSE_ABNORMAL)

    def test_masked_server_frame_is_a_protocol_error(self):
        got = queue.Queue()

        def handler(conn):
            conn.send_frame(ws.OP_TEXT, b"sneaky", mask=b"\x00\x01\x02\x03")
            got.put(conn.read_frame())

        client = self.connect(self.serve(handler))
        with self.assertRaises(ws.ConnectionClosed) as caught:
            client.recv()
        self.assertEqual(caught.exception.code, ws.CLOSE_PROTOCOL_ERROR)
        fin, op, payload, masked = got.get(timeout=5)
        self.assertEqual(ws.parse_close_payload(payload)[0], ws.CLOSE_PROTOCOL_ERROR)

    def test_invalid_utf8_text_closes_with_1007(self):
        def handler(conn):
            conn.send_frame(ws.OP_TEXT, b"\xff\xfe")
            conn.read_frame()

        client = self.connect(self.serve(handler))
        with self.assertRaises(ws.ConnectionClosed) as caught:
            client.recv()
        self.assertEqual(caught.exception.code, ws.CLOSE_INVALID_DATA)

    def test_oversized_message_closes_with_1009(self):
        def handler(conn):
            conn.send_frame(ws.OP_BINARY, b"x" * 2000)
            conn.read_frame()

        server = self.serve(handler)
        client = ws.connect(server.url, timeout=5, max_message_bytes=1000)
        self.addCleanup(client.abort)
        with self.assertRaises(ws.ConnectionClosed) as caught:
            client.recv()
        self.assertEqual(caught.exception.code, ws.CLOSE_TOO_BIG)

    def test_wrong_accept_key_fails_the_handshake(self):
        server = self.serve(lambda conn: None, bad_accept=True)
        with self.assertRaises(ws.HandshakeError):
            ws.connect(server.url, timeout=5)

    def test_http_error_status_fails_the_handshake(self):
        server = self.serve(lambda conn: None, status_line="HTTP/1.1 401 Unauthorized")
        with self.assertRaises(ws.HandshakeError) as caught:
            ws.connect(server.url, timeout=5)
        self.assertEqual(caught.exception.status, 401)

    def test_bytes_after_handshake_in_the_same_packet_are_kept(self):
        # A server may send its first frame in the same TCP segment as the 101.
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        self.addCleanup(listener.close)
        url = "ws://127.0.0.1:%d/" % listener.getsockname()[1]
        result = queue.Queue()

        import threading

        def run_client():
            try:
                client = ws.connect(url, timeout=5)
                result.put(client.recv_text())
                client.abort()
            except Exception as error:  # reported to the test thread
                result.put(error)

        threading.Thread(target=run_client, daemon=True).start()
        sock, _ = listener.accept()
        self.addCleanup(sock.close)
        request = b""
        while b"\r\n\r\n" not in request:
            request += sock.recv(4096)
        key = [l.split(b":", 1)[1].strip() for l in request.split(b"\r\n") if l.lower().startswith(b"sec-websocket-key")][0]
        answer = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Accept: %s\r\n\r\n" % ws.accept_key(key.decode())).encode()
        sock.sendall(answer + ws.encode_frame(ws.OP_TEXT, b"early"))
        self.assertEqual(result.get(timeout=5), "early")


if __name__ == "__main__":
    unittest.main()
