"""Reads the timeline BENCH_TAIL_TRACE=1 makes section 6b write, and prints
where each full-path call spent its time:

    python3 tools/bench/blender-tail-trace.py /tmp/tail-trace-3.4.json

The bench and Blender read one clock (CLOCK_MONOTONIC), so client and addon
marks compare directly. Thread CPU time beside wall time tells a stage that
waited (for the GIL or a core) from one that worked."""
import bisect
import json
import sys


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, -(-p * len(xs) // 100) - 1))]


def row(name, xs):
    print("%-36s %8.2f %8.2f %8.2f %8.2f" % (name, pct(xs, 50), pct(xs, 95), pct(xs, 99), max(xs)))


def main(path):
    trace = json.load(open(path))
    events = trace["blender"]["events"]
    at = {}
    for kind, _key, wall, cpu in events:
        at.setdefault(kind, []).append((wall, cpu))
    walls = {kind: [w for w, _ in marks] for kind, marks in at.items()}
    ticks = trace["blender"]["ticks"]
    print("%-36s %8s %8s %8s %8s" % ("ms", "p50", "p95", "p99", "max"))
    row("main-loop pass", [(b - a) * 1000 for a, b in zip(ticks, ticks[1:])])
    calls = [t for kind, t in trace["marks"] if kind == "call"]
    replies = [t for kind, t in trace["marks"] if kind == "reply"]
    stages = {k: [] for k in ("total", "client to addon receive", "receive to queued", "queued to drainer pass",
                              "job (running, handler, completed)", "completed to client")}
    for call, reply in zip(calls, replies):
        recv = walls["recv"][bisect.bisect_left(walls["recv"], call)]
        queued = walls["queued"][bisect.bisect_left(walls["queued"], recv)]
        j = bisect.bisect_left(walls["start"], queued)
        start, sent = walls["start"][j], walls["sent"][j]
        drain = walls["drain"][bisect.bisect_right(walls["drain"], start) - 1]
        for name, value in zip(stages, (reply - call, recv - call, queued - recv, drain - queued, sent - start, reply - sent)):
            stages[name].append(value * 1000)
    for name, values in stages.items():
        row(name, values)
    for a, b in (("start", "running_sent"), ("running_sent", "handled"), ("handled", "sent"), ("sent", "end")):
        pairs = list(zip(at.get(a, []), at.get(b, [])))
        if pairs:
            row("%s to %s, wall" % (a, b), [(y[0] - x[0]) * 1000 for x, y in pairs])
            row("%s to %s, cpu" % (a, b), [(y[1] - x[1]) * 1000 for x, y in pairs])
    spaced = [t for kind, t in trace["marks"] if kind == "spaced call"]
    waits = []
    for call in spaced:
        queued = walls["queued"][bisect.bisect_left(walls["queued"], call)]
        waits.append((walls["start"][bisect.bisect_left(walls["start"], queued)] - queued) * 1000)
    if waits:
        row("after a pause: queued to job", waits)
    collections = [(g, t) for phase, g, t in trace["blender"]["gc"] if phase == "start"]
    print("GC: %d collections, generations %s" % (len(collections), sorted({g for g, _ in collections})))


if __name__ == "__main__":
    main(sys.argv[1])
