"""Pages of the message centre (mounted at /messages/) and the public sending performance."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.core.errors import DomainError
from yiwang.notifications import constants as c
from yiwang.notifications import selectors, services


@require_GET
@login_required
def message_list(request):
    return render(request, "notifications/list.html", {"messages_list": selectors.messages_of(request.user)[:200]})


@require_GET
@login_required
def message_detail(request, message_id: int):
    """Opening a message reads it; it then links on to its case."""
    try:
        message = services.mark_read(user=request.user, message_id=message_id)
    except DomainError as refused:
        return render(request, "notifications/not_found.html", {"error": refused}, status=404)
    safe_link = message.link if url_has_allowed_host_and_scheme(message.link, allowed_hosts=None) else ""
    return render(request, "notifications/detail.html", {"message": message, "link": safe_link})


@require_POST
@login_required
def read_all(request):
    count = services.mark_all_read(user=request.user)
    flash.success(request, gettext("已将 %(count)d 条消息标为已读。") % {"count": count})
    return redirect("notifications:list")


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request):
    chosen = services.settings_for(request.user)
    if chosen.pk is None and get_language().startswith("en"):
        chosen.language = "en"  # not chosen yet: offer the language the person reads the portal in
    if request.method == "POST":
        language = request.POST.get("language", chosen.language)
        try:
            services.update_settings(user=request.user, language=language, sms=request.POST.get("sms") == "on",
                                     email=request.POST.get("email") == "on")
        except DomainError as refused:
            flash.error(request, refused.message_en if get_language() == "en" else refused.message)
        else:
            flash.success(request, gettext("通知设置已保存。"))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {
        "chosen": chosen, "languages": c.LANGUAGES, "is_staff_user": request.user.kind == "staff",
        "essential": ("、" if not get_language().startswith("en") else ", ").join(
            str(label) for kind, label in c.KINDS if kind in c.ESSENTIAL_KINDS),
    })


@require_GET
def performance(request):
    """Public: how many messages went out within 10 seconds of their event, per day and channel."""
    figures = selectors.sending_performance(days=14)
    return render(request, "notifications/performance.html", {
        "figures": [{"day": f.day, "channel": selectors.channel_label(f.channel), "sent": f.sent,
                     "within_10s": f.within_10s, "share": f"{f.share:.1%}" if f.share is not None else "—"} for f in figures],
    })
