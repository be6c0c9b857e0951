"""A small RFC 6455 WebSocket client on the standard library.

Blender ships no pip, so the addon cannot depend on websocket-client or
websockets. This covers what the bus needs: the opening handshake with its
accept-key check, masked client frames in all three length forms, fragmented
messages, ping/pong and close codes, over ws:// or wss://.
"""
import base64
import hashlib
import hmac
import os
import socket
import ssl
import struct
import threading
from typing import Dict, Optional, Tuple
from urllib.parse import urlsplit

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONTINUATION = 0x0
OP_TEXT = 0x1
OP_BINARY = 0x2
OP_CLOSE = 0x8
OP_PING = 0x9
OP_PONG = 0xA
_DATA_OPS = (OP_TEXT, OP_BINARY)
_CONTROL_OPS = (OP_CLOSE, OP_PING, OP_PONG)

CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_PROTOCOL_ERROR = 1002
CLOSE_NO_STATUS = 1005
CLOSE_ABNORMAL = 1006
CLOSE_INVALID_DATA = 1007
CLOSE_TOO_BIG = 1009

# Screenshots travel as base64 in one message; the server allows 64 MiB.
DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024
_MAX_HEADER_BYTES = 64 * 1024


class WebSocketError(Exception):
    """The connection failed or broke the protocol."""


class HandshakeError(WebSocketError):
    def __init__(self, message: str, status: Optional[int] = None):
        super().__init__(message)
        self.status = status


class ConnectionClosed(WebSocketError):
    """The peer closed (or the socket ended); code and reason say why."""

    def __init__(self, code: int, reason: str = ""):
        super().__init__("closed %d%s" % (code, ": " + reason if reason else ""))
        self.code = code
        self.reason = reason


def accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key + GUID).encode("ascii")).digest()).decode("ascii")


def apply_mask(data: bytes, mask: bytes) -> bytes:
    if not data:
        return b""
    # One big-integer XOR instead of a Python loop per byte: large frames stay cheap.
    n = len(data)
    repeated = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")).to_bytes(n, "big")


def encode_frame(opcode: int, payload: bytes, fin: bool = True, mask: Optional[bytes] = None) -> bytes:
    """One frame; mask=None sends it unmasked (what a server does), else with that 4-byte key."""
    head = bytearray([(0x80 if fin else 0) | opcode])
    mask_bit = 0x80 if mask is not None else 0
    n = len(payload)
    if n < 126:
        head.append(mask_bit | n)
    elif n < 1 << 16:
        head.append(mask_bit | 126)
        head += struct.pack("!H", n)
    else:
        head.append(mask_bit | 127)
        head += struct.pack("!Q", n)
    if mask is None:
        return bytes(head) + payload
    return bytes(head) + mask + apply_mask(payload, mask)


def close_payload(code: int, reason: str = "") -> bytes:
    if code in (CLOSE_NO_STATUS, CLOSE_ABNORMAL):
        return b""
    return struct.pack("!H", code) + reason.encode("utf-8")[:123]


def parse_close_payload(payload: bytes) -> Tuple[int, str]:
    if len(payload) < 2:
        return CLOSE_NO_STATUS, ""
    (code,) = struct.unpack("!H", payload[:2])
    return code, payload[2:].decode("utf-8", errors="replace")


class FrameReader:
    """Reads frames from a socket, keeping bytes that arrived with the handshake."""

    def __init__(self, sock, initial: bytes = b""):
        self._sock = sock
        self._buffer = bytearray(initial)

    def read_exact(self, n: int) -> bytes:
        while len(self._buffer) < n:
            chunk = self._sock.recv(max(65536, n - len(self._buffer)))
            if not chunk:
                raise ConnectionClosed(CLOSE_ABNORMAL, "connection lost")
            self._buffer += chunk
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data

    def read_frame(self, max_bytes: int) -> Tuple[bool, int, bytes, bool]:
        """(fin, opcode, payload, was_masked)."""
        b0, b1 = self.read_exact(2)
        if b0 & 0x70:
            raise _ProtocolViolation(CLOSE_PROTOCOL_ERROR, "reserved bits set without an extension")
        fin, opcode = bool(b0 & 0x80), b0 & 0x0F
        masked, n = bool(b1 & 0x80), b1 & 0x7F
        if n == 126:
            (n,) = struct.unpack("!H", self.read_exact(2))
        elif n == 127:
            (n,) = struct.unpack("!Q", self.read_exact(8))
        if opcode in _CONTROL_OPS and (n > 125 or not fin):
            raise _ProtocolViolation(CLOSE_PROTOCOL_ERROR, "control frame too long or fragmented")
        if n > max_bytes:
            raise _ProtocolViolation(CLOSE_TOO_BIG, "frame of %d bytes exceeds %d" % (n, max_bytes))
        mask = self.read_exact(4) if masked else None
        payload = self.read_exact(n)
        if mask is not None:
            payload = apply_mask(payload, mask)
        return fin, opcode, payload, masked


