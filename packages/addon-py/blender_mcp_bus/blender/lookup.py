"""Finding what a command names or needs: an object by name (with close
matches in the error), whether it is visible, the largest 3D view to draw."""
import difflib

import bpy

from ..core.registry import JobFailed


def find_object(name):
    obj = bpy.data.objects.get(name)
    if obj is None:
        close = difflib.get_close_matches(name, bpy.data.objects.keys(), n=3)
        hint = " Did you mean %s?" % ", ".join(repr(c) for c in close) if close else ""
        raise JobFailed("no object named %r.%s" % (name, hint))
    return obj


def is_visible(obj) -> bool:
    try:
        return bool(obj.visible_get())
    except RuntimeError:  # not in the active view layer
        return not obj.hide_viewport


def largest_view3d():
    if bpy.app.background:
        # The startup file's screens exist even in `blender -b`, but nothing can draw them.
        return None
    best = None
    for window in bpy.context.window_manager.windows:
        for area in window.screen.areas:
            if area.type != "VIEW_3D":
                continue
            region = next((r for r in area.regions if r.type == "WINDOW"), None)
            if region is None or region.width <= 1 or region.height <= 1:
                continue
            if best is None or region.width * region.height > best[2].width * best[2].height:
                best = (window, area, region)
    return best
