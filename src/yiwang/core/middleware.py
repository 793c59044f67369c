"""Refuse text that nothing downstream can store before any view sees it."""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse

from yiwang.core.api import unsafe_text

_MESSAGE = "请求中含有无法处理的字符（如空字符）。"
_MESSAGE_EN = "The request contains characters that cannot be processed (such as NUL)."


class RejectUnsafeTextMiddleware:
    """400 for a NUL or a lone surrogate in the path, the query string or a form field.

    PostgreSQL cannot store NUL in text or JSON, so such input would otherwise end as a database
    error (500) deep inside a service. JSON bodies are checked by the API's serializers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._unsafe(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "invalid_characters", "message": _MESSAGE, "message_en": _MESSAGE_EN}, status=400)
            return HttpResponseBadRequest(f"{_MESSAGE}\n{_MESSAGE_EN}", content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _unsafe(request) -> bool:
        if unsafe_text(request.path):
            return True
        for query in (request.GET,):
            for key, values in query.lists():
                if unsafe_text(key) or any(unsafe_text(value) for value in values):
                    return True
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method == "POST" and content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            for key, values in request.POST.lists():
                if unsafe_text(key) or any(unsafe_text(value) for value in values):
                    return True
        return False


# Scripts and styles come from this site only (htmx is served by the platform, pages carry no
# inline script); inline style attributes remain in a few templates, hence 'unsafe-inline' for styles.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class SecurityHeadersMiddleware:
    """CSP and Permissions-Policy on every response; personal pages are never stored by a cache.

    A response to a signed-in user (their cases, their data, a staff work queue) gets
    ``Cache-Control: private, no-store`` unless the view set its own caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        return response
