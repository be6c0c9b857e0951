"""Sketchfab: token check, search, preview thumbnail, glTF download scaled to size.

API calls and the download run in the background; the import and scaling
run on the main thread."""
from ...core import sketchfab as api
from ...core.background import Background
from ...core.registry import command
from .. import imports, preferences

NAME = "sketchfab"


def _config():
    return imports.require(preferences.integration(NAME))


@command("get_sketchfab_status")
def get_sketchfab_status():
    config = preferences.integration(NAME)
    result = {"enabled": config.enabled, "base_url": config.base_url, "token_set": config.key_set,
              "token_valid": None}
    if not config.enabled:
        result["message"] = ("Sketchfab is off in this Blender. Ask the user to tick 'Sketchfab' and paste their API "
                             "token in Edit > Preferences > Add-ons > MCP Bus; MCP clients cannot switch it on.")
        return result
    offline = imports.offline_reason(config)
    if offline:
        result["message"] = "Sketchfab is on, but " + offline
        return result
    if not config.key_set:
        result["message"] = ("Sketchfab is on but has no API token: ask the user to paste theirs (sketchfab.com/"
                             "settings/password) into the MCP Bus add-on preferences.")
        return result
    base, token = config.base_url, config.key

    def apply(valid):
        result["token_valid"] = valid
        result["message"] = ("Sketchfab is on and the token works: search with blender_search_sketchfab_models."
                             if valid else "Sketchfab refused the API token: ask the user to check it.")
        return result

    return Background(lambda task: api.check_token(base, token), apply)


@command("search_sketchfab_models")
def search_sketchfab_models(query, categories=None, downloadable=True, count=20, cursor=None):
    config = _config()
    base, token = config.base_url, config.key
    return Background(lambda task: api.search(base, token, query, categories, downloadable, count, cursor),
                      lambda page: page)


@command("get_sketchfab_model_preview")
def get_sketchfab_model_preview(uid):
    config = _config()
    base, token = config.base_url, config.key
    return Background(lambda task: api.preview(base, token, uid), lambda found: found)


@command("download_sketchfab_model")
def download_sketchfab_model(uid, target_size=1):
    config = _config()
    base, token = config.base_url, config.key
    api.need_token(token)
    folder = imports.download_folder(NAME, uid)

    def apply(fetched):
        objects = imports.import_file(fetched["path"])
        scale = imports.fit(objects, float(target_size))
        return {"uid": uid, "bytes": fetched["bytes"], "scale": scale, "dimensions": imports.size_of(objects),
                "objects": imports.describe(objects)}

    return Background(lambda task: api.download(base, token, uid, folder, task), apply)
