"""Every difference between the Blender versions we support (3.4 to 5.2),
in one place, decided by bpy.app.version."""
import os

import bpy

VERSION = bpy.app.version


def version_string() -> str:
    return bpy.app.version_string


def temp_override(**kwargs):
    """Context override for operators: context.temp_override from 3.2, a dict before."""
    if VERSION >= (3, 2, 0):
        return bpy.context.temp_override(**kwargs)
    import contextlib

    @contextlib.contextmanager
    def legacy():
        override = bpy.context.copy()
        override.update(kwargs)
        yield override

    return legacy()


def collection_tree(collection):
    """All collections below one, depth first (children_recursive exists from 3.1 only)."""
    if VERSION >= (3, 1, 0):
        return list(collection.children_recursive)
    found = []
    for child in collection.children:
        found.append(child)
        found.extend(collection_tree(child))
    return found


def active_framebuffer():
    import gpu

    return gpu.state.active_framebuffer_get()


def read_rgb(framebuffer, width: int, height: int) -> bytes:
    """Bottom-up 8-bit RGB rows of the bound framebuffer."""
    buffer = framebuffer.read_color(0, 0, width, height, 3, 0, "UBYTE")
    try:
        return bytes(memoryview(buffer).cast("B"))
    except TypeError:
        # Buffers without the buffer protocol: flatten the nested lists.
        buffer.dimensions = width * height * 3
        return bytes(buffer.to_list())


def is_extension(package: str) -> bool:
    """Installed as a 4.2+ extension (bl_ext.<repo>.<id>) rather than a legacy addon."""
    return package.startswith("bl_ext.")


def online_access() -> bool:
    """Blender 4.2+ asks add-ons to stay offline unless the user allowed online access (or started it with
    --online-mode); earlier Blenders have no such setting."""
    if VERSION < (4, 2, 0):
        return True
    return bool(bpy.app.online_access)


def user_data_folder(package: str, *parts: str) -> str:
    """Where the add-on keeps files it makes (downloads, renders): the extension's own user folder on 4.2+, as the
    Extensions platform asks, else Blender's user data folder."""
    sub = os.path.join(*parts)
    if VERSION >= (4, 2, 0) and is_extension(package):
        return bpy.utils.extension_path_user(package, path=sub, create=True)
    return bpy.utils.user_resource("DATAFILES", path=os.path.join("blender_mcp_bus", sub), create=True)


def prepare_gltf_import() -> None:
    """Blender 3.4's glTF importer uses numpy.bool, which numpy 1.24 removed.
    Official 3.4 builds bundle an older numpy; Blenders that use the system's
    (Debian's) get the newer one, so the alias is put back for them."""
    if VERSION >= (3, 6, 0):
        return
    try:
        import numpy
    except ImportError:
        return
    if "bool" not in numpy.__dict__:
        numpy.bool = bool


def eevee_engine() -> str:
    """EEVEE's engine id: BLENDER_EEVEE_NEXT while 4.2-4.x had the rewrite beside the old name, BLENDER_EEVEE before and after."""
    if (4, 2, 0) <= VERSION < (5, 0, 0):
        return "BLENDER_EEVEE_NEXT"
    return "BLENDER_EEVEE"


