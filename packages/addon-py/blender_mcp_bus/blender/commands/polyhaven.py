"""Poly Haven: HDRIs into the world, textures as PBR materials, models imported.

The API calls and downloads run in the background (core.background); only
the last step, making Blender data from the files, runs on the main thread."""
import os

import bpy

from ...core import polyhaven as api
from ...core.background import Background
from ...core.errors import JobFailed
from ...core.registry import command
from .. import imports, preferences

NAME = "polyhaven"
# Custom property on materials made here, so set_texture can reuse one.
MATERIAL_TAG = "mcp_bus_polyhaven"
_COLOR_ROLES = ("diffuse",)


def _config():
    return imports.require(preferences.integration(NAME))


@command("get_polyhaven_status")
def get_polyhaven_status():
    config = preferences.integration(NAME)
    offline = imports.offline_reason(config) if config.enabled else None
    if offline:
        message = "Poly Haven is on, but " + offline
    elif config.enabled:
        message = "Poly Haven is on: find assets with blender_search_polyhaven_assets, then download them."
    else:
        message = ("Poly Haven is off in this Blender. Ask the user to tick 'Poly Haven' in Edit > Preferences > "
                   "Add-ons > MCP Bus; MCP clients cannot switch it on.")
    return {"enabled": config.enabled, "base_url": config.base_url, "message": message}


@command("get_polyhaven_categories")
def get_polyhaven_categories(asset_type="all"):
    base = _config().base_url
    return Background(lambda task: api.categories(base, asset_type),
                      lambda rows: {"asset_type": asset_type, "categories": rows})


@command("search_polyhaven_assets")
def search_polyhaven_assets(asset_type="all", categories=None, query=None, offset=0, limit=20):
    base = _config().base_url
    return Background(lambda task: api.search(base, asset_type, categories, query, offset, limit), lambda page: page)


def _fetch_asset(base, asset_id, asset_type, resolution, fmt, folder):
    def fetch(task):
        task.progress(0, None, "asking Poly Haven for %s" % asset_id, force=True)
        refs = api.plan(api.files(base, asset_id), asset_type, resolution, fmt)
        return refs, api.fetch(refs, folder, task)

    return fetch


def _format(asset_type, file_format):
    fmt = file_format or api.DEFAULT_FORMAT[asset_type]
    if fmt not in api.FORMATS[asset_type]:
        raise JobFailed("file_format %s does not suit %s: use one of %s" % (fmt, asset_type, ", ".join(api.FORMATS[asset_type])))
    return fmt


@command("download_polyhaven_asset")
def download_polyhaven_asset(asset_id, asset_type, resolution="1k", file_format=None):
    base = _config().base_url
    fmt = _format(asset_type, file_format)
    folder = imports.download_folder(NAME, asset_id)

    def apply(fetched):
        refs, size = fetched
        result = {"asset_id": asset_id, "asset_type": asset_type, "resolution": resolution, "file_format": fmt,
                  "bytes": size, "world": None, "image": None, "material": None, "maps": [], "objects": []}
        paths = [os.path.join(folder, *r["relpath"].split("/")) for r in refs]
        if asset_type == "hdris":
            world, image = _light_world(paths[0], asset_id, resolution, fmt)
            result.update(world=world.name, image=image.name)
        elif asset_type == "textures":
            material = _material(asset_id, resolution, fmt, refs, paths)
            result.update(material=material.name, maps=[r["role"] for r in refs])
        else:
            result["objects"] = imports.describe(imports.import_file(paths[0]))
        return result

    return Background(_fetch_asset(base, asset_id, asset_type, resolution, fmt, folder), apply)


def _light_world(path, asset_id, resolution, fmt):
    scene = bpy.context.scene
    world = scene.world or bpy.data.worlds.new("World")
    scene.world = world
    world.use_nodes = True
    nodes, links = world.node_tree.nodes, world.node_tree.links
    for node in list(nodes):
        nodes.remove(node)
    image = bpy.data.images.load(path, check_existing=False)
    image.name = "%s_%s.%s" % (asset_id, resolution, fmt)
    env = nodes.new("ShaderNodeTexEnvironment")
    env.image = image
    env.location = (-300, 0)
    background = nodes.new("ShaderNodeBackground")
    output = nodes.new("ShaderNodeOutputWorld")
    output.location = (250, 0)
    links.new(env.outputs["Color"], background.inputs["Color"])
    links.new(background.outputs["Background"], output.inputs["Surface"])
    return world, image


