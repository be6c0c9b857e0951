"""The addon's settings as one typed, immutable value.

Read from the Blender preferences on the main thread and handed to the
connection thread whole, so that thread never touches bpy."""
import os
from dataclasses import dataclass, field, replace
from typing import List, Mapping, Tuple

from ..generated.catalog import GATES
from .paths import default_folders

DEFAULT_URL = "ws://127.0.0.1:9860/addon"


@dataclass(frozen=True)
class Settings:
    server_url: str = DEFAULT_URL
    token: str = ""
    label: str = ""
    auto_connect: bool = True
    allow_execute_code: bool = True
    allow_job_dispatch: bool = True
    # The asset integrations reach third-party services: off until the user turns them on.
    enable_polyhaven: bool = False
    enable_sketchfab: bool = False
    enable_hyper3d: bool = False
    # Captured output per stream beyond which text is cut and marked.
    output_limit_bytes: int = 256 * 1024
    # SHA-256 of a self-signed server certificate (hex, colons allowed); empty: the system trust store checks it.
    tls_fingerprint: str = ""
    # ws:// to another machine: refused unless this is ticked (everything would travel in the clear).
    allow_insecure_remote: bool = False
    connect_timeout_seconds: float = 5.0
    backoff_initial_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    # Resolved folders that file paths from MCP clients must lie in (core/paths.py).
    allowed_folders: Tuple[str, ...] = field(default_factory=default_folders)

    @property
    def gated(self) -> List[str]:
        """Gates switched off, in catalog order: what the hello reports."""
        return [gate for gate in GATES if not getattr(self, _GATE_FIELD[gate])]

    def with_gated(self, gates) -> "Settings":
        gates = set(gates)
        unknown = gates - set(GATES)
        if unknown:
            raise ValueError("unknown gates: %s (known: %s)" % (", ".join(sorted(unknown)), ", ".join(GATES)))
        return replace(self, **{_GATE_FIELD[gate]: gate not in gates for gate in GATES})


def with_env(settings: Settings, env: Mapping[str, str] = os.environ) -> Settings:
    """Overrides for launch harnesses: BLENDER_MCP_BUS_BACKOFF_MAX (seconds), BLENDER_MCP_BUS_ALLOW_INSECURE_REMOTE=1."""
    changes = {}
    if env.get("BLENDER_MCP_BUS_BACKOFF_MAX"):
        changes["backoff_max_seconds"] = float(env["BLENDER_MCP_BUS_BACKOFF_MAX"])
    if env.get("BLENDER_MCP_BUS_ALLOW_INSECURE_REMOTE") == "1":
        changes["allow_insecure_remote"] = True
    return replace(settings, **changes) if changes else settings


# Gate -> the Settings field (and addon preference) that switches it on.
_GATE_FIELD = {
    "execute_code": "allow_execute_code",
    "job_dispatch": "allow_job_dispatch",
    "polyhaven": "enable_polyhaven",
    "sketchfab": "enable_sketchfab",
    "hyper3d": "enable_hyper3d",
}

GATE_PREFERENCE = {
    "execute_code": "Allow execute_code",
    "job_dispatch": "Allow job_dispatch",
    "polyhaven": "Poly Haven",
    "sketchfab": "Sketchfab",
    "hyper3d": "Hyper3D Rodin",
}


def gate_reason(gate: str) -> str:
    """Why gated work fails, with how to switch it back on."""
    return "%s is switched off in this Blender: enable '%s' in Preferences > Add-ons > MCP Bus" % (
        gate,
        GATE_PREFERENCE.get(gate, gate),
    )
