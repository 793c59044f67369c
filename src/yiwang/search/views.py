"""The search page: /search/?q= with live results (htmx swaps the `_results.html` partial)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from yiwang.core.errors import ValidationFailed
from yiwang.core.i18n import error_text
from yiwang.search import constants as c
from yiwang.search import selectors


@require_GET
def search_page(request):
    """Results for ?q= (no query: just the search box); a bad query shows its message, status 400."""
    q = request.GET.get("q", "")
    context = {"q": q.strip(), "hits": [], "error": None, "searched": False, "max_length": c.QUERY_MAX_LENGTH}
    status = 200
    if q.strip():
        try:
            context["hits"] = selectors.search(q, limit=c.PAGE_LIMIT)
            context["searched"] = True
        except ValidationFailed as exc:
            context["error"] = error_text(exc)
            status = 400
    template = "search/_results.html" if request.htmx and not request.htmx.boosted else "search/search.html"
    return render(request, template, context, status=status)
