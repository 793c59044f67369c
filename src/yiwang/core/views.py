from functools import wraps

from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_GET

from yiwang.core.errors import DomainError


@require_GET
def healthz(request):
    """200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means unhealthy
        return JsonResponse({"status": "unavailable", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    """404 for unknown addresses: the error shape under /api/, a page elsewhere."""
    if _wants_json(request):
        return JsonResponse({"code": "not_found", "message": "未找到请求的地址。", "message_en": "No such address."}, status=404)
    return render(request, "core/error.html", {"status": 404, "message": "页面不存在。", "message_en": "Page not found."}, status=404)


def server_error(request):
    """500 (a bug, never bad input): say so without details; the traceback goes to the log."""
    if _wants_json(request):
        return JsonResponse(
            {"code": "server_error", "message": "服务器内部错误，请稍后再试。", "message_en": "Internal server error; please try again later."},
            status=500,
        )
    return HttpResponseServerError(loader.get_template("core/error_500.html").render())


def refusals_as_pages(error_page):
    """Decorator factory: a DomainError a view did not present itself becomes `error_page(request, error)`
    (a 4xx page with the message in the reader's language), never a 500."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except DomainError as error:
                return error_page(request, error)

        return wrapper

    return decorator
