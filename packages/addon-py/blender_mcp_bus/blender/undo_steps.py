"""The session's undo hook: Blender's undo stack through ed.undo_push /
ed.undo, which need a window context when called from the drainer's timer.
Keeps its own record of the steps it pushed, for Blenders whose history
cannot be read."""
from collections import deque

import bpy

from . import compat


class BlenderUndo:
    def __init__(self):
        self.pushed = deque(maxlen=200)

    def available(self) -> bool:
        return (not bpy.app.background and bpy.context.preferences.edit.undo_steps > 0
                and compat.window_override() is not None)

    def _run(self, op, **kwargs) -> bool:
        override = compat.window_override()
        if override is None or not self.available():
            return False
        try:
            with override:
                return "FINISHED" in op(**kwargs)
        except RuntimeError:  # poll failed: nothing to undo or redo
            return False

    def push(self, name: str) -> bool:
        done = self._run(bpy.ops.ed.undo_push, message=name)
        if done:
            self.pushed.append(name)
        return done

    def rollback(self, name: str) -> bool:
        """Back to the state before a failed job: its changes become a step, undone at once."""
        return self._run(bpy.ops.ed.undo_push, message=name + " (failed, rolled back)") and self._run(bpy.ops.ed.undo)

    def undo(self) -> bool:
        return self._run(bpy.ops.ed.undo)

    def redo(self) -> bool:
        return self._run(bpy.ops.ed.redo)

    def forget(self) -> None:
        """A new file starts a new history."""
        self.pushed.clear()


HOOK = BlenderUndo()
