"""API tokens that expire, and that stop working when the account's password changes or it is locked."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from yiwang.core import clock


def token_is_current(token) -> bool:
    """False once the token is older than API_TOKEN_SECONDS or older than the account's last password change."""
    if token.created <= clock.now() - dt.timedelta(seconds=settings.API_TOKEN_SECONDS):
        return False
    changed = token.user.credentials_changed_at
    return changed is None or token.created >= changed


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token …` as DRF reads it, refusing expired or superseded tokens (401)."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)  # also refuses inactive (locked) accounts
        if not token_is_current(token):
            raise AuthenticationFailed("token expired")
        return user, token
