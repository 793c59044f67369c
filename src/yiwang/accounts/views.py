"""Sign-in, sign-out and resident registration pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from yiwang.accounts import constants as c
from yiwang.accounts import services
from yiwang.accounts.forms import LoginForm, ResidentRegistrationForm
from yiwang.accounts.http import client_ip, localized_message
from yiwang.core.errors import DomainError

# Other apps own these pages; the paths are the agreed ones.
APPLICANT_HOME = "/cases/mine/"
STAFF_HOME = "/cases/queue/"
ADMIN_HOME = "/admin/"

_BACKEND = "django.contrib.auth.backends.ModelBackend"


def landing_url(user) -> str:
    """Where a user goes after signing in when no safe `next` was given."""
    if user.kind == c.KIND_STAFF:
        return ADMIN_HOME if user.role == c.ROLE_ADMINISTRATOR else STAFF_HOME
    return APPLICANT_HOME


def _safe_next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    """Username and password sign-in, counted against the login rate limit."""
    next_url = _safe_next(request)
    status = 200
    if request.method == "POST":
        form = LoginForm(request.POST)
        if form.is_valid():
            try:
                user = services.authenticate_with_rate_limit(
                    request_ip=client_ip(request),
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                )
            except DomainError as exc:
                form.add_error(None, localized_message(exc))
                status = exc.status
            else:
                login(request, user, backend=_BACKEND)
                return HttpResponseRedirect(next_url or landing_url(user))
        else:
            status = 400
    else:
        form = LoginForm()
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


@sensitive_post_parameters("password", "password_confirm", "id_number")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def register_view(request):
    """Resident (自然人) registration, then the login page.

    A new account and an ID number that already has one get the same answer (the same message,
    the same redirect, the same work), so the page does not tell a prober who is registered.
    """
    status = 200
    if request.method == "POST":
        form = ResidentRegistrationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.request_resident_registration(
                    client_ip=client_ip(request),
                    username=data["username"],
                    password=data["password"],
                    real_name=data["real_name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                )
            except DomainError as exc:
                field = (exc.details or {}).get("field") if isinstance(exc.details, dict) else None
                form.add_error(field if field in form.fields else None, localized_message(exc))
                status = exc.status
            else:
                messages.success(request, gettext(
                    "注册已受理。如该身份证号码此前未注册，请用刚设置的用户名和密码登录；如已注册过，请用原有账号登录。"
                    "曾在窗口办事的，请填写窗口登记的手机号码，注册后即可查看窗口办件。"))
                return HttpResponseRedirect(reverse("accounts:login"))
        else:
            status = 400
    else:
        form = ResidentRegistrationForm()
    return render(request, "accounts/register.html", {"form": form}, status=status)
