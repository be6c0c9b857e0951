"""Handlers with the real commands' signatures but canned results, so the
registry can be exercised without Blender. The signatures must match the
real handlers in blender/commands (a test checks that)."""
from blender_mcp_bus.core.registry import Registry

EXAMPLES = {
    "get_scene_info": {
        "scene": "Scene", "blend_file": "", "frame_current": 1, "frame_start": 1, "frame_end": 250,
        "render_engine": "BLENDER_EEVEE", "unit_system": "METRIC", "collections": ["Collection"],
        "materials_count": 0, "objects": [], "offset": 0, "total": 0, "next_offset": None,
    },
    "execute_code": {"stdout": "", "stderr": "", "truncated": False},
}


def make_registry():
    registry = Registry()
    calls = []

    @registry.command("get_scene_info")
    def get_scene_info(offset=0, limit=100):
        calls.append(("get_scene_info", offset, limit))
        return dict(EXAMPLES["get_scene_info"], offset=offset)

    @registry.command("execute_code")
    def execute_code(code):
        calls.append(("execute_code", code))
        return dict(EXAMPLES["execute_code"], stdout=code)

    @registry.command("get_object_info")
    def get_object_info(name):
        return {"name": name}  # off contract on purpose

    @registry.command("browse_data")
    def browse_data(collection, detail="summary", name_contains=None, offset=0, limit=100):
        raise RuntimeError("handler bug")

    @registry.script_runner
    def run_script(job):
        calls.append(("script", job.script))
        return {"stdout": job.script, "stderr": "", "truncated": False}

    return registry, calls
