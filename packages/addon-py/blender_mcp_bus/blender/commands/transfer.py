"""save_scene_copy, read_file_chunk, write_file_chunk, delete_transfer_file: the scene and the
frames of a render spread over workers, a chunk per job (core/transfer.py)."""
import os
import uuid

from ...core import transfer
from ...core.registry import JobFailed, command
from .. import compat
from ..paths import allowed_path


@command("save_scene_copy")
def save_scene_copy():
    # One copy per call: two spread renders in a row must not read each other's file.
    path = os.path.join(transfer.transfer_folder(), "scene-%s.blend" % uuid.uuid4().hex[:12])
    try:
        compat.save_copy(path)
    except Exception as error:
        raise JobFailed("could not save a copy of the open file: %s" % error)
    return {"filepath": transfer.remember(path), "size": os.path.getsize(path)}


@command("read_file_chunk")
def read_file_chunk(filepath, offset=0, length=524288):
    try:
        return transfer.read_chunk(allowed_path(filepath), int(offset), int(length))
    except transfer.TransferError as error:
        raise JobFailed(str(error))


@command("write_file_chunk")
def write_file_chunk(name, offset, data_base64):
    folder = allowed_path(transfer.transfer_folder())
    try:
        return transfer.write_chunk(folder, name, int(offset), data_base64)
    except transfer.TransferError as error:
        raise JobFailed(str(error))


@command("delete_transfer_file")
def delete_transfer_file(filepath):
    folder = allowed_path(transfer.transfer_folder())
    try:
        return transfer.delete(folder, filepath)
    except transfer.TransferError as error:
        raise JobFailed(str(error))
