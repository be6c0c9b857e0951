"""Hyper3D Rodin: start a generation, poll it, import the result.

Every API call runs in the background; only the import touches bpy."""
from ...core import hyper3d as api
from ...core.background import Background
from ...core.errors import JobFailed
from ...core.registry import command
from .. import imports, preferences

NAME = "hyper3d"


def _config():
    return imports.require(preferences.integration(NAME))


@command("get_hyper3d_status")
def get_hyper3d_status():
    config = preferences.integration(NAME)
    if not config.enabled:
        message = ("Hyper3D Rodin is off in this Blender. Ask the user to tick 'Hyper3D Rodin', choose the service "
                   "and set its key in Edit > Preferences > Add-ons > MCP Bus; MCP clients cannot switch it on.")
    elif imports.offline_reason(config):
        message = "Hyper3D Rodin is on, but " + imports.offline_reason(config)
    elif not config.key_set:
        message = "Hyper3D Rodin is on (%s) but has no key: ask the user to set it in the add-on preferences." % config.backend
    else:
        message = ("Hyper3D Rodin is on (%s): generate with blender_generate_hyper3d_model, poll, then import."
                   % config.backend)
    return {"enabled": config.enabled, "base_url": config.base_url, "message": message, "backend": config.backend,
            "key_set": config.key_set}


@command("generate_hyper3d_model")
def generate_hyper3d_model(text_prompt=None, image_paths=None, bbox_condition=None):
    config = _config()
    if not text_prompt and not image_paths:
        raise JobFailed("give a text_prompt, image_paths, or both")
    base, key, backend = config.base_url, config.key, config.backend
    return Background(lambda task: api.generate(base, key, backend, text_prompt, image_paths, bbox_condition),
                      lambda started: started)


@command("poll_hyper3d_job")
def poll_hyper3d_job(subscription_key=None, request_id=None):
    config = _config()
    base, key, backend = config.base_url, config.key, config.backend
    return Background(lambda task: api.poll(base, key, backend, subscription_key, request_id), lambda state: state)


@command("import_hyper3d_model")
def import_hyper3d_model(name, task_uuid=None, request_id=None, target_size=None):
    config = _config()
    base, key, backend = config.base_url, config.key, config.backend
    api.need_key(key, backend)
    folder = imports.download_folder(NAME, task_uuid or request_id or "model")

    def apply(fetched):
        objects = imports.import_file(fetched["path"])
        meshes = [o for o in objects if o.type == "MESH"]
        # Rodin's GLB is one mesh, sometimes under an empty: name the mesh as asked.
        if len(meshes) == 1:
            meshes[0].name = name
            meshes[0].data.name = name
        if target_size:
            imports.fit(objects, float(target_size))
        return {"bytes": fetched["bytes"], "objects": imports.describe(objects)}

    return Background(lambda task: api.download(base, key, backend, task_uuid, request_id, folder, task), apply)
