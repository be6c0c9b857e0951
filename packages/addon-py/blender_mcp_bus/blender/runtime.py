"""The one Session of this Blender process, created on register and dropped
on unregister. Everything here runs on the main thread."""
import logging
import os
from typing import Optional

import bpy

from ..core import identity
from ..core.registry import registry
from ..core.session import HostFacts, Session
from . import compat, preferences, undo_steps

log = logging.getLogger("blender_mcp_bus")

_session: Optional[Session] = None


def host_facts() -> HostFacts:
    blend_file = bpy.data.filepath or ""
    label = preferences.settings().label.strip()
    if not label:
        label = os.path.basename(blend_file) if blend_file else "untitled (pid %d)" % os.getpid()
    return HostFacts(compat.version_string(), blend_file, label)


def session() -> Optional[Session]:
    return _session


def start(client_type: str = "blender") -> Session:
    global _session
    if _session is None:
        _session = Session(registry, identity.client_uuid(), host_facts, undo=undo_steps.HOOK,
                           client_type=client_type)
    return _session


def connect(url: Optional[str] = None) -> None:
    settings = preferences.settings()
    if url:
        from dataclasses import replace

        settings = replace(settings, server_url=url)
    start().connect(settings)


def disconnect(reason: str = "disconnected by user") -> None:
    if _session is not None:
        _session.disconnect(reason)


def reconnect_if_connected() -> None:
    if _session is not None and _session.connection.status.state not in ("disconnected",):
        _session.connect(preferences.settings())


def stop() -> None:
    global _session
    if _session is not None:
        _session.disconnect("addon disabled")
        _session = None
