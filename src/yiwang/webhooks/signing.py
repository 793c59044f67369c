"""Standard Webhooks signatures (HMAC-SHA256, scheme "v1") and secrets (pure).

What is signed is ``<webhook-id>.<webhook-timestamp>.<body>`` over the exact bytes sent; the
secret is 24–64 random bytes, written base64 with the ``whsec_`` prefix. During a rotation the
header carries one signature per secret, space-separated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    if not secret.startswith(PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    key = base64.b64decode(secret[len(PREFIX):], validate=True)
    if not 24 <= len(key) <= 64:
        raise ValueError("a webhook secret is 24 to 64 bytes")
    return key


def signature(secret: str, *, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()


def signature_header(secrets_in_force: list[str], *, msg_id: str, timestamp: int, body: bytes) -> str:
    return " ".join(signature(s, msg_id=msg_id, timestamp=timestamp, body=body) for s in secrets_in_force)
