"""register() / unregister() for the whole addon; __init__ delegates here so
that importing the package never needs bpy."""
import logging

import bpy
from bpy.app.handlers import persistent

from . import commands, drainer, panel, preferences, runtime
from ..core import capture, render_process

log = logging.getLogger("blender_mcp_bus")

classes = preferences.classes + panel.classes


@persistent
def _on_load_post(*_args):
    session = runtime.session()
    if session is not None:
        session.refresh_facts()


def register():
    commands.load_all()
    for cls in classes:
        bpy.utils.register_class(cls)
    runtime.start()
    bpy.app.handlers.load_post.append(_on_load_post)
    drainer.register()


def unregister():
    render_process.kill_all()
    drainer.unregister()
    if _on_load_post in bpy.app.handlers.load_post:
        bpy.app.handlers.load_post.remove(_on_load_post)
    runtime.stop()
    capture.uninstall()
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
