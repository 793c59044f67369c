"""Forms of the accounts pages: they check shape only; the services decide."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from yiwang.accounts.http import client_ip, localized_message
from yiwang.accounts.services import InvalidCredentials, authenticate_with_rate_limit
from yiwang.core.errors import RateLimited
from yiwang.core.identifiers import IdentifierError, normalize_credit_code, normalize_id_card


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), strip=False, max_length=4096, widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class ResidentRegistrationForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150, help_text=_("字母、数字和 @ . + - _，登录时使用。"))
    real_name = forms.CharField(label=_("姓名"), max_length=100)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, min_length=18)
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    password = forms.CharField(
        label=_("密码"), strip=False, max_length=4096, widget=forms.PasswordInput, help_text=_("至少8个字符。")
    )
    password_confirm = forms.CharField(label=_("确认密码"), strip=False, max_length=4096, widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].error_messages["min_length"] = _("身份证号码应为18位。")
        self.fields["id_number"].error_messages["max_length"] = _("身份证号码应为18位。")
        for name in ("password", "password_confirm"):
            self.fields[name].widget.attrs["autocomplete"] = "new-password"

    def clean_id_number(self):
        # Checked here too so every field's error shows at once; the service checks again.
        try:
            return normalize_id_card(self.cleaned_data["id_number"])
        except IdentifierError as exc:
            raise ValidationError(localized_message(exc), code=exc.code) from None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("password_confirm") and cleaned["password"] != cleaned["password_confirm"]:
            self.add_error("password_confirm", _("两次输入的密码不一致。"))
        return cleaned


class RateLimitedAdminLoginForm(AdminAuthenticationForm):
    """Django admin's login form, counted against the same login limit as the platform."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = authenticate_with_rate_limit(
                    request_ip=client_ip(self.request) if self.request else None,
                    username=username,
                    password=password,
                )
            except RateLimited as exc:
                raise ValidationError(localized_message(exc), code=exc.code) from None
            except InvalidCredentials:
                raise self.get_invalid_login_error() from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class _IdentifierFieldsMixin:
    """Admin forms: ID numbers and credit codes must validate, and are stored canonically."""

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number")
        if not value:
            return None
        try:
            return normalize_id_card(value)
        except IdentifierError as exc:
            raise ValidationError(exc.message, code=exc.code) from None

    def clean_credit_code(self):
        value = self.cleaned_data.get("credit_code")
        if not value:
            return None
        try:
            return normalize_credit_code(value)
        except IdentifierError as exc:
            raise ValidationError(exc.message, code=exc.code) from None


class UserAdminChangeForm(_IdentifierFieldsMixin, UserChangeForm):
    pass


class UserAdminCreationForm(_IdentifierFieldsMixin, UserCreationForm):
    pass
