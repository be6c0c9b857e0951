"""A render subprocess that dies with its job: killed (its whole process
group) on cancel, when the addon unregisters, when Blender exits, and on
Linux even when Blender is killed (the parent-death signal)."""
import atexit
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
from typing import Callable, List, Optional, Set

from .background import Task

log = logging.getLogger("blender_mcp_bus")

_live: Set[subprocess.Popen] = set()
_lock = threading.Lock()


def _die_with_parent() -> None:
    """Runs in the child between fork and exec: SIGKILL when the forking thread's process dies."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def _kill(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except OSError:
        pass


def kill_all() -> int:
    """Kill every render still running (addon unregister, Blender exit). Returns how many."""
    with _lock:
        running = list(_live)
    for process in running:
        _kill(process)
    return len(running)


atexit.register(kill_all)


def run(command: List[str], task: Task, on_line: Callable[[str], None], env=None, cwd=None,
        poll_seconds: float = 0.1) -> int:
    """Run command, feeding each stdout/stderr line to on_line on this thread,
    until it exits (returns its exit code) or the task is cancelled (kills it,
    raises Cancelled)."""
    posix = os.name == "posix"
    kwargs = {"start_new_session": True} if posix else {}
    if sys.platform.startswith("linux"):
        kwargs["preexec_fn"] = _die_with_parent
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=env, cwd=cwd, bufsize=1, universal_newlines=True, errors="replace", **kwargs)
    with _lock:
        _live.add(process)
    lines: "queue.Queue[Optional[str]]" = queue.Queue()

    def pump() -> None:
        try:
            for line in process.stdout:
                lines.put(line)
        finally:
            lines.put(None)

    reader = threading.Thread(target=pump, name="mcp-bus-render-output", daemon=True)
    reader.start()
    try:
        while True:
            task.check()
            try:
                line = lines.get(timeout=poll_seconds)
            except queue.Empty:
                continue
            if line is None:
                break
            on_line(line)
        return process.wait()
    finally:
        _kill(process)
        process.wait()
        reader.join(timeout=5)
        process.stdout.close()
        with _lock:
            _live.discard(process)
