"""``{% load registries_tags %}{% fetch_control case row %}``: the 免交 control of one material row.

`row` is the applications app's material row (``position``, ``upload``, ``can_upload``); the
control renders nothing unless the material names a registry record, the viewer is the applicant
and the material may be supplied now.
"""

from django import template

from yiwang.registries.presentation import fetch_control as build_fetch_control

register = template.Library()


@register.inclusion_tag("registries/_fetch_control.html", takes_context=True)
def fetch_control(context, case, row):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    control = build_fetch_control(
        user=user, case=case, position=int(getattr(row, "position", 0) or 0),
        can_upload=bool(getattr(row, "can_upload", False)), upload=getattr(row, "upload", None),
    )
    return {"control": control, "request": request, "csrf_token": context.get("csrf_token")}
