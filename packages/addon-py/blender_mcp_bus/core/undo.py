"""Every job that changes the scene becomes one named step in Blender's undo
history, and a failed one is rolled back. The session decides which jobs and
when; the bpy layer supplies the hook that talks to Blender (NoUndo without)."""
import logging
import re
from typing import Any, Dict, List, Mapping, Optional

from .jobs import Job

log = logging.getLogger("blender_mcp_bus")

PREFIX = "MCP: "
UNAVAILABLE = "undo is unavailable in this Blender, so the changes made before the error remain"


class NoUndo:
    """The hook's interface, doing nothing: push a step after a job, roll back a failed one."""

    def push(self, name: str) -> bool:
        return False

    def rollback(self, name: str) -> bool:
        return True  # without Blender there is no scene to roll back


def step_name(job: Job, catalog: Mapping[str, Any]) -> Optional[str]:
    """'MCP: <command> <job_id>' for a job that changes the scene, else None."""
    if not job.is_script:
        spec = catalog.get(job.command)
        if spec is None or not spec.undo_step:
            return None
    return "%s%s %s" % (PREFIX, job.command, job.job_id)


def safely(action, name: str) -> bool:
    """A failing undo hook must not fail the job or the addon."""
    try:
        return bool(action(name))
    except Exception:
        log.warning("undo step %r failed", name, exc_info=True)
        return False


# One line of WindowManager.print_undo_steps():
#   [*#M ]   1 {0x7f10869ed588} type='Global Undo', name='MCP: probe 1'
_STEP = re.compile(r"^\[(?P<flags>.{4})\]\s+(?P<index>\d+)\s+\{[^}]*\}\s+type='(?P<type>[^']*)',\s+name='(?P<name>.*)'\s*$")


def parse_undo_steps(text: str) -> List[Dict[str, Any]]:
    """Blender's debug listing of its undo stack -> [{index, name, active}], oldest first."""
    steps = []
    for line in text.splitlines():
        m = _STEP.match(line)
        if m:
            steps.append({"index": int(m.group("index")), "name": m.group("name"), "active": "*" in m.group("flags")})
    return steps
