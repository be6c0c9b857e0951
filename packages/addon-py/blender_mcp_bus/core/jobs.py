"""Jobs waiting for Blender's main thread, and the recent ones for the panel.

The socket thread puts, the main thread pops: every method takes the lock."""
import heapq
import itertools
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Deque, Dict, List, Optional

from ..generated.catalog import DEFAULT_PRIORITY, PRIORITIES

SCRIPT = "job_dispatch"
_RANK = {name: rank for rank, name in enumerate(PRIORITIES)}


@dataclass
class Job:
    job_id: str
    command: str  # a registry command, or SCRIPT
    params: Dict[str, Any] = field(default_factory=dict)
    script: str = ""
    description: str = ""
    priority: str = DEFAULT_PRIORITY
    received_at: float = field(default_factory=time.monotonic)

    @property
    def is_script(self) -> bool:
        return self.command == SCRIPT


@dataclass
class JobRecord:
    """What the panel shows about one job."""

    job_id: str
    command: str
    priority: str
    status: str = "queued"
    error: str = ""
    received_at: float = field(default_factory=time.monotonic)
    finished_at: Optional[float] = None


class JobQueue:
    """Priority order (emergency first), first in first out within a level."""

    def __init__(self, history_size: int = 20):
        self._lock = threading.Lock()
        self._heap: List[tuple] = []
        self._queued: Dict[str, Job] = {}
        self._seq = itertools.count()
        self._history: Deque[JobRecord] = deque(maxlen=history_size)
        self._records: Dict[str, JobRecord] = {}
        self.last_activity = 0.0
        # Bumped on every change so the panel knows when to redraw.
        self.version = 0

    def put(self, job: Job) -> bool:
        """False when a job with that id is already queued."""
        with self._lock:
            if job.job_id in self._queued:
                return False
            heapq.heappush(self._heap, (_RANK.get(job.priority, _RANK[DEFAULT_PRIORITY]), next(self._seq), job.job_id))
            self._queued[job.job_id] = job
            self._record(JobRecord(job.job_id, job.command, job.priority))
            return True

    def pop(self) -> Optional[Job]:
        with self._lock:
            while self._heap:
                _, _, job_id = heapq.heappop(self._heap)
                job = self._queued.pop(job_id, None)
                if job is not None:  # cancelled jobs leave their heap entry behind
                    self._touch()
                    return job
            return None

    def cancel(self, job_id: str) -> Optional[Job]:
        """Remove a job that has not started; None when it is running, done or unknown."""
        with self._lock:
            job = self._queued.pop(job_id, None)
            if job is not None:
                self._touch()
            return job

    def __len__(self) -> int:
        with self._lock:
            return len(self._queued)

    def queued_ids(self) -> List[str]:
        with self._lock:
            return [entry[2] for entry in sorted(self._heap) if entry[2] in self._queued]

    # -- history ------------------------------------------------------------

    def _record(self, record: JobRecord) -> None:
        if len(self._history) == self._history.maxlen:
            self._records.pop(self._history[0].job_id, None)
        self._history.append(record)
        self._records[record.job_id] = record
        self._touch()

    def _touch(self) -> None:
        self.version += 1
        self.last_activity = time.monotonic()

    def set_status(self, job_id: str, status: str, error: str = "") -> None:
        with self._lock:
            record = self._records.get(job_id)
            if record is None:
                return
            record.status = status
            record.error = error
            if status not in ("queued", "running"):
                record.finished_at = time.monotonic()
            self._touch()

    def history(self) -> List[JobRecord]:
        """Newest first, copies: safe to read while the socket thread adds."""
        with self._lock:
            return [JobRecord(**vars(r)) for r in reversed(self._history)]
