"""A staff member's sign-in lasts a working day (STAFF_SESSION_SECONDS), however they signed in."""

from __future__ import annotations

from django.conf import settings

_MARK = "_yiwang_session_lifetime"


class StaffSessionLifetimeMiddleware:
    """Give a staff session its shorter lifetime once, on the first request after sign-in.

    Residents' and enterprises' sessions keep SESSION_COOKIE_AGE. Done here rather than in each
    login view so the admin's login, the portal's and any later one are treated alike.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(request, "session", None) is not None \
                and not request.session.get(_MARK):
            if getattr(user, "kind", "") == "staff":
                request.session.set_expiry(settings.STAFF_SESSION_SECONDS)
            request.session[_MARK] = True
        return self.get_response(request)
