from django.conf import settings

from portal.roles import ROLE_LABELS, roles_of


def portal(request):
    roles = roles_of(getattr(request, "user", None))
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "CITY_NAME": settings.CITY_NAME,
        "user_roles": roles,
        "user_role_labels": [ROLE_LABELS[r] for r in sorted(roles) if r in ROLE_LABELS],
    }
