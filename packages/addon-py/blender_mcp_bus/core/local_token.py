"""Finds the token a blender-mcp server on this machine wrote for its local
user, so a local Blender pairs without copying it into the preferences.

The folder rule must match the server's (packages/server/src/auth/data-dir.ts):
BLENDER_MCP_HOME, else the platform's per-user data folder."""
import os
import sys
from typing import Mapping, Optional

LOCAL_TOKEN_FILE = "local-token"


def default_data_dir(env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> str:
    if env.get("BLENDER_MCP_HOME"):
        return env["BLENDER_MCP_HOME"]
    home = os.path.expanduser("~")
    if platform == "win32":
        return os.path.join(env.get("APPDATA") or os.path.join(home, "AppData", "Roaming"), "blender-mcp")
    if platform == "darwin":
        return os.path.join(home, "Library", "Application Support", "blender-mcp")
    return os.path.join(env.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share"), "blender-mcp")


def find_local_token(env: Mapping[str, str] = os.environ) -> Optional[str]:
    try:
        with open(os.path.join(default_data_dir(env), LOCAL_TOKEN_FILE), encoding="utf-8") as f:
            return f.read().strip() or None
    except OSError:
        return None
