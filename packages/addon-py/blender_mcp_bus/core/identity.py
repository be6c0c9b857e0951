"""The client uuid: one per Blender process, the same across reconnects.

Kept in the process environment rather than a module global so that
reloading or re-enabling the addon keeps it. The pid is stored with it:
a Blender started by this one inherits the environment and must not
reuse the value."""
import os
import uuid

_ENV = "BLENDER_MCP_BUS_CLIENT_UUID"


def client_uuid() -> str:
    pid = str(os.getpid())
    stored_pid, _, stored = os.environ.get(_ENV, "").partition(":")
    if stored_pid == pid and stored:
        return stored
    value = "blender-" + uuid.uuid4().hex[:12]
    os.environ[_ENV] = "%s:%s" % (pid, value)
    return value
