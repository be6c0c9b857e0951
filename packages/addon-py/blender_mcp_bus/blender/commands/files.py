"""save_file, open_file, import_file, export_file.

Every path goes through paths.allowed_path. Operators that load a file or
run an importer get a window context (the job runs in a timer); the job's
terminal update is sent after the load, from the same call."""
import os

import bpy

from ...core.registry import JobFailed, command
from .. import compat
from ..paths import allowed_path
from ..undo_steps import HOOK

EXTENSIONS = {".gltf": "gltf", ".glb": "glb", ".fbx": "fbx", ".obj": "obj", ".stl": "stl",
              ".usd": "usd", ".usda": "usd", ".usdc": "usd", ".usdz": "usd"}
FORMATS = ("gltf", "glb", "fbx", "obj", "stl", "usd")


def _call(op, **kwargs) -> None:
    override = compat.window_override()
    try:
        if override is None:
            result = op(**kwargs)
        else:
            with override:
                result = op(**kwargs)
    except RuntimeError as error:  # operators report their errors as RuntimeError
        raise JobFailed("%s failed: %s" % (op.idname_py(), str(error).strip()))
    if "FINISHED" not in result:
        raise JobFailed("%s did not finish (%s)" % (op.idname_py(), ", ".join(sorted(result))))


def _existing_file(filepath: str) -> str:
    path = allowed_path(filepath)
    if not os.path.isfile(path):
        raise JobFailed("no file at %s" % path)
    return path


def _writable(filepath: str) -> str:
    path = allowed_path(filepath)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def _format(path: str, fmt) -> str:
    if fmt:
        return fmt
    ext = os.path.splitext(path)[1].lower()
    found = EXTENSIONS.get(ext)
    if found is None:
        raise JobFailed("cannot tell the format of %s from its extension: pass format (one of %s)"
                        % (path, ", ".join(FORMATS)))
    return found


def _operator(fmt: str, candidates, kind: str):
    for idname in candidates(fmt):
        op = compat.operator(idname)
        if op is not None:
            return idname, op
    has = [f for f in FORMATS if any(compat.operator(i) for i in candidates(f))]
    raise JobFailed("this Blender (%s) has no %s %sporter; it can %s: %s"
                    % (compat.version_string(), fmt.upper(), kind, kind + "port", ", ".join(has) or "nothing"))


@command("save_file")
def save_file(filepath=None):
    if filepath is None:
        if not bpy.data.filepath:
            raise JobFailed("this file has never been saved: pass filepath to save it as a new .blend")
        filepath = bpy.data.filepath
    path = _writable(filepath)
    _call(bpy.ops.wm.save_as_mainfile, filepath=path)
    return {"filepath": bpy.data.filepath, "size": os.path.getsize(path)}


@command("open_file")
def open_file(action="open", filepath=None):
    if action == "open":
        if not filepath:
            raise JobFailed("action open needs filepath: the .blend to open")
        _call(bpy.ops.wm.open_mainfile, filepath=_existing_file(filepath))
    elif action == "new":
        _call(bpy.ops.wm.read_homefile)
    else:
        if not bpy.data.filepath:
            raise JobFailed("this file has never been saved, so there is nothing to revert to")
        _call(bpy.ops.wm.revert_mainfile)
    HOOK.forget()
    return {"filepath": bpy.data.filepath}


@command("import_file")
def import_file(filepath, format=None):
    path = _existing_file(filepath)
    fmt = _format(path, format)
    idname, op = _operator(fmt, compat.importers, "im")
    if fmt in ("gltf", "glb"):
        compat.prepare_gltf_import()
    before = set(bpy.data.objects.keys())
    _call(op, filepath=path)
    return {"format": fmt, "operator": idname, "objects": sorted(set(bpy.data.objects.keys()) - before)}


def _select_only(names):
    """Select exactly the named objects; returns how to put the selection back."""
    missing = [n for n in names if n not in bpy.data.objects]
    if missing:
        raise JobFailed("no object named %s" % ", ".join(repr(n) for n in missing))
    layer = bpy.context.view_layer
    was = [o for o in layer.objects if o.select_get()]
    for o in layer.objects:
        o.select_set(o.name in names)

    def restore():
        for o in layer.objects:
            o.select_set(o in was)
    return restore


@command("export_file")
def export_file(filepath, format=None, objects=None, selected_only=False):
    path = _writable(filepath)
    fmt = _format(path, format)
    idname, op = _operator(fmt, compat.exporters, "ex")
    if fmt in ("gltf", "glb"):
        compat.prepare_gltf_import()
    options = dict(compat.export_options(idname, fmt), filepath=path)
    restore = _select_only(objects) if objects else None
    if objects or selected_only:
        options[compat.SELECTION_PROPERTY[idname]] = True
    try:
        _call(op, **options)
    finally:
        if restore is not None:
            restore()
    if not os.path.isfile(path):
        raise JobFailed("%s wrote nothing at %s" % (idname, path))
    return {"format": fmt, "operator": idname, "filepath": path, "size": os.path.getsize(path)}
