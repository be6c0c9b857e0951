"""The addon's settings as one typed, immutable value.

Read from the Blender preferences on the main thread and handed to the
connection thread whole, so that thread never touches bpy."""
from dataclasses import dataclass, replace
from typing import List

from ..generated.catalog import GATES

DEFAULT_URL = "ws://127.0.0.1:9860/addon"


@dataclass(frozen=True)
class Settings:
    server_url: str = DEFAULT_URL
    token: str = ""
    label: str = ""
    auto_connect: bool = True
    allow_execute_code: bool = True
    allow_job_dispatch: bool = True
    # Captured output per stream beyond which text is cut and marked.
    output_limit_bytes: int = 256 * 1024
    connect_timeout_seconds: float = 5.0
    backoff_initial_seconds: float = 0.5
    backoff_max_seconds: float = 30.0

    @property
    def gated(self) -> List[str]:
        """Gates switched off, in catalog order: what the hello reports."""
        allowed = {"execute_code": self.allow_execute_code, "job_dispatch": self.allow_job_dispatch}
        return [gate for gate in GATES if not allowed.get(gate, True)]

    def with_gated(self, gates) -> "Settings":
        gates = set(gates)
        unknown = gates - set(GATES)
        if unknown:
            raise ValueError("unknown gates: %s (known: %s)" % (", ".join(sorted(unknown)), ", ".join(GATES)))
        return replace(
            self,
            allow_execute_code="execute_code" not in gates,
            allow_job_dispatch="job_dispatch" not in gates,
        )


GATE_PREFERENCE = {
    "execute_code": "Allow execute_code",
    "job_dispatch": "Allow job_dispatch",
}


def gate_reason(gate: str) -> str:
    """Why gated work fails, with how to switch it back on."""
    return "%s is switched off in this Blender: enable '%s' in Preferences > Add-ons > MCP Bus" % (
        gate,
        GATE_PREFERENCE.get(gate, gate),
    )
