"""Field encryption (AES-256-GCM) with key ids, and a keyed blind index for exact lookups.

Ciphertext text form: ``<kid>:<base64(nonce ‖ ciphertext ‖ tag)>``. The first key in
``settings.FIELD_KEYS_RAW`` encrypts; every listed key decrypts, so keys rotate by
prepending a new key and running ``manage.py rotate_field_keys``. The blind index uses its own
key, so knowing the index reveals nothing and rotating encryption keys never touches it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings


class KeyError_(LookupError):
    pass


@cache
def _keys(raw: str) -> tuple[str, dict[str, AESGCM]]:
    keys: dict[str, AESGCM] = {}
    current = ""
    for part in raw.split(","):
        kid, _, b64 = part.strip().partition(":")
        key = base64.b64decode(b64)
        if len(key) != 32:
            raise ValueError(f"field key {kid!r} must be 32 bytes")
        keys[kid] = AESGCM(key)
        current = current or kid
    return current, keys


def current_kid() -> str:
    return _keys(settings.FIELD_KEYS_RAW)[0]


def encrypt(plain: str, *, aad: bytes = b"gonghui") -> str:
    kid, keys = _keys(settings.FIELD_KEYS_RAW)
    nonce = os.urandom(12)
    ct = keys[kid].encrypt(nonce, plain.encode(), aad)
    return f"{kid}:{base64.b64encode(nonce + ct).decode()}"


def decrypt(token: str, *, aad: bytes = b"gonghui") -> str:
    kid, _, b64 = token.partition(":")
    keys = _keys(settings.FIELD_KEYS_RAW)[1]
    if kid not in keys:
        raise KeyError_(f"no field key with id {kid!r}")
    blob = base64.b64decode(b64)
    return keys[kid].decrypt(blob[:12], blob[12:], aad).decode()


def key_id(token: str) -> str:
    return token.partition(":")[0]


@cache
def _bidx_key(raw: str) -> bytes:
    return base64.b64decode(raw)


def blind_index(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 over purpose and value, 128 bits as hex: exact lookup and uniqueness only."""
    return hmac.digest(_bidx_key(settings.BLIND_INDEX_KEY), f"{purpose}\x00{value}".encode(), hashlib.sha256).hex()[:32]
