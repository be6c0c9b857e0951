"""One addon's bus session: the connection, the job queue, the reporter and
the registry wired together. Pure Python; the bpy layer holds one of these
and calls run_pending() from a timer on the main thread."""
import logging
import time
import traceback
from dataclasses import dataclass
from typing import Callable, Iterable, List, Optional

from ..generated.catalog import PACKAGE_VERSION, PROTOCOL_VERSION
from . import outgoing
from .background import AtCapacity, Background, Workers
from .connection import Connection
from .jobs import Job, JobQueue
from .pump import Pump
from .registry import JobFailed, Registry
from .reporter import Reporter
from .settings import Settings
from .undo import NoUndo, UNAVAILABLE, safely, step_name

log = logging.getLogger("blender_mcp_bus")


@dataclass(frozen=True)
class HostFacts:
    """What the hello says about this Blender; gathered on the main thread."""

    blender_version: str
    blend_file: str
    label: str


class Session:
    def __init__(self, registry: Registry, client_uuid: str, facts: Callable[[], HostFacts],
                 connect=None, undo=None, client_type: str = "blender"):
        self.registry = registry
        # "worker" for a headless Blender (blender/worker.py): the server pools those.
        self.client_type = client_type
        # Makes each scene-changing job one undo step (bpy layer: blender/undo_steps.py).
        self.undo = undo if undo is not None else NoUndo()
        self.client_uuid = client_uuid
        self.queue = JobQueue()
        self._facts = facts
        self._settings = Settings()
        self._hello_facts: Optional[HostFacts] = None
        kwargs = {"connect": connect} if connect is not None else {}
        self.connection = Connection(self._hello, self._on_message, **kwargs)
        self.reporter = Reporter(self.connection.send, self.queue.set_status)
        self.workers = Workers(self.reporter)
        self.pump = Pump(self.queue, self.reporter, self.connection.send, cancel_running=self.workers.cancel)

    # -- main thread --------------------------------------------------------

    def connect(self, settings: Settings) -> None:
        self._settings = settings
        self._hello_facts = self._facts()
        self.connection.start(settings)

    def refresh_facts(self) -> None:
        """After a file is opened: the next hello names the new file."""
        self._hello_facts = self._facts()

    def disconnect(self, reason: str = "disconnected by user") -> None:
        self.connection.stop(reason)

    def pending(self) -> int:
        """Main-thread work waiting: queued jobs and fetched background jobs to apply."""
        return len(self.queue) + self.workers.ready()

    def run_pending(self, gated: Iterable[str], budget_seconds: float = 0.01) -> int:
        """Finish background jobs whose fetch is done, then run queued jobs until
        the queue is empty or the time budget is used; at least one job runs
        when any waits. Returns how many ran or finished."""
        deadline = time.monotonic() + budget_seconds
        ran = self.workers.finish_ready()
        gated = list(gated)
        while True:
            job = self.queue.pop()
            if job is None:
                return ran
            self.run_job(job, gated)
            ran += 1
            if time.monotonic() >= deadline:
                return ran

    def run_job(self, job: Job, gated: List[str]) -> None:
        self.reporter.running(job.job_id)
        step = step_name(job, self.registry.catalog)
        try:
            result = self.registry.execute(job, gated)
            if isinstance(result, Background):
                if step is not None:
                    result.apply = self._as_undo_step(result.apply, step)
                try:
                    self.workers.start(job.job_id, result, job.command)
                except AtCapacity as full:
                    # A handler's main-thread phase only reads: nothing to roll back.
                    self.reporter.failed(job.job_id, str(full))
                return
        except JobFailed as failure:
            self.reporter.failed(job.job_id, self._roll_back(step, str(failure)), failure.result)
        except Exception as error:  # a handler bug fails its job, not the addon
            log.debug("job %s raised", job.job_id, exc_info=True)
            self.reporter.failed(job.job_id, self._roll_back(step, "%s raised %s: %s\n%s" % (
                job.command, type(error).__name__, error, traceback.format_exc(limit=-8))))
        else:
            if step is not None:
                safely(self.undo.push, step)
            self.reporter.completed(job.job_id, result)

    def _roll_back(self, step: Optional[str], error: str) -> str:
        """Undo what a failed job changed; the error says when that was impossible."""
        if step is None or safely(self.undo.rollback, step):
            return error
        return "%s\n(%s)" % (error, UNAVAILABLE)

    def _as_undo_step(self, apply, step: str):
        """A background job changes the scene in its main-thread apply phase: the step wraps that."""
        def applied(fetched):
            try:
                result = apply(fetched)
            except BaseException:
                safely(self.undo.rollback, step)
                raise
            safely(self.undo.push, step)
            return result
        return applied

    # -- socket thread ------------------------------------------------------

    def _hello(self) -> dict:
        facts = self._hello_facts or self._facts()
        return outgoing.hello(client_uuid=self.client_uuid, label=facts.label, blender_version=facts.blender_version,
                              blend_file=facts.blend_file, addon_version=PACKAGE_VERSION,
                              protocol_version=PROTOCOL_VERSION, commands=self.registry.names,
                              gated=self._settings.gated, client_type=self.client_type)

    def _on_message(self, text: str) -> None:
        self.pump.handle(text)
