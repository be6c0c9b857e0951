"""Reading a background render's output: progress, the files it wrote, and
why it failed. Pure Python, fed one stdout line at a time.

Two sources, because Blenders differ: the render script prints marker
lines (MARKER + JSON) for frames and for render_stats text, which 4.x and
5.x hand to the handler; 3.4 hands the handler None but prints the same
stats itself ("Fra:1 ... | Sample 3/16"). So sample counts are searched in
any line, marker or not."""
import json
import math
import re
from collections import deque
from typing import Any, Dict, List, Optional, Tuple

MARKER = "@mcp-render "

# Cycles: "Sample 3/16"; EEVEE: "Rendering 3 / 16 samples".
_SAMPLES = re.compile(r"(?:Sample (\d+)/(\d+)|Rendering (\d+) / (\d+) samples)")


def samples_in(text: str) -> Optional[Tuple[int, int]]:
    """The last (done, total) sample count in a stats line, if any."""
    found = None
    for match in _SAMPLES.finditer(text):
        done, total = match.group(1) or match.group(3), match.group(2) or match.group(4)
        found = (int(done), int(total))
    return found


def markers_in(line: str) -> List[Dict[str, Any]]:
    """Marker events in a line; Blender 3.4 may print its stats on the same line before one."""
    events = []
    at = line.find(MARKER)
    if at < 0:
        return events
    try:
        event = json.loads(line[at + len(MARKER):])
    except ValueError:
        return events
    if isinstance(event, dict):
        events.append(event)
    return events


class RenderProgress:
    """Progress of a render of `frames` frames: done = whole frames plus the
    current frame's share of samples, so it only grows."""

    def __init__(self, frames: int, tail: int = 12):
        self.frames = max(1, frames)
        self.files: List[str] = []
        self.result: Dict[str, Any] = {}
        self.errors: List[str] = []
        self.frame: Optional[int] = None
        self._fraction = 0.0
        self._tail = deque(maxlen=tail)

    @property
    def done(self) -> float:
        return min(float(self.frames), len(self.files) + self._fraction)

    def feed(self, line: str) -> Optional[Tuple[float, int, str]]:
        """One output line; returns (done, total, message) when progress moved."""
        line = line.rstrip("\r\n")
        if not line.strip():
            return None
        moved = False
        text = line
        for event in markers_in(line):
            kind = event.get("event")
            if kind == "frame":
                self.frame = int(event.get("frame", 0))
                self._fraction = 0.0
                moved = True
            elif kind == "written":
                self.files.append(str(event.get("path", "")))
                self._fraction = 0.0
                moved = True
            elif kind == "stats":
                text = str(event.get("text", ""))
            elif kind == "error":
                self.errors.append(str(event.get("message", "")))
            elif kind == "done":
                self.result = event
        if not line.lstrip().startswith(MARKER.strip()):
            self._tail.append(line[:300])
            if line.startswith("Error:"):
                self.errors.append(line[len("Error:"):].strip())
        samples = samples_in(text)
        if samples is not None and samples[1] > 0:
            # Never a whole frame from samples alone: the frame counts once its file is written.
            self._fraction = min(0.99, samples[0] / float(samples[1]))
            moved = True
        if not moved:
            return None
        return self.done, self.frames, self.message(samples)

    def message(self, samples: Optional[Tuple[int, int]] = None) -> str:
        parts = []
        if self.frame is not None:
            parts.append("frame %d" % self.frame)
        if samples is not None:
            parts.append("sample %d/%d" % samples)
        if self.frames > 1:
            parts.append("%d/%d frames done" % (len(self.files), self.frames))
        return ", ".join(parts) or "rendering"

    def failure(self, exit_code: Optional[int]) -> str:
        """Why the render process ended without a result, from what it said last."""
        if self.errors:
            return self.errors[-1]
        tail = "\n".join(self._tail)
        return "the render process exited with code %s%s" % (exit_code, (":\n" + tail) if tail else "")


def sheet_layout(count: int, width: int, height: int, max_width: int = 1024,
                 max_thumbs: int = 36, min_side: int = 16) -> Dict[str, Any]:
    """A contact sheet's grid: which frames (indices, evenly spread), the
    columns and rows, and the thumbnail size that keeps the sheet at most
    max_width wide."""
    if count <= 0 or width <= 0 or height <= 0:
        raise ValueError("a contact sheet needs frames of a size")
    shown = min(count, max_thumbs)
    if shown == count:
        picks = list(range(count))
    else:
        picks = sorted({int(round(i * (count - 1) / float(shown - 1))) for i in range(shown)}) if shown > 1 else [0]
    columns = int(math.ceil(math.sqrt(len(picks))))
    rows = int(math.ceil(len(picks) / float(columns)))
    scale = min(1.0, max_width / float(columns * width))
    thumb_w = max(min_side, int(width * scale))
    thumb_h = max(min_side, int(round(height * thumb_w / float(width))))
    if thumb_w * columns > max_width:
        thumb_w = max(1, max_width // columns)
        thumb_h = max(1, int(round(height * thumb_w / float(width))))
    return {"picks": picks, "columns": columns, "rows": rows, "thumb_width": thumb_w, "thumb_height": thumb_h}
