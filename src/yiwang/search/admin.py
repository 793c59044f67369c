"""Administrators curate the synonym list here; every save goes through the services.

A change is seen by every process's search on its next query (the index fingerprint includes
the synonyms' newest update and count).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import get_language, gettext

from yiwang.core.errors import ValidationFailed
from yiwang.search import services
from yiwang.search.models import Synonym


class SynonymForm(forms.ModelForm):
    class Meta:
        model = Synonym
        fields = ("term", "expansion", "life_event", "active", "note")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["term"], data["expansion"] = services.check_synonym(term=data.get("term", ""), expansion=data.get("expansion", ""))
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message_en if (get_language() or "").startswith("en") else exc.message) from None
        # The stored term is normalised: check uniqueness on that form, not on what was typed.
        clash = Synonym.objects.filter(term=data["term"]).exclude(pk=self.instance.pk)
        if clash.exists():
            self.add_error("term", gettext("“%(term)s”已存在。") % {"term": data["term"]})
        return data


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    form = SynonymForm
    list_display = ("term", "expansion", "life_event", "active", "updated_at")
    list_filter = ("active", "life_event")
    search_fields = ("term", "expansion", "note")
    list_editable = ("active",)
    ordering = ("term",)

    def save_model(self, request, obj, form, change):
        services.save_synonym(synonym=obj)

    def delete_model(self, request, obj):
        services.delete_synonym(synonym=obj)

    def delete_queryset(self, request, queryset):
        for synonym in queryset:
            services.delete_synonym(synonym=synonym)
