"""Running user Python: output captured with a size bound, tracebacks trimmed
to the user's own code.

execute_code and job_dispatch both run here; the bpy layer only supplies the
globals.

sys.stdout and sys.stderr are process-wide, and other threads (the socket
thread's console log, a download worker) write while a job runs: swapping
them for the job's buffer would put that output into the job's stdout. So
they are replaced once, by streams that route each write by thread: only the
thread running the job writes into its buffer; every other thread writes
where it always did."""
import io
import linecache
import sys
import threading
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Dict, Iterator, Optional, Tuple


def truncation_mark(limit: int) -> str:
    return "\n[... output truncated at %d bytes ...]" % limit


class BoundedText(io.TextIOBase):
    """A text stream that keeps the first `limit` bytes (UTF-8) and counts the rest."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit
        self._parts = []
        self._size = 0
        self.truncated = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not %s" % type(text).__name__)
        if self.truncated:
            return len(text)
        data = text.encode("utf-8", errors="replace")
        room = self.limit - self._size
        if len(data) > room:
            # Cut on a byte boundary, then drop a split multi-byte character.
            self._parts.append(data[:room].decode("utf-8", errors="ignore"))
            self._size = self.limit
            self.truncated = True
        else:
            self._parts.append(text)
            self._size += len(data)
        return len(text)

    def getvalue(self) -> str:
        text = "".join(self._parts)
        return text + truncation_mark(self.limit) if self.truncated else text


class ThreadRoutedStream(io.TextIOBase):
    """Stands in for sys.stdout or sys.stderr: a write goes to the buffer the
    writing thread is capturing into, or, if it captures nothing, to the
    stream that was there before (the console)."""

    # Found by this attribute, not the class: an addon reload (F8) brings a new class.
    mcp_thread_routed = True

    def __init__(self, fallback):
        super().__init__()
        self.fallback = fallback
        self._local = threading.local()

    def _target(self):
        return getattr(self._local, "target", None) or self.fallback

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        target = self._target()
        # A Blender started without a console may have no sys.stdout at all.
        return len(text) if target is None else target.write(text)

    def flush(self) -> None:
        target = self._target()
        if target is not None:
            target.flush()

    # What callers expect of the console stream, from the console stream.
    @property
    def encoding(self):
        return getattr(self.fallback, "encoding", "utf-8")

    @property
    def errors(self):
        return getattr(self.fallback, "errors", "strict")

    def fileno(self) -> int:
        return self.fallback.fileno()

    def isatty(self) -> bool:
        return bool(self.fallback is not None and self.fallback.isatty())

    def __getattr__(self, name: str):
        return getattr(self.fallback, name)

    @contextmanager
    def capturing(self, buffer) -> Iterator[None]:
        """Writes from this thread go to buffer until the block ends; nested captures restore the outer one."""
        outer = getattr(self._local, "target", None)
        self._local.target = buffer
        try:
            yield
        finally:
            self._local.target = outer


def _routed(name: str) -> ThreadRoutedStream:
    current = getattr(sys, name)
    if getattr(current, "mcp_thread_routed", False):
        return current
    stream = ThreadRoutedStream(current)
    setattr(sys, name, stream)
    return stream


def install() -> Tuple[ThreadRoutedStream, ThreadRoutedStream]:
    """The routed sys.stdout and sys.stderr, installed on first use (and again
    if something replaced them since); never swapped per job."""
    return _routed("stdout"), _routed("stderr")


def uninstall() -> None:
    """Puts back the streams install() found (on unregister)."""
    for name in ("stdout", "stderr"):
        current = getattr(sys, name)
        if getattr(current, "mcp_thread_routed", False):
            setattr(sys, name, current.fallback)


@dataclass
class RunOutcome:
    stdout: str
    stderr: str
    truncated: bool
    error: Optional[str]  # the trimmed traceback when the code raised

    def output(self) -> Dict[str, Any]:
        return {"stdout": self.stdout, "stderr": self.stderr, "truncated": self.truncated}


def trimmed_traceback(error: BaseException, filename: str) -> str:
    """The traceback from the first frame of the user's code onwards.

    Frames of the addon that called into the code are noise to the caller;
    frames the code called (bpy operators, its own functions) stay."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb))


def run_source(source: str, filename: str, globals_: Dict[str, Any], limit: int) -> RunOutcome:
    """exec(compile(source, filename, "exec"), globals_) with stdout and stderr captured.

    Never raises for the code's own errors, SystemExit included: a script
    calling exit() must not end Blender."""
    out, err = BoundedText(limit), BoundedText(limit)
    error = None
    stdout, stderr = install()
    # Registered so tracebacks show the offending line of the user's source.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        with stdout.capturing(out), stderr.capturing(err):
            try:
                code = compile(source, filename, "exec")
                exec(code, globals_)
            except (Exception, SystemExit) as raised:  # noqa: B902 - the caller gets it as text
                error = trimmed_traceback(raised, filename)
            finally:
                sys.stdout.flush()
    finally:
        linecache.cache.pop(filename, None)
    return RunOutcome(out.getvalue(), err.getvalue(), out.truncated or err.truncated, error)
