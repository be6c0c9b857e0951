"""The main-thread side of the bus: a bpy.app.timers callback that runs
queued jobs and keeps the panel fresh.

bpy is only safe on the main thread, and Blender has no way to wake that
thread from the socket thread, so the timer polls with a pacer: no wait
while jobs are queued, a few milliseconds right after activity, backing off
to a longer idle wait."""
import logging
import time

import bpy

from ..core.pacing import Pacer
from . import preferences, runtime

log = logging.getLogger("blender_mcp_bus")

# Jobs run back to back within one tick up to this long, then Blender gets to redraw.
TICK_BUDGET_SECONDS = 0.02

_pacer = Pacer()
_seen_versions = (None, None)
_last_redraw = 0.0
REDRAW_INTERVAL_SECONDS = 0.25


def drain(session, redraw=None) -> float:
    """One look at the queue: run what waits, then how long to sleep before the next look.
    The UI's timer and the headless worker's loop (worker.py) both go through here."""
    try:
        if session.pending():
            session.run_pending(preferences.settings().gated, TICK_BUDGET_SECONDS)
        if redraw is not None:
            redraw(session)
    except Exception:  # the loop must survive anything, or jobs stop running
        log.exception("drainer tick failed")
    since = time.monotonic() - session.queue.last_activity
    return _pacer.next_interval(session.pending(), since, session.connection.connected)


def _tick():
    session = runtime.session()
    if session is None:
        return None  # unregistered: drop the timer
    return drain(session, _redraw_if_changed)


def _redraw_if_changed(session) -> None:
    """Redraw the sidebar when the panel's data changed, at most a few times a second.

    Only the UI region: tagging the whole 3D view would redraw the viewport
    after every job, which costs more than the job under software OpenGL."""
    global _seen_versions, _last_redraw
    versions = (session.queue.version, session.connection.version)
    now = time.monotonic()
    if versions == _seen_versions or now - _last_redraw < REDRAW_INTERVAL_SECONDS:
        return
    _seen_versions, _last_redraw = versions, now
    for window in bpy.context.window_manager.windows:
        for area in window.screen.areas:
            if area.type != "VIEW_3D":
                continue
            for region in area.regions:
                if region.type == "UI" and region.width > 1:
                    region.tag_redraw()


def _auto_connect():
    settings = preferences.settings()
    if settings.auto_connect and runtime.session() is not None:
        runtime.connect()
    return None


def register() -> None:
    bpy.app.timers.register(_tick, first_interval=0.0, persistent=True)
    # Shortly after startup, once preferences are loaded and the window exists.
    bpy.app.timers.register(_auto_connect, first_interval=0.5)


def unregister() -> None:
    for fn in (_auto_connect, _tick):
        if bpy.app.timers.is_registered(fn):
            bpy.app.timers.unregister(fn)
