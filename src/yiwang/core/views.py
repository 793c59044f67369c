from functools import wraps

from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from yiwang.core import care
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


_BAD_REQUESTS = {
    # exception class name -> (status, code, message, message_en)
    "RequestDataTooBig": (413, "request_too_large", "请求内容过大。", "The request body is too large."),
    "TooManyFieldsSent": (400, "too_many_fields", "请求中的字段过多。", "The request has too many fields."),
    "TooManyFilesSent": (400, "too_many_files", "请求中的文件过多。", "The request has too many files."),
    "DisallowedHost": (400, "bad_host", "请求的主机名不被接受。", "The request's Host is not one this server answers for."),
    "MultiPartParserError": (400, "malformed_request", "请求内容格式错误（如 multipart 缺少分隔符）。",
                             "Malformed request body (e.g. multipart without a boundary)."),
}


def bad_request(request, exception=None):
    """400 for requests Django refuses before any view (too large, too many fields, bad Host, broken
    multipart): the error shape under /api/, a page elsewhere."""
    name = type(exception).__name__ if exception is not None else ""
    cause = getattr(exception, "__cause__", None) or getattr(exception, "__context__", None)
    status, code, message, message_en = _BAD_REQUESTS.get(
        name, _BAD_REQUESTS.get(type(cause).__name__ if cause else "",
                                (400, "bad_request", "请求无法处理。", "The request could not be understood."))
    )
    if _wants_json(request):
        return JsonResponse({"code": code, "message": message, "message_en": message_en}, status=status)
    return render(request, "core/error.html", {"status": status, "message": message, "message_en": message_en}, status=status)


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


@require_POST
def care_mode_switch(request):
    """Switch 关怀模式 on (care=1) or off (care=0), like Django's set_language: the choice goes in a
    cookie, the visitor back to `next` (this site only, else the home page). A signed-in resident's
    session gets the mode's lifetime (yiwang.core.care.session_seconds)."""
    value = request.POST.get("care")
    if value not in (care.ON, care.OFF):
        return render(request, "core/error.html", {
            "status": 400, "code": "invalid_care_mode",
            "message": "关怀模式的取值无效（应为 1 或 0）。", "message_en": "Invalid care mode (expected 1 or 0)."}, status=400)
    on = value == care.ON
    next_url = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    response = redirect(next_url)
    care.set_cookie(response, on=on)
    care.apply_session_lifetime(request, care=on)
    return response
