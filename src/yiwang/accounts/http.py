"""Small request helpers shared by the accounts web pages and API views."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language

from yiwang.core.errors import DomainError
from yiwang.core.identifiers import IdentifierError


def client_ip(request) -> str | None:
    """The address the request came from.

    REMOTE_ADDR, unless the request comes from one of the configured trusted proxies
    (YIWANG_TRUSTED_PROXIES): then the last address that proxy appended to X-Forwarded-For.
    A client sets X-Forwarded-For itself, so it is believed only from a trusted proxy.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    if remote and remote in settings.TRUSTED_PROXIES:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return remote


def localized_message(error: DomainError | IdentifierError) -> str:
    """The error's message in the active language (Chinese unless English is active)."""
    language = get_language() or ""
    return error.message_en if language.startswith("en") else error.message
