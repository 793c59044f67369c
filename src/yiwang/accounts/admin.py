"""Django admin: users with roles and departments (ID numbers masked in lists), login attempts."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from rest_framework.authtoken.models import TokenProxy

from yiwang.accounts.forms import RateLimitedAdminLoginForm, UserAdminChangeForm, UserAdminCreationForm
from yiwang.accounts.models import LoginAttempt, User

# The admin login counts against the same rate limit as the platform's login page and API.
admin.site.login_form = RateLimitedAdminLoginForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    list_display = ["username", "real_name", "kind", "role", "masked_id", "is_active", "date_joined"]
    list_filter = ["kind", "role", "is_active", "departments"]
    # Exact match only: an ID number is looked up whole, never by fragments.
    search_fields = ["username", "real_name", "=id_number", "=credit_code"]
    ordering = ["username"]
    filter_horizontal = ["departments"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("身份信息", {"fields": ["kind", "real_name", "id_number", "credit_code", "phone", "email"]}),
        ("岗位与部门", {"fields": ["role", "departments"]}),
        ("权限", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("时间", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "password1", "password2"]}),
        ("身份信息", {"fields": ["kind", "real_name", "id_number", "credit_code", "phone"]}),
        ("岗位与部门", {"fields": ["role", "departments"]}),
    ]

    @admin.display(description="身份证号码（脱敏）")
    def masked_id(self, obj: User) -> str:
        return obj.masked_id_number


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ["at", "identity", "client_ip", "succeeded"]
    list_filter = ["succeeded"]
    search_fields = ["=identity", "=client_ip"]
    date_hierarchy = "at"
    ordering = ["-at", "-id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# API tokens are credentials: nobody, administrators included, should read them in a list.
try:
    admin.site.unregister(TokenProxy)
except admin.sites.NotRegistered:
    pass
