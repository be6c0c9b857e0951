"""Sketchfab's Data API v3 (api.sketchfab.com/v3, 'Authorization: Token ...'),
as plain functions for worker threads: no bpy here."""
import base64
import os
import urllib.parse
from typing import Any, Dict, Optional

from . import http
from .archive import extract_zip
from .errors import JobFailed

THUMBNAIL_LIMIT = 8 * 1024 * 1024
THUMBNAIL_WIDTH = 512


def _headers(token: str) -> Dict[str, str]:
    return {"Authorization": "Token " + token} if token else {}


def need_token(token: str) -> None:
    if not token:
        raise JobFailed("no Sketchfab API token: ask the user to paste theirs into 'API token' under Sketchfab in "
                        "Edit > Preferences > Add-ons > MCP Bus (or set BLENDER_MCP_BUS_SKETCHFAB_TOKEN)")


def check_token(base: str, token: str) -> bool:
    """True when /v3/me accepts the token, False when it is refused."""
    try:
        http.request_json(http.join(base, "v3/me"), headers=_headers(token))
    except http.HttpError as error:
        if error.status in (401, 403):
            return False
        raise
    return True


def summary(model: Dict[str, Any]) -> Dict[str, Any]:
    user = model.get("user") or {}
    author = user.get("displayName") or user.get("username") or ""
    license_ = model.get("license")
    return {
        "uid": str(model.get("uid", "")),
        "is_downloadable": bool(model.get("isDownloadable")),
        "license": str(license_.get("label")) if isinstance(license_, dict) and license_.get("label") else None,
        "face_count": int(model["faceCount"]) if isinstance(model.get("faceCount"), (int, float)) else None,
        "viewer_url": str(model["viewerUrl"]) if model.get("viewerUrl") else None,
        "provider_text": {"source": "third_party", "provider": "sketchfab", "name": str(model.get("name") or ""),
                          "description": str(model.get("description") or "")[:2000],
                          "authors": [str(author)] if author else []},
    }


def search(base: str, token: str, query: str, categories: Optional[str], downloadable: bool, count: int,
           cursor: Optional[str]) -> Dict[str, Any]:
    data = http.request_json(http.join(base, "v3/search", {
        "type": "models", "q": query, "categories": categories,
        "downloadable": "true" if downloadable else None, "count": count, "cursor": cursor,
    }), headers=_headers(token))
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list):
        raise JobFailed("Sketchfab's search answer has no results list")
    cursors = data.get("cursors") or {}
    following = cursors.get("next") if isinstance(cursors, dict) else None
    return {"models": [summary(m) for m in results if isinstance(m, dict)],
            "next_cursor": str(following) if following is not None else None}


def model(base: str, token: str, uid: str) -> Dict[str, Any]:
    data = http.request_json(http.join(base, "v3/models/" + urllib.parse.quote(uid, safe="")), headers=_headers(token))
    if not isinstance(data, dict):
        raise JobFailed("Sketchfab's model answer is not an object")
    return data


def preview(base: str, token: str, uid: str) -> Dict[str, Any]:
    data = model(base, token, uid)
    images = [i for i in ((data.get("thumbnails") or {}).get("images") or [])
              if isinstance(i, dict) and i.get("url") and isinstance(i.get("width"), int)]
    if not images:
        raise JobFailed("Sketchfab has no thumbnail for %s" % uid)
    # The smallest at least THUMBNAIL_WIDTH wide, else the largest there is.
    big = [i for i in images if i["width"] >= THUMBNAIL_WIDTH]
    chosen = min(big, key=lambda i: i["width"]) if big else max(images, key=lambda i: i["width"])
    with http.open_url(chosen["url"]) as response:
        raw = response.read(THUMBNAIL_LIMIT + 1)
    if len(raw) > THUMBNAIL_LIMIT:
        raise JobFailed("the thumbnail is over %d bytes" % THUMBNAIL_LIMIT)
    if not (raw.startswith(b"\x89PNG") or raw.startswith(b"\xff\xd8")):
        raise JobFailed("the thumbnail is not a PNG or JPEG image")
    return {"uid": uid, "width": int(chosen["width"]), "height": int(chosen.get("height") or 0),
            "thumbnail_base64": base64.b64encode(raw).decode("ascii"), "model": summary(data)}


def download(base: str, token: str, uid: str, folder: str, task=None) -> Dict[str, Any]:
    """Fetch the glTF archive and unpack it safely; returns the .gltf path and bytes."""
    need_token(token)
    links = http.request_json(http.join(base, "v3/models/%s/download" % urllib.parse.quote(uid, safe="")),
                              headers=_headers(token))
    gltf = links.get("gltf") if isinstance(links, dict) else None
    if not isinstance(gltf, dict) or not gltf.get("url"):
        raise JobFailed("Sketchfab offers no glTF download for %s (is it downloadable?)" % uid)
    archive = os.path.join(folder, "model.zip")
    # The archive URL is pre-signed on another host: no token goes there.
    size = http.download(str(gltf["url"]), archive, task, label="%s.zip" % uid,
                         progress_total=int(gltf["size"]) if isinstance(gltf.get("size"), int) else None)
    unpacked = os.path.join(folder, "model")
    members = extract_zip(archive, unpacked, task=task)
    os.remove(archive)
    scenes = sorted((m for m in members if m.lower().endswith((".gltf", ".glb"))), key=lambda m: (m.count("/"), m))
    if not scenes:
        raise JobFailed("the archive holds no .gltf or .glb file")
    return {"path": os.path.join(unpacked, *scenes[0].split("/")), "bytes": size}
