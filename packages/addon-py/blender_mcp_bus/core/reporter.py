"""job_update messages: a running update when a job starts, then exactly one
terminal update (completed or failed), whatever the handlers do."""
import json
import logging
import threading
from collections import OrderedDict
from typing import Any, Callable, Dict, Optional

from .outgoing import job_update

log = logging.getLogger("blender_mcp_bus")


def encode(message: dict) -> str:
    # NaN and Infinity are not JSON; the server's parser would reject the frame.
    return json.dumps(message, allow_nan=False, separators=(",", ":"), ensure_ascii=False)


class Reporter:
    """send takes one encoded message and a keep flag: keep=True asks the
    connection to hold it for the next connection if it is offline now."""

    def __init__(self, send: Callable[[str, bool], bool], on_status: Optional[Callable[[str, str, str], None]] = None,
                 remember: int = 1000):
        self._send = send
        self._on_status = on_status
        self._finished: "OrderedDict[str, str]" = OrderedDict()
        self._remember = remember
        # Cancels arrive on the socket thread while the main thread finishes jobs.
        self._lock = threading.Lock()

    def is_finished(self, job_id: str) -> bool:
        return job_id in self._finished

    def running(self, job_id: str, progress: Optional[Dict[str, Any]] = None) -> bool:
        if job_id in self._finished:
            log.warning("job %s: running update after it finished, not sent", job_id)
            return False
        self._status(job_id, "running", "")
        return self._send(encode(job_update(job_id, "running", progress=progress)), False)

    def completed(self, job_id: str, result: Dict[str, Any]) -> bool:
        try:
            text = encode(job_update(job_id, "completed", result=result))
        except (TypeError, ValueError) as error:
            return self.failed(job_id, "the result could not be sent as JSON: %s" % error)
        return self._finish(job_id, "completed", "", text)

    def failed(self, job_id: str, error: str, result: Any = None) -> bool:
        try:
            text = encode(job_update(job_id, "failed", result=result, error=error or "failed"))
        except (TypeError, ValueError):
            text = encode(job_update(job_id, "failed", result=None, error=error or "failed"))
        return self._finish(job_id, "failed", error, text)

    def _finish(self, job_id: str, status: str, error: str, text: str) -> bool:
        with self._lock:
            previous = self._finished.get(job_id)
            if previous is None:
                self._finished[job_id] = status
                while len(self._finished) > self._remember:
                    self._finished.popitem(last=False)
        if previous is not None:
            log.warning("job %s already %s; %s update dropped", job_id, previous, status)
            return False
        self._status(job_id, status, error)
        return self._send(text, True)

    def _status(self, job_id: str, status: str, error: str) -> None:
        if self._on_status is not None:
            self._on_status(job_id, status, error)
