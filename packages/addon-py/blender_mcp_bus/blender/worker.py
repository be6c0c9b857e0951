"""The headless worker: `blender -b [file.blend] --python blender_mcp_bus/worker.py -- [options]`.

bpy.app.timers never fire in background mode, so the UI addon's drainer
cannot run there. Here the script itself keeps Blender's main thread: it
connects the same Session (client_type "worker") and loops through the same
drain() the UI's timer calls, until SIGTERM or SIGINT. Commands that need a
window (the viewport screenshot, get_views) fail with their own reason."""
import logging
import signal
import sys
import threading
import time

import bpy

from ..core import render_process
from ..core.connection import console
from ..core.worker_settings import WorkerArgsError, script_args, worker_settings
from . import commands, drainer, preferences, runtime

log = logging.getLogger("blender_mcp_bus")

# Exit codes a supervisor can tell apart from a crash.
EXIT_STOPPED = 0
EXIT_BAD_ARGS = 2


def _stop_on_signals(stop: threading.Event) -> None:
    def handle(signum, _frame):
        console("worker: %s received, stopping" % signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, handle)


def run(argv=None, stop: threading.Event = None) -> int:
    # A supervisor's log file or pipe is block-buffered: lines must land as they happen.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(line_buffering=True)
    if not bpy.app.background:
        console("worker: this script is for `blender -b`; with a UI, enable the MCP Bus addon instead")
        return EXIT_BAD_ARGS
    try:
        settings = worker_settings(preferences.settings(), argv=script_args(sys.argv if argv is None else argv))
    except WorkerArgsError as error:
        console("worker: %s" % error)
        return EXIT_BAD_ARGS
    stop = stop or threading.Event()
    _stop_on_signals(stop)
    preferences.use_settings(settings)
    commands.load_all()
    session = runtime.start(client_type="worker")
    runtime.connect()
    console("worker: Blender %s, file %s, connecting to %s"
            % (bpy.app.version_string, bpy.data.filepath or "(none)", settings.server_url))
    try:
        while not stop.is_set():
            # A short wait also lets Python run the signal handler promptly.
            stop.wait(drainer.drain(session))
    finally:
        render_process.kill_all()
        runtime.disconnect("worker stopped")
        runtime.stop()
        preferences.use_settings(None)
    console("worker: stopped")
    return EXIT_STOPPED
