"""Hyper3D Rodin through its main site (/api/v2/rodin, /status, /download;
'Authorization: Bearer ...') or fal.ai's queue (/fal-ai/hyper3d/rodin;
'Authorization: Key ...'), as plain functions for worker threads."""
import base64
import os
import urllib.parse
from typing import Any, Dict, List, Optional

from . import http
from .errors import JobFailed

IMAGE_LIMIT = 20 * 1024 * 1024
IMAGE_TYPES = {b"\x89PNG": ("image/png", ".png"), b"\xff\xd8": ("image/jpeg", ".jpg"), b"RIFF": ("image/webp", ".webp")}
FAL_APP = "fal-ai/hyper3d/rodin"
FAL_REQUESTS = "fal-ai/hyper3d/requests/"
TIER = "Sketch"


def need_key(key: str, backend: str) -> None:
    if not key:
        where = "fal.ai key" if backend == "fal_ai" else "Hyper3D key"
        raise JobFailed("no %s: ask the user to set '%s' under Hyper3D Rodin in Edit > Preferences > Add-ons > "
                        "MCP Bus" % (where, where))


def _auth(key: str, backend: str) -> Dict[str, str]:
    return {"Authorization": ("Key " if backend == "fal_ai" else "Bearer ") + key}


def read_image(path: str) -> Dict[str, Any]:
    """An image file the LLM named, checked to really be an image: these bytes
    leave the machine, so a path must not smuggle out other files."""
    if not os.path.isfile(path):
        raise JobFailed("no image file at %s" % path)
    if os.path.getsize(path) > IMAGE_LIMIT:
        raise JobFailed("%s is over %d bytes" % (path, IMAGE_LIMIT))
    with open(path, "rb") as f:
        data = f.read(IMAGE_LIMIT + 1)
    for magic, (mime, suffix) in IMAGE_TYPES.items():
        if data.startswith(magic) and (magic != b"RIFF" or data[8:12] == b"WEBP"):
            return {"data": data, "mime": mime, "suffix": suffix}
    raise JobFailed("%s is not a PNG, JPEG or WebP image" % path)


def generate(base: str, key: str, backend: str, prompt: Optional[str], image_paths: Optional[List[str]],
             bbox: Optional[List[float]]) -> Dict[str, Any]:
    need_key(key, backend)
    images = [read_image(p) for p in image_paths or []]
    if not prompt and not images:
        raise JobFailed("give a text_prompt, image_paths, or both")
    if backend == "fal_ai":
        body: Dict[str, Any] = {"tier": TIER}
        if prompt:
            body["prompt"] = prompt
        if images:
            body["input_image_urls"] = ["data:%s;base64,%s" % (i["mime"], base64.b64encode(i["data"]).decode("ascii"))
                                        for i in images]
        if bbox:
            body["bbox_condition"] = bbox
        data = http.request_json(http.join(base, FAL_APP), "POST", _auth(key, backend), json_body=body)
        request_id = data.get("request_id") if isinstance(data, dict) else None
        if not request_id:
            raise JobFailed("fal.ai did not return a request_id")
        return {"backend": backend, "task_uuid": None, "subscription_key": None, "request_id": str(request_id)}
    fields: List[Any] = [("images", ("%04d%s" % (n, i["suffix"]), i["data"], i["mime"])) for n, i in enumerate(images)]
    fields += [("tier", TIER), ("mesh_mode", "Raw")]
    if prompt:
        fields.append(("prompt", prompt))
    if bbox:
        fields.append(("bbox_condition", "[%s]" % ",".join(repr(float(v)) for v in bbox)))
    body_bytes, ctype = http.multipart(fields)
    data = http.request_json(http.join(base, "api/v2/rodin"), "POST", _auth(key, backend), body=body_bytes,
                             content_type=ctype)
    jobs = data.get("jobs") if isinstance(data, dict) else None
    if not isinstance(jobs, dict) or not data.get("uuid") or not jobs.get("subscription_key"):
        raise JobFailed("Rodin did not start the job: %s" % str((data or {}).get("error") or "no uuid returned")[:200])
    return {"backend": backend, "task_uuid": str(data["uuid"]), "subscription_key": str(jobs["subscription_key"]),
            "request_id": None}


def poll(base: str, key: str, backend: str, subscription_key: Optional[str], request_id: Optional[str]) -> Dict[str, Any]:
    need_key(key, backend)
    if backend == "fal_ai":
        if not request_id:
            raise JobFailed("this Blender uses fal.ai: pass request_id")
        data = http.request_json(http.join(base, FAL_REQUESTS + urllib.parse.quote(request_id, safe="") + "/status"),
                                 headers=_auth(key, backend))
        status = str((data or {}).get("status", "UNKNOWN"))
        return {"backend": backend, "done": status == "COMPLETED", "failed": status in ("FAILED", "ERROR"),
                "statuses": [status]}
    if not subscription_key:
        raise JobFailed("this Blender uses the Hyper3D main site: pass subscription_key")
    data = http.request_json(http.join(base, "api/v2/status"), "POST", _auth(key, backend),
                             json_body={"subscription_key": subscription_key})
    jobs = data.get("jobs") if isinstance(data, dict) else None
    if not isinstance(jobs, list):
        raise JobFailed("Rodin's status answer has no jobs list")
    statuses = [str(j.get("status", "")) for j in jobs if isinstance(j, dict)]
    return {"backend": backend, "done": bool(statuses) and all(s == "Done" for s in statuses),
            "failed": any(s == "Failed" for s in statuses), "statuses": statuses}


def download(base: str, key: str, backend: str, task_uuid: Optional[str], request_id: Optional[str], folder: str,
             task=None) -> Dict[str, Any]:
    need_key(key, backend)
    if backend == "fal_ai":
        if not request_id:
            raise JobFailed("this Blender uses fal.ai: pass request_id")
        data = http.request_json(http.join(base, FAL_REQUESTS + urllib.parse.quote(request_id, safe="")),
                                 headers=_auth(key, backend))
        mesh = data.get("model_mesh") if isinstance(data, dict) else None
        if not isinstance(mesh, dict) or not mesh.get("url"):
            raise JobFailed("fal.ai has no model for %s yet: poll until done" % request_id)
        url = str(mesh["url"])
    else:
        if not task_uuid:
            raise JobFailed("this Blender uses the Hyper3D main site: pass task_uuid")
        data = http.request_json(http.join(base, "api/v2/download"), "POST", _auth(key, backend),
                                 json_body={"task_uuid": task_uuid})
        files = data.get("list") if isinstance(data, dict) else None
        glb = next((f for f in files or [] if isinstance(f, dict) and str(f.get("name", "")).lower().endswith(".glb")), None)
        if glb is None or not glb.get("url"):
            raise JobFailed("Rodin has no GLB for %s yet: poll until every job is Done" % task_uuid)
        url = str(glb["url"])
    path = os.path.join(folder, "model.glb")
    # Result files live on storage hosts: the key is not sent there.
    size = http.download(url, path, task, label="model.glb")
    return {"path": path, "bytes": size}
