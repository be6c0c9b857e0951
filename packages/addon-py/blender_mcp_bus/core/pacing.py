"""How long the main-thread timer sleeps between looks at the queue.

Blender gives no way to wake its main thread from another thread, so the
drainer polls. To keep latency low without a busy loop: no wait while jobs
are queued, a very short wait right after activity (the next job of a burst
usually follows soon), then gradually longer waits while idle.

"Right after" is long: an agent's calls come seconds apart, and a call that
arrives while the timer backs off waits up to idle_connected for it. A look
at an empty queue costs about 20 us of Python, so looking on every pass of
Blender's main loop (about 200 a second) for half a minute after the last
job costs a fraction of a percent of a core, and nothing once idle."""
from dataclasses import dataclass


@dataclass
class Pacer:
    busy: float = 0.0
    hot: float = 0.002
    hot_window: float = 30.0  # seconds after activity that count as "recent"
    growth: float = 1.5
    idle_connected: float = 0.025
    idle_offline: float = 0.5
    _current: float = 0.002

    def next_interval(self, queued: int, seconds_since_activity: float, connected: bool) -> float:
        if queued:
            self._current = self.hot
            return self.busy
        if seconds_since_activity < self.hot_window:
            self._current = self.hot
            return self.hot
        ceiling = self.idle_connected if connected else self.idle_offline
        self._current = min(ceiling, self._current * self.growth)
        return self._current
