"""Every difference between the Blender versions we support (3.4 to 5.2),
in one place, decided by bpy.app.version."""
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
