"""The main-thread end of the asset integrations: importing downloaded files,
measuring and scaling what arrived, and where downloads are kept."""
import os
import tempfile

import bpy
from mathutils import Vector

from ..core.errors import JobFailed
from ..core.integrations import IntegrationConfig, online_access_refusal
from ..core.settings import gate_reason
from . import compat, preferences


def require(config: IntegrationConfig) -> IntegrationConfig:
    """The registry gates commands already; this covers the preference flipping mid-job."""
    if not config.enabled:
        raise JobFailed(gate_reason(config.name))
    refusal = offline_reason(config)
    if refusal:
        raise JobFailed(refusal)
    return config


def offline_reason(config: IntegrationConfig):
    """Why this integration may not reach its service in this Blender (online access off), or None."""
    return online_access_refusal(config, compat.online_access())


def download_folder(provider: str, name: str) -> str:
    """A fresh folder per download: images and models keep referring to their files."""
    # The add-on's user folder rather than /tmp, which a reboot empties under the .blend's feet.
    root = compat.user_data_folder(preferences.ADDON_ID, provider)
    return tempfile.mkdtemp(prefix=name[:40] + "-", dir=root)


def import_file(path: str):
    """Import a glTF/GLB or FBX file; returns the objects it created."""
    before = set(bpy.data.objects)
    ext = os.path.splitext(path)[1].lower()
    if ext in (".gltf", ".glb"):
        compat.prepare_gltf_import()
        bpy.ops.import_scene.gltf(filepath=path)
    elif ext == ".fbx":
        bpy.ops.import_scene.fbx(filepath=path)
    else:
        raise JobFailed("cannot import %s files" % ext)
    created = [o for o in bpy.data.objects if o not in before]
    if not created:
        raise JobFailed("the importer created no objects from %s" % os.path.basename(path))
    return created


def bounds(objects):
    """World-space (min, max) over the objects' bounding boxes, or None."""
    bpy.context.view_layer.update()
    lo = Vector((float("inf"),) * 3)
    hi = Vector((float("-inf"),) * 3)
    found = False
    for obj in objects:
        if obj.type not in ("MESH", "CURVE", "SURFACE", "META", "FONT"):
            continue
        for corner in obj.bound_box:
            point = obj.matrix_world @ Vector(corner)
            lo = Vector(map(min, lo, point))
            hi = Vector(map(max, hi, point))
            found = True
    return (lo, hi) if found else None


def size_of(objects):
    box = bounds(objects)
    return [0.0, 0.0, 0.0] if box is None else [round(v, 6) for v in (box[1] - box[0])]


def fit(objects, target_size: float) -> float:
    """Scale the import about the world origin so its largest side is target_size; returns the factor."""
    largest = max(size_of(objects))
    if largest <= 0:
        return 1.0
    factor = target_size / largest
    chosen = set(objects)
    for obj in objects:
        if obj.parent is None or obj.parent not in chosen:
            obj.scale = obj.scale * factor
            obj.location = obj.location * factor
    bpy.context.view_layer.update()
    return factor


def describe(objects):
    return [{"name": o.name, "type": o.type, "dimensions": size_of([o]) if o.type == "MESH" else [0.0, 0.0, 0.0]}
            for o in objects]
