"""Bench-only prelude to the addon's startup script (tools/bench/blender-tail.ts
prepends it): Blender's own latency floor, in the same process as the addon.

A bare TCP server on 127.0.0.1 answered from a bpy.app.timers callback on the
main thread, with no thread and no queue: the timer looks at its sockets
without blocking and answers each newline-terminated request with a small
JSON line. That is the quickest the main loop lets any addon answer.

The same socket takes two control lines: "trace" returns what the probes
below recorded (main-loop ticks, the addon's hand-offs, GC pauses) and clears
it; "quiet" stops the timer after answering, so that Blender's idle CPU can be
measured without it. Not part of the shipped addon.

Switches, from the environment: BENCH_TAIL_TRACE=1 turns the probes on;
BENCH_TAIL_PROFILE=1 also runs each job under cProfile and prints the profile
on "trace"; BENCH_TAIL_NO_RUNNING=1 stops the addon sending running updates
(an experiment: does that send cost the job?). tools/bench/blender-tail-trace.py
reads the timeline."""
import gc
import json
import os
import select
import socket
import time

import bpy

_FLOOR_LISTEN = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
_FLOOR_LISTEN.bind(("127.0.0.1", 0))
_FLOOR_LISTEN.listen(4)
_FLOOR_LISTEN.setblocking(False)
_FLOOR_CLIENTS = {}
_TRACE = {"ticks": [], "events": [], "gc": []}
_TRACING = os.environ.get("BENCH_TAIL_TRACE") == "1"
_TRACE_LIMIT = 200000
_FLOOR_STATE = {"quiet": False}


def _floor_mark(kind, key=""):
    if len(_TRACE["events"]) < _TRACE_LIMIT:
        # Thread CPU time beside wall time: a stage whose wall time outgrows its CPU time waited (the GIL, the scheduler).
        _TRACE["events"].append((kind, key, time.monotonic(), time.thread_time()))


def _floor_reply(line):
    if line == b"trace":
        profile = _TRACE.pop("profile", None)
        if profile is not None:
            import io
            import pstats
            text = io.StringIO()
            pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(25)
            print(text.getvalue(), flush=True)
        out = dict(_TRACE)
        _TRACE.update(ticks=[], events=[], gc=[])
        return out
    if line == b"quiet":
        _FLOOR_STATE["quiet"] = True
        return {"quiet": True}
    scene = bpy.context.scene
    return {"ok": True, "scene": scene.name, "objects": len(scene.objects)}


def _floor_tick():
    if _TRACING and len(_TRACE["ticks"]) < _TRACE_LIMIT:
        _TRACE["ticks"].append(time.monotonic())
    readable, _, _ = select.select([_FLOOR_LISTEN] + list(_FLOOR_CLIENTS), [], [], 0)
    for sock in readable:
        if sock is _FLOOR_LISTEN:
            conn, _ = sock.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.setblocking(False)
            _FLOOR_CLIENTS[conn] = b""
            continue
        data = sock.recv(65536)
        if not data:
            del _FLOOR_CLIENTS[sock]
            sock.close()
            continue
        buffered = _FLOOR_CLIENTS[sock] + data
        *lines, _FLOOR_CLIENTS[sock] = buffered.split(b"\n")
        for line in lines:
            sock.setblocking(True)
            sock.sendall(json.dumps(_floor_reply(line.strip())).encode() + b"\n")
            sock.setblocking(False)
    if _FLOOR_STATE["quiet"]:
        gc.callbacks.remove(_floor_gc)
        return None
    return 0.0


def _floor_gc(phase, info):
    if _TRACING and len(_TRACE["gc"]) < _TRACE_LIMIT:
        _TRACE["gc"].append((phase, info.get("generation", -1), time.monotonic()))


def _floor_probe_addon():
    """Wraps the addon's hand-off points once it is enabled, recording when each job passes."""
    if not _TRACING:
        return None
    try:
        from blender_mcp_bus.blender import drainer, runtime
    except ImportError:
        return 0.1
    session = runtime.session()
    if session is None:
        return 0.1
    handle, run_job, completed = session.pump.handle, session.run_job, session.reporter.completed
    original_drain = drainer.drain

    def traced_handle(text):
        _floor_mark("recv", "")
        handle(text)
        _floor_mark("queued", "")

    profile = None
    if os.environ.get("BENCH_TAIL_PROFILE") == "1":
        import cProfile
        profile = _TRACE["profile"] = cProfile.Profile()

    def traced_run_job(job, gated):
        _floor_mark("start", job.job_id)
        if profile is not None:
            profile.enable()
        run_job(job, gated)
        if profile is not None:
            profile.disable()
        _floor_mark("end", job.job_id)

    running = session.reporter.running
    if os.environ.get("BENCH_TAIL_NO_RUNNING") == "1":  # experiment: does the running update's wake-up of the server cost the job?
        running = lambda job_id, progress=None: True  # noqa: E731

    def traced_running(job_id, *args):
        sent = running(job_id, *args)
        _floor_mark("running_sent", job_id)
        return sent

    def traced_completed(job_id, *args):
        _floor_mark("handled", job_id)
        sent = completed(job_id, *args)
        _floor_mark("sent", job_id)
        return sent

    def traced_drain(s, redraw=None):
        _floor_mark("drain", "")
        interval = original_drain(s, redraw)
        _floor_mark("interval", str(interval))
        return interval

    session.reporter.running = traced_running
    session.pump.handle = traced_handle
    session.run_job = traced_run_job
    session.reporter.completed = traced_completed
    drainer.drain = traced_drain
    return None


gc.callbacks.append(_floor_gc)
bpy.app.timers.register(_floor_tick, first_interval=0.0, persistent=True)
bpy.app.timers.register(_floor_probe_addon, first_interval=0.0, persistent=True)
print("[mcp-bus-floor] listening on %d" % _FLOOR_LISTEN.getsockname()[1], flush=True)
