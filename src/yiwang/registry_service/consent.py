"""The consent token of the registry protocol: canonical form and HMAC-SHA256 signature (pure).

A calling platform signs every consent it sends with the credential it shares with the registry
service, so a caller without that secret cannot forge or alter one (another subject, another
record kind, a later expiry). Both sides import this module: it *is* the wire format, not shared
state. Fields:

    platform    the calling platform's identifier (must match the credential's platform)
    consent_id  the platform's own consent reference (for the registry's audit)
    subject     {"type": "person" | "company", "id": ID number or credit code}
    scope       "<registry>:<kind>" the resident agreed to
    purpose     free text shown to the resident
    case_ref    the case the record is for ("" when not tied to one)
    granted_at  ISO 8601 with offset
    expires_at  ISO 8601 with offset
    signature   hex HMAC-SHA256 over the canonical JSON of all other fields
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

SIGNED_FIELDS = ("platform", "consent_id", "subject", "scope", "purpose", "case_ref", "granted_at", "expires_at")


class ConsentInvalid(ValueError):
    """The consent is missing fields, badly formed, expired or wrongly signed."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def canonical_bytes(consent: dict[str, Any]) -> bytes:
    """The bytes that are signed: the signed fields only, sorted keys, no whitespace, UTF-8."""
    body = {name: consent.get(name) for name in SIGNED_FIELDS}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign_consent(consent: dict[str, Any], *, secret: str) -> dict[str, Any]:
    """A copy of `consent` with its `signature` set."""
    signature = hmac.new(secret.encode("utf-8"), canonical_bytes(consent), hashlib.sha256).hexdigest()
    return {**{name: consent.get(name) for name in SIGNED_FIELDS}, "signature": signature}


def check_consent(consent: Any, *, secret: str, now: dt.datetime) -> dict[str, Any]:
    """Return the consent if it is complete, correctly signed with `secret` and not expired.

    Raises ConsentInvalid (code consent_malformed, consent_signature or consent_expired).
    """
    if not isinstance(consent, dict) or any(name not in consent for name in (*SIGNED_FIELDS, "signature")):
        raise ConsentInvalid("consent_malformed", "consent is missing or incomplete")
    subject = consent["subject"]
    if not isinstance(subject, dict) or not isinstance(subject.get("id"), str) or subject.get("type") not in ("person", "company"):
        raise ConsentInvalid("consent_malformed", "consent subject must be {type, id}")
    expected = hmac.new(secret.encode("utf-8"), canonical_bytes(consent), hashlib.sha256).hexdigest()
    if not isinstance(consent["signature"], str) or not hmac.compare_digest(expected, consent["signature"]):
        raise ConsentInvalid("consent_signature", "consent signature does not verify")
    try:
        expires_at = dt.datetime.fromisoformat(consent["expires_at"])
    except (TypeError, ValueError):
        raise ConsentInvalid("consent_malformed", "expires_at is not an ISO 8601 time") from None
    if expires_at.tzinfo is None:
        raise ConsentInvalid("consent_malformed", "expires_at needs a UTC offset")
    if expires_at <= now:
        raise ConsentInvalid("consent_expired", "consent has expired")
    return consent
