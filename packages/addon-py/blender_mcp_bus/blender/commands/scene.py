"""Scene and data inspection: get_scene_info, get_object_info, browse_data."""
import bpy
from mathutils import Vector

from ...core.registry import JobFailed, command
from ...core.values import jsonable, name_filter, page, vector
from .. import compat
from ..lookup import find_object, is_visible


def _object_summary(obj) -> dict:
    return {
        "name": obj.name,
        "type": obj.type,
        "location": vector(obj.location),
        "visible": is_visible(obj),
        "parent": obj.parent.name if obj.parent else None,
    }


@command("get_scene_info")
def get_scene_info(offset=0, limit=100):
    scene = bpy.context.scene
    objects = sorted(scene.objects, key=lambda o: o.name)
    chunk, paging = page(objects, offset, limit)
    result = {
        "scene": scene.name,
        "blend_file": bpy.data.filepath or "",
        "frame_current": scene.frame_current,
        "frame_start": scene.frame_start,
        "frame_end": scene.frame_end,
        "render_engine": scene.render.engine,
        "unit_system": scene.unit_settings.system,
        "collections": [c.name for c in compat.collection_tree(scene.collection)],
        "materials_count": len(bpy.data.materials),
        "objects": [_object_summary(o) for o in chunk],
    }
    result.update(paging)
    return result

@command("get_object_info")
def get_object_info(name):
    obj = find_object(name)
    corners = [obj.matrix_world @ Vector(corner) for corner in obj.bound_box]
    mesh = None
    if obj.type == "MESH" and obj.data is not None:
        mesh = {"vertices": len(obj.data.vertices), "edges": len(obj.data.edges), "polygons": len(obj.data.polygons)}
    return {
        "name": obj.name,
        "type": obj.type,
        "location": vector(obj.location),
        "rotation_euler": vector(obj.rotation_euler),
        "scale": vector(obj.scale),
        "dimensions": vector(obj.dimensions),
        "visible": is_visible(obj),
        "parent": obj.parent.name if obj.parent else None,
        "collections": [c.name for c in obj.users_collection],
        "materials": [slot.material.name for slot in obj.material_slots if slot.material is not None],
        "modifiers": [{"name": m.name, "type": m.type} for m in obj.modifiers],
        "mesh": mesh,
        "bounding_box_world": {
            "min": vector(min(c[i] for c in corners) for i in range(3)),
            "max": vector(max(c[i] for c in corners) for i in range(3)),
        },
    }


def _data_collections():
    names = []
    for prop in bpy.data.bl_rna.properties:
        if prop.type == "COLLECTION" and prop.identifier not in ("rna_type",):
            names.append(prop.identifier)
    return sorted(names)


# A few telling properties per collection for detail="summary", beyond the common ones.
_SUMMARY = {
    "objects": ("type", "data", "parent", "location"),
    "meshes": ("vertices", "edges", "polygons"),
    "materials": ("use_nodes", "diffuse_color"),
    "images": ("source", "filepath", "size", "is_dirty"),
    "textures": ("type",),
    "cameras": ("type", "lens"),
    "lights": ("type", "energy", "color"),
    "collections": ("objects", "children", "hide_viewport"),
    "scenes": ("frame_start", "frame_end", "camera"),
    "worlds": ("use_nodes",),
    "node_groups": ("bl_idname", "nodes"),
    "actions": ("frame_range", "fcurves"),
}
_SIMPLE = ("BOOLEAN", "INT", "FLOAT", "STRING", "ENUM")


def _value(item, attr):
    value = getattr(item, attr, None)
    if isinstance(value, bpy.types.ID):
        return value.name
    if isinstance(value, bpy.types.bpy_prop_collection):
        return len(value)
    if hasattr(value, "__len__") and not isinstance(value, str):
        try:
            return jsonable(list(value))
        except TypeError:
            return str(value)
    return jsonable(value)


def _full(item) -> dict:
    out = {}
    for prop in item.bl_rna.properties:
        ident = prop.identifier
        if ident == "rna_type":
            continue
        try:
            if prop.type in _SIMPLE:
                out[ident] = _value(item, ident)
            elif prop.type == "POINTER":
                target = getattr(item, ident, None)
                if isinstance(target, bpy.types.ID) or target is None:
                    out[ident] = target.name if target is not None else None
            elif prop.type == "COLLECTION":
                out[ident] = len(getattr(item, ident))
        except Exception:  # some properties refuse to be read outside their context
            continue
    return out


def _describe(item, collection, detail):
    if detail == "names":
        return {"name": item.name}
    if detail == "full":
        info = _full(item)
        info["name"] = item.name
        return info
    info = {"name": item.name, "users": item.users, "use_fake_user": item.use_fake_user,
            "library": item.library.filepath if item.library else None}
    for attr in _SUMMARY.get(collection, ("type",)):
        if hasattr(item, attr):
            info[attr] = _value(item, attr)
    return info


@command("browse_data")
def browse_data(collection, detail="summary", name_contains=None, offset=0, limit=100):
    available = _data_collections()
    if collection not in available:
        raise JobFailed("bpy.data has no collection %r; available: %s" % (collection, ", ".join(available)))
    data = getattr(bpy.data, collection)
    names = name_filter(data.keys(), name_contains)
    chunk, paging = page(names, offset, limit)
    items = [_describe(data[name], collection, detail) for name in chunk]
    result = {"collection": collection, "items": items}
    result.update(paging)
    return result


