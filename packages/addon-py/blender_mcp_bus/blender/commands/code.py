"""Python from MCP clients: execute_code (one snippet, fresh globals) and
job_dispatch scripts (one globals dict for the whole script)."""
import bmesh
import bpy
import mathutils

from ...core.capture import run_source
from ...core.jobs import Job
from ...core.registry import JobFailed, command, registry
from .. import preferences


def _globals(filename: str) -> dict:
    return {"__name__": "__main__", "__file__": filename, "__builtins__": __builtins__,
            "bpy": bpy, "bmesh": bmesh, "mathutils": mathutils}


def _run(source: str, filename: str) -> dict:
    outcome = run_source(source, filename, _globals(filename), preferences.settings().output_limit_bytes)
    if outcome.error is not None:
        raise JobFailed(outcome.error, outcome.output())
    return outcome.output()


@command("execute_code")
def execute_code(code):
    return _run(code, "<execute_code>")


@registry.script_runner
def run_script(job: Job) -> dict:
    # The job id is the filename, so tracebacks point at the job that failed.
    return _run(job.script, "<%s>" % job.job_id)
