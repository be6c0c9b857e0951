"""Unpacking downloaded archives and placing downloaded files without letting
a third party choose where they land: every member path must stay inside
the destination (no absolute paths, drive letters or '..'), links are
refused, and the entry count and unpacked size are capped before anything
is written and again while writing (a member may lie about its size)."""
import os
import posixpath
import stat
import zipfile
from typing import List

from .errors import JobFailed

MAX_ENTRIES = 5000
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024


class UnsafeArchive(JobFailed):
    pass


def safe_relpath(name: str) -> str:
    """A member or include path as a clean relative path, or UnsafeArchive."""
    if not name or "\x00" in name:
        raise UnsafeArchive("refusing an empty or NUL-containing path")
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        raise UnsafeArchive("refusing absolute path %r" % name[:200])
    parts = [p for p in unified.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        raise UnsafeArchive("refusing path %r: it leaves the destination" % name[:200])
    return posixpath.join(*parts)


def safe_join(root: str, name: str) -> str:
    """root/name, guaranteed to be inside root."""
    path = os.path.realpath(os.path.join(root, *safe_relpath(name).split("/")))
    real_root = os.path.realpath(root)
    if os.path.commonpath([path, real_root]) != real_root:
        raise UnsafeArchive("refusing path %r: it leaves the destination" % name[:200])
    return path


def _is_link(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return stat.S_ISLNK(mode)


def extract_zip(archive: str, dest: str, max_entries: int = MAX_ENTRIES, max_total: int = MAX_TOTAL_BYTES,
                task=None) -> List[str]:
    """Extract every file of a zip into dest; returns their relative paths."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as error:
        raise UnsafeArchive("not a readable zip archive: %s" % error)
    with zf:
        infos = zf.infolist()
        if len(infos) > max_entries:
            raise UnsafeArchive("the archive has %d entries, over the limit of %d" % (len(infos), max_entries))
        declared = sum(i.file_size for i in infos)
        if declared > max_total:
            raise UnsafeArchive("the archive unpacks to %d bytes, over the limit of %d" % (declared, max_total))
        # Check every member before writing any, so a bad archive leaves nothing behind.
        targets = []
        for info in infos:
            if _is_link(info):
                raise UnsafeArchive("refusing link %r in the archive" % info.filename[:200])
            targets.append((info, safe_join(dest, info.filename)))
        written = 0
        extracted = []
        for info, target in targets:
            if task is not None:
                task.check()
            if info.is_dir():
                os.makedirs(target, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with zf.open(info) as source, open(target, "wb") as out:
                while True:
                    chunk = source.read(64 * 1024)
                    if not chunk:
                        break
                    written += len(chunk)
                    if written > max_total:
                        raise UnsafeArchive("the archive unpacks to more than %d bytes" % max_total)
                    out.write(chunk)
            extracted.append(safe_relpath(info.filename))
        return extracted
