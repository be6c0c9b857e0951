"""A headless worker's settings: the addon preferences (if the addon is
enabled in this profile), then the environment, then the command line after
Blender's `--`. Pure Python, so the precedence is unit-tested without bpy."""
import argparse
import os
from dataclasses import replace
from typing import List, Mapping, Sequence

from ..generated.catalog import GATES
from .paths import parse_folders
from .settings import Settings, with_env

# The variables the test launchers already give the UI addon, read the same way here.
ENV_FIELDS = {
    "BLENDER_MCP_BUS_URL": "server_url",
    "BLENDER_MCP_BUS_TOKEN": "token",
    "BLENDER_MCP_BUS_LABEL": "label",
}
INTEGRATIONS = ("polyhaven", "sketchfab", "hyper3d")


class WorkerArgsError(ValueError):
    """Bad worker arguments; the message says how to fix them."""


def _names(text: str, known: Sequence[str], what: str) -> List[str]:
    names = [n.strip() for n in (text or "").split(",") if n.strip()]
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise WorkerArgsError("unknown %s: %s (known: %s)" % (what, ", ".join(unknown), ", ".join(known)))
    return names


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would exit Blender with code 2 and no reason in the log
        raise WorkerArgsError("%s\n%s" % (message, self.format_usage().strip()))


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="blender -b [file.blend] --python blender_mcp_bus/worker.py --",
                description="Join the MCP bus as a headless worker and run its jobs until stopped.")
    p.add_argument("--url", help="server's addon endpoint (env BLENDER_MCP_BUS_URL)")
    p.add_argument("--token", help="token (env BLENDER_MCP_BUS_TOKEN; else the server's local token file)")
    p.add_argument("--label", help="name shown to MCP clients (env BLENDER_MCP_BUS_LABEL)")
    p.add_argument("--gated", help="comma list of gates to switch off (env BLENDER_MCP_BUS_GATED): "
                                   + ", ".join(GATES))
    p.add_argument("--allowed-folders", help="';' list of folders MCP clients may use files in "
                                             "(env BLENDER_MCP_BUS_ALLOWED_FOLDERS)")
    return p


def script_args(argv: Sequence[str]) -> List[str]:
    """Blender passes everything after `--` through to the script untouched."""
    argv = list(argv)
    return argv[argv.index("--") + 1:] if "--" in argv else []


def worker_settings(base: Settings, env: Mapping[str, str] = os.environ, argv: Sequence[str] = ()) -> Settings:
    args = parser().parse_args(list(argv))
    changes = {}
    for name, field in ENV_FIELDS.items():
        if env.get(name, "").strip():
            changes[field] = env[name].strip()
    for field, value in (("server_url", args.url), ("token", args.token), ("label", args.label)):
        if value:
            changes[field] = value.strip()
    settings = replace(base, auto_connect=True, **changes)
    gated = args.gated if args.gated is not None else env.get("BLENDER_MCP_BUS_GATED")
    if gated is not None:
        # As the UI launcher does: the two code gates are on unless named; a named integration is off.
        off = set(_names(gated, GATES, "gates in --gated / BLENDER_MCP_BUS_GATED"))
        still_off = [g for g in settings.gated if g not in ("execute_code", "job_dispatch")]
        settings = settings.with_gated(off | set(still_off))
    enabled = env.get("BLENDER_MCP_BUS_ENABLE")
    if enabled is not None:
        on = _names(enabled, INTEGRATIONS, "integrations in BLENDER_MCP_BUS_ENABLE")
        settings = replace(settings, **{"enable_" + name: name in on for name in INTEGRATIONS})
    folders = args.allowed_folders if args.allowed_folders is not None else env.get("BLENDER_MCP_BUS_ALLOWED_FOLDERS")
    if folders is not None:
        settings = replace(settings, allowed_folders=parse_folders(folders))
    return with_env(settings, env)
