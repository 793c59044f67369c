from django.conf import settings


def site(request):
    """Values every page needs: the region name, whether the user is staff, their unread messages,
    whether the page is shown in 关怀模式 (a view may pass its own `care_mode`, as kiosks do)."""
    from yiwang.core.care import care_mode
    from yiwang.notifications.selectors import unread_count

    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "PUBLIC_URL": settings.PUBLIC_URL,
        "is_staff_user": bool(signed_in and getattr(user, "is_staff_member", False)),
        "unread_messages": unread_count(user) if signed_in else 0,
        "care_mode": care_mode(request),
    }