class _ProtocolViolation(WebSocketError):
    def __init__(self, code: int, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


class WebSocket:
    """A connected client socket. recv() from one thread; send from any."""

    def __init__(self, sock, initial: bytes = b"", max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES):
        self.sock = sock
        self._reader = FrameReader(sock, initial)
        self._send_lock = threading.Lock()
        self._max = max_message_bytes
        self.close_sent = False
        self.closed = False

    # -- sending ------------------------------------------------------------

    def _send_frame(self, opcode: int, payload: bytes, fin: bool = True) -> None:
        frame = encode_frame(opcode, payload, fin=fin, mask=os.urandom(4))
        with self._send_lock:
            if self.close_sent:
                raise ConnectionClosed(CLOSE_NORMAL, "close already sent")
            if opcode == OP_CLOSE:
                self.close_sent = True
            self.sock.sendall(frame)

    def send_text(self, text: str) -> None:
        self._send_frame(OP_TEXT, text.encode("utf-8"))

    def send_binary(self, data: bytes) -> None:
        self._send_frame(OP_BINARY, data)

    def ping(self, payload: bytes = b"") -> None:
        self._send_frame(OP_PING, payload)

    def pong(self, payload: bytes = b"") -> None:
        self._send_frame(OP_PONG, payload)

    def close(self, code: int = CLOSE_NORMAL, reason: str = "") -> None:
        """Send a close frame (once) and shut the socket: a blocked recv() returns."""
        try:
            self._send_frame(OP_CLOSE, close_payload(code, reason))
        except (OSError, ConnectionClosed):
            pass
        self.abort()

    def abort(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass

    # -- receiving ----------------------------------------------------------

    def settimeout(self, seconds: Optional[float]) -> None:
        self.sock.settimeout(seconds)

    def recv(self) -> Tuple[int, bytes]:
        """Next whole data message as (OP_TEXT or OP_BINARY, payload).

        Answers pings itself; raises ConnectionClosed when the peer closes or
        the socket ends, after answering the close handshake."""
        opcode, parts, size = None, [], 0
        while True:
            try:
                fin, op, payload, masked = self._reader.read_frame(self._max)
                if masked:
                    raise _ProtocolViolation(CLOSE_PROTOCOL_ERROR, "a server must not mask frames")
                if op in _CONTROL_OPS:
                    self._on_control(op, payload)
                    continue
                if op == OP_CONTINUATION:
                    if opcode is None:
                        raise _ProtocolViolation(CLOSE_PROTOCOL_ERROR, "continuation without a message")
                elif op in _DATA_OPS:
                    if opcode is not None:
                        raise _ProtocolViolation(CLOSE_PROTOCOL_ERROR, "new message inside a fragmented one")
                    opcode = op
                else:
                    raise _ProtocolViolation(CLOSE_PROTOCOL_ERROR, "unknown opcode %d" % op)
                size += len(payload)
                if size > self._max:
                    raise _ProtocolViolation(CLOSE_TOO_BIG, "message exceeds %d bytes" % self._max)
                parts.append(payload)
                if not fin:
                    continue
                data = b"".join(parts)
                if opcode == OP_TEXT:
                    try:
                        data.decode("utf-8")
                    except UnicodeDecodeError:
                        raise _ProtocolViolation(CLOSE_INVALID_DATA, "text message is not UTF-8")
                return opcode, data
            except _ProtocolViolation as violation:
                self.close(violation.code, violation.reason)
                raise ConnectionClosed(violation.code, violation.reason)
            except OSError as error:
                if isinstance(error, socket.timeout):
                    raise
                self.abort()
                raise ConnectionClosed(CLOSE_ABNORMAL, str(error) or type(error).__name__)

    def recv_text(self) -> str:
        opcode, data = self.recv()
        if opcode != OP_TEXT:
            raise WebSocketError("expected a text message, got binary")
        return data.decode("utf-8")

    def _on_control(self, op: int, payload: bytes) -> None:
        if op == OP_PING:
            try:
                self.pong(payload)
            except ConnectionClosed:
                pass
        elif op == OP_CLOSE:
            code, reason = parse_close_payload(payload)
            # Echo the close as RFC 6455 asks, then drop the TCP connection.
            self.close(code if code != CLOSE_NO_STATUS else CLOSE_NORMAL, "")
            raise ConnectionClosed(code, reason)


def parse_url(url: str) -> Tuple[bool, str, int, str]:
    """(secure, host, port, resource) of a ws:// or wss:// URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss"):
        raise WebSocketError("URL must start with ws:// or wss://, got %r" % url)
    if not parts.hostname:
        raise WebSocketError("URL has no host: %r" % url)
    secure = parts.scheme == "wss"
    port = parts.port or (443 if secure else 80)
    resource = parts.path or "/"
    if parts.query:
        resource += "?" + parts.query
    return secure, parts.hostname, port, resource


def connect(
    url: str,
    timeout: float = 10.0,
    headers: Optional[Dict[str, str]] = None,
    ssl_context: Optional[ssl.SSLContext] = None,
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    cert_fingerprint: str = "",
) -> WebSocket:
    """Open a TCP (or TLS) connection and complete the opening handshake.

    wss:// checks the certificate against the system trust store, or, given
    cert_fingerprint (SHA-256, hex), that the certificate is exactly that one
    (for self-signed servers); either way before a byte of the request is sent.

    The socket keeps `timeout` as its read timeout; callers change it with
    WebSocket.settimeout once connected."""
    secure, host, port, resource = parse_url(url)
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if secure:
            pin = cert_fingerprint.replace(":", "").strip().lower()
            context = ssl_context or (_pinned_context() if pin else ssl.create_default_context())
            sock = context.wrap_socket(sock, server_hostname=host)
            if pin:
                seen = hashlib.sha256(sock.getpeercert(binary_form=True) or b"").hexdigest()
                if not hmac.compare_digest(seen, pin):
                    raise HandshakeError("the server's certificate has SHA-256 %s, not the pinned %s: refusing to talk to it"
                                         % (seen, pin))
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        host_header = host if port in (80, 443) else "%s:%d" % (host, port)
        if ":" in host and not host.startswith("["):
            host_header = "[%s]:%d" % (host, port)
        lines = [
            "GET %s HTTP/1.1" % resource,
            "Host: %s" % host_header,
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: %s" % key,
            "Sec-WebSocket-Version: 13",
        ]
        for name, value in (headers or {}).items():
            lines.append("%s: %s" % (name, value))
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        status, response_headers, rest = _read_response(sock)
        if status != 101:
            raise HandshakeError("server answered HTTP %d instead of switching to WebSocket" % status, status)
        if response_headers.get("upgrade", "").lower() != "websocket":
            raise HandshakeError("server did not upgrade to websocket", status)
        if "upgrade" not in response_headers.get("connection", "").lower():
            raise HandshakeError("server did not answer Connection: Upgrade", status)
        if response_headers.get("sec-websocket-accept") != accept_key(key):
            raise HandshakeError("Sec-WebSocket-Accept does not match the key", status)
        return WebSocket(sock, rest, max_message_bytes)
    except BaseException:
        sock.close()
        raise


def _pinned_context() -> ssl.SSLContext:
    # The pin replaces the chain and name checks: a self-signed certificate has neither.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _read_response(sock) -> Tuple[int, Dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > _MAX_HEADER_BYTES:
            raise HandshakeError("handshake response headers too long")
        chunk = sock.recv(4096)
        if not chunk:
            raise HandshakeError("connection closed during the handshake")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status_line = lines[0].split(" ", 2)
    if len(status_line) < 2 or not status_line[0].startswith("HTTP/") or not status_line[1].isdigit():
        raise HandshakeError("not an HTTP response: %r" % lines[0])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line[1]), headers, rest
