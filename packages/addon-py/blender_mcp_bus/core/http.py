"""HTTP for the asset integrations, on urllib: every call has a timeout,
every body a size cap, and only http(s) URLs are fetched, because download
URLs come from third-party JSON (a file: URL there would read local files).

Keys travel in headers only, and a redirect to another host drops the
Authorization header so a key never reaches a host it was not meant for.
Error messages name the host and path, never headers or query strings."""
import json
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Dict, Iterable, Optional, Tuple, Union

from .errors import JobFailed

TIMEOUT_SECONDS = 30.0
JSON_LIMIT = 16 * 1024 * 1024
DOWNLOAD_LIMIT = 1024 * 1024 * 1024
CHUNK = 64 * 1024
USER_AGENT = "blender-mcp-bus"


class HttpError(JobFailed):
    def __init__(self, message: str, status: Optional[int] = None):
        super().__init__(message)
        self.status = status


def where(url: str) -> str:
    """host/path of a URL, for messages: query strings can hold signatures."""
    parts = urllib.parse.urlsplit(url)
    return parts.netloc + parts.path


def check_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise HttpError("refusing to fetch %r: only http(s) URLs are allowed" % url[:100])
    return url


def join(base: str, path: str, query: Optional[Dict[str, Any]] = None) -> str:
    url = base.rstrip("/") + "/" + path.lstrip("/")
    if query:
        pairs = [(k, v) for k, v in query.items() if v is not None and v != ""]
        if pairs:
            url += "?" + urllib.parse.urlencode(pairs)
    return url


class _SameHostAuth(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            check_url(new.full_url)
            if urllib.parse.urlsplit(new.full_url).netloc != urllib.parse.urlsplit(req.full_url).netloc:
                for name in ("Authorization", "authorization"):
                    new.headers.pop(name, None)
                    new.unredirected_hdrs.pop(name, None)
        return new


_opener = urllib.request.build_opener(_SameHostAuth())


def open_url(url: str, method: str = "GET", headers: Optional[Dict[str, str]] = None,
             body: Optional[bytes] = None, timeout: float = TIMEOUT_SECONDS):
    check_url(url)
    request = urllib.request.Request(url, data=body, method=method)
    request.add_header("User-Agent", USER_AGENT)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        return _opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        error.close()
        raise HttpError("HTTP %d from %s" % (error.code, where(url)), error.code)
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise HttpError("could not reach %s: %s" % (where(url), reason))


def request_json(url: str, method: str = "GET", headers: Optional[Dict[str, str]] = None,
                 json_body: Any = None, body: Optional[bytes] = None, content_type: Optional[str] = None,
                 timeout: float = TIMEOUT_SECONDS, limit: int = JSON_LIMIT) -> Any:
    headers = dict(headers or {})
    headers.setdefault("Accept", "application/json")
    if json_body is not None:
        body = json.dumps(json_body).encode("utf-8")
        content_type = "application/json"
    if content_type:
        headers["Content-Type"] = content_type
    with open_url(url, method, headers, body, timeout) as response:
        data = response.read(limit + 1)
    if len(data) > limit:
        raise HttpError("the answer from %s is larger than %d bytes" % (where(url), limit))
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError:
        raise HttpError("%s did not answer with JSON" % where(url))


def download(url: str, path: str, task=None, headers: Optional[Dict[str, str]] = None,
             timeout: float = TIMEOUT_SECONDS, limit: int = DOWNLOAD_LIMIT,
             progress_base: int = 0, progress_total: Optional[int] = None, label: str = "") -> int:
    """Stream url to path; task (background.Task) gets progress and may cancel
    between chunks. Returns the bytes written; a partial file is removed."""
    written = 0
    try:
        with open_url(url, headers=headers, timeout=timeout) as response, open(path, "wb") as out:
            length = response.headers.get("Content-Length")
            size = int(length) if length and length.isdigit() else None
            if size is not None and size > limit:
                raise HttpError("%s is %d bytes, over the %d byte limit" % (where(url), size, limit))
            total = progress_total if progress_total is not None else (progress_base + size if size is not None else None)
            while True:
                if task is not None:
                    task.check()
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                written += len(chunk)
                if written > limit:
                    raise HttpError("%s is over the %d byte limit" % (where(url), limit))
                out.write(chunk)
                if task is not None:
                    task.progress(progress_base + written, total, "downloading %s" % (label or os.path.basename(path)))
    except BaseException:
        try:
            os.remove(path)
        except OSError:
            pass
        raise
    return written


Field = Union[str, Tuple[str, bytes, str]]


def multipart(fields: Iterable[Tuple[str, Field]]) -> Tuple[bytes, str]:
    """multipart/form-data body: values are text, or (filename, bytes, content type)."""
    boundary = "----mcpbus" + uuid.uuid4().hex
    parts = []
    for name, value in fields:
        if isinstance(value, tuple):
            filename, data, ctype = value
            head = 'Content-Disposition: form-data; name="%s"; filename="%s"\r\nContent-Type: %s\r\n\r\n' % (
                name, filename.replace('"', ""), ctype)
        else:
            head = 'Content-Disposition: form-data; name="%s"\r\n\r\n' % name
            data = value.encode("utf-8")
        parts.append(b"--" + boundary.encode() + b"\r\n" + head.encode("utf-8") + data + b"\r\n")
    parts.append(b"--" + boundary.encode() + b"--\r\n")
    return b"".join(parts), "multipart/form-data; boundary=" + boundary
