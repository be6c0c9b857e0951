"""Files a chunk at a time over the bus (read_file_chunk, write_file_chunk):
a spread render ships the scene to workers and streams their frames back.
Pure Python, so the offsets and limits are unit-tested without Blender."""
import atexit
import base64
import os
import re
import shutil
import tempfile
from typing import Dict, Set

CHUNK_BYTES = 512 * 1024  # the protocol's TRANSFER_CHUNK_BYTES
FOLDER_NAME = "blender-mcp-bus-transfers"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class TransferError(ValueError):
    """A chunk that cannot be read or written; the message says why."""


# What this process wrote into transfer folders (scene copies, shipped scenes): removed when it exits,
# so a worker killed mid-render or a server that never asked to delete leaves nothing behind.
_written = set()  # type: Set[str]


def remember(path: str) -> str:
    if not _written:
        atexit.register(forget_all)
    _written.add(path)
    return path


def forget_all() -> None:
    for path in list(_written):
        _remove(path)
    _written.clear()


def _remove(path: str) -> bool:
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)
        return True
    try:
        os.remove(path)
        return True
    except FileNotFoundError:
        return False


def delete(folder: str, path: str) -> Dict[str, object]:
    """A file or folder inside `folder` removed; anything else refused."""
    root = os.path.realpath(folder)
    target = os.path.realpath(path)
    if os.path.commonpath([root, target]) != root or target == root:
        raise TransferError("%s is not inside %s: only transferred files can be deleted" % (path, folder))
    _written.discard(path)
    return {"deleted": _remove(target)}


def transfer_folder() -> str:
    """Where shipped files land: the system temp folder, which the allowed folders include by default."""
    folder = os.path.join(tempfile.gettempdir(), FOLDER_NAME)
    os.makedirs(folder, exist_ok=True)
    return folder


def read_chunk(path: str, offset: int, length: int) -> Dict[str, object]:
    if not os.path.isfile(path):
        raise TransferError("no file at %s" % path)
    size = os.path.getsize(path)
    if offset > size:
        raise TransferError("offset %d is past the end of %s (%d bytes)" % (offset, path, size))
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read(min(length, CHUNK_BYTES))
    return {"data_base64": base64.b64encode(data).decode("ascii"), "size": size}


def write_chunk(folder: str, name: str, offset: int, data_base64: str) -> Dict[str, object]:
    if not _NAME.match(name or ""):
        raise TransferError("%r is not a plain file name (letters, digits, . _ -)" % name)
    path = os.path.join(folder, name)
    size = os.path.getsize(path) if os.path.isfile(path) else 0
    if offset not in (0, size):
        raise TransferError("offset %d does not continue %s (%d bytes so far): send the chunks in order from 0"
                            % (offset, name, size))
    try:
        data = base64.b64decode(data_base64, validate=True)
    except ValueError:
        raise TransferError("data_base64 is not base64")
    with open(path, "wb" if offset == 0 else "ab") as f:
        f.write(data)
    remember(path)
    return {"filepath": path, "size": offset + len(data)}
