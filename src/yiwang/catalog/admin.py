"""Catalogue administration. Items are saved through `services` so rule changes bump the version."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from yiwang.applications.presentation import field_rows
from yiwang.catalog import services
from yiwang.catalog.application_forms import FormDefinitionError, definition_as_dict, form_fields, parse_form_definition
from yiwang.catalog.flows import validate_flow
from yiwang.catalog.models import (
    Bundle,
    BundleMember,
    CodeLabel,
    CrossRegionScope,
    DataRegistry,
    Department,
    Material,
    Region,
    RegistryRecordKind,
    ServiceItem,
)
from yiwang.core.errors import ValidationFailed


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "credit_code")
    search_fields = ("code", "name", "name_en", "unit")
    list_filter = ("unit",)


class MaterialFormSet(forms.BaseInlineFormSet):
    """Checks the whole material list as the service will (positions, shared-data records)."""

    def kept_forms(self):
        return [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and (form.instance.pk or form.has_changed())
        ]

    def material_dicts(self) -> list[dict]:
        return [{name: form.cleaned_data.get(name) for name in services.MATERIAL_FIELDS} for form in self.kept_forms()]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        try:
            services.clean_materials(self.material_dicts())
        except ValidationFailed as exc:
            messages = []
            for where, problems in (exc.details or {}).items():
                for field_name, field_problems in problems.items():
                    messages += [f"{where}.{field_name}: {problem}" for problem in field_problems]
            raise ValidationError(messages or [exc.message]) from None

    def record_changes_without_saving(self) -> None:
        """Fill what the admin's change message reads; the service does the actual saving."""
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        for form in self.forms:
            if form.cleaned_data.get("DELETE") and form.instance.pk:
                self.deleted_objects.append(form.instance)
            elif form.instance.pk and form.has_changed():
                self.changed_objects.append((form.instance, form.changed_data))
            elif not form.instance.pk and form.has_changed() and not form.cleaned_data.get("DELETE"):
                self.new_objects.append(form.instance)


class MaterialInline(admin.TabularInline):
    model = Material
    formset = MaterialFormSet
    fields = services.MATERIAL_FIELDS
    extra = 0
    ordering = ("position",)


class ServiceItemForm(forms.ModelForm):
    class Meta:
        model = ServiceItem
        exclude = ("version",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flow"].help_text = (
            '审批环节列表，如 [{"step": "review", "role": "window_officer"}, {"step": "decide", "role": "approver"}]；'
            "留空则按审批层级自动生成。修改审批层级而不改流程时，流程按新层级重新生成。"
        )

    def clean_form(self):
        """The application form is checked as the import checks it, every fault named, before anything is saved."""
        form = self.cleaned_data.get("form")
        if form in (None, "", {}, []):
            return {}
        try:
            return definition_as_dict(parse_form_definition(form))
        except FormDefinitionError as exc:
            raise ValidationError(exc.errors) from None

    def clean_flow(self):
        flow = self.cleaned_data.get("flow")
        if flow in (None, "", []):
            return []  # the service generates the default flow for the approval levels
        problems = validate_flow(flow)
        if problems:
            raise ValidationError(problems)
        return flow


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    form = ServiceItemForm
    list_display = ("code", "name", "department", "item_type", "case_type", "version", "is_active")
    list_filter = ("department", "item_type", "case_type", "is_active")
    list_select_related = ("department",)
    search_fields = ("code", "name", "name_en")
    readonly_fields = ("version", "updated_at", "form_preview")
    inlines = [MaterialInline]
    fieldsets = (
        (None, {"fields": ("code", "name", "name_en", "department", "item_type", "level", "is_active", "version", "updated_at")}),
        ("办事指南", {"fields": ("description", "description_en", "legal_basis", "legal_basis_en", "channels", "service_objects", "fees", "online_depth", "max_visits")}),
        (
            "办理规则（修改将生成新的规则版本）",
            {
                "fields": (
                    ("statutory_limit_value", "statutory_limit_unit"),
                    ("promised_limit_value", "promised_limit_unit"),
                    "case_type",
                    "approval_levels",
                    "flow",
                    ("result_type", "result_name", "result_name_en"),
                )
            },
        ),
        ("申请表（修改将生成新的规则版本）", {"fields": ("form", "form_preview"),
                                          "description": "字段定义见 catalog/application_forms.py；保存前逐项检查，下方预览为申请人看到的表单。"}),
        ("跨区域通办", {"fields": ("cross_region", "cross_region_mode")}),
        ("备注", {"fields": ("notes",)}),
    )

    @admin.display(description="申请表预览")
    def form_preview(self, obj):
        """The form as an applicant sees it (a resident; inputs disabled), from the saved definition."""
        if obj is None or obj.pk is None:
            return "保存后显示预览。"
        fields = form_fields(applicant_kind="resident", definition=parse_form_definition(obj.form or {}))
        html = render_to_string("applications/_form_fields.html", {"fields": field_rows(fields, {})})
        return format_html('<fieldset class="form-preview" disabled>{}</fieldset>', mark_safe(html))  # noqa: S308 (our template)

    def save_model(self, request, obj, form, change):
        # Saved in save_related, through the service, once the material list is known.
        pass

    def save_related(self, request, form, formsets, change):
        material_formset = next(fs for fs in formsets if fs.model is Material)
        materials = material_formset.material_dicts()
        material_formset.record_changes_without_saving()
        item = form.instance
        if not change:
            services.create_item(item=item, materials=materials)
            return
        editable = set(services.ITEM_FIELDS) | {"department", "flow"}
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in editable}
        if material_formset.has_changed():
            changes["materials"] = materials
        saved = services.update_item(item=item, changes=changes)
        item.version = saved.version
        item.flow = saved.flow


class BundleMemberInline(admin.TabularInline):
    model = BundleMember
    fields = ("position", "item")
    raw_id_fields = ("item",)
    extra = 0
    verbose_name = "成员事项"
    verbose_name_plural = "成员事项"


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "lead_department", "window_opens", "window_closes")
    list_select_related = ("lead_department",)
    list_filter = ("lead_department",)
    search_fields = ("code", "name", "name_en")
    inlines = [BundleMemberInline]


class RegistryRecordKindInline(admin.TabularInline):
    model = RegistryRecordKind
    fields = ("kind", "name")
    extra = 0


@admin.register(DataRegistry)
class DataRegistryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "provider", "custodian")
    search_fields = ("code", "name")
    inlines = [RegistryRecordKindInline]


class CrossRegionScopeInline(admin.TabularInline):
    model = CrossRegionScope
    fields = ("item",)
    raw_id_fields = ("item",)
    extra = 0
    verbose_name = "可代收代办事项"
    verbose_name_plural = "可代收代办事项"


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "is_home")
    search_fields = ("code", "name")
    inlines = [CrossRegionScopeInline]


@admin.register(CodeLabel)
class CodeLabelAdmin(admin.ModelAdmin):
    list_display = ("table", "code", "label")
    list_filter = ("table",)
    search_fields = ("code", "label")
    ordering = ("table", "code")
