"""Blender startup script for test launchers:

    blender --factory-startup --python packages/addon-py/blender_startup/startup.py

Installs the addon from a zip as a user would, sets its preferences, and
connects. Environment:
  BLENDER_MCP_BUS_ZIP     the legacy addon zip (required)
  BLENDER_MCP_BUS_URL     server URL (default: the addon's default)
  BLENDER_MCP_BUS_GATED   comma list of gates to switch off (execute_code, job_dispatch)
  BLENDER_MCP_BUS_LABEL   label shown to MCP clients
  BLENDER_MCP_BUS_ENABLE  comma list of asset integrations to switch on (polyhaven, sketchfab, hyper3d)
  BLENDER_MCP_BUS_TOKEN   bearer token (else the addon looks for the local token file)
  BLENDER_MCP_BUS_ALLOWED_FOLDERS  ';' list of folders MCP clients may use files in
Point BLENDER_USER_CONFIG / BLENDER_USER_SCRIPTS at a temporary folder so the
install never touches a real profile. Progress lines start with [mcp-bus];
"[mcp-bus] connected as <uuid> to <url>" means ready: the main loop runs and
the addon is connected."""
import os
import sys
import traceback

import bpy

MODULE = "blender_mcp_bus"


def fail(message):
    print("[mcp-bus] startup failed: " + message, flush=True)
    sys.stdout.flush()
    os._exit(3)


def main():
    zip_path = os.environ.get("BLENDER_MCP_BUS_ZIP", "")
    if not zip_path or not os.path.isfile(zip_path):
        fail("BLENDER_MCP_BUS_ZIP must name the addon zip, got %r" % zip_path)
    # The legacy zip installs as an addon on 3.x, 4.x and 5.x alike.
    bpy.ops.preferences.addon_install(filepath=os.path.abspath(zip_path), overwrite=True)
    bpy.ops.preferences.addon_enable(module=MODULE)
    addon = bpy.context.preferences.addons.get(MODULE)
    if addon is None:
        fail("addon %s did not enable" % MODULE)
    prefs = addon.preferences
    # Set before the addon's auto-connect timer fires, so the first hello is right.
    url = os.environ.get("BLENDER_MCP_BUS_URL", "").strip()
    if url:
        prefs.server_url = url
    token = os.environ.get("BLENDER_MCP_BUS_TOKEN", "").strip()
    if token:
        prefs.token = token
    label = os.environ.get("BLENDER_MCP_BUS_LABEL", "").strip()
    if label:
        prefs.label = label
    prefs.allowed_folders = os.environ.get("BLENDER_MCP_BUS_ALLOWED_FOLDERS", "").strip()
    gated = {g.strip() for g in os.environ.get("BLENDER_MCP_BUS_GATED", "").split(",") if g.strip()}
    unknown = gated - {"execute_code", "job_dispatch"}
    if unknown:
        fail("unknown gates in BLENDER_MCP_BUS_GATED: %s" % ", ".join(sorted(unknown)))
    prefs.allow_execute_code = "execute_code" not in gated
    prefs.allow_job_dispatch = "job_dispatch" not in gated
    integrations = ("polyhaven", "sketchfab", "hyper3d")
    enabled = {g.strip() for g in os.environ.get("BLENDER_MCP_BUS_ENABLE", "").split(",") if g.strip()}
    if enabled - set(integrations):
        fail("unknown integrations in BLENDER_MCP_BUS_ENABLE: %s" % ", ".join(sorted(enabled - set(integrations))))
    for name in integrations:
        setattr(prefs, "enable_" + name, name in enabled)
    prefs.auto_connect = False
    print("[mcp-bus] startup: addon %s enabled on Blender %s, connecting to %s once the main loop runs"
          % (MODULE, bpy.app.version_string, prefs.server_url), flush=True)
    # Connect from the main loop's first pass, so "connected as" means Blender can run a job now: on a
    # loaded machine its first passes came up to 25 s after the socket thread had connected.
    bpy.app.timers.register(connect, first_interval=0.0)


def connect():
    try:
        bpy.ops.mcp_bus.connect()
    except Exception:
        traceback.print_exc()
        fail("the connect operator raised; see the traceback above")
    return None


try:
    main()
except Exception:
    traceback.print_exc()
    fail("see the traceback above")
