"""关怀模式: the elderly-friendly mode of the MIIT 适老化 rules (larger text and targets, stronger
contrast, fewer choices, text read aloud, longer sign-in).

The choice lives in a cookie, not in the account, so it works before signing in and on a shared
kiosk alike; pages read it through `care_mode(request)` and put class="care" on <html> (site.css
does the rest). A kiosk's pages call `care_mode(request, default=True)`: large text unless the
person at the kiosk switched it off.
"""

from __future__ import annotations

from django.conf import settings

COOKIE_NAME = "yiwang_care"
COOKIE_MAX_AGE = 365 * 24 * 3600  # a year, like the language choice: elderly users should not have to find the switch again
ON, OFF = "1", "0"
# A resident in care mode reads and types slowly: their sign-in lasts twice as long.
SESSION_FACTOR = 2


def care_mode(request, *, default: bool = False) -> bool:
    """Whether this request's pages are shown in 关怀模式: the visitor's choice (the cookie), else
    `default` (True on kiosks)."""
    value = request.COOKIES.get(COOKIE_NAME)
    if value == ON:
        return True
    if value == OFF:
        return False
    return default


def set_cookie(response, *, on: bool) -> None:
    """Remember the visitor's choice on `response` for a year (readable by the server only)."""
    response.set_cookie(COOKIE_NAME, ON if on else OFF, max_age=COOKIE_MAX_AGE, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True)


def session_seconds(user, *, care: bool) -> int | None:
    """The sign-in lifetime for `user`: SESSION_COOKIE_AGE, twice that in care mode; None (leave it
    alone) for staff, whose working-day limit (accounts.middleware) is a security rule, not a comfort."""
    if getattr(user, "kind", "") == "staff":
        return None
    return settings.SESSION_COOKIE_AGE * (SESSION_FACTOR if care else 1)


def apply_session_lifetime(request, *, care: bool) -> None:
    """Give the signed-in resident's or enterprise's session the lifetime of the mode (no-op otherwise)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "session", None) is None:
        return
    seconds = session_seconds(user, care=care)
    if seconds is not None:
        request.session.set_expiry(seconds)


def on_login(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: someone who switched care mode on before signing in gets the longer
    session from the start."""
    if request is not None and care_mode(request):
        apply_session_lifetime(request, care=True)
