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
