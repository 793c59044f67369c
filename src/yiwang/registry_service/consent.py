"""The consent token of the registry protocol: canonical form and Ed25519 signature (pure).

A calling platform signs every consent token with its own Ed25519 key, kept only by the platform
(0600 in its data folder); the registry knows only the public key. Holding the platform's bearer
credential (which identifies the caller) is therefore not enough to mint a consent: a token for
another subject, another record kind or a later expiry does not verify.

A token is good for one query within a few minutes: it carries a one-time `token_id` that the
registry records (a second use is refused as a replay) and an `expires_at` at most
`MAX_VALIDITY` after `issued_at`. `consent_ref` names the resident's consent on the platform, so a
withdrawal the platform reports (also signed) stops every later token of that consent at the
registry as well. Both sides import this module: it *is* the wire format, not shared state.

Fields of a token (version 2):

    version      2
    platform     the calling platform's identifier (must match the credential's platform)
    token_id     one-time id of this token ("<platform>-<random>")
    consent_ref  the platform's reference of the resident's consent
    subject      {"type": "person" | "company", "id": ID number or credit code}
    scope        "<registry>:<kind>" the resident agreed to
    purpose      free text shown to the resident
    case_ref     the case the record is for ("" when not tied to one)
    granted_at   when the resident consented (ISO 8601 with offset)
    issued_at    when the platform issued this token
    expires_at   when this token stops working
    signature    base64 Ed25519 signature over the canonical JSON of all other fields
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VERSION = 2
TOKEN_VALIDITY = dt.timedelta(minutes=5)  # what the platform gives a token
MAX_VALIDITY = dt.timedelta(minutes=10)  # the longest a registry accepts
CLOCK_SKEW = dt.timedelta(minutes=1)  # a token issued this far in the registry's future still counts

SIGNED_FIELDS = ("version", "platform", "token_id", "consent_ref", "subject", "scope", "purpose", "case_ref",
                 "granted_at", "issued_at", "expires_at")
WITHDRAWAL_FIELDS = ("version", "platform", "consent_ref", "withdrawn_at")


class ConsentInvalid(ValueError):
    """The token is missing fields, badly formed, too long-lived, expired or wrongly signed."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def canonical_bytes(document: dict[str, Any], fields: tuple[str, ...] = SIGNED_FIELDS) -> bytes:
    """The bytes that are signed: the named fields only, sorted keys, no whitespace, UTF-8."""
    body = {name: document.get(name) for name in fields}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def public_key_hex(private_key: Ed25519PrivateKey) -> str:
    """The raw 32-byte public key in hex: what a registry is configured with."""
    from cryptography.hazmat.primitives import serialization

    return private_key.public_key().public_bytes(
        encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
    ).hex()


def load_public_key(hex_key: str) -> Ed25519PublicKey:
    """A public key from its hex form; ValueError if it is not 32 bytes of hex."""
    raw = bytes.fromhex(hex_key.strip())
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def _sign(document: dict[str, Any], fields: tuple[str, ...], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    signature = base64.b64encode(private_key.sign(canonical_bytes(document, fields))).decode("ascii")
    return {**{name: document.get(name) for name in fields}, "signature": signature}


def _verify(document: dict[str, Any], fields: tuple[str, ...], public_key: Ed25519PublicKey | None) -> None:
    if public_key is None:
        raise ConsentInvalid("consent_signature", "no consent key is registered for this platform")
    try:
        signature = base64.b64decode(document["signature"], validate=True)
        public_key.verify(signature, canonical_bytes(document, fields))
    except (InvalidSignature, binascii.Error, TypeError, ValueError):
        raise ConsentInvalid("consent_signature", "consent signature does not verify") from None


def sign_consent(consent: dict[str, Any], *, private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """A copy of `consent` (version set) with its `signature`."""
    return _sign({**consent, "version": VERSION}, SIGNED_FIELDS, private_key)


def sign_withdrawal(withdrawal: dict[str, Any], *, private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """A signed notice that the consent `consent_ref` was withdrawn."""
    return _sign({**withdrawal, "version": VERSION}, WITHDRAWAL_FIELDS, private_key)


def _instant(document: dict[str, Any], name: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(document[name])
    except (TypeError, ValueError):
        raise ConsentInvalid("consent_malformed", f"{name} is not an ISO 8601 time") from None
    if value.tzinfo is None:
        raise ConsentInvalid("consent_malformed", f"{name} needs a UTC offset")
    return value


def check_consent(consent: Any, *, public_key: Ed25519PublicKey | None, now: dt.datetime) -> dict[str, Any]:
    """Return the token if it is complete, signed by `public_key`'s platform, short-lived and current.

    Raises ConsentInvalid: consent_malformed, consent_signature, consent_validity (valid for longer
    than MAX_VALIDITY, or issued in the future) or consent_expired. One-time use and withdrawal
    are the registry's to check: they need its records.
    """
    if not isinstance(consent, dict) or any(name not in consent for name in (*SIGNED_FIELDS, "signature")):
        raise ConsentInvalid("consent_malformed", "consent is missing or incomplete")
    if consent["version"] != VERSION:
        raise ConsentInvalid("consent_malformed", f"consent version must be {VERSION}")
    subject = consent["subject"]
    if not isinstance(subject, dict) or not isinstance(subject.get("id"), str) or subject.get("type") not in ("person", "company"):
        raise ConsentInvalid("consent_malformed", "consent subject must be {type, id}")
    if not all(isinstance(consent[name], str) and consent[name] for name in ("token_id", "consent_ref", "platform")):
        raise ConsentInvalid("consent_malformed", "token_id, consent_ref and platform are required")
    _verify(consent, SIGNED_FIELDS, public_key)
    issued_at, expires_at = _instant(consent, "issued_at"), _instant(consent, "expires_at")
    if expires_at - issued_at > MAX_VALIDITY or issued_at > now + CLOCK_SKEW:
        raise ConsentInvalid("consent_validity", f"a consent token is good for at most {MAX_VALIDITY.seconds // 60} minutes")
    if expires_at <= now:
        raise ConsentInvalid("consent_expired", "consent has expired")
    return consent


def check_withdrawal(withdrawal: Any, *, public_key: Ed25519PublicKey | None) -> dict[str, Any]:
    """Return the withdrawal notice if it is complete and signed by the platform; else ConsentInvalid."""
    if not isinstance(withdrawal, dict) or any(name not in withdrawal for name in (*WITHDRAWAL_FIELDS, "signature")):
        raise ConsentInvalid("consent_malformed", "withdrawal is missing or incomplete")
    if not isinstance(withdrawal["consent_ref"], str) or not withdrawal["consent_ref"]:
        raise ConsentInvalid("consent_malformed", "consent_ref is required")
    _verify(withdrawal, WITHDRAWAL_FIELDS, public_key)
    _instant(withdrawal, "withdrawn_at")
    return withdrawal
