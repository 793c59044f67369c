"""Read-only admin views of consents and the fetch audit log (subjects masked)."""

from django.contrib import admin

from yiwang.core.admin import ReadOnlyAdmin
from yiwang.core.identifiers import mask_id_card
from yiwang.registries.models import Consent, DataAccess


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["id", "registry", "record_kind", "case_id", "granted_at", "expires_at", "withdrawn_at"]
    list_filter = ["registry"]
    fields = ["registry", "record_kind", "case_id", "purpose", "granted_at", "expires_at", "withdrawn_at"]


@admin.register(DataAccess)
class DataAccessAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "registry", "record_kind", "masked_subject", "case_id", "outcome", "detail", "latency_ms"]
    list_filter = ["outcome", "registry"]
    fields = ["at", "registry", "record_kind", "masked_subject", "case_id", "material_position", "consent", "platform",
              "outcome", "detail", "record_id", "source", "latency_ms"]

    @admin.display(description="数据主体证件号码")
    def masked_subject(self, obj):
        return mask_id_card(obj.subject_identifier)
