"""A tiny WebSocket server on a real local TCP socket, for the tests.

Each accepted connection is handed to a per-test handler on its own thread;
the handler drives frames by hand, so tests can send exactly the bytes they
mean (fragments, pings, close codes) and read what the client sent."""
import base64
import hashlib
import json
import os
import socket
import struct
import threading

from blender_mcp_bus.core import handshake
from blender_mcp_bus.core import websocket as ws

GUID = ws.GUID


class ServerConn:
    def __init__(self, sock, request: bytes):
        self.sock = sock
        self.request = request
        self.reader = ws.FrameReader(sock)

    def send_frame(self, opcode, payload, fin=True, mask=None):
        self.sock.sendall(ws.encode_frame(opcode, payload, fin=fin, mask=mask))

    def send_text(self, text):
        self.send_frame(ws.OP_TEXT, text.encode("utf-8"))

    def read_frame(self):
        """(fin, opcode, payload, masked); payload already unmasked."""
        return self.reader.read_frame(1 << 30)

    def read_text(self):
        while True:
            fin, op, payload, masked = self.read_frame()
            if op == ws.OP_TEXT:
                return payload.decode("utf-8")

    def prove(self, token, server_proof=None):
        """The real server's side of the auth handshake; server_proof overrides the proof (an impostor).
        Returns the client's auth_proof, or None when the client sent nothing more."""
        begin = json.loads(self.read_text())
        self.begin = begin
        key = handshake.key_from_token(token)
        nonce = handshake.new_nonce()
        proof = server_proof or handshake.proof(key, "server", "addon", begin["key_id"], begin["client_nonce"], nonce)
        self.send_text(json.dumps({"message_type": "auth_challenge", "protocol_version": 2,
                                   "server_nonce": nonce, "server_proof": proof}))
        try:
            answer = json.loads(self.read_text())
        except ws.WebSocketError:
            return None
        expected = handshake.proof(key, "client", "addon", begin["key_id"], begin["client_nonce"], nonce)
        assert answer == {"message_type": "auth_proof", "client_proof": expected}, answer
        return answer

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class WsServer:
    """handler(conn) runs per connection; accept_key overrides the handshake answer."""

    def __init__(self, handler, status_line="HTTP/1.1 101 Switching Protocols", bad_accept=False, token=None):
        self.handler = handler
        # With a token, each connection first passes the auth handshake as the real server runs it.
        self.token = token
        self.status_line = status_line
        self.bad_accept = bad_accept
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.url = "ws://127.0.0.1:%d/addon" % self.port
        self.connections = []
        self.requests = []
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    def _accept_loop(self):
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                sock.close()
                return
            data += chunk
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        self.requests.append(head)
        headers = {}
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        key = headers.get("sec-websocket-key", "")
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        if self.bad_accept:
            accept = base64.b64encode(os.urandom(20)).decode()
        if not self.status_line.startswith("HTTP/1.1 101"):
            sock.sendall((self.status_line + "\r\nContent-Length: 0\r\n\r\n").encode())
            sock.close()
            return
        response = "%s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n" % (
            self.status_line, accept)
        sock.sendall(response.encode())
        conn = ServerConn(sock, data)
        self.connections.append(conn)
        try:
            if self.token is not None:
                conn.prove(self.token)
            self.handler(conn)
        except (OSError, ws.WebSocketError):
            pass
        finally:
            conn.close()

    def stop(self):
        self.listener.close()
        for conn in self.connections:
            conn.close()


def close_frame(code, reason=""):
    return struct.pack("!H", code) + reason.encode()
