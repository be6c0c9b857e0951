"""undo, redo, get_undo_history: Blender's undo stack from a job.

The history's names come from WindowManager.print_undo_steps (readable in
3.4, 4.3 and 5.2); where it cannot be read, the steps this addon pushed."""
from ...core.registry import JobFailed, command
from ...core.undo import parse_undo_steps
from .. import compat
from ..undo_steps import HOOK


def _steps():
    text = compat.undo_steps_text()
    if text is not None:
        return parse_undo_steps(text)
    return [{"index": i, "name": name, "active": False} for i, name in enumerate(HOOK.pushed)]


def _current_name() -> str:
    active = [s["name"] for s in _steps() if s["active"]]
    return active[0] if active else ""


def _move(step, steps: int) -> dict:
    if not HOOK.available():
        raise JobFailed("undo is unavailable in this Blender (background mode, or Undo Steps is 0 in Preferences > Editing)")
    moved = 0
    while moved < steps and step():
        moved += 1
    return {"moved": moved, "current": _current_name()}


@command("undo")
def undo(steps=1):
    return _move(HOOK.undo, steps)


@command("redo")
def redo(steps=1):
    return _move(HOOK.redo, steps)


@command("get_undo_history")
def get_undo_history(offset=0, limit=100):
    available = HOOK.available()
    steps = _steps() if available else []
    current = next((s["index"] for s in steps if s["active"]), None)
    page = steps[offset:offset + limit]
    end = offset + len(page)
    return {"available": available, "steps": page, "current": current, "offset": offset,
            "total": len(steps), "next_offset": end if end < len(steps) else None}
