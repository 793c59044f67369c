"""Small request helpers shared by the accounts web pages and API views."""

from __future__ import annotations

from django.utils.translation import get_language

from yiwang.core.errors import DomainError
from yiwang.core.identifiers import IdentifierError


def client_ip(request) -> str | None:
    """The address the request came from.

    REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it,
    so trusting it would let anyone escape the per-address login limit.
    """
    return request.META.get("REMOTE_ADDR") or None


def localized_message(error: DomainError | IdentifierError) -> str:
    """The error's message in the active language (Chinese unless English is active)."""
    language = get_language() or ""
    return error.message_en if language.startswith("en") else error.message
