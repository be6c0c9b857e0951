"""The connection thread: connect, the auth handshake (the server proves it
knows the token before anything about this Blender is sent), hello, welcome
or refused, then read frames until the socket ends; reconnect with
exponential backoff and jitter.

Nothing here blocks the caller: start() and stop() return at once, and
Blender's main thread only ever calls those and send()."""
import logging
import random
import socket
import threading
import time
from dataclasses import dataclass
from typing import Callable, List, Optional

from . import websocket
from ..generated.catalog import PROTOCOL_VERSION
# The server closes with this when a newer connection from the same Blender
# took over; reconnecting would only knock that one off in turn.
from ..generated.wire import CLOSE_REPLACED
from .handshake import AUTH_HEADER, AUTH_SCHEME, AuthFailed, ClientAuth
from .local_token import find_local_token
from .pump import ProtocolFault, decode
from .reporter import encode
from .settings import Settings

log = logging.getLogger("blender_mcp_bus")

_OUTBOX_LIMIT = 200


def console(line: str) -> None:
    # Test harnesses wait for these lines on Blender's stdout, which is a pipe there.
    print("[mcp-bus] " + line, flush=True)


class Backoff:
    """Doubling delays with jitter, so many Blenders do not return in step."""

    def __init__(self, initial: float, maximum: float, rng: Callable[[], float] = random.random):
        self.initial = initial
        self.maximum = maximum
        self._rng = rng
        self.attempt = 0

    def next(self) -> float:
        delay = min(self.maximum, self.initial * (2 ** self.attempt))
        self.attempt += 1
        return delay / 2 + self._rng() * delay / 2

    def reset(self) -> None:
        self.attempt = 0


@dataclass(frozen=True)
class Status:
    state: str  # disconnected, connecting, connected, retrying, refused
    detail: str = ""
    url: str = ""
    client_uuid: str = ""
    retry_at: Optional[float] = None  # time.monotonic() of the next attempt


