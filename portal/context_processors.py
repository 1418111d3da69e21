from django.conf import settings
from django.utils.translation import gettext, gettext_noop

from portal.roles import ROLE_LABELS, roles_of

# The default names (settings.PORTAL_NAME / CITY_NAME) have English translations in the catalogue; a
# name set through the environment is shown as it is unless the catalogue knows it.
gettext_noop("权力清单治理平台")
gettext_noop("示范市")


def portal(request):
    roles = roles_of(getattr(request, "user", None))
    return {
        "PORTAL_NAME": gettext(settings.PORTAL_NAME),
        "CITY_NAME": gettext(settings.CITY_NAME),
        "user_roles": roles,
        "user_role_labels": [ROLE_LABELS[r] for r in sorted(roles) if r in ROLE_LABELS],
    }
