"""Admin of seal keys (never showing private keys) and licences (masked holders, read only)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from yiwang.core.identifiers import mask_id_card, mask_name
from yiwang.licences import services
from yiwang.licences.models import Licence, SealKey


@admin.register(SealKey)
class SealKeyAdmin(admin.ModelAdmin):
    list_display = ["key_id", "department", "algorithm", "active", "created_at", "retired_at"]
    list_filter = ["active", "algorithm"]
    search_fields = ["key_id", "department__name", "department__code"]
    # The private key is never shown, not even encrypted.
    fields = ["key_id", "department", "algorithm", "active", "public_key", "created_at", "retired_at"]
    readonly_fields = fields
    actions = ["rotate_keys"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("轮换所选密钥所属部门的印章密钥"), permissions=["change"])
    def rotate_keys(self, request, queryset):
        departments = {key.department_id: key.department for key in queryset.select_related("department")}
        for department in departments.values():
            services.rotate_seal_key(department=department)
        self.message_user(
            request,
            ngettext("已为 %(count)d 个部门轮换印章密钥。", "已为 %(count)d 个部门轮换印章密钥。", len(departments))
            % {"count": len(departments)},
            messages.SUCCESS,
        )


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "masked_holder", "department", "status", "issued_at"]
    list_filter = ["status", "department"]
    search_fields = ["number", "case__number"]
    list_select_related = ["department", "case__applicant"]
    fields = [
        "number", "title", "masked_holder", "masked_identifier", "department", "case", "status",
        "issued_at", "issued_by", "revoked_at", "revoked_by", "revoke_reason",
        "seal_key", "content_sha256", "signature",
    ]
    readonly_fields = fields
    # No revoke action here: revocation is the issuing department's decision (API / workbench).

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("持证人"))
    def masked_holder(self, licence):
        if licence.case.applicant.kind == "enterprise":
            return licence.holder_name
        return mask_name(licence.holder_name)

    @admin.display(description=_("持证人证件号码"))
    def masked_identifier(self, licence):
        return mask_id_card(licence.holder_identifier)
