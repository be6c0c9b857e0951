"""Incoming frames: decoded, checked against the generated dataclasses, and
routed. Runs on the socket thread; the only work it does there is answering
pings and queueing jobs."""
import json
import logging
from typing import Any, Callable, Optional, Tuple

from ..generated.catalog import MESSAGES
from ..generated.protocol_types import CancelKind
# Patterns the Zod schemas enforce and the generated dataclasses do not.
from ..generated.wire import COMMAND_NAME_PATTERN, ID_PATTERN
from . import outgoing
from .jobs import SCRIPT, Job, JobQueue
from .reporter import Reporter, encode

log = logging.getLogger("blender_mcp_bus")



class ProtocolFault(Exception):
    def __init__(self, code: str, message: str, job_id: Optional[str] = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.job_id = job_id

    def to_message(self) -> dict:
        return outgoing.protocol_error(self.code, self.message, self.job_id)


def decode(text: str) -> Tuple[str, Any]:
    """(message_type, dataclass instance) or ProtocolFault."""
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise ProtocolFault("invalid_json", "frame is not JSON: %s" % error)
    if not isinstance(raw, dict):
        raise ProtocolFault("invalid_message", "a message must be a JSON object")
    job_id = raw.get("job_id") if isinstance(raw.get("job_id"), str) else None
    message_type = raw.get("message_type")
    cls = MESSAGES.get(message_type) if isinstance(message_type, str) else None
    if cls is None:
        raise ProtocolFault("unknown_message_type", "unknown message_type %r" % (message_type,), job_id)
    try:
        message = cls.from_dict(raw)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise ProtocolFault("invalid_message", "%s: %s" % (message_type, error or type(error).__name__), job_id)
    if job_id is not None and not ID_PATTERN.match(job_id):
        raise ProtocolFault("invalid_message", "%s: job_id must match %s" % (message_type, ID_PATTERN.pattern), job_id)
    if message_type == "command_dispatch" and not COMMAND_NAME_PATTERN.match(message.command):
        raise ProtocolFault("invalid_message", "command_dispatch: malformed command name", job_id)
    if message_type == "job_dispatch" and not message.script:
        raise ProtocolFault("invalid_message", "job_dispatch: script is empty", job_id)
    return message_type, message


class Pump:
    """Routes messages that arrive after the welcome."""

    def __init__(self, queue: JobQueue, reporter: Reporter, send: Callable[[str, bool], bool],
                 cancel_running: Callable[[str, str, bool], bool] = lambda job_id, reason, timed_out: False):
        self.queue = queue
        self.reporter = reporter
        self._send = send
        # Jobs past the queue can still stop if they are in a background phase.
        self._cancel_running = cancel_running

    def handle(self, text: str) -> None:
        try:
            message_type, message = decode(text)
        except ProtocolFault as fault:
            log.warning("protocol error from the server: %s", fault.message)
            self._send(encode(fault.to_message()), False)
            return
        route = getattr(self, "_on_" + message_type, None)
        if route is None:
            fault = ProtocolFault("unexpected_message", "%s is not sent to an addon" % message_type,
                                  getattr(message, "job_id", None))
            self._send(encode(fault.to_message()), False)
            return
        route(message)

    def _on_ping(self, message) -> None:
        self._send(encode(outgoing.pong(message.nonce)), False)

    def _on_pong(self, message) -> None:
        pass

    def _on_protocol_error(self, message) -> None:
        log.warning("the server reports a protocol error (%s): %s", message.code.value, message.message)

    def _on_welcome(self, message) -> None:
        log.warning("ignoring a second welcome")

    def _on_refused(self, message) -> None:
        log.warning("refused after the welcome: %s", message.reason)

    def _on_command_dispatch(self, message) -> None:
        self._enqueue(Job(message.job_id, message.command, params=message.params, priority=message.priority.value))

    def _on_job_dispatch(self, message) -> None:
        self._enqueue(Job(message.job_id, SCRIPT, script=message.script, description=message.description or "",
                          priority=message.priority.value))

    def _enqueue(self, job: Job) -> None:
        if self.reporter.is_finished(job.job_id) or not self.queue.put(job):
            fault = ProtocolFault("duplicate_job", "job %s was already received" % job.job_id, job.job_id)
            self._send(encode(fault.to_message()), False)

    def _on_cancel(self, message) -> None:
        job = self.queue.cancel(message.job_id)
        if job is not None:
            self.reporter.failed(job.job_id, "cancelled before it started: %s" % message.reason)
        else:
            self._cancel_running(message.job_id, message.reason, message.kind == CancelKind.TIMEOUT)
