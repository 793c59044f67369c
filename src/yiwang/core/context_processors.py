from django.conf import settings


def site(request):
    """Values every page needs: the region name and whether the user is staff."""
    user = getattr(request, "user", None)
    return {
        "PUBLIC_URL": settings.PUBLIC_URL,
        "is_staff_user": bool(user and user.is_authenticated and getattr(user, "is_staff_member", False)),
    }