class _Run:
    """One start() to stop(): its own stop flag, so an old thread that is
    still winding down cannot overwrite the state of a newer one."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.stop = threading.Event()
        self.stop_reason = ""
        self.ws: Optional[websocket.WebSocket] = None


class Connection:
    def __init__(self, hello: Callable[[], dict], on_message: Callable[[str], None],
                 connect: Callable[..., websocket.WebSocket] = websocket.connect):
        self._hello = hello
        self._on_message = on_message
        self._connect = connect
        self._lock = threading.Lock()
        self._run: Optional[_Run] = None
        self._welcomed: Optional[websocket.WebSocket] = None
        self._outbox: List[str] = []
        self._status = Status("disconnected")
        self.version = 0  # bumped on each status change, for panel redraws
        self.on_status: Optional[Callable[[Status], None]] = None
        self.console: Callable[[str], None] = console

    @property
    def status(self) -> Status:
        return self._status

    @property
    def connected(self) -> bool:
        return self._welcomed is not None

    def start(self, settings: Settings) -> None:
        with self._lock:
            if self._run is not None:
                self._stop_locked(self._run, "reconnecting")
            run = self._run = _Run(settings)
        self._set(run, Status("connecting", url=settings.server_url))
        thread = threading.Thread(target=self._main, args=(run,), name="mcp-bus-connection", daemon=True)
        thread.start()

    def stop(self, reason: str = "disconnected by user") -> None:
        with self._lock:
            run, self._run = self._run, None
            if run is not None:
                self._stop_locked(run, reason)
        self._status = Status("disconnected", reason)
        self.version += 1

    def _stop_locked(self, run: _Run, reason: str) -> None:
        run.stop_reason = reason
        run.stop.set()
        ws = run.ws
        if ws is not None:
            ws.close(websocket.CLOSE_NORMAL, reason[:100])
        if self._welcomed is ws:
            self._welcomed = None

    def send(self, text: str, keep: bool = False) -> bool:
        """Send one message now; with keep, hold it for the next connection if offline."""
        with self._lock:
            ws = self._welcomed
            if ws is None:
                if keep:
                    self._outbox.append(text)
                    del self._outbox[:-_OUTBOX_LIMIT]
                return False
        try:
            ws.send_text(text)
            return True
        except (OSError, websocket.WebSocketError) as error:
            log.warning("send failed: %s", error)
            ws.abort()  # the reader notices and reconnects
            if keep:
                with self._lock:
                    self._outbox.append(text)
            return False

    # -- the thread ---------------------------------------------------------

    def _set(self, run: _Run, status: Status) -> None:
        if self._run is run:
            self._status = status
            self.version += 1
            if self.on_status is not None:
                self.on_status(status)

    def _main(self, run: _Run) -> None:
        settings = run.settings
        backoff = Backoff(settings.backoff_initial_seconds, settings.backoff_max_seconds)
        while not run.stop.is_set():
            self._set(run, Status("connecting", url=settings.server_url))
            welcomed, delay, reason, final = self._session(run, backoff)
            if run.stop.is_set():
                break
            if final:
                self._set(run, Status("disconnected", reason, settings.server_url))
                with self._lock:
                    if self._run is run:
                        self._run = None
                return
            if welcomed:
                backoff.reset()
                delay = backoff.next()
            state = "refused" if reason.startswith("refused") else "retrying"
            self._set(run, Status(state, reason, settings.server_url, retry_at=time.monotonic() + delay))
            log.info("%s; retrying in %.1fs", reason, delay)
            run.stop.wait(delay)

    def _session(self, run: _Run, backoff: Backoff):
        """One connection: (was welcomed, delay before retrying, reason it ended, stop retrying)."""
        settings = run.settings
        # A token in the preferences wins; else a server on this machine may have left one for us.
        token = settings.token or find_local_token()
        refusal = None if token else (
            "refused: no token: start the server once on this machine (it writes the local token file) "
            "or paste a token in Preferences > Add-ons > MCP Bus")
        refusal = refusal or insecure_url_refusal(settings)
        if refusal:
            self.console(refusal)
            return False, settings.backoff_max_seconds, refusal, False
        welcomed = False
        try:
            ws = self._connect(settings.server_url, timeout=settings.connect_timeout_seconds,
                               headers={AUTH_HEADER: AUTH_SCHEME}, cert_fingerprint=settings.tls_fingerprint)
        except (OSError, websocket.WebSocketError) as error:
            return False, backoff.next(), "cannot connect to %s: %s" % (settings.server_url, _describe(error)), False
        with self._lock:
            if run.stop.is_set():
                ws.abort()
                return False, 0, run.stop_reason, True
            run.ws = ws
        reason, final, delay = "", False, None
        try:
            try:
                self._authenticate(ws, token, settings.server_url)
            except AuthFailed as failed:
                reason = "refused: " + failed.message if not failed.message.startswith("refused") else failed.message
                self.console(reason)
                # Retrying at once would fail the same way: wait the longest delay.
                delay = settings.backoff_max_seconds
                return False, delay, reason, False
            # Only now, with the server's proof checked, does anything about this Blender leave it.
            ws.send_text(encode(self._hello()))
            kind, first = decode(ws.recv_text())
            if kind == "refused":
                reason = "refused (%s): %s" % (first.code.value, first.reason)
                self.console(reason)
                # Retrying at once would be refused again: wait the longest delay.
                delay = settings.backoff_max_seconds
                return False, delay, reason, False
            if kind != "welcome":
                raise ProtocolFault("unexpected_message", "expected welcome or refused, got %s" % kind)
            # The server pings every heartbeat_seconds; silence for much longer means it is gone.
            ws.settimeout(max(5.0, first.heartbeat_seconds * 2.5))
            with self._lock:
                if run.stop.is_set():
                    return False, 0, run.stop_reason, True
                self._welcomed = ws
                outbox, self._outbox = self._outbox, []
            welcomed = True
            self._set(run, Status("connected", url=settings.server_url, client_uuid=first.client_uuid))
            self.console("connected as %s to %s" % (first.client_uuid, settings.server_url))
            for text in outbox:
                self.send(text, keep=True)
            while True:
                opcode, data = ws.recv()
                if opcode != websocket.OP_TEXT:
                    fault = ProtocolFault("invalid_message", "frames must be JSON text")
                    self.send(encode(fault.to_message()))
                    continue
                try:
                    self._on_message(data.decode("utf-8"))
                except Exception:  # a routing bug must not take the connection down
                    log.exception("failed to handle a message")
        except websocket.ConnectionClosed as closed:
            if run.stop.is_set():
                reason, final = run.stop_reason, True
            elif closed.code == CLOSE_REPLACED:
                reason, final = "replaced by another connection from this Blender", True
            elif closed.code == websocket.CLOSE_ABNORMAL:
                reason = "connection lost"
            else:
                reason = "server closed the connection (%d%s)" % (closed.code, " " + closed.reason if closed.reason else "")
        except socket.timeout:
            reason = "no heartbeat from the server" if welcomed else "no welcome from the server"
        except ProtocolFault as fault:
            reason = "handshake failed: %s" % fault.message
        except (OSError, websocket.WebSocketError) as error:
            reason = run.stop_reason if run.stop.is_set() else "connection error: %s" % _describe(error)
            final = run.stop.is_set()
        finally:
            with self._lock:
                if self._welcomed is ws:
                    self._welcomed = None
                run.ws = None
            ws.abort()
            if welcomed:
                self.console("disconnected: %s" % reason)
        return welcomed, backoff.next() if delay is None else delay, reason, final


    @staticmethod
    def _authenticate(ws, token: str, url: str) -> None:
        auth = ClientAuth(token, url, PROTOCOL_VERSION)
        ws.send_text(encode(auth.begin()))
        try:
            first = ws.recv_text()
        except websocket.ConnectionClosed as closed:
            raise AuthFailed(impostor_closed(url, closed), "impostor")
        except websocket.WebSocketError:
            raise AuthFailed("the server at %s answered auth_begin with a binary frame" % url, "impostor")
        ws.send_text(encode(auth.answer(first)))


def impostor_closed(url: str, closed) -> str:
    from .handshake import impostor_message

    return impostor_message(url, "it closed the connection (%d %s) instead of answering; an older server also does "
                                 "this: then update the server" % (closed.code, closed.reason))


_LOOPBACK = ("localhost", "::1")


def insecure_url_refusal(settings: Settings) -> Optional[str]:
    """ws:// sends everything in the clear: fine on this machine, refused elsewhere unless the user chose it."""
    try:
        secure, host, _port, _resource = websocket.parse_url(settings.server_url)
    except websocket.WebSocketError as error:
        return "refused: %s" % error
    if secure or host in _LOOPBACK or host.startswith("127.") or settings.allow_insecure_remote:
        return None
    return ("refused: %s is not on this machine and ws:// is unencrypted: use wss://, or tick 'Allow unencrypted "
            "remote server' in Preferences > Add-ons > MCP Bus if you accept that anyone on the network can read "
            "and alter the traffic" % settings.server_url)


def _describe(error: BaseException) -> str:
    return str(error) or type(error).__name__
