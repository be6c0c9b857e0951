"""Two-phase commands: network and disk work on a worker thread, the bpy part
back on the main thread.

A handler runs on the main thread as usual (it may read bpy to check its
inputs) and returns Background(fetch, apply) instead of a result. fetch(task)
runs on a worker thread and must not touch bpy; it reports progress and
checks task.check() between chunks so a cancel ends it early. apply(fetched)
then runs on the main thread, from the drainer, and returns the result.

Only finish_ready() (main thread) sends a background job's terminal update,
so a job still gets exactly one, whether it completes, raises or is cancelled
in either phase."""
import logging
import threading
import time
import traceback
from collections import deque
from typing import Any, Callable, Deque, Dict, Optional, Tuple

from .errors import JobFailed
from .reporter import Reporter

log = logging.getLogger("blender_mcp_bus")

# Worker threads at once: each background job (a download, a render, a
# provider API call) holds one until its result is applied. More would only
# compete for the network, the disk and the 2-8 cores a render already uses.
MAX_BACKGROUND_JOBS = 4


class Cancelled(Exception):
    """Raised by Task.check() once the job was cancelled."""


class AtCapacity(JobFailed):
    """Every worker is taken: the job fails at once, and nothing of it was started."""

    def __init__(self, limit: int, command: str):
        super().__init__(
            "%s not started: this Blender already runs %d background jobs (downloads, renders, provider calls), "
            "the addon's limit; retry once one has finished (blender_get_job shows their status) or cancel one"
            % (command, limit))


class Task:
    """The worker phase's view of its job: progress out, cancellation in."""

    def __init__(self, job_id: str, report: Callable[[Dict[str, Any]], None],
                 min_interval: float = 0.2, clock: Callable[[], float] = time.monotonic):
        self.job_id = job_id
        self._report = report
        self._cancel = threading.Event()
        self.reason = ""
        self._min_interval = min_interval
        self._clock = clock
        self._last_sent = float("-inf")
        self._last_progress = float("-inf")

    def cancel(self, reason: str) -> None:
        self.reason = reason or "cancelled"
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled(self.reason)

    def wait(self, seconds: float) -> None:
        """Sleep that a cancel cuts short (for polling loops)."""
        if self._cancel.wait(seconds):
            raise Cancelled(self.reason)

    def progress(self, done: float, total: Optional[float] = None, message: Optional[str] = None,
                 force: bool = False) -> None:
        """Throttled: one update per min_interval, plus the final one (done == total)."""
        now = self._clock()
        final = total is not None and done >= total
        if done <= self._last_progress and not force:
            return  # MCP progress must increase
        if not (force or final) and now - self._last_sent < self._min_interval:
            return
        self._last_sent = now
        self._last_progress = done
        update: Dict[str, Any] = {"progress": done}
        if total is not None:
            update["total"] = total
        if message:
            update["message"] = message[:200]
        self._report(update)


class Background:
    def __init__(self, fetch: Callable[[Task], Any], apply: Callable[[Any], Dict[str, Any]],
                 outlives_timeout: bool = False):
        self.fetch = fetch
        self.apply = apply
        # Long work (a render) goes on past its caller's timeout: the late result is kept for blender_get_job.
        self.outlives_timeout = outlives_timeout
        # Set by the registry: the result contract that apply's value must keep.
        self.check: Callable[[Any], None] = lambda result: None


_Done = Tuple[str, Task, Background, bool, Any]


class Workers:
    """Runs fetch phases on threads and queues their outcomes for the main thread."""

    def __init__(self, reporter: Reporter, on_ready: Callable[[], None] = lambda: None,
                 limit: int = MAX_BACKGROUND_JOBS):
        self._reporter = reporter
        self.limit = limit
        self._on_ready = on_ready
        self._lock = threading.Lock()
        self._tasks: Dict[str, Task] = {}
        self._outlive: set = set()
        self._ready: Deque[_Done] = deque()

    def start(self, job_id: str, work: Background, command: str = "the job") -> Task:
        """Raises AtCapacity when `limit` jobs hold a worker (fetching, or fetched and not yet applied)."""
        task = Task(job_id, lambda update: self._reporter.running(job_id, update))
        with self._lock:
            if len(self._tasks) >= self.limit:
                raise AtCapacity(self.limit, command)
            self._tasks[job_id] = task
            if work.outlives_timeout:
                self._outlive.add(job_id)
        thread = threading.Thread(target=self._run, args=(task, work), name="mcp-bus-job-" + job_id, daemon=True)
        thread.start()
        return task

    def _run(self, task: Task, work: Background) -> None:
        try:
            outcome: Tuple[bool, Any] = (True, work.fetch(task))
        except BaseException as error:  # every outcome must reach the main thread
            if not isinstance(error, (Cancelled, JobFailed)):
                log.debug("job %s: fetch raised", task.job_id, exc_info=True)
                error = JobFailed("%s: %s\n%s" % (type(error).__name__, error, traceback.format_exc(limit=-6)))
            outcome = (False, error)
        with self._lock:
            self._ready.append((task.job_id, task, work) + outcome)
        self._on_ready()

    def cancel(self, job_id: str, reason: str, timed_out: bool = False) -> bool:
        """True when the job is in a background phase here: it will end failed as cancelled,
        unless the caller only stopped waiting (timed_out) for a job meant to outlive that."""
        with self._lock:
            task = self._tasks.get(job_id)
            outlives = job_id in self._outlive
        if task is None:
            return False
        if outlives and timed_out:
            return True
        task.cancel(reason)
        return True

    def ready(self) -> int:
        with self._lock:
            return len(self._ready)

    def finish_ready(self) -> int:
        """Main thread: apply the fetched data and send each job's one terminal update."""
        finished = 0
        while True:
            with self._lock:
                if not self._ready:
                    return finished
                job_id, task, work, ok, value = self._ready.popleft()
            try:
                self._finish(job_id, task, work, ok, value)
            finally:
                with self._lock:
                    self._tasks.pop(job_id, None)
                    self._outlive.discard(job_id)
            finished += 1

    def _finish(self, job_id: str, task: Task, work: Background, ok: bool, value: Any) -> None:
        if task.cancelled or isinstance(value, Cancelled):
            self._reporter.failed(job_id, "cancelled: %s" % (task.reason or value))
            return
        if not ok:
            self._reporter.failed(job_id, str(value), getattr(value, "result", None))
            return
        try:
            result = work.apply(value)
            work.check(result)
        except JobFailed as failure:
            self._reporter.failed(job_id, str(failure), failure.result)
        except Exception as error:
            log.debug("job %s: apply raised", job_id, exc_info=True)
            self._reporter.failed(job_id, "%s: %s\n%s" % (type(error).__name__, error, traceback.format_exc(limit=-6)))
        else:
            self._reporter.completed(job_id, result)