def render_engines() -> list:
    """Engine ids this Blender can render with. The engine enum is dynamic, so its
    static items only hold the built-in EEVEE; Workbench is built in too, and the
    Python-defined engines (Cycles, add-ons) are RenderEngine subclasses."""
    found = [item.identifier for item in bpy.types.RenderSettings.bl_rna.properties["engine"].enum_items]
    found.append("BLENDER_WORKBENCH")
    pending = list(bpy.types.RenderEngine.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        name = getattr(cls, "bl_idname", None)
        if name:
            found.append(name)
    return sorted(set(found))


def set_render_samples(scene, engine: str, samples: int) -> None:
    """Samples live in each engine's own settings; Workbench has anti-aliasing steps instead."""
    if engine == "CYCLES":
        scene.cycles.samples = samples
    elif engine.startswith("BLENDER_EEVEE"):
        scene.eevee.taa_render_samples = samples
    elif engine == "BLENDER_WORKBENCH":
        steps = [("OFF", 1), ("FXAA", 2), ("5", 5), ("8", 8), ("11", 11), ("16", 16), ("32", 32)]
        scene.display.render_aa = min(steps, key=lambda step: abs(step[1] - samples))[0]


def save_copy(filepath: str) -> None:
    """Write the open file, as it is now, to filepath without making it the current
    file. The operator wants a window from a timer; libraries.write (every scene and
    what it uses) is the fallback where none exists."""
    window = next(iter(bpy.context.window_manager.windows), None) if bpy.context.window_manager else None
    try:
        if window is not None:
            with temp_override(window=window, screen=window.screen):
                result = bpy.ops.wm.save_as_mainfile(filepath=filepath, copy=True, check_existing=False)
        else:
            result = bpy.ops.wm.save_as_mainfile(filepath=filepath, copy=True, check_existing=False)
        if "FINISHED" in result:
            return
    except RuntimeError:
        pass
    bpy.data.libraries.write(filepath, set(bpy.data.scenes), fake_user=True)
def window_override():
    """A window context for operators run from a timer (undo, file loading, import/export
    fail their poll without one), or None when Blender has no window (background mode)."""
    window = bpy.context.window
    if window is None:
        windows = bpy.context.window_manager.windows if bpy.context.window_manager else []
        window = windows[0] if len(windows) else None
    if window is None:
        return None
    return temp_override(window=window, screen=window.screen)


def operator(idname: str):
    """bpy.ops.<module>.<name> when this Blender has that operator, else None."""
    module, _, name = idname.partition(".")
    op = getattr(getattr(bpy.ops, module), name)
    try:
        op.get_rna_type()
    except (KeyError, AttributeError, RuntimeError):
        return None
    return op


# Checked in 3.4.1, 4.3.2 and 5.2.2 (Debian's builds): OBJ has the C++ wm.obj_* from 3.2 and
# the Python import_scene.obj until 3.6; STL's C++ wm.stl_* is complete from 4.1 (3.4 has an
# experimental importer only), before that import_mesh/export_mesh.stl. Debian builds Blender
# without USD, so wm.usd_* is missing there.
def file_operators(fmt: str):
    """(importer idnames, exporter idnames) of a format, best first."""
    stl = ((["wm.stl_import", "import_mesh.stl"], ["wm.stl_export", "export_mesh.stl"]) if VERSION >= (4, 1, 0)
           else (["import_mesh.stl"], ["export_mesh.stl"]))
    return {
        "gltf": (["import_scene.gltf"], ["export_scene.gltf"]),
        "glb": (["import_scene.gltf"], ["export_scene.gltf"]),
        "fbx": (["import_scene.fbx"], ["export_scene.fbx"]),
        "obj": (["wm.obj_import", "import_scene.obj"], ["wm.obj_export", "export_scene.obj"]),
        "stl": stl,
        "usd": (["wm.usd_import"], ["wm.usd_export"]),
    }[fmt]


def importers(fmt: str):
    return file_operators(fmt)[0]


def exporters(fmt: str):
    return file_operators(fmt)[1]


# The export operator's "only the selected objects" switch.
SELECTION_PROPERTY = {
    "wm.obj_export": "export_selected_objects", "export_scene.obj": "use_selection",
    "wm.stl_export": "export_selected_objects", "export_mesh.stl": "use_selection",
    "export_scene.gltf": "use_selection", "export_scene.fbx": "use_selection",
    "wm.usd_export": "selected_objects_only",
}


def export_options(idname: str, fmt: str) -> dict:
    if idname == "export_scene.gltf":
        return {"export_format": "GLB" if fmt == "glb" else "GLTF_SEPARATE"}
    return {}


def undo_steps_text():
    """Blender's own listing of its undo stack (WindowManager.print_undo_steps, a debug
    function that printf()s to stdout, in 3.4, 4.3 and 5.2), or None when it cannot be read."""
    import ctypes
    import os
    import sys
    import tempfile

    wm = bpy.context.window_manager
    if not hasattr(wm, "print_undo_steps"):
        return None
    try:
        libc = ctypes.CDLL(None)
    except OSError:  # Windows has no process-wide libc to flush
        return None
    sys.stdout.flush()
    libc.fflush(None)
    with tempfile.TemporaryFile() as captured:
        saved = os.dup(1)
        os.dup2(captured.fileno(), 1)
        try:
            wm.print_undo_steps()
            libc.fflush(None)
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        captured.seek(0)
        return captured.read().decode("utf-8", "replace")
