"""Running user Python: output captured with a size bound, tracebacks trimmed
to the user's own code.

execute_code and job_dispatch both run here; the bpy layer only supplies the
globals."""
import contextlib
import io
import linecache
import sys
import traceback
from dataclasses import dataclass
from typing import Any, Dict, Optional


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
    # Registered so tracebacks show the offending line of the user's source.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
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
