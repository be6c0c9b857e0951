"""Files a chunk at a time over the bus (read_file_chunk, write_file_chunk):
a spread render ships the scene to workers and streams their frames back.
Pure Python, so the offsets and limits are unit-tested without Blender."""
import base64
import os
import re
import tempfile
from typing import Dict

CHUNK_BYTES = 512 * 1024  # the protocol's TRANSFER_CHUNK_BYTES
FOLDER_NAME = "blender-mcp-bus-transfers"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class TransferError(ValueError):
    """A chunk that cannot be read or written; the message says why."""


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
    return {"filepath": path, "size": offset + len(data)}
