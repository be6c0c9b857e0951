"""The auth handshake, the addon's side (the server's is
packages/server/src/auth/handshake.ts; both follow protocol/src/auth.ts).

The server proves first: the addon sends auth_begin (a key id and a fresh
nonce), checks the server's proof in auth_challenge, and only then sends its
own proof and its hello. The token never crosses the wire: the key is its
SHA-256, and each proof is an HMAC over a transcript that names the
direction, the channel, the key and both nonces."""
import base64
import hashlib
import hmac
import json
import os
from urllib.parse import urlsplit

from . import outgoing

# The header tells the server this addon speaks the handshake; it carries no secret.
AUTH_HEADER = "x-blender-mcp-auth"
AUTH_SCHEME = "hmac-sha256-v1"
_LABEL = "blender-mcp-auth-v1"
CHANNEL = "addon"


class AuthFailed(Exception):
    """The peer did not prove it knows the token, or the server said no.
    kind: impostor, outdated (a server from before the handshake) or refused."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.message = message
        self.kind = kind


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def key_from_token(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def key_id(key: bytes) -> str:
    return hashlib.sha256((_LABEL + "/key-id\n").encode("ascii") + key).hexdigest()[:16]


def new_nonce() -> str:
    return _b64(os.urandom(32))


def proof(key: bytes, direction: str, channel: str, kid: str, client_nonce: str, server_nonce: str) -> str:
    transcript = "\n".join((_LABEL, direction, channel, kid, client_nonce, server_nonce))
    return _b64(hmac.new(key, transcript.encode("utf-8"), hashlib.sha256).digest())


def impostor_message(url: str, detail: str) -> str:
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "wss" else 80)
    except ValueError:
        port = "?"
    return ("the server at %s did not prove it knows this token (%s): something else may hold the port. "
            "Find it with: ss -ltnp 'sport = :%s'  or  lsof -i :%s. Nothing was sent to it." % (url, detail, port, port))


class ClientAuth:
    """One connection's handshake: begin(), then answer(first frame) gives
    the auth_proof message or raises AuthFailed."""

    def __init__(self, token: str, url: str, protocol_version: int, channel: str = CHANNEL):
        self._key = key_from_token(token)
        self.key_id = key_id(self._key)
        self._nonce = new_nonce()
        self._url = url
        self._version = protocol_version
        self._channel = channel

    def begin(self) -> dict:
        return outgoing.auth_begin(self._version, self.key_id, self._nonce)

    def answer(self, text: str) -> dict:
        try:
            message = json.loads(text)
        except ValueError:
            raise AuthFailed(impostor_message(self._url, "its first message is not JSON"), "impostor")
        if not isinstance(message, dict):
            raise AuthFailed(impostor_message(self._url, "its first message is not an object"), "impostor")
        kind = message.get("message_type")
        if kind == "refused":
            version = message.get("protocol_version")
            reason = "%s: %s" % (message.get("code"), message.get("reason"))
            if isinstance(version, int) and version < self._version:
                raise AuthFailed("the server at %s speaks protocol %d, from before the auth handshake: update the server "
                                 "(it said %s)" % (self._url, version, reason), "outdated")
            raise AuthFailed("refused (%s)" % reason, "refused")
        if kind != "auth_challenge":
            raise AuthFailed(impostor_message(self._url, "it answered %r instead of auth_challenge; an older server also "
                                                         "does this: then update the server" % (kind,)), "impostor")
        server_nonce = message.get("server_nonce")
        given = message.get("server_proof")
        if not isinstance(server_nonce, str) or not isinstance(given, str) or len(server_nonce) != 43:
            raise AuthFailed(impostor_message(self._url, "its challenge is malformed"), "impostor")
        expected = proof(self._key, "server", self._channel, self.key_id, self._nonce, server_nonce)
        if not hmac.compare_digest(expected.encode("ascii"), given.encode("utf-8", "replace")):
            raise AuthFailed(impostor_message(self._url, "its proof is wrong"), "impostor")
        return outgoing.auth_proof(proof(self._key, "client", self._channel, self.key_id, self._nonce, server_nonce))
