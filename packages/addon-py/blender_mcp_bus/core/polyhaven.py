"""Poly Haven's public API (api.polyhaven.com, no key), as plain functions
for worker threads: no bpy here."""
import hashlib
import os
import urllib.parse
from typing import Any, Dict, List, Optional

from . import http
from .archive import safe_join, safe_relpath
from .errors import JobFailed

TYPES = ("hdris", "textures", "models")
# /assets reports the type as a number.
TYPE_BY_NUMBER = {0: "hdris", 1: "textures", 2: "models"}
DEFAULT_FORMAT = {"hdris": "hdr", "textures": "jpg", "models": "gltf"}
FORMATS = {"hdris": ("hdr", "exr"), "textures": ("jpg", "png"), "models": ("gltf", "fbx")}

# Poly Haven's map names -> the material input they feed; first match wins.
TEXTURE_ROLES = (
    ("diffuse", ("diffuse", "diff", "color", "albedo")),
    ("normal", ("nor_gl", "normal", "nor_dx")),
    ("roughness", ("rough", "roughness")),
    ("metallic", ("metal", "metallic", "metalness")),
    ("displacement", ("displacement", "disp", "height")),
)


def provider_text(name: str, authors: Any, description: str = "") -> Dict[str, Any]:
    names = sorted(authors) if isinstance(authors, dict) else [str(a) for a in (authors or [])]
    return {"source": "third_party", "provider": "polyhaven", "name": str(name or ""),
            "description": str(description or ""), "authors": [str(a) for a in names]}


def categories(base: str, asset_type: str) -> List[Dict[str, Any]]:
    data = http.request_json(http.join(base, "categories/" + asset_type))
    if not isinstance(data, dict):
        raise JobFailed("Poly Haven answered categories with %s, not an object" % type(data).__name__)
    rows = [{"name": str(k), "count": int(v)} for k, v in data.items() if isinstance(v, (int, float))]
    rows.sort(key=lambda r: (-r["count"], r["name"]))
    return rows


def search(base: str, asset_type: str, cats: Optional[List[str]], query: Optional[str],
           offset: int, limit: int) -> Dict[str, Any]:
    data = http.request_json(http.join(base, "assets", {
        "t": asset_type, "c": ",".join(cats or [])}))
    if not isinstance(data, dict):
        raise JobFailed("Poly Haven answered the search with %s, not an object" % type(data).__name__)
    needle = (query or "").lower()
    rows = []
    for asset_id, info in data.items():
        if not isinstance(info, dict):
            continue
        tags = [str(t) for t in info.get("tags") or []]
        if needle and not any(needle in s.lower() for s in [asset_id, str(info.get("name", ""))] + tags):
            continue
        rows.append({
            "id": str(asset_id),
            "type": TYPE_BY_NUMBER.get(info.get("type"), asset_type if asset_type in TYPES else "hdris"),
            "categories": [str(c) for c in info.get("categories") or []],
            "tags": tags,
            "max_resolution": [int(v) for v in (info.get("max_resolution") or [])[:2]],
            "download_count": int(info.get("download_count") or 0),
            "provider_text": provider_text(info.get("name", asset_id), info.get("authors"), info.get("description", "")),
        })
    rows.sort(key=lambda r: (-r["download_count"], r["id"]))
    page = rows[offset:offset + limit]
    following = offset + len(page)
    return {"assets": page, "offset": offset, "total": len(rows),
            "next_offset": following if following < len(rows) else None}


class FileRef(dict):
    """One file to fetch: url, relpath (inside the asset's folder), role, size, md5."""


def _entry(node: Any, resolution: str, fmt: str, what: str) -> Dict[str, Any]:
    if not isinstance(node, dict) or resolution not in node:
        have = sorted(node) if isinstance(node, dict) else []
        raise JobFailed("Poly Haven has no %s at %s (available: %s)" % (what, resolution, ", ".join(have) or "none"))
    entry = node[resolution].get(fmt) if isinstance(node[resolution], dict) else None
    if not isinstance(entry, dict) or "url" not in entry:
        have = sorted(node[resolution]) if isinstance(node[resolution], dict) else []
        raise JobFailed("Poly Haven has no %s %s at %s (formats: %s)" % (what, fmt, resolution, ", ".join(have) or "none"))
    return entry


def _ref(entry: Dict[str, Any], relpath: str, role: str) -> FileRef:
    return FileRef(url=str(entry["url"]), relpath=safe_relpath(relpath), role=role,
                   size=int(entry.get("size") or 0), md5=str(entry.get("md5") or ""))


def _filename(url: str) -> str:
    return os.path.basename(urllib.parse.urlsplit(url).path) or "file"


def plan(files: Any, asset_type: str, resolution: str, fmt: str) -> List[FileRef]:
    """The files to download for one asset, from /files/{id}. The first is the
    one to open (HDRI, model); for textures, one per role."""
    if not isinstance(files, dict):
        raise JobFailed("Poly Haven's file list is not an object")
    if asset_type == "hdris":
        entry = _entry(files.get("hdri"), resolution, fmt, "HDRI")
        return [_ref(entry, _filename(entry["url"]), "hdri")]
    if asset_type == "models":
        entry = _entry(files.get(fmt), resolution, fmt, "model")
        refs = [_ref(entry, _filename(entry["url"]), "model")]
        # Includes name their own place next to the model (textures/...): checked, never trusted.
        for relpath, inc in sorted((entry.get("include") or {}).items()):
            if isinstance(inc, dict) and "url" in inc:
                refs.append(_ref(inc, relpath, "include"))
        return refs
    lowered = {k.lower(): k for k in files}
    refs = []
    for role, names in TEXTURE_ROLES:
        for name in names:
            if name in lowered:
                node = files[lowered[name]]
                try:
                    entry = _entry(node, resolution, fmt, "texture map " + name)
                except JobFailed:
                    continue
                refs.append(_ref(entry, "%s_%s" % (role, _filename(entry["url"])), role))
                break
    if not refs:
        raise JobFailed("Poly Haven has no %s texture maps at %s" % (fmt, resolution))
    return refs


def fetch(refs: List[FileRef], folder: str, task=None) -> int:
    """Download every file of a plan into folder, checking Poly Haven's md5s."""
    total = sum(r["size"] for r in refs) or None
    done = 0
    for ref in refs:
        path = safe_join(folder, ref["relpath"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        done += http.download(ref["url"], path, task, progress_base=done, progress_total=total,
                              label=ref["relpath"])
        if ref["md5"]:
            digest = hashlib.md5()
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 16), b""):
                    digest.update(chunk)
            if digest.hexdigest() != ref["md5"].lower():
                raise JobFailed("%s arrived damaged (md5 mismatch)" % ref["relpath"])
    return done


def files(base: str, asset_id: str) -> Any:
    return http.request_json(http.join(base, "files/" + urllib.parse.quote(asset_id, safe="")))
