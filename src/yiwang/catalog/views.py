"""Public pages of the catalogue: portal home, item list with search, the service guide."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from yiwang.catalog import selectors
from yiwang.core.errors import DomainError, NotFound

ITEMS_PER_PAGE = 20
DEMO_LIMIT_MARKERS = ("待核实", "未能核实")


@require_GET
def portal_home(request):
    """Search box, the two themes (个人办事 / 法人办事) and departments with item counts."""
    return render(
        request,
        "catalog/home.html",
        {
            "departments": selectors.list_departments(with_items_only=True),
            "theme_counts": selectors.theme_counts(),
        },
    )


@require_GET
def item_list(request):
    """Items filtered by ?department=, ?theme=, ?q=; htmx requests get only the list partial."""
    department = request.GET.get("department", "").strip()
    theme = request.GET.get("theme", "").strip()
    q = request.GET.get("q", "").strip()[:100]
    items = selectors.list_items(department=department or None, theme=theme or None, q=q or None)
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    context = {
        "page": page,
        "items": page.object_list,
        "department": department,
        "theme": theme,
        "q": q,
        "filter_query": filters.urlencode(),
        "labels": selectors.all_code_labels(),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "catalog/_item_list.html", context)
    context["departments"] = selectors.list_departments(with_items_only=True)
    context["themes"] = list(selectors.THEMES)
    return render(request, "catalog/item_list.html", context)


@require_GET
def item_detail(request, code: str):
    """The service guide (办事指南) of one item; a 404 page for an unknown or inactive code."""
    try:
        item = selectors.get_item(code)
    except NotFound as exc:
        return render(request, "catalog/item_not_found.html", {"code": code, "error": exc}, status=404)
    show_internal_notes = selectors.shows_internal_notes(request.user)
    records = selectors.record_kind_names()
    materials = [
        {"material": material, "exemption": records.get(material.exemptible_via) if material.exemptible_via else None}
        for material in item.materials.all()
    ]
    return render(
        request,
        "catalog/item_detail.html",
        {
            "item": item,
            "materials": materials,
            "labels": selectors.all_code_labels(),
            # Internal notes (and the demo-value badge they imply) are for administrators only.
            "show_internal_notes": show_internal_notes,
            "demo_statutory_limit": show_internal_notes and any(marker in item.notes for marker in DEMO_LIMIT_MARKERS),
            "can_apply_online": "online" in item.channels,
            "apply_url": f"/cases/apply/{item.code}/",
            "bundles": item.bundles.order_by("code"),
            "blank_form_kinds": selectors.blank_form_kinds(item),
        },
    )


@require_GET
def blank_form(request, code: str, position: int):
    """The blank paper application form of a material (PDF download), for a person or a business
    (`?for=resident|enterprise`; the item's first kind of applicant when not given)."""
    try:
        name, data = selectors.blank_application_form(
            code=code, position=position, applicant_kind=request.GET.get("for") or None,
            apply_url=settings.PUBLIC_URL + f"/cases/apply/{code}/")
    except DomainError as exc:
        return render(request, "catalog/item_not_found.html",
                      {"code": code, "error": exc, "heading": _("无法下载空白申请表")}, status=exc.status)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
