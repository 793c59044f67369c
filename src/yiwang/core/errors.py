"""Domain errors: a machine code, a Chinese message and an English message.

Services raise `DomainError` subclasses; the API exception handler and the web views turn them
into HTTP 4xx responses of the shape ``{"code", "message", "message_en"}``. Nothing stored is
changed when one is raised inside an atomic block.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal a person can understand and act on."""

    status = 400

    def __init__(self, code: str, message: str, message_en: str, *, details: Any = None, status: int | None = None):
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message = message
        self.message_en = message_en
        self.details = details
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message, "message_en": self.message_en}
        if self.details is not None:
            body["details"] = self.details
        return body


class ValidationFailed(DomainError):
    status = 400


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class Conflict(DomainError):
    """Invalid or stale state transition, duplicate, or concurrent change."""

    status = 409


class RateLimited(DomainError):
    status = 429
