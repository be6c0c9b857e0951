"""Every message the addon sends, built through the generated dataclasses:
a field the protocol renames, drops or retypes fails here (ValidationError,
in the unit tests) instead of being refused by the server, and the caps come
from the protocol rather than copies of it."""
from typing import Any, List, Optional

from ..generated import protocol_types as types
from ..generated.wire import HELLO_MAX_LENGTHS


def _build(cls, **fields) -> dict:
    return cls.from_dict(fields).to_dict()


def hello(client_uuid: str, label: str, blender_version: str, blend_file: str, addon_version: str,
          protocol_version: int, commands: List[str], gated: List[str], client_type: str = "blender") -> dict:
    """Text fields longer than the protocol allows are cut to fit (a long file path must not refuse the hello)."""
    text = {"label": label, "client_type": client_type, "blender_version": blender_version,
            "blend_file": blend_file, "addon_version": addon_version}
    capped = {field: value[:HELLO_MAX_LENGTHS[field]] if field in HELLO_MAX_LENGTHS else value
              for field, value in text.items()}
    return _build(types.Hello, message_type="hello", client_uuid=client_uuid, protocol_version=protocol_version,
                  commands=list(commands), gated=list(gated), **capped)


def job_update(job_id: str, status: str, result: Any = None, error: str = "", progress: Optional[dict] = None) -> dict:
    fields = {"message_type": "job_update", "job_id": job_id, "status": status, "result": result, "error": error}
    if progress is not None:
        fields["progress"] = progress
    return _build(types.JobUpdate, **fields)


def pong(nonce: str) -> dict:
    return _build(types.Pong, message_type="pong", nonce=nonce)


def protocol_error(code: str, message: str, job_id: Optional[str]) -> dict:
    return _build(types.ProtocolError, message_type="protocol_error", code=code, message=message, job_id=job_id)


def auth_begin(protocol_version: int, key_id: str, client_nonce: str) -> dict:
    return _build(types.AuthBegin, message_type="auth_begin", protocol_version=protocol_version, key_id=key_id,
                  client_nonce=client_nonce)


def auth_proof(client_proof: str) -> dict:
    return _build(types.AuthProof, message_type="auth_proof", client_proof=client_proof)