def _material(asset_id, resolution, fmt, refs, paths):
    material = bpy.data.materials.new("%s_%s" % (asset_id, resolution))
    material[MATERIAL_TAG] = _tag(asset_id, resolution, fmt)
    material.use_nodes = True
    nodes, links = material.node_tree.nodes, material.node_tree.links
    for node in list(nodes):
        nodes.remove(node)
    output = nodes.new("ShaderNodeOutputMaterial")
    output.location = (400, 0)
    bsdf = nodes.new("ShaderNodeBsdfPrincipled")
    links.new(bsdf.outputs["BSDF"], output.inputs["Surface"])
    coords = nodes.new("ShaderNodeTexCoord")
    coords.location = (-900, 0)
    mapping = nodes.new("ShaderNodeMapping")
    mapping.location = (-700, 0)
    links.new(coords.outputs["UV"], mapping.inputs["Vector"])
    for row, (ref, path) in enumerate(zip(refs, paths)):
        image = bpy.data.images.load(path, check_existing=False)
        image.name = "%s_%s_%s" % (asset_id, ref["role"], resolution)
        if ref["role"] not in _COLOR_ROLES:
            image.colorspace_settings.name = "Non-Color"
        tex = nodes.new("ShaderNodeTexImage")
        tex.image = image
        tex.label = ref["role"]
        tex.location = (-450, 300 - row * 280)
        links.new(mapping.outputs["Vector"], tex.inputs["Vector"])
        role = ref["role"]
        if role == "diffuse":
            links.new(tex.outputs["Color"], bsdf.inputs["Base Color"])
        elif role == "roughness":
            links.new(tex.outputs["Color"], bsdf.inputs["Roughness"])
        elif role == "metallic":
            links.new(tex.outputs["Color"], bsdf.inputs["Metallic"])
        elif role == "normal":
            normal = nodes.new("ShaderNodeNormalMap")
            normal.location = (-150, tex.location[1])
            links.new(tex.outputs["Color"], normal.inputs["Color"])
            links.new(normal.outputs["Normal"], bsdf.inputs["Normal"])
        elif role == "displacement":
            displacement = nodes.new("ShaderNodeDisplacement")
            displacement.location = (150, -400)
            links.new(tex.outputs["Color"], displacement.inputs["Height"])
            links.new(displacement.outputs["Displacement"], output.inputs["Displacement"])
    return material


def _tag(asset_id, resolution, fmt):
    return "%s@%s.%s" % (asset_id, resolution, fmt)


def _assign(obj, material, maps, downloaded):
    obj.data.materials.clear()
    obj.data.materials.append(material)
    return {"object": obj.name, "material": material.name, "maps": maps, "downloaded": downloaded}


@command("set_texture")
def set_texture(object_name, texture_id, resolution="1k", file_format="jpg"):
    obj = bpy.data.objects.get(object_name)
    if obj is None or obj.type != "MESH":
        raise JobFailed("no mesh object named %r" % object_name)
    tag = _tag(texture_id, resolution, file_format)
    existing = next((m for m in bpy.data.materials if m.get(MATERIAL_TAG) == tag), None)
    if existing is not None:
        maps = [n.label for n in existing.node_tree.nodes if n.type == "TEX_IMAGE"]
        return _assign(obj, existing, maps, False)
    base = _config().base_url
    folder = imports.download_folder(NAME, texture_id)

    def apply(fetched):
        refs, _size = fetched
        target = bpy.data.objects.get(object_name)
        if target is None or target.type != "MESH":
            raise JobFailed("the object %r went away during the download" % object_name)
        paths = [os.path.join(folder, *r["relpath"].split("/")) for r in refs]
        material = _material(texture_id, resolution, file_format, refs, paths)
        return _assign(target, material, [r["role"] for r in refs], True)

    return Background(_fetch_asset(base, texture_id, "textures", resolution, file_format, folder), apply)
